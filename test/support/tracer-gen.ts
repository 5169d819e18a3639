/**
 * Random rulesets and packets for the tracer's differential test against the kernel (fast-check,
 * fixed seed). Every ruleset uses only matches the tracer can decide (addresses and prefixes,
 * interfaces with `+`, protocols, ports and ranges, multiport, TCP flags and --syn, ICMP types,
 * conntrack/state, mark, length, ttl, tos/dscp, iprange, comment), user chains, jumps, goto,
 * RETURN, policies, LOG, NOTRACK/CT --notrack in raw and MARK in mangle; every packet is TCP
 * (any flags), UDP or ICMP (any type), sent from A into B (hook INPUT, `input` mode) or from B
 * itself to A (hooks OUTPUT and POSTROUTING, `output` mode).
 *
 * Each generated text holds all five tables with every built-in chain (iptables-restore only
 * replaces the tables it is given) plus three sentinel rules the kernel test reads: the first
 * rule of raw PREROUTING/OUTPUT (`--comment arrival`: the packet reached netfilter) and a rule in
 * security INPUT/OUTPUT that matches every conntrack state (`--comment delivered`: the packet
 * got through filter; it also keeps conntrack enabled in the namespace, as on any real host).
 * The tracer reads the same text, sentinels included.
 *
 * Addresses: only 10.200.0.0/16, inside the test's own namespaces (see test/support/netns.ts).
 */
import fc from 'fast-check';
import type { Packet } from '../../server/src/analysis/packet';
import type { Backend } from './netns';

export type Mode = 'input' | 'output';
export type ProbeState = 'auto' | 'ESTABLISHED' | 'RELATED';

/** B's addresses (the veth end, plus two extra local addresses the test adds). */
export const B_ADDRS = ['10.200.0.2', '10.200.0.3', '10.200.9.2'] as const;
/** Addresses on A's side: A's own, and spoofed ones (B has static neighbours for all). */
export const A_ADDRS = ['10.200.0.1', '10.200.0.7', '10.200.0.130', '10.200.3.9', '10.200.200.200'] as const;

/** A packet as test/support/send-packet.py builds it. */
export interface WireSpec {
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  readonly flags?: string;
  readonly seq?: number;
  readonly ack?: number;
  readonly ttl: number;
  readonly tos: number;
  readonly payloadHex?: string;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly icmpId?: number;
  readonly icmpSeq?: number;
  readonly icmpRestHex?: string;
}

/** A packet to send before the probe, with an accept-everything ruleset, to create an entry. */
export interface PrimeStep {
  readonly from: 'A' | 'B';
  readonly wire: WireSpec;
}

export interface Probe {
  /** Who sends it: A in input mode, B in output mode. */
  readonly from: 'A' | 'B';
  readonly wire: WireSpec;
  /** The packet as the tracer sees it. */
  readonly packet: Packet;
  /** 'auto': no entry, the tracer infers the state; otherwise the state of the primed entry. */
  readonly state: ProbeState;
  readonly prime: readonly PrimeStep[];
  /** The conntrack tuple, to keep the tuples of one batch apart. */
  readonly tuple: string;
}

export interface GenCase {
  readonly index: number;
  readonly mode: Mode;
  /** Which iptables loads the rules: iptables-nft (the default) or iptables-legacy. */
  readonly backend: Backend;
  /** net.netfilter.nf_conntrack_tcp_loose for this case. */
  readonly loose: boolean;
  readonly text: string;
  readonly probes: readonly Probe[];
}

type G = fc.GeneratorValue;

const pick = <T>(g: G, xs: readonly T[]): T => xs[g(uniform, 0, xs.length - 1)]!;
/** Uniform: fast-check's own integers lean towards small values and the bounds. */
const uniform = (min: number, max: number) => fc.noBias(fc.integer({ min, max }));
const int = (g: G, min: number, max: number): number => g(uniform, min, max);
const chance = (g: G, p: number): boolean => g(uniform, 0, 999) < p * 1000;
function weighted<T>(g: G, choices: readonly [number, T][]): T {
  const total = choices.reduce((s, [w]) => s + w, 0);
  let r = int(g, 0, total - 1);
  for (const [w, v] of choices) {
    if (r < w) return v;
    r -= w;
  }
  return choices[choices.length - 1]![1];
}

// ---------------------------------------------------------------------------------------------
// values shared by rules and packets, so that rules match often enough to matter

const PORTS = [22, 53, 80, 443, 1000, 1023, 1024, 2222, 8080, 33434, 65535];
const TTLS = [1, 2, 63, 64, 65, 127, 128, 255];
const TOSES = [0x00, 0x02, 0x04, 0x08, 0x10, 0x28, 0xb8, 0x01, 0x03, 0x12];
const MARKS = [0, 1, 2, 3, 0x10, 0xff, 0x100, 0xdead];

const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;
/** The six flags `--tcp-flags` knows (FIN SYN RST PSH ACK URG). */
const flagArg = (g: G, min: number) => flagList(int(g, min, 63));
const COMMON_FLAGS = [0x02, 0x10, 0x18, 0x11, 0x04, 0x14, 0x12, 0x00, 0x01, 0x29, 0xff, 0xc2, 0x30, 0x19, 0x3f];

function flagList(bits: number): string {
  const names = TCP_FLAGS.filter((_, i) => bits & (1 << i));
  return names.length ? names.join(',') : 'NONE';
}

function anyAddr(g: G): string {
  return pick(g, [...A_ADDRS, ...B_ADDRS, '192.0.2.1', '10.200.0.0', '10.200.0.255']);
}

function network(g: G): string {
  const a = anyAddr(g);
  return weighted(g, [
    [4, a],
    [3, `${a}/${pick(g, [8, 16, 24, 25, 26, 30, 31, 32])}`],
    [1, `${a}/${pick(g, ['255.255.255.0', '255.255.0.0', '255.255.255.128', '255.255.255.255'])}`],
    [1, pick(g, ['0.0.0.0/0', '10.0.0.0/8', '10.200.0.0/16', '10.200.0.0/24', '192.0.2.0/24', '10.200.0.0/25', '10.200.0.128/25'])],
  ]);
}

function ipNum(a: string): number {
  return a.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
}

function portSpec(g: G): string {
  return weighted(g, [
    [5, String(pick(g, PORTS))],
    [2, `${pick(g, [0, 1, 22, 80, 1000, 1024, 30000])}:${pick(g, [80, 1023, 2000, 40000, 65535])}`],
    [1, `:${pick(g, [79, 80, 1023])}`],
    [1, `${pick(g, [1024, 8080, 50000])}:`],
  ]).replace(/^(\d+):(\d+)$/, (_m, a: string, b: string) => (Number(a) <= Number(b) ? `${a}:${b}` : `${b}:${a}`));
}

function multiportList(g: G): string {
  const items: string[] = [];
  let slots = 0;
  const n = int(g, 1, 4);
  for (let i = 0; i < n && slots < 13; i++) {
    if (chance(g, 0.3)) {
      const a = pick(g, [0, 22, 80, 1000, 1024, 30000]);
      const b = a + pick(g, [1, 100, 10000, 35535]);
      items.push(`${a}:${Math.min(b, 65535)}`);
      slots += 2;
    } else {
      items.push(String(pick(g, PORTS)));
      slots += 1;
    }
  }
  return items.join(',');
}

const STATE_NAMES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'] as const;

function stateList(g: G): string {
  const n = weighted(g, [
    [5, 1],
    [3, 2],
    [1, 3],
  ]);
  const out = new Set<string>();
  while (out.size < n) out.add(pick(g, STATE_NAMES));
  return [...out].join(',');
}

const ICMP_TYPE_ARGS = [
  '8', '0', '3', '3/3', '3/1', '3/0', '11', '13', '14', '5', '9', '42', 'echo-request', 'ping', 'echo-reply', 'pong', 'destination-unreachable',
  'port-unreachable', 'host-unreachable', 'network-unreachable', 'time-exceeded', 'ttl-exceeded', 'timestamp-request', 'router-advertisement', 'any', '255',
];
const TOS_SYMBOLS = ['Minimize-Delay', 'Maximize-Throughput', 'Maximize-Reliability', 'Minimize-Cost', 'Normal-Service'];
const DSCP_CLASSES = ['AF11', 'AF21', 'CS0', 'CS1', 'EF', 'BE', 'CS5'];
const IFACES_IN = ['vB', 'v+', 'vB+', 'eth0', 'lo', '+', 'veth+'];
const IFACES_OUT = ['vB', 'v+', 'vB+', 'eth0', 'lo', '+', 'vA'];

// ---------------------------------------------------------------------------------------------
// rules

interface RuleCtx {
  readonly table: string;
  readonly mode: Mode;
  readonly backend: Backend;
}

/** The match part of a rule: a few conditions, each option at most once. */
function conditions(g: G, ctx: RuleCtx): string[] {
  const parts: string[] = [];
  const proto = weighted<string | undefined>(g, [
    [9, undefined],
    [6, 'tcp'],
    [3, 'udp'],
    [3, 'icmp'],
    [1, '! tcp'],
    [1, '! icmp'],
    [1, 'all'],
    [1, pick(g, ['17', '6', '1'])],
  ]);
  // the long option names too: the tracer reads what the parser makes of either
  const long = () => chance(g, 0.15);
  if (proto) parts.push(proto.startsWith('!') ? `! ${long() ? '--protocol' : '-p'} ${proto.slice(2)}` : `${long() ? '--protocol' : '-p'} ${proto}`);
  const n = weighted(g, [
    [2, 0],
    [5, 1],
    [4, 2],
    [2, 3],
  ]);
  const used = new Set<string>();
  const kinds: [number, string][] = [
    [3, 'src'],
    [3, 'dst'],
    [2, 'iface'],
    [1, 'frag'],
    [4, 'state'],
    [1, 'mark'],
    [1, 'length'],
    [1, 'ttl'],
    [1, 'tos'],
    [1, 'iprange'],
    [1, 'comment'],
  ];
  if (proto === 'tcp' || proto === 'udp') kinds.push([6, 'ports'], [2, 'multiport']);
  if (proto === 'tcp') kinds.push([5, 'tcpflags']);
  if (proto === 'icmp') kinds.push([6, 'icmp']);
  const bang = (p = 0.25) => (chance(g, p) ? '! ' : '');
  for (let i = 0; i < n * 2 && used.size < n; i++) {
    const k = weighted(g, kinds);
    if (used.has(k)) continue;
    used.add(k);
    switch (k) {
      case 'src':
      case 'dst': {
        // iptables refuses `!` on either address once one of them is a list
        const flag = k === 'src' ? (long() ? '--source' : '-s') : long() ? '--destination' : '-d';
        const otherNegated = parts.some((x) => /^! (-s|-d|--source|--destination) /.test(x));
        if (!otherNegated && !used.has('list') && chance(g, 0.15)) {
          used.add('list');
          parts.push(`${flag} ${network(g)},${network(g)}`);
        } else {
          // iptables-nft cannot load `! -s 0.0.0.0/0` (the kernel refuses the empty mask)
          const net = network(g);
          parts.push(`${used.has('list') || net.endsWith('/0') ? '' : bang()}${flag} ${net}`);
        }
        break;
      }
      case 'iface':
        parts.push(`${bang()}${ctx.mode === 'input' ? (long() ? '--in-interface' : '-i') : long() ? '--out-interface' : '-o'} ${pick(g, ctx.mode === 'input' ? IFACES_IN : IFACES_OUT)}`);
        break;
      case 'frag':
        parts.push(`${bang(0.5)}-f`);
        break;
      case 'state':
        parts.push(
          weighted(g, [
            [5, `-m conntrack ${bang(0.2)}--ctstate ${stateList(g)}`],
            [3, `-m state ${bang(0.2)}--state ${stateList(g)}`],
            [1, `-m conntrack ${bang(0.3)}--ctproto ${pick(g, ['tcp', 'udp', 'icmp', '6'])}`],
            [1, `-m conntrack --ctstate ${stateList(g)} ${bang(0.3)}--ctproto ${pick(g, ['tcp', 'udp', 'icmp'])}`],
          ]),
        );
        break;
      case 'mark': {
        const v = pick(g, MARKS);
        parts.push(`-m mark ${bang()}--mark 0x${v.toString(16)}${chance(g, 0.4) ? `/0x${pick(g, [0x1, 0x3, 0xf, 0xff, 0xff00, 0xffffffff]).toString(16)}` : ''}`);
        break;
      }
      case 'length': {
        const a = pick(g, [0, 20, 28, 40, 41, 52, 60, 64, 80]);
        const b = a + pick(g, [0, 1, 12, 20, 40, 1000]);
        parts.push(`-m length ${bang()}--length ${chance(g, 0.3) ? a : `${a}:${b}`}`);
        break;
      }
      case 'ttl': {
        const v = pick(g, TTLS);
        const which = pick(g, ['eq', 'neq', 'gt', 'lt']);
        parts.push(which === 'neq' ? `-m ttl ! ${long() ? '--ttl' : '--ttl-eq'} ${v}` : which === 'gt' ? `-m ttl --ttl-gt ${Math.min(v, 254)}` : which === 'lt' ? `-m ttl --ttl-lt ${Math.max(v, 1)}` : `-m ttl --ttl-eq ${v}`);
        break;
      }
      case 'tos':
        parts.push(
          weighted(g, [
            [2, `-m tos ${bang()}--tos 0x${pick(g, TOSES).toString(16)}`],
            [2, `-m tos ${bang()}--tos 0x${pick(g, TOSES).toString(16)}/0x${pick(g, [0x3f, 0x1c, 0xfc, 0x10, 0xff]).toString(16)}`],
            [1, `-m tos ${bang()}--tos ${pick(g, TOS_SYMBOLS)}`],
            [2, `-m dscp ${bang()}--dscp ${pick(g, ['0', '2', '4', '10', '0x0a', '46', '0x2e', '0'])}`],
            [1, `-m dscp ${bang()}--dscp-class ${pick(g, DSCP_CLASSES)}`],
          ]),
        );
        break;
      case 'iprange': {
        const [x, y] = [anyAddr(g), anyAddr(g)].sort((p, q) => ipNum(p) - ipNum(q)) as [string, string];
        parts.push(`-m iprange ${bang()}${pick(g, ['--src-range', '--dst-range'])} ${x}-${y}`);
        break;
      }
      case 'comment':
        parts.push(`-m comment --comment ${pick(g, ['"a comment"', 'plain', '"with -j ACCEPT inside"'])}`);
        break;
      case 'ports': {
        const opts: string[] = [];
        const negated: boolean[] = [];
        const port = (name: string, longName: string) => {
          const spec = portSpec(g);
          let neg = bang(0.2) !== '';
          // iptables-nft 1.8.9 mistranslates two forms (measured; legacy is right, and the legacy
          // cases keep them): `! --sport 0:65535` loses its test and matches every packet, and
          // `! --sport A ! --dport B` (single ports) becomes `not (sport A and dport B)`
          if (ctx.backend === 'nft' && neg && (spec === '0:65535' || (!spec.includes(':') && negated.some((x) => x)))) neg = false;
          negated.push(neg && !spec.includes(':'));
          opts.push(`${neg ? '! ' : ''}${long() ? longName : name} ${spec}`);
        };
        if (chance(g, 0.7)) port('--dport', '--destination-port');
        if (chance(g, 0.4) || !opts.length) port('--sport', '--source-port');
        if (proto === 'tcp' && !used.has('tcpflags') && chance(g, 0.3)) {
          used.add('tcpflags');
          opts.push(chance(g, 0.5) ? `${bang(0.3)}--syn` : `${bang(0.2)}--tcp-flags ${flagArg(g, 1)} ${flagArg(g, 0)}`);
        }
        // after -m multiport, an implicit `--dport` would be read as an abbreviation of its --dports
        parts.push(`${used.has('multiport') || chance(g, 0.5) ? `-m ${proto} ` : ''}${opts.join(' ')}`);
        break;
      }
      case 'multiport':
        parts.push(`-m multiport ${bang(0.2)}${pick(g, ['--dports', '--sports', '--ports', '--dports', '--destination-ports', '--source-ports'])} ${multiportList(g)}`);
        break;
      case 'tcpflags':
        parts.push(
          `${chance(g, 0.5) ? '-m tcp ' : ''}${chance(g, 0.4) ? `${bang(0.3)}--syn` : `${bang(0.2)}--tcp-flags ${pick(g, ['SYN,ACK,FIN,RST', 'ALL', 'SYN,RST', 'ACK,FIN', 'PSH', 'URG,PSH,FIN', flagArg(g, 1)])} ${pick(g, ['SYN', 'NONE', 'ACK', 'FIN', 'ACK,FIN', 'PSH', 'RST', 'ALL', flagArg(g, 0)])}`}`,
        );
        break;
      case 'icmp':
        parts.push(`${chance(g, 0.7) ? '-m icmp ' : ''}${bang(0.2)}--icmp-type ${pick(g, ICMP_TYPE_ARGS)}`);
        break;
    }
  }
  return parts;
}

export interface ChainPlan {
  readonly name: string;
  readonly builtin: boolean;
  readonly policy?: string;
  readonly rules: string[];
}

const BUILTINS: Record<string, readonly string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** The built-in chains a mode's packets cross, per table (the ones that get generated rules). */
export const MODE_CHAINS: Record<Mode, Record<string, readonly string[]>> = {
  input: { raw: ['PREROUTING'], mangle: ['PREROUTING', 'INPUT'], nat: ['PREROUTING', 'INPUT'], filter: ['INPUT'], security: ['INPUT'] },
  output: { raw: ['OUTPUT'], mangle: ['OUTPUT', 'POSTROUTING'], nat: ['OUTPUT', 'POSTROUTING'], filter: ['OUTPUT'], security: ['OUTPUT'] },
};

function target(g: G, ctx: RuleCtx, users: readonly string[], selfIndex: number, tcp: boolean): string | undefined {
  const callable = users.slice(selfIndex + 1);
  const choices: [number, string | undefined][] = [
    [3, undefined],
    [4, 'ACCEPT'],
    [2, 'RETURN'],
    [1, `LOG --log-prefix "${pick(g, ['trace: ', 'x'])}"`],
  ];
  if (ctx.table !== 'nat') choices.push([ctx.table === 'filter' ? 4 : 2, 'DROP']);
  if (ctx.table === 'filter' && ctx.mode === 'input') choices.push([1, 'REJECT']);
  // tcp-reset only on rules that match TCP alone (the kernel refuses it otherwise)
  if (ctx.table === 'filter' && ctx.mode === 'input' && tcp) choices.push([1, 'REJECT --reject-with tcp-reset']);
  if (ctx.table === 'raw') choices.push([2, 'NOTRACK'], [2, 'CT --notrack']);
  if (ctx.table === 'mangle') {
    const v = () => `0x${pick(g, MARKS).toString(16)}`;
    const m = () => `0x${pick(g, [0x1, 0x3, 0xf, 0xff, 0xff00, 0xffffffff]).toString(16)}`;
    choices.push(
      [2, `MARK --set-mark ${v()}`],
      [1, `MARK --set-mark ${v()}/${m()}`],
      [1, `MARK --set-xmark ${v()}/${m()}`],
      [1, `MARK --and-mark ${m()}`],
      [1, `MARK --or-mark ${v()}`],
      [1, `MARK --xor-mark ${v()}`],
    );
  }
  if (callable.length) choices.push([5, `@${pick(g, callable)}`]);
  const t = weighted(g, choices);
  if (t === undefined) return undefined;
  if (t.startsWith('@')) return `${chance(g, 0.25) ? '-g' : '-j'} ${t.slice(1)}`;
  return `-j ${t}`;
}

function table(g: G, name: string, mode: Mode, backend: Backend): ChainPlan[] {
  const ctx: RuleCtx = { table: name, mode, backend };
  const nUsers = name === 'security' ? 0 : weighted(g, [
    [3, 0],
    [3, 1],
    [2, 2],
    [1, 3],
  ]);
  const users = Array.from({ length: nUsers }, (_, i) => `U${i + 1}`);
  const active = MODE_CHAINS[mode][name]!;
  const chains: ChainPlan[] = [];
  for (const b of BUILTINS[name]!) {
    const on = active.includes(b);
    // a DROP policy early (raw, mangle) ends most paths before filter: keep those rare
    const policy = on && (name === 'filter' || name === 'mangle' || name === 'raw') && chance(g, name === 'filter' ? 0.4 : 0.04) ? 'DROP' : 'ACCEPT';
    const rules: string[] = [];
    if (on && name !== 'security') {
      const n = int(g, 0, name === 'filter' ? 8 : 5);
      for (let i = 0; i < n; i++) rules.push(rule(g, ctx, users, -1));
    }
    chains.push({ name: b, builtin: true, policy, rules });
  }
  users.forEach((u, i) => {
    const n = int(g, 0, 5);
    const rules: string[] = [];
    for (let k = 0; k < n; k++) rules.push(rule(g, ctx, users, i));
    chains.push({ name: u, builtin: false, rules });
  });
  return chains;
}

function rule(g: G, ctx: RuleCtx, users: readonly string[], selfIndex: number): string {
  const conds = conditions(g, ctx);
  const t = target(g, ctx, users, selfIndex, conds[0] === '-p tcp');
  return [...conds, ...(t ? [t] : [])].join(' ');
}

const ARRIVAL = { input: '-A PREROUTING -i vB -m comment --comment arrival', output: '-A OUTPUT -o vB -m comment --comment arrival' };
const DELIVERED = (hook: string) => `-A ${hook} -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED -m comment --comment delivered`;
export const ARRIVAL_MARKER = '--comment arrival';
export const DELIVERED_MARKER = '--comment delivered';

/** The iptables-restore text of a generated ruleset, sentinels included. */
export function rulesetText(mode: Mode, tables: ReadonlyMap<string, readonly ChainPlan[]>): string {
  const out: string[] = [];
  for (const [name, chains] of tables) {
    out.push(`*${name}`);
    for (const c of chains) out.push(`:${c.name} ${c.builtin ? c.policy ?? 'ACCEPT' : '-'} [0:0]`);
    if (name === 'raw') out.push(ARRIVAL[mode]);
    if (name === 'security') out.push(DELIVERED(mode === 'input' ? 'INPUT' : 'OUTPUT'));
    for (const c of chains) for (const r of c.rules) out.push(`-A ${c.name} ${r}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// packets

let icmpIds = 0;

function hexBytes(n: number, g: G): string {
  let s = '';
  for (let i = 0; i < n; i++) s += int(g, 0, 255).toString(16).padStart(2, '0');
  return s;
}

/** The first 28 bytes of a packet `src -> dst` (IPv4 header + 8 bytes of UDP), for ICMP errors. */
export function innerUdpHex(src: string, dst: string, sport: number, dport: number): string {
  const b = [0x45, 0, 0, 28 + 8, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, ...src.split('.').map(Number), ...dst.split('.').map(Number)];
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  const c = ~sum & 0xffff;
  b[10] = c >> 8;
  b[11] = c & 0xff;
  const udp = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 16, 0, 0];
  return [...b, ...udp].map((x) => x.toString(16).padStart(2, '0')).join('');
}

function tracerPacket(mode: Mode, w: WireSpec): Packet {
  const payload = (w.payloadHex?.length ?? 0) / 2;
  const l4 = w.proto === 'tcp' ? 20 : 8;
  const base = {
    family: 'ipv4' as const,
    ...(mode === 'input' ? { iif: 'vB' } : { oif: 'vB' }),
    src: w.src,
    dst: w.dst,
    len: 20 + l4 + payload,
    ttl: w.ttl,
    tos: w.tos,
  };
  if (w.proto === 'tcp') {
    let bits = 0;
    for (const f of (w.flags ?? '').split(',')) bits |= f === 'NONE' || f === '' ? 0 : 1 << TCP_FLAGS.indexOf(f as never);
    return { ...base, proto: 6, sport: w.sport!, dport: w.dport!, flags: bits };
  }
  if (w.proto === 'udp') return { ...base, proto: 17, sport: w.sport!, dport: w.dport! };
  return { ...base, proto: 1, icmpType: w.icmpType!, icmpCode: w.icmpCode ?? 0 };
}

function tupleOf(w: WireSpec): string {
  if (w.proto === 'icmp') return `icmp ${w.src} ${w.dst} ${w.icmpType}/${w.icmpCode} id ${w.icmpId ?? 0}`;
  return `${w.proto} ${w.src}:${w.sport} ${w.dst}:${w.dport}`;
}

function ipFields(g: G) {
  return {
    ttl: chance(g, 0.7) ? pick(g, TTLS) : int(g, 1, 255),
    tos: chance(g, 0.7) ? pick(g, TOSES) : int(g, 0, 255),
  };
}

function payload(g: G, max = 40): string | undefined {
  const n = weighted(g, [
    [3, 0],
    [2, int(g, 1, 12)],
    [1, int(g, 13, max)],
  ]);
  return n ? hexBytes(n, g) : undefined;
}

function autoProbe(g: G, mode: Mode): Probe {
  const from = mode === 'input' ? 'A' : 'B';
  const src = mode === 'input' ? pick(g, A_ADDRS) : pick(g, B_ADDRS);
  const dst = mode === 'input' ? pick(g, B_ADDRS) : pick(g, A_ADDRS.slice(0, 4));
  const proto = weighted<'tcp' | 'udp' | 'icmp'>(g, [
    [5, 'tcp'],
    [2, 'udp'],
    [3, 'icmp'],
  ]);
  const port = () => (chance(g, 0.5) ? pick(g, PORTS) : int(g, 1, 65535));
  const pl = payload(g);
  let w: WireSpec;
  if (proto === 'icmp') {
    const type = weighted(g, [
      [6, 8],
      [2, 0],
      [3, 3],
      [1, 11],
      [1, 13],
      [1, 14],
      [1, 5],
      [1, 9],
      [1, 10],
      [1, 15],
      [1, 17],
      [1, 12],
      [1, 4],
      [1, pick(g, [1, 2, 6, 7, 16, 18, 19, 30, 42, 128, 200, 255])],
    ]);
    const code = type === 3 ? pick(g, [0, 1, 3, 4, 13]) : chance(g, 0.85) ? 0 : int(g, 1, 15);
    const isError = [3, 4, 5, 11, 12].includes(type);
    // errors carry (part of) some packet: nothing, garbage, or the head of a flow nobody knows
    const inner = isError ? weighted<string | undefined>(g, [[1, undefined], [1, hexBytes(int(g, 4, 20), g)], [2, innerUdpHex(dst, src, int(g, 1, 65535), int(g, 1, 65535))]]) : pl;
    const id = 1 + (icmpIds++ % 60000);
    // send-packet.py writes icmpId/icmpSeq for echo only; other types carry the four bytes after
    // the checksum as given, and conntrack reads its id from there too (timestamp, mask requests)
    const rest = isError ? '00000000' : `${id.toString(16).padStart(4, '0')}${int(g, 0, 65535).toString(16).padStart(4, '0')}`;
    w = { proto, src, dst, ...ipFields(g), icmpType: type, icmpCode: code, icmpId: id, icmpSeq: int(g, 0, 65535), icmpRestHex: rest, ...(inner ? { payloadHex: inner } : {}) };
  } else if (proto === 'udp') {
    w = { proto, src, dst, sport: port(), dport: port(), ...ipFields(g), ...(pl ? { payloadHex: pl } : {}) };
  } else {
    const bits = chance(g, 0.5) ? pick(g, COMMON_FLAGS) : int(g, 0, 255);
    w = { proto, src, dst, sport: port(), dport: port(), flags: flagList(bits), seq: int(g, 0, 0x7fffffff), ack: bits & 0x10 ? int(g, 0, 0x7fffffff) : 0, ...ipFields(g), ...(pl ? { payloadHex: pl } : {}) };
  }
  return { from, wire: w, packet: tracerPacket(mode, w), state: 'auto', prime: [], tuple: tupleOf(w) };
}

const SWAP = (w: WireSpec, extra: Partial<WireSpec>): WireSpec => ({ ...w, src: w.dst, dst: w.src, sport: w.dport, dport: w.sport, ...extra }) as WireSpec;

/**
 * A packet of a connection that exists: the entry is created first by real packets both ways
 * (UDP; an ICMP echo and its reply; a TCP handshake with consistent sequence numbers), then the
 * probe follows in the original direction (ESTABLISHED), or an ICMP error about the flow comes
 * from the peer (RELATED). `k` keeps the ports of one batch apart.
 */
function primedProbe(g: G, mode: Mode, k: number): Probe {
  const from = mode === 'input' ? 'A' : 'B';
  const other = from === 'A' ? 'B' : 'A';
  const src = mode === 'input' ? pick(g, A_ADDRS) : pick(g, B_ADDRS);
  const dst = mode === 'input' ? pick(g, B_ADDRS) : pick(g, A_ADDRS.slice(0, 4));
  const sport = 50000 + k;
  const dport = chance(g, 0.6) ? pick(g, PORTS) : int(g, 1, 49999);
  const kind = weighted<'udp' | 'icmp' | 'tcp' | 'related'>(g, [
    [3, 'udp'],
    [2, 'icmp'],
    [4, 'tcp'],
    [2, 'related'],
  ]);
  const ip = ipFields(g);
  const pl = payload(g);
  if (kind === 'udp' || kind === 'related') {
    const first: WireSpec = { proto: 'udp', src, dst, sport, dport, ttl: 64, tos: 0 };
    const prime: PrimeStep[] = [
      { from, wire: first },
      { from: other, wire: SWAP(first, {}) },
    ];
    if (kind === 'udp') {
      const w: WireSpec = { ...first, ...ip, ...(pl ? { payloadHex: pl } : {}) };
      return { from, wire: w, packet: tracerPacket(mode, w), state: 'ESTABLISHED', prime, tuple: tupleOf(w) };
    }
    // the peer reports that its reply could not be delivered: an ICMP error about the flow, RELATED
    const w: WireSpec = { proto: 'icmp', src, dst, ...ip, icmpType: 3, icmpCode: pick(g, [1, 3, 10, 13]), icmpRestHex: '00000000', payloadHex: innerUdpHex(dst, src, dport, sport) };
    return { from, wire: w, packet: tracerPacket(mode, w), state: 'RELATED', prime, tuple: `${tupleOf(w)} about ${tupleOf(first)}` };
  }
  if (kind === 'icmp') {
    const id = 60001 + (k % 5000);
    const first: WireSpec = { proto: 'icmp', src, dst, ttl: 64, tos: 0, icmpType: 8, icmpCode: 0, icmpId: id, icmpSeq: 1 };
    const prime: PrimeStep[] = [
      { from, wire: first },
      { from: other, wire: { ...first, src: dst, dst: src, icmpType: 0 } },
    ];
    const w: WireSpec = { ...first, ...ip, icmpSeq: 2, ...(pl ? { payloadHex: pl } : {}) };
    return { from, wire: w, packet: tracerPacket(mode, w), state: 'ESTABLISHED', prime, tuple: tupleOf(w) };
  }
  const iss = int(g, 1000, 0x3fffffff);
  const irs = int(g, 1000, 0x3fffffff);
  const syn: WireSpec = { proto: 'tcp', src, dst, sport, dport, flags: 'SYN', seq: iss, ack: 0, ttl: 64, tos: 0 };
  const prime: PrimeStep[] = [
    { from, wire: syn },
    { from: other, wire: SWAP(syn, { flags: 'SYN,ACK', seq: irs, ack: iss + 1 }) },
    { from, wire: { ...syn, flags: 'ACK', seq: iss + 1, ack: irs + 1 } },
  ];
  // data or the close of an established connection, in window: still ESTABLISHED
  const extra = pick(g, [0, 0x08, 0x08, 0x20, 0x01, 0x09, 0x40, 0x80, 0xc8]);
  const w: WireSpec = { ...syn, ...ip, flags: flagList(0x10 | extra), seq: iss + 1, ack: irs + 1, ...(pl ? { payloadHex: pl } : {}) };
  return { from, wire: w, packet: tracerPacket(mode, w), state: 'ESTABLISHED', prime, tuple: tupleOf(w) };
}

/** One case: a ruleset, the mode, loose, and its probes (primed ones first). */
function genCase(g: G, index: number, probesPerCase: number, mode: Mode, backend: Backend): GenCase {
  const tables = new Map<string, ChainPlan[]>();
  for (const t of ['raw', 'mangle', 'nat', 'filter', 'security']) tables.set(t, table(g, t, mode, backend));
  const text = rulesetText(mode, tables);
  const primedCount = weighted(g, [
    [1, 0],
    [2, 1],
    [3, 2],
    [2, 3],
    [1, 4],
  ]);
  const probes: Probe[] = [];
  for (let i = 0; i < probesPerCase; i++) probes.push(i < primedCount ? primedProbe(g, mode, index * 8 + i) : autoProbe(g, mode));
  return { index, mode, backend, loose: chance(g, 0.75), text, probes };
}

/** A probe of a hand-written packet (for fixed cases next to the generated ones). */
export function makeProbe(mode: Mode, wire: WireSpec, state: ProbeState = 'auto'): Probe {
  return { from: mode === 'input' ? 'A' : 'B', wire, packet: tracerPacket(mode, wire), state, prime: [], tuple: tupleOf(wire) };
}

/** Every table with all its built-in chains (ACCEPT), plus the given rules, as a generated text. */
export function fixedRuleset(mode: Mode, rules: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>): string {
  const tables = new Map<string, ChainPlan[]>();
  for (const t of ['raw', 'mangle', 'nat', 'filter', 'security']) {
    tables.set(t, BUILTINS[t]!.map((name) => ({ name, builtin: true, policy: 'ACCEPT', rules: [...(rules[t]?.[name] ?? [])] })));
  }
  return rulesetText(mode, tables);
}

/** `count` cases from `seed`; about one in four in output mode, one in three on iptables-legacy. */
export function generateCases(seed: number, count: number, probesPerCase: number): GenCase[] {
  icmpIds = 0;
  const gens = fc.sample(fc.gen(), { seed, numRuns: count });
  return gens.map((g, i) => {
    const mode = chance(g, 0.25) ? 'output' : 'input';
    return genCase(g, i, probesPerCase, mode, chance(g, 1 / 3) ? 'legacy' : 'nft');
  });
}
