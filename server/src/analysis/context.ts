/**
 * Per-ruleset analysis state shared by the checks: every rule compiled to its packet space once,
 * and symbolic traversals memoised by table, hook and starting set.
 */
import { groupedDigits } from '../knowledge/describe-values';
import type { Hook } from '../knowledge/types';
import { type Chain, chainPlace, type Finding, replacedRules, type Rule, type Ruleset, type Table } from '../model/ruleset';
import { type ChainReach, reachability } from './chain-graph';
import { Box, ISet, Space, type SpaceEnv } from './packet-space';
import { MIN_RUN } from './ban-runs';
import { type Arrival, keepBanRuns, reach, type ReachResult, verdictKind, WALK_BUDGET, walkBudget } from './reach';
import { ChainMemo, envKey } from './memo';
import { ChunkedArray } from '../model/chunked-array';
import type { ChainMap } from '../model/chain-map';
import { RenamedKeys } from './renamed-keys';
import { ChainIndex, MIN_INDEXED } from './rule-index';
import { releaseReplaced } from './trace-index';
import { RulesAhead } from './rules-ahead';
import { type CompiledRules, compileRule, compileRuleset, type RuleSpace } from './rule-space';

export interface AnalysisContext {
  readonly rs: Ruleset;
  readonly env: SpaceEnv;
  readonly compiled: CompiledRules;
  /**
   * Traverse `table` from `hook` with the packets of `start` (memoised under `key` and `keep`'s
   * name). `keep`: the rules whose arrivals the caller reads (default every rule; see reach).
   */
  reach(table: string, hook: Hook, start: Space, key: string, keep?: Keep): ReachResult | undefined;
  /** The rules of a chain indexed by the packets they can match (built once per chain). */
  /**
   * `known`: the chain's compiled rules by position and their conditions (the rule where it did not
   * compile), when the caller has them.
   */
  index(chain: Chain, known?: ChainFactsKnown): ChainIndex;
  /** Which hooks reach each chain of a table (built once per table). */
  hooks(table: Table): ChainReach;
  /** The hooks (built-in chains) of `table` from which some rule in `rules` can be reached. */
  hooksReaching(table: Table, rules: Iterable<Rule>): Set<Hook>;
}

const cache = new WeakMap<Ruleset, AnalysisContext>();

export { ChainMemo, envKey, TableMemo } from './memo';
import type { OneMore } from './memo';

/** Which rules' arrivals a walk records, by a name (part of the memo key) and a test. */
export interface Keep {
  readonly name: string;
  readonly test: (r: Rule) => boolean;
  /** End the walk at the first rule this says true for (see reach's stopAt). */
  readonly stop?: (r: Rule, took: Space) => boolean;
  /** The rules whose `taken` the caller reads (default every rule; see reach's takes). */
  readonly takes?: (r: Rule) => boolean;
  /** The rules the caller reads anything of: the walk ends where none lies ahead (see reach's ahead). */
  readonly ahead?: (r: Rule) => boolean;
}

/** Record no arrival: the caller reads only `taken` and `toPolicy`. */
export const TAKEN_ONLY: Keep = { name: 'taken', test: () => false };

/**
 * Record no arrival, and what REJECT rules alone take: the checks of what REJECTs answer read
 * nothing else of their walks (one union per rule and visit otherwise: the firewall-like 100k
 * file's walk of every TCP packet made one for each of its 83 000 bans), and nothing after the last
 * REJECT a walk can meet (a kube-proxy FORWARD walk ends before the 450 DROPs of
 * KUBE-EXTERNAL-SERVICES, so an edit among them leaves it as it was).
 */
const isReject = (r: Rule) => r.target?.name === 'REJECT';
export const TAKEN_BY_REJECTS: Keep = { name: 'taken-by-rejects', test: () => false, takes: isReject, ahead: isReject };

/**
 * Every TCP packet, and the key of walks that start with it: the start for a check that only asks
 * what TCP packets meet (REJECTs and their resets). Such a walk gives each rule what a walk of
 * every packet gives it, cut to TCP, with less work: the set of packets left carries no part for
 * the other protocols, which each rule for one port and protocol would cut again (the REJECT check
 * after a port edit in the kube-like 100k file's filter KUBE-SERVICES: 76 -> 41 ms).
 */
export const TCP_START = { key: 'tcp', space: Space.box(Box.of('proto', ISet.point(6n))) } as const;

/** Chain indexes with the compiled rules they were made from (the base of the next version's). */
const INDEXES = new ChainMemo<{ readonly index: ChainIndex; readonly spaces: ChunkedArray<RuleSpace | undefined> }>();

/** A chain's compiled rules by position and their conditions (the rule where it did not compile). */
export interface ChainFactsKnown {
  readonly spaces: ChunkedArray<RuleSpace | undefined>;
  readonly seq: ChunkedArray<object>;
  /** When known: `seq` is this list with one entry put in at `at` (`put`) or taken out from there. */
  readonly shiftedFrom?: OneMore;
}

/**
 * iptables-lens/analysis-limit: `what` (a check) was not worked out for packets entering `table`
 * at `hook`, because the walk there stopped at WALK_BUDGET. Said once, on the hook's chain.
 */
export function limitFinding(table: Table, hook: Hook, what: string): Finding {
  const chain = table.chains.get(hook);
  const span = (chain && chainPlace(chain)) ?? { line: 0, start: 0, end: 0 };
  return {
    code: 'analysis-limit',
    severity: 'information',
    message:
      `${what}: not checked for packets entering ${table.name} ${hook}. Following them through its chains takes more work than the analysis allows ` +
      `(${groupedDigits(WALK_BUDGET)} steps; a long list of single-address rules in one chain is the usual cause), so nothing is reported for it rather than something that might be wrong. The other checks still run.`,
    span,
  };
}

/**
 * Walks kept across versions of a document. A walk reads, of its table, only the chains it looked
 * up (ReachResult.chains): whether each exists or is built in, and for each it walked, the
 * compiled space and target of every rule it got to. A kept walk holds the table's chains as they
 * were (the version's ChainMap, which a version made by an edit in place shares all but the
 * replaced chains with, so nothing is made per walk to keep them): the parser keeps the object of
 * every chain an edit left alone (and its rules), so for most chains the test is one comparison. A chain that is another object now is compared rule by rule (the same rule
 * objects, or rules that compiled to spaces held alike, see Space.sameAs, with the same kind of
 * verdict to the same chain: a rule whose comment or counters alone changed), up to the rules the
 * walk read of it (ReachResult.read: a walk that stopped in a chain depends on none after, so a
 * line put in or taken out there leaves it as it was). While all agree, the same start
 * (same boxes) and environment give the same walk, so an edit in a chain the walk never entered
 * (most of a Docker or kube-proxy table for a probe that is accepted early) leaves it as it was.
 * Kept under the hook chain's first rule.
 */
interface KeptWalk {
  /**
   * The table's chains when it walked: what each name the walk looked up (result.chains) stood for
   * then. (A map of those names, made for each walk an edit carried over, was 0.86 MB per edit of
   * the firewall-like 100k file.)
   */
  readonly chains: ChainMap;
  readonly result: ReachResult;
}
const WALKS = new WeakMap<object, Map<string, KeptWalk>>();
/** Walks kept per hook chain, the least recently used dropped first. */
const MAX_KEPT_WALKS = 24;

/**
 * Whether a walk of `table` from `hook` reads the same as when `kept` was walked: undefined if
 * not; otherwise the rules that are other objects now, old to new. `renewed` gets the chains of
 * MIN_RUN rules or more that are other objects now.
 */
function sameWalk(env: SpaceEnv, compiled: CompiledRules, table: Table, hook: Hook, kept: KeptWalk, renewed: Chain[], ahead: Keep['ahead']): Map<Rule, Rule> | undefined {
  // a walk that ended for want of rules ahead: the chains it did not enter, asked whether they
  // lead to one, must answer the same (those an edit left alone do)
  if (kept.result.ahead && ahead) {
    let now: RulesAhead | undefined;
    for (const [n, was] of kept.result.ahead) {
      if (table.chains.get(n) === kept.chains.get(n)) continue;
      now ??= new RulesAhead(table, ahead);
      if (now.leadsTo(n) !== was) return undefined;
    }
  }
  const moved = new Map<Rule, Rule>();
  for (const n of kept.result.chains) {
    const was = kept.chains.get(n);
    const c = table.chains.get(n);
    if (c === was) continue;
    if (!c || !was || c.builtin !== was.builtin) return undefined;
    if (c.rules.length >= MIN_RUN) renewed.push(c);
    // a built-in chain other than the hook's is not walked into: only that it exists counts
    if (n !== hook && c.builtin) continue;
    // the walk looked at the first `read` rules only: the others may be anything
    const read = kept.result.read.get(n) ?? was.rules.length;
    if (c.rules.length !== was.rules.length) {
      // (a chain that got or lost rules after those: the walk stopped in it before them, a
      // Docker FORWARD chain at its third rule of 12 000, or the walks that run out of work in a
      // blocklist at its 6 000th of 83 000; one walked to its end reads them all. Comparing the
      // rules read costs less than walking them again, which took a step at each: the rules
      // above the edit are the same objects)
      if (read >= was.rules.length || c.rules.length < read) return undefined;
      const now = c.rules;
      const then = was.rules;
      for (let i = 0; i < read; i++) if (!readsAlike(env, compiled, now[i]!, then[i]!, moved)) return undefined;
      continue;
    }
    // (from the positions an in-place edit replaced, when the chain knows them: an 83 000-rule
    // blocklist is not gone through for each walk that crosses it)
    for (const i of replacedRules(c, was)!) {
      if (i >= read) break;
      if (!readsAlike(env, compiled, c.rules[i]!, was.rules[i]!, moved)) return undefined;
    }
  }
  return moved;
}

/**
 * Whether a walk treats rule `r` as it treated `o` (the same object, or compiled to spaces held
 * alike with the same kind of verdict to the same chain); the pair goes in `moved` when they are
 * other objects.
 */
function readsAlike(env: SpaceEnv, compiled: CompiledRules, r: Rule, o: Rule, moved: Map<Rule, Rule>): boolean {
  if (r === o) return true;
  const now = compiled.get(r);
  const then = compileRule(env, o);
  if (!now || now.exact !== then.exact || !now.space.sameAs(then.space) || !sameVerdict(r, o)) return false;
  moved.set(o, r);
  return true;
}

/** Whether a walk treats the two rules' targets alike: the same kind of verdict, to the same chain. */
function sameVerdict(r: Rule, o: Rule): boolean {
  return r.target === o.target || (verdictKind(r) === verdictKind(o) && r.target?.name === o.target?.name);
}

/** A kept walk with each rule that is another object now replaced by it. */
function carryOver(res: ReachResult, moved: ReadonlyMap<Rule, Rule>): ReachResult {
  if (!moved.size) return res;
  const now = (r: Rule) => moved.get(r) ?? r;
  const arrivals = new Map<Rule, Arrival[]>();
  // (forEach: for...of over a Map's entries made a pair per entry, 1.2 MB per edit of the firewall-like
  // file's blocklist, which the walks cross)
  res.arrivals.forEach((list, r) => arrivals.set(now(r), list.map((a) => ({ hook: a.hook, path: a.path.map(now), space: a.space }))));
  // (not copied: read with the moved rules' new objects as keys, see RenamedKeys)
  return { arrivals, toPolicy: res.toPolicy, taken: RenamedKeys.of(res.taken, moved), complete: res.complete, chains: res.chains, read: res.read, ...(res.ahead ? { ahead: res.ahead } : {}) };
}

/** A space written out box by box, dimension by dimension, as it is held (not normalised). */
function spaceText(s: Space): string {
  let out = s.approximate ? '~' : '';
  for (const b of s.boxes) {
    out += '|';
    for (let i = 0; i < b.size; i++) {
      out += `${b.dimAt(i)}:`;
      for (const [lo, hi] of b.setAt(i).ranges) out += `${lo}-${hi},`;
      out += ';';
    }
  }
  return out;
}

function keptWalk(env: SpaceEnv, compiled: CompiledRules, table: Table, hook: Hook, start: Space, keep: Keep | undefined): ReachResult {
  const anchor = table.chains.get(hook)?.rules[0]?.options;
  const run = () => reach(env, compiled, table, hook, start, keep?.test, keep?.stop, keep?.takes, keep?.ahead);
  if (!anchor) return run();
  const key = `${table.name}/${hook}/${keep?.name ?? 'all'}/${envKey(env)}/${walkBudget()}/${spaceText(start)}`;
  let kept = WALKS.get(anchor);
  if (!kept) WALKS.set(anchor, (kept = new Map()));
  const hit = kept.get(key);
  if (hit) {
    kept.delete(key);
    const renewed: Chain[] = [];
    const moved = sameWalk(env, compiled, table, hook, hit, renewed, keep?.ahead);
    if (moved) {
      const carried = carryOver(hit.result, moved);
      kept.set(key, { chains: table.chains, result: carried });
      // the runs of bans of the long chains it crosses go on to their new objects (see ban-runs.ts)
      for (const c of renewed) keepBanRuns(env, compiled, table, c);
      return carried;
    }
  }
  const result = run();
  kept.set(key, { chains: table.chains, result });
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
  /**
   * The index of the chain last asked for among those too short to index: the shadowed-rule check
   * asks for it once per rule of a chain, one chain after the other, and such an index is only the
   * list of the chain's rules, cheaper to make again than to keep for every one of the tens of
   * thousands of one- and two-rule chains of a kube-proxy node (for as long as the version).
   */
  let short: { readonly chain: Chain; readonly index: ChainIndex } | undefined;
  const spacesOf = (chain: Chain, known?: ChainFactsKnown) => known?.spaces ?? ChunkedArray.build(chain.rules.length, (k) => rules.get(chain.rules[k]!));
  const index = (chain: Chain, known?: ChainFactsKnown): ChainIndex => {
    if (chain.rules.length < MIN_INDEXED) {
      if (short?.chain !== chain) short = { chain, index: new ChainIndex(env, spacesOf(chain, known)) };
      return short.index;
    }
    let i = indexes.get(chain);
    if (!i) {
      const spaces = spacesOf(chain, known);
      // from the index of the chain before an edit of a few of its rules, when one is kept
      const made = INDEXES.get(
        ctx,
        chain,
        '',
        () => ({ index: new ChainIndex(env, spaces), spaces }),
        (prev, changed) => ({ index: ChainIndex.after(env, spaces, { index: prev.index, before: prev.spaces, changed }), spaces }),
        known?.seq,
        // (a rule put in or taken out of a long chain: every later position moved by one)
        (prev, at, put) => ({ index: ChainIndex.shifted(env, spaces, { index: prev.index, at, put, ...(put ? {} : { was: prev.spaces.get(at) }) }), spaces }),
        known?.shiftedFrom,
      );
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
  // (a newer version of a document: what traces prepared for an older one keeps none of its chains)
  releaseReplaced(rs);
  return ctx;
}

export { Space };
