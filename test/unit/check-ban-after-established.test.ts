import { strict as assert } from 'node:assert';
import { applyFix, fires, keepsOtherLines, quiet } from '../support/check-harness';

const BAN = `*filter
:INPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 5432 -j ACCEPT
-A INPUT -s 10.48.22.221/32 -j REJECT
COMMIT
`;

describe('check: ban-after-established', function () {
  it('fires on a ban after the ESTABLISHED accept', function () {
    const [f] = fires(BAN, 'ban-after-established');
    assert.equal(f!.span.line, 4);
    assert.match(f!.message, /line 3/);
  });
  it('stays quiet when the ban comes first, or is for NEW packets only', function () {
    quiet(BAN.replace('-A INPUT -s 10.48.22.221/32 -j REJECT\n', '').replace(':INPUT ACCEPT [0:0]\n', ':INPUT ACCEPT [0:0]\n-A INPUT -s 10.48.22.221/32 -j REJECT\n'), 'ban-after-established');
    quiet(BAN.replace('-s 10.48.22.221/32 -j REJECT', '-s 10.48.22.221/32 -m conntrack --ctstate NEW -j REJECT'), 'ban-after-established');
    quiet(BAN.replace('-s 10.48.22.221/32 -j REJECT', '-j REJECT'), 'ban-after-established');
  });
  it('moves the ban above the accept', function () {
    const out = applyFix(BAN, 'ban-after-established');
    assert.equal(out, BAN.replace('-A INPUT -s 10.48.22.221/32 -j REJECT\n', '').replace('-A INPUT -m conntrack', '-A INPUT -s 10.48.22.221/32 -j REJECT\n-A INPUT -m conntrack'));
    keepsOtherLines(BAN, out, [4]);
  });
});
