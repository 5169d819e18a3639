/**
 * The netfilter-log line parser: every wrapper, every field kind, IPv6, ICMP with a quoted packet,
 * conntrack listings, kernel messages, sysctls, malformed lines (partial parse plus a note), a
 * 1 MB line in linear time, and ranges that point at the right text. Fixture lines are our own
 * (addresses from the documentation ranges) or the lines quoted in ../shared/SCENARIOS.md.
 */
import { strict as assert } from 'node:assert';
import type { ConntrackLine, KernelMessage, LogField, LogLine, PacketLine, SysctlLine } from '../../server/src/model/log';
import { formatMinuteKey } from '../../server/src/model/log';
import { parseLogDocument, parseLogLine } from '../../server/src/parser/log';
import { monthOf } from '../../server/src/parser/log/scan';

const FIELDS =
  'IN=eth0 OUT= MAC=f2:3c:91:26:1e:1f:84:78:ac:0d:8f:41:08:00 SRC=198.51.100.7 DST=192.0.2.10 LEN=40 TOS=0x08 PREC=0x00 TTL=53 ID=61266 DF PROTO=TCP SPT=49264 DPT=443 WINDOW=0 RES=0x00 RST URGP=0 ';

function packet(text: string, line = 0): PacketLine {
  const l = parseLogLine(text, line);
  assert.equal(l.kind, 'packet', `expected a LOG line: ${text}`);
  return l as PacketLine;
}

function field(l: PacketLine | ConntrackLine, key: string, nth = 0): LogField {
  const f = l.fields.filter((x) => x.key === key)[nth];
  assert.ok(f, `no field ${key} in ${l.fields.map((x) => x.key).join(' ')}`);
  return f;
}

/** Every span of every field must cut exactly its own text out of the line. */
function rangesHold(text: string, l: LogLine): void {
  if (l.kind !== 'packet' && l.kind !== 'conntrack') return;
  for (const f of l.fields) {
    assert.equal(f.keySpan.line, l.line);
    if (f.kind === 'pair' || f.kind === 'colon') {
      assert.equal(text.slice(f.keySpan.start, f.keySpan.end), f.key, `key span of ${f.key}`);
      assert.equal(text.slice(f.valueSpan.start, f.valueSpan.end), f.value, `value span of ${f.key}`);
    }
    if (f.kind === 'flag') assert.equal(text.slice(f.keySpan.start, f.keySpan.end), f.key);
    assert.ok(f.span.start <= f.keySpan.start && f.span.end >= f.valueSpan.end);
  }
}

describe('log parser: wrappers', function () {
  const cases: [string, string, Partial<Record<'ts' | 'host' | 'tag' | 'uptime' | 'prefix', string>>][] = [
    ['bare', FIELDS, { prefix: '' }],
    ['bare with prefix', `iptables denied: ${FIELDS}`, { prefix: 'iptables denied: ' }],
    ['dmesg', `[1229124.817624] Firewall: *TCP_IN Blocked* ${FIELDS}`, { uptime: '1229124.817624', prefix: 'Firewall: *TCP_IN Blocked* ' }],
    ['dmesg padded', `[    5.123456] DROP ${FIELDS}`, { uptime: '5.123456', prefix: 'DROP ' }],
    ['dmesg -r', `<4>[1229124.817624] DROP ${FIELDS}`, { uptime: '1229124.817624', prefix: 'DROP ' }],
    ['dmesg -T', `[Sat Jan 27 15:21:36 2024] DROP ${FIELDS}`, { ts: 'Sat Jan 27 15:21:36 2024', prefix: 'DROP ' }],
    ['dmesg -x', `kern  :warn  : [1229124.817624] DROP ${FIELDS}`, { uptime: '1229124.817624', prefix: 'DROP ' }],
    [
      'syslog + uptime',
      `Jan 27 15:21:36 host kernel: [1229124.817624] Firewall: *TCP_IN Blocked* ${FIELDS}`,
      { ts: 'Jan 27 15:21:36', host: 'host', tag: 'kernel', uptime: '1229124.817624', prefix: 'Firewall: *TCP_IN Blocked* ' },
    ],
    ['syslog padded day', `Mar  8 20:16:44 black kernel: [ 20474.050964] SFW2-INext-ACC-TCP ${FIELDS}`, { ts: 'Mar  8 20:16:44', host: 'black', uptime: '20474.050964', prefix: 'SFW2-INext-ACC-TCP ' }],
    ['syslog glued uptime', `Jan 27 15:21:36 host kernel:[1229124.817624] DROP ${FIELDS}`, { ts: 'Jan 27 15:21:36', tag: 'kernel', uptime: '1229124.817624', prefix: 'DROP ' }],
    ['syslog ufw', `Feb  4 10:22:01 web kernel: [UFW BLOCK] ${FIELDS}`, { ts: 'Feb  4 10:22:01', host: 'web', tag: 'kernel', prefix: '[UFW BLOCK] ' }],
    ['syslog ufw audit', `Feb  4 10:22:01 web kernel: [  12.5] [UFW AUDIT INVALID] ${FIELDS}`, { uptime: '12.5', prefix: '[UFW AUDIT INVALID] ' }],
    ['journalctl short-precise', `Jan 27 15:21:36.817624 host kernel: DROP ${FIELDS}`, { ts: 'Jan 27 15:21:36.817624', host: 'host', tag: 'kernel', prefix: 'DROP ' }],
    ['journalctl short-iso', `2024-01-27T15:21:36+0100 host kernel: DROP ${FIELDS}`, { ts: '2024-01-27T15:21:36+0100', host: 'host', prefix: 'DROP ' }],
    ['rsyslog RFC 3339', `2024-01-27T15:21:36.817624+01:00 host kernel: [UFW BLOCK] ${FIELDS}`, { ts: '2024-01-27T15:21:36.817624+01:00', host: 'host', tag: 'kernel', prefix: '[UFW BLOCK] ' }],
    ['RFC 5424', `<4>1 2024-01-27T15:21:36.817624Z host kernel - - - [UFW BLOCK] ${FIELDS}`, { ts: '2024-01-27T15:21:36.817624Z', host: 'host', tag: 'kernel', prefix: '[UFW BLOCK] ' }],
    ['RFC 5424 with SD', `<4>1 2024-01-27T15:21:36Z host kernel - - [meta sequenceId="1"] DROP ${FIELDS}`, { ts: '2024-01-27T15:21:36Z', prefix: 'DROP ' }],
    ['journalctl short-full', `Sat 2024-01-27 15:21:36 CET host kernel: DROP ${FIELDS}`, { ts: '2024-01-27 15:21:36', host: 'host', tag: 'kernel', prefix: 'DROP ' }],
    ['journalctl short-unix', `1706368896.817624 host kernel: DROP ${FIELDS}`, { ts: '1706368896.817624', host: 'host', tag: 'kernel', prefix: 'DROP ' }],
    ['dmesg --time-format iso', `2024-01-27T15:21:36,817624+01:00 DROP ${FIELDS}`, { ts: '2024-01-27T15:21:36,817624+01:00', prefix: 'DROP ' }],
    ['syslog with priority', `<4>Jan 27 15:21:36 host kernel: DROP ${FIELDS}`, { ts: 'Jan 27 15:21:36', host: 'host', tag: 'kernel', prefix: 'DROP ' }],
    ['ulogd without tag', `Jan 27 15:21:36 host DROP ${FIELDS}`, { ts: 'Jan 27 15:21:36', host: 'host', prefix: 'DROP ' }],
    ['journalctl short-monotonic', `[1229124.817624] host kernel: DROP ${FIELDS}`, { uptime: '1229124.817624', host: 'host', tag: 'kernel', prefix: 'DROP ' }],
    ['tag only', `kernel: DROP ${FIELDS}`, { tag: 'kernel', prefix: 'DROP ' }],
    ['nft log prefix', `Jan 27 15:21:36 gw kernel: nft drop in: ${FIELDS}`, { host: 'gw', prefix: 'nft drop in: ' }],
    ['Shorewall glued', `May 28 17:31:07 server Shorewall:net2fw:DROP:${FIELDS}`, { host: 'server', prefix: 'Shorewall:net2fw:DROP:' }],
    ['OpenWrt glued', `Thu Jan  1 00:00:00 2024 kern.warn kernel: [ 1.0] DROP(src wan)${FIELDS}`.replace(/^Thu Jan {2}1 00:00:00 2024 kern.warn /, ''), { tag: 'kernel', prefix: 'DROP(src wan)' }],
  ];
  for (const [name, text, want] of cases) {
    it(name, function () {
      const l = packet(text, 7);
      const w = l.wrapper;
      if (want.ts !== undefined) assert.equal(w.timestamp?.text, want.ts);
      if (want.host !== undefined) assert.equal(w.host?.text, want.host);
      if (want.tag !== undefined) assert.equal(w.tag?.text, want.tag);
      if (want.uptime !== undefined) assert.equal(w.uptime?.text, want.uptime);
      if (want.prefix !== undefined) assert.equal(l.prefix.text, want.prefix);
      assert.equal(text.slice(l.prefix.span.start, l.prefix.span.end), l.prefix.text);
      assert.equal(l.prefix.span.start, w.span.end, 'the prefix starts where the wrapper ends');
      for (const t of [w.timestamp, w.host, w.tag, w.uptime]) if (t) assert.equal(text.slice(t.span.start, t.span.end), t.text);
      assert.equal(l.packet.src, '198.51.100.7');
      assert.deepEqual(l.packet.tcpFlags, ['RST']);
      assert.equal(l.notes.filter((n) => n.severity !== 'info').length, 0, JSON.stringify(l.notes));
      assert.equal(l.span.line, 7);
      rangesHold(text, l);
    });
  }

  it('decodes timestamps and minute keys', function () {
    const bsd = packet(`Mar  8 20:16:44 black kernel: DROP ${FIELDS}`).wrapper.timestamp!;
    assert.deepEqual([bsd.year, bsd.month, bsd.day, bsd.hour, bsd.minute, bsd.second], [undefined, 3, 8, 20, 16, 44]);
    assert.equal(formatMinuteKey(bsd.minuteKey), 'Mar  8 20:16');
    const iso = packet(`2024-01-27T15:21:36.5+01:00 host kernel: DROP ${FIELDS}`).wrapper.timestamp!;
    assert.deepEqual([iso.year, iso.month, iso.day, iso.fraction, iso.utcOffsetMinutes], [2024, 1, 27, '5', 60]);
    assert.equal(formatMinuteKey(iso.minuteKey), '2024-01-27 15:21');
    const unix = packet(`1706368896.817624 host kernel: DROP ${FIELDS}`).wrapper.timestamp!;
    assert.deepEqual([unix.year, unix.month, unix.day, unix.hour, unix.minute, unix.second, unix.utcOffsetMinutes], [2024, 1, 27, 15, 21, 36, 0]);
    const human = packet(`[Sat Jan 27 15:21:36 2024] DROP ${FIELDS}`).wrapper.timestamp!;
    assert.equal(formatMinuteKey(human.minuteKey), '2024-01-27 15:21');
  });

  it('reads every month name, in syslog\'s case only', function () {
    const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    names.forEach((m, i) => {
      const ts = packet(`${m} 28 23:59:01 black kernel: DROP ${FIELDS}`).wrapper.timestamp!;
      assert.equal(ts.month, i + 1, m);
      const codes = [...m].map((c) => c.charCodeAt(0));
      assert.equal(monthOf(codes[0]!, codes[1]!, codes[2]!), i + 1, m);
      // other case, neighbouring letters, a character of the name missing (NaN past the end)
      assert.equal(monthOf(codes[0]! | 0x20, codes[1]!, codes[2]!), 0, `${m} lower-case`);
      assert.equal(monthOf(codes[0]!, codes[1]! & ~0x20, codes[2]!), 0, `${m} upper-case second letter`);
      assert.equal(monthOf(codes[0]!, codes[1]!, codes[2]! + 1), 0, `${m} next letter`);
      assert.equal(monthOf(codes[0]! + 32 * 64, codes[1]!, codes[2]!), 0, `${m} beyond ASCII`);
      assert.equal(monthOf(codes[0]!, codes[1]!, NaN), 0, `${m} cut short`);
    });
    // every other three letters: no month
    let months = 0;
    for (let a = 0x40; a < 0x80; a++) for (let b = 0x40; b < 0x80; b++) for (let c = 0x40; c < 0x80; c++) if (monthOf(a, b, c)) months++;
    assert.equal(months, 12);
  });

  it('decodes known prefix conventions', function () {
    assert.deepEqual(packet(`[UFW BLOCK] ${FIELDS}`).prefix.info, { style: 'ufw', action: 'BLOCK' });
    assert.deepEqual(packet(`Shorewall:net2fw:DROP:${FIELDS}`).prefix.info, { style: 'shorewall', chain: 'net2fw', action: 'DROP' });
    assert.deepEqual(packet(`DROP(src wan)${FIELDS}`).prefix.info, { style: 'openwrt', action: 'DROP', chain: 'src wan' });
    assert.deepEqual(packet(`SFW2-INext-DROP-DEFLT ${FIELDS}`).prefix.info, { style: 'suse', chain: 'INext', action: 'DROP-DEFLT' });
    assert.equal(packet(`Firewall: *TCP_IN Blocked* ${FIELDS}`).prefix.label, 'Firewall: *TCP_IN Blocked*');
  });
});

describe('log parser: fields', function () {
  it('IPv4 TCP: every field, in order, with numbers decoded', function () {
    const text = `Jan 27 15:21:36 host kernel: [1229124.817624] Firewall: *TCP_IN Blocked* IN=venet0 OUT= MAC= SRC=199.30.24.209 DST=11.22.33.44 LEN=40 TOS=0x00 PREC=0x00 TTL=115 ID=3144 DF PROTO=TCP SPT=36879 DPT=80 WINDOW=510 RES=0x00 ACK FIN URGP=0`;
    const l = packet(text);
    assert.deepEqual(
      l.fields.map((f) => f.key),
      ['IN', 'OUT', 'MAC', 'SRC', 'DST', 'LEN', 'TOS', 'PREC', 'TTL', 'ID', 'DF', 'PROTO', 'SPT', 'DPT', 'WINDOW', 'RES', 'ACK', 'FIN', 'URGP'],
    );
    const p = l.packet;
    assert.equal(p.family, 'ipv4');
    assert.deepEqual([p.in, p.out, p.mac, p.src, p.dst], ['venet0', '', '', '199.30.24.209', '11.22.33.44']);
    assert.deepEqual([p.len, p.tos, p.prec, p.ttl, p.id, p.df], [40, 0, 0, 115, 3144, true]);
    assert.deepEqual([p.proto, p.protoNumber, p.spt, p.dpt, p.window, p.res, p.urgp], ['TCP', 6, 36879, 80, 510, 0, 0]);
    assert.deepEqual(p.tcpFlags, ['ACK', 'FIN']);
    assert.equal(p.tcpFlagBits, 0x11);
    assert.equal(field(l, 'ACK').kind, 'flag');
    assert.equal(field(l, 'DF').layer, 'ip');
    assert.equal(field(l, 'IN').layer, 'interface');
    assert.deepEqual(l.notes, []);
    rangesHold(text, l);
  });

  it('ranges point at the right text', function () {
    const text = `Jan 27 15:21:36 host kernel: DROP ${FIELDS}`;
    const l = packet(text, 12);
    const dpt = field(l, 'DPT');
    assert.equal(text.slice(dpt.keySpan.start, dpt.keySpan.end), 'DPT');
    assert.equal(text.slice(dpt.valueSpan.start, dpt.valueSpan.end), '443');
    assert.equal(text.slice(dpt.span.start, dpt.span.end), 'DPT=443');
    assert.equal(dpt.span.line, 12);
    const out = field(l, 'OUT');
    assert.equal(out.value, '');
    assert.equal(out.valueSpan.start, out.valueSpan.end);
    assert.equal(text.slice(out.span.start, out.span.end), 'OUT=');
  });

  it('UTF-16 offsets: a prefix with non-ASCII text', function () {
    const text = `Jan 27 15:21:36 host kernel: Blocké → ${FIELDS}`;
    const l = packet(text);
    assert.equal(l.prefix.text, 'Blocké → ');
    const src = field(l, 'SRC');
    assert.equal(text.slice(src.valueSpan.start, src.valueSpan.end), '198.51.100.7');
  });

  it('CE, MF, FRAG and IP options', function () {
    const l = packet('IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=1500 TOS=0x00 PREC=0x00 TTL=64 ID=7 CE MF FRAG:185 OPT (0702040000000000) PROTO=UDP ');
    assert.deepEqual([l.packet.ce, l.packet.mf, l.packet.df, l.packet.fragOffset, l.packet.ipOptions], [true, true, undefined, 185, '0702040000000000']);
    assert.equal(field(l, 'FRAG').kind, 'colon');
    assert.equal(field(l, 'OPT').kind, 'group');
    // a later fragment has no transport header: no note for the missing ports
    assert.deepEqual(l.notes, []);
  });

  it('TCP with SEQ/ACK numbers, all flags and TCP options', function () {
    const text =
      'IN= OUT=eth0 SRC=192.0.2.1 DST=192.0.2.2 LEN=60 TOS=0x10 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=22 DPT=50000 SEQ=123456 ACK=654321 WINDOW=65535 RES=0x00 CWR ECE URG ACK PSH RST SYN FIN URGP=0 OPT (020405B40402080A) UID=0 GID=0 MARK=0x1f ';
    const l = packet(text);
    const p = l.packet;
    assert.deepEqual([p.seq, p.ack, p.tcpOptions, p.uid, p.gid, p.mark], [123456, 654321, '020405B40402080A', 0, 0, 0x1f]);
    assert.deepEqual(p.tcpFlags, ['CWR', 'ECE', 'URG', 'ACK', 'PSH', 'RST', 'SYN', 'FIN']);
    assert.equal(p.tcpFlagBits, 0xff);
    assert.equal(field(l, 'ACK', 0).kind, 'pair');
    assert.equal(field(l, 'ACK', 1).kind, 'flag');
    assert.equal(field(l, 'OPT').layer, 'transport');
    assert.deepEqual(l.notes, []);
    rangesHold(text, l);
  });

  it('UDP length is told from the IP length', function () {
    const l = packet('IN=ppp0 OUT= MAC= SRC=203.0.113.4 DST=198.51.100.55 LEN=512 TOS=0x00 PREC=0x00 TTL=70 ID=55012 PROTO=UDP SPT=24128 DPT=1026 LEN=492');
    assert.deepEqual([l.packet.len, l.packet.udpLen], [512, 492]);
    assert.equal(field(l, 'LEN', 0).layer, 'ip');
    assert.equal(field(l, 'LEN', 1).layer, 'transport');
    assert.deepEqual(l.notes, []);
  });

  it('IPv6 with traffic class, hop limit, flow label', function () {
    const l = packet(
      'Jan 15 11:21:13 IKCS-Web kernel: SFW2-INext-ACC-RELATED IN=eth0 OUT=eth1 MAC= SRC=fe80:0000:0000:0000:16da:e9ff:feec:a04d DST=ff02:0000:0000:0000:0000:0000:0000:00fb LEN=527 TC=0 HOPLIMIT=255 FLOWLBL=804001 PROTO=UDP SPT=5353 DPT=5353 LEN=487',
    );
    const p = l.packet;
    assert.equal(p.family, 'ipv6');
    assert.deepEqual([p.tc, p.hopLimit, p.flowLabel, p.udpLen, p.out], [0, 255, 804001, 487, 'eth1']);
    assert.deepEqual(l.notes, []);
  });

  it('IPv6 extension headers and fragments', function () {
    const l = packet('IN=eth0 OUT= MAC= SRC=2001:db8::1 DST=2001:db8::2 LEN=1280 TC=0 HOPLIMIT=64 FLOWLBL=0 OPT ( FRAG:1232 INCOMPLETE ID:0000abcd ) PROTO=TCP ');
    assert.equal(l.packet.ipOptions, 'FRAG:1232 INCOMPLETE ID:0000abcd');
    assert.equal(l.packet.fragOffset, 1232);
    assert.deepEqual(l.notes, []);
    const bare = packet('IN=eth0 OUT= MAC= SRC=2001:db8::1 DST=2001:db8::2 LEN=1280 TC=0 HOPLIMIT=64 FLOWLBL=0 FRAG:8 INCOMPLETE ID:0000abcd PROTO=UDP ');
    assert.equal(bare.packet.fragOffset, 8);
    assert.equal(field(bare, 'ID').kind, 'colon');
    assert.deepEqual(bare.notes, []);
    const unknownExt = packet('IN=eth0 OUT= MAC= SRC=2001:db8::1 DST=2001:db8::2 LEN=1280 TC=0 HOPLIMIT=64 FLOWLBL=0 Unknown Ext Hdr 253');
    assert.equal(field(unknownExt, 'Unknown Ext Hdr').value, '253');
    assert.deepEqual(unknownExt.notes, []);
  });

  it('ICMP echo, ICMPv6 and an ICMP error quoting the original packet', function () {
    const echo = packet('IN=eth0 OUT= MAC= SRC=192.0.2.55 DST=192.0.2.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=18443 PROTO=ICMP TYPE=8 CODE=0 ID=2158 SEQ=512');
    assert.deepEqual([echo.packet.id, echo.packet.icmpType, echo.packet.icmpCode, echo.packet.icmpId, echo.packet.icmpSeq], [18443, 8, 0, 2158, 512]);
    assert.equal(field(echo, 'ID', 1).layer, 'transport');

    const text =
      'IN=eth0 OUT= MAC=00:00:5e:00:53:01:00:00:5e:00:53:02:08:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=576 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=3 CODE=4 [SRC=192.0.2.2 DST=198.51.100.9 LEN=1500 TOS=0x00 PREC=0x00 TTL=63 ID=99 DF PROTO=TCP SPT=443 DPT=51000 WINDOW=501 RES=0x00 ACK PSH URGP=0 ] MTU=1400 ';
    const err = packet(text);
    const p = err.packet;
    assert.deepEqual([p.icmpType, p.icmpCode, p.icmpMtu, p.src], [3, 4, 1400, '192.0.2.1']);
    assert.ok(p.inner);
    assert.deepEqual([p.inner.src, p.inner.dst, p.inner.proto, p.inner.dpt, p.inner.df], ['192.0.2.2', '198.51.100.9', 'TCP', 51000, true]);
    assert.deepEqual(p.inner.tcpFlags, ['ACK', 'PSH']);
    assert.equal(p.tcpFlags, undefined, 'the quoted flags belong to the inner packet');
    const nested = err.fields.filter((f) => f.nested);
    assert.equal(nested[0].key, 'SRC');
    assert.equal(field(err, '[').kind, 'group');
    assert.equal(field(err, 'MTU').nested, false);
    assert.deepEqual(err.notes, []);
    rangesHold(text, err);

    const redirect = packet('IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=5 CODE=1 GATEWAY=192.0.2.254 [SRC=192.0.2.2 DST=203.0.113.1 LEN=28 TOS=0x00 PREC=0x00 TTL=63 ID=5 PROTO=UDP SPT=1 DPT=2 LEN=8 ] ');
    assert.equal(redirect.packet.icmpGateway, '192.0.2.254');
    const param = packet('IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=12 CODE=0 PARAMETER=20 ');
    assert.equal(param.packet.icmpParameter, 20);

    const v6 = packet('IN=eth0 OUT= MAC=33:33:ff:00:00:01:00:1b:b9:76:9c:e4:86:dd SRC=2001:0db8:0000:f101:0000:0000:0000:0002 DST=ff02:0000:0000:0000:0000:0001:ff00:0001 LEN=72 TC=0 HOPLIMIT=255 FLOWLBL=0 PROTO=ICMPv6 TYPE=135 CODE=0 ');
    assert.deepEqual([v6.packet.family, v6.packet.protoNumber, v6.packet.icmpType], ['ipv6', 58, 135]);
    assert.deepEqual(v6.notes, []);
  });

  it('AH/ESP SPI, unknown protocol numbers, INCOMPLETE, macdecode, VLAN, PHYSIN, ARP', function () {
    const esp = packet('IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=120 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=ESP SPI=0xc0ffee ');
    assert.equal(esp.packet.spi, 0xc0ffee);
    const gre = packet('IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=120 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=47 ');
    assert.deepEqual([gre.packet.proto, gre.packet.protoNumber], ['47', 47]);
    assert.deepEqual(gre.notes, []);
    const inc = packet('IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=24 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP INCOMPLETE [4 bytes] ');
    assert.equal(inc.packet.incompleteBytes, 4);
    assert.deepEqual(inc.notes, []);
    const mac = packet('IN=br0 OUT=br0 PHYSIN=eth1 PHYSOUT=eth2 MACSRC=00:00:5e:00:53:02 MACDST=00:00:5e:00:53:01 VPROTO=8100 VID=42 MACPROTO=0800 SRC=192.0.2.1 DST=192.0.2.2 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=2 WINDOW=1 RES=0x00 SYN URGP=0 ');
    assert.deepEqual([mac.packet.physIn, mac.packet.physOut, mac.packet.macSrc, mac.packet.vlanId, mac.packet.macProto], ['eth1', 'eth2', '00:00:5e:00:53:02', 42, '0800']);
    assert.deepEqual(mac.notes, []);
    const arp = packet('IN=eth0 OUT= MACSRC=00:00:5e:00:53:02 MACDST=ff:ff:ff:ff:ff:ff MACPROTO=0806 ARP HTYPE=1 PTYPE=0x0800 OPCODE=1 MACSRC=00:00:5e:00:53:02 IPSRC=192.0.2.2 MACDST=00:00:00:00:00:00 IPDST=192.0.2.1');
    assert.deepEqual([arp.packet.family, arp.packet.arpOpcode, arp.packet.arpPType, arp.packet.arpIpSrc, arp.packet.macSrc], ['arp', 1, 0x800, '192.0.2.2', '00:00:5e:00:53:02']);
    assert.deepEqual(arp.notes, []);
  });

  it('an OUTPUT line has no MAC and needs none', function () {
    const l = packet('Mar 16 21:23:59 linux kernel: [898418.211047] IN= OUT=eth0 SRC=192.0.2.1 DST=192.0.2.55 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=ICMP TYPE=8 CODE=0 ID=11552 SEQ=1 ');
    assert.equal(l.prefix.text, '');
    assert.deepEqual(l.notes, []);
  });
});

describe('log parser: malformed lines give a partial parse and a note', function () {
  it('a line cut in half', function () {
    const l = packet('Jan 27 15:21:36 host kernel: DROP IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=40 TOS=0x00 PREC=0x00 TTL=1 ID=2 PROTO=TCP SPT=1 DP');
    assert.equal(l.packet.spt, 1);
    const cut = l.notes.find((n) => n.code === 'log/cut');
    assert.ok(cut, JSON.stringify(l.notes));
    assert.match(cut.message, /WINDOW=/);
  });

  it('a line cut before OUT=', function () {
    const l = packet('Jan 27 15:21:36 host kernel: DROP IN=eth');
    assert.equal(l.prefix.text, 'DROP ');
    assert.equal(l.packet.in, 'eth');
    assert.ok(l.notes.some((n) => n.code === 'log/cut'));
  });

  it('URGn=0 instead of URGP=0', function () {
    const text = 'IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=40 TOS=0x00 PREC=0x00 TTL=1 ID=2 PROTO=TCP SPT=1 DPT=2 WINDOW=0 RES=0x00 ACK URGn=0';
    const l = packet(text);
    assert.deepEqual(l.packet.tcpFlags, ['ACK']);
    const f = field(l, 'URGn');
    assert.equal(f.unknown, true);
    const note = l.notes.find((n) => n.code === 'log/unknown-field')!;
    assert.match(note.message, /URGP=/);
    assert.equal(text.slice(note.span.start, note.span.end), 'URGn=0');
    assert.ok(l.notes.some((n) => n.code === 'log/missing-field' && /URGP/.test(n.message)));
  });

  it('garbage between fields', function () {
    const text = 'IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=40 @@ junk here TOS=0x00 PREC=0x00 TTL=1 ID=2 PROTO=UDP SPT=1 DPT=2 LEN=8';
    const l = packet(text);
    assert.deepEqual([l.packet.tos, l.packet.udpLen], [0, 8]);
    const notes = l.notes.filter((n) => n.code === 'log/unexpected-text');
    assert.equal(notes.length, 1, 'one note for the whole run of junk');
    assert.equal(text.slice(notes[0].span.start, notes[0].span.end), '@@ junk here');
  });

  it('two lines run together', function () {
    const l = packet(`DROP ${FIELDS}Jan 27 15:21:37 host kernel: DROP ${FIELDS}`);
    assert.ok(l.notes.some((n) => n.code === 'log/duplicate-field'));
    assert.equal(l.packet.dpt, 443);
  });

  it('bad values, unclosed OPT and quoted packet, flags out of order', function () {
    const bad = packet('IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=forty TOS=0x00 PREC=0x00 TTL=1 ID=2 PROTO=TCP SPT=1 DPT=2 WINDOW=0 RES=0x00 FIN ACK URGP=0 OPT (0204');
    assert.equal(bad.packet.len, undefined);
    assert.ok(bad.notes.some((n) => n.code === 'log/bad-value' && /forty/.test(n.message)));
    assert.ok(bad.notes.some((n) => n.code === 'log/flag-order'));
    assert.ok(bad.notes.some((n) => n.code === 'log/cut' && /OPT/.test(n.message)));
    assert.equal(bad.packet.tcpOptions, '0204');
    const nested = packet('IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.2 DST=203.0');
    assert.equal(nested.packet.inner?.src, '192.0.2.2');
    assert.ok(nested.notes.some((n) => n.code === 'log/cut'));
  });

  it('never throws on odd input', function () {
    const odd = ['', ' ', '\t', '\r', 'IN=', 'IN= OUT=', '[', ']', '[ ]', '<', '<4>', '<4>1', 'Jan', 'Jan 27', 'Jan 27 15:21:36', 'kernel:', 'OPT (', 'IN=a OUT= [', 'IN=a OUT= ]', 'tcp 6', '[NEW] tcp 6 src=', 'net.netfilter.', 'nf_conntrack:', '=====', 'IN=a OUT= ===', '\u0000\uffff'];
    for (const t of odd) parseLogLine(t);
    for (let i = 0; i < 2000; i++) {
      const chars = 'IN=OUT SRC[]()=: 0x1aZ\t-.';
      let t = '';
      const n = (i * 7919) % 80;
      for (let j = 0; j < n; j++) t += chars[(i * 31 + j * 17 + ((j * j) % 13)) % chars.length];
      parseLogLine(t, i);
    }
  });
});

describe('log parser: mutated lines (deterministic fuzz)', function () {
  it('never fails inside, keeps every span inside the line, caps notes', function () {
    const base = [
      `Jan 27 15:21:36 host kernel: [1229124.817624] Firewall: *TCP_IN Blocked* ${FIELDS}`,
      `Mar 15 20:55:19 linux kernel: DROP IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=3 CODE=4 [SRC=192.0.2.2 DST=198.51.100.9 LEN=1500 TOS=0x00 PREC=0x00 TTL=63 ID=99 DF PROTO=TCP SPT=443 DPT=51000 WINDOW=501 RES=0x00 ACK PSH URGP=0 ] MTU=1400 `,
      '<4>1 2024-01-27T15:21:36Z host kernel - - - [UFW BLOCK] IN=eth0 OUT= MAC= SRC=2001:db8::1 DST=2001:db8::2 LEN=1280 TC=0 HOPLIMIT=64 FLOWLBL=0 OPT ( FRAG:1232 INCOMPLETE ID:0000abcd ) PROTO=TCP ',
      '    [NEW] tcp      6 120 SYN_SENT src=10.0.2.4 dst=10.0.2.15 sport=46216 dport=2222 [UNREPLIED] src=10.0.2.15 dst=10.0.2.4 sport=2222 dport=46216 mark=0 use=1',
      'Jul 8 10:03:53 centos8 kernel: nf_conntrack: nf_conntrack: table full, dropping packet',
      'sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=300',
    ];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const junk = ['=', ' ', '[', ']', '(', ')', ':', 'IN=', 'OUT=', 'SRC=', 'PROTO=TCP', 'OPT (', '\t', 'x', '0x', '..'];
    for (let k = 0; k < 4000; k++) {
      let t = base[rnd(base.length)];
      for (let j = 1 + rnd(3); j > 0; j--) {
        const i = rnd(t.length + 1);
        switch (rnd(3)) {
          case 0:
            t = t.slice(0, i);
            break;
          case 1:
            t = t.slice(0, i) + t.slice(i + 1 + rnd(8));
            break;
          default:
            t = t.slice(0, i) + junk[rnd(junk.length)] + t.slice(i);
        }
      }
      const l = parseLogLine(t, 3);
      assert.ok(!(l.kind === 'other' && l.what?.startsWith('unparsed')), `parser failed on: ${t}\n${l.kind === 'other' ? l.what : ''}`);
      assert.ok(l.span.end <= t.length && l.span.line === 3);
      if (l.kind === 'packet' || l.kind === 'conntrack') {
        for (const f of l.fields) assert.ok(f.span.start >= 0 && f.span.end <= t.length && f.keySpan.start <= f.keySpan.end, t);
        assert.ok(l.notes.length <= 60);
        for (const n of l.notes) assert.ok(n.span.start >= 0 && n.span.end <= t.length, `${n.code} ${t}`);
      }
    }
  });
});

describe('log parser: a 1 MB line stays linear', function () {
  this.timeout(20000);
  const cases: [string, string][] = [
    ['repeated fields', `Jan 27 15:21:36 host kernel: DROP IN=eth0 OUT= ${'SRC=192.0.2.1 '.repeat(75000)}`],
    ['one huge word', `Jan 27 15:21:36 host kernel: DROP IN=eth0 OUT= MAC=${'x'.repeat(1_000_000)}`],
    ['IN= without OUT=', `Jan 27 15:21:36 host kernel: ${'a IN=b '.repeat(150000)}`],
    ['IN= glued', 'IN='.repeat(350000)],
    ['unknown keys', `IN=a OUT= ${'URGn=0 '.repeat(150000)}`],
    ['open brackets', `IN=a OUT= PROTO=ICMP TYPE=3 CODE=1 ${'['.repeat(1_000_000)}`],
    ['open OPT groups', `IN=a OUT= ${'OPT ('.repeat(200000)}`],
    ['garbage words', `IN=a OUT= ${'@@ '.repeat(350000)}`],
    ['conntrack tuples', `tcp      6 10 ESTABLISHED ${'src=192.0.2.1 '.repeat(70000)}`],
    ['blanks', ' '.repeat(1_000_000)],
  ];
  for (const [name, text] of cases) {
    it(`${name} (${(text.length / 1e6).toFixed(1)} MB)`, function () {
      const t0 = process.hrtime.bigint();
      const l = parseLogLine(text);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
      if ('notes' in l) assert.ok(l.notes.length <= 60, `notes are capped (${l.notes.length})`);
    });
  }
});

describe('log parser: conntrack listings', function () {
  it('conntrack -L', function () {
    const text = 'tcp      6 117 SYN_SENT src=192.168.1.5 dst=192.168.1.35 sport=1031 dport=23 [UNREPLIED] src=192.168.1.35 dst=192.168.1.5 sport=23 dport=1031 mark=0 use=1';
    const l = parseLogLine(text, 3) as ConntrackLine;
    assert.equal(l.kind, 'conntrack');
    assert.deepEqual([l.l4.text, l.l4Number?.value, l.timeout?.value, l.state?.text, l.unreplied, l.assured, l.mark, l.use], ['tcp', 6, 117, 'SYN_SENT', true, false, 0, 1]);
    assert.deepEqual([l.original?.src, l.original?.dport, l.reply?.src, l.reply?.dport], ['192.168.1.5', 23, '192.168.1.35', 1031]);
    assert.equal(text.slice(l.original!.span.start, l.original!.span.end), 'src=192.168.1.5 dst=192.168.1.35 sport=1031 dport=23');
    assert.equal(text.slice(l.timeout!.span.start, l.timeout!.span.end), '117');
    const unreplied = field(l, 'UNREPLIED');
    assert.equal(text.slice(unreplied.span.start, unreplied.span.end), '[UNREPLIED]');
    assert.equal(text.slice(unreplied.keySpan.start, unreplied.keySpan.end), 'UNREPLIED');
    assert.deepEqual(l.notes, []);
    rangesHold(text, l);
  });

  it('conntrack -E events, /proc/net/nf_conntrack, ICMP, UDP, accounting and extras', function () {
    const ev = parseLogLine('[UPDATE] tcp      6 432000 ESTABLISHED src=10.0.2.4 dst=10.0.2.15 sport=46216 dport=2222 src=10.0.2.15 dst=10.0.2.4 sport=2222 dport=46216 [ASSURED]') as ConntrackLine;
    assert.deepEqual([ev.event?.text, ev.assured, ev.timeout?.value], ['UPDATE', true, 432000]);
    const padded = parseLogLine('    [NEW] tcp      6 120 SYN_SENT src=10.0.2.4 dst=10.0.2.15 sport=46216 dport=2222 [UNREPLIED] src=10.0.2.15 dst=10.0.2.4 sport=2222 dport=46216') as ConntrackLine;
    assert.deepEqual([padded.kind, padded.event?.text, padded.event?.span.start], ['conntrack', 'NEW', 5]);
    const destroy = parseLogLine('[DESTROY] tcp      6 src=10.0.2.4 dst=10.0.2.15 sport=46216 dport=2222 src=10.0.2.15 dst=10.0.2.4 sport=2222 dport=46216 [ASSURED]') as ConntrackLine;
    assert.deepEqual([destroy.kind, destroy.timeout, destroy.state], ['conntrack', undefined, undefined]);
    assert.deepEqual(destroy.notes, []);
    const proc = parseLogLine('ipv4     2 tcp      6 431999 ESTABLISHED src=192.0.2.5 dst=192.0.2.35 sport=1031 dport=23 packets=3 bytes=180 src=192.0.2.35 dst=192.0.2.5 sport=23 dport=1031 packets=2 bytes=112 [ASSURED] mark=0 secctx=system_u:object_r:unlabeled_t:s0 zone=0 use=2') as ConntrackLine;
    assert.deepEqual([proc.l3?.text, proc.l3Number?.value, proc.original?.packets, proc.reply?.bytes, proc.zone, proc.secctx, proc.use], ['ipv4', 2, 3, 112, 0, 'system_u:object_r:unlabeled_t:s0', 2]);
    assert.deepEqual(proc.notes, []);
    const icmp = parseLogLine('icmp     1 29 src=192.0.2.1 dst=192.0.2.2 type=8 code=0 id=1234 src=192.0.2.2 dst=192.0.2.1 type=0 code=0 id=1234 mark=0 use=1 id=4242') as ConntrackLine;
    assert.deepEqual([icmp.original?.type, icmp.original?.id, icmp.reply?.type, icmp.id], [8, 1234, 0, 4242]);
    const udp = parseLogLine('udp      17 29 src=192.0.2.1 dst=192.0.2.2 sport=5353 dport=53 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=53 dport=5353 mark=0 use=1') as ConntrackLine;
    assert.deepEqual([udp.state, udp.unreplied], [undefined, true]);
    assert.deepEqual(udp.notes, []);
    const stamped = parseLogLine('[1588160000.123456]\t    [NEW] tcp      6 120 SYN_SENT src=192.0.2.1 dst=192.0.2.2 sport=1 dport=2 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=2 dport=1') as ConntrackLine;
    assert.deepEqual([stamped.kind, stamped.event?.text], ['conntrack', 'NEW']);
  });

  it('a broken conntrack line still parses with notes', function () {
    const l = parseLogLine('tcp      17 117 src=192.0.2.1 dst=192.0.2.2 sport=1') as ConntrackLine;
    assert.equal(l.kind, 'conntrack');
    assert.ok(l.notes.some((n) => n.code === 'log/bad-value'));
    assert.ok(l.notes.some((n) => n.code === 'log/missing-field'));
    assert.ok(l.notes.some((n) => n.code === 'log/cut'));
  });

  it('protocol names are conntrack\'s own, not names every object has', function () {
    for (const t of ['ipv4     2 constructor 6 117 src=192.0.2.1 dst=192.0.2.2', 'toString 6 117 src=192.0.2.1 dst=192.0.2.2', 'ipv4     2 hasOwnProperty 6 src=1']) {
      assert.equal(parseLogLine(t).kind, 'other', t);
    }
    assert.equal(parseLogLine('ipv4     2 tcp      6 117 src=192.0.2.1 dst=192.0.2.2').kind, 'conntrack');
  });
});

describe('log parser: kernel messages, sysctls, other lines', function () {
  it('table full in its variants', function () {
    for (const t of [
      'Feb  6 16:05:07 i-123 kernel: nf_conntrack: table full, dropping packet.',
      'Jul 8 10:03:53 centos8 kernel: nf_conntrack: nf_conntrack: table full, dropping packet',
      'kernel: nf_conntrack: table full, dropping packet',
      '[123.456] nf_conntrack: table full, dropping packet',
      'Jan  1 00:00:00 old kernel: ip_conntrack: table full, dropping packet.',
    ]) {
      const l = parseLogLine(t) as KernelMessage;
      assert.equal(l.kind, 'kernel', t);
      assert.equal(l.id, 'conntrack-table-full');
      assert.equal(t.slice(l.message.span.start, l.message.span.end), l.message.text);
    }
    const doubled = parseLogLine('Jul 8 10:03:53 centos8 kernel: nf_conntrack: nf_conntrack: table full, dropping packet') as KernelMessage;
    assert.ok(doubled.notes.some((n) => n.code === 'log/doubled-subsystem'));
  });

  it('net_ratelimit and other conntrack messages', function () {
    const r = parseLogLine('Jan 27 15:21:40 host kernel: net_ratelimit: 1234 callbacks suppressed') as KernelMessage;
    assert.deepEqual([r.id, r.count?.value, r.count?.text], ['net-ratelimit', 1234, '1234']);
    const n = parseLogLine('kernel: net_ratelimit: N callbacks suppressed') as KernelMessage;
    assert.ok(Number.isNaN(n.count!.value));
    assert.equal((parseLogLine('kernel: nf_conntrack: expectation table full') as KernelMessage).id, 'conntrack-expect-table-full');
    assert.equal((parseLogLine('[    1.5] nf_conntrack version 0.5.0 (65536 buckets, 262144 max)') as KernelMessage).id, 'conntrack-version');
  });

  it('sysctl lines', function () {
    const a = parseLogLine('net.netfilter.nf_conntrack_max = 262144', 2) as SysctlLine;
    assert.deepEqual([a.kind, a.name.text, a.value?.text, a.legacy, a.notes.length], ['sysctl', 'net.netfilter.nf_conntrack_max', '262144', false, 0]);
    assert.equal(a.value!.span.start, 33);
    const b = parseLogLine('net.ipv4.netfilter.ip_conntrack_max=65536') as SysctlLine;
    assert.deepEqual([b.kind, b.value?.text, b.legacy], ['sysctl', '65536', true]);
    assert.ok(b.notes.some((n) => n.code === 'log/legacy-name'));
    const c = parseLogLine('sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=300') as SysctlLine;
    assert.deepEqual([c.kind, c.name.text, c.value?.text], ['sysctl', 'net.netfilter.nf_conntrack_tcp_timeout_established', '300']);
    const d = parseLogLine('net.netfilter.nf_conntrack_tcp_loose = yes') as SysctlLine;
    assert.ok(d.notes.some((n) => n.code === 'log/bad-value'));
    const e = parseLogLine('net.netfilter.nf_conntrack_bogus = 1') as SysctlLine;
    assert.ok(e.notes.some((n) => n.code === 'log/unknown-sysctl'));
  });

  it('everything else is an other line, never a firewall line', function () {
    for (const t of [
      'Jan 27 15:21:36 host sshd[123]: Accepted publickey for root from 192.0.2.1 port 5000 ssh2',
      'Jan 27 15:21:36 host kernel: [1229124.817624] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex',
      '-- Boot 0123456789abcdef --',
      'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.',
      '# net.netfilter.nf_conntrack_max = 1',
      'LOGIN=root TTY=pts/0',
      'Jan 27 15:21:36 host su: LOGIN=x OUT=y',
    ]) {
      const l = parseLogLine(t);
      assert.equal(l.kind === 'other' || l.kind === 'packet', true);
      if (t.includes('OUT=y')) continue; // looks like a LOG line; accepted as one
      assert.equal(l.kind, 'other', t);
    }
    assert.equal(parseLogLine('   ').kind, 'other');
    assert.equal((parseLogLine('') as { blank: boolean }).blank, true);
  });
});

describe('log parser: a line parses the same whatever came before it', function () {
  it('the wrapper shortcuts for repeated hosts and seconds never change a result', function () {
    const lines = [
      `Mar 15 20:55:19 linux kernel: [810298.406798] DROP ${FIELDS}`,
      `Mar 15 20:55:19 linux kernel:  [810298.406798]  DROP ${FIELDS}`,
      `Mar 15 20:55:19 linux kernel: DROP ${FIELDS}`,
      `Mar 15 20:55:19.5 linux kernel: [1.5] DROP ${FIELDS}`,
      `Mar 15 20:55:19 linux kernel:[810298.406798] DROP ${FIELDS}`,
      `Mar 15 20:55:19 other kernel: [810298.406798] DROP ${FIELDS}`,
      `Mar 15 20:55:19 linux sshd[12]: Accepted publickey for root`,
      `Mar 15 20:55:190 linux kernel: DROP ${FIELDS}`,
      `Mar 15 20:55:19 linux kernel: `,
    ];
    const alone = lines.map((l) => JSON.stringify(parseLogLine(l, 1)));
    for (const before of lines) {
      for (let i = 0; i < lines.length; i++) {
        parseLogLine(before, 0);
        assert.equal(JSON.stringify(parseLogLine(lines[i], 1)), alone[i], `after ${before}\n${lines[i]}`);
      }
    }
  });
});

describe('log parser: documents', function () {
  it('parses every line with its number and counts kinds; CRLF is not part of a line', function () {
    const text = [`DROP ${FIELDS}`, 'tcp      6 117 SYN_SENT src=192.0.2.1 dst=192.0.2.2 sport=1 dport=2 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=2 dport=1', 'kernel: nf_conntrack: table full, dropping packet', 'net.netfilter.nf_conntrack_max = 1', 'hello', ''].join('\r\n');
    const doc = parseLogDocument(text);
    assert.equal(doc.lineCount, 6);
    assert.deepEqual(doc.counts, { packet: 1, conntrack: 1, kernel: 1, sysctl: 1, other: 2 });
    assert.deepEqual(doc.lines.map((l) => l.line), [0, 1, 2, 3, 4, 5]);
    const first = doc.lines[0] as PacketLine;
    assert.equal(first.span.end, `DROP ${FIELDS}`.length);
    assert.equal(field(first, 'URGP').value, '0');
  });
});
