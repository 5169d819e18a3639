/**
 * Runs of ban rules, for walks (see reach.ts) to go through at once. A blocklist chain holds tens
 * of thousands of rules like `-s 203.0.113.7 -j DROP`; a walk cuts each address out of the packets
 * it carries, one rule at a time, and the set it cuts grows by a range with every rule (the walk
 * through the 83 000 bans of the firewall-like 100k file took 35-85 ms, twice per edit of it).
 *
 * A run is a stretch of consecutive rules of one chain that each match exactly one range of one
 * dimension (nothing the packet cannot decide) and end the walk of what they match (DROP, ACCEPT,
 * REJECT...). What each of them takes, and what is left after the run, follow from the packets
 * that entered it and from where the ranges lie: a range that none of the earlier rules of the run
 * touches takes, of the packets that entered, the same as it takes of what the earlier rules left;
 * a range written again (a rule copied) takes nothing. The walk goes through a run that way and
 * builds what is left once, at its end (see walkRun in reach.ts); it reads a run only where that
 * gives what going rule by rule gives, held box for box alike (the tests compare both).
 *
 * A run stops before a rule whose range overlaps an earlier one of the run without being the same
 * range. A run holds its values as doubles where the dimension's values fit one (IPv4 addresses,
 * ports, marks...), as bigints otherwise (IPv6 addresses: see RunValue). A chain's runs are made
 * from those of the previous version's chain when an edit put in, took out or rewrote one of its
 * rules: finding them afresh reads every rule.
 */
import { type Chain, type Rule, ruleMoved, type Table } from '../model/ruleset';
import { insertionPoint } from '../model/insertion-point';
import { type Box, type Dim, domain, ISet, Space, type SpaceEnv } from './packet-space';
import type { CompiledRules } from './rule-space';

/** Shorter stretches are walked rule by rule (going through them at once would save nothing). */
export const MIN_RUN = 32;

export interface BanRun {
  /** The position of the run's first rule in its chain, and one past its last. */
  readonly start: number;
  readonly end: number;
  readonly dim: Dim;
  /** The run holds its values as bigints (see RunValue). */
  readonly wide: boolean;
  /**
   * Each rule's range, by its position in the run. A run whose every range is one value (single
   * addresses: a blocklist's) holds one list for both ends. Every line put into or taken out of a
   * run copies its lists: as lists of bigints they were 0.66 MB of the heap each on the
   * firewall-like 100k file's 83 000 bans, copied on each such edit, and held 83 000 bigints
   * besides (doubles are kept outside the heap, in the lists' buffers).
   */
  readonly los: RunValues;
  readonly his: RunValues;
  /** For a rule whose range an earlier rule of the run has already: that rule's position in the run; -1 otherwise. */
  readonly dupOf: Int32Array;
  /** The positions in the run of the rules whose ranges are new there, in the order of their low ends. */
  readonly byLo: Int32Array;
  /** Their low ends, in that order (to search). */
  readonly sortedLo: RunValues;
}

/**
 * A value of a run's dimension: a double where the dimension's values are below MAX_EXACT (a double
 * holds them exactly), a bigint otherwise (IPv6 addresses). The walk through a run compares the
 * packets' values with the run's in the run's form (see runValue).
 */
export type RunValue = number | bigint;
/** A list of values of a run: doubles (in a buffer outside the heap) or bigints. */
type RunValues = Float64Array | readonly bigint[];

/** A value of the run's dimension in the run's form. */
export function runValue(run: BanRun, x: bigint): RunValue {
  return run.wide ? x : Number(x);
}

/** The value after `v` (by 1) or before it (by -1). */
export function nextValue(v: RunValue, by: 1 | -1): RunValue {
  return typeof v === 'bigint' ? (by === 1 ? v + 1n : v - 1n) : v + by;
}

/** Whether values of dimension `dim` are held as bigints. */
function isWide(env: SpaceEnv, dim: Dim): boolean {
  return domain(env, dim)[1] >= MAX_EXACT;
}

/** The one range of one dimension a rule matches, when it is a ban as runs take them. */
function banRange(rc: RunContext, r: Rule): { dim: Dim; lo: bigint; hi: bigint } | undefined {
  const rsp = rc.compiled.get(r);
  if (!rsp || !rsp.exact || !rc.terminal(r) || rsp.space.approximate || rsp.space.boxCount !== 1) return undefined;
  const box = rsp.space.boxAt(0);
  if (box.size !== 1) return undefined;
  const set = box.setAt(0);
  if (set.rangeCount !== 1) return undefined;
  return { dim: box.dimAt(0), lo: set.first()!, hi: set.last()! };
}

/**
 * Values below MAX_EXACT (addresses of IPv4, ports, marks...) are held as doubles; runs are of
 * chains of fewer than POSITIONS rules: a value and a position then fit one double exactly (see
 * runOf).
 */
const MAX_EXACT = 2n ** 33n;
const POSITIONS = 2 ** 20;

/** The runs of a chain, by the position each starts at. */
type Runs = ReadonlyMap<number, BanRun>;

/** The runs of each chain walked, per environment (a chain object is never changed), and whether they were carried from an earlier version's. */
const RUNS = new WeakMap<Chain, { readonly env: SpaceEnv; readonly runs: Runs; readonly carried: boolean }>();

/** Whether the runs known for `chain` were made from those of an earlier version's chain (see carried); for tests. */
export function runsWereCarried(chain: Chain): boolean {
  return RUNS.get(chain)?.carried ?? false;
}

/** How a walk finds a chain's runs: the environment, the compiled rules, which targets end the walk. */
export interface RunContext {
  readonly env: SpaceEnv;
  readonly compiled: CompiledRules;
  readonly terminal: (r: Rule) => boolean;
}

/**
 * The runs of at least MIN_RUN rules of chain `chain` of `table`. Made from the runs of the
 * previous version's chain when the edit that made this version moved the chain's rules or put in,
 * took out or rewrote one rule (see carried): finding them afresh reads every rule of the chain
 * (35-60 ms on an 83 000-rule blocklist, more than the walk saves).
 */
export function banRunsOf(rc: RunContext, table: Table, chain: Chain): Runs {
  const had = known(rc, table, chain, 0);
  if (had) return had;
  const runs = findRuns(rc, chain.rules);
  RUNS.set(chain, { env: rc.env, runs, carried: false });
  return runs;
}

/**
 * Give `chain` the runs of the previous version's chain, when they can be carried to it (see
 * carried), without finding them afresh otherwise: for a chain a walk was carried over (see
 * context.ts), which does not go through its rules, so that its runs are there to carry on
 * when a later version must be walked. (The versions in between are held weakly: once they are
 * gone, runs are found afresh.)
 */
export function carryRuns(rc: RunContext, table: Table, chain: Chain): void {
  known(rc, table, chain, 0);
}

/** The runs of a list of rules, found rule by rule. */
function findRuns(rc: RunContext, rules: readonly Rule[]): Runs {
  const runs = new Map<number, BanRun>();
  for (let i = 0; i < rules.length && rules.length < POSITIONS; ) {
    const first = rules.length - i >= MIN_RUN ? banRange(rc, rules[i]!) : undefined;
    if (!first) {
      i++;
      continue;
    }
    const los = [first.lo];
    const his = [first.hi];
    let j = i + 1;
    for (; j < rules.length; j++) {
      const b = banRange(rc, rules[j]!);
      if (!b || b.dim !== first.dim) break;
      los.push(b.lo);
      his.push(b.hi);
    }
    const run = runOf(i, first.dim, isWide(rc.env, first.dim), los, his);
    if (run.end - run.start >= MIN_RUN) runs.set(i, run);
    // (a run cut short by an overlapping range goes on from that rule)
    i = Math.max(run.end, i + 1);
  }
  return runs;
}

/**
 * The runs of `chain` made from those of the chain of the same name in the version the table was
 * made from, when that one's runs are known and the edit moved its rules (the same rules, position
 * by position), put in or took out one of them (a line put in or taken out), or rewrote rules in
 * place (each a rule taken out and one put in at its position), through the versions in between
 * when those were not walked. Undefined otherwise, or when a run cannot take the change (a rule
 * that would split it, or change which rule of a range is the first): the runs are then found
 * afresh.
 */
function carried(rc: RunContext, table: Table, chain: Chain, steps = 0): Runs | undefined {
  const moved = table.moved;
  if (moved) {
    const before = moved.from.deref();
    const was = before?.chains.get(chain.name);
    const runs = was && known(rc, before!, was, steps);
    if (!was || !runs) return undefined;
    if (!moved.chains.has(chain.name)) return chain.rules.length === was.rules.length ? runs : undefined;
    // (a chain renewed for a jump to it put in or taken out holds its rules as they were)
    const did = ruleMoved(chain, was, moved.lines);
    if (!did) return undefined;
    return did.kind === 'same' ? runs : did.kind === 'put' ? putIn(rc, runs, did.at, chain.rules[did.at]!) : takeOut(runs, did.at);
  }
  const edited = chain.edited;
  const was = edited?.from.deref();
  const before = table.edited?.from.deref();
  let runs = was && before && known(rc, before, was, steps);
  if (!edited || !was || !runs || was.rules.length !== chain.rules.length) return undefined;
  for (const at of edited.at) {
    const then = banRange(rc, was.rules[at]!);
    const now = banRange(rc, chain.rules[at]!);
    if (then && now && then.dim === now.dim && then.lo === now.lo && then.hi === now.hi) continue;
    runs = takeOut(runs, at);
    if (runs) runs = putIn(rc, runs, at, chain.rules[at]!);
    if (!runs) return undefined;
  }
  return runs;
}

/** Versions followed back for runs to carry (an editor parses every version, and checks only the last of a burst of edits). */
const MAX_STEPS = 16;

/**
 * The runs of chain `chain` of `table`: those known for it, or those carried to it from an earlier
 * version's (see carried), which are then known for it too; undefined when neither.
 */
function known(rc: RunContext, table: Table, chain: Chain, steps: number): Runs | undefined {
  const kept = RUNS.get(chain);
  if (kept) return kept.env === rc.env ? kept.runs : undefined;
  // (steps: how many versions back from the one asked about `chain` is)
  if (steps > MAX_STEPS) return undefined;
  const runs = carried(rc, table, chain, steps + 1);
  if (runs) RUNS.set(chain, { env: rc.env, runs, carried: true });
  return runs;
}

/** The runs with rule `r` put in at position `at` of the chain (see carried). */
function putIn(rc: RunContext, runs: Runs, at: number, r: Rule): Runs | undefined {
  const out = new Map<number, BanRun>();
  for (const run of runs.values()) {
    if (at <= run.start) out.set(run.start + 1, shifted(run, 1));
    else if (at >= run.end) out.set(run.start, run);
    else {
      const b = banRange(rc, r);
      const grown = b && b.dim === run.dim ? withRule(run, at - run.start, b.lo, b.hi) : undefined;
      if (!grown) return undefined;
      out.set(run.start, grown);
    }
  }
  return out;
}

/** The runs with the rule at position `at` of the chain taken out (see carried). */
function takeOut(runs: Runs, at: number): Runs | undefined {
  const out = new Map<number, BanRun>();
  for (const run of runs.values()) {
    if (at < run.start) out.set(run.start - 1, shifted(run, -1));
    else if (at >= run.end) out.set(run.start, run);
    else {
      const shrunk = withoutRule(run, at - run.start);
      if (!shrunk) return undefined;
      if (shrunk.end - shrunk.start >= MIN_RUN) out.set(run.start, shrunk);
    }
  }
  return out;
}

/** The run moved by `by` positions in its chain. */
function shifted(run: BanRun, by: number): BanRun {
  return { ...run, start: run.start + by, end: run.end + by };
}

/**
 * The run with a rule of range [lo, hi] put in at position k (of the run): undefined when the
 * range overlaps one of the run's other than by being the same range as a rule before k.
 */
function withRule(run: BanRun, k: number, lo: bigint, hi: bigint): BanRun | undefined {
  const n = run.los.length;
  const v = runValue(run, lo);
  const w = runValue(run, hi);
  // where the range's low end goes among the new ranges' (after those at or below it)
  const a = lowEndsUpTo(run, v);
  let dupOf = -1;
  if (a > 0) {
    const q = run.byLo[a - 1]!;
    if (run.his[q]! >= v) {
      if (run.los[q] !== v || run.his[q] !== w || q >= k) return undefined;
      dupOf = q;
    }
  }
  if (dupOf < 0 && a < run.byLo.length && run.los[run.byLo[a]!]! <= w) return undefined;
  // (the lists copied in pieces by the typed arrays' own copies, and only what moved written
  // again: this runs once per line put into a blocklist, before V8 has optimized it, and went
  // through the 83 000 rules of the firewall-like file with a call per rule, 9 ms)
  const dups = new Int32Array(n + 1);
  // positions before k keep theirs (a rule repeats one before it), those from k on move up one
  dups.set(run.dupOf.subarray(0, k));
  dups[k] = dupOf;
  dups.set(run.dupOf.subarray(k), k + 1);
  movedUp(dups, k + 1, k);
  const fresh = dupOf < 0 ? 1 : 0;
  const m = run.byLo.length;
  const byLo = new Int32Array(m + fresh);
  byLo.set(run.byLo.subarray(0, a));
  byLo.set(run.byLo.subarray(a), a + fresh);
  movedUp(byLo, 0, k);
  if (fresh) byLo[a] = k;
  const sortedLo = fresh ? putAt(run.sortedLo, a, v) : run.sortedLo;
  const los = putAt(run.los, k, v);
  const his = run.his !== run.los || v !== w ? putAt(run.his, k, w) : los;
  return { start: run.start, end: run.end + 1, dim: run.dim, wide: run.wide, los, his, dupOf: dups, byLo, sortedLo };
}

/** `list` with `x` put in at position k (a list of doubles copied in two pieces by the buffer's own copies). */
function putAt(list: RunValues, k: number, x: RunValue): RunValues {
  if (!(list instanceof Float64Array)) return [...list.slice(0, k), x as bigint, ...list.slice(k)];
  const out = new Float64Array(list.length + 1);
  out.set(list.subarray(0, k));
  out[k] = x as number;
  out.set(list.subarray(k), k + 1);
  return out;
}

/** `list` without its value at position k. */
function takenAt(list: RunValues, k: number): RunValues {
  if (!(list instanceof Float64Array)) return [...list.slice(0, k), ...list.slice(k + 1)];
  const out = new Float64Array(list.length - 1);
  out.set(list.subarray(0, k));
  out.set(list.subarray(k + 1), k);
  return out;
}

/** Each position from `from` on in `list` that is `k` or more, one more (-1 stays). */
function movedUp(list: Int32Array, from: number, k: number): void {
  for (let i = from; i < list.length; i++) if (list[i]! >= k) list[i]!++;
}

/** Each position from `from` on in `list` that is more than `k`, one less (-1 stays). */
function movedDown(list: Int32Array, from: number, k: number): void {
  for (let i = from; i < list.length; i++) if (list[i]! > k) list[i]!--;
}

/** The run with the rule at position k (of the run) taken out: undefined when a later rule repeats its range (it would become the first of it). */
function withoutRule(run: BanRun, k: number): BanRun | undefined {
  const n = run.los.length;
  const fresh = run.dupOf[k]! < 0;
  if (fresh) for (let p = k + 1; p < n; p++) if (run.dupOf[p] === k) return undefined;
  // (in pieces, as in withRule; a rule repeating the one taken out is not left: see above)
  const dups = new Int32Array(n - 1);
  dups.set(run.dupOf.subarray(0, k));
  dups.set(run.dupOf.subarray(k + 1), k);
  movedDown(dups, k, k);
  const m = run.byLo.length;
  // where the rule taken out stands among the first rules of their ranges (-1: it repeats one)
  const at = fresh ? run.byLo.indexOf(k) : -1;
  const byLo = at < 0 ? run.byLo.slice() : new Int32Array(m - 1);
  if (at >= 0) {
    byLo.set(run.byLo.subarray(0, at));
    byLo.set(run.byLo.subarray(at + 1), at);
  }
  movedDown(byLo, 0, k);
  // (the low ends stay in place: a rule's position is not among them)
  const sortedLo = at < 0 ? run.sortedLo : takenAt(run.sortedLo, at);
  const los = takenAt(run.los, k);
  const his = run.his !== run.los ? takenAt(run.his, k) : los;
  return { start: run.start, end: run.end - 1, dim: run.dim, wide: run.wide, los, his, dupOf: dups, byLo, sortedLo };
}

/**
 * The run of the rules from position `start` of these ranges, up to the first whose range overlaps
 * an earlier one without being the same range.
 */
function runOf(start: number, dim: Dim, wide: boolean, los: bigint[], his: bigint[]): BanRun {
  const n = los.length;
  const lo: RunValues = wide ? los : Float64Array.from(los, Number);
  const hi: RunValues = wide ? his : Float64Array.from(his, Number);
  const order = lowEndOrder(lo);
  // overlapping ranges come together in this order: a group of ranges each meeting the next. In a
  // group of one range written several times, the later ones repeat the first; in any other
  // group, the run ends at the second rule of the group by position (it overlaps an earlier one)
  let end = n;
  for (let g = 0; g < n; ) {
    let h = g + 1;
    let reach = hi[order[g]!]!;
    let same = true;
    while (h < n && lo[order[h]!]! <= reach) {
      const k = order[h]!;
      if (lo[k] !== lo[order[g]!] || hi[k] !== hi[order[g]!]) same = false;
      if (hi[k]! > reach) reach = hi[k]!;
      h++;
    }
    if (!same) {
      const positions = Array.from(order.subarray(g, h)).sort((a, b) => a - b);
      end = Math.min(end, positions[1]!);
    }
    g = h;
  }
  const dupOf = new Int32Array(end).fill(-1);
  const byLo: number[] = [];
  for (let g = 0; g < n; ) {
    let h = g + 1;
    while (h < n && lo[order[h]!] === lo[order[g]!] && hi[order[h]!] === hi[order[g]!]) h++;
    // (the first by position of the rules of one range: order sorts them by position)
    const firstOf = order[g]!;
    if (firstOf < end) {
      byLo.push(firstOf);
      for (let k = g + 1; k < h; k++) if (order[k]! < end) dupOf[order[k]!] = firstOf;
    }
    g = h;
  }
  const runLos = lo.slice(0, end);
  let points = true;
  for (let k = 0; k < end && points; k++) points = lo[k] === hi[k];
  return {
    start,
    end: start + end,
    dim,
    wide,
    los: runLos,
    his: points ? runLos : hi.slice(0, end),
    dupOf,
    byLo: Int32Array.from(byLo),
    sortedLo: wide ? byLo.map((k) => los[k]!) : Float64Array.from(byLo, (k) => lo[k] as number),
  };
}

/**
 * The positions of a list of low ends in the order of their values, then of position. Doubles:
 * each low end and position packed in one number, sorted as numbers (a sort with a comparison
 * function took 60 ms on an 83 000-rule blocklist); bigints, which no such number holds, by a
 * comparison.
 */
function lowEndOrder(lo: RunValues): Int32Array {
  const n = lo.length;
  const order = new Int32Array(n);
  if (lo instanceof Float64Array) {
    const keys = new Float64Array(n);
    for (let k = 0; k < n; k++) keys[k] = lo[k]! * POSITIONS + k;
    keys.sort();
    for (let k = 0; k < n; k++) order[k] = keys[k]! % POSITIONS;
    return order;
  }
  for (let k = 0; k < n; k++) order[k] = k;
  return order.sort((a, b) => (lo[a]! < lo[b]! ? -1 : lo[a]! > lo[b]! ? 1 : a - b));
}

/** How many of the run's new ranges have their low end at or below v (an integer, as the low ends are). */
function lowEndsUpTo(run: BanRun, v: RunValue): number {
  // (the first low end above v: at or past v + 1)
  return insertionPoint<RunValue>(run.sortedLo, nextValue(v, 1));
}

/** Whether value `x` lies in the range of a rule of the run before position `before` (positions in the run). */
export function cutBefore(run: BanRun, x: RunValue, before: number): boolean {
  // the last range whose low end is at or below x (the new ranges of a run do not overlap)
  const a = lowEndsUpTo(run, x);
  if (a === 0) return false;
  const k = run.byLo[a - 1]!;
  return k < before && x <= run.his[k]!;
}

/**
 * The set of values [lo, hi] without the ranges of the run's rules before position `before`
 * (positions in the run), as one list of ranges.
 */
export function withoutCuts(run: BanRun, lo: RunValue, hi: RunValue, before: number): ISet {
  const out: [bigint, bigint][] = [];
  let from = lo;
  for (let i = 0; i < run.byLo.length && from <= hi; i++) {
    const k = run.byLo[i]!;
    if (k >= before) continue;
    const a = run.los[k]!;
    const b = run.his[k]!;
    if (b < from) continue;
    if (a > hi) break;
    if (a > from) out.push([BigInt(from), BigInt(nextValue(a, -1))]);
    from = nextValue(b, 1);
  }
  if (from <= hi) out.push([BigInt(from), BigInt(hi)]);
  return ISet.fromSorted(out);
}

/**
 * A walk's pass through the first `upTo` rules of a run (see walkRun in reach.ts) with packets of
 * the boxes `boxes`, each of whose sets of the run's dimension is the one range [los[j], his[j]]
 * (or the whole dimension): what each of those rules takes follows from these alone (see takenInRun).
 */
export interface RunVisit {
  readonly run: BanRun;
  /** The rules of the run's chain. */
  readonly rules: readonly Rule[];
  readonly boxes: readonly Box[];
  readonly los: readonly RunValue[];
  readonly his: readonly RunValue[];
  readonly approximate: boolean;
  readonly merged: number;
  readonly upTo: number;
}

/**
 * What the rule at position k of a visited run takes: a range an earlier rule of the run had takes
 * nothing; any other takes, of each box, the part of its range in the box (no earlier rule of the
 * run cut there), the box itself when that is all of it (the rule compiled exactly, see banRange).
 */
export function takenInRun(v: RunVisit, k: number): Space {
  const { run, boxes, los, his } = v;
  const out: Box[] = [];
  if (run.dupOf[k]! < 0) {
    const lo = run.los[k]!;
    const hi = run.his[k]!;
    for (let j = 0; j < boxes.length; j++) {
      const a = lo > los[j]! ? lo : los[j]!;
      const b = hi < his[j]! ? hi : his[j]!;
      if (a > b) continue;
      out.push(a === los[j] && b === his[j] ? boxes[j]! : boxes[j]!.with(run.dim, ISet.of(BigInt(a), BigInt(b))));
    }
  }
  return new Space(out, v.approximate, v.merged);
}
