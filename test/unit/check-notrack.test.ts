import { strict as assert } from 'node:assert';
import { fixture } from '../support/fixtures';
import { applyFix, fires, keepsOtherLines, quiet } from '../support/check-harness';

const T = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp -m multiport --dports 80 -j NOTRACK
-A OUTPUT -p tcp -m multiport --sports 80 -j NOTRACK
COMMIT
*filter
:INPUT DROP [0:0]
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
COMMIT
`;

describe('check: notrack-without-untracked and one-way-notrack', function () {
  it('fires when untracked packets reach a chain that never accepts them', function () {
    const [f] = fires(T, 'notrack-without-untracked');
    assert.equal(f!.span.line, 3);
  });
  it('stays quiet when UNTRACKED is accepted (story 5)', function () {
    quiet(T.replace('RELATED,ESTABLISHED', 'RELATED,ESTABLISHED,UNTRACKED'), 'notrack-without-untracked');
    quiet(fixture('story5.rules'), 'notrack-without-untracked');
    quiet(fixture('story5.rules'), 'one-way-notrack');
  });
  it('adds UNTRACKED to the state list', function () {
    const out = applyFix(T, 'notrack-without-untracked');
    assert.equal(out, T.replace('RELATED,ESTABLISHED', 'RELATED,ESTABLISHED,UNTRACKED'));
  });
  it('a ban in front of the state accept is deliberate: quiet once UNTRACKED is accepted, still fires without it', function () {
    // kernel-checked in test/kernel/story5-notrack.test.ts: with the fix, port 80 answers everyone but the banned host
    const banned = T.replace('-A INPUT -m state', '-A INPUT -s 192.0.2.66/32 -j DROP\n-A INPUT -m state');
    const [f] = fires(banned, 'notrack-without-untracked');
    assert.match(f!.message, /the INPUT policy drops them/, 'the policy, not the ban, is what drops the service');
    quiet(applyFix(banned, 'notrack-without-untracked'), 'notrack-without-untracked');
    quiet(banned.replace('RELATED,ESTABLISHED', 'RELATED,ESTABLISHED,UNTRACKED'), 'notrack-without-untracked');
  });
  it('does not extend a state accept that cannot take the untracked packets (`-p tcp` for untracked UDP): it adds an UNTRACKED accept', function () {
    // kernel-checked in test/kernel/story5-notrack.test.ts: UNTRACKED on the TCP rule leaves DNS dropped
    const udp = '*raw\n-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n';
    const [f] = fires(udp, 'notrack-without-untracked');
    assert.match(f!.message, /Accept UNTRACKED in INPUT/);
    const out = applyFix(udp, 'notrack-without-untracked');
    assert.equal(out, udp.replace('-A INPUT -j DROP', '-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\n-A INPUT -j DROP'));
    quiet(out, 'notrack-without-untracked');
  });
  it('puts the UNTRACKED accept before the jump to the chain that drops them, not after the last rule', function () {
    const viaJump = '*raw\n-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:LOGDROP - [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j LOGDROP\n-A INPUT -j DROP\n-A LOGDROP -j LOG\n-A LOGDROP -j DROP\nCOMMIT\n';
    const out = applyFix(viaJump, 'notrack-without-untracked');
    assert.equal(out, viaJump.replace('-A INPUT -j LOGDROP', '-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\n-A INPUT -j LOGDROP'));
    quiet(out, 'notrack-without-untracked');
  });
  it('fires on one-way untracking and adds the mirrored rule', function () {
    const oneWay = T.replace('-A OUTPUT -p tcp -m multiport --sports 80 -j NOTRACK\n', '');
    const [f] = fires(oneWay, 'one-way-notrack');
    assert.equal(f!.span.line, 3);
    quiet(T, 'one-way-notrack');
    const out = applyFix(oneWay, 'one-way-notrack');
    assert.equal(out, T);
    keepsOtherLines(oneWay, out);
  });
});
