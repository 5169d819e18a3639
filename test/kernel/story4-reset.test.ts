/**
 * Story 4 (SCENARIOS.md), judged by the kernel: "I blocked the IP, but the existing connection
 * still works".
 *
 * - iptables-lens/ban-after-established: a ban below the ESTABLISHED accept leaves an existing
 *   connection working (data still flows); after the project's quick fix (the ban moved above the
 *   accept) it does not, and with the reject-without-tcp-reset quick fix on top, the peer's socket
 *   is reset at once instead of retransmitting.
 * - iptables-lens/reset-swallowed: the RST that `REJECT --reject-with tcp-reset` sends leaves
 *   through OUTPUT as RELATED (the kernel attaches the rejected packet's conntrack entry to it);
 *   `-A OUTPUT -d <peer> -j REJECT` stops it and A never sees it; without that rule, or with a
 *   RELATED accept in front of it, A does.
 *
 * A (10.200.0.1) counts the resets it receives from B with a rule in its own INPUT.
 */
import { strict as assert } from 'node:assert';
import { findings } from '../support/analyse';
import { codesOf, countsOf, serviceFix, settled } from '../support/kernel-fixes';
import { conntrackFlush, type NsPair, restore, setSysctl, useNamespacePair, waitUntil, zeroCounters } from '../support/netns';
import { openTcpConnection, sendTcp, sendUdp, type TcpConnection } from '../support/packets';

const A = '10.200.0.1';
const B = '10.200.0.2';
const PORT = 5432;

/** A's own rules: count every RST that comes from B (nothing else). */
const A_RULES = `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s ${B}/32 -p tcp -m tcp --tcp-flags RST RST
COMMIT
`;
const A_RST: [string, RegExp] = ['INPUT', /--tcp-flags RST RST$/];

/** B with no rules: connections are opened before a ban is loaded (the ban comes later). */
const OPEN = '*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';

/** examples/ban.rules, INPUT half, with A as the banned address. */
const BAN_AFTER = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport ${PORT} -j ACCEPT
-A INPUT -s ${A}/32 -j REJECT
COMMIT
`;

/** Story 4's two rules. The first two OUTPUT rules only count the resets that leave, by ctstate. */
const SWALLOWED = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s ${A}/32 -p tcp -j REJECT --reject-with tcp-reset
-A OUTPUT -p tcp -m conntrack --ctstate RELATED -m tcp --tcp-flags RST RST
-A OUTPUT -p tcp -m conntrack --ctstate INVALID -m tcp --tcp-flags RST RST
-A OUTPUT -d ${A}/32 -j REJECT
COMMIT
`;
const RELATED_RST: [string, RegExp] = ['OUTPUT', /--ctstate RELATED -m tcp --tcp-flags RST RST$/];
const INVALID_RST: [string, RegExp] = ['OUTPUT', /--ctstate INVALID -m tcp --tcp-flags RST RST$/];
const INPUT_REJECT: [string, RegExp] = ['INPUT', /--reject-with tcp-reset$/];

/** The two ways out that the check's documentation gives. */
const FIXED: Record<string, string> = {
  'ban only in INPUT': SWALLOWED.replace(`-A OUTPUT -d ${A}/32 -j REJECT\n`, ''),
  'RELATED accept before the OUTPUT ban': SWALLOWED.replace(`-A OUTPUT -d ${A}/32 -j REJECT\n`, `-A OUTPUT -m conntrack --ctstate RELATED -j ACCEPT\n-A OUTPUT -d ${A}/32 -j REJECT\n`),
};

function load(ns: string, text: string): void {
  const r = restore(ns, text);
  assert.ok(r.ok, `${r.stderr}\n${text}`);
}

/** A connection A -> B:PORT that works (opened while B has no rules). */
async function established(pair: NsPair): Promise<TcpConnection> {
  load(pair.b.ns, OPEN);
  const conn = await openTcpConnection(pair.a, pair.b, { port: PORT, timeout: 2 });
  await conn.client.send('hello');
  assert.equal((await conn.server.recv(1)).data, 'hello');
  return conn;
}

/**
 * End both sockets with RST at once (SO_LINGER 0), so that no FIN of either side is retransmitted
 * into the next test's counters, then the helpers.
 */
async function abort(conn: TcpConnection): Promise<void> {
  await Promise.all([conn.client.reset().catch(() => undefined), conn.server.reset().catch(() => undefined)]);
  await conn.dispose();
}

/** A sends on the connection: what B receives and what A's socket sees within `waitS` seconds. */
async function exchange(conn: TcpConnection, waitS = 0.6): Promise<{ received: string; reset: boolean }> {
  await conn.client.send('still there?');
  const [server, client] = await Promise.all([conn.server.recv(waitS), conn.client.recv(waitS)]);
  return { received: server.data, reset: client.reset };
}

describe('kernel: story 4, bans, REJECT and the resets OUTPUT swallows', function () {
  this.timeout(60_000);
  const ctx = useNamespacePair({ tag: 'rs', ipv6: false });

  beforeEach(function () {
    const { a, b } = ctx.pair;
    load(a.ns, A_RULES);
    setSysctl(b.ns, 'net.netfilter.nf_conntrack_tcp_loose', 1);
    conntrackFlush(b.ns);
  });

  describe('ban-after-established', function () {
    it('a ban below the ESTABLISHED accept: the existing connection keeps working (the check fires)', async function () {
      assert.ok(codesOf(BAN_AFTER).includes('ban-after-established'));
      const conn = await established(ctx.pair);
      try {
        load(ctx.pair.b.ns, BAN_AFTER);
        const r = await exchange(conn);
        console.log(`      ban after the accept: B received ${JSON.stringify(r.received)}, A reset: ${r.reset}`);
        assert.deepEqual(r, { received: 'still there?', reset: false });
      } finally {
        await abort(conn);
      }
    });

    it('after the quick fix (ban moved above the accept): nothing gets through, but A is not told (ICMP only) and keeps retransmitting', async function () {
      const fix = serviceFix(BAN_AFTER, 'ban-after-established');
      assert.ok(!codesOf(fix.text).includes('ban-after-established'), fix.text);
      const conn = await established(ctx.pair);
      try {
        zeroCounters(ctx.pair.a.ns);
        load(ctx.pair.b.ns, fix.text);
        const r = await exchange(conn);
        const rst = settled(() => countsOf(ctx.pair.a.ns, { rst: A_RST }));
        const banned = countsOf(ctx.pair.b.ns, { ban: ['INPUT', /-s 10\.200\.0\.1\/32 -j REJECT/] });
        console.log(`      "${fix.title}": B received ${JSON.stringify(r.received)}, A reset: ${r.reset}, ban counted ${banned.ban} (retransmissions), RSTs at A: ${rst.rst}`);
        assert.deepEqual(r, { received: '', reset: false });
        assert.ok(banned.ban >= 2, 'A retransmits into the ban');
        assert.equal(rst.rst, 0);
      } finally {
        await abort(conn); // A's socket would retransmit for minutes
      }
    });

    it('after the ban fix and the reject-without-tcp-reset fix: the connection is reset at once; the original REJECT sees no TCP (the hint is gone)', async function () {
      const moved = serviceFix(BAN_AFTER, 'ban-after-established').text;
      const fix = serviceFix(moved, 'reject-without-tcp-reset');
      assert.deepEqual(codesOf(fix.text).filter((c) => c === 'ban-after-established' || c === 'reject-without-tcp-reset'), [], fix.text);
      const rules = { copy: ['INPUT', /-p tcp -j REJECT --reject-with tcp-reset$/], original: ['INPUT', /-s 10\.200\.0\.1\/32 -j REJECT --reject-with icmp-port-unreachable$/] } as Record<string, [string, RegExp]>;
      const conn = await established(ctx.pair);
      try {
        zeroCounters(ctx.pair.a.ns);
        load(ctx.pair.b.ns, fix.text);
        const r = await exchange(conn);
        const rst = settled(() => countsOf(ctx.pair.a.ns, { rst: A_RST }));
        const b = countsOf(ctx.pair.b.ns, rules);
        console.log(`      "${fix.title}": B received ${JSON.stringify(r.received)}, A reset: ${r.reset}, RSTs at A: ${rst.rst}, TCP copy ${b.copy}, original ${b.original}`);
        assert.deepEqual(r, { received: '', reset: true });
        assert.deepEqual([rst.rst, b.copy, b.original], [1, 1, 0]);
        // the original still answers the rest (UDP) with ICMP
        sendUdp(ctx.pair.a, { dst: B, sport: 40000, dport: 5353, payload: 'x' });
        assert.deepEqual(settled(() => countsOf(ctx.pair.b.ns, rules)), { copy: 1, original: 1 });
      } finally {
        await abort(conn);
      }
    });
  });

  describe('reset-swallowed', function () {
    it('the check fires on story 4\'s rules and not on either way out', function () {
      assert.equal(findings(SWALLOWED, 'reset-swallowed').length, 1);
      for (const [name, text] of Object.entries(FIXED)) assert.deepEqual(findings(text, 'reset-swallowed'), [], name);
    });

    it('established connection: the RST leaves INPUT\'s REJECT as RELATED and OUTPUT\'s REJECT swallows it; A is never told', async function () {
      const conn = await established(ctx.pair);
      try {
        zeroCounters(ctx.pair.a.ns);
        load(ctx.pair.b.ns, SWALLOWED);
        const r = await exchange(conn);
        const b = settled(() => countsOf(ctx.pair.b.ns, { rejected: INPUT_REJECT, related: RELATED_RST }));
        const a = countsOf(ctx.pair.a.ns, { rst: A_RST });
        console.log(`      swallowed: INPUT REJECT ${b.rejected}, RELATED RSTs in OUTPUT ${b.related}, RSTs at A ${a.rst}, A reset: ${r.reset}`);
        assert.ok(b.rejected >= 1);
        assert.equal(b.related, b.rejected, 'every reset REJECT sends is RELATED in OUTPUT');
        assert.equal(a.rst, 0, 'no reset reaches A');
        assert.deepEqual(r, { received: '', reset: false });
      } finally {
        await abort(conn);
      }
    });

    for (const [name, text] of Object.entries(FIXED)) {
      it(`established connection, ${name}: the RST reaches A and its socket is reset`, async function () {
        const conn = await established(ctx.pair);
        try {
          zeroCounters(ctx.pair.a.ns);
          load(ctx.pair.b.ns, text);
          const r = await exchange(conn);
          const b = settled(() => countsOf(ctx.pair.b.ns, { rejected: INPUT_REJECT, related: RELATED_RST }));
          const a = countsOf(ctx.pair.a.ns, { rst: A_RST });
          console.log(`      ${name}: INPUT REJECT ${b.rejected}, RELATED RSTs in OUTPUT ${b.related}, RSTs at A ${a.rst}, A reset: ${r.reset}`);
          assert.deepEqual([b.rejected, b.related, a.rst], [1, 1, 1]);
          assert.deepEqual(r, { received: '', reset: true });
        } finally {
          await abort(conn);
        }
      });
    }

    it('crafted packets: the reset for a fresh SYN is RELATED (swallowed, let out by both fixes); for a late FIN ACK it is INVALID (only leaving OUTPUT alone lets it out)', function () {
      const { a, b } = ctx.pair;
      const results: Record<string, Record<string, { related: number; invalid: number; atA: number }>> = {};
      let sport = 46000;
      for (const [probe, flags] of [['SYN', ['SYN']], ['late FIN ACK', ['ACK', 'FIN']]] as const) {
        for (const [name, text] of [['story 4', SWALLOWED], ...Object.entries(FIXED)] as const) {
          load(b.ns, text);
          zeroCounters(a.ns);
          sendTcp(a, { dst: B, sport: ++sport, dport: PORT, flags: [...flags], seq: 1, ack: (flags as readonly string[]).includes('ACK') ? 7 : 0 });
          assert.ok(waitUntil(() => countsOf(b.ns, { rejected: INPUT_REJECT }).rejected === 1), `${probe}: INPUT's REJECT did not count it`);
          const cb = settled(() => countsOf(b.ns, { related: RELATED_RST, invalid: INVALID_RST }));
          (results[probe] ??= {})[name] = { ...cb, atA: settled(() => countsOf(a.ns, { rst: A_RST })).rst };
        }
      }
      console.log(`      crafted: ${JSON.stringify(results)}`);
      assert.deepEqual(results, {
        SYN: {
          'story 4': { related: 1, invalid: 0, atA: 0 },
          'ban only in INPUT': { related: 1, invalid: 0, atA: 1 },
          'RELATED accept before the OUTPUT ban': { related: 1, invalid: 0, atA: 1 },
        },
        // no conntrack entry behind the FIN ACK: nothing to attach, the RST is judged on its own
        'late FIN ACK': {
          'story 4': { related: 0, invalid: 1, atA: 0 },
          'ban only in INPUT': { related: 0, invalid: 1, atA: 1 },
          'RELATED accept before the OUTPUT ban': { related: 0, invalid: 1, atA: 0 },
        },
      });
    });
  });
});
