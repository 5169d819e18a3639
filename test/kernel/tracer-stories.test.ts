/**
 * The five stories of SCENARIOS.md, traced by the tracer and judged by the kernel: each story's
 * ruleset loaded in B (adapted to the namespace addresses: the admin and the banned peer are A,
 * 10.200.0.1), the story's packets sent for real (real connections where the story has one,
 * closed, expired or forgotten as in the story; crafted segments from a raw socket for the late
 * ones), and after each packet the rule and policy counters B shows must be the rules the
 * tracer's path marks matched, and the verdict the same (a `delivered` sentinel at the end of
 * INPUT). Where the kernel answers a packet (B's SYN ACK, a REJECT's reset, the ICMP error that
 * rejecting the reset produces), those packets are traced too and counted with it.
 *
 * Every ruleset gets two sentinels that the tracer reads as well: the first rule of raw
 * PREROUTING counts what arrives on vB, a rule in security INPUT counts what got through.
 */
import { strict as assert } from 'node:assert';
import { parsePacketSpec } from '../../server/src/analysis/packet';
import { trace, type TraceOptions, type TraceResult } from '../../server/src/analysis/tracer';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { traceText } from '../../cli/src/commands/trace';
import { fixture } from '../support/fixtures';
import { conntrackDelete, conntrackFlush, conntrackList, type NsPair, restore, setSysctl, sleepMs, useNamespacePair, waitUntil } from '../support/netns';
import { openTcpConnection, sendPackets, type TcpFlag, type TcpPacket } from '../support/packets';
import { compareCounts, counterDelta, type Counters, expectedCounts, OPEN_TABLES, PRIMING_RULES, readCounters } from '../support/tracer-kernel';

const A = '10.200.0.1';
const B = '10.200.0.2';
/** Ports A uses for crafted segments; A drops whatever B sends back to them, so A never resets them. */
const CRAFTED = { first: 20000, last: 20999 };

const ARRIVAL = '-A PREROUTING -i vB -m comment --comment arrival';
const DELIVERED = '*security\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED -m comment --comment delivered\nCOMMIT\n';

/** The story's rules (iptables-save form) with the two sentinels. */
function withSentinels(rules: string): string {
  const text = rules.endsWith('\n') ? rules : `${rules}\n`;
  const raw = /^\*raw\n((?::.*\n)*)/m.exec(text);
  const body = raw ? text.replace(raw[0], `*raw\n${raw[1]}${ARRIVAL}\n`) : `*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${ARRIVAL}\nCOMMIT\n${text}`;
  return body + DELIVERED;
}

interface Sent {
  /** The packet in the tracer's short text form. */
  readonly spec: string;
  readonly opts?: TraceOptions;
}

function traceOf(text: string, s: Sent): TraceResult {
  const p = parsePacketSpec(s.spec);
  if ('error' in p) throw new Error(`${s.spec}: ${p.error}`);
  return trace(parseRuleset(text, { family: 'ipv4' }), p, s.opts ?? {});
}

/** Wait until `arrivals` packets have reached raw PREROUTING on vB and the counters stand still. */
function settle(pair: NsPair, text: string, before: Counters, arrivals: number): Counters {
  let now = readCounters(pair, text);
  waitUntil(() => counterDelta((now = readCounters(pair, text)), before).arrivals >= arrivals, 3000, 5);
  for (let i = 0; i < 20; i++) {
    sleepMs(25);
    const again = readCounters(pair, text);
    if (JSON.stringify([...again.rules, ...again.policies]) === JSON.stringify([...now.rules, ...now.policies])) return again;
    now = again;
  }
  return now;
}

/**
 * Send (or let happen) what `act` does, then compare what B counted with the tracer's paths for
 * `packets`: matched rules and policies with their multiplicity, and the packets delivered.
 */
async function judge(pair: NsPair, text: string, packets: readonly Sent[], act: () => unknown, arrivals = 1): Promise<TraceResult[]> {
  const before = readCounters(pair, text);
  await act();
  return judgeSince(pair, text, before, packets, arrivals);
}

function judgeSince(pair: NsPair, text: string, before: Counters, packets: readonly Sent[], arrivals: number): TraceResult[] {
  const after = settle(pair, text, before, arrivals);
  const got = counterDelta(after, before);
  const traces = packets.map((s) => traceOf(text, s));
  const want = expectedCounts(traces);
  // policies: only of the tables the story loads, on the hooks the traced packets cross
  const tables = [...parseRuleset(text, { family: 'ipv4' }).tables.keys()];
  const hooks = new Set(traces.flatMap((t) => t.hooks));
  const relevant = (k: string) => tables.some((t) => [...hooks].some((h) => k === `${t}/${h}:policy`));
  got.policies = new Map([...got.policies].filter(([k]) => relevant(k)));
  const diffs = compareCounts(want, got);
  assert.deepEqual(diffs, [], `the kernel disagrees with the tracer:\n${traces.map((t) => traceText(t)).join('\n')}`);
  assert.equal(got.arrivals, arrivals, 'the packets of this step, and no other, arrived on vB');
  return traces;
}

function load(pair: NsPair, text: string): void {
  assert.ok(restore(pair.b.ns, OPEN_TABLES).ok);
  const r = restore(pair.b.ns, text);
  assert.ok(r.ok, `the story's rules do not load: ${r.stderr}\n${text}`);
}

function craft(pair: NsPair, sport: number, dport: number, flags: readonly TcpFlag[], extra: Partial<TcpPacket> = {}): void {
  sendPackets(pair.a, [{ proto: 'tcp', dst: B, sport, dport, flags, seq: 1000, ack: flags.includes('ACK') ? 2000 : 0, ...extra }]);
}

/** A real TCP connection that B closes first and A acknowledges (conntrack: CLOSE_WAIT). */
async function serverClosed(pair: NsPair, port: number) {
  const conn = await openTcpConnection(pair.a, pair.b, { port, timeout: 2 });
  await conn.client.send('GET / HTTP/1.1\r\nHost: b\r\n\r\n');
  assert.match((await conn.server.recv(1)).data, /^GET \//);
  await conn.server.send('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  assert.match((await conn.client.recv(1)).data, /200 OK/);
  await conn.server.shutdown();
  assert.equal((await conn.client.recv(1)).eof, true);
  const entry = () => conntrackList(pair.b.ns, 'ipv4').find((e) => e.orig.sport === conn.clientPort && e.orig.dport === port);
  assert.ok(waitUntil(() => entry()?.state === 'CLOSE_WAIT'), `conntrack never saw the client's ACK of the server's FIN: ${entry()?.raw}`);
  return conn;
}

describe('kernel: the five stories, traced and counted', function () {
  this.timeout(120_000);
  const ctx = useNamespacePair({ tag: 'trstory', ipv6: false });

  before(function () {
    const r = restore(ctx.pair.a.ns, `*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport ${CRAFTED.first}:${CRAFTED.last} -j DROP\nCOMMIT\n`);
    assert.ok(r.ok, r.stderr);
  });
  beforeEach(function () {
    setSysctl(ctx.pair.b.ns, 'net.netfilter.nf_conntrack_tcp_loose', 1);
    conntrackFlush(ctx.pair.b.ns);
  });

  describe('story 1: port 80 is open, yet packets to port 80 are logged as blocked (CSF rules)', function () {
    const text = withSentinels(fixture('story1.rules'));

    it("a real connection's SYN is NEW and accepted, its handshake ACK ESTABLISHED and accepted", async function () {
      const { pair } = ctx;
      load(pair, text);
      const before = readCounters(pair, text);
      const conn = await openTcpConnection(pair.a, pair.b, { port: 80, timeout: 2 });
      try {
        const p = conn.clientPort;
        const traces = judgeSince(pair, text, before, [{ spec: `tcp ${A}:${p} -> ${B}:80 flags SYN in vB` }, { spec: `tcp ${A}:${p} -> ${B}:80 flags ACK in vB`, opts: { state: 'ESTABLISHED' } }], 2);
        assert.deepEqual(traces.map((t) => [t.ctstate, t.verdict]), [['NEW', 'ACCEPT'], ['ESTABLISHED', 'ACCEPT']]);
      } finally {
        await conn.dispose();
      }
    });

    it('after the server closed a keep-alive connection and conntrack forgot it, the late FIN ACK, ACK RST and RST are INVALID, logged and dropped', async function () {
      const { pair } = ctx;
      load(pair, text);
      const conn = await serverClosed(pair, 80);
      try {
        assert.equal(conntrackDelete(pair.b.ns, { family: 'ipv4', proto: 'tcp', src: A, sport: conn.clientPort, dport: 80 }), 1, 'conntrack forgets the connection');
        for (const flags of [['ACK', 'FIN'], ['ACK', 'RST'], ['RST']] as const) {
          const [t] = await judge(pair, text, [{ spec: `tcp ${A}:${conn.clientPort} -> ${B}:80 flags ${flags.join(',')} in vB` }], () => craft(pair, conn.clientPort, 80, flags, { seq: 100_000 }));
          assert.equal(t!.ctstate, 'INVALID');
          assert.equal(t!.verdict, 'DROP');
          assert.deepEqual(t!.branches[0]!.steps.filter((s) => s.kind === 'rule' && s.matched === true).map((s) => `${s.chain}#${s.position}`), ['PREROUTING#1', 'INPUT#3', 'LOGDROPIN#1', 'LOGDROPIN#2']);
        }
      } finally {
        // a plain close would send a FIN that B drops as INVALID, and A would retransmit it into
        // the next tests for minutes: the story itself. Reset instead (one RST, never repeated).
        await conn.client.reset();
        await conn.dispose();
      }
    });

    it('with the entry still there, the same FIN ACK is ESTABLISHED and accepted by the first rule', async function () {
      const { pair } = ctx;
      load(pair, text);
      const conn = await serverClosed(pair, 80);
      try {
        const [t] = await judge(pair, text, [{ spec: `tcp ${A}:${conn.clientPort} -> ${B}:80 flags ACK,FIN in vB`, opts: { state: 'ESTABLISHED' } }], () => conn.client.close());
        assert.equal(t!.verdict, 'ACCEPT');
      } finally {
        await conn.dispose();
      }
    });
  });

  describe('story 2: the same on port 443 (nginx, HTTPS only)', function () {
    const text = withSentinels(fixture('story2.rules').replace('-s 192.0.2.5/32', `-s ${A}/32`));
    const cases: [string, Sent, () => unknown, string][] = [
      ['a late RST with no entry: INVALID, logged, dropped', { spec: `tcp ${A}:20001 -> ${B}:443 flags RST in vB` }, () => craft(ctx.pair, 20001, 443, ['RST']), 'DROP'],
      ['a late ACK FIN: INVALID, logged, dropped', { spec: `tcp ${A}:20002 -> ${B}:443 flags ACK,FIN in vB` }, () => craft(ctx.pair, 20002, 443, ['ACK', 'FIN']), 'DROP'],
      ['a late ACK PSH: picked up mid-stream (loose=1), NEW, accepted by the multiport rule', { spec: `tcp ${A}:20003 -> ${B}:443 flags ACK,PSH in vB` }, () => craft(ctx.pair, 20003, 443, ['ACK', 'PSH']), 'ACCEPT'],
      ['an SSH SYN from the admin address: accepted', { spec: `tcp ${A}:20004 -> ${B}:22 flags SYN in vB` }, () => craft(ctx.pair, 20004, 22, ['SYN']), 'ACCEPT'],
      ['an SSH SYN from anyone else: logged, dropped', { spec: `tcp 10.200.0.7:20005 -> ${B}:22 flags SYN in vB` }, () => sendPackets(ctx.pair.a, [{ proto: 'tcp', src: '10.200.0.7', dst: B, sport: 20005, dport: 22, flags: ['SYN'] }]), 'DROP'],
      ['a ping: accepted', { spec: `icmp ${A} -> ${B} type 8 in vB` }, () => sendPackets(ctx.pair.a, [{ proto: 'icmp', dst: B, icmpType: 8 }]), 'ACCEPT'],
      ['NetBIOS on UDP 137: dropped before the LOG rule', { spec: `udp ${A}:20006 -> ${B}:137 in vB` }, () => sendPackets(ctx.pair.a, [{ proto: 'udp', dst: B, sport: 20006, dport: 137 }]), 'DROP'],
    ];
    for (const [name, sent, act, verdict] of cases) {
      it(name, async function () {
        load(ctx.pair, text);
        const [t] = await judge(ctx.pair, text, [sent], act);
        assert.equal(t!.verdict, verdict);
      });
    }
  });

  describe('story 3: pooled database connections die overnight (the entry expired)', function () {
    const text = withSentinels('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 2222 -m state --state NEW -j ACCEPT\n-A INPUT -p tcp --dport 2222 -m state --state NEW -m tcp --tcp-flags PSH PSH -j DROP\nCOMMIT\n');

    it('the next query after the ESTABLISHED timeout is NEW with loose=1 (accepted by the NEW rule) and INVALID with loose=0 (only the policy)', async function () {
      const { pair } = ctx;
      load(pair, text);
      const conn = await openTcpConnection(pair.a, pair.b, { port: 2222, timeout: 2 });
      try {
        // a quiet night, shortened: the entry's timeout is set by the last packet it saw
        setSysctl(pair.b.ns, 'net.netfilter.nf_conntrack_tcp_timeout_established', 2);
        await conn.client.send('SELECT 1');
        assert.equal((await conn.server.recv(1)).data, 'SELECT 1');
        const entry = () => conntrackList(pair.b.ns, 'ipv4').find((e) => e.orig.sport === conn.clientPort && e.orig.dport === 2222);
        assert.ok(waitUntil(() => !entry(), 15_000, 200), `the entry did not expire: ${entry()?.raw}`);
        setSysctl(pair.b.ns, 'net.netfilter.nf_conntrack_tcp_timeout_established', 432000);
        const spec = `tcp ${A}:${conn.clientPort} -> ${B}:2222 flags ACK,PSH in vB`;
        const [t1] = await judge(pair, text, [{ spec, opts: { loose: true } }], () => conn.client.send('SELECT 2'));
        assert.equal(t1!.ctstate, 'NEW');
        assert.equal((await conn.server.recv(1)).data, 'SELECT 2');
        // loose=0: conntrack does not pick the connection up again
        setSysctl(pair.b.ns, 'net.netfilter.nf_conntrack_tcp_loose', 0);
        conntrackDelete(pair.b.ns, { family: 'ipv4', proto: 'tcp', src: A, sport: conn.clientPort, dport: 2222 });
        const [t0] = await judge(pair, text, [{ spec, opts: { loose: false } }], () => conn.client.send('SELECT 3'));
        assert.equal(t0!.ctstate, 'INVALID');
        assert.equal(t0!.branches[0]!.decidedBy, undefined, 'no rule decides: the policy does');
      } finally {
        setSysctl(pair.b.ns, 'net.netfilter.nf_conntrack_tcp_timeout_established', 432000);
        await conn.dispose();
      }
    });
  });

  describe('story 4: "I blocked the IP, but the existing connection still works"', function () {
    it("the user's two bans: a new connection is rejected in INPUT, and the ICMP error that answers it is rejected in OUTPUT", async function () {
      const text = withSentinels(`*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s ${A}/32 -j REJECT\n-A OUTPUT -d ${A}/32 -j REJECT\nCOMMIT\n`);
      load(ctx.pair, text);
      const [syn] = await judge(
        ctx.pair,
        text,
        [{ spec: `tcp ${A}:20010 -> ${B}:2222 flags SYN in vB` }, { spec: `icmp ${B} -> ${A} type 3/3 out vB` }],
        () => craft(ctx.pair, 20010, 2222, ['SYN']),
      );
      assert.equal(syn!.verdict, 'REJECT');
    });

    it('a ban placed after the ESTABLISHED accept never applies to a connection that exists; a new one gets a reset', async function () {
      const { pair } = ctx;
      const accept = '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n';
      load(pair, withSentinels(`*filter\n:INPUT ACCEPT [0:0]\n${accept}COMMIT\n`));
      const conn = await openTcpConnection(pair.a, pair.b, { port: 2222, timeout: 2 });
      try {
        const text = withSentinels(`*filter\n:INPUT ACCEPT [0:0]\n${accept}-A INPUT -s ${A}/32 -p tcp -j REJECT --reject-with tcp-reset\n-A INPUT -s ${A}/32 -j REJECT\nCOMMIT\n`);
        load(pair, text);
        const [t] = await judge(pair, text, [{ spec: `tcp ${A}:${conn.clientPort} -> ${B}:2222 flags ACK,PSH in vB`, opts: { state: 'ESTABLISHED' } }], () => conn.client.send('still here'));
        assert.equal(t!.verdict, 'ACCEPT');
        assert.equal((await conn.server.recv(1)).data, 'still here', 'the banned peer still talks');
        const [syn] = await judge(pair, text, [{ spec: `tcp ${A}:20011 -> ${B}:2222 flags SYN in vB` }], () => craft(pair, 20011, 2222, ['SYN']));
        assert.equal(syn!.verdict, 'REJECT');
      } finally {
        await conn.dispose();
      }
    });

    it("a tcp-reset ban before the accept hits the connection, but OUTPUT rejects the reset, and the error about that comes back in on lo, RELATED", async function () {
      const { pair } = ctx;
      // a connection conntrack knows as ESTABLISHED, built from crafted segments (A never answers them)
      assert.ok(restore(pair.b.ns, PRIMING_RULES).ok);
      const [sport, iss, irs] = [20012, 5000, 9000];
      sendPackets(pair.a, [{ proto: 'tcp', dst: B, sport, dport: 2222, flags: ['SYN'], seq: iss }]);
      sendPackets(pair.b, [{ proto: 'tcp', src: B, dst: A, sport: 2222, dport: sport, flags: ['SYN', 'ACK'], seq: irs, ack: iss + 1 }]);
      sendPackets(pair.a, [{ proto: 'tcp', dst: B, sport, dport: 2222, flags: ['ACK'], seq: iss + 1, ack: irs + 1 }]);
      assert.equal(conntrackList(pair.b.ns, 'ipv4').find((e) => e.orig.sport === sport)?.state, 'ESTABLISHED');
      const text = withSentinels(
        `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s ${A}/32 -p tcp -j REJECT --reject-with tcp-reset\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A OUTPUT -d ${A}/32 -j REJECT\nCOMMIT\n`,
      );
      load(pair, text);
      const traces = await judge(
        pair,
        text,
        [
          { spec: `tcp ${A}:${sport} -> ${B}:2222 flags ACK,PSH in vB`, opts: { state: 'ESTABLISHED' } },
          // the reset REJECT sends (the kernel attaches the connection to it: RELATED)
          { spec: `tcp ${B}:2222 -> ${A}:${sport} flags RST out vB`, opts: { state: 'RELATED' } },
          // OUTPUT rejects the reset: an ICMP error about it, from B to B, goes out on lo and comes back in
          { spec: `icmp ${B} -> ${B} type 3/3 out lo`, opts: { state: 'RELATED' } },
          { spec: `icmp ${B} -> ${B} type 3/3 in lo`, opts: { state: 'RELATED' } },
        ],
        () => craft(pair, sport, 2222, ['ACK', 'PSH'], { seq: iss + 1, ack: irs + 1, payload: 'query' }),
      );
      assert.deepEqual(traces.map((t) => t.verdict), ['REJECT', 'REJECT', 'ACCEPT', 'ACCEPT']);
    });
  });

  describe('story 5: "nf_conntrack: table full": port 80 untracked in raw', function () {
    const rules = (states: string) =>
      withSentinels(
        `*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -m multiport --dports 80 -j NOTRACK\n-A OUTPUT -p tcp -m multiport --sports 80 -j NOTRACK\n-A PREROUTING -i lo -j NOTRACK\n-A OUTPUT -o lo -j NOTRACK\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m state --state ${states} -j ACCEPT\nCOMMIT\n`,
      );

    it('with UNTRACKED in the accept: a real connection to port 80 works, every packet untracked both ways, no entry', async function () {
      const { pair } = ctx;
      const text = rules('RELATED,ESTABLISHED,UNTRACKED');
      load(pair, text);
      const before = readCounters(pair, text);
      const conn = await openTcpConnection(pair.a, pair.b, { port: 80, timeout: 2 });
      try {
        const p = conn.clientPort;
        const traces = judgeSince(
          pair,
          text,
          before,
          [{ spec: `tcp ${A}:${p} -> ${B}:80 flags SYN in vB` }, { spec: `tcp ${B}:80 -> ${A}:${p} flags SYN,ACK out vB` }, { spec: `tcp ${A}:${p} -> ${B}:80 flags ACK in vB` }],
          2,
        );
        assert.deepEqual(traces.map((t) => t.branches[0]!.ctstate), ['UNTRACKED', 'UNTRACKED', 'UNTRACKED']);
        await conn.client.send('GET /');
        assert.equal((await conn.server.recv(1)).data, 'GET /');
        assert.equal(conntrackList(pair.b.ns, 'ipv4').filter((e) => e.orig.dport === 80 || e.orig.sport === 80).length, 0, 'conntrack holds no entry for port 80');
      } finally {
        await conn.dispose();
      }
    });

    it('without UNTRACKED: the NOTRACKed SYN is neither NEW nor ESTABLISHED and the policy drops it', async function () {
      const text = rules('RELATED,ESTABLISHED');
      load(ctx.pair, text);
      const [t] = await judge(ctx.pair, text, [{ spec: `tcp ${A}:20020 -> ${B}:80 flags SYN in vB` }], () => craft(ctx.pair, 20020, 80, ['SYN']));
      assert.equal(t!.branches[0]!.ctstate, 'UNTRACKED');
      assert.equal(t!.verdict, 'DROP');
    });

    it('a SYN to a port that is tracked is NEW, which the accept does not list: dropped', async function () {
      const text = rules('RELATED,ESTABLISHED,UNTRACKED');
      load(ctx.pair, text);
      const [t] = await judge(ctx.pair, text, [{ spec: `tcp ${A}:20021 -> ${B}:22 flags SYN in vB` }], () => craft(ctx.pair, 20021, 22, ['SYN']));
      assert.equal(t!.branches[0]!.ctstate, 'NEW');
      assert.equal(t!.verdict, 'DROP');
    });
  });
});
