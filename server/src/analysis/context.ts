/**
 * Per-ruleset analysis state shared by the checks: every rule compiled to its packet space once,
 * and symbolic traversals memoised by table, hook and starting set.
 */
import type { Hook } from '../knowledge/types';
import type { Chain, Finding, Rule, Ruleset, Table } from '../model/ruleset';
import { type ChainReach, reachability } from './chain-graph';
import { Space, type SpaceEnv } from './packet-space';
import { type Arrival, reach, type ReachResult, WALK_BUDGET, walkBudget } from './reach';
import { ChainMemo, envKey, sameSeq } from './memo';
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

/** Chain indexes with the compiled rules they were made from (the base of the next version's). */
const INDEXES = new ChainMemo<{ readonly index: ChainIndex; readonly spaces: readonly (RuleSpace | undefined)[] }>();

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

/**
 * Walks kept across versions of a document. A walk reads, of its table, only the chains it looked
 * up (ReachResult.chains): whether each exists or is built in, and for each it walked, every
 * rule's compiled space and target. While those are the same objects (compileRule and the parser
 * keep them for lines an edit left alone), the same start (same boxes) and environment give the
 * same walk, so an edit in a chain the walk never entered (most of a Docker or kube-proxy table
 * for a probe that is accepted early) leaves it as it was. Kept under the hook chain's first rule.
 */
interface KeptWalk {
  readonly deps: readonly unknown[];
  /** The rules of the walked chains in the order deps lists them, to carry the result over. */
  readonly rules: readonly Rule[];
  readonly result: ReachResult;
}
const WALKS = new WeakMap<object, Map<string, KeptWalk>>();
/** Walks kept per hook chain, the least recently used dropped first. */
const MAX_KEPT_WALKS = 24;

/** What `walk` reads of `table`, and the rules it may name, for the chains in `names`. */
function walkDeps(table: Table, hook: Hook, names: Iterable<string>, compiled: ReadonlyMap<Rule, RuleSpace>): { deps: unknown[]; rules: Rule[] } {
  const deps: unknown[] = [];
  const rules: Rule[] = [];
  for (const n of names) {
    const c = table.chains.get(n);
    const walked = !!c && (n === hook || !c.builtin);
    deps.push(n, c ? c.builtin : 'absent', walked ? c!.rules.length : -1);
    if (!walked) continue;
    for (const r of c!.rules) {
      const rsp = compiled.get(r);
      deps.push(rsp?.space, rsp?.exact, r.target);
      rules.push(r);
    }
  }
  return { deps, rules };
}

/** A kept walk with each old rule replaced by the rule at its place now (undefined if one is missing). */
function carryOver(res: ReachResult, from: readonly Rule[], to: readonly Rule[]): ReachResult | undefined {
  if (sameSeq(from, to)) return res;
  const map = new Map<Rule, Rule>();
  for (let i = 0; i < from.length; i++) map.set(from[i]!, to[i]!);
  const arrivals = new Map<Rule, Arrival[]>();
  const taken = new Map<Rule, Space>();
  for (const [r, list] of res.arrivals) {
    const now = map.get(r);
    if (!now) return undefined;
    const moved: Arrival[] = [];
    for (const a of list) {
      const path: Rule[] = [];
      for (const p of a.path) {
        const q = map.get(p);
        if (!q) return undefined;
        path.push(q);
      }
      moved.push({ hook: a.hook, path, space: a.space });
    }
    arrivals.set(now, moved);
  }
  for (const [r, sp] of res.taken) {
    const now = map.get(r);
    if (!now) return undefined;
    taken.set(now, sp);
  }
  return { arrivals, toPolicy: res.toPolicy, taken, complete: res.complete, chains: res.chains };
}

/** A space written out box by box, dimension by dimension, as it is held (not normalised). */
function spaceText(s: Space): string {
  let out = s.approximate ? '~' : '';
  for (const b of s.boxes) {
    out += '|';
    for (const [d, set] of b) {
      out += `${d}:`;
      for (const [lo, hi] of set.ranges) out += `${lo}-${hi},`;
      out += ';';
    }
  }
  return out;
}

function keptWalk(env: SpaceEnv, compiled: ReadonlyMap<Rule, RuleSpace>, table: Table, hook: Hook, start: Space, keep: Keep | undefined): ReachResult {
  const anchor = table.chains.get(hook)?.rules[0]?.options;
  const run = () => reach(env, compiled, table, hook, start, keep?.test, keep?.stop);
  if (!anchor) return run();
  const key = `${table.name}/${hook}/${keep?.name ?? 'all'}/${envKey(env)}/${walkBudget()}/${spaceText(start)}`;
  let kept = WALKS.get(anchor);
  if (!kept) WALKS.set(anchor, (kept = new Map()));
  const hit = kept.get(key);
  if (hit) {
    kept.delete(key);
    const now = walkDeps(table, hook, hit.result.chains, compiled);
    if (sameSeq(now.deps, hit.deps)) {
      const carried = carryOver(hit.result, hit.rules, now.rules);
      if (carried) {
        kept.set(key, { deps: now.deps, rules: now.rules, result: carried });
        return carried;
      }
    }
  }
  const result = run();
  const { deps, rules } = walkDeps(table, hook, result.chains, compiled);
  kept.set(key, { deps, rules, result });
  // starts that depend on other rules (a NOTRACK rule's packets...) change with edits: keep the
  // walks used last
  if (kept.size > MAX_KEPT_WALKS) kept.delete(kept.keys().next().value!);
  return result;
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
    if (!i) {
      const spaces = chain.rules.map((r) => rules.get(r));
      // from the index of the chain before an edit of a few of its rules, when one is kept
      const made = INDEXES.get(ctx, chain, '', () => ({ index: new ChainIndex(env, spaces), spaces }), (prev, changed) => ({ index: new ChainIndex(env, spaces, { index: prev.index, before: prev.spaces, changed }), spaces }));
      indexes.set(chain, (i = made.index));
    }
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
      if (!r) memo.set(k, (r = keptWalk(env, rules, t, hook, start, keep)));
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
