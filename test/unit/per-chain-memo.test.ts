/**
 * PerChainMemo (analysis/memo.ts): after edits that rewrite rules in place, the items of a table
 * are those worked out afresh over every chain, in chain order, while only the chains the edits
 * renewed are worked out again.
 */
import { wordsOf } from '../../server/src/model/line-words';
import { strict as assert } from 'node:assert';
import { editOneLine, generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { PerChainMemo } from '../../server/src/analysis/memo';
import type { Chain, Table } from '../../server/src/model/ruleset';
import { createRulesDocument, type RulesDocument } from '../../server/src/service/document';

/** Items that depend on what the chain's rules say: none for some chains, several for others. */
function itemsOf(c: Chain): string[] {
  return c.rules.filter((r) => wordsOf(r).length % 3 !== 0 || /edited/.test(wordsOf(r).map((w) => w.text).join(' '))).map((r) => `${c.name}@${r.line}:${wordsOf(r).length}`);
}

function fresh(t: Table): string[] {
  return [...t.chains.values()].flatMap(itemsOf);
}

describe('PerChainMemo', function () {
  this.timeout(60_000);

  for (const kind of ['kube', 'docker', 'firewall'] as const) {
    it(`${kind}: after one to three edits per version, the items equal those of every chain, and only renewed chains are worked out`, () => {
      const memo = new PerChainMemo<string>();
      let made = 0;
      const make = (c: Chain) => {
        made++;
        return itemsOf(c);
      };
      const rng = new Rng(kind.length * 7);
      let lines = generateRuleset({ kind, family: 'ipv4', rules: 1500, seed: 11 }).text.split('\n');
      let doc: RulesDocument = createRulesDocument(`file:///${kind}.rules`, 1, lines.join('\n'));
      for (const t of doc.ruleset.tables.values()) assert.deepEqual(memo.items(t, 'k', make), fresh(t), `${kind} v1 ${t.name}`);
      let patchedVersions = 0;
      for (let v = 2; v < 40; v++) {
        const n = 1 + (v % 3);
        for (let k = 0; k < n; k++) {
          const e = editOneLine(lines, rng);
          lines = lines.map((l, i) => (i === e.line ? e.text : l));
        }
        doc = createRulesDocument(`file:///${kind}.rules`, v, lines.join('\n'), 'auto', doc);
        for (const t of doc.ruleset.tables.values()) {
          made = 0;
          assert.deepEqual(memo.items(t, 'k', make), fresh(t), `${kind} v${v} ${t.name}`);
          if (t.edited) {
            patchedVersions++;
            assert.ok(made <= t.edited.chains.size, `${kind} v${v} ${t.name}: ${made} chains worked out for ${t.edited.chains.size} renewed`);
          }
          // asked again: kept, nothing worked out
          made = 0;
          memo.items(t, 'k', make);
          assert.equal(made, 0);
        }
      }
      assert.ok(patchedVersions > 10, `${patchedVersions} tables patched`);
    });
  }

  it('another key works every chain out again', () => {
    const memo = new PerChainMemo<string>();
    const doc = createRulesDocument('file:///k.rules', 1, generateRuleset({ kind: 'firewall', family: 'ipv4', rules: 300, seed: 3 }).text);
    const t = doc.ruleset.tables.get('filter')!;
    let made = 0;
    const make = (c: Chain) => {
      made++;
      return itemsOf(c);
    };
    memo.items(t, 'a', make);
    made = 0;
    assert.deepEqual(memo.items(t, 'b', make), fresh(t));
    assert.equal(made, t.chains.size);
  });
});
