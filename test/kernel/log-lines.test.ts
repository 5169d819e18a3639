/**
 * The kernel is the authority on LOG lines: rules in a throwaway namespace pair log crafted and
 * real packets (TCP with every flag, sequence numbers and options; UDP with a fwmark; ICMP and
 * ICMPv6 errors quoting the original packet; locally sent packets with --log-uid; IPv6 flow
 * labels; --log-macdecode), we read the lines back from the kernel log and the parser must take
 * every one of them apart completely, with the values we sent.
 *
 * Needs root and network namespaces (skips with the reason otherwise, fails under CI). LOG in a
 * namespace other than the host's only prints when net.netfilter.nf_log_all_netns=1; the suite
 * sets it and puts the old value back. Only the 10.200.0.0/24 and fd00:200::/64 addresses of our
 * own veth pair are used.
 */
import { strict as assert } from 'node:assert';
import type { PacketLine } from '../../server/src/model/log';
import { parseLogLine } from '../../server/src/parser/log';
import { restore, run, sleepMs, useNamespacePair, waitUntil } from '../support/netns';
import { sendIcmp, sendTcp, sendUdp } from '../support/packets';

const TAG = `il${process.pid % 100000}`;
const P = (n: string) => `${TAG}-${n}: `;

function rules(family: 'ipv4' | 'ipv6'): string {
  const icmp = family === 'ipv4' ? 'icmp' : 'ipv6-icmp';
  const f = family === 'ipv4' ? '4' : '6';
  return [
    '*mangle',
    ':PREROUTING ACCEPT [0:0]',
    '-A PREROUTING -i vB -p udp --dport 40001 -j MARK --set-mark 0x2a',
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    `-A INPUT -i vB -p tcp --dport 40000 -j LOG --log-prefix "${P(`tcp${f}`)}" --log-tcp-sequence --log-tcp-options --log-ip-options`,
    `-A INPUT -i vB -p udp --dport 40001 -j LOG --log-prefix "${P(`udp${f}`)}"`,
    `-A INPUT -i vB -p udp --dport 40002 -j LOG --log-prefix "${P(`mac${f}`)}" --log-macdecode`,
    `-A OUTPUT -o vB -p ${icmp} -j LOG --log-prefix "${P(`out${f}`)}" --log-uid`,
    `-A OUTPUT -o vB -p tcp -j LOG --log-prefix "${P(`rst${f}`)}"`,
    'COMMIT',
    '',
  ].join('\n');
}

/** Kernel log lines carrying our tag, as `dmesg` prints them. */
function ourLines(): string[] {
  return run(['dmesg']).stdout.split('\n').filter((l) => l.includes(`${TAG}-`));
}

/** Every non-blank character after the prefix belongs to a field, and nothing but info notes. */
function complete(text: string, l: PacketLine): void {
  const covered = new Uint8Array(text.length);
  for (const f of l.fields) for (let i = f.span.start; i < f.span.end; i++) covered[i] = 1;
  for (let i = l.prefix.span.end; i < text.length; i++) {
    if (text[i] !== ' ' && !covered[i]) assert.fail(`not covered at ${i} (${JSON.stringify(text.slice(i, i + 20))}) in: ${text}`);
  }
  assert.deepEqual(
    l.notes.filter((n) => n.severity !== 'info'),
    [],
    text,
  );
}

describe('kernel: LOG lines printed by the running kernel parse completely', function () {
  this.timeout(60000);
  const ctx = useNamespacePair({ tag: 'log', conntrack: false });
  let oldAllNetns: string | undefined;
  const byPrefix = new Map<string, PacketLine[]>();
  const texts = new Map<PacketLine, string>();

  before(function () {
    const { a, b } = ctx.pair;
    oldAllNetns = run(['sysctl', '-n', 'net.netfilter.nf_log_all_netns']).stdout.trim();
    run(['sysctl', '-qw', 'net.netfilter.nf_log_all_netns=1'], { check: true });
    for (const family of ['ipv4', 'ipv6'] as const) {
      const r = restore(b.ns, rules(family), { family });
      assert.ok(r.ok, r.stderr);
    }
    for (const dst of [b.ip4, b.ip6]) {
      // every TCP flag, sequence numbers, MSS + window scale options
      sendTcp(a, { dst, sport: 41000, dport: 40000, flags: ['CWR', 'ECE', 'URG', 'ACK', 'PSH', 'RST', 'SYN', 'FIN'], seq: 123456, ack: 654321, window: 1024, urgPtr: 7, tcpOptions: '020405b4030307', flowLabel: 0x12345 });
      // a SYN to a closed port: B answers with a reset (logged on B's way out)
      sendTcp(a, { dst, sport: 41001, dport: 40000, flags: ['SYN'] });
      // UDP to a closed port: marked, logged, answered with an ICMP error quoting it
      sendUdp(a, { dst, sport: 41002, dport: 40001, payload: 'hello' });
      sendUdp(a, { dst, sport: 41003, dport: 40002 });
    }
    // a ping sent by B itself: --log-uid shows the sending socket's owner
    run(['ip', 'netns', 'exec', b.ns, 'ping', '-c', '1', '-W', '1', a.ip4]);
    run(['ip', 'netns', 'exec', b.ns, 'ping', '-6', '-c', '1', '-W', '1', a.ip6]);
    sendIcmp(a, { dst: b.ip4 });
    const want = ['tcp4', 'udp4', 'mac4', 'out4', 'rst4', 'tcp6', 'udp6', 'mac6', 'out6', 'rst6'];
    waitUntil(() => want.every((w) => ourLines().some((l) => l.includes(P(w)))), 5000, 50);
    sleepMs(100);
    ourLines().forEach((text, i) => {
      const l = parseLogLine(text, i);
      assert.equal(l.kind, 'packet', text);
      const pl = l as PacketLine;
      texts.set(pl, text);
      const key = pl.prefix.label.slice(TAG.length + 1, -1);
      byPrefix.set(key, [...(byPrefix.get(key) ?? []), pl]);
    });
  });

  after(function () {
    if (oldAllNetns !== undefined && oldAllNetns !== '') run(['sysctl', '-qw', `net.netfilter.nf_log_all_netns=${oldAllNetns}`]);
  });

  const get = (k: string): PacketLine[] => {
    const ls = byPrefix.get(k) ?? [];
    assert.ok(ls.length > 0, `no kernel line with prefix ${P(k)} (got ${[...byPrefix.keys()].join(', ')})`);
    return ls;
  };

  it('every line is complete: each character after the prefix in a field, no warnings', function () {
    assert.ok(texts.size >= 10, `lines read back: ${texts.size}`);
    for (const [l, text] of texts) {
      complete(text, l);
      assert.equal(l.wrapper.kind, 'dmesg');
      assert.ok(l.wrapper.uptime, 'dmesg uptime');
      // the same line behind a syslog wrapper parses the same way
      const wrapped = `Jan 27 15:21:36 host kernel: ${text}`;
      const w = parseLogLine(wrapped) as PacketLine;
      assert.deepEqual(
        w.fields.map((f) => [f.key, f.value]),
        l.fields.map((f) => [f.key, f.value]),
      );
    }
  });

  it('TCP: every flag in the kernel order, SEQ/ACK, window, urgent pointer, options', function () {
    for (const fam of ['4', '6']) {
      const l = get(`tcp${fam}`).find((x) => x.packet.spt === 41000)!;
      assert.ok(l, `tcp${fam} line for sport 41000`);
      const p = l.packet;
      assert.deepEqual(p.tcpFlags?.filter((f) => f !== 'AE'), ['CWR', 'ECE', 'URG', 'ACK', 'PSH', 'RST', 'SYN', 'FIN']);
      assert.deepEqual([p.seq, p.ack, p.window, p.urgp, p.dpt], [123456, 654321, 1024, 7, 40000]);
      assert.equal(p.tcpOptions, '020405B403030700', 'options padded to 32 bits by the sender');
      if (fam === '6') assert.deepEqual([p.family, p.flowLabel], ['ipv6', 0x12345]);
      else assert.equal(p.family, 'ipv4');
      assert.equal(p.in, 'vB');
      assert.ok(p.mac && p.mac.split(':').length === 14, `MAC= ${p.mac}`);
    }
  });

  it('UDP: lengths and the fwmark', function () {
    const l = get('udp4')[0];
    assert.deepEqual([l.packet.proto, l.packet.dpt, l.packet.udpLen, l.packet.len, l.packet.mark], ['UDP', 40001, 13, 33, 0x2a]);
    const l6 = get('udp6')[0];
    assert.deepEqual([l6.packet.family, l6.packet.udpLen, l6.packet.mark], ['ipv6', 13, 0x2a]);
  });

  it('ICMP and ICMPv6 errors quote the original packet', function () {
    const v4 = get('out4').find((l) => l.packet.icmpType === 3)!;
    assert.ok(v4, 'port unreachable logged on the way out');
    assert.deepEqual([v4.packet.in, v4.packet.out, v4.packet.icmpCode], ['', 'vB', 3]);
    assert.deepEqual([v4.packet.inner?.proto, v4.packet.inner?.spt, v4.packet.inner?.dpt, v4.packet.inner?.udpLen], ['UDP', 41002, 40001, 13]);
    assert.ok(v4.fields.some((f) => f.nested));
    const v6 = get('out6').find((l) => l.packet.icmpType === 1)!;
    assert.ok(v6, 'ICMPv6 destination unreachable logged on the way out');
    assert.deepEqual([v6.packet.protoNumber, v6.packet.inner?.family, v6.packet.inner?.dpt], [58, 'ipv6', 40001]);
  });

  it('--log-uid on locally sent packets, resets on the way out, --log-macdecode', function () {
    const ping = get('out4').find((l) => l.packet.icmpType === 8);
    if (ping) {
      assert.deepEqual([ping.packet.icmpCode, typeof ping.packet.icmpId, typeof ping.packet.icmpSeq], [0, 'number', 'number']);
      assert.equal(ping.packet.uid, 0);
      assert.equal(ping.packet.gid, 0);
    }
    const rst = get('rst4').find((l) => l.packet.dpt === 41001)!;
    assert.ok(rst, 'the reset B sent back');
    assert.deepEqual(rst.packet.tcpFlags, ['ACK', 'RST']);
    assert.equal(rst.packet.mac, undefined, 'no MAC= on locally sent packets');
    const mac = get('mac4')[0];
    assert.equal(mac.packet.macSrc, ctx.pair.a.mac);
    assert.equal(mac.packet.macDst, ctx.pair.b.mac);
    assert.equal(mac.packet.macProto, '0800');
    assert.equal(get('mac6')[0].packet.macProto, '86dd');
  });
});
