/**
 * Seeded generator of kernel firewall logs drawn from real line shapes: LOG-target lines for TCP
 * teardown noise (late FIN/RST of forgotten connections), SYN scans, UDP (DNS, NTP, NetBIOS, SSDP,
 * mDNS), ICMP (echo, unreachable with the quoted packet), IPv6 (neighbour discovery, TCP), outgoing
 * packets with UID/GID, ufw prefixes, and a few other kernel lines (conntrack table full, link
 * state, audit) between them; in the wrappers syslog and journald put around them:
 *   syslog         Nov 20 10:00:01 gw kernel: [123456.789012] MSG
 *   journal        Nov 20 10:00:01 gw kernel: MSG                       (journalctl, short)
 *   iso            2025-11-20T10:00:01.123456+00:00 gw kernel: [123.4] MSG   (rsyslog RFC 3339)
 *   journal-iso    2025-11-20T10:00:01+0000 gw kernel: MSG              (journalctl -o short-iso)
 *   dmesg          [123456.789012] MSG
 *   dmesg-t        [Thu Nov 20 10:00:01 2025] MSG                      (dmesg -T)
 * `mixed` draws the wrapper of every line at random (a concatenation of files); the others keep
 * one wrapper, as a real file does.
 */
import { Rng } from './rng';

export type LogWrapper = 'syslog' | 'journal' | 'iso' | 'journal-iso' | 'dmesg' | 'dmesg-t' | 'mixed';

export interface LogSpec {
  readonly lines: number;
  readonly wrapper: LogWrapper;
  readonly seed?: number;
  /** Stop once the text reaches this many bytes (for "a 50 MB log"). */
  readonly maxBytes?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const PREFIXES: readonly (readonly [string, number])[] = [
  ['INPUT drop: ', 30],
  ['[UFW BLOCK] ', 25],
  ['[UFW AUDIT] ', 4],
  ['[UFW ALLOW] ', 3],
  ['IPTables-Dropped: ', 10],
  ['FW-IN-DROP ', 8],
  ['FORWARD drop: ', 5],
  ['Shorewall:net-fw:DROP:', 3],
  ['', 2],
];
const MACS = ['52:54:00:12:34:56:00:1b:21:0a:0b:0c:08:00', '00:16:3e:aa:bb:cc:3c:fd:fe:01:02:03:08:00', 'ff:ff:ff:ff:ff:ff:00:1b:21:0a:0b:0c:08:00', '01:00:5e:00:00:fb:00:1b:21:0a:0b:0c:08:00'];
const MAC6 = ['33:33:ff:00:00:01:00:1b:b9:76:9c:e4:86:dd', '33:33:00:00:00:01:00:16:3e:aa:bb:cc:86:dd'];
const OPEN_PORTS = [22, 25, 53, 80, 443, 993, 8080];
const SCAN_PORTS = [21, 22, 23, 25, 80, 110, 135, 139, 143, 443, 445, 1433, 3306, 3389, 5432, 5900, 6379, 8080, 8443, 9200];

interface Clock {
  /** Seconds since the epoch of the line being written. */
  t: number;
  uptime: number;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function wrap(w: Exclude<LogWrapper, 'mixed'>, clock: Clock, host: string, msg: string, rng: Rng, kernel = true): string {
  const d = new Date(clock.t * 1000);
  const up = clock.uptime.toFixed(6).padStart(12);
  const tag = kernel ? 'kernel:' : 'systemd[1]:';
  const bsd = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const iso = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  switch (w) {
    case 'syslog':
      return kernel ? `${bsd} ${host} ${tag} [${up}] ${msg}` : `${bsd} ${host} ${tag} ${msg}`;
    case 'journal':
      return `${bsd} ${host} ${tag} ${msg}`;
    case 'iso':
      return `${iso}.${String(rng.int(0, 999999)).padStart(6, '0')}+00:00 ${host} ${tag} ${kernel ? `[${up}] ` : ''}${msg}`;
    case 'journal-iso':
      return `${iso}+0000 ${host} ${tag} ${msg}`;
    case 'dmesg':
      return `[${up}] ${msg}`;
    case 'dmesg-t':
      return `[${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${d.getUTCFullYear()}] ${msg}`;
  }
}

function v4(rng: Rng, net?: string): string {
  return net ? `${net}.${rng.int(1, 254)}` : `${rng.pick([45, 61, 89, 103, 141, 185, 193, 212])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function tcpFlags(kind: 'syn' | 'teardown' | 'ack' | 'rst'): string {
  switch (kind) {
    case 'syn':
      return 'SYN';
    case 'teardown':
      return 'ACK FIN';
    case 'ack':
      return 'ACK PSH';
    case 'rst':
      return 'RST';
  }
}

/** One LOG-target message (without wrapper). */
function packetMessage(rng: Rng, state: { scanner: string; scanPort: number }): string {
  const prefix = rng.weighted(PREFIXES);
  const kind = rng.weighted([
    ['teardown', 30],
    ['scan', 25],
    ['udp', 18],
    ['icmp', 8],
    ['icmp-unreach', 3],
    ['v6-nd', 5],
    ['v6-tcp', 4],
    ['out', 5],
    ['fwd', 2],
  ] as const);
  const here = '192.0.2.10';
  const ttl = rng.int(40, 64);
  const id = rng.int(0, 65535);
  const ipv4 = (src: string, dst: string, len: number, df: boolean) => `SRC=${src} DST=${dst} LEN=${len} TOS=0x00 PREC=0x00 TTL=${ttl} ID=${id}${df ? ' DF' : ''}`;
  switch (kind) {
    case 'teardown': {
      // a late FIN or RST of a connection conntrack has forgotten: INVALID, logged as "blocked"
      const flags = rng.weighted([
        ['ACK FIN', 5],
        ['ACK RST', 3],
        ['RST', 2],
        ['ACK PSH FIN', 2],
      ] as const);
      const srv = rng.pick(OPEN_PORTS);
      const inbound = rng.chance(0.6);
      const peer = v4(rng);
      return inbound
        ? `${prefix}IN=eth0 OUT= MAC=${rng.pick(MACS)} ${ipv4(peer, here, flags === 'RST' ? 40 : 52, true)} PROTO=TCP SPT=${rng.int(32768, 60999)} DPT=${srv} WINDOW=${flags.includes('RST') ? 0 : rng.int(200, 2000)} RES=0x00 ${flags} URGP=0 `
        : `${prefix}IN=eth0 OUT= MAC=${rng.pick(MACS)} ${ipv4(peer, here, 52, true)} PROTO=TCP SPT=${srv} DPT=${rng.int(32768, 60999)} WINDOW=${rng.int(200, 2000)} RES=0x00 ${flags} URGP=0 `;
    }
    case 'scan': {
      if (rng.chance(0.02)) state.scanner = v4(rng);
      state.scanPort = rng.chance(0.7) ? state.scanPort + 1 : rng.pick(SCAN_PORTS);
      if (state.scanPort > 65535) state.scanPort = 1;
      const syn = tcpFlags(rng.chance(0.9) ? 'syn' : rng.pick(['rst', 'ack'] as const));
      return `${prefix}IN=eth0 OUT= MAC=${rng.pick(MACS)} ${ipv4(state.scanner, here, rng.pick([40, 44, 60]), rng.chance(0.3))} PROTO=TCP SPT=${rng.int(1024, 65535)} DPT=${state.scanPort} WINDOW=${rng.pick([1024, 2048, 3072, 4096, 29200, 65535])} RES=0x00 ${syn} URGP=0 `;
    }
    case 'udp': {
      const [sport, dport, dst] = rng.weighted([
        [[53, rng.int(1024, 65535), here], 3],
        [[123, 123, here], 2],
        [[137, 137, '192.0.2.255'], 3],
        [[138, 138, '192.0.2.255'], 1],
        [[rng.int(1024, 65535), 1900, '239.255.255.250'], 3],
        [[5353, 5353, '224.0.0.251'], 3],
        [[rng.int(1024, 65535), rng.pick([161, 500, 1194, 5060, 11211])], 2],
      ] as const) as readonly [number, number, string?];
      const len = rng.int(36, 512);
      return `${prefix}IN=eth0 OUT= MAC=${rng.pick(MACS)} ${ipv4(v4(rng, '192.0.2'), dst ?? here, len + 20, false)} PROTO=UDP SPT=${sport} DPT=${dport} LEN=${len} `;
    }
    case 'icmp':
      return `${prefix}IN=eth0 OUT= MAC=${rng.pick(MACS)} ${ipv4(v4(rng), here, 84, rng.chance(0.5))} PROTO=ICMP TYPE=8 CODE=0 ID=${rng.int(1, 65535)} SEQ=${rng.int(1, 200)} `;
    case 'icmp-unreach': {
      const inner = `[SRC=${here} DST=${v4(rng)} LEN=${rng.int(60, 120)} TOS=0x00 PREC=0x00 TTL=${rng.int(1, 64)} ID=${rng.int(0, 65535)} PROTO=UDP SPT=${rng.int(1024, 65535)} DPT=${rng.pick([53, 33434, 443])} LEN=${rng.int(20, 100)} ]`;
      return `${prefix}IN=eth0 OUT= MAC=${rng.pick(MACS)} ${ipv4(v4(rng), here, rng.int(56, 140), false)} PROTO=ICMP TYPE=3 CODE=${rng.pick([1, 3, 10, 13])} ${inner} `;
    }
    case 'v6-nd':
      return `${prefix}IN=eth0 OUT= MAC=${rng.pick(MAC6)} SRC=fe80:0000:0000:0000:${rng.hex(4)}:${rng.hex(2)}ff:fe${rng.hex(2)}:${rng.hex(4)} DST=ff02:0000:0000:0000:0000:0001:ff00:0001 LEN=72 TC=0 HOPLIMIT=255 FLOWLBL=0 PROTO=ICMPv6 TYPE=${rng.pick([133, 135, 136, 143])} CODE=0 `;
    case 'v6-tcp':
      return `${prefix}IN=eth0 OUT= MAC=${rng.pick(MAC6)} SRC=2001:0db8:${rng.hex(4)}:0000:0000:0000:0000:${rng.hex(4)} DST=2001:0db8:0001:0000:0000:0000:0000:0010 LEN=${rng.pick([60, 80])} TC=0 HOPLIMIT=${rng.int(40, 64)} FLOWLBL=${rng.int(0, 1048575)} PROTO=TCP SPT=${rng.int(1024, 65535)} DPT=${rng.pick(SCAN_PORTS)} WINDOW=${rng.pick([1024, 28800, 64800])} RES=0x00 ${rng.chance(0.8) ? 'SYN' : 'ACK RST'} URGP=0 `;
    case 'out':
      return `${prefix}IN= OUT=eth0 ${ipv4(here, v4(rng), rng.int(40, 1500), true)} PROTO=${rng.chance(0.7) ? `TCP SPT=${rng.int(32768, 60999)} DPT=${rng.pick([25, 443, 6667])} WINDOW=64240 RES=0x00 SYN URGP=0` : `UDP SPT=${rng.int(32768, 60999)} DPT=${rng.pick([53, 123, 514])} LEN=${rng.int(30, 200)}`} UID=${rng.pick([0, 33, 1000, 65534])} GID=${rng.pick([0, 33, 1000, 65534])} `;
    case 'fwd':
      return `${prefix}IN=eth1 OUT=eth0 MAC=${rng.pick(MACS)} ${ipv4(v4(rng, '10.0.0'), v4(rng), rng.int(40, 1500), true)} PROTO=TCP SPT=${rng.int(32768, 60999)} DPT=${rng.pick([22, 80, 443, 3389])} WINDOW=64240 RES=0x00 SYN URGP=0 MARK=0x${rng.int(1, 15).toString(16)} `;
  }
}

/** Other kernel lines found between firewall lines in kern.log. */
function otherKernel(rng: Rng): string {
  return rng.weighted([
    ['nf_conntrack: nf_conntrack: table full, dropping packet', 3],
    [`e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx`, 1],
    [`audit: type=1400 audit(${rng.int(1700000000, 1800000000)}.${rng.int(100, 999)}:${rng.int(10, 999)}): apparmor="DENIED" operation="open" profile="/usr/sbin/ntpd" name="/proc/${rng.int(100, 9999)}/net/if_inet6" pid=${rng.int(100, 9999)} comm="ntpd" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`, 2],
    [`TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.`, 1],
  ] as const);
}

/** The lines of a log, one at a time. */
export function* logLines(spec: LogSpec): Generator<string> {
  const rng = new Rng(spec.seed ?? 0x10c ^ spec.lines);
  const clock: Clock = { t: Date.UTC(2025, 10, 20, 6, 0, 0) / 1000, uptime: 812345.123456 };
  const state = { scanner: v4(rng), scanPort: 1000 };
  const hosts = ['gw', 'web-01', 'fw.example.net'];
  let host = hosts[0]!;
  const wrappers: Exclude<LogWrapper, 'mixed'>[] = ['syslog', 'journal', 'iso', 'journal-iso', 'dmesg', 'dmesg-t'];
  let fixed: Exclude<LogWrapper, 'mixed'> = spec.wrapper === 'mixed' ? 'syslog' : spec.wrapper;
  let bytes = 0;
  for (let i = 0; i < spec.lines; i++) {
    // bursts: scans and teardown storms come many to a second
    const dt = rng.chance(0.8) ? rng.next() * 0.05 : rng.next() * 20;
    clock.t += dt;
    clock.uptime += dt;
    if (spec.wrapper === 'mixed' && rng.chance(0.001)) {
      fixed = rng.pick(wrappers);
      host = rng.pick(hosts);
    }
    const w = spec.wrapper === 'mixed' ? (rng.chance(0.05) ? rng.pick(wrappers) : fixed) : fixed;
    const line = rng.chance(0.03) ? wrap(w, clock, host, otherKernel(rng), rng) : rng.chance(0.005) ? wrap(w, clock, host, 'Started Session 42 of user admin.', rng, false) : wrap(w, clock, host, packetMessage(rng, state), rng);
    yield line;
    bytes += line.length + 1;
    if (spec.maxBytes !== undefined && bytes >= spec.maxBytes) return;
  }
}

/** A log as one text (lines joined by \n, with a final \n): for small sizes. */
export function generateLog(spec: LogSpec): string {
  return [...logLines(spec)].join('\n') + '\n';
}

/** Write a log to a file in pieces (a million lines are about 250 MB). Returns lines and bytes. */
export function writeLog(path: string, spec: LogSpec): { lines: number; bytes: number } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  const fd = fs.openSync(path, 'w');
  let lines = 0;
  let bytes = 0;
  let buf: string[] = [];
  const flush = () => {
    const chunk = buf.join('\n') + '\n';
    fs.writeSync(fd, chunk);
    bytes += Buffer.byteLength(chunk);
    buf = [];
  };
  try {
    for (const l of logLines(spec)) {
      buf.push(l);
      lines++;
      if (buf.length >= 20000) flush();
    }
    if (buf.length) flush();
  } finally {
    fs.closeSync(fd);
  }
  return { lines, bytes };
}
