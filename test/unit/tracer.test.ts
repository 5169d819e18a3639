/** The packet tracer: the five stories, jumps/goto/RETURN/policies, NOTRACK, forks, packet text. */
import { strict as assert } from 'node:assert';
import { parsePacketSpec } from '../../server/src/analysis/packet';
import { trace } from '../../server/src/analysis/tracer';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { fixture } from '../support/fixtures';

function run(rules: string, spec: string, state?: Parameters<typeof trace>[2]) {
  const p = parsePacketSpec(spec);
  if ('error' in p) throw new Error(p.error);
  return trace(parseRuleset(rules), p, state);
}

function matchedLines(t: ReturnType<typeof trace>, branch = 0): number[] {
  return t.branches[branch]!.steps.filter((s) => s.kind === 'rule' && s.matched === true).map((s) => s.line! + 1);
}

describe('tracer', function () {
  it('story 1: the late ACK FIN is INVALID, passes both accepts and is logged, then dropped', function () {
    const t = run(fixture('story1.rules'), 'tcp 199.30.24.209:36879 -> 11.22.33.44:80 flags ACK,FIN in venet0');
    assert.equal(t.ctstate, 'INVALID');
    assert.equal(t.verdict, 'DROP');
    assert.deepEqual(matchedLines(t), [6, 7, 8]);
    const steps = t.branches[0]!.steps.filter((s) => s.kind === 'rule');
    assert.match(steps[0]!.reason!, /not conntrack state RELATED or ESTABLISHED/);
    assert.match(steps[1]!.reason!, /not conntrack state NEW/);
    assert.match(steps[3]!.reason!, /assumed/, 'the limit is assumed under its rate, and said so');
  });

  it('the step of a rule the packet missed reads as any step (its fields, and the same in the same order as JSON) and says what the packet is not, or is for a negated condition', function () {
    const rules = ['*filter', ':INPUT ACCEPT [0:0]', ':C - [0:0]', '-A INPUT -p udp -j DROP', '-A INPUT ! -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 80', '-A INPUT ! -p all -j DROP', '-A INPUT -j C', 'COMMIT', ''].join('\n');
    const t = run(rules, 'tcp 10.1.2.3:40000 -> 10.0.0.1:443 flags SYN in eth0');
    const missed = t.branches[0]!.steps.filter((s) => s.kind === 'rule' && s.matched === false);
    assert.equal(missed.length, 4);
    const plain = [
      { kind: 'rule', table: 'filter', chain: 'INPUT', position: 1, line: 3, target: 'DROP', matched: false, reason: 'not protocol udp' },
      { kind: 'rule', table: 'filter', chain: 'INPUT', position: 2, line: 4, target: 'ACCEPT', matched: false, reason: 'source 10.0.0.0/8' },
      // (no target: none in the JSON either)
      { kind: 'rule', table: 'filter', chain: 'INPUT', position: 3, line: 5, matched: false, reason: 'not destination port 80' },
      // (a condition no packet meets: said so, not "not no protocol")
      { kind: 'rule', table: 'filter', chain: 'INPUT', position: 4, line: 6, target: 'DROP', matched: false, reason: 'matches no packet at all' },
    ];
    missed.forEach((s, i) => {
      const want = plain[i]!;
      assert.deepEqual({ kind: s.kind, table: s.table, chain: s.chain, position: s.position, line: s.line, ...(s.target !== undefined ? { target: s.target } : {}), matched: s.matched, reason: s.reason }, want);
      assert.equal(s.rule?.line, want.line);
      assert.equal(JSON.stringify(s, (k, v: unknown) => (k === 'rule' ? undefined : v)), JSON.stringify(want), `step ${i + 1} as JSON`);
    });
  });

  it('story 1 with the entry still there: ESTABLISHED, accepted by the first rule', function () {
    const t = run(fixture('story1.rules'), 'tcp 199.30.24.209:36879 -> 11.22.33.44:80 flags ACK,FIN in venet0', { state: 'ESTABLISHED' });
    assert.equal(t.verdict, 'ACCEPT');
    assert.deepEqual(matchedLines(t), [4]);
  });

  it('story 3: a mid-stream ACK PSH is NEW with loose=1 and INVALID with loose=0', function () {
    const rules = fixture('story3.rules');
    assert.equal(run(rules, 'tcp 10.0.2.4:46216 -> 10.0.2.15:2222 flags ACK,PSH in eth0').ctstate, 'NEW');
    assert.equal(run(rules, 'tcp 10.0.2.4:46216 -> 10.0.2.15:2222 flags ACK,PSH in eth0', { loose: false }).ctstate, 'INVALID');
  });

  it('story 5: NOTRACK in raw makes the packet UNTRACKED for filter', function () {
    const t = run(fixture('story5.rules'), 'tcp 192.0.2.9:40000 -> 192.0.2.1:80 flags SYN in eth0');
    assert.equal(t.branches[0]!.ctstate, 'UNTRACKED');
    assert.equal(t.verdict, 'ACCEPT');
    assert.deepEqual(matchedLines(t), [2, 1]);
  });

  it('follows goto and RETURN, and falls to the policy', function () {
    const rules = '*filter\n:INPUT DROP [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -g A\n-A INPUT -j ACCEPT\n-A A -j B\n-A A -p udp -j ACCEPT\n-A B -p tcp -j RETURN\n-A B -j DROP\nCOMMIT\n';
    const tcp = run(rules, 'tcp 10.0.0.1:1 -> 10.0.0.2:2 in eth0');
    // INPUT -g A -> A -j B -> B RETURN -> back in A -> udp rule fails -> end of A returns past INPUT (goto) -> policy DROP
    assert.equal(tcp.verdict, 'DROP');
    assert.equal(tcp.branches[0]!.decidedBy?.kind, 'policy');
    assert.deepEqual(matchedLines(tcp), [5, 7, 9]);
    const udp = run(rules, 'udp 10.0.0.1:1 -> 10.0.0.2:2 in eth0');
    assert.equal(udp.verdict, 'DROP');
    assert.deepEqual(matchedLines(udp), [5, 7, 10]);
  });

  it('forks at rules the packet cannot decide, and says so', function () {
    const rules = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m recent --name bad --rcheck -j DROP\nCOMMIT\n';
    const t = run(rules, 'tcp 10.0.0.1:1 -> 10.0.0.2:2 in eth0');
    assert.equal(t.verdict, 'maybe');
    assert.deepEqual(new Set(t.branches.map((b) => b.verdict)), new Set(['ACCEPT', 'DROP']));
    assert.ok(t.branches.every((b) => b.assumptions.length === 1));
  });

  it('walks OUTPUT for locally sent packets and FORWARD for routed ones', function () {
    const rules = '*filter\n:OUTPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n-A OUTPUT -o eth0 -p udp --dport 53 -j ACCEPT\n-A FORWARD -i eth0 -o eth1 -j DROP\nCOMMIT\n';
    assert.equal(run(rules, 'udp 10.0.0.2:5000 -> 10.0.0.53:53 out eth0').verdict, 'ACCEPT');
    assert.equal(run(rules, 'udp 10.0.0.2:5000 -> 10.0.0.53:54 out eth0').verdict, 'DROP');
    assert.deepEqual(run(rules, 'tcp 10.0.0.9:1 -> 10.1.0.9:2 in eth0 out eth1').hooks, ['PREROUTING', 'FORWARD', 'POSTROUTING']);
    assert.equal(run(rules, 'tcp 10.0.0.9:1 -> 10.1.0.9:2 in eth0 out eth1').verdict, 'DROP');
  });

  // regressions found by test/kernel/tracer-differential.test.ts (the kernel disagreed)

  it('ICMP with no entry: only echo, timestamp, information and address-mask requests are NEW', function () {
    const rules = '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n';
    const state = (type: string, proto = 'icmp', addr = ['10.0.0.1', '10.0.0.2']) => run(rules, `${proto} ${addr[0]} -> ${addr[1]} type ${type} in eth0`).ctstate;
    assert.deepEqual(['8', '13', '15', '17'].map((t) => state(t)), ['NEW', 'NEW', 'NEW', 'NEW']);
    // replies, router advertisement/solicitation, unassigned types and types above 18 cannot open an entry
    assert.deepEqual(['0', '14', '9', '10', '6', '42', '255'].map((t) => state(t)), Array(7).fill('INVALID'));
    assert.equal(state('3/3'), 'INVALID', 'an error about nothing conntrack knows');
    const v6 = (t: string) => state(t, 'icmpv6', ['fd00::1', 'fd00::2']);
    assert.deepEqual(['128', '139'].map(v6), ['NEW', 'NEW']);
    assert.deepEqual(['129', '140', '200', '1'].map(v6), ['INVALID', 'INVALID', 'INVALID', 'INVALID']);
    assert.deepEqual(['133', '135', '136', '143'].map(v6), ['UNTRACKED', 'UNTRACKED', 'UNTRACKED', 'UNTRACKED'], 'neighbour discovery and MLD are never tracked');
  });

  it('nat INPUT comes after filter INPUT (source NAT priority): a dropped packet never reaches it', function () {
    const rules = '*nat\n:INPUT ACCEPT [0:0]\n-A INPUT -j LOG\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p udp -j ACCEPT\nCOMMIT\n';
    const tcp = run(rules, 'tcp 10.0.0.1:1 -> 10.0.0.2:2 flags SYN in eth0');
    assert.equal(tcp.verdict, 'DROP');
    assert.ok(!tcp.branches[0]!.steps.some((s) => s.table === 'nat' && s.chain === 'INPUT'), 'nat INPUT is not reached');
    const udp = run(rules, 'udp 10.0.0.1:1 -> 10.0.0.2:2 in eth0');
    assert.deepEqual(udp.branches[0]!.steps.filter((s) => s.kind === 'rule').map((s) => `${s.table}/${s.chain}`), ['filter/INPUT', 'nat/INPUT']);
  });

  it('--tcp-flags compares the flags under the mask with the comparison as written', function () {
    // ACK is outside the mask SYN,RST, so (flags & SYN,RST) == ACK never holds (xt_tcpudp.c)
    const rules = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --tcp-flags SYN,RST ACK -j DROP\n-A INPUT -p tcp ! --tcp-flags PSH ACK -j LOG\nCOMMIT\n';
    const t = run(rules, 'tcp 10.0.0.1:1 -> 10.0.0.2:2 flags ACK in eth0');
    assert.equal(t.verdict, 'ACCEPT');
    assert.deepEqual(matchedLines(t), [4]);
  });

  it('decides -m tos (value/mask, names with mask 0x3f) and -m dscp --dscp-class', function () {
    const rules =
      '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m tos --tos 0x10\n-A INPUT -m tos --tos Minimize-Delay\n-A INPUT -m tos ! --tos 0x10/0x3f\n-A INPUT -m dscp --dscp-class AF11\n-A INPUT -m dscp --dscp 0x0a\nCOMMIT\n';
    const lines = (tos: number) => {
      const t = run(rules, `udp 10.0.0.1:1 -> 10.0.0.2:2 in eth0 tos ${tos}`);
      assert.equal(t.branches.length, 1, 'no fork: every condition is decided');
      return matchedLines(t);
    };
    assert.deepEqual(lines(0x10), [3, 4]);
    assert.deepEqual(lines(0x50), [4], 'the name looks at the low six bits only');
    assert.deepEqual(lines(0x29), [5, 6, 7], 'AF11 is DSCP 10: TOS 0x28-0x2b');
  });

  it('-m mark: a value outside its mask never matches; sparse masks are still decided', function () {
    const rules = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m mark --mark 0x10/0xf\n-A INPUT -m mark --mark 0x10/0xf0f0f0f0\n-A INPUT -m mark ! --mark 0x1/0xf0f0f0f1\nCOMMIT\n';
    const t = run(rules, 'udp 10.0.0.1:1 -> 10.0.0.2:2 in eth0 mark 0x10');
    assert.equal(t.branches.length, 1);
    assert.deepEqual(matchedLines(t), [4, 5]);
  });

  it('MARK --and-mark, --or-mark and --xor-mark change the mark as the kernel does', function () {
    const rules =
      '*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-mark 0xff\n-A PREROUTING -j MARK --and-mark 0x0f\n-A PREROUTING -j MARK --or-mark 0x100\n-A PREROUTING -j MARK --xor-mark 0x101\n-A PREROUTING -m mark --mark 0x0e\nCOMMIT\n';
    const t = run(rules, 'udp 10.0.0.1:1 -> 10.0.0.2:2 in eth0');
    assert.deepEqual(t.branches[0]!.steps.filter((s) => s.kind === 'rule' && s.effect).map((s) => s.effect), ['mark is now 0xff', 'mark is now 0xf', 'mark is now 0x10f', 'mark is now 0xe']);
    assert.deepEqual(matchedLines(t), [3, 4, 5, 6, 7]);
  });

  it('a rule with address lists meets the packet once per address pair it is in, as the kernel rules iptables makes of it', function () {
    const rules =
      '*mangle\n:PREROUTING ACCEPT [0:0]\n:C - [0:0]\n-A PREROUTING -s 10.0.0.0/8,10.0.0.1 -j LOG\n-A PREROUTING -s 10.0.0.1,192.0.2.1 -d 10.0.0.0/8,10.0.0.2 -j C\n-A PREROUTING -s 10.0.0.0/8,10.0.0.1 -j MARK --xor-mark 0x1\n-A PREROUTING -s 10.0.0.0/8,10.0.0.1 -m mark --mark 0 -j MARK --set-mark 0x5\n-A C -j RETURN\nCOMMIT\n';
    const t = run(rules, 'udp 10.0.0.1:1 -> 10.0.0.2:2 in eth0');
    // LOG twice; C entered for (10.0.0.1, 10.0.0.0/8) and (10.0.0.1, 10.0.0.2); the xor flips twice;
    // the set-mark fires once: after it the mark is 5 and the second pair no longer matches
    assert.deepEqual(matchedLines(t), [4, 4, 5, 8, 5, 8, 6, 6, 7]);
    assert.equal(t.branches[0]!.steps.filter((s) => s.effect?.startsWith('mark')).at(-1)!.effect, 'mark is now 0x5');
  });

  it('--ctproto holds only for packets with a conntrack entry, unless --ctstate in the same match lets them through', function () {
    const rules =
      '*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m conntrack --ctproto tcp\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctproto tcp\n-A INPUT -m conntrack ! --ctproto udp\n-A INPUT -m conntrack --ctstate INVALID,NEW --ctproto udp\nCOMMIT\n';
    // a SYN: NEW, an entry of protocol tcp (but in raw conntrack has not looked yet: no entry)
    assert.deepEqual(matchedLines(run(rules, 'tcp 10.0.0.1:1 -> 10.0.0.2:2 flags SYN in eth0')), [7, 8]);
    // a lone FIN: INVALID, no entry: only the rule with --ctstate INVALID matches, its --ctproto aside
    assert.deepEqual(matchedLines(run(rules, 'tcp 10.0.0.1:1 -> 10.0.0.2:2 flags FIN in eth0')), [9]);
    // an ICMP error RELATED to some connection: its protocol is that connection's, not ICMP: a fork
    const rel = run(rules, 'icmp 10.0.0.1 -> 10.0.0.2 type 3/3 in eth0', { state: 'RELATED' });
    assert.equal(rel.branches.length > 1, true);
  });

  it('IPv4 --icmp-type 255 is `any` (ip_tables.c), for ICMPv6 just type 255', function () {
    const v4 = run('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p icmp --icmp-type 255 -j DROP\nCOMMIT\n', 'icmp 10.0.0.1 -> 10.0.0.2 type 8 in eth0');
    assert.equal(v4.verdict, 'DROP');
    const v6 = trace(parseRuleset('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p icmpv6 --icmpv6-type 255 -j DROP\nCOMMIT\n', { family: 'ipv6' }), parsePacketSpec('icmpv6 fd00::1 -> fd00::2 type 128 in eth0') as never);
    assert.equal(v6.verdict, 'ACCEPT');
  });

  it('names the part of a packet text it cannot read', function () {
    const bad = (s: string) => {
      const r = parsePacketSpec(s);
      assert.ok('error' in r, `expected an error for ${s}`);
      return r;
    };
    assert.match(bad('tcp 1.2.3.4:1 => 5.6.7.8:2').error, /expected `->`/);
    assert.match(bad('tcp 1.2.3.4:1 -> 5.6.7.8:99999').error, /port `99999`/);
    assert.match(bad('tcp 1.2.3.4:1 -> 5.6.7.8:2 flags ACK,FOO').error, /`FOO` is not a TCP flag/);
    assert.match(bad('tcp 1.2.3.4:1 -> 5.6.7.8:2 sideways eth0').error, /`sideways` is not understood/);
    const r = bad('tcp 1.2.3.4:1 -> nowhere:2');
    assert.equal('tcp 1.2.3.4:1 -> nowhere:2'.slice(r.start, r.end), 'nowhere:2');
    const v6 = parsePacketSpec('udp [2001:db8::1]:5353 -> [ff02::fb]:5353 in eth0');
    assert.ok(!('error' in v6) && v6.family === 'ipv6' && v6.dport === 5353);
  });
});
