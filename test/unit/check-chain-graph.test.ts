/** Jump loops and hook restrictions through user chains (analysis/chain-graph.ts). */
import { strict as assert } from 'node:assert';
import { findings } from '../support/analyse';

describe('chain graph: loops and hooks through user chains', function () {
  it('refuses a loop reachable from a built-in chain, not an unreferenced one', function () {
    const loop = '*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\n-A INPUT -j A\nCOMMIT\n';
    const f = findings(loop, 'jump-loop');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /A -> B -> A/);
    assert.deepEqual(findings(loop.replace('-A INPUT -j A\n', ''), 'jump-loop'), []);
  });
  it('refuses a hook-restricted target in a user chain reached from the wrong hook', function () {
    const t = '*mangle\n:FOO - [0:0]\n-A FOO -j REJECT\n-A INPUT -j FOO\nCOMMIT\n';
    assert.ok(findings(t).some((x) => x.code === 'target-table'));
    const owner = '*filter\n:FOO - [0:0]\n-A FOO -m owner --uid-owner 0\n-A INPUT -j FOO\nCOMMIT\n';
    assert.equal(findings(owner, 'match-hook').length, 1);
    assert.deepEqual(findings(owner.replace('-A INPUT -j FOO', '-A OUTPUT -j FOO'), 'match-hook'), []);
  });
  it('warns about a hook-restricted match option in a user chain (legacy refuses, nft loads)', function () {
    const t = '*filter\n:FOO - [0:0]\n-A FOO -m addrtype --dst-type LOCAL --limit-iface-in\n-A OUTPUT -j FOO\nCOMMIT\n';
    const f = findings(t, 'match-hook');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
  });
});
