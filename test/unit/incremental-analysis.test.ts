/**
 * An edited document is analysed reusing what was worked out for its previous version (parsed
 * lines, compiled rules, per-chain and per-table results, walks). Whatever is reused, the
 * diagnostics after each edit must be exactly those of a cold analysis of the new text: here many
 * random one-line edits (rules changed, inserted, deleted; jumps, gotos, policies, chain
 * declarations, COMMIT and table headers) are applied in turn to fixtures, corpus dumps and
 * generated rulesets, and each version is checked against a fresh parse and analysis.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { isAccept } from '../../server/src/analysis/checks/rule-facts';
import { analysisContext } from '../../server/src/analysis/context';
import { ISet, Space, stateValue } from '../../server/src/analysis/packet-space';
import { reach } from '../../server/src/analysis/reach';
import type { Hook } from '../../server/src/knowledge/types';
import { diagnose } from '../../server/src/service/diagnostics';
import { createRulesDocument, type RulesDocument } from '../../server/src/service/document';
import { editedVersions, editInputs } from '../support/ruleset-edits';

/**
 * Every input edited version after version, each version read from the one before; one version in
 * `every` is analysed and compared with a cold analysis of its text (the others are only read, as
 * an editor parses each keystroke and checks the last).
 */
function againstCold(title: string, o: { folder: string; seed: number; versions: number; every: number }): void {
  describe(title, function () {
    this.timeout(600_000);

    for (const input of editInputs()) {
      it(input.name, () => {
        const uri = `file:///work/${o.folder}${input.name.replace(/[^\w.-]+/g, '_')}`;
        let prev: RulesDocument = createRulesDocument(uri, 1, input.text);
        diagnose(prev.ruleset, prev.lines);
        for (const { version: v, text } of editedVersions(input.text, new Rng(input.text.length ^ o.seed), input.text.length > 50_000 ? 12 : o.versions)) {
          const inc = createRulesDocument(uri, v, text, 'auto', prev);
          prev = inc;
          if (v % o.every !== 0) continue;
          const cold = createRulesDocument(uri, v, text);
          assert.deepEqual(diagnose(inc.ruleset, inc.lines), diagnose(cold.ruleset, cold.lines), `${input.name}, version ${v}`);
        }
      });
    }
  });
}

againstCold('incremental analysis: diagnostics after each edit equal a cold analysis of the new text', { folder: '', seed: 0x1ce, versions: 40, every: 1 });
againstCold('incremental analysis: versions read but not analysed in between (an editor parses each keystroke, checks the last)', { folder: 'skipped/', seed: 0x5c1d, versions: 30, every: 3 });

describe('a walk that ends at the first ACCEPT taking packets answers "does any ACCEPT take some?" as the whole walk does', function () {
  this.timeout(600_000);

  it('on every input, hook and a few starts', () => {
    let checked = 0;
    let accepted = 0;
    for (const input of editInputs()) {
      const rs = createRulesDocument(`file:///work/${input.name.replace(/[^\w.-]+/g, '_')}`, 1, input.text).ruleset;
      const ctx = analysisContext(rs);
      const starts = [
        Space.ALL,
        Space.ALL.restrict(ctx.env, 'state', ISet.point(stateValue('ESTABLISHED'))),
        Space.ALL.restrict(ctx.env, 'proto', ISet.point(6n)).restrict(ctx.env, 'dport', ISet.point(5432n)),
      ];
      for (const table of rs.tables.values()) {
        for (const chain of table.chains.values()) {
          if (!chain.builtin) continue;
          for (const start of starts) {
            const full = reach(ctx.env, ctx.compiled, table, chain.name as Hook, start, () => false);
            const early = reach(ctx.env, ctx.compiled, table, chain.name as Hook, start, () => false, (r, took) => isAccept(r) && !took.empty);
            const answer = (res: typeof full) => ([...res.taken].some(([r, t]) => isAccept(r) && !t.empty) ? true : res.complete ? false : 'unknown');
            assert.equal(answer(early), answer(full), `${input.name} ${table.name} ${chain.name}`);
            checked++;
            if (answer(full) === true) accepted++;
          }
        }
      }
    }
    // the comparison means something only if both answers occur
    assert.ok(accepted > 10 && checked - accepted > 10, `${accepted} of ${checked} walks found an ACCEPT`);
  });
});
