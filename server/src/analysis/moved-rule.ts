/**
 * What the edit that made a version did to one chain of a table whose lines it moved (a line put
 * in or taken out: see Table.moved), told by the table's moves and a few binary searches instead
 * of comparing the chain's rules one by one: nothing but moving its rules, or putting in or taking
 * out one rule, at a position. The checks that keep what they found per chain carry it across such
 * an edit when the rule put in or taken out cannot change it.
 */
import { type Chain, isRule, ruleMoved, type Ruleset } from '../model/ruleset';
import type { RulesetEdit } from '../parser/ruleset-parser';

export type RuleMove = NonNullable<ReturnType<typeof ruleMoved>>;

/**
 * What edit `e` (from `e.previous`, the version `rs` was read from in one step) did to `chain`,
 * whose previous version's chain of the same name is `old`: 'same' (each rule reads as the rule of
 * `old` at its position), or one rule put in at `at` (of `chain`) or taken out at `at` (of `old`),
 * every other rule reading as before. Undefined when the table's moves do not tell: the table was
 * not moved from e.previous's, a line read again outside the edit holds a rule of the chain, or
 * more than one rule was put in or taken out.
 */
export function ruleMoveOf(rs: Ruleset, e: RulesetEdit, chain: Chain, old: Chain): RuleMove | undefined {
  const moved = rs.tables.get(chain.table)?.moved;
  if (!moved || moved.from.deref() !== e.previous.tables.get(chain.table)) return undefined;
  const m = moved.lines;
  for (const l of e.changed) {
    if (l >= m.same && l < m.newEnd) continue;
    const r = rs.lines.get(l);
    if (r?.kind === 'command' && isRule(r) && r.table === chain.table && r.chain === chain.name) return undefined;
  }
  return ruleMoved(chain, old, m);
}
