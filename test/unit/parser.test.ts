/**
 * Parser regressions found by comparing our verdicts with the real iptables-restore
 * (test/kernel/dumps-conformance.test.ts). Each case names the real file or rule it came from.
 */
import { strict as assert } from 'node:assert';
import { validityFindings } from '../../server/src/analysis/validity';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';

function errors(text: string, family: 'ipv4' | 'ipv6' = 'ipv4') {
  return validityFindings(parseRuleset(text, { family })).filter((f) => f.severity === 'error');
}

describe('parser: regressions from the real-iptables conformance run', function () {
  // kubernetes proxier_test ruleset, line 74: iptables reads `--set` as recent's own option; we
  // took it for an abbreviation of the generic --set-counters (-c) and then complained that `-m`
  // and `tcp` were no packet and byte counts
  it('an option of a module without a knowledge entry is not abbreviated to a generic option', function () {
    const text = '*nat\n:X - [0:0]\n-A X -m comment --comment c -m zzfuture --name X --set -m tcp -p tcp -j ACCEPT\nCOMMIT\n';
    const rs = parseRuleset(text, { family: 'ipv4' });
    const rule = rs.rules[0]!;
    assert.ok(!rule.options.some((o) => o.name === '-c'), 'no --set-counters in this rule');
    const mod = rule.matches.find((m) => m.name === 'zzfuture')!;
    assert.deepEqual(mod.options.map((o) => o.name), ['--name', '--set']);
    assert.deepEqual(
      errors(text).map((f) => f.code),
      ['unknown-match'],
      'only the unknown module itself is reported',
    );
  });

  it('the kubernetes recent rule raises nothing about counters, whatever the knowledge of recent', function () {
    const text =
      '*nat\n:KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]\n-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j ACCEPT\nCOMMIT\n';
    const bad = errors(text).filter((f) => /count|--set-counters|-c\b/.test(f.message));
    assert.deepEqual(bad, []);
  });

  it('a genuine abbreviation still resolves when every loaded module is known', function () {
    const rs = parseRuleset('*filter\n-A INPUT -p tcp --dp 22 -j ACCEPT\nCOMMIT\n', { family: 'ipv4' });
    assert.ok(rs.rules[0]!.options.some((o) => o.name === '--dport'));
  });
});
