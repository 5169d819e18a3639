/**
 * An index of the rules of one chain by the packets they can match, so that a question about a
 * set of packets ("which rules of this chain can meet these packets?") looks at those rules only,
 * not at every rule of a 10 000-rule chain. For each dimension (destination, source, ports,
 * interfaces...) the rules that restrict it are sorted by the hull of their values there, and the
 * rules that do not are listed apart. A question restricted in some dimension is answered from
 * the most selective of its dimensions: the rules whose hull there meets the question's, plus the
 * rules free in that dimension (for a question about one packet, those narrowed by a second
 * dimension when they are many, see candidatesAt). The answer may hold rules that turn out not to
 * meet the packets (a hull is coarser than a set, and only one or two dimensions are looked at):
 * callers still intersect; the index only leaves out rules that certainly cannot match.
 */
import { type Box, type Dim, domain, Space, type SpaceEnv } from './packet-space';
import { Entries, Positions } from './chunked-lists';
import { insertionPoint } from '../model/insertion-point';
import type { RuleSpace } from './rule-space';
import type { ReadList } from '../model/chunked-array';

/** Dimensions indexed, most selective first (the order of ties: in the choice of dimensions, and among questions, see inQuestionOrder). */
const KEY_DIMS: readonly Dim[] = ['dst', 'src', 'dport', 'sport', 'oif', 'iif', 'icmp', 'mark', 'len', 'ttl', 'tos', 'flags', 'state', 'proto', 'frag'];

interface Keyed {
  /** Rules restricted in this dimension: the hull of their values there and their position. */
  readonly entries: Entries;
  /** Positions of the rules free in this dimension. */
  readonly free: Positions;
}

/** Ascending positions: a plain list for a chain too short to index, chunks otherwise. */
type Ascending = readonly number[] | Positions;

function countFrom(list: Ascending, from: number): number {
  return list instanceof Positions ? list.countFrom(from) : list.length - insertionPoint(list, from);
}

const NO_HITS: readonly number[] = [];

/** The hull of a dimension over some boxes: undefined when some box does not restrict it. */
function hull(env: SpaceEnv, boxes: readonly Box[], d: Dim): [bigint, bigint] | undefined {
  const out: bigint[] = [];
  return hullInto(env, boxes, d, out) ? [out[0]!, out[1]!] : undefined;
}

/**
 * hull() of some boxes or of the boxes of a space, its two ends written into `out` instead of a
 * pair made: false where hull() gives undefined. (A space is read box by box: the list of its
 * boxes is made when asked for.)
 */
function hullInto(env: SpaceEnv, boxes: readonly Box[] | Space, d: Dim, out: bigint[]): boolean {
  const space = boxes instanceof Space ? boxes : undefined;
  const list = boxes as readonly Box[];
  const n = space ? space.boxCount : list.length;
  let lo: bigint | undefined;
  let hi: bigint | undefined;
  for (let i = 0; i < n; i++) {
    const s = (space ? space.boxAt(i) : list[i]!).get(d);
    if (!s) return false;
    if (s.empty) continue;
    const a = s.first()!;
    const z = s.last()!;
    if (lo === undefined || a < lo) lo = a;
    if (hi === undefined || z > hi) hi = z;
  }
  if (lo === undefined || hi === undefined) return false;
  const [dlo, dhi] = domain(env, d);
  if (lo <= dlo && hi >= dhi) return false;
  out[0] = lo;
  out[1] = hi;
  return true;
}

/** The hull of one packet in a dimension, as hullInto() gives it for a box of that one packet. */
function pointHullInto(env: SpaceEnv, point: ReadonlyMap<Dim, bigint>, d: Dim, out: bigint[]): boolean {
  const v = point.get(d);
  if (v === undefined) return false;
  const [dlo, dhi] = domain(env, d);
  if (v <= dlo && v >= dhi) return false;
  out[0] = v;
  out[1] = v;
  return true;
}

/** Where select() has a question's hull written (select asks nothing else while it reads it). */
const QUESTION: bigint[] = [0n, 0n];

/**
 * Positions (whole numbers from 0 to 2^31) put in ascending order in place. Not through sort with
 * a comparison function, which makes a work copy of the list for every question (90 MB over the
 * cold open of the Docker-like 100k file): a short list by insertion, a long one through a typed
 * array's numeric sort.
 */
export function ascending(list: number[]): number[] {
  const n = list.length;
  if (n <= 32) {
    for (let k = 1; k < n; k++) {
      const x = list[k]!;
      let j = k - 1;
      while (j >= 0 && list[j]! > x) {
        list[j + 1] = list[j]!;
        j--;
      }
      list[j + 1] = x;
    }
    return list;
  }
  const sorted = new Int32Array(list).sort();
  for (let k = 0; k < n; k++) list[k] = sorted[k]!;
  return list;
}

/** Chains shorter than this are not indexed: their rules are simply all looked at. */
export const MIN_INDEXED = 24;
/**
 * The hits a question first lets each indexed dimension gather, in question order, before the
 * dimension is passed over; when none answers within that, every one is asked again with
 * ROOM_GROWTH times the room. Questions are ordered by free rules alone, and a dimension without
 * free rules may still hold one value for every rule: the protocol of a chain of 1 500 TCP service
 * rules, each from its own /24, was read to the end (1 400 rules) by each of its rules' questions
 * before the source answered with one (580 000 rules looked at to judge that chain, over half of
 * the budget, so each line put into it judged it whole). What a round passes over is at most
 * ROOM_GROWTH times what the best dimension holds, per dimension.
 */
const FIRST_ROOM = 16;
const ROOM_GROWTH = 8;
/** Dimensions indexed per chain by count: the ones most of its rules restrict (see chooseDims for one more). */
const MAX_DIMS = 3;
/** Steps of the share of rules a dimension is restricted in, by which dimensions are ranked (see chooseDims). */
const SHARE_STEPS = 64;

/**
 * The dimensions of KEY_DIMS the first box of a rule restricts, one bit per place: only in those
 * can the rule have a hull (hullInto needs every box to restrict the dimension). Asking those
 * alone, not all 15, was most of the time building the indexes of a Docker-like file took.
 */
function firstBoxKind(rsp: RuleSpace): number {
  if (rsp.space.boxCount === 0) return 0;
  const first = rsp.space.boxAt(0);
  let may = 0;
  for (let i = 0; i < first.size; i++) {
    const k = KEY_PLACE.get(first.dimAt(i));
    if (k !== undefined) may |= 1 << k;
  }
  return may;
}

/** The hull of each indexed dimension a rule restricts (none for a rule that was not compiled), in KEY_DIMS order. */
function hullsOf(env: SpaceEnv, rsp: RuleSpace | undefined): Map<Dim, [bigint, bigint]> {
  const h = new Map<Dim, [bigint, bigint]>();
  if (rsp) {
    const may = firstBoxKind(rsp);
    for (let k = 0; may >> k; k++) {
      if (!(may & (1 << k))) continue;
      const x = hull(env, rsp.space.boxes, KEY_DIMS[k]!);
      if (x) h.set(KEY_DIMS[k]!, x);
    }
  }
  return h;
}

/** Whether a rule can match some packet (a rule that was not compiled may). */
function canMatch(rsp: RuleSpace | undefined): boolean {
  return !rsp || !rsp.space.empty;
}

/**
 * The dimensions a rule restricts, one bit per place in KEY_DIMS (0: none, as for a rule that was
 * not compiled). A chain's rules come in a few such kinds: counted per kind, they tell both how
 * many rules restrict each dimension and how many restrict none of those indexed.
 */
type Kinds = ReadonlyMap<number, number>;

/** The kind (see Kinds) of a rule with these hulls. */
function kindOf(hulls: ReadonlyMap<Dim, unknown>): number {
  let k = 0;
  for (const d of hulls.keys()) k |= 1 << KEY_PLACE.get(d)!;
  return k;
}

/**
 * The kind of a rule (0 for one that was not compiled, filed as one that matches everything),
 * without a map of its hulls: `ends` is written over with each (see the ChainIndex constructor).
 */
function kindOfRule(env: SpaceEnv, rsp: RuleSpace | undefined, ends: bigint[]): number {
  if (!rsp) return 0;
  const may = firstBoxKind(rsp);
  let kind = 0;
  for (let k = 0; may >> k; k++) if (may & (1 << k) && hullInto(env, rsp.space, KEY_DIMS[k]!, ends)) kind |= 1 << k;
  return kind;
}

/** `kinds` with `by` more rules (fewer, when negative) of kind `kind`. */
function counted(kinds: Kinds, kind: number, by: number): Map<number, number> {
  const out = new Map(kinds);
  const c = (out.get(kind) ?? 0) + by;
  if (c === 0) out.delete(kind);
  else out.set(kind, c);
  return out;
}

/**
 * The dimensions to index: the MAX_DIMS that most rules restrict (ties in KEY_DIMS order, which
 * puts addresses, the most telling, first); then, when many rules restrict none of those, the
 * dimension most of them restrict. A Docker host's nat DOCKER chain has 25 000 DNAT rules by port
 * and protocol and 3 000 `-i br-X -j RETURN` rules before them: by counts alone it was indexed by
 * port, protocol and destination, so that every question about one packet found every RETURN rule
 * (6 400 looked at for each RETURN rule's corners, and judging the chain stopped at the budget on
 * its 160th rule). Counts are compared by the share of the largest they reach, in steps of 1/64:
 * when every rule restricted the destination, the port, the interface and the protocol, one rule
 * edited without its destination took the destination out of the index, and each question about
 * one packet of the Docker-like filter DOCKER chain read 25 rules instead of 4 (judging the chain
 * went from 147 000 comparisons to the budget, 1 000 000).
 */
function chooseDims(kinds: Kinds): Dim[] {
  const per = new Array<number>(KEY_DIMS.length).fill(0);
  for (const [kind, c] of kinds) for (let k = 0; k < KEY_DIMS.length; k++) if (kind & (1 << k)) per[k] += c;
  const places = KEY_DIMS.map((_, k) => k).filter((k) => per[k]! > 0);
  let most = 0;
  for (const k of places) most = Math.max(most, per[k]!);
  const share = (k: number) => Math.ceil((per[k]! * SHARE_STEPS) / most);
  places.sort((a, b) => share(b) - share(a) || a - b);
  const chosen = places.slice(0, MAX_DIMS);
  let mask = 0;
  for (const k of chosen) mask |= 1 << k;
  const rest = new Array<number>(KEY_DIMS.length).fill(0);
  for (const [kind, c] of kinds) if ((kind & mask) === 0) for (let k = 0; k < KEY_DIMS.length; k++) if (kind & (1 << k)) rest[k] += c;
  let best = -1;
  for (let k = 0; k < KEY_DIMS.length; k++) if (rest[k]! >= NARROWED_FROM && (best < 0 || rest[k]! > rest[best]!)) best = k;
  if (best >= 0) chosen.push(best);
  return chosen.map((k) => KEY_DIMS[k]!);
}

/**
 * The index of the same chain before an edit replaced the rules at some positions (same number of
 * rules): from it, the new index is made by taking those rules out and filing their replacements,
 * which is what a fresh index of the new rules holds, entry for entry, when it indexes the same
 * dimensions (otherwise it is built afresh).
 */
export interface IndexBase {
  readonly index: ChainIndex;
  readonly before: ReadList<RuleSpace | undefined>;
  readonly changed: readonly number[];
}

/**
 * The index of the same chain before an edit put in a rule at `at` (`put`) or took out the rule
 * that was there (`was`, what it compiled to): every rule after it moved by one position. The new
 * index is that one with the positions moved and the rule filed or taken out, which is what a
 * fresh index holds, entry for entry, when it indexes the same dimensions.
 */
export interface ShiftBase {
  readonly index: ChainIndex;
  readonly at: number;
  readonly put: boolean;
  readonly was?: RuleSpace;
}

/**
 * The maps of a chain too short to index (most chains of a big ruleset: a kube-proxy node has tens
 * of thousands of one- and two-rule chains). Shared and never written: two empty maps of their own
 * per such chain (about 370 bytes) were more than half of what its index kept.
 */
const NOT_INDEXED: ReadonlyMap<Dim, never> = new Map<Dim, never>();
const NO_KINDS: Kinds = new Map<number, number>();
const NO_DIMS: readonly Dim[] = [];
const NO_KEYED: readonly Keyed[] = [];

/**
 * The indexed dimensions in the order questions try them: fewest free rules first, counted in
 * steps of 1/64 of the rules (ties in KEY_DIMS order). A question is answered from the dimension
 * that gives it the fewest rules, its hits there and the rules free there; a dimension with more
 * free rules than the best answer so far is not looked at. Tried in KEY_DIMS order, each of the
 * 5 000 `-d 127.0.0.1` DNAT rules of a Docker host's nat DOCKER chain first collected every later
 * one by destination, before its port narrowed the answer to one rule and the 3 000 rules free in
 * ports.
 */
function inQuestionOrder(keyed: ReadonlyMap<Dim, Keyed>): ReadonlyMap<Dim, Keyed> {
  // (free rules counted in steps of 1/64 of the rules: one rule of 24 680 edited without its
  // destination put the destination after the port and the interface, and every question of the
  // Docker-like filter DOCKER chain read 30-odd rules by port before the destination answered)
  const first = keyed.values().next().value;
  const n = first ? first.entries.length + first.free.length : 0;
  const steps = (k: Keyed) => Math.floor((k.free.length * SHARE_STEPS) / Math.max(1, n));
  return new Map([...keyed].sort((a, b) => steps(a[1]) - steps(b[1]) || KEY_PLACE.get(a[0])! - KEY_PLACE.get(b[0])!));
}

/**
 * The rules free in one indexed dimension, filed by another: those restricted there by their hull
 * in it, the others (free in both) apart. Made for a point question answered from the first
 * dimension (see candidatesAt).
 */
interface FreeFiled {
  readonly entries: Entries;
  readonly free: Positions;
}

/**
 * Free rules from which a point question is narrowed by a second dimension: with fewer, the list
 * is as cheap to go through as to narrow.
 */
const NARROWED_FROM = 32;

/**
 * Per index, the free rules of one indexed dimension filed by another, by the two (made when first
 * asked for, see freeFiled): beside the index, not in it, being made from what it holds.
 */
const FILED = new WeakMap<ChainIndex, Map<number, FreeFiled>>();

/** Each indexed dimension's place in KEY_DIMS (the key of a filing is made of two: no string per question). */
const KEY_PLACE: ReadonlyMap<Dim, number> = new Map(KEY_DIMS.map((d, i) => [d, i]));

export class ChainIndex {
  private keyed: ReadonlyMap<Dim, Keyed> = NOT_INDEXED;
  /** The dimensions of `keyed` and what they hold, in its order, as lists (what every question goes through: see select). */
  private keyedDims: readonly Dim[] = NO_DIMS;
  private keyedLists: readonly Keyed[] = NO_KEYED;
  /** Rules that can match some packet, ascending. */
  private all: Ascending = [];
  /** How many of the rules that can match are of each kind (see Kinds: what chooses the indexed dimensions). */
  private kinds: Kinds = NO_KINDS;

  constructor(
    private readonly env: SpaceEnv,
    spaces: ReadList<RuleSpace | undefined>,
    base?: IndexBase,
    shift?: ShiftBase,
  ) {
    if (shift && spaces.length >= MIN_INDEXED && this.deriveShift(spaces, shift)) return;
    if (base && base.before.length === spaces.length && spaces.length >= MIN_INDEXED && this.derive(spaces, base)) return;
    const all: number[] = [];
    if (spaces.length < MIN_INDEXED) {
      for (let pos = 0; pos < spaces.length; pos++) if (canMatch(spaces.get(pos))) all.push(pos); // (a rule that matches no packet meets nothing)
      // kept as long as the index: at its size, not with the room a growing list leaves
      this.all = all.slice();
      return;
    }
    // the hulls worked out twice, to count the dimensions and then in those chosen, instead of
    // kept per rule until the dimensions are known: a map of them for each of the 28 000 rules of
    // a chain lived as long as its index was built (99 MB made over the Docker-like file's cold
    // open, most of it outliving the young generation)
    const ends: bigint[] = [];
    const kinds = new Map<number, number>();
    for (let pos = 0; pos < spaces.length; pos++) {
      const rsp = spaces.get(pos);
      if (!canMatch(rsp)) continue; // matches no packet: meets nothing
      all.push(pos);
      const kind = kindOfRule(env, rsp, ends);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const dims = chooseDims(kinds);
    const entries = new Map<Dim, { lo: bigint; hi: bigint; pos: number }[]>();
    const free = new Map<Dim, number[]>();
    for (const d of dims) {
      entries.set(d, []);
      free.set(d, []);
    }
    for (let a = 0; a < all.length; a++) {
      const pos = all[a]!;
      const rsp = spaces.get(pos);
      for (let k = 0; k < dims.length; k++) {
        const d = dims[k]!;
        if (rsp && hullInto(env, rsp.space, d, ends)) entries.get(d)!.push({ lo: ends[0]!, hi: ends[1]!, pos });
        else free.get(d)!.push(pos);
      }
    }
    const keyed = new Map<Dim, Keyed>();
    for (const d of dims) {
      const l = entries.get(d)!;
      if (!l.length) continue;
      // (by lo alone: the sort is stable, and the entries came in order of position; not at all
      // when they came in order of lo too, as a chain written by port or address does)
      let sorted = true;
      for (let i = 1; i < l.length && sorted; i++) sorted = l[i - 1]!.lo <= l[i]!.lo;
      if (!sorted) l.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
      keyed.set(d, { entries: Entries.of(l.map((e) => e.lo), l.map((e) => e.hi), l.map((e) => e.pos)), free: Positions.of(free.get(d)!) });
    }
    this.setKeyed(keyed);
    this.all = keyed.size ? Positions.of(all) : all;
    this.kinds = kinds;
  }

  /** Keep `keyed`, in question order (see inQuestionOrder), with its lists for select. */
  private setKeyed(keyed: ReadonlyMap<Dim, Keyed>): void {
    this.keyed = inQuestionOrder(keyed);
    this.keyedDims = [...this.keyed.keys()];
    this.keyedLists = [...this.keyed.values()];
  }

  /**
   * The index of `spaces`, from the index of the same chain before an edit (see IndexBase): that
   * index itself when no changed rule files differently (whether it can match, and its hull in
   * each dimension, are as they were: a comment added), otherwise one derived from it.
   */
  static after(env: SpaceEnv, spaces: ReadList<RuleSpace | undefined>, base: IndexBase): ChainIndex {
    const filedAlike = (p: number) => {
      const was = base.before.get(p);
      const now = spaces.get(p);
      if (canMatch(was) !== canMatch(now)) return false;
      const a = hullsOf(env, was);
      const b = hullsOf(env, now);
      if (a.size !== b.size) return false;
      for (const [d, [lo, hi]] of a) {
        const o = b.get(d);
        if (!o || o[0] !== lo || o[1] !== hi) return false;
      }
      return true;
    };
    if (base.before.length === spaces.length && base.changed.every(filedAlike)) return base.index;
    return new ChainIndex(env, spaces, base);
  }

  /** The index of `spaces`, from the index of the same chain before a rule was put in or taken out (see ShiftBase). */
  static shifted(env: SpaceEnv, spaces: ReadList<RuleSpace | undefined>, base: ShiftBase): ChainIndex {
    return new ChainIndex(env, spaces, undefined, base);
  }

  /** Fill this index from `shift` (see ShiftBase); false when it was not indexed or the dimensions to index are not its. */
  private deriveShift(spaces: ReadList<RuleSpace | undefined>, shift: ShiftBase): boolean {
    const { index: prev, at: p, put } = shift;
    if (!(prev.all instanceof Positions) || prev.keyed.size === 0) return false;
    const rsp = put ? spaces.get(p) : shift.was;
    const filed = canMatch(rsp);
    const hulls = filed ? hullsOf(this.env, rsp) : undefined;
    const kinds = hulls ? counted(prev.kinds, kindOf(hulls), put ? 1 : -1) : prev.kinds;
    const dims = chooseDims(kinds);
    if (dims.length !== prev.keyed.size || dims.some((d) => !prev.keyed.has(d))) return false;
    // put in: the positions from p on move up, then p is filed; taken out: p goes, then the
    // positions after it move down
    const moved = <L extends Positions | Entries>(l: L): L => (put ? l.shifted(p, 1) : l.shifted(p + 1, -1)) as L;
    const keyed = new Map<Dim, Keyed>();
    for (const d of dims) {
      const k = prev.keyed.get(d)!;
      const x = hulls?.get(d);
      let entries = k.entries;
      let free = k.free;
      if (put) {
        entries = moved(entries);
        free = moved(free);
        if (x) {
          const edit = entries.edit();
          edit.insert(x[0], x[1], p);
          entries = edit.done();
        } else if (filed) free = free.edited([], [p]);
      } else {
        if (x) {
          const edit = entries.edit();
          if (!edit.remove(x[0], p)) return false;
          entries = edit.done();
        } else if (filed) free = free.edited([p], []);
        entries = moved(entries);
        free = moved(free);
      }
      if (!entries.length) return false;
      keyed.set(d, { entries, free });
    }
    let all = prev.all;
    if (put) {
      all = all.shifted(p, 1);
      if (filed) all = all.edited([], [p]);
    } else {
      if (filed) all = all.edited([p], []);
      all = all.shifted(p + 1, -1);
    }
    this.setKeyed(keyed);
    this.all = all;
    this.kinds = kinds;
    return true;
  }

  /** Fill this index from base (see IndexBase); false when the dimensions to index are not base's. */
  private derive(spaces: ReadList<RuleSpace | undefined>, base: IndexBase): boolean {
    const { index: prev, before, changed } = base;
    let kinds = prev.kinds;
    const ends: bigint[] = [];
    const bump = (rsp: RuleSpace | undefined, by: number) => {
      if (canMatch(rsp)) kinds = counted(kinds, kindOfRule(this.env, rsp, ends), by);
    };
    for (const p of changed) {
      bump(before.get(p), -1);
      bump(spaces.get(p), 1);
    }
    const dims = chooseDims(kinds);
    const prevDims = [...prev.keyed.keys()];
    if (dims.length !== prevDims.length || dims.some((d) => !prev.keyed.has(d))) return false;
    const filed = changed.filter((p) => canMatch(spaces.get(p))).sort((x, y) => x - y);
    // the kept lists with the changed rules taken out and their replacements put in: copies of the
    // chunks they fall in, the others shared with the index before
    const prevAll = prev.all instanceof Positions ? prev.all : Positions.of(prev.all);
    const all = prevAll.edited(changed, filed);
    const hulls = new Map(filed.map((p) => [p, hullsOf(this.env, spaces.get(p))]));
    // where each changed rule was filed: its entry is found by its hull
    const was = new Map(changed.filter((p) => canMatch(before.get(p))).map((p) => [p, hullsOf(this.env, before.get(p))]));
    const keyed = new Map<Dim, Keyed>();
    for (const d of dims) {
      const k = prev.keyed.get(d)!;
      const edit = k.entries.edit();
      const freeOut: number[] = [];
      const freeIn: number[] = [];
      for (const p of changed) {
        const x = was.get(p)?.get(d);
        if (!x || !edit.remove(x[0], p)) freeOut.push(p);
      }
      for (const p of filed) {
        const x = hulls.get(p)!.get(d);
        if (x) edit.insert(x[0], x[1], p);
        else freeIn.push(p);
      }
      const entries = edit.done();
      if (!entries.length) return false;
      keyed.set(d, { entries, free: k.free.edited(freeOut, freeIn) });
    }
    this.setKeyed(keyed);
    this.all = all;
    this.kinds = kinds;
    return true;
  }

  /**
   * Positions, ascending, of the rules that may match packets of these boxes, from position `from`
   * on. Every rule that can match is among them.
   */
  candidates(boxes: readonly Box[], from = 0): number[] {
    return this.listed(this.select((d, out) => hullInto(this.env, boxes, d, out), from), from);
  }

  /**
   * candidates() for the one packet `point` (a value in every dimension it names), without making
   * it a box: the checks ask this for corner packets of every rule.
   */
  candidatesAt(point: ReadonlyMap<Dim, bigint>, from = 0): number[] {
    const s = this.select((d, out) => pointHullInto(this.env, point, d, out), from);
    return (s.dim !== undefined && this.narrowed(point, s.dim, s.hits!, s.free as Positions, from)) || this.listed(s, from);
  }

  /**
   * The answer to a point question from dimension `d` (its `hits`, and the rules free there) with
   * the free rules narrowed by a second indexed dimension: those whose hull there holds the point's
   * value, and those free in both. A rule free in the first dimension may restrict the second: a
   * Docker host's `-i br-X ! -o br-X` rules are free in `oif` and each names one `iif`, and a
   * corner packet of any rule of its FORWARD chain met thousands of them by `oif` alone where it
   * meets one or two. Undefined when no second dimension narrows the free rules by half.
   */
  private narrowed(point: ReadonlyMap<Dim, bigint>, d: Dim, hits: number[], free: Positions, from: number): number[] | undefined {
    const many = free.countFrom(from);
    if (many < NARROWED_FROM) return undefined;
    let best: number[] | undefined;
    let bestFree: Positions | undefined;
    let size = many / 2;
    for (const e of KEY_DIMS) {
      if (e === d || !this.keyed.has(e) || !pointHullInto(this.env, point, e, QUESTION)) continue;
      const f = this.freeFiled(d, e);
      const rest = f.free.countFrom(from);
      if (rest >= size) continue;
      const more: number[] = [];
      if (!f.entries.collect(QUESTION[0]!, QUESTION[1]!, from, size - rest, more)) continue;
      best = more;
      bestFree = f.free;
      size = more.length + rest;
    }
    if (!best) return undefined;
    // (the hits are rules keyed in `d`, the others free there: none in both)
    for (const x of hits) best.push(x);
    return bestFree!.mergeFrom(from, ascending(best));
  }

  /** The rules free in indexed dimension `d` filed by indexed dimension `e` (see FreeFiled). */
  private freeFiled(d: Dim, e: Dim): FreeFiled {
    const key = KEY_PLACE.get(d)! * KEY_DIMS.length + KEY_PLACE.get(e)!;
    let filed = FILED.get(this);
    const kept = filed?.get(key);
    if (kept) return kept;
    // the entries of `e` of the rules free in `d`: already in the order of the lists (by hull, then
    // position); the others free in both (a map of every entry's hull, 25 000 of a Docker host's
    // nat DOCKER chain, was made again on each edit of it)
    const frees: number[] = [];
    this.keyed.get(d)!.free.pushFrom(0, frees);
    const free = new Set(frees);
    const lo: bigint[] = [];
    const hi: bigint[] = [];
    const pos: number[] = [];
    this.keyed.get(e)!.entries.each((l, h, p) => {
      if (!free.has(p)) return;
      lo.push(l);
      hi.push(h);
      pos.push(p);
      free.delete(p);
    });
    const both = frees.filter((p) => free.has(p));
    const made: FreeFiled = { entries: Entries.of(lo, hi, pos), free: Positions.of(both) };
    if (!filed) FILED.set(this, (filed = new Map()));
    filed.set(key, made);
    return made;
  }

  /** The positions from `from` on of what select found, ascending. */
  private listed(s: { readonly hits?: number[]; readonly free: Ascending }, from: number): number[] {
    // the hits come from a scan over values: put in order of position, then merged with the free
    // rules (the longer list, already ascending) instead of sorting both through a comparator
    const hits = s.hits ? ascending(s.hits) : NO_HITS;
    if (s.free instanceof Positions) return s.free.mergeFrom(from, hits);
    const free = s.free;
    const freeFrom = insertionPoint(free, from);
    if (!hits.length) return free.slice(freeFrom);
    const hn = hits.length;
    let h = 0;
    const out = new Array<number>(hn + free.length - freeFrom);
    let f = freeFrom;
    let o = 0;
    while (h < hn && f < free.length) out[o++] = hits[h]! < free[f]! ? hits[h++]! : free[f++]!;
    while (h < hn) out[o++] = hits[h++]!;
    while (f < free.length) out[o++] = free[f++]!;
    return out;
  }

  /**
   * How many positions candidates(boxes, from) holds, without making the list. `cost`, when given,
   * gets in its first place how many rules the count looked at: in each dimension tried, the rules
   * keyed there whose values meet the question's (the rules free there are counted without being read).
   */
  candidateCount(boxes: readonly Box[], from = 0, cost?: number[]): number {
    const s = this.select((d, out) => hullInto(this.env, boxes, d, out), from);
    if (cost) cost[0] = s.looked;
    return (s.hits?.length ?? 0) + countFrom(s.free, from);
  }

  /**
   * The rules a question is answered from: those from position `from` on keyed in the most
   * selective dimension of the question whose values there meet the question's (`hits`, in no
   * particular order), and the rules free in that dimension (ascending, all of them: the caller
   * skips those before `from`); or, with no dimension to narrow by, every rule that can match (as
   * `free`). `query` writes the question's hull in a dimension into `out` (false: not restricted
   * there; a pair made per question and dimension was 70 MB over the Docker-like file's cold open).
   * The dimensions are tried in question order (see inQuestionOrder), each only as far as it could
   * still do better than the best so far; until one has answered, each only up to `room` hits,
   * in rounds of growing room (see FIRST_ROOM).
   */
  private select(query: (d: Dim, out: bigint[]) => boolean, from: number): { readonly hits?: number[]; readonly free: Ascending; readonly dim?: Dim; readonly looked: number } {
    if (this.keyed.size === 0) return { free: this.all, looked: 0 };
    let looked = 0;
    let best: number[] | undefined;
    let bestFree: Positions | undefined;
    let bestDim: Dim | undefined;
    for (let room = FIRST_ROOM; ; room *= ROOM_GROWTH) {
      // whether some dimension ran out of room (another round could answer from it)
      let cut = false;
      // (the lists, not the map: a pair per dimension and question otherwise)
      const dims = this.keyedDims;
      const lists = this.keyedLists;
      for (let x = 0; x < dims.length; x++) {
        const d = dims[x]!;
        const k = lists[x]!;
        const limit = best ? best.length + bestFree!.length : k.free.length + room;
        // (in question order: no dimension after this one can do better)
        if (k.free.length >= limit) break;
        if (!query(d, QUESTION)) continue;
        const qlo = QUESTION[0]!;
        const qhi = QUESTION[1]!;
        const hits: number[] = [];
        const over = !k.entries.collect(qlo, qhi, from, limit - k.free.length, hits);
        looked += hits.length;
        if (over) {
          cut ||= !best;
          continue;
        }
        best = hits;
        bestFree = k.free;
        bestDim = d;
        if (hits.length === 0 && k.free.length === 0) break;
      }
      if (best || !cut) break;
    }
    return best ? { hits: best, free: bestFree!, dim: bestDim, looked } : { free: this.all, looked };
  }
}
