/**
 * Stories 1 and 2 (SCENARIOS.md), judged by the kernel: the late teardown packets of a connection
 * conntrack has forgotten are INVALID, fall past the ESTABLISHED and NEW accepts and are counted by
 * the LOG rule; after the project's quick fix for iptables-lens/log-invalid (the edit the language
 * service returns, applied to the text) the LOG rule counts nothing, the inserted DROP counts them,
 * and a new connection to the open port still works.
 *
 * B (10.200.0.2) runs the user's ruleset and a real listener; A (10.200.0.1) opens a real TCP
 * connection, the server closes it, conntrack forgets it (`conntrack -D`, as its timeout would),
 * and A sends the late FIN ACK, ACK RST and RST of the story's log with a raw socket.
 */
import { strict as assert } from 'node:assert';
import { fixture } from '../support/fixtures';
import { codesOf, countsOf, serviceFix, settled } from '../support/kernel-fixes';
import { conntrackDelete, conntrackFlush, conntrackList, type NsPair, restore, setSysctl, useNamespacePair, waitUntil, zeroCounters } from '../support/netns';
import { openTcpConnection, sendPackets, sendTcp, type TcpFlag } from '../support/packets';

const STORY1 = fixture('story1.rules');
const STORY2 = fixture('story2.rules');

/** The flag sets of story 1's log (late teardown packets), then one INVALID packet that is no teardown. */
const TEARDOWN: readonly (readonly TcpFlag[])[] = [['ACK', 'FIN'], ['ACK', 'RST'], ['RST']];
const NOT_TEARDOWN: readonly TcpFlag[] = ['SYN', 'ACK']; // a SYN ACK nobody asked for: INVALID (sNO->sIV)

/**
 * A real connection A -> B:port that B closes first (keep-alive timeout), A acknowledges, and
 * conntrack forgets; then, with B's counters zeroed, A's late packets, one per flag set in `flags`,
 * from the connection's own ports. `measure` reads B's counters once they settle. Afterwards A's
 * socket is aborted (one RST, after the measurement), so that no FIN of A's keeps being
 * retransmitted into later tests.
 */
async function lateTeardown<T>(pair: NsPair, port: number, flags: readonly (readonly TcpFlag[])[], measure: () => T): Promise<T> {
  const { a, b } = pair;
  const conn = await openTcpConnection(a, b, { port, timeout: 2 });
  try {
    await conn.client.send('GET / HTTP/1.1\r\nHost: b\r\n\r\n');
    assert.match((await conn.server.recv(1)).data, /^GET \//);
    await conn.server.send('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.match((await conn.client.recv(1)).data, /200 OK/);
    await conn.server.shutdown(); // the server's FIN ACK
    assert.equal((await conn.client.recv(1)).eof, true, 'the client sees the server close');
    // wait for the client's ACK of that FIN to pass conntrack, or it would arrive after the entry is
    // gone and, as a mid-stream ACK, be NEW and pick the connection up again. CLOSE_WAIT is the usual
    // state; TIME_WAIT also says the client acknowledged the server's FIN (conntrack gets there
    // from LAST_ACK only on an ACK, e.g. when the server's FIN was sent again before the ACK came
    // back), and nothing of this connection is left in flight either way.
    const entry = () => conntrackList(b.ns, 'ipv4').find((e) => e.orig.sport === conn.clientPort && e.orig.dport === port);
    const acknowledged = (state: string | undefined) => state === 'CLOSE_WAIT' || state === 'TIME_WAIT';
    if (!waitUntil(() => acknowledged(entry()?.state), 5000)) {
      const client = await conn.client.info().catch((e: Error) => ({ state: `unknown (${e.message})` }));
      assert.fail(`conntrack never saw the client's ACK of the server's FIN: entry ${entry()?.raw ?? 'gone'}; client socket ${client.state}`);
    }
    assert.equal(conntrackDelete(b.ns, { family: 'ipv4', proto: 'tcp', src: a.ip4, sport: conn.clientPort, dport: port }), 1, 'conntrack forgets the connection');
    zeroCounters(b.ns);
    sendPackets(
      a,
      flags.map((f, i) => ({ proto: 'tcp' as const, dst: b.ip4, sport: conn.clientPort, dport: port, flags: f, seq: 100_000 + i, ack: f.includes('ACK') ? 200_000 : 0 })),
    );
    const result = settled(measure);
    await conn.client.reset();
    return result;
  } finally {
    await conn.dispose();
  }
}

/** A new connection to the open port, with data both ways. */
async function newConnectionWorks(pair: NsPair, port: number): Promise<void> {
  const conn = await openTcpConnection(pair.a, pair.b, { port, timeout: 2 });
  try {
    await conn.client.send('ping');
    assert.equal((await conn.server.recv(1)).data, 'ping');
    await conn.server.send('pong');
    assert.equal((await conn.client.recv(1)).data, 'pong');
  } finally {
    await conn.dispose();
  }
}

interface StoryCase {
  readonly name: string;
  readonly rules: string;
  readonly port: number;
  /** Chain and rule pattern of the LOG rule. */
  readonly log: [string, RegExp];
  /** The chain the fix inserts into. */
  readonly entryChain: string;
}

const CASES: readonly StoryCase[] = [
  { name: 'story 1 (LOG in LOGDROPIN, reached by a jump; port 80)', rules: STORY1, port: 80, log: ['LOGDROPIN', /-j LOG/], entryChain: 'INPUT' },
  { name: 'story 2 (LOG in INPUT itself; multiport 80,443, port 443)', rules: STORY2, port: 443, log: ['INPUT', /-j LOG/], entryChain: 'INPUT' },
];

describe('kernel: stories 1 and 2, iptables-lens/log-invalid and its quick fixes', function () {
  this.timeout(60_000);
  const ctx = useNamespacePair({ tag: 'li', ipv6: false });

  beforeEach(function () {
    setSysctl(ctx.pair.b.ns, 'net.netfilter.nf_conntrack_tcp_loose', 1);
    conntrackFlush(ctx.pair.b.ns);
  });

  for (const c of CASES) {
    describe(c.name, function () {
      it('before the fix: the check fires, and the late FIN ACK, ACK RST and RST are counted by the LOG rule', async function () {
        assert.ok(codesOf(c.rules).includes('log-invalid'));
        const r = restore(ctx.pair.b.ns, c.rules);
        assert.ok(r.ok, r.stderr);
        await newConnectionWorks(ctx.pair, c.port);
        const after = await lateTeardown(ctx.pair, c.port, [...TEARDOWN, NOT_TEARDOWN], () => countsOf(ctx.pair.b.ns, { log: c.log }));
        console.log(`      LOG counter: 0 -> ${after.log} for ${TEARDOWN.length} late teardown packets and one stray SYN ACK`);
        assert.equal(after.log, TEARDOWN.length + 1, 'every INVALID packet reaches the LOG rule');
      });

      for (const variant of ['preferred', 'teardown-only'] as const) {
        it(`after the ${variant} quick fix: nothing teardown-like is logged, the inserted DROP counts it, port ${c.port} still opens, other ports are still logged`, async function () {
          const fix = serviceFix(c.rules, 'log-invalid', variant === 'preferred' ? (a) => !!a.preferred : (a) => /teardown/.test(a.title));
          assert.ok(!codesOf(fix.text).includes('log-invalid') || variant === 'teardown-only', `log-invalid still fires after "${fix.title}"`);
          const r = restore(ctx.pair.b.ns, fix.text);
          assert.ok(r.ok, `the fixed ruleset does not load: ${r.stderr}\n${fix.text}`);
          const spec: Record<string, [string, RegExp]> =
            variant === 'preferred'
              ? { log: c.log, drop: [c.entryChain, /^-A \S+ -m conntrack --ctstate INVALID -j DROP$/] }
              : { log: c.log, fin: [c.entryChain, /--ctstate INVALID .*--tcp-flags FIN FIN -j DROP$/], rst: [c.entryChain, /--ctstate INVALID .*--tcp-flags RST RST -j DROP$/] };
          await newConnectionWorks(ctx.pair, c.port);
          const zero = countsOf(ctx.pair.b.ns, spec);
          assert.ok(Object.values(zero).every((n) => n === 0), `a clean connection touches none of these rules: ${JSON.stringify(zero)}`);
          const late = await lateTeardown(ctx.pair, c.port, TEARDOWN, () => countsOf(ctx.pair.b.ns, spec));
          console.log(`      ${variant}: after ${TEARDOWN.length} late teardown packets ${JSON.stringify(late)}`);
          assert.equal(late.log, 0, 'the LOG rule counts none of them');
          if (variant === 'preferred') assert.equal(late['drop'], TEARDOWN.length);
          else assert.deepEqual([late['fin'], late['rst']], [1, 2], 'FIN ACK by the FIN rule; ACK RST and RST by the RST rule');
          if (variant === 'teardown-only') {
            // other INVALID traffic is still worth a line: a stray SYN ACK reaches the LOG rule
            const stray = await lateTeardown(ctx.pair, c.port, [NOT_TEARDOWN], () => countsOf(ctx.pair.b.ns, { log: c.log }));
            assert.equal(stray.log, 1, 'the stray SYN ACK is still logged');
          }
          await newConnectionWorks(ctx.pair, c.port);
          // what the LOG rule is for still reaches it: a connection attempt to a closed port
          zeroCounters(ctx.pair.b.ns);
          sendTcp(ctx.pair.a, { dst: ctx.pair.b.ip4, sport: 45000, dport: 8080, flags: ['SYN'], seq: 1 });
          assert.equal(settled(() => countsOf(ctx.pair.b.ns, { log: c.log })).log, 1, 'a SYN to a closed port is still logged');
        });
      }
    });
  }
});
