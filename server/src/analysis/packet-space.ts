/**
 * Sets of packets as unions of boxes: each box is a product of interval sets, one per header
 * dimension (protocol, addresses, ports, interfaces, conntrack state, TCP flags, ICMP type...).
 * This is what lets the checks say "no packet can reach this rule" or "INVALID packets can reach
 * this LOG rule", and what the tracer tests a concrete packet against.
 */

export type Dim =
  | 'proto'
  | 'src'
  | 'dst'
  | 'sport'
  | 'dport'
  | 'iif'
  | 'oif'
  | 'state'
  | 'flags'
  | 'icmp'
  | 'frag'
  | 'len'
  | 'ttl'
  | 'tos'
  | 'mark';

export const DIMS: readonly Dim[] = ['proto', 'src', 'dst', 'sport', 'dport', 'iif', 'oif', 'state', 'flags', 'icmp', 'frag', 'len', 'ttl', 'tos', 'mark'];

/** Values outside the real range mean "this header has no such field" (ICMP has no ports...). */
export const NO_PORT = 65536n;
export const NO_FLAGS = 256n;
export const NO_ICMP = 65536n;

/** Conntrack states as numbers on the `state` dimension. */
export const STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'] as const;
export type CtState = (typeof STATES)[number];
export function stateValue(s: CtState): bigint {
  return BigInt(STATES.indexOf(s));
}

/**
 * An interface name on the `iif` and `oif` dimensions: its bytes (UTF-8) as one number of
 * IFNAMSIZ (16) bytes, first byte highest, padded with zero bytes, as the kernel holds the name
 * (ip_tables.c compares the whole 16-byte buffer under a mask). No interface (the incoming
 * interface of a locally made packet) is the empty name, 0. A pattern `eth+` matches every name
 * that starts with `eth`, "eth" itself included: the numbers from eth followed by zero bytes to eth
 * followed by 0xff bytes, one interval. The values do not depend on which names a ruleset uses, so
 * an edit never changes the environment rules are compiled in.
 */
export const IFNAMSIZ = 16;
const IFACE_MAX = (1n << BigInt(8 * IFNAMSIZ)) - 1n;

const UTF8 = new TextEncoder();

/** Each byte as two hex digits. */
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function ifaceBytes(name: string): { value: bigint; length: number } {
  // (a name of ASCII characters, as nearly all are, is its own bytes: TextEncoder makes a buffer
  // outside the heap for each name. The number is read from hex digits in one step, where
  // shifting a bigint in byte by byte made sixteen of them: half the time per name)
  let ascii = true;
  for (let i = 0; i < name.length && ascii; i++) ascii = name.charCodeAt(i) < 0x80;
  const bytes = ascii ? undefined : UTF8.encode(name);
  const length = Math.min(bytes ? bytes.length : name.length, IFNAMSIZ);
  let hex = '0x';
  for (let i = 0; i < IFNAMSIZ; i++) hex += i < length ? HEX_BYTES[bytes ? bytes[i]! : name.charCodeAt(i)] : '00';
  return { value: BigInt(hex), length };
}

/** The value of a concrete interface name ('' = no interface). */
export function ifaceValue(name: string): bigint {
  return ifaceBytes(name).value;
}

/** The names an `-i`/`-o` value matches (before negation): one name, or one interval of names for a `+` pattern. */
export function ifaceSet(pattern: string): ISet {
  if (!pattern.endsWith('+')) return ISet.point(ifaceValue(pattern));
  const { value, length } = ifaceBytes(pattern.slice(0, -1));
  return ISet.of(value, value | (IFACE_MAX >> BigInt(8 * length)));
}

export interface SpaceEnv {
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * The values a dimension can take, lowest and highest. One tuple per family and dimension, made
 * once (never written): the checks ask for it for every hull and box they compare, and each call
 * made a tuple and computed 2^32 or 2^128 again.
 */
export function domain(env: SpaceEnv, d: Dim): readonly [bigint, bigint] {
  return (env.family === 'ipv4' ? DOMAINS_IPV4 : DOMAINS_IPV6)[d];
}

/** The lowest (or highest) value of dimension `d` in box `b`: the domain's where the box does not restrict it. */
export function boxCorner(env: SpaceEnv, b: Box, d: Dim, highest: boolean): bigint {
  const s = b.get(d);
  return s && !s.empty ? (highest ? s.last()! : s.first()!) : domain(env, d)[highest ? 1 : 0];
}

function domainOf(family: SpaceEnv['family'], d: Dim): readonly [bigint, bigint] {
  switch (d) {
    case 'proto':
      return [0n, 255n];
    case 'src':
    case 'dst':
      return [0n, family === 'ipv4' ? 2n ** 32n - 1n : 2n ** 128n - 1n];
    case 'sport':
    case 'dport':
      return [0n, NO_PORT];
    case 'iif':
    case 'oif':
      return [0n, IFACE_MAX];
    case 'state':
      return [0n, BigInt(STATES.length - 1)];
    case 'flags':
      return [0n, NO_FLAGS];
    case 'icmp':
      return [0n, NO_ICMP];
    case 'frag':
      return [0n, 1n];
    case 'len':
      return [0n, 65535n];
    case 'ttl':
      return [0n, 255n];
    case 'tos':
      return [0n, 255n];
    case 'mark':
      return [0n, 2n ** 32n - 1n];
  }
}

function domainsOf(family: SpaceEnv['family']): Readonly<Record<Dim, readonly [bigint, bigint]>> {
  const out = {} as Record<Dim, readonly [bigint, bigint]>;
  for (const d of DIMS) out[d] = domainOf(family, d);
  return out;
}

const DOMAINS_IPV4 = domainsOf('ipv4');
const DOMAINS_IPV6 = domainsOf('ipv6');

type Range = readonly [bigint, bigint];

/**
 * A short list grown by push, at its length: after the first push V8 leaves room for 16 more
 * entries (about 130 bytes), and sets and spaces are kept as long as the rules they were compiled
 * from (11 MB of room on the firewall-like 100k file). Long lists are left as they are: copying
 * them costs more than their room.
 */
function fitted<T>(a: T[]): T[] {
  return a.length <= 16 ? a.slice() : a;
}

/**
 * A long list of ranges held in parts (see ISet): the parts in order, each at most 2 * PART
 * ranges, and the highest end of each part, to find a value's part by binary search.
 */
interface Parts {
  readonly parts: readonly (readonly Range[])[];
  readonly ends: readonly bigint[];
  readonly count: number;
}

/** What a long set keeps besides its one list of ranges (see ISet); other sets have none of it. */
interface LongParts {
  /** The ranges, when the set was made in parts (a cut of a long set); the one list is made from them when asked for. */
  readonly held?: Parts;
  /** The one list in parts, once a cut needed them. */
  split?: Parts;
  /** The one list as a single part, for lookups (see lookup). */
  whole?: Parts;
}

/**
 * A set of integers as sorted, disjoint, non-adjacent inclusive intervals.
 *
 * Nearly every set a rule compiles to is one range (an address, a prefix, a port, a state), and
 * the compiled rules are kept as long as their document: such a set holds its two ends and no
 * list (a list of one pair took two arrays, about 120 bytes, on each of the 110 000 sets of the
 * firewall-like 100k file). Other sets hold their ranges in one list or, for a long list that is
 * cut a range at a time (as a walk cuts the packets left by each ban of a 50 000-address
 * blocklist), in parts shared between the set and the sets cut from it: a cut copies one part and
 * the list of parts, not every range.
 */
export class ISet {
  private constructor(
    /** The ends of the one range of a set of one range (undefined for every other set). */
    private readonly lo: bigint | undefined,
    private readonly hi: bigint | undefined,
    /** The ranges of a set of none or several, in one list (made from the parts when first asked for). */
    private list: readonly Range[] | undefined,
    private long: LongParts | undefined,
  ) {}

  /** The set of one range, lo <= hi. */
  private static one(lo: bigint, hi: bigint): ISet {
    return new ISet(lo, hi, undefined, undefined);
  }

  /** The set of these sorted, disjoint, non-adjacent ranges (a short list kept at its length, see fitted). */
  private static listed(rs: readonly Range[]): ISet {
    if (rs.length === 0) return ISet.EMPTY;
    if (rs.length === 1) return ISet.one(rs[0]![0], rs[0]![1]);
    return new ISet(undefined, undefined, fitted(rs as Range[]), undefined);
  }

  /** The set of the ranges held in these parts. */
  private static fromParts(p: Parts): ISet {
    if (p.count <= 1) return p.count === 0 ? ISet.EMPTY : ISet.one(p.parts[0]![0]![0], p.parts[0]![0]![1]);
    return new ISet(undefined, undefined, undefined, { held: p });
  }

  get rangeCount(): number {
    return this.lo !== undefined ? 1 : this.list !== undefined ? this.list.length : this.long!.held!.count;
  }

  /**
   * The ranges in order. For a set of one range this is a new list at each call: the methods
   * below answer for such sets from its ends, without a list.
   */
  get ranges(): readonly Range[] {
    if (this.lo !== undefined) return [[this.lo, this.hi!]];
    return (this.list ??= this.long!.held!.parts.flat());
  }

  /** The parts of this set's ranges, to cut (made once from the one list). Only for long sets. */
  private partsOf(): Parts {
    const long = (this.long ??= {});
    return long.held ?? (long.split ??= toParts(this.list!));
  }

  /** This set's ranges as parts, to look things up in: its parts, or its one list as a single part. Only for sets of several ranges. */
  private lookup(): Parts {
    const long = (this.long ??= {});
    if (long.held) return long.held;
    const l = this.list!;
    return (long.whole ??= { parts: [l], ends: [l[l.length - 1]![1]], count: l.length });
  }

  static readonly EMPTY = new ISet(undefined, undefined, [], undefined);

  static of(lo: bigint, hi: bigint): ISet {
    return lo > hi ? ISet.EMPTY : ISet.one(lo, hi);
  }

  static point(v: bigint): ISet {
    return ISet.one(v, v);
  }

  static fromRanges(rs: Iterable<readonly [bigint, bigint]>): ISet {
    // the ranges by their low end (stable); most lists come in order, often of one range: sorted
    // only when they are not (a sort with a comparison function makes a work copy of the list)
    const sorted: (readonly [bigint, bigint])[] = [];
    let inOrder = true;
    for (const r of rs) {
      if (r[0] > r[1]) continue;
      if (sorted.length && r[0] < sorted[sorted.length - 1]![0]) inOrder = false;
      sorted.push(r);
    }
    if (!inOrder) sorted.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    const out: [bigint, bigint][] = [];
    for (const [a, b] of sorted) {
      const last = out[out.length - 1];
      if (last && a <= last[1] + 1n) {
        if (b > last[1]) last[1] = b;
      } else out.push([a, b]);
    }
    return ISet.listed(out);
  }

  /** Ranges already sorted, disjoint and non-adjacent (as intersections produce them). */
  static fromSorted(rs: readonly (readonly [bigint, bigint])[]): ISet {
    return ISet.listed(rs);
  }

  /**
   * The same number for equal sets of up to a few ranges, and for one set (see mergeBoxes):
   * sets of one range by their ends, sets of a few by their ranges written out, larger sets by
   * identity.
   */
  static idOf(s: ISet): number {
    if (s.lo !== undefined) {
      const k = rangeKey(s.lo, s.hi!);
      return RANGE_IDS.get(k) ?? newId(RANGE_IDS, k);
    }
    if (s.rangeCount > 8) return BIG_IDS.get(s) ?? newId(BIG_IDS, s);
    let k = '';
    for (const [a, b] of s.list!) k += `${a}-${b},`;
    return TEXT_IDS.get(k) ?? newId(TEXT_IDS, k);
  }

  static fromValues(vs: Iterable<bigint>): ISet {
    return ISet.fromRanges([...vs].map((v) => [v, v] as const));
  }

  get empty(): boolean {
    return this.lo === undefined && this.rangeCount === 0;
  }

  has(v: bigint): boolean {
    if (this.lo !== undefined) return v >= this.lo && v <= this.hi!;
    return this.meetsRange(v, v);
  }

  /** Whether [a, b] holds a value of the set. */
  private meetsRange(a: bigint, b: bigint): boolean {
    if (this.lo !== undefined) return this.lo <= b && a <= this.hi!;
    const held = this.long?.held;
    if (held) return rangeInParts(a, b, held);
    const l = this.list!;
    const j = endAtOrAfter(l, a);
    return j < l.length && l[j]![0] <= b;
  }

  union(o: ISet): ISet {
    if (o.empty) return this;
    if (this.empty) return o;
    if (this.lo !== undefined && o.lo !== undefined) {
      // the lower range first; one range when they overlap or touch
      const x = this.lo <= o.lo ? this : o;
      const y = x === this ? o : this;
      if (y.lo! > x.hi! + 1n) return new ISet(undefined, undefined, [[x.lo!, x.hi!], [y.lo!, y.hi!]], undefined);
      return y.hi! <= x.hi! ? x : y.lo === x.lo ? y : ISet.one(x.lo!, y.hi!);
    }
    if (o.lo !== undefined && this.rangeCount > 8) return ISet.fromSorted(addRange(this.ranges, o.lo, o.hi!));
    if (this.lo !== undefined && o.rangeCount > 8) return ISet.fromSorted(addRange(o.ranges, this.lo, this.hi!));
    return ISet.fromRanges([...this.ranges, ...o.ranges]);
  }

  /** Whether the two sets share a value (the intersection's emptiness, without making it). */
  meets(o: ISet): boolean {
    if (o.lo !== undefined) return this.meetsRange(o.lo, o.hi!);
    if (this.lo !== undefined) return o.meetsRange(this.lo, this.hi!);
    // a few ranges against many (an address list against a blocklist): binary search
    if (o.rangeCount * 8 < this.rangeCount) return someRangeInParts(o.ranges, this.lookup());
    if (this.rangeCount * 8 < o.rangeCount) return someRangeInParts(this.ranges, o.lookup());
    const x = this.ranges;
    const y = o.ranges;
    let i = 0;
    let j = 0;
    while (i < x.length && j < y.length) {
      const [a1, b1] = x[i]!;
      const [a2, b2] = y[j]!;
      if (b1 < a2) i++;
      else if (b2 < a1) j++;
      else return true;
    }
    return false;
  }

  intersect(o: ISet): ISet {
    if (o === this) return this;
    if (this.lo !== undefined && o.lo !== undefined) {
      const lo = this.lo > o.lo ? this.lo : o.lo;
      const hi = this.hi! < o.hi! ? this.hi! : o.hi!;
      if (lo > hi) return ISet.EMPTY;
      if (lo === this.lo && hi === this.hi) return this;
      if (lo === o.lo && hi === o.hi) return o;
      return ISet.one(lo, hi);
    }
    const n = this.rangeCount;
    const m = o.rangeCount;
    if (n === 0) return this;
    if (m === 0) return o;
    // one side a single range around the other (a domain, an unrestricted dimension): nothing to cut
    if (o.lo !== undefined && o.lo <= this.first()! && o.hi! >= this.last()!) return this;
    if (this.lo !== undefined && this.lo <= o.first()! && this.hi! >= o.last()!) return o;
    // a few ranges against many (one address against a long list): binary search, not a full walk
    if (m * 8 < n) return ISet.fromSorted(intersectParts(this.lookup(), o.ranges));
    if (n * 8 < m) return ISet.fromSorted(intersectParts(o.lookup(), this.ranges));
    const x = this.ranges;
    const y = o.ranges;
    const out: [bigint, bigint][] = [];
    let i = 0;
    let j = 0;
    while (i < x.length && j < y.length) {
      const [a1, b1] = x[i]!;
      const [a2, b2] = y[j]!;
      const lo = a1 > a2 ? a1 : a2;
      const hi = b1 < b2 ? b1 : b2;
      if (lo <= hi) out.push([lo, hi]);
      if (b1 < b2) i++;
      else j++;
    }
    return ISet.fromSorted(out);
  }

  /** Complement within [lo, hi]. */
  complement(lo: bigint, hi: bigint): ISet {
    const out: [bigint, bigint][] = [];
    let cur = lo;
    for (const [a, b] of this.ranges) {
      if (b < lo || a > hi) continue;
      if (a > cur) out.push([cur, a - 1n]);
      if (b + 1n > cur) cur = b + 1n;
    }
    if (cur <= hi) out.push([cur, hi]);
    return ISet.fromSorted(out);
  }

  subtract(o: ISet): ISet {
    if (o.empty || this.empty) return this;
    if (this.lo !== undefined && o.lo !== undefined) {
      const a = this.lo;
      const b = this.hi!;
      if (o.hi! < a || o.lo > b) return this;
      const below = o.lo > a;
      const above = o.hi! < b;
      if (below && above) return new ISet(undefined, undefined, [[a, o.lo - 1n], [o.hi! + 1n, b]], undefined);
      return below ? ISet.one(a, o.lo - 1n) : above ? ISet.one(o.hi! + 1n, b) : ISet.EMPTY;
    }
    const lo = this.first()!;
    const hi = this.last()!;
    if (o.last()! < lo || o.first()! > hi) return this;
    // a few ranges out of a long list (one address out of a blocklist's worth): cut in the parts
    if (o.rangeCount <= 4 && this.rangeCount >= PARTS_FROM) {
      const before = this.partsOf();
      let r = before;
      for (const [a, b] of o.ranges) r = cutParts(r, a, b);
      if (r === before) return this;
      return ISet.fromParts(r);
    }
    // a few ranges out of many: cut them out one by one, copying the untouched ranges as they are
    if (o.rangeCount <= 4 && this.rangeCount > 8) {
      const before = this.ranges;
      let r: readonly (readonly [bigint, bigint])[] = before;
      for (const [a, b] of o.ranges) r = cutRange(r, a, b);
      return r === before ? this : ISet.fromSorted(r);
    }
    return this.intersect(o.complement(lo, hi));
  }

  covers(o: ISet): boolean {
    return o.subtract(this).empty;
  }

  equals(o: ISet): boolean {
    if (this.lo !== undefined || o.lo !== undefined) return this.lo === o.lo && this.hi === o.hi;
    if (this.rangeCount !== o.rangeCount) return false;
    const x = this.ranges;
    const y = o.ranges;
    return x.every(([a, b], i) => a === y[i]![0] && b === y[i]![1]);
  }

  /** Number of values in the set. */
  size(): bigint {
    if (this.lo !== undefined) return this.hi! - this.lo + 1n;
    let n = 0n;
    for (const [a, b] of this.ranges) n += b - a + 1n;
    return n;
  }

  /** The lowest value (undefined when empty). */
  first(): bigint | undefined {
    if (this.lo !== undefined) return this.lo;
    const held = this.long?.held;
    return held ? held.parts[0]![0]![0] : this.list![0]?.[0];
  }

  /** The highest value (undefined when empty). */
  last(): bigint | undefined {
    if (this.hi !== undefined) return this.hi;
    const held = this.long?.held;
    if (held) {
      const p = held.parts[held.parts.length - 1]!;
      return p[p.length - 1]![1];
    }
    return this.list![this.list!.length - 1]?.[1];
  }
}

/** Sets of at least this many ranges are cut in parts (see ISet). */
const PARTS_FROM = 256;
/** Ranges per part when a list is split (a part grows to twice this before it is split again). */
const PART = 128;

function partsOfList(list: readonly (readonly Range[])[]): Parts {
  let count = 0;
  for (const p of list) count += p.length;
  return { parts: list, ends: list.map((p) => p[p.length - 1]![1]), count };
}

function toParts(ranges: readonly Range[]): Parts {
  const list: Range[][] = [];
  for (let i = 0; i < ranges.length; i += PART) list.push(ranges.slice(i, i + PART));
  return partsOfList(list);
}

/** The first part whose highest end is at or after v (parts.length when none is). */
function partAtOrAfter(held: Parts, v: bigint): number {
  let lo = 0;
  let hi = held.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (held.ends[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The parts without [a, b]: one part cut and the list of parts copied (or, when [a, b] spans parts, the whole list cut and split again). */
function cutParts(held: Parts, a: bigint, b: bigint): Parts {
  const at = partAtOrAfter(held, a);
  if (at === held.parts.length) return held;
  const part = held.parts[at]!;
  // [a, b] reaches into the next part too: rare (a wide range out of a list of points)
  const next = held.parts[at + 1];
  if (next && next[0]![0] <= b) {
    const all = cutRange(held.parts.flat(), a, b);
    return toParts(all);
  }
  const cut = cutRange(part, a, b);
  if (cut === part) return held;
  const list = held.parts.slice();
  if (cut.length === 0) list.splice(at, 1);
  else if (cut.length > 2 * PART) list.splice(at, 1, cut.slice(0, PART), cut.slice(PART));
  else list[at] = cut;
  return partsOfList(list);
}

/** Whether some range of `few` overlaps one of the ranges in parts (binary search). */
function someRangeInParts(few: readonly Range[], held: Parts): boolean {
  for (const [a, b] of few) if (rangeInParts(a, b, held)) return true;
  return false;
}

/** Whether [a, b] overlaps one of the ranges in parts (binary search). */
function rangeInParts(a: bigint, b: bigint, held: Parts): boolean {
  const at = partAtOrAfter(held, a);
  if (at === held.parts.length) return false;
  const part = held.parts[at]!;
  return part[endAtOrAfter(part, a)]![0] <= b;
}

/** The parts of the ranges in parts inside the few sorted ranges `small` (binary search, then the ranges that overlap). */
function intersectParts(held: Parts, small: readonly Range[]): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const [a, b] of small) {
    for (let at = partAtOrAfter(held, a); at < held.parts.length; at++) {
      const part = held.parts[at]!;
      if (part[0]![0] > b) break;
      for (let i = endAtOrAfter(part, a); i < part.length; i++) {
        const r = part[i]!;
        const [c, d] = r;
        if (c > b) break;
        out.push(c >= a && d <= b ? (r as [bigint, bigint]) : [c > a ? c : a, d < b ? d : b]);
      }
    }
  }
  return out;
}

/** First index of sorted ranges whose end is at or after v. */
function endAtOrAfter(rs: readonly (readonly [bigint, bigint])[], v: bigint): number {
  let lo = 0;
  let hi = rs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rs[mid]![1] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorted disjoint ranges without [a, b] (the untouched ones are the same tuples). */
function cutRange(rs: readonly (readonly [bigint, bigint])[], a: bigint, b: bigint): readonly (readonly [bigint, bigint])[] {
  const j = endAtOrAfter(rs, a);
  let k = j;
  while (k < rs.length && rs[k]![0] <= b) k++;
  if (k === j) return rs; // nothing of [a, b] in the set
  const mid: (readonly [bigint, bigint])[] = [];
  const first = rs[j]!;
  const last = rs[k - 1]!;
  if (first[0] < a) mid.push([first[0], a - 1n]);
  if (last[1] > b) mid.push([b + 1n, last[1]]);
  return rs.slice(0, j).concat(mid, rs.slice(k));
}

/** Sorted disjoint, non-adjacent ranges with [a, b] added. */
function addRange(rs: readonly (readonly [bigint, bigint])[], a: bigint, b: bigint): readonly (readonly [bigint, bigint])[] {
  // ranges that touch or overlap [a, b] (adjacent ones merge too)
  const j = endAtOrAfter(rs, a - 1n);
  let k = j;
  while (k < rs.length && rs[k]![0] <= b + 1n) k++;
  if (k === j) return rs.slice(0, j).concat([[a, b]], rs.slice(j));
  const lo = rs[j]![0] < a ? rs[j]![0] : a;
  const hi = rs[k - 1]![1] > b ? rs[k - 1]![1] : b;
  if (k === j + 1 && lo === rs[j]![0] && hi === rs[j]![1]) return rs;
  return rs.slice(0, j).concat([[lo, hi]], rs.slice(k));
}

/**
 * A box: for each restricted dimension, the allowed values; a missing dimension is unrestricted.
 * Read like a ReadonlyMap (in the order the dimensions were first set) and never changed: `with`
 * and `without` make another box. Its entries are one flat array, dimension then set, or for a
 * box of one entry the two themselves. Nearly every rule compiles to one box of a few dimensions;
 * as a Map, one of one entry took about 180 bytes of heap (most of it the hash table) and each
 * change copied the table. This takes 40 bytes for one entry and about 100 for a few, and a change
 * copies a short array (heap snapshots of the bench's 10k and 100k-rule files).
 */
export class Box implements ReadonlyMap<Dim, ISet> {
  /** The box without restrictions: every packet. */
  static readonly FULL = new Box([], undefined);

  /**
   * A box of one entry (the box of nearly every rule of one condition) holds its dimension in
   * `first` and its set in `only`; any other box holds [dim0, set0, dim1, set1, ...], each
   * dimension once, in `first` (and nothing in `only`). The list of one entry was two arrays,
   * 64 bytes, on each of 98 000 kept boxes of the firewall-like 100k file.
   */
  private constructor(
    private readonly first: Dim | readonly (Dim | ISet)[],
    private readonly only: ISet | undefined,
  ) {}

  /** The box restricting one dimension. */
  static of(d: Dim, s: ISet): Box {
    return new Box(d, s);
  }

  /** The box of these entries [dim0, set0, ...] (the list is kept as given when there are several). */
  private static listed(items: readonly (Dim | ISet)[]): Box {
    return items.length === 2 ? new Box(items[0] as Dim, items[1] as ISet) : new Box(items, undefined);
  }

  /**
   * The box of these entries, as `new Map(entries)` would hold them: a later entry of a dimension
   * replaces the earlier one in its place.
   */
  static from(entries: Iterable<readonly [Dim, ISet]>): Box {
    const items: (Dim | ISet)[] = [];
    for (const [d, s] of entries) {
      let i = 0;
      while (i < items.length && items[i] !== d) i += 2;
      if (i < items.length) items[i + 1] = s;
      else items.push(d, s);
    }
    // (slice: an array of exactly its length, without the room push leaves)
    return Box.listed(items.length === 2 ? items : items.slice());
  }

  get size(): number {
    return this.only !== undefined ? 1 : (this.first as readonly (Dim | ISet)[]).length >> 1;
  }

  /** The dimension of entry i (0 <= i < size). */
  dimAt(i: number): Dim {
    return this.only !== undefined ? (this.first as Dim) : ((this.first as readonly (Dim | ISet)[])[2 * i] as Dim);
  }

  /** The set of entry i (0 <= i < size). */
  setAt(i: number): ISet {
    return this.only ?? ((this.first as readonly (Dim | ISet)[])[2 * i + 1] as ISet);
  }

  /** The entries as [dim0, set0, ...] (a new list for a box of one entry). */
  private items(): readonly (Dim | ISet)[] {
    return this.only !== undefined ? [this.first as Dim, this.only] : (this.first as readonly (Dim | ISet)[]);
  }

  /** The entry of dimension d (-1 when d is unrestricted). */
  private indexOf(d: Dim): number {
    if (this.only !== undefined) return this.first === d ? 0 : -1;
    const items = this.first as readonly (Dim | ISet)[];
    for (let i = 0; i < items.length; i += 2) if (items[i] === d) return i >> 1;
    return -1;
  }

  get(d: Dim): ISet | undefined {
    if (this.only !== undefined) return this.first === d ? this.only : undefined;
    const i = this.indexOf(d);
    return i < 0 ? undefined : this.setAt(i);
  }

  has(d: Dim): boolean {
    return this.indexOf(d) >= 0;
  }

  /** This box with dimension d restricted to s (in d's place when it was restricted, else last). */
  with(d: Dim, s: ISet): Box {
    const i = this.indexOf(d);
    if (this.only !== undefined && i === 0) return new Box(d, s);
    const was = this.items();
    const n = was.length;
    if (n === 0) return new Box(d, s);
    // an array of exactly its length (a push would leave room for 16 more entries)
    const items = new Array<Dim | ISet>(i < 0 ? n + 2 : n);
    for (let k = 0; k < n; k++) items[k] = was[k]!;
    if (i < 0) {
      items[n] = d;
      items[n + 1] = s;
    } else items[2 * i + 1] = s;
    return new Box(items, undefined);
  }

  /** This box with dimension d unrestricted. */
  without(d: Dim): Box {
    const i = this.indexOf(d);
    if (i < 0) return this;
    if (this.only !== undefined) return Box.FULL;
    const was = this.first as readonly (Dim | ISet)[];
    const items = new Array<Dim | ISet>(was.length - 2);
    for (let k = 0, j = 0; k < was.length; k++) if (k !== 2 * i && k !== 2 * i + 1) items[j++] = was[k]!;
    return Box.listed(items);
  }

  forEach(f: (s: ISet, d: Dim, box: ReadonlyMap<Dim, ISet>) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.size; i++) f.call(thisArg, this.setAt(i), this.dimAt(i), this);
  }

  *entries(): MapIterator<[Dim, ISet]> {
    for (let i = 0; i < this.size; i++) yield [this.dimAt(i), this.setAt(i)];
  }

  *keys(): MapIterator<Dim> {
    for (let i = 0; i < this.size; i++) yield this.dimAt(i);
  }

  *values(): MapIterator<ISet> {
    for (let i = 0; i < this.size; i++) yield this.setAt(i);
  }

  [Symbol.iterator](): MapIterator<[Dim, ISet]> {
    return this.entries();
  }
}

export function boxGet(env: SpaceEnv, b: Box, d: Dim): ISet {
  return b.get(d) ?? (env.family === 'ipv4' ? WHOLE_IPV4 : WHOLE_IPV6)[d];
}

/** The whole domain of each dimension as a set, one per family and dimension (sets are never changed once made). */
function wholeSetsOf(env: SpaceEnv): Readonly<Record<Dim, ISet>> {
  const out = {} as Record<Dim, ISet>;
  for (const d of DIMS) {
    const [lo, hi] = domain(env, d);
    out[d] = ISet.of(lo, hi);
  }
  return out;
}

const WHOLE_IPV4 = wholeSetsOf({ family: 'ipv4' });
const WHOLE_IPV6 = wholeSetsOf({ family: 'ipv6' });

export function boxIntersect(env: SpaceEnv, a: Box, b: Box): Box | undefined {
  // the common answer is "disjoint": decide it before making any set (a walk cuts each of hundreds
  // of boxes by every rule), then share what is unchanged
  if (!boxMeets(env, a, b)) return undefined;
  const n = b.size;
  let m = a;
  for (let i = 0; i < n; i++) {
    const d = b.dimAt(i);
    const had = a.get(d);
    const cur = had ?? boxGet(env, a, d);
    const r = cur.intersect(b.setAt(i));
    if (r.empty) return undefined;
    if (r === cur && had !== undefined) continue;
    m = m.with(d, r);
  }
  return m;
}

/** Whether the boxes share a packet: whether boxIntersect gives a box, without making it. */
export function boxMeets(env: SpaceEnv, a: Box, b: Box): boolean {
  const n = b.size;
  for (let i = 0; i < n; i++) {
    if (!(a.get(b.dimAt(i)) ?? boxGet(env, a, b.dimAt(i))).meets(b.setAt(i))) return false;
  }
  return true;
}

/** a minus b as disjoint boxes. */
export function boxSubtract(env: SpaceEnv, a: Box, b: Box): Box[] {
  if (!boxMeets(env, a, b)) return [a];
  const out: Box[] = [];
  let rest: Box = a;
  const n = b.size;
  for (let i = 0; i < n; i++) {
    const d = b.dimAt(i);
    const s = b.setAt(i);
    const cur = boxGet(env, rest, d);
    const outside = cur.subtract(s);
    if (!outside.empty) out.push(rest.with(d, outside));
    // (what lies inside b in its last dimension too is what b takes: not made. A box cut by a rule
    // of one condition, `-i br-X`, intersected a long interface set for nothing on every cut)
    if (i === n - 1) break;
    const inside = cur.intersect(s);
    if (inside.empty) return out;
    rest = rest.with(d, inside);
  }
  return out;
}

/** Cuts fewer than this in a row are made one by one (see cutAlongOneDim). */
export const MIN_RUN = 8;

/**
 * The cuts from `from` on, and before `to`, made at once where they are boxes that no two of them
 * share a packet, told apart along one dimension d: their sets of d share no value with each
 * other (or are one range, a copy of an earlier one's, which takes nothing: see overlapEnd). Cut
 * one by one, each then takes of `left` what it meets there, whatever the cuts before it took
 * (they hold none of its packets), and what is left is `left` less their union. Two kinds of such
 * runs, where that union is known without merging boxes:
 * - `left` is one box, and each cut holds all of it on every dimension but d: what is left is
 *   left's box with its set of d less the union of theirs (the 3 210 `-i br-X -j RETURN` rules of a
 *   Docker-like nat DOCKER chain, cut one by one out of a DNAT rule they all meet, took 17-45 ms);
 * - each cut has the same sets as the first on every dimension but d: their union is the first cut
 *   with its set of d the union of theirs, one box to cut (the thousands of `-o br-X -m conntrack
 *   --ctstate RELATED,ESTABLISHED -j ACCEPT` rules of a Docker host's FORWARD chain, above a copy
 *   of one of its `-i br-Y ! -o br-Y -j ACCEPT` rules: cut one by one, each split what was left
 *   by state and by interface, 80 ms for that one rule).
 * One sort of their ranges gives the union instead of a cut each.
 *
 * Gives the end of the run (the first cut not taken into it), which of its cuts took packets, and
 * what is left; undefined when there is no such run of at least MIN_RUN cuts from `from` on. The
 * run is the longest one whose sets are disjoint: a cut whose set overlaps an earlier one's (the
 * DNAT rule `! -i br-Y ...` that the RETURN rules are followed by) ends it.
 */
export function cutAlongOneDim(env: SpaceEnv, left: Space, cutAt: (k: number) => Space, from: number, to: number): { readonly end: number; readonly took: readonly boolean[]; readonly left: Space } | undefined {
  if (to - from < MIN_RUN || left.approximate) return undefined;
  const only = left.boxCount === 1 ? left.boxAt(0) : undefined;
  if (only) {
    const run = runOfKind(cutAt, from, to, (c) => onlyDimNotHeld(env, only, c));
    if (run) {
      const cur = boxGet(env, only, run.d);
      const took: boolean[] = [];
      for (let k = from; k < run.end; k++) took.push(run.copies[k - from] === 0 && cutAt(k).boxAt(0).get(run.d)!.meets(cur));
      const rest = cur.subtract(run.union);
      cutRunStats.held++;
      return { end: run.end, took, left: rest.empty ? Space.NONE : Space.box(only.with(run.d, rest)) };
    }
  }
  const first = cutAt(from);
  if (first.boxCount !== 1 || first.approximate) return undefined;
  const f = first.boxAt(0);
  const run = runOfKind(cutAt, from + 1, to, (c) => onlyDimDiffering(f, c), from);
  if (!run) return undefined;
  const took: boolean[] = [];
  for (let k = from; k < run.end; k++) took.push(run.copies[k - from] === 0 && left.meets(env, cutAt(k)));
  cutRunStats.alike++;
  return { end: run.end, took, left: left.subtract(env, Space.box(f.with(run.d, run.union))) };
}

/** Runs cutAlongOneDim cut at once, of each kind (for tests). */
export const cutRunStats = { held: 0, alike: 0 };

/**
 * The run of cuts of cutAlongOneDim from `start` (or `from`, when the cut there is the one the
 * others are compared with) before `to`: each one box of which `dimOf` gives the same dimension,
 * their sets of it disjoint but for copies (see overlapEnd). Its end, the dimension, the union of
 * their sets of it, and which cuts are copies (by position from `from`); undefined for a run of
 * fewer than MIN_RUN cuts from `from`.
 */
function runOfKind(cutAt: (k: number) => Space, start: number, to: number, dimOf: (c: Box) => Dim | undefined, from = start): { readonly end: number; readonly d: Dim; readonly union: ISet; readonly copies: Uint8Array } | undefined {
  let along: Dim | undefined;
  const ofTheKind = (k: number): boolean => {
    const c = cutAt(k);
    if (c.boxCount !== 1 || c.approximate) return false;
    const x = dimOf(c.boxAt(0));
    if (x === undefined || (along !== undefined && x !== along)) return false;
    along = x;
    return true;
  };
  // the first MIN_RUN cuts first: a look that finds no run reads no more than them
  let end = start;
  while (end < to && end - from < MIN_RUN && ofTheKind(end)) end++;
  if (end - from < MIN_RUN || overlapEnd(cutAt, along!, from, end).before < end) return undefined;
  while (end < to && ofTheKind(end)) end++;
  const d = along!;
  // the longest run whose sets are disjoint: the first cut whose set overlaps an earlier one's
  // ends it (see overlapEnd)
  const { ranges, owners, order, before, copies } = overlapEnd(cutAt, d, from, end);
  return { end: before, d, union: ISet.fromRanges(order.filter((i) => owners[i]! < before).map((i) => ranges[i]!)), copies };
}

/**
 * The ranges on d of the cuts from `from` to `end` (each one box restricting d), in order of their
 * low ends with the cut each is of, and `before`: the first cut whose ranges overlap those of an
 * earlier cut (`end` when none do). Two ranges overlap only across cuts (a set's own ranges are
 * disjoint). Two next to each other in that order that overlap give the later of their cuts, and
 * the first cut to overlap is at or before the least of those: it is that one when the ranges of
 * the cuts before it are disjoint (a run's one overlap, as the DNAT rule after the RETURN rules),
 * else where a binary search finds.
 *
 * A cut whose set is one range, the very set of an earlier cut (a copy of a rule, as "copy line
 * down" makes one), overlaps nothing: it takes nothing the earlier one did not take (in runs of
 * either kind, see cutAlongOneDim), and leaves what is left as it is. Such cuts are marked in
 * `copies` (by position from `from`) and their ranges left out. A copy of a `-i br-X -j RETURN`
 * rule among the thousands of a Docker-like nat DOCKER chain ended every run that held both: the
 * DNAT rules below them were cut one by one, 20 ms each when one was judged again after an edit.
 */
function overlapEnd(cutAt: (k: number) => Space, d: Dim, from: number, end: number): { readonly ranges: readonly Range[]; readonly owners: readonly number[]; readonly order: readonly number[]; readonly before: number; readonly copies: Uint8Array } {
  const ranges: Range[] = [];
  const owners: number[] = [];
  const copies = new Uint8Array(end - from);
  // (by the set itself: the conditions of lines of the same words share what they compiled to, a
  // copy's set is its original's)
  const single = new Set<ISet>();
  for (let k = from; k < end; k++) {
    const set = cutAt(k).boxAt(0).get(d)!;
    if (set.rangeCount === 1) {
      if (single.has(set)) {
        copies[k - from] = 1;
        continue;
      }
      single.add(set);
    }
    for (const r of set.ranges) {
      ranges.push(r);
      owners.push(k);
    }
  }
  const order = Array.from(ranges.keys()).sort((i, j) => (ranges[i]![0] < ranges[j]![0] ? -1 : ranges[i]![0] > ranges[j]![0] ? 1 : 0));
  const disjointBefore = (e: number): boolean => {
    let hi: bigint | undefined;
    for (const i of order) {
      if (owners[i]! >= e) continue;
      if (hi !== undefined && ranges[i]![0] <= hi) return false;
      hi = ranges[i]![1];
    }
    return true;
  };
  let atMost = end;
  for (let t = 1; t < order.length; t++) {
    const a = order[t - 1]!;
    const c = order[t]!;
    if (ranges[c]![0] <= ranges[a]![1]) atMost = Math.min(atMost, Math.max(owners[a]!, owners[c]!));
  }
  if (atMost === end || disjointBefore(atMost)) return { ranges, owners, order, before: atMost, copies };
  let ok = from;
  let bad = atMost;
  while (bad - ok > 1) {
    const mid = (ok + bad) >> 1;
    if (disjointBefore(mid)) ok = mid;
    else bad = mid;
  }
  return { ranges, owners, order, before: ok, copies };
}

/**
 * The one dimension on which box `c` does not hold all of box `b`: undefined when it holds all of
 * `b` or falls short on more than one.
 */
function onlyDimNotHeld(env: SpaceEnv, b: Box, c: Box): Dim | undefined {
  let found: Dim | undefined;
  for (let i = 0; i < c.size; i++) {
    const x = c.dimAt(i);
    if (holdsAll(c.setAt(i), boxGet(env, b, x))) continue;
    if (found !== undefined) return undefined;
    found = x;
  }
  return found;
}

/**
 * The one dimension on which box `c` has another set than box `f` when both restrict the same
 * dimensions and differ on that one only: undefined otherwise (the same box too).
 */
function onlyDimDiffering(f: Box, c: Box): Dim | undefined {
  if (c.size !== f.size) return undefined;
  let found: Dim | undefined;
  for (let i = 0; i < f.size; i++) {
    const d = f.dimAt(i);
    const s = c.get(d);
    if (s === undefined) return undefined;
    const t = f.setAt(i);
    // (the same object, most often: the rules' conditions share what they compiled to)
    if (s === t || s.equals(t)) continue;
    if (found !== undefined) return undefined;
    found = d;
  }
  return found;
}

/** Whether `outer` holds every value of `inner` (its ends compared first: no set made for most). */
function holdsAll(outer: ISet, inner: ISet): boolean {
  if (inner.empty) return true;
  if (outer.empty || inner.first()! < outer.first()! || inner.last()! > outer.last()!) return false;
  return outer.rangeCount === 1 || outer.covers(inner);
}

/**
 * A set of packets: a union of boxes. Kept small by a cap; past it, `approximate` is set.
 *
 * Nearly every space a rule compiles to is one box, and they are kept as long as the document: a
 * space of one box holds the box itself, not a list of one (56 bytes on each of 126 000 kept
 * spaces of the firewall-like 100k file), and its merge state in one number. The methods here go
 * through boxCount and boxAt; `boxes` makes the list of one when it is asked for.
 */
export class Space {
  /** The box of a space of one box, else the boxes. */
  private readonly held: Box | readonly Box[];
  /** merged * 2, plus 1 when approximate. */
  private readonly state: number;

  constructor(
    boxes: readonly Box[],
    /** True when boxes were merged away to stay under the cap: the space may be too large. */
    approximate = false,
    /**
     * How many boxes the space (or the one it was made from) had when last merged (see capped):
     * it is merged again only once it has doubled, so that a walk adding a box at a time to a
     * space of hundreds does not merge them all after every rule.
     */
    merged = 0,
  ) {
    this.held = boxes.length === 1 ? boxes[0]! : boxes;
    this.state = merged * 2 + (approximate ? 1 : 0);
  }

  /** True when boxes were merged away to stay under the cap: the space may be too large. */
  get approximate(): boolean {
    return (this.state & 1) === 1;
  }

  /** How many boxes the space had when last merged (see the constructor). */
  get merged(): number {
    return this.state >> 1;
  }

  /** The boxes (for a space of one box, a new list at each call: see boxCount and boxAt). */
  get boxes(): readonly Box[] {
    const h = this.held;
    return h instanceof Box ? [h] : h;
  }

  get boxCount(): number {
    const h = this.held;
    return h instanceof Box ? 1 : h.length;
  }

  /** Box i (0 <= i < boxCount). */
  boxAt(i: number): Box {
    const h = this.held;
    return h instanceof Box ? h : h[i]!;
  }

  /** The boxes pushed onto `out`. */
  private pushBoxes(out: Box[]): void {
    const h = this.held;
    if (h instanceof Box) out.push(h);
    else for (let i = 0; i < h.length; i++) out.push(h[i]!);
  }

  static readonly NONE = new Space([]);
  static readonly ALL = new Space([Box.FULL]);

  static box(b: Box): Space {
    return new Space([b]);
  }

  get empty(): boolean {
    return this.boxCount === 0;
  }

  intersect(env: SpaceEnv, o: Space): Space {
    const out: Box[] = [];
    const n = this.boxCount;
    const m = o.boxCount;
    for (let i = 0; i < n; i++) {
      const a = this.boxAt(i);
      for (let j = 0; j < m; j++) {
        const r = boxIntersect(env, a, o.boxAt(j));
        if (r) out.push(r);
      }
    }
    return capped(fitted(out), this.approximate || o.approximate, this.merged);
  }

  /**
   * Whether the two spaces share a packet: `!intersect(env, o).empty`, without the intersection
   * (asked of every earlier rule that may cover a rule, and of what is left of it after each).
   */
  meets(env: SpaceEnv, o: Space): boolean {
    const n = this.boxCount;
    const m = o.boxCount;
    for (let i = 0; i < n; i++) {
      const a = this.boxAt(i);
      for (let j = 0; j < m; j++) if (boxMeets(env, a, o.boxAt(j))) return true;
    }
    return false;
  }

  union(o: Space): Space {
    if (o.empty && (!o.approximate || this.approximate)) return this;
    if (this.empty && (!this.approximate || o.approximate)) return o;
    const boxes: Box[] = [];
    this.pushBoxes(boxes);
    o.pushBoxes(boxes);
    return capped(boxes, this.approximate || o.approximate, Math.max(this.merged, o.merged));
  }

  /** The union of many spaces at once (normalised once, not after each one). */
  static unionAll(spaces: Iterable<Space>): Space {
    const boxes: Box[] = [];
    let approximate = false;
    let merged = 0;
    for (const s of spaces) {
      s.pushBoxes(boxes);
      approximate ||= s.approximate;
      merged = Math.max(merged, s.merged);
    }
    return capped(boxes, approximate, merged);
  }

  subtract(env: SpaceEnv, o: Space): Space {
    let cur: Box[] = [];
    this.pushBoxes(cur);
    for (let j = 0; j < o.boxCount; j++) {
      const b = o.boxAt(j);
      const next: Box[] = [];
      for (const a of cur) next.push(...boxSubtract(env, a, b));
      cur = next;
      if (cur.length > MAX_BOXES * 4) return new Space(cur.slice(0, MAX_BOXES), true);
    }
    return capped(cur, this.approximate, this.merged);
  }

  /** Restrict one dimension to a set. */
  restrict(env: SpaceEnv, d: Dim, s: ISet): Space {
    return this.intersect(env, Space.box(Box.of(d, s)));
  }

  /** The values one dimension can take in this space. */
  project(env: SpaceEnv, d: Dim): ISet {
    let s = ISet.EMPTY;
    for (let i = 0; i < this.boxCount; i++) s = s.union(boxGet(env, this.boxAt(i), d));
    return s;
  }

  contains(env: SpaceEnv, point: ReadonlyMap<Dim, bigint>): boolean {
    // (no spread of the box: the tracer asks this for every condition of every rule it passes)
    for (let j = 0; j < this.boxCount; j++) {
      const b = this.boxAt(j);
      let inside = true;
      for (let i = 0; i < b.size; i++) {
        const d = b.dimAt(i);
        if (!b.setAt(i).has(point.get(d) ?? domain(env, d)[0])) {
          inside = false;
          break;
        }
      }
      if (inside) return true;
    }
    return false;
  }

  /**
   * Whether this space holds the lowest or the highest packet (see boxCorner) of one of the first
   * `boxes` boxes of `o`: contains() of each such packet, with the packet's value looked up only
   * in the dimensions this space restricts (a packet made in all fifteen, for each of the
   * thousands of rules a line put in a Docker host's chain meets, was most of the time it took).
   */
  holdsCornerOf(env: SpaceEnv, o: Space, boxes: number): boolean {
    for (let k = 0; k < o.boxCount && k < boxes; k++) {
      const ob = o.boxAt(k);
      if (this.holdsCorner(env, ob, false) || this.holdsCorner(env, ob, true)) return true;
    }
    return false;
  }

  /** Whether this space holds the lowest (or highest) packet of box `ob`. */
  private holdsCorner(env: SpaceEnv, ob: Box, highest: boolean): boolean {
    for (let j = 0; j < this.boxCount; j++) {
      const b = this.boxAt(j);
      let inside = true;
      for (let i = 0; i < b.size; i++) {
        if (!b.setAt(i).has(boxCorner(env, ob, b.dimAt(i), highest))) {
          inside = false;
          break;
        }
      }
      if (inside) return true;
    }
    return false;
  }

  /** True when every packet of `o` is in this space (exact unless either is approximate). */
  covers(env: SpaceEnv, o: Space): boolean {
    return o.subtract(env, this).empty;
  }

  /**
   * Whether `o` is held exactly as this space is: the same boxes in the same order, each with the
   * same dimensions in the same order and equal sets, and the same merge state. Every operation
   * then gives the same result, box for box, from either (a rule whose comment alone changed
   * compiles to a new space held like the old one). Spaces of the same packets held otherwise are
   * not the same here.
   */
  sameAs(o: Space): boolean {
    if (o === this) return true;
    if (o.state !== this.state || o.boxCount !== this.boxCount) return false;
    for (let i = 0; i < this.boxCount; i++) {
      const a = this.boxAt(i);
      const b = o.boxAt(i);
      if (a === b) continue;
      if (a.size !== b.size) return false;
      for (let k = 0; k < a.size; k++) {
        const s = a.setAt(k);
        const t = b.setAt(k);
        if (a.dimAt(k) !== b.dimAt(k) || (s !== t && !s.equals(t))) return false;
      }
    }
    return true;
  }
}

const MAX_BOXES = 512;
/** How many unions were merged (for tests, see capped). */
export const mergeStats = { merges: 0 };
/** Unions with more boxes than this are normalised (boxes that differ in one dimension merged). */
export const MERGE_FROM = 16;

/**
 * The space of these boxes, merged when there are more than MERGE_FROM and at least twice as many
 * as at the last merge (`merged`), or more than the cap; past the cap after merging, cut to it
 * and approximate. A space already cut to the cap is not merged again for each box added to it:
 * a walk that adds a piece to such a space at every rule it passes merged its 512 boxes each
 * time (a LOG rule reached by thousands of rules of a mutated kube-proxy-like 10k file: 6.5 s of
 * a 7 s cold open).
 */
function capped(boxes: Box[], approximate: boolean, merged = 0): Space {
  if (boxes.length > MERGE_FROM && (boxes.length >= 2 * merged || (boxes.length > MAX_BOXES && merged < MAX_BOXES))) {
    mergeStats.merges++;
    boxes = mergeBoxes(boxes);
    merged = boxes.length;
  }
  if (boxes.length <= MAX_BOXES) return new Space(boxes, approximate, merged);
  return new Space(boxes.slice(0, MAX_BOXES), true, MAX_BOXES);
}

/**
 * The same union with fewer boxes: boxes equal in every dimension but one become one box whose set
 * in that dimension is the union of theirs (exact). Walking a chain of rules that each name one
 * address, port or state splits the remaining packets into pieces that differ in one dimension;
 * merged, they stay a handful of boxes instead of growing with the chain.
 */
export function mergeBoxes(boxes: readonly Box[]): Box[] {
  let cur = boxes as Box[];
  // per box, a number per dimension standing for its set there (0: unrestricted)
  let ids = cur.map(boxIds);
  for (let pass = 0; pass < 3; pass++) {
    const before = cur.length;
    for (let d = 0; d < DIMS.length; d++) {
      if (cur.length < 2) return cur;
      const r = mergeOn(cur, ids, d);
      cur = r.boxes;
      ids = r.ids;
    }
    if (cur.length === before) break;
  }
  return cur;
}

/**
 * Numbers standing for set contents (see ISet.idOf): sets of one range by their ends, sets of a
 * few ranges by their text, larger sets by identity (held weakly). The tables are emptied when
 * they grow past MAX_IDS entries: a number is only compared with numbers given out in the same
 * merge, and no two contents ever share one.
 */
const RANGE_IDS = new Map<bigint, number>();

/**
 * The key of the range [lo, hi] in RANGE_IDS: both ends in one number (every value of every
 * dimension is below 2^128), its lowest 64 bits mixed with the rest. V8 hashes a bigint by its
 * lowest 64 bits alone, which held `hi`'s lowest bits only: zero for an interface name of up to
 * 8 bytes (its bytes sit at the top), so the ranges of thousands of `-i br-X` rules fell into one
 * hash bucket and the ids of 3 000 of their boxes, to merge them, took a lookup through all of
 * them each (87 ms). The mix reads `lo` and `hi`'s upper half, never the bits it changes, so
 * mixing again undoes it: no two ranges share a key. (Ranges of one value, `lo` equal to `hi`,
 * must not cancel out: an address, a port, a host of an IPv6 network, an interface.)
 */
export function rangeKey(lo: bigint, hi: bigint): bigint {
  const mix = BigInt.asUintN(64, ((lo >> 64n) + (hi >> 64n) * 3n + lo * 5n) * 0x9e3779b97f4a7c15n);
  return ((lo << 128n) | hi) ^ mix;
}

const TEXT_IDS = new Map<string, number>();
const BIG_IDS = new WeakMap<ISet, number>();
const MAX_IDS = 50_000;
let nextId = 1;
let idCount = 0;

function newId<K>(table: Map<K, number> | WeakMap<K & object, number>, k: K): number {
  if (++idCount > MAX_IDS) {
    RANGE_IDS.clear();
    TEXT_IDS.clear();
    idCount = 1;
  }
  const id = nextId++;
  (table as Map<K, number>).set(k, id);
  return id;
}

function boxIds(b: Box): number[] {
  const out: number[] = new Array(DIMS.length).fill(0);
  for (let i = 0; i < b.size; i++) out[DIMS.indexOf(b.dimAt(i))] = ISet.idOf(b.setAt(i));
  return out;
}

/** Whether two boxes' ids agree in every dimension but `on`. */
function sameIdsBut(a: readonly number[], b: readonly number[], on: number): boolean {
  for (let d = 0; d < a.length; d++) if (d !== on && a[d] !== b[d]) return false;
  return true;
}

/** Merge the boxes equal in every dimension but DIMS[on]. */
function mergeOn(boxes: Box[], ids: number[][], on: number): { boxes: Box[]; ids: number[][] } {
  const dim = DIMS[on]!;
  // boxes grouped by a hash of their ids in every other dimension (a number, not a string: a walk
  // through a Docker host's isolation chains merges hundreds of boxes after every rule), each
  // group's members compared id by id
  const groups = new Map<number, number[]>();
  const out: Box[] = [];
  const outIds: number[][] = [];
  /** The sets in dimension `dim` of the boxes merged into out[i] (undefined: unrestricted). */
  const merged: ((ISet | undefined)[] | undefined)[] = [];
  for (let k = 0; k < boxes.length; k++) {
    const b = boxes[k]!;
    const id = ids[k]!;
    let h = 0;
    for (let d = 0; d < id.length; d++) if (d !== on) h = (Math.imul(h, 0x01000193) ^ id[d]!) | 0;
    const group = groups.get(h);
    let at = -1;
    if (group) {
      for (const j of group) {
        if (sameIdsBut(outIds[j]!, id, on)) {
          at = j;
          break;
        }
      }
    }
    if (at < 0) {
      if (group) group.push(out.length);
      else groups.set(h, [out.length]);
      out.push(b);
      outIds.push(id);
      merged.push(undefined);
      continue;
    }
    (merged[at] ??= [out[at]!.get(dim)]).push(b.get(dim));
  }
  if (out.length === boxes.length) return { boxes, ids };
  for (let i = 0; i < out.length; i++) {
    const list = merged[i];
    if (!list) continue;
    let m = out[i]!;
    const id = [...outIds[i]!];
    if (list.includes(undefined)) {
      m = m.without(dim);
      id[on] = 0;
    } else {
      const ranges: (readonly [bigint, bigint])[] = [];
      for (const s of list) for (const r of s!.ranges) ranges.push(r);
      const u = ISet.fromRanges(ranges);
      m = m.with(dim, u);
      id[on] = ISet.idOf(u);
    }
    out[i] = m;
    outIds[i] = id;
  }
  return { boxes: out, ids: outIds };
}

