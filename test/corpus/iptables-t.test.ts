/**
 * Conformance with upstream iptables' own rule tests (../shared/corpus/iptables-t/v1.8.9/*.t):
 * every rule line, in every chain its file lists, must get the verdict the file records for the
 * iptables-nft backend of 1.8.9 (Debian 12's default). Disagreements we accept are listed with a
 * reason in iptables-t-disagreements/*.json; the test fails on any other disagreement and on any
 * listed one that no longer disagrees.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CORPUS, corpusAvailable, skipOrFail } from '../support/corpus';
import { type Case, readCases, verdict } from '../support/iptables-t';

interface Disagreement {
  file: string;
  rule: string;
  expected: 'OK' | 'FAIL';
  reason: string;
}


describe('conformance: upstream iptables .t rule tests (v1.8.9, nft backend)', function () {
  before(function () {
    if (!corpusAvailable()) skipOrFail(this, `corpus not found at ${CORPUS}`);
  });

  it('agrees with iptables on >= 98% of OK lines and >= 90% of FAIL lines, every difference explained', function () {
    const cases = readCases();
    const dir = path.join(__dirname, 'iptables-t-disagreements');
    const known: Disagreement[] = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Disagreement[]);
    const isKnown = (c: Case) => known.find((k) => k.file === c.file && k.rule === c.rule);
    const stats = { OK: { total: 0, agree: 0 }, FAIL: { total: 0, agree: 0 } };
    const unexplained: string[] = [];
    const explainedButAgree: string[] = [];
    for (const c of cases) {
      const errors = c.chains.map((ch) => verdict(c, ch));
      const ours = c.expected === 'OK' ? errors.every((e) => e.length === 0) : errors.some((e) => e.length > 0);
      stats[c.expected].total++;
      if (ours) stats[c.expected].agree++;
      const k = isKnown(c);
      if (!ours && !k) unexplained.push(`${c.file}:${c.lineNo} expected ${c.expected}: ${c.rule}${c.expected === 'OK' ? `\n      we said: ${errors.flat()[0]}` : ''}`);
      if (ours && k) explainedButAgree.push(`${c.file}: ${c.rule}`);
    }
    const pct = (s: { total: number; agree: number }) => ((100 * s.agree) / Math.max(1, s.total)).toFixed(1);
    console.log(`      OK lines: ${stats.OK.agree}/${stats.OK.total} (${pct(stats.OK)}%), FAIL lines: ${stats.FAIL.agree}/${stats.FAIL.total} (${pct(stats.FAIL)}%), listed disagreements: ${known.length}`);
    assert.deepEqual(unexplained, [], `disagreements without a reason in iptables-t-disagreements/*.json:\n  ${unexplained.join('\n  ')}`);
    assert.deepEqual(explainedButAgree, [], 'listed as disagreeing but now agreeing (remove from the list)');
    assert.ok(stats.OK.agree / stats.OK.total >= 0.98, `OK agreement ${pct(stats.OK)}% < 98%`);
    assert.ok(stats.FAIL.agree / stats.FAIL.total >= 0.9, `FAIL agreement ${pct(stats.FAIL)}% < 90%`);
  });
});
