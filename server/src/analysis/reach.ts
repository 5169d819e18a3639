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
import { type BanRun, banRunsOf, carryRuns, cutBefore, MIN_RUN, nextValue, type RunContext, type RunValue, runValue, type RunVisit, takenInRun, withoutCuts } from './ban-runs';
import { type Box, boxGet, ISet, MERGE_FROM, Space, type SpaceEnv, stateValue } from './packet-space';
import type { CompiledRules } from './rule-space';
import { RulesAhead } from './rules-ahead';
import { TakenMap } from './taken-map';

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
  readonly taken: ReadonlyMap<Rule, Space>;
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
  /**
   * For each chain walked, how many of its first rules the walk looked at, over all its visits:
   * the result depends on none after them (the walk ended in the chain before its end: no packet
   * left, a rule it stopped at, the work limit). A chain walked to its end has its length here.
   */
  readonly read: ReadonlyMap<string, number>;
  /**
   * Given `ahead` only: what the walk asked about the chains it did not enter, whether they can
   * bring a packet to a rule `ahead` names (see RulesAhead.consulted). A walk that ended because
   * none lay ahead depends on these answers, and on every rule of the chains it was in when it
   * ended (their `read` is their length).
   */
  readonly ahead?: ReadonlyMap<string, boolean>;
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
  for (let j = 0; j < s.boxCount; j++) {
    const b = s.boxAt(j);
    for (let k = 0; k < by.boxCount; k++) {
      const r = by.boxAt(k);
      for (let i = 0; i < r.size; i++) w += b.get(r.dimAt(i))?.rangeCount ?? 1;
    }
  }
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

function isTerminal(r: Rule): boolean {
  return verdictKind(r) === 'terminal';
}

/** The runs of bans of `chain` (of `table`) carried from its previous version's, if they can be (see ban-runs.ts carryRuns). */
export function keepBanRuns(env: SpaceEnv, compiled: CompiledRules, table: Table, chain: Chain): void {
  if (runsOn && chain.rules.length >= MIN_RUN) carryRuns({ env, compiled, terminal: isTerminal }, table, chain);
}

let runsOn = true;
/** For tests: walk runs of bans rule by rule (false) or at once (true, the default; see ban-runs.ts). */
export function setBanRuns(on: boolean): void {
  runsOn = on;
}

/**
 * `keep`: the rules whose arrivals are recorded (default every rule). An arrival holds the packets
 * left at that point of the walk; recorded for every rule of a 50 000-rule blocklist, those sets
 * cost memory with the square of the chain; a check asks for the rules it looks at. `taken` is
 * recorded for every rule unless `takes` says otherwise.
 *
 * `stopAt`: the walk ends at the first rule for which it says true (after recording that rule):
 * a check that only asks whether some rule takes a packet needs nothing after it. Such a result
 * holds what the walk saw up to there; its `toPolicy` means nothing.
 *
 * `takes`: the rules whose `taken` is recorded (default every rule); the others are absent from
 * it. What a rule takes is unioned over every visit of it, and a chain visited once per jump to it
 * (a Docker host's second isolation stage, from each bridge's rule of the first) made those unions
 * most of a walk that only asks about ACCEPT rules.
 *
 * `ahead`: the rules the caller reads anything of (their arrivals, what they take): the walk ends
 * where no such rule lies ahead, in the rest of the chains it is in or any chain they jump or go
 * to (see RulesAhead). Such a result's `toPolicy` means nothing.
 */
export function reach(
  env: SpaceEnv,
  compiled: CompiledRules,
  table: Table,
  hook: Hook,
  start: Space,
  keep?: (r: Rule) => boolean,
  stopAt?: (r: Rule, took: Space) => boolean,
  takes?: (r: Rule) => boolean,
  ahead?: (r: Rule) => boolean,
): ReachResult {
  const arrivals = new Map<Rule, Arrival[]>();
  const taken = new TakenMap();
  const stack: string[] = [];
  const looked = new Set<string>([hook]);
  const read = new Map<string, number>();
  let work = 0;
  let stopped = false;
  /** The caller's stopAt said the walk found what it looks for: nothing after it is looked at. */
  let found = false;
  /** No rule `ahead` names lies ahead: the walk ended there. */
  let ended = false;
  const wanted = ahead && new RulesAhead(table, ahead);
  const limit = budget;

  /** Whether what rule r takes is recorded (see `takes`). */
  const takesOf = (r: Rule) => !takes || takes(r);
  const record = (r: Rule, path: readonly Rule[], space: Space, took: Space) => {
    if (takesOf(r)) taken.add(r, took);
    if (keep && !keep(r)) return;
    let list = arrivals.get(r);
    if (!list) arrivals.set(r, (list = []));
    if (list.length < MAX_ARRIVALS_PER_RULE) list.push({ hook, path, space });
    else list[list.length - 1] = { hook, path, space: list[list.length - 1]!.space.union(space) };
  };

  const rc: RunContext = { env, compiled, terminal: isTerminal };

  /**
   * Go through the rules of `run` (see ban-runs.ts) with the packets `s`, as the rule-by-rule walk
   * below would: the same work counted, the same recorded, the same left. `at`: where the walk
   * goes on (the run's end, or the rule it stopped before, which the walk below then takes), with
   * the packets `s` left there; `stop`: the walk of the chain ends there (work limit, stopAt).
   * Only for walks that keep the arrivals of some rules (`keep`), with packets of at most
   * MERGE_FROM boxes (so that no step merges them) each restricting the run's dimension to one
   * range or not at all; otherwise nothing is done (at: run.start).
   */
  const walkRun = (run: BanRun, rules: readonly Rule[], s: Space): { at: number; s: Space; stop: boolean } => {
    const n = s.boxCount;
    const none = { at: run.start, s, stop: false };
    // (without `keep` every rule's arrival is recorded, and those need the packets left at each)
    if (n > MERGE_FROM || !keep) return none;
    const d = run.dim;
    const boxes: Box[] = [];
    // (each box's range in the form the run holds its rules' ranges: see RunValue)
    const los: RunValue[] = [];
    const his: RunValue[] = [];
    for (let j = 0; j < n; j++) {
      const b = s.boxAt(j);
      const set = boxGet(env, b, d);
      if (set.rangeCount !== 1) return none;
      boxes.push(b);
      los.push(runValue(run, set.first()!));
      his.push(runValue(run, set.last()!));
    }
    /** How many ranges each box's set of the dimension is in now (1 for a box not cut yet, restricting it or not). */
    const counts = new Array<number>(n).fill(1);
    const cut = new Array<boolean>(n).fill(false);
    /** What the rule at hand does to each box: whether it cuts it, and its count after the cut. */
    const hit = new Array<boolean>(n).fill(false);
    const next = new Array<number>(n).fill(1);
    const approximate = s.approximate;
    const merged = s.merged;
    /** The packets left before the rule at position k of the run. */
    const left = (k: number): Space => {
      const out: Box[] = [];
      for (let j = 0; j < n; j++) out.push(cut[j] ? boxes[j]!.with(d, withoutCuts(run, los[j]!, his[j]!, k)) : boxes[j]!);
      return new Space(out, approximate, merged);
    };
    const visit: RunVisit = { run, rules, boxes, los, his, approximate, merged, upTo: 0 };
    /**
     * Where the walk goes on: the rule at position k of the run, with the packets left there.
     * What the rules before it take is recorded as the visit, worked out when read (see TakenMap),
     * unless a rule to stop at needed each as the walk went (then each is recorded already).
     */
    const leave = (k: number, stop: boolean): { at: number; s: Space; stop: boolean } => {
      if (!stopAt) taken.addRun({ ...visit, upTo: k }, takesOf);
      return { at: run.start + k, s: left(k), stop };
    };
    for (let k = 0; k < run.end - run.start; k++) {
      const r = rules[run.start + k]!;
      // (a rule whose arrivals are kept needs the packets left there: the walk below takes it)
      if (keep(r)) return leave(k, false);
      // a range an earlier rule of the run had takes nothing; any other takes, of each box, the
      // part of the range in it (no earlier rule cut there)
      const fresh = run.dupOf[k]! < 0;
      const lo = run.los[k]!;
      const hi = run.his[k]!;
      let meets = false;
      for (let j = 0; j < n; j++) {
        const a = lo > los[j]! ? lo : los[j]!;
        const b = hi < his[j]! ? hi : his[j]!;
        hit[j] = fresh && a <= b;
        if (!hit[j]) continue;
        meets = true;
        // the range of the box's set the cut falls in goes; what is left of it on either side stays
        const below = a > los[j]! && !cutBefore(run, nextValue(a, -1), k);
        const above = b < his[j]! && !cutBefore(run, nextValue(b, 1), k);
        next[j] = counts[j]! - 1 + (below ? 1 : 0) + (above ? 1 : 0);
        // a box cut away whole: the walk below takes the rule (the packets lose a box)
        if (next[j] === 0) return leave(k, false);
      }
      work += 1 + n;
      if (work > limit) stopped = true;
      if (stopped) return leave(k, true);
      // (what the rule takes, made here only for a rule to stop at, which needs it now: see leave.
      // No arrival: keep said no for this rule above)
      if (stopAt) {
        const matched = takenInRun(visit, k);
        if (takesOf(r)) taken.add(r, matched);
        if (stopAt(r, matched)) {
          found = true;
          return leave(k, true);
        }
      }
      // (it takes a part of each box it meets, and nothing of the others)
      if (!meets) continue;
      for (let j = 0; j < n; j++) work += counts[j]!;
      for (let j = 0; j < n; j++) {
        if (!hit[j]) continue;
        counts[j] = next[j]!;
        cut[j] = true;
      }
    }
    return leave(run.end - run.start, false);
  };

  /**
   * Walk a chain; returns the packets that come back (fall off the end or RETURN). `after`: whether
   * a rule `ahead` names may lie ahead once the chain is left (always, without `ahead`).
   */
  const walk = (chain: Chain, input: Space, path: readonly Rule[], after: boolean): Space => {
    if (stack.includes(chain.name) || stack.length > 64) return Space.NONE; // loop: the kernel refuses it anyway
    stack.push(chain.name);
    let s = input;
    let returned = Space.NONE;
    const rules = chain.rules;
    const runs = runsOn && rules.length >= MIN_RUN ? banRunsOf(rc, table, chain) : undefined;
    /** The last rule from which a rule `ahead` names can be met, when none lies ahead outside the chain. */
    const last = after ? Infinity : wanted!.lastIn(chain);
    let i = 0;
    for (; i < rules.length; i++) {
      if (s.empty || found || ended) break;
      if (i > last) {
        ended = true;
        break;
      }
      const run = runs?.get(i);
      if (run && !stopped) {
        const went = walkRun(run, rules, s);
        s = went.s;
        if (went.stop) {
          i = went.at;
          break;
        }
        if (went.at > i) {
          i = went.at - 1;
          continue;
        }
      }
      const r = rules[i]!;
      const rsp = compiled.get(r);
      if (!rsp) continue;
      work += 1 + s.boxCount;
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
          const back = callee && !callee.builtin ? walk(callee, matched, [...path, r], i < last) : matched;
          if (exact) s = s.subtract(env, rsp.space).union(back);
          break;
        }
        case 'goto': {
          looked.add(r.target!.name);
          const callee = table.chains.get(r.target!.name);
          // (the walk ending in the chain gone to would end it here too, where the packets the goto
          // does not take go on)
          const back = callee && !callee.builtin ? walk(callee, matched, [...path, r], i < last) : matched;
          returned = returned.union(back);
          if (exact) s = s.subtract(env, rsp.space);
          break;
        }
        case 'notrack': {
          // the packets it matches leave the raw table with state UNTRACKED
          const relabelled = new Space(
            matched.boxes.map((b) => b.with('state', ISet.point(stateValue('UNTRACKED')))),
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
    // (the rule the walk stopped at counts as looked at; where it ended for want of rules ahead,
    // the whole chain was: any rule of it put after could be one)
    const upTo = ended ? rules.length : Math.min(rules.length, i + 1);
    if (upTo > (read.get(chain.name) ?? 0)) read.set(chain.name, upTo);
    return returned.union(s);
  };

  const chain = table.chains.get(hook);
  const toPolicy = chain ? walk(chain, start, [], !wanted) : start;
  return { arrivals, toPolicy, taken, complete: !stopped, chains: looked, read, ...(wanted ? { ahead: wanted.consulted } : {}) };
}
