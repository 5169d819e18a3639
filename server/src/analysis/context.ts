/**
 * Per-ruleset analysis state shared by the checks: every rule compiled to its packet space once,
 * and symbolic traversals memoised by table, hook and starting set.
 */
import type { Hook } from '../knowledge/types';
import type { Chain, Finding, Rule, Ruleset, Table } from '../model/ruleset';
import { type ChainReach, reachability } from './chain-graph';
import { Space, type SpaceEnv } from './packet-space';
import { reach, type ReachResult, WALK_BUDGET } from './reach';
import { ChainMemo } from './memo';
import { ChainIndex } from './rule-index';
import { compileRuleset, type RuleSpace } from './rule-space';

export interface AnalysisContext {
  readonly rs: Ruleset;
  readonly env: SpaceEnv;
  readonly compiled: ReadonlyMap<Rule, RuleSpace>;
  /**
   * Traverse `table` from `hook` with the packets of `start` (memoised under `key` and `keep`'s
   * name). `keep`: the rules whose arrivals the caller reads (default every rule; see reach).
   */
  reach(table: string, hook: Hook, start: Space, key: string, keep?: Keep): ReachResult | undefined;
  /** The rules of a chain indexed by the packets they can match (built once per chain). */
  index(chain: Chain): ChainIndex;
  /** Which hooks reach each chain of a table (built once per table). */
  hooks(table: Table): ChainReach;
  /** The hooks (built-in chains) of `table` from which some rule in `rules` can be reached. */
  hooksReaching(table: Table, rules: Iterable<Rule>): Set<Hook>;
}

const cache = new WeakMap<Ruleset, AnalysisContext>();

export { ChainMemo, envKey, TableMemo } from './memo';

/** Which rules' arrivals a walk records, by a name (part of the memo key) and a test. */
export interface Keep {
  readonly name: string;
  readonly test: (r: Rule) => boolean;
  /** End the walk at the first rule this says true for (see reach's stopAt). */
  readonly stop?: (r: Rule, took: Space) => boolean;
}

/** Record no arrival: the caller reads only `taken` and `toPolicy`. */
export const TAKEN_ONLY: Keep = { name: 'taken', test: () => false };

const INDEXES = new ChainMemo<ChainIndex>();

/**
 * iptables-lens/analysis-limit: `what` (a check) was not worked out for packets entering `table`
 * at `hook`, because the walk there stopped at WALK_BUDGET. Said once, on the hook's chain.
 */
export function limitFinding(table: Table, hook: Hook, what: string): Finding {
  const chain = table.chains.get(hook);
  const decl = chain?.declarations[0];
  const span = decl ? (decl.kind === 'chain' ? decl.nameWord : (decl.command?.chain ?? decl.span)) : (chain?.rules[0]?.command.chain ?? { line: 0, start: 0, end: 0 });
  return {
    code: 'analysis-limit',
    severity: 'information',
    message:
      `${what}: not checked for packets entering ${table.name} ${hook}. Following them through its chains takes more work than the analysis allows ` +
      `(${WALK_BUDGET.toLocaleString('en-US')} steps; a long list of single-address rules in one chain is the usual cause), so nothing is reported for it rather than something that might be wrong. The other checks still run.`,
    span,
  };
}

export function analysisContext(rs: Ruleset): AnalysisContext {
  const hit = cache.get(rs);
  if (hit) return hit;
  const { env, rules } = compileRuleset(rs);
  const memo = new Map<string, ReachResult>();
  const indexes = new WeakMap<Chain, ChainIndex>();
  const graphs = new WeakMap<Table, ChainReach>();
  const index = (chain: Chain): ChainIndex => {
    let i = indexes.get(chain);
    if (!i) indexes.set(chain, (i = INDEXES.get(ctx, chain, '', () => new ChainIndex(env, chain.rules.map((r) => rules.get(r))))));
    return i;
  };
  const hooks = (table: Table): ChainReach => {
    let g = graphs.get(table);
    if (!g) graphs.set(table, (g = reachability(table)));
    return g;
  };
  const ctx: AnalysisContext = {
    rs,
    env,
    compiled: rules,
    reach(table, hook, start, key, keep) {
      const t = rs.tables.get(table);
      if (!t || !t.chains.get(hook)?.builtin) return undefined;
      const k = `${table}/${hook}/${key}/${keep?.name ?? 'all'}`;
      let r = memo.get(k);
      if (!r) memo.set(k, (r = reach(env, rules, t, hook, start, keep?.test, keep?.stop)));
      return r;
    },
    index,
    hooks,
    hooksReaching(table, wanted) {
      const g = hooks(table);
      const out = new Set<Hook>();
      for (const r of wanted) for (const h of g.hooks.get(r.chain) ?? []) out.add(h);
      return out;
    },
  };
  cache.set(rs, ctx);
  return ctx;
}

export { Space };
