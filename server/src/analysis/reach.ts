/**
 * Symbolic traversal of a table: which packets can arrive at each rule, starting from a hook's
 * built-in chain with a given set of packets. Jumps, gotos, RETURN, terminating verdicts, and
 * NOTRACK (which turns the state of the packets it matches into UNTRACKED) are followed.
 *
 * The arrival sets over-approximate: a rule whose conditions cannot all be decided from the packet
 * (limit, recent, ipset...) may or may not take a packet, so it removes nothing. "Packets of this
 * kind can reach rule N" therefore means "unless an undecidable rule happens to take them".
 */
import type { Hook } from '../knowledge/types';
import type { Chain, Rule, Table } from '../model/ruleset';
import { type Box, boxWith, type Dim, ISet, Space, type SpaceEnv, stateValue } from './packet-space';
import type { RuleSpace } from './rule-space';

export interface Arrival {
  readonly hook: Hook;
  /** The jump rules that led here, outermost first (empty when the rule is in the hook's chain). */
  readonly path: readonly Rule[];
  readonly space: Space;
}

export interface ReachResult {
  readonly arrivals: Map<Rule, Arrival[]>;
  /** Packets that fall off the end of the hook's chain and meet its policy. */
  readonly toPolicy: Space;
  /** Packets each rule takes (arrival ∩ decidable conditions), unioned over paths. */
  readonly taken: Map<Rule, Space>;
  /**
   * False when the walk stopped at the work limit (see WALK_BUDGET): what was recorded is exact
   * but some rules were never looked at; a check then reports the limit, not its findings.
   */
  readonly complete: boolean;
  /**
   * The names of the chains the walk looked up (the hook's and every jump's or goto's target,
   * found or not): the result depends on nothing else of the table (see context's walk memo).
   */
  readonly chains: ReadonlySet<string>;
}

/**
 * The most work one walk may do, counted as rule steps plus the interval-set ranges each step
 * handles: a 100 000-rule kube-proxy table takes about a million; a 50 000-address blocklist in
 * one chain grows its set of remaining packets with every rule and would take billions.
 */
export const WALK_BUDGET = 20_000_000;
let budget = WALK_BUDGET;
/** For tests: run walks with another limit (undefined: back to WALK_BUDGET). */
export function setWalkBudget(n: number | undefined): void {
  budget = n ?? WALK_BUDGET;
}
/** The limit walks run with now (part of what a kept walk depends on). */
export function walkBudget(): number {
  return budget;
}

/** The interval ranges of the dimensions `by` restricts, over every box of `s` (the work of cutting s by it). */
function weight(s: Space, by: Space): number {
  let w = 0;
  for (const b of s.boxes) for (const r of by.boxes) for (const d of r.keys()) w += b.get(d)?.ranges.length ?? 1;
  return w;
}

export type Verdict = 'terminal' | 'return' | 'jump' | 'goto' | 'continue' | 'notrack';

/** How the traversal treats a rule's target. */
export function verdictKind(r: Rule): Verdict {
  const t = r.target;
  if (!t) return 'continue';
  if (t.kind === 'chain') return t.goto ? 'goto' : 'jump';
  if (t.name === 'RETURN') return 'return';
  if (t.name === 'NOTRACK') return 'notrack';
  if (t.name === 'CT' && t.options.some((o) => o.name === '--notrack')) return 'notrack';
  const term = t.spec?.termination;
  if (term === 'terminating') return 'terminal';
  if (term === 'depends') {
    // NFQUEUE with --queue-bypass lets packets through when no program listens; treat as may-continue
    return 'continue';
  }
  return 'continue';
}

const MAX_ARRIVALS_PER_RULE = 64;

/** The fewest rules worth taking as one run (see disjointRun). */
const MIN_RUN = 4;
let runsOn = true;
/** For tests: walk every rule on its own (false), to compare with walks that take runs at once. */
export function setDisjointRuns(on: boolean): void {
  runsOn = on;
}

/**
 * The rule's space as a run sees it: one box, exact, and a verdict whose effect on the packets
 * left stays inside the rule's own space (not NOTRACK, which relabels them).
 */
function runBox(compiled: ReadonlyMap<Rule, RuleSpace>, r: Rule, keep: (r: Rule) => boolean): Box | undefined {
  const rsp = compiled.get(r);
  if (!rsp || !rsp.exact || rsp.space.approximate || rsp.space.boxes.length !== 1 || keep(r) || verdictKind(r) === 'notrack') return undefined;
  return rsp.space.boxes[0];
}

/** The one dimension on which the first two rules of a run differ (undefined: not exactly one). */
function runDim(compiled: ReadonlyMap<Rule, RuleSpace>, rules: readonly Rule[], from: number): Dim | undefined {
  const a = compiled.get(rules[from]!)!.space.boxes[0]!;
  const b = compiled.get(rules[from + 1]!)!.space.boxes[0]!;
  if (a.size !== b.size) return undefined;
  let d: Dim | undefined;
  for (const [dim, set] of a) {
    const other = b.get(dim);
    if (!other) return undefined;
    if (other === set || other.equals(set)) continue;
    if (d) return undefined;
    d = dim;
  }
  return d;
}

/** Where the walk of one chain stands in its search for runs (see disjointRun). */
interface RunScan {
  /** No run starts before this rule (the rules before were looked at). */
  noRunBefore: number;
  /** How many rules the next search looks at: doubled while runs fill it, small again after a cut. */
  window: number;
}
const FIRST_WINDOW = 64;
const MAX_WINDOW = 1 << 16;

/**
 * A run of rules starting at `from`: at least MIN_RUN rules, each one exact box that restricts
 * the same dimensions to the same sets except one, whose sets do not overlap from rule to rule,
 * and none whose arrival the walk must record. A blocklist (`-s ADDRESS -j DROP` ten thousand
 * times) is such a run. No rule of a run can match a packet an earlier one took, so each takes
 * from what arrived at the run, whatever the others did. A rule that overlaps an earlier one (an
 * address listed twice, a /32 inside a /24 before it) ends the run before it. Returns the run's
 * end and dimension, or undefined (and where to look again) when no run starts here.
 */
function disjointRun(compiled: ReadonlyMap<Rule, RuleSpace>, rules: readonly Rule[], from: number, keep: (r: Rule) => boolean, scan: RunScan): { end: number; d: Dim } | undefined {
  if (from < scan.noRunBefore) return undefined;
  const first = from + MIN_RUN <= rules.length ? runBox(compiled, rules[from]!, keep) : undefined;
  const d = first && runBox(compiled, rules[from + 1]!, keep) ? runDim(compiled, rules, from) : undefined;
  if (!first || !d) {
    scan.noRunBefore = from + 1;
    return undefined;
  }
  // the rules that restrict the other dimensions exactly as the first does
  const limit = Math.min(rules.length, from + scan.window);
  let end = from + 1;
  for (; end < limit; end++) {
    const b = runBox(compiled, rules[end]!, keep);
    if (!b || b.size !== first.size || !b.has(d)) break;
    let same = true;
    for (const [dim, set] of first) {
      if (dim === d) continue;
      const other = b.get(dim);
      if (!other || (other !== set && !other.equals(set))) {
        same = false;
        break;
      }
    }
    if (!same) break;
  }
  // the first rule that overlaps an earlier one: sorted by start, each range against those before
  // it that have not ended yet
  const items: { lo: bigint; hi: bigint; k: number }[] = [];
  for (let k = from; k < end; k++) for (const [lo, hi] of compiled.get(rules[k]!)!.space.boxes[0]!.get(d)!.ranges) items.push({ lo, hi, k });
  items.sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0));
  let cut = end;
  const open: typeof items = [];
  for (const it of items) {
    let kept = 0;
    for (const o of open) if (o.hi >= it.lo) open[kept++] = o;
    open.length = kept;
    for (const o of open) cut = Math.min(cut, Math.max(o.k, it.k));
    open.push(it);
  }
  if (cut === end && end === from + scan.window) scan.window = Math.min(scan.window * 2, MAX_WINDOW);
  else if (cut < end) scan.window = FIRST_WINDOW;
  if (cut - from < MIN_RUN) {
    scan.noRunBefore = cut < end ? from + 1 : end;
    return undefined;
  }
  return { end: cut, d };
}

/**
 * `keep`: the rules whose arrivals are recorded (default every rule). An arrival holds the packets
 * left at that point of the walk; recorded for every rule of a 50 000-rule blocklist, those sets
 * cost memory with the square of the chain; a check asks for the rules it looks at. `taken` is
 * always recorded for every rule.
 *
 * `stopAt`: the walk ends at the first rule for which it says true (after recording that rule):
 * a check that only asks whether some rule takes a packet needs nothing after it. Such a result
 * holds what the walk saw up to there; its `toPolicy` means nothing.
 */
export function reach(
  env: SpaceEnv,
  compiled: ReadonlyMap<Rule, RuleSpace>,
  table: Table,
  hook: Hook,
  start: Space,
  keep?: (r: Rule) => boolean,
  stopAt?: (r: Rule, took: Space) => boolean,
): ReachResult {
  const arrivals = new Map<Rule, Arrival[]>();
  const taken = new Map<Rule, Space>();
  const stack: string[] = [];
  const looked = new Set<string>([hook]);
  let work = 0;
  let stopped = false;
  /** The caller's stopAt said the walk found what it looks for: nothing after it is looked at. */
  let found = false;
  const limit = budget;

  const record = (r: Rule, path: readonly Rule[], space: Space, took: Space) => {
    taken.set(r, (taken.get(r) ?? Space.NONE).union(took));
    if (keep && !keep(r)) return;
    let list = arrivals.get(r);
    if (!list) arrivals.set(r, (list = []));
    if (list.length < MAX_ARRIVALS_PER_RULE) list.push({ hook, path, space });
    else list[list.length - 1] = { hook, path, space: list[list.length - 1]!.space.union(space) };
  };

  /** Walk a chain; returns the packets that come back (fall off the end or RETURN). */
  const walk = (chain: Chain, input: Space, path: readonly Rule[]): Space => {
    if (stack.includes(chain.name) || stack.length > 64) return Space.NONE; // loop: the kernel refuses it anyway
    stack.push(chain.name);
    let s = input;
    let returned = Space.NONE;
    const rules = chain.rules;
    const scan: RunScan = { noRunBefore: 0, window: FIRST_WINDOW };
    for (let i = 0; i < rules.length; i++) {
      if (s.empty || found || stopped) break;
      const run = keep && runsOn ? disjointRun(compiled, rules, i, keep, scan) : undefined;
      if (run) {
        const after = walkRun(rules, i, run.end, run.d, s, path);
        s = after.s;
        returned = after.returned;
        i = after.next - 1;
        continue;
      }
      const r = rules[i]!;
      const rsp = compiled.get(r);
      if (!rsp) continue;
      work += 1 + s.boxes.length;
      if (work > limit) stopped = true;
      if (stopped) break;
      const matched = s.intersect(env, rsp.space);
      record(r, path, s, matched);
      if (stopAt?.(r, matched)) {
        found = true;
        break;
      }
      if (matched.empty) continue;
      const exact = rsp.exact;
      if (exact) work += weight(s, rsp.space);
      switch (verdictKind(r)) {
        case 'terminal':
          if (exact) s = s.subtract(env, rsp.space);
          break;
        case 'return':
          returned = returned.union(matched);
          if (exact) s = s.subtract(env, rsp.space);
          break;
        case 'jump': {
          looked.add(r.target!.name);
          const callee = table.chains.get(r.target!.name);
          const back = callee && !callee.builtin ? walk(callee, matched, [...path, r]) : matched;
          if (exact) s = s.subtract(env, rsp.space).union(back);
          break;
        }
        case 'goto': {
          looked.add(r.target!.name);
          const callee = table.chains.get(r.target!.name);
          const back = callee && !callee.builtin ? walk(callee, matched, [...path, r]) : matched;
          returned = returned.union(back);
          if (exact) s = s.subtract(env, rsp.space);
          break;
        }
        case 'notrack': {
          // the packets it matches leave the raw table with state UNTRACKED
          const relabelled = new Space(
            matched.boxes.map((b) => new Map(b).set('state', ISet.point(stateValue('UNTRACKED')))),
            matched.approximate,
          );
          s = (exact ? s.subtract(env, rsp.space) : s).union(relabelled);
          break;
        }
        case 'continue':
          break;
      }
    }
    stack.pop();
    return returned.union(s);

    /**
     * rules[from, to), a run whose spaces are pairwise disjoint (see disjointRun), taken in one
     * go: each rule meets what arrived at the run (the rules before it in the run took nothing
     * it could match), and what the exact ones remove leaves the set in one cut at the end, not
     * one copy of a growing set per rule. The result is the set the rules one by one would leave.
     * Returns where the walk goes on (before `to` when it stopped or found what it looks for).
     */
    function walkRun(rules: readonly Rule[], from: number, to: number, d: Dim, s0: Space, path: readonly Rule[]): { s: Space; returned: Space; next: number } {
      const cut: (readonly [bigint, bigint])[] = [];
      let back = Space.NONE;
      let ret = returned;
      let k = from;
      for (; k < to && !found; k++) {
        const r = rules[k]!;
        const rsp = compiled.get(r)!;
        work += 1 + s0.boxes.length;
        if (work > limit) stopped = true;
        if (stopped) break;
        const matched = s0.intersect(env, rsp.space);
        record(r, path, s0, matched);
        if (stopAt?.(r, matched)) {
          found = true;
          k++;
          break;
        }
        if (matched.empty) continue;
        const verdict = verdictKind(r);
        if (verdict === 'continue') continue;
        if (verdict === 'return') ret = ret.union(matched);
        else if (verdict === 'jump' || verdict === 'goto') {
          looked.add(r.target!.name);
          const callee = table.chains.get(r.target!.name);
          const came = callee && !callee.builtin ? walk(callee, matched, [...path, r]) : matched;
          if (verdict === 'jump') back = back.union(came);
          else ret = ret.union(came);
        }
        for (const range of rsp.space.boxes[0]!.get(d)!.ranges) cut.push(range);
      }
      let after = s0;
      if (cut.length) {
        // one cut for the whole run: the work of cutting once, not once per rule
        const taken = Space.box(boxWith(compiled.get(rules[from]!)!.space.boxes[0]!, d, ISet.fromRanges(cut)));
        work += weight(s0, taken) + cut.length;
        if (work > limit) stopped = true;
        after = s0.subtract(env, taken);
      }
      return { s: after.union(back), returned: ret, next: k };
    }
  };

  const chain = table.chains.get(hook);
  const toPolicy = chain ? walk(chain, start, []) : start;
  return { arrivals, toPolicy, taken, complete: !stopped, chains: looked };
}
