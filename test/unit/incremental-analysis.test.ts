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

describe('incremental analysis: diagnostics after each edit equal a cold analysis of the new text', function () {
  this.timeout(600_000);

  for (const input of editInputs()) {
    it(input.name, () => {
      const uri = `file:///work/${input.name.replace(/[^\w.-]+/g, '_')}`;
      let prev: RulesDocument = createRulesDocument(uri, 1, input.text);
      diagnose(prev.ruleset, prev.lines);
      for (const { version: v, text } of editedVersions(input.text, new Rng(input.text.length ^ 0x1ce), input.text.length > 50_000 ? 12 : 40)) {
        const inc = createRulesDocument(uri, v, text, 'auto', prev);
        const got = diagnose(inc.ruleset, inc.lines);
        const cold = createRulesDocument(uri, v, text);
        assert.deepEqual(got, diagnose(cold.ruleset, cold.lines), `${input.name}, version ${v}`);
        prev = inc;
      }
    });
  }
});

describe('incremental analysis: versions read but not analysed in between (an editor parses each keystroke, checks the last)', function () {
  this.timeout(600_000);

  for (const input of editInputs()) {
    it(input.name, () => {
      const uri = `file:///work/skipped/${input.name.replace(/[^\w.-]+/g, '_')}`;
      let prev: RulesDocument = createRulesDocument(uri, 1, input.text);
      diagnose(prev.ruleset, prev.lines);
      const rng = new Rng(input.text.length ^ 0x5c1d);
      for (const { version: v, text } of editedVersions(input.text, rng, input.text.length > 50_000 ? 12 : 30)) {
        const inc = createRulesDocument(uri, v, text, 'auto', prev);
        prev = inc;
        // one version in three is checked: the two before it were only read
        if (v % 3 !== 0) continue;
        const cold = createRulesDocument(uri, v, text);
        assert.deepEqual(diagnose(inc.ruleset, inc.lines), diagnose(cold.ruleset, cold.lines), `${input.name}, version ${v}`);
      }
    });
  }
});

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
