/**
 * knowledge/log-fields.ts: every field the parser produces has an entry; the decoders turn MAC=,
 * TOS=/PREC=, TC=, TTL=, WINDOW=, ports and flag sets into the right words.
 */
import { strict as assert } from 'node:assert';
import { findKernelMessage, KERNEL_MESSAGES } from '../../server/src/knowledge/kernel-messages';
import {
  classifyTcpFlags,
  CONNTRACK_FIELDS,
  decodeMac,
  decodeTos,
  decodeTrafficClass,
  decodeTtl,
  explainTcpFlags,
  explainWindow,
  findConntrackField,
  findLogField,
  icmpTypeDoc,
  ipProtocolName,
  LOG_FIELDS,
  wellKnownPort,
} from '../../server/src/knowledge/log-fields';
import { humanSeconds } from '../../server/src/knowledge/sysctls';
import type { ConntrackLine, PacketLine } from '../../server/src/model/log';
import { parseLogLine } from '../../server/src/parser/log';

const LINES = [
  'IN=eth0 OUT= MAC=f2:3c:91:26:1e:1f:84:78:ac:0d:8f:41:08:00 SRC=198.51.100.7 DST=192.0.2.10 LEN=40 TOS=0x08 PREC=0x00 TTL=53 ID=61266 CE DF MF FRAG:8 OPT (07) PROTO=TCP SPT=49264 DPT=443 SEQ=1 ACK=2 WINDOW=0 RES=0x00 AE CWR ECE URG ACK PSH RST SYN FIN URGP=0 OPT (0204) UID=1 GID=1 MARK=0x1 ',
  'IN=br0 OUT=br0 PHYSIN=eth1 PHYSOUT=eth2 MACSRC=00:00:5e:00:53:02 MACDST=00:00:5e:00:53:01 VPROTO=8100 VID=1 MACPROTO=0800 SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=3 CODE=4 [SRC=192.0.2.2 DST=203.0.113.1 LEN=28 TOS=0x00 PREC=0x00 TTL=63 ID=5 PROTO=UDP SPT=1 DPT=2 LEN=8 ] MTU=1400 ',
  'IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=5 CODE=1 GATEWAY=192.0.2.254 ',
  'IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=12 CODE=0 PARAMETER=1 ',
  'IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=2 ',
  'IN=eth0 OUT= MAC= SRC=2001:db8::1 DST=2001:db8::2 LEN=100 TC=184 HOPLIMIT=64 FLOWLBL=1 OPT ( FRAG:0 ID:00000001 ) PROTO=ICMPv6 TYPE=4 CODE=0 POINTER=00000028 ',
  'IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=120 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=AH SPI=0x1 ',
  'IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=192.0.2.2 LEN=24 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP INCOMPLETE [4 bytes] ',
  'IN=eth0 OUT= MAC= SRC=2001:db8::1 DST=2001:db8::2 LEN=1280 TC=0 HOPLIMIT=64 FLOWLBL=0 FRAG:8 INCOMPLETE ID:0000abcd PROTO=UDP ',
  'IN=eth0 OUT= MAC= SRC=2001:db8::1 DST=2001:db8::2 LEN=1280 TC=0 HOPLIMIT=64 FLOWLBL=0 Unknown Ext Hdr 253',
  'IN=sit1 OUT= MAC=00:00:5e:00:53:01:00:00:5e:00:53:02:08:00 TUNNEL=192.0.2.1->192.0.2.2 SRC=2001:db8::1 DST=2001:db8::2 LEN=100 TC=0 HOPLIMIT=64 FLOWLBL=1 PROTO=59 ',
  'IN=eth0 OUT= MACSRC=00:00:5e:00:53:02 MACDST=ff:ff:ff:ff:ff:ff MACPROTO=0806 ARP HTYPE=1 PTYPE=0x0800 OPCODE=1 MACSRC=00:00:5e:00:53:02 IPSRC=192.0.2.2 MACDST=00:00:00:00:00:00 IPDST=192.0.2.1',
];

describe('log-field knowledge', function () {
  it('every field the parser produces has an entry with the right context', function () {
    for (const text of LINES) {
      const l = parseLogLine(text) as PacketLine;
      assert.equal(l.kind, 'packet');
      for (const f of l.fields) {
        const doc = findLogField(f, f.nested ? l.packet.inner?.proto : l.packet.proto);
        assert.ok(doc, `${f.key} (${f.kind}) in ${text.slice(0, 40)}`);
        assert.ok(doc.summary.length > 10);
      }
    }
    const udp = parseLogLine(LINES[1]) as PacketLine;
    const lens = udp.fields.filter((f) => f.key === 'LEN');
    assert.equal(findLogField(lens[2], 'UDP')?.context, 'udp');
    assert.equal(findLogField(lens[1], 'UDP')?.context, 'ip');
    assert.equal(findLogField(lens[0], 'ICMP')?.context, 'ip');
    const tcp = parseLogLine(LINES[0]) as PacketLine;
    assert.equal(findLogField(tcp.fields.find((f) => f.key === 'ACK' && f.kind === 'flag')!, 'TCP')?.context, 'flag');
    assert.equal(findLogField(tcp.fields.find((f) => f.key === 'ACK' && f.kind === 'pair')!, 'TCP')?.context, 'tcp');
    assert.equal(findLogField(tcp.fields.filter((f) => f.key === 'OPT')[1], 'TCP')?.context, 'tcp');
    assert.equal(new Set(LOG_FIELDS.map((d) => `${d.key}/${d.context ?? ''}`)).size, LOG_FIELDS.length, 'no duplicate entries');
  });

  it('every conntrack column and flag has an entry', function () {
    const l = parseLogLine(
      '[NEW] ipv4     2 tcp      6 120 SYN_SENT src=192.0.2.1 dst=192.0.2.2 sport=1 dport=2 packets=1 bytes=60 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=2 dport=1 packets=0 bytes=0 [ASSURED] [OFFLOAD] mark=0 secmark=0 secctx=x zone=0 use=1 helper=ftp labels=0x1',
    ) as ConntrackLine;
    for (const f of l.fields) assert.ok(findConntrackField(f.key), f.key);
    for (const k of ['event', 'l3', 'l4', 'timeout', 'state']) assert.ok(findConntrackField(k), k);
    assert.ok(CONNTRACK_FIELDS.length >= 20);
  });

  it('MAC= splits into destination, source and EtherType', function () {
    const m = decodeMac('f2:3c:91:26:1e:1f:84:78:ac:0d:8f:41:08:00');
    assert.deepEqual([m.kind, m.destination, m.source, m.etherType, m.etherTypeName, m.destinationKind], ['ethernet', 'f2:3c:91:26:1e:1f', '84:78:ac:0d:8f:41', '0800', 'IPv4', 'unicast']);
    const v6 = decodeMac('33:33:ff:00:00:01:00:1b:b9:76:9c:e4:86:dd');
    assert.deepEqual([v6.etherTypeName, v6.destinationKind, v6.destinationNote], ['IPv6', 'multicast', 'IPv6 multicast']);
    assert.equal(decodeMac('ff:ff:ff:ff:ff:ff:00:00:5e:00:53:01:08:06').etherTypeName, 'ARP');
    assert.equal(decodeMac('01:00:5e:00:00:01:00:00:5e:00:53:01:81:00').etherTypeName, '802.1Q VLAN tag');
    assert.equal(decodeMac('').kind, 'empty');
    assert.equal(decodeMac('45:00:00:54').kind, 'raw');
  });

  it('TOS/PREC and TC decode to DSCP names, precedence and ECN', function () {
    assert.deepEqual([decodeTos(0, 0).dscp, decodeTos(0, 0).dscpName], [0, 'CS0 (best effort)']);
    assert.deepEqual([decodeTos(0x18, 0xa0).dscp, decodeTos(0x18, 0xa0).dscpName], [46, 'EF (expedited forwarding: voice)']);
    assert.deepEqual([decodeTos(0x08, 0x20).dscp, decodeTos(0x08, 0x20).dscpName], [10, 'AF11']);
    assert.deepEqual([decodeTos(0x18, 0x80).dscpName, decodeTos(0x00, 0xc0).precedenceName], ['AF43', 'internetwork control']);
    assert.equal(decodeTos(0x00, 0xe0).dscpName, 'CS7 (network control)');
    assert.match(decodeTos(0x08, 0).text, /maximise throughput/);
    assert.match(decodeTos(0x02, 0).text, /ECT\(0\) or CE/);
    const tc = decodeTrafficClass(184);
    assert.deepEqual([tc.dscp, tc.ecn], [46, 0]);
    assert.equal(decodeTrafficClass(3).ecnName, 'CE (congestion experienced)');
  });

  it('TTL gives the likely initial value and hop count', function () {
    assert.deepEqual([decodeTtl(115)!.initial, decodeTtl(115)!.hops], [128, 13]);
    assert.deepEqual([decodeTtl(53)!.initial, decodeTtl(53)!.hops], [64, 11]);
    assert.deepEqual([decodeTtl(255)!.initial, decodeTtl(255)!.hops], [255, 0]);
    assert.deepEqual([decodeTtl(30)!.initial], [32]);
    assert.equal(decodeTtl(300), undefined);
  });

  it('WINDOW=0, ports, protocols, ICMP types', function () {
    assert.match(explainWindow(0, 'RST'), /reset/);
    assert.match(explainWindow(0, 'ACK'), /buffer is full/);
    assert.match(explainWindow(1024, 'SYN'), /scanners/);
    assert.equal(wellKnownPort(443), 'https');
    assert.equal(wellKnownPort(22, 'TCP'), 'ssh');
    assert.equal(wellKnownPort(53, 'udp'), 'domain');
    assert.equal(wellKnownPort(1), 'tcpmux');
    assert.equal(ipProtocolName(47), 'gre');
    assert.equal(icmpTypeDoc(3, 3)?.name, 'port-unreachable');
    assert.equal(icmpTypeDoc(8, 0)?.name, 'echo-request');
    assert.equal(icmpTypeDoc(135, 0, true)?.name, 'neighbour-solicitation');
  });

  it('TCP flag sets are classified', function () {
    const cases: [string, string, string][] = [
      ['SYN', 'opening', 'SYN'],
      ['CWR ECE SYN', 'opening', 'SYN'],
      ['ACK SYN', 'opening-reply', 'SYN ACK'],
      ['ACK', 'data', 'ACK'],
      ['ACK PSH', 'data', 'ACK PSH'],
      ['ACK FIN', 'teardown', 'ACK FIN'],
      ['ACK PSH FIN', 'teardown', 'ACK PSH FIN'],
      ['RST', 'reset', 'RST'],
      ['ACK RST', 'reset', 'ACK RST'],
      ['', 'scan', 'NULL scan'],
      ['URG PSH FIN', 'scan', 'XMAS scan'],
      ['URG ACK PSH RST SYN FIN', 'scan', 'XMAS scan (all flags)'],
      ['SYN FIN', 'scan', 'SYN FIN'],
      ['FIN', 'scan', 'FIN scan'],
      ['PSH', 'invalid', 'PSH'],
    ];
    for (const [flags, category, name] of cases) {
      const c = classifyTcpFlags(flags);
      assert.deepEqual([c.category, c.name], [category, name], flags || 'NONE');
    }
    const e = explainTcpFlags('ACK FIN');
    assert.deepEqual([e.class.category, e.withoutEntry.state, e.withoutEntry.lateTeardown], ['teardown', 'INVALID', true]);
  });

  it('kernel messages and durations', function () {
    assert.equal(findKernelMessage('conntrack-table-full')?.citation, 'net/netfilter/nf_conntrack_core.c:1659-1666 (__nf_conntrack_alloc)');
    for (const m of KERNEL_MESSAGES) assert.ok(m.summary && m.doc && m.citation, m.id);
    assert.equal(humanSeconds(432000), '5 days');
    assert.equal(humanSeconds(120), '2 minutes');
    assert.equal(humanSeconds(45), '45 seconds');
  });
});
