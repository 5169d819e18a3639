/**
 * Checks that look at one line at a time keep, after an edit, the previous version's findings for
 * the lines it left alone and check only the lines it changed (LineFindings). The result must be
 * the very list a fresh check of the new text gives, in the same order: here for every such check,
 * over random one-line edits of every kind on many inputs, with a cold check of each version in
 * between (so that kept results of several versions coexist, as with several open documents).
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { checkRulesetLines } from '../../server/src/analysis/rule-validity';
import { checkLogging } from '../../server/src/analysis/checks/logging';
import { checkNewWithoutSyn } from '../../server/src/analysis/checks/new-without-syn';
import { checkNftQuirks } from '../../server/src/analysis/checks/nft-quirks';
import { checkStateModule } from '../../server/src/analysis/checks/state-module';
import type { Finding, Ruleset } from '../../server/src/model/ruleset';
import { parseRuleset, rulesetEdit } from '../../server/src/parser/ruleset-parser';
import { editedVersions, editInputs } from '../support/ruleset-edits';

const CHECKS: readonly [string, (rs: Ruleset) => Finding[]][] = [
  ['per-line validity', checkRulesetLines],
  ['nft-backend-difference', checkNftQuirks],
  ['state-module', checkStateModule],
  ['new-without-syn', checkNewWithoutSyn],
  ['logging (per rule, and duplicate prefixes across rules)', checkLogging],
];

describe('findings kept per line across edits equal a fresh check of the new text', function () {
  this.timeout(600_000);

  it('every check, every input, random edits', () => {
    let incremental = 0;
    /** Of those, edits that inserted or deleted lines (the findings below them moved). */
    let moved = 0;
    let found = 0;
    const foundBy = new Map<string, number>();
    for (const input of editInputs()) {
      let prev = parseRuleset(input.text);
      for (const [, check] of CHECKS) check(prev);
      const rng = new Rng(input.text.length ^ 0x11fe);
      // now and then a state match, a NEW accept, an nft quirk or a LOG rule, so that findings come and go
      const sprinkle = (lines: string[]) => {
        const at = rng.int(0, lines.length - 1);
        if (/^-A \S+ /.test(lines[at]!) && rng.int(0, 2) === 0) {
          const kind = rng.int(0, 3);
          if (kind === 0) lines[at] = lines[at]!.replace(/^(-A \S+ )/, '$1-m state --state NEW ');
          else if (kind === 1) lines[at] = lines[at]!.replace(/^(-A \S+ ).*/, rng.int(0, 1) ? '$1-m conntrack --ctstate NEW -j ACCEPT' : '$1-p tcp --syn -m conntrack --ctstate NEW -j ACCEPT');
          else if (kind === 2) lines[at] = lines[at]!.replace(/^(-A \S+ )/, '$1-p tcp ! --sport 1 ! --dport 2 ');
          // a LOG rule, its prefix shared with others now and then
          else lines[at] = lines[at]!.replace(/^(-A \S+ ).*/, `$1-j LOG --log-prefix "${['dropped: ', 'in', 'x'.repeat(35)][rng.int(0, 2)]}"`);
        }
      };
      for (const { version: v, text } of editedVersions(input.text, rng, input.text.length > 50_000 ? 8 : 25, sprinkle)) {
        const inc = parseRuleset(text, { previous: prev });
        const edit = rulesetEdit(inc);
        if (edit) incremental++;
        if (edit?.shift) moved++;
        const cold = parseRuleset(text);
        for (const [name, check] of CHECKS) {
          const got = check(inc);
          assert.deepEqual(got, check(cold), `${input.name}, version ${v}, ${name}`);
          found += got.length;
          foundBy.set(name, (foundBy.get(name) ?? 0) + got.length);
        }
        prev = inc;
      }
    }
    // the kept path must have been taken, on findings that exist
    assert.ok(incremental > 200 && moved > 50 && found > 1000, `${incremental} edits started from the previous version (${moved} of them moved lines), ${found} findings`);
    for (const [name] of CHECKS) assert.ok((foundBy.get(name) ?? 0) > 20, `${name}: ${foundBy.get(name) ?? 0} findings`);
  });
});
