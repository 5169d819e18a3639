/**
 * Per-ruleset analysis state shared by the checks: every rule compiled to its packet space once,
 * and symbolic traversals memoised by table, hook and starting set.
 */
import type { Hook } from '../knowledge/types';
import type { Rule, Ruleset } from '../model/ruleset';
import { Space, type SpaceEnv } from './packet-space';
import { reach, type ReachResult } from './reach';
import { compileRuleset, type RuleSpace } from './rule-space';

export interface AnalysisContext {
  readonly rs: Ruleset;
  readonly env: SpaceEnv;
  readonly compiled: ReadonlyMap<Rule, RuleSpace>;
  /** Traverse `table` from `hook` with the packets of `start` (memoised under `key`). */
  reach(table: string, hook: Hook, start: Space, key: string): ReachResult | undefined;
}

const cache = new WeakMap<Ruleset, AnalysisContext>();

export function analysisContext(rs: Ruleset): AnalysisContext {
  const hit = cache.get(rs);
  if (hit) return hit;
  const { env, rules } = compileRuleset(rs);
  const memo = new Map<string, ReachResult>();
  const ctx: AnalysisContext = {
    rs,
    env,
    compiled: rules,
    reach(table, hook, start, key) {
      const t = rs.tables.get(table);
      if (!t || !t.chains.get(hook)?.builtin) return undefined;
      const k = `${table}/${hook}/${key}`;
      let r = memo.get(k);
      if (!r) memo.set(k, (r = reach(env, rules, t, hook, start)));
      return r;
    },
  };
  cache.set(rs, ctx);
  return ctx;
}

export { Space };
