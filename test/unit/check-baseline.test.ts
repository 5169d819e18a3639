import { strict as assert } from 'node:assert';
import { applyFix, fires, keepsOtherLines, quiet } from '../support/check-harness';

const T = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';

describe('check: missing ESTABLISHED and loopback accepts', function () {
  it('fires on a dropping INPUT without them', function () {
    fires(T, 'missing-established-accept');
    fires(T, 'missing-loopback-accept');
  });
  it('fires when only the loopback accept is there: it takes no reply from the network', function () {
    // kernel-checked in test/kernel/checks-baseline.test.ts: the SYN ACK of an outgoing connection is dropped
    const loOnly = T.replace('-A INPUT -p tcp', '-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp');
    fires(loOnly, 'missing-established-accept');
    quiet(loOnly, 'missing-loopback-accept');
    quiet(loOnly.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -i eth0 -j ACCEPT'), 'missing-established-accept');
  });
  it('stays quiet when they exist, when the policy accepts, or when the chain accepts nothing', function () {
    const ok = T.replace('-A INPUT -p tcp', '-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp');
    quiet(ok, 'missing-established-accept');
    quiet(ok, 'missing-loopback-accept');
    quiet(T.replace(':INPUT DROP', ':INPUT ACCEPT'), 'missing-established-accept');
    quiet('*filter\n:FORWARD DROP [0:0]\nCOMMIT\n', 'missing-established-accept');
  });
  it('inserts the accepts at the top of the chain', function () {
    const out = applyFix(T, 'missing-established-accept');
    assert.equal(out, T.replace('-A INPUT -p tcp', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp'));
    const lo = applyFix(T, 'missing-loopback-accept');
    assert.equal(lo, T.replace('-A INPUT -p tcp', '-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp'));
    keepsOtherLines(T, lo);
  });
  it('goes below the loopback accept only when nothing above it drops the replies', function () {
    const dropsFirst = T.replace('-A INPUT -p tcp', '-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp');
    const out = applyFix(dropsFirst, 'missing-established-accept');
    assert.equal(out, dropsFirst.replace('-A INPUT -p tcp -j REJECT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp -j REJECT'));
    quiet(out, 'missing-established-accept');
  });
});
