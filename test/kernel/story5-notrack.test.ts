/**
 * Story 5 (SCENARIOS.md), judged by the kernel: exempting port 80 from connection tracking.
 *
 * - iptables-lens/notrack-without-untracked: with NOTRACK in the raw table and a filter INPUT that
 *   drops by default and accepts by state without UNTRACKED, a connection to port 80 fails; after
 *   the project's quick fix (UNTRACKED added to the state list) it works.
 * - iptables-lens/one-way-notrack: with only the PREROUTING rule (examples/notrack.rules), B's
 *   replies from port 80 still create conntrack entries (picked up mid-stream, never answered);
 *   with the mirrored OUTPUT rule the quick fix adds, B's table stays empty.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../support/corpus';
import { codesOf, countsOf, serviceFix, settled } from '../support/kernel-fixes';
import { type ConntrackEntry, conntrackFlush, conntrackList, type NsPair, restore, setSysctl, useNamespacePair, zeroCounters } from '../support/netns';
import { openTcpConnection, sendTcp, sendUdp } from '../support/packets';

/** Both directions untracked; the state accept lacks UNTRACKED. */
const BOTH_WAYS = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp -m multiport --dports 80 -j NOTRACK
-A OUTPUT -p tcp -m multiport --sports 80 -j NOTRACK
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
COMMIT
`;

/** The project's example: PREROUTING only, and the same state accept. */
const ONE_WAY = readFileSync(path.join(PROJECT_ROOT, 'examples', 'notrack.rules'), 'utf8');

function load(ns: string, text: string): void {
  const r = restore(ns, text);
  assert.ok(r.ok, `${r.stderr}\n${text}`);
}

/** A connection to B:80 with data both ways; false when it cannot be opened. */
async function talk(pair: NsPair): Promise<boolean> {
  let conn;
  try {
    conn = await openTcpConnection(pair.a, pair.b, { port: 80, timeout: 1 });
  } catch (e) {
    assert.match(String(e), /could not connect/);
    return false;
  }
  try {
    await conn.client.send('GET /');
    assert.equal((await conn.server.recv(1)).data, 'GET /');
    await conn.server.send('200 OK');
    assert.equal((await conn.client.recv(1)).data, '200 OK');
    return true;
  } finally {
    await conn.dispose();
  }
}

const port80 = (ns: string): ConntrackEntry[] => conntrackList(ns, 'ipv4').filter((e) => e.orig.sport === 80 || e.orig.dport === 80);

describe('kernel: story 5, NOTRACK needs UNTRACKED and both directions', function () {
  this.timeout(60_000);
  const ctx = useNamespacePair({ tag: 'nt', ipv6: false });

  beforeEach(function () {
    setSysctl(ctx.pair.b.ns, 'net.netfilter.nf_conntrack_tcp_loose', 1);
    conntrackFlush(ctx.pair.b.ns);
  });

  it('without UNTRACKED in the state accept, port 80 is unreachable (the check fires; the raw rule untracks the SYN, the policy drops it)', async function () {
    assert.deepEqual(codesOf(BOTH_WAYS).filter((c) => /notrack|untracked/.test(c)), ['notrack-without-untracked']);
    load(ctx.pair.b.ns, BOTH_WAYS);
    const ok = await talk(ctx.pair);
    const raw = countsOf(ctx.pair.b.ns, { notrack: ['PREROUTING', /--dports 80 -j NOTRACK/] }, { table: 'raw' });
    console.log(`      before: connection ${ok ? 'works' : 'fails'}, raw PREROUTING NOTRACK counted ${raw.notrack} (SYN and retransmissions)`);
    assert.equal(ok, false);
    assert.ok(raw.notrack >= 1);
    assert.deepEqual(port80(ctx.pair.b.ns), []);
  });

  it('after the quick fix (UNTRACKED in the state list) it works, and nothing is tracked', async function () {
    const fix = serviceFix(BOTH_WAYS, 'notrack-without-untracked');
    assert.ok(!codesOf(fix.text).includes('notrack-without-untracked'), fix.text);
    load(ctx.pair.b.ns, fix.text);
    const ok = await talk(ctx.pair);
    const c = countsOf(ctx.pair.b.ns, { state: ['INPUT', /--state RELATED,ESTABLISHED,UNTRACKED -j ACCEPT/] });
    console.log(`      "${fix.title}": connection ${ok ? 'works' : 'fails'}, state accept counted ${c.state}, port-80 entries ${port80(ctx.pair.b.ns).length}`);
    assert.equal(ok, true);
    assert.ok(c.state >= 3, 'the untracked SYN, ACK and data are accepted by the state rule');
    assert.deepEqual(port80(ctx.pair.b.ns), []);
  });

  it('with a ban in front of the state accept: after the fix A is served and the banned host is not; the check is quiet (the ban is deliberate)', async function () {
    // 10.200.0.99: an address of our own veth network that nobody uses, banned
    const banned = BOTH_WAYS.replace('-A INPUT -m state', '-A INPUT -s 10.200.0.99/32 -j DROP\n-A INPUT -m state');
    assert.ok(codesOf(banned).includes('notrack-without-untracked'));
    const fix = serviceFix(banned, 'notrack-without-untracked');
    assert.ok(!codesOf(fix.text).includes('notrack-without-untracked'), `still fires after "${fix.title}":\n${fix.text}`);
    load(ctx.pair.b.ns, fix.text);
    assert.equal(await talk(ctx.pair), true, 'A reaches port 80');
    zeroCounters(ctx.pair.b.ns);
    sendTcp(ctx.pair.a, { src: '10.200.0.99', dst: ctx.pair.b.ip4, sport: 41000, dport: 80, flags: ['SYN'], seq: 1 });
    const c = settled(() => countsOf(ctx.pair.b.ns, { ban: ['INPUT', /-s 10\.200\.0\.99\/32 -j DROP/], state: ['INPUT', /UNTRACKED -j ACCEPT/] }));
    console.log(`      with a ban: A served; a SYN from the banned address: ban ${c.ban}, state accept ${c.state}`);
    assert.deepEqual(c, { ban: 1, state: 0 });
  });

  it('untracked DNS, a TCP-only state accept and a drop behind a jump: the quick fix accepts UNTRACKED before the jump, and DNS gets in', function () {
    const dns = `*raw
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK
COMMIT
*filter
:INPUT DROP [0:0]
:LOGDROP - [0:0]
-A INPUT -p tcp -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -j LOGDROP
-A LOGDROP -m limit --limit 15/min -j LOG --log-prefix "denied: "
-A LOGDROP -j DROP
COMMIT
`;
    const { a, b } = ctx.pair;
    const query = (text: string, counts: Record<string, [string, RegExp]>) => {
      load(b.ns, text);
      sendUdp(a, { dst: b.ip4, sport: 40053, dport: 53, payload: 'q' });
      return settled(() => countsOf(b.ns, counts));
    };
    const dropped: [string, RegExp] = ['LOGDROP', /-j DROP$/];
    assert.ok(codesOf(dns).includes('notrack-without-untracked'));
    const before = query(dns, { dropped });
    // the kernel's view of extending the TCP-only accept instead: UNTRACKED there takes no UDP
    const tcpOnly = query(dns.replace('--ctstate RELATED,ESTABLISHED', '--ctstate RELATED,ESTABLISHED,UNTRACKED'), { dropped });
    const fix = serviceFix(dns, 'notrack-without-untracked');
    assert.ok(!codesOf(fix.text).includes('notrack-without-untracked'), fix.text);
    const after = query(fix.text, { dropped, untracked: ['INPUT', /--ctstate UNTRACKED -j ACCEPT$/] });
    console.log(`      DNS query: dropped ${before.dropped} before; ${tcpOnly.dropped} with UNTRACKED on the TCP-only accept; "${fix.title}": ${JSON.stringify(after)}`);
    assert.deepEqual([before.dropped, tcpOnly.dropped], [1, 1]);
    assert.deepEqual(after, { dropped: 0, untracked: 1 });
  });

  it('one-way NOTRACK (examples/notrack.rules + the UNTRACKED fix): the replies from port 80 create conntrack entries', async function () {
    assert.ok(codesOf(ONE_WAY).includes('one-way-notrack'));
    const fixed = serviceFix(ONE_WAY, 'notrack-without-untracked').text;
    assert.ok(codesOf(fixed).includes('one-way-notrack'), 'the UNTRACKED fix leaves the one-way finding');
    load(ctx.pair.b.ns, fixed);
    assert.equal(await talk(ctx.pair), true);
    const entries = port80(ctx.pair.b.ns);
    console.log(`      one way: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${entries.map((e) => e.raw).join(' | ')}`);
    assert.ok(entries.length >= 1, 'B tracks its own replies');
    assert.ok(entries.every((e) => e.orig.src === ctx.pair.b.ip4 && e.orig.sport === 80), 'each entry starts at B:80: half a conversation');
    assert.ok(entries.every((e) => e.flags.includes('UNREPLIED')), 'A\'s packets are untracked, so the entries never see a reply');
  });

  it('after the one-way-notrack quick fix (the mirrored OUTPUT rule): no entries', async function () {
    const fixed = serviceFix(ONE_WAY, 'notrack-without-untracked').text;
    const fix = serviceFix(fixed, 'one-way-notrack');
    assert.ok(!codesOf(fix.text).includes('one-way-notrack'), fix.text);
    load(ctx.pair.b.ns, fix.text);
    assert.equal(await talk(ctx.pair), true);
    const c = countsOf(ctx.pair.b.ns, { mirror: ['OUTPUT', /--sports 80 -j NOTRACK/] }, { table: 'raw' });
    const entries = port80(ctx.pair.b.ns);
    console.log(`      "${fix.title}": mirrored rule counted ${c.mirror}, port-80 entries ${entries.length}`);
    assert.ok(c.mirror >= 2, 'B\'s SYN ACK and data are untracked by the new rule');
    assert.deepEqual(entries, []);
  });
});
