/**
 * model/shared.ts: what the parser shares between lines is frozen under the tests, so that a write
 * into it fails here, and left plain in the server, where V8 walks frozen arrays slowly.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freezesShared, shared } from '../../server/src/model/shared';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { PROJECT_ROOT } from '../support/corpus';

const RULES = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n';

describe('nodes shared between lines', () => {
  it('are frozen under the tests: a write into a shared list or node throws', () => {
    assert.ok(freezesShared(), 'test/support/register-strict.cjs sets IPTABLES_LENS_FREEZE_SHARED=1');
    const [a, b] = parseRuleset(RULES).rules;
    const dport = (r: typeof a) => r!.options.find((o) => o.name === '--dport')!;
    assert.equal(dport(a), dport(b));
    assert.throws(() => (dport(a).args as unknown[]).push(dport(a).args[0]), TypeError);
    assert.throws(() => ((dport(a) as { negated: boolean }).negated = true), TypeError);
    assert.throws(() => (a!.matches[0]!.options as unknown[]).push(dport(a)), TypeError);
    assert.ok(Object.isFrozen(shared([1])));
  });

  it('are plain in the server: nothing is frozen without the variable, the same nodes are shared', () => {
    const script = [
      "const { parseRuleset } = require('./server/src/parser/ruleset-parser');",
      "const { freezesShared } = require('./server/src/model/shared');",
      `const [a, b] = parseRuleset(${JSON.stringify(RULES)}).rules;`,
      "const d = (r) => r.options.find((o) => o.name === '--dport');",
      'console.log(JSON.stringify({ freezes: freezesShared(), same: d(a) === d(b) && a.matches[0] === b.matches[0], frozen: [d(a), d(a).args, a.matches[0], a.matches[0].options].some(Object.isFrozen) }));',
    ].join('\n');
    const env = { ...process.env };
    delete env.IPTABLES_LENS_FREEZE_SHARED;
    const r = spawnSync(process.execPath, ['-r', 'esbuild-register', '-e', script], { cwd: PROJECT_ROOT, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { freezes: false, same: true, frozen: false });
  });
});
