import { strict as assert } from 'node:assert';
import { applyFix, fires, keepsOtherLines, quiet } from '../support/check-harness';

const STORY4 = `*filter
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s 10.48.22.221/32 -p tcp -j REJECT --reject-with tcp-reset
-A OUTPUT -d 10.48.22.221/32 -j REJECT
COMMIT
`;

describe('check: reset-swallowed', function () {
  it('fires when OUTPUT rejects the peer an INPUT tcp-reset answers', function () {
    const [f] = fires(STORY4, 'reset-swallowed');
    assert.equal(f!.span.line, 3);
    assert.match(f!.message, /line 5/);
  });
  it('fires when the OUTPUT policy drops the resets', function () {
    fires(STORY4.replace(':OUTPUT ACCEPT', ':OUTPUT DROP').replace('-A OUTPUT -d 10.48.22.221/32 -j REJECT\n', '-A OUTPUT -p udp -j ACCEPT\n'), 'reset-swallowed');
  });
  it('stays quiet when OUTPUT lets RELATED packets out first, or bans another host', function () {
    quiet(STORY4.replace('-A OUTPUT -d', '-A OUTPUT -m conntrack --ctstate RELATED -j ACCEPT\n-A OUTPUT -d'), 'reset-swallowed');
    quiet(STORY4.replace('-A OUTPUT -d 10.48.22.221/32', '-A OUTPUT -d 10.48.22.222/32'), 'reset-swallowed');
    quiet(STORY4.replace('--reject-with tcp-reset', ''), 'reset-swallowed');
  });
});

describe('check: reset-swallowed quick fix', function () {
  it('accepts RELATED in OUTPUT right before the rule that stops the resets', function () {
    const out = applyFix(STORY4, 'reset-swallowed');
    assert.equal(out, STORY4.replace('-A OUTPUT -d', '-A OUTPUT -m conntrack --ctstate RELATED -j ACCEPT\n-A OUTPUT -d'));
    keepsOtherLines(STORY4, out);
    quiet(out, 'reset-swallowed');
  });
});
