import { strict as assert } from 'node:assert';
import { applyFix, fires, quiet } from '../support/check-harness';

describe('check: state-module', function () {
  it('suggests conntrack and converts', function () {
    const T = '*filter\n-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n';
    fires(T, 'state-module');
    quiet(T.replace('-m state --state', '-m conntrack --ctstate'), 'state-module');
    assert.equal(applyFix(T, 'state-module'), T.replace('-m state --state', '-m conntrack --ctstate'));
  });
});
