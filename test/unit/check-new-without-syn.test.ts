import { strict as assert } from 'node:assert';
import { applyFix, fires, quiet } from '../support/check-harness';

describe('check: new-without-syn', function () {
  const T = '*filter\n-A INPUT -p tcp --dport 2222 -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n';
  it('fires on a NEW TCP accept without SYN', function () {
    fires(T, 'new-without-syn');
    fires('*filter\n-A INPUT -m state --state NEW -j ACCEPT\nCOMMIT\n', 'new-without-syn');
  });
  it('stays quiet with --syn, for UDP, and for ESTABLISHED accepts', function () {
    quiet(T.replace('--dport 2222', '--dport 2222 --syn'), 'new-without-syn');
    quiet(T.replace('-p tcp', '-p udp'), 'new-without-syn');
    quiet(T.replace('NEW', 'ESTABLISHED'), 'new-without-syn');
  });
  it('adds --syn', function () {
    assert.equal(applyFix(T, 'new-without-syn'), T.replace('-p tcp', '-p tcp --syn'));
  });
});
