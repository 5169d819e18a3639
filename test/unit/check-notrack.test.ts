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
