/**
 * iptables-lens/missing-established-accept, judged by the kernel: an INPUT that drops by default
 * and accepts only loopback traffic and SSH drops the replies to every connection the host opens
 * itself. B (10.200.0.2) opens a real connection to a listener on A:443; it fails until the
 * project's quick fix adds the ESTABLISHED accept, then it works.
 */
import { strict as assert } from 'node:assert';
import { codesOf, countsOf, serviceFix } from '../support/kernel-fixes';
import { conntrackFlush, restore, useNamespacePair } from '../support/netns';
import { openTcpConnection } from '../support/packets';

const LO_AND_SSH = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT
COMMIT
`;

describe('kernel: missing-established-accept and its quick fix', function () {
  this.timeout(30_000);
  const ctx = useNamespacePair({ tag: 'bl', ipv6: false });

  /** B connects out to A:443 and exchanges data; false when the connection cannot be opened. */
  async function outgoingWorks(): Promise<boolean> {
    let conn;
    try {
      conn = await openTcpConnection(ctx.pair.b, ctx.pair.a, { port: 443, timeout: 1 });
    } catch (e) {
      assert.match(String(e), /could not connect/);
      return false;
    }
    try {
      await conn.server.send('hello B');
      return (await conn.client.recv(1)).data === 'hello B';
    } finally {
      await conn.dispose();
    }
  }

  it('a loopback accept is no ESTABLISHED accept: the check fires, B cannot open a connection, and after the quick fix it can', async function () {
    const { b } = ctx.pair;
    conntrackFlush(b.ns);
    assert.ok(codesOf(LO_AND_SSH).includes('missing-established-accept'));
    assert.ok(restore(b.ns, LO_AND_SSH).ok);
    const before = await outgoingWorks();
    const fix = serviceFix(LO_AND_SSH, 'missing-established-accept');
    assert.ok(!codesOf(fix.text).includes('missing-established-accept'), fix.text);
    assert.ok(restore(b.ns, fix.text).ok);
    const after = await outgoingWorks();
    const est = countsOf(b.ns, { est: ['INPUT', /--ctstate RELATED,ESTABLISHED -j ACCEPT$/] });
    console.log(`      outgoing connection from B: ${before ? 'works' : 'fails'} before; "${fix.title}": ${after ? 'works' : 'fails'}, ESTABLISHED accept counted ${est.est}`);
    assert.deepEqual([before, after], [false, true]);
    assert.ok(est.est >= 2, 'the SYN ACK and the data are accepted as ESTABLISHED');
  });
});
