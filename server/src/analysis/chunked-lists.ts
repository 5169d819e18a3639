/**
 * Sorted lists held in chunks, for an index that each version of a document keeps while the next
 * version derives its own from it (analysis/rule-index.ts): an edit that takes out or puts in a few
 * entries copies the chunks it touches and the list of chunks, not every entry. A 20 000-rule
 * chain's index was copied array by array on every edit of one of its rules, and each copy lived
 * as long as its version, so V8 promoted megabytes per edit and started full collections early.
 * Lists are never changed once made: an edit makes a new list that shares the untouched chunks.
 */
import { insertionPoint } from '../model/insertion-point';

/** Entries a chunk is made with; a chunk that grows to twice as many is split in two. */
export const CHUNK = 64;

/**
 * The chunk a position is in or would go to: the last whose first position is at most it (0 when
 * none is); chunk c's values are its list's plus adds[c] (see Positions). No closure: candidates
 * ask this for every rule of a chain.
 */
function chunkOfPosition(chunks: readonly (readonly number[])[], adds: readonly number[] | undefined, x: number): number {
  let a = 0;
  let b = chunks.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (chunks[mid]![0]! + (adds === undefined ? 0 : adds[mid]!) <= x) a = mid + 1;
    else b = mid;
  }
  return a > 0 ? a - 1 : 0;
}

/** Where each chunk starts in the whole list. */
function startsOf(chunks: readonly { readonly length: number }[]): number[] {
  const starts = new Array<number>(chunks.length);
  let n = 0;
  for (let c = 0; c < chunks.length; c++) {
    starts[c] = n;
    n += chunks[c]!.length;
  }
  return starts;
}

/**
 * `list` copied, each value moved by `add`, then each `from` or more moved by `by` (a copy made by
 * slice and moved in a loop: a map with a callback, in code that runs once per line put in and so
 * mostly before V8 has optimized it, made a call per entry of every list of a long chain's index).
 */
function movedFrom(list: readonly number[], add: number, from: number, by: number): number[] {
  const out = list.slice();
  for (let i = 0; i < out.length; i++) {
    const x = out[i]! + add;
    out[i] = x >= from ? x + by : x;
  }
  return out;
}

/**
 * Ascending positions (each once), in chunks. A chunk's values are its list's plus its add (none
 * but for lists moved, see shifted): a rule put into or taken out of a long chain moves every later
 * position by one, and the chunks after the edit's were copied for that on each line put in or
 * taken out (half of the 83 000 positions of the firewall-like blocklist's rules, on average).
 */
export class Positions {
  private readonly starts: readonly number[];

  private constructor(
    private readonly chunks: readonly (readonly number[])[],
    readonly length: number,
    /** What each chunk's values add to its list's (undefined: nothing). */
    private readonly adds: readonly number[] | undefined,
    /** Where each chunk starts, when known (the chunks' lengths are another list's). */
    starts?: readonly number[],
  ) {
    this.starts = starts ?? startsOf(chunks);
  }

  static of(xs: readonly number[]): Positions {
    const chunks: number[][] = [];
    for (let i = 0; i < xs.length; i += CHUNK) chunks.push(xs.slice(i, i + CHUNK));
    return new Positions(chunks, xs.length, undefined);
  }

  /** What chunk c's values add to its list's. */
  private addAt(c: number): number {
    return this.adds === undefined ? 0 : this.adds[c]!;
  }

  /** These positions with those of `out` that are here taken out, then those of `into` put in. */
  edited(out: readonly number[], into: readonly number[]): Positions {
    if (out.length === 0 && into.length === 0) return this;
    const chunks = this.chunks.slice() as number[][];
    const adds = this.adds?.slice();
    const own = new Set<number[]>();
    // (a chunk written to gets its values in its list: its add is then 0)
    const writable = (c: number): number[] => {
      let ch = chunks[c]!;
      if (!own.has(ch)) {
        const add = adds === undefined ? 0 : adds[c]!;
        own.add((chunks[c] = ch = add === 0 ? ch.slice() : movedFrom(ch, add, Infinity, 0)));
        if (adds) adds[c] = 0;
      }
      return ch;
    };
    let length = this.length;
    for (const x of out) {
      if (chunks.length === 0) break;
      const c = chunkOfPosition(chunks, adds, x);
      const add = adds === undefined ? 0 : adds[c]!;
      const i = insertionPoint(chunks[c]!, x - add);
      if (chunks[c]![i] !== x - add) continue;
      const w = writable(c);
      w.splice(i, 1);
      length--;
      if (w.length === 0) {
        chunks.splice(c, 1);
        adds?.splice(c, 1);
      }
    }
    for (const x of into) {
      length++;
      if (chunks.length === 0) {
        const w = [x];
        own.add(w);
        chunks.push(w);
        adds?.push(0);
        continue;
      }
      const c = chunkOfPosition(chunks, adds, x);
      const w = writable(c);
      w.splice(insertionPoint(w, x), 0, x);
      if (w.length >= 2 * CHUNK) {
        const a = w.slice(0, CHUNK);
        const b = w.slice(CHUNK);
        own.add(a);
        own.add(b);
        chunks.splice(c, 1, a, b);
        adds?.splice(c, 1, 0, 0);
      }
    }
    return new Positions(chunks, length, adds);
  }

  /**
   * These positions with every one from `from` on moved by `by` (a rule put in or taken out before
   * them): the chunks before the first such position shared, the one it is in copied, and the
   * others shared with their add moved. `by` must keep them ascending and apart from those before
   * `from`.
   */
  shifted(from: number, by: number): Positions {
    if (this.length === 0 || by === 0) return this;
    const first = chunkOfPosition(this.chunks, this.adds, from);
    const chunks = this.chunks.slice() as number[][];
    const adds = this.adds === undefined ? new Array<number>(chunks.length).fill(0) : this.adds.slice();
    chunks[first] = movedFrom(this.chunks[first]!, adds[first]!, from, by);
    adds[first] = 0;
    for (let c = first + 1; c < chunks.length; c++) adds[c]! += by;
    // (the chunks hold as many positions as before: they start where they did)
    return new Positions(chunks, this.length, adds, this.starts);
  }

  /** How many positions are `from` or later. */
  countFrom(from: number): number {
    if (this.length === 0) return 0;
    const c = chunkOfPosition(this.chunks, this.adds, from);
    return this.length - this.starts[c]! - insertionPoint(this.chunks[c]!, from - this.addAt(c));
  }

  /** The positions `from` or later, ascending, onto `out`. */
  pushFrom(from: number, out: number[]): void {
    if (this.length === 0) return;
    const chunks = this.chunks;
    const c = chunkOfPosition(chunks, this.adds, from);
    const i = insertionPoint(chunks[c]!, from - this.addAt(c));
    for (let k = c; k < chunks.length; k++) {
      const ch = chunks[k]!;
      const add = this.addAt(k);
      for (let j = k === c ? i : 0; j < ch.length; j++) out.push(ch[j]! + add);
    }
  }

  /** The positions `from` or later merged with `hits` (ascending, none among these), in one new list. */
  mergeFrom(from: number, hits: readonly number[]): number[] {
    const out = new Array<number>(hits.length + this.countFrom(from));
    let o = 0;
    let h = 0;
    if (this.length) {
      const chunks = this.chunks;
      const c = chunkOfPosition(chunks, this.adds, from);
      const i = insertionPoint(chunks[c]!, from - this.addAt(c));
      for (let k = c; k < chunks.length; k++) {
        const ch = chunks[k]!;
        const add = this.addAt(k);
        for (let j = k === c ? i : 0; j < ch.length; j++) {
          const x = ch[j]! + add;
          while (h < hits.length && hits[h]! < x) out[o++] = hits[h++]!;
          out[o++] = x;
        }
      }
    }
    while (h < hits.length) out[o++] = hits[h++]!;
    return out;
  }

  /** The whole list, as one array (what tests compare). */
  toJSON(): number[] {
    const out: number[] = [];
    this.pushFrom(-Infinity, out);
    return out;
  }
}

/**
 * Entries of a chunk, sorted by (lo, pos); maxHi[j] is the highest hi among its entries 0..j. An
 * entry's position is pos[j] moved by `moves` (see movedPosition), when the chunk has any.
 */
interface EntryChunk {
  readonly lo: readonly bigint[];
  readonly hi: readonly bigint[];
  readonly pos: readonly number[];
  readonly maxHi: readonly bigint[];
  readonly moves: Moves | undefined;
}

interface OwnChunk {
  lo: bigint[];
  hi: bigint[];
  pos: number[];
  maxHi: readonly bigint[];
  readonly moves: undefined;
}

/**
 * Moves of a chunk's positions not written into its list yet, oldest first, in pairs: the
 * positions `from` or more moved by `by` (a rule put in or taken out before them). A rule put into
 * or taken out of a long chain moves positions in almost every chunk of its index (they are in
 * order of hull, not of position): each such chunk's list was copied on every line put in or taken
 * out, 0.6 MB of each such edit of the firewall-like file's 83 000-rule blocklist. At most
 * MAX_MOVES, then written into a copy of the list.
 */
type Moves = readonly number[];
const MAX_MOVES = 8;

/** Position `p` of a chunk's list, moved by `moves`. */
function movedPosition(moves: Moves, p: number): number {
  for (let k = 0; k < moves.length; k += 2) if (p >= moves[k]!) p += moves[k + 1]!;
  return p;
}

/** The position of entry j of the chunk. */
function positionAt(ch: EntryChunk, j: number): number {
  return ch.moves === undefined ? ch.pos[j]! : movedPosition(ch.moves, ch.pos[j]!);
}

/** Whether some entry of the chunk has a position `from` or more. */
function someEntryFrom(ch: EntryChunk, from: number): boolean {
  for (let j = 0; j < ch.pos.length; j++) if (positionAt(ch, j) >= from) return true;
  return false;
}

/** A chunk's list of positions with its moves written in, in a list of its own. */
function withMoves(pos: readonly number[], moves: Moves | undefined): number[] {
  const out = pos.slice();
  if (moves !== undefined) for (let i = 0; i < out.length; i++) out[i] = movedPosition(moves, out[i]!);
  return out;
}

/** How many of an ascending list's values are at most x (a bigint search without a closure: every question of a check runs two). */
function countUpTo(list: readonly bigint[], x: bigint): number {
  let a = 0;
  let b = list.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (list[mid]! <= x) a = mid + 1;
    else b = mid;
  }
  return a;
}

/**
 * The running maximum of `hi`: `hi` itself when it never falls, as in most chunks (entries are in
 * order of lo, and most hulls are one value or ranges of like widths; a list of its own for each
 * was 2 MB of the Docker-like 100k file's indexes).
 */
function runningMax(hi: readonly bigint[]): readonly bigint[] {
  let k = 1;
  while (k < hi.length && hi[k]! >= hi[k - 1]!) k++;
  if (k >= hi.length) return hi;
  const out = hi.slice(0, k);
  let m = hi[k - 1]!;
  for (let i = k; i < hi.length; i++) {
    if (hi[i]! > m) m = hi[i]!;
    out.push(m);
  }
  return out;
}

function chunkOf(lo: bigint[], hi: bigint[], pos: number[]): OwnChunk {
  return { lo, hi, pos, maxHi: runningMax(hi), moves: undefined };
}

/** Does the entry (lo, pos) come before entry i of the chunk? (the order of the lists) */
function entryBefore(lo: bigint, pos: number, ch: EntryChunk, i: number): boolean {
  return lo < ch.lo[i]! || (lo === ch.lo[i]! && pos < positionAt(ch, i));
}

/** The first entry of the chunk that comes after (lo, pos): where such an entry goes. */
function entryAfter(lo: bigint, pos: number, ch: EntryChunk): number {
  let a = 0;
  let b = ch.lo.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (entryBefore(lo, pos, ch, mid)) b = mid;
    else a = mid + 1;
  }
  return a;
}

/**
 * The entries of one indexed dimension: for each rule restricted in it, the hull of its values
 * there (lo, hi) and its position, sorted by (lo, pos), in chunks; a chunk knows the running
 * maximum of its his, the list the highest hi of the chunks before each.
 */
export class Entries {
  /** before[c]: the highest hi in the chunks before chunk c (-1 for the first). */
  private readonly before: readonly bigint[];
  /**
   * firstLo[c]: the lo of chunk c's first entry, in one list: a question's search for its chunk
   * read each chunk it passed through its object and its list of los (a third of the time the
   * questions of a Docker-like file's cold open spent in its indexes).
   */
  private readonly firstLo: readonly bigint[];

  /** (made by of() and by EntriesEdit.done) */
  constructor(
    private readonly chunks: readonly EntryChunk[],
    readonly length: number,
    /** before and firstLo, when known (the chunks' hulls are another list's). */
    known?: { readonly before: readonly bigint[]; readonly firstLo: readonly bigint[] },
  ) {
    if (known) {
      this.before = known.before;
      this.firstLo = known.firstLo;
      return;
    }
    const made = new Array<bigint>(chunks.length);
    const firsts = new Array<bigint>(chunks.length);
    let m = -1n;
    for (let c = 0; c < chunks.length; c++) {
      made[c] = m;
      const ch = chunks[c]!;
      firsts[c] = ch.lo[0]!;
      const last = ch.maxHi[ch.maxHi.length - 1]!;
      if (last > m) m = last;
    }
    this.before = made;
    this.firstLo = firsts;
  }

  /** From lists already sorted by (lo, pos). */
  static of(lo: readonly bigint[], hi: readonly bigint[], pos: readonly number[]): Entries {
    const chunks: EntryChunk[] = [];
    for (let i = 0; i < lo.length; i += CHUNK) chunks.push(chunkOf(lo.slice(i, i + CHUNK), hi.slice(i, i + CHUNK), pos.slice(i, i + CHUNK)));
    return new Entries(chunks, lo.length);
  }

  /** Each entry's hull and position, in the order of the lists. */
  each(f: (lo: bigint, hi: bigint, pos: number) => void): void {
    for (const ch of this.chunks) for (let j = 0; j < ch.lo.length; j++) f(ch.lo[j]!, ch.hi[j]!, positionAt(ch, j));
  }

  /**
   * These entries with every position from `from` on moved by `by` (a rule put in or taken out
   * before them; the order by (lo, pos) stays): the hulls, running maxima and position lists
   * shared, the move kept with each chunk that holds such a position (see Moves), the chunks that
   * hold none shared too.
   */
  shifted(from: number, by: number): Entries {
    if (by === 0) return this;
    const chunks = this.chunks.slice();
    // (the chunks moved alike before share their moves after: one list for most of them)
    const after = new Map<Moves | undefined, Moves>();
    for (let c = 0; c < chunks.length; c++) {
      const ch = chunks[c]!;
      if (!someEntryFrom(ch, from)) continue;
      let moves = after.get(ch.moves);
      if (moves === undefined) after.set(ch.moves, (moves = ch.moves === undefined ? [from, by] : [...ch.moves, from, by]));
      chunks[c] = moves.length > 2 * MAX_MOVES ? { lo: ch.lo, hi: ch.hi, pos: withMoves(ch.pos, moves), maxHi: ch.maxHi, moves: undefined } : { lo: ch.lo, hi: ch.hi, pos: ch.pos, maxHi: ch.maxHi, moves };
    }
    // (the hulls are as they were: so are the highest his before each chunk, and the first los)
    return new Entries(chunks, this.length, { before: this.before, firstLo: this.firstLo });
  }

  /** An edit of these entries: what it takes out and puts in, then done() for the new entries. */
  edit(): EntriesEdit {
    return new EntriesEdit(this.chunks, this.length);
  }

  /**
   * The positions, `from` or later, of the entries whose hull meets [qlo, qhi], onto `hits` in no
   * particular order; false (and stopped) as soon as `hits` holds `room` positions.
   */
  collect(qlo: bigint, qhi: bigint, from: number, room: number, hits: number[]): boolean {
    const chunks = this.chunks;
    if (chunks.length === 0) return true;
    // the last entry with lo <= qhi, then backwards while something earlier can still reach qlo
    const a0 = countUpTo(this.firstLo, qhi);
    const last = a0 > 0 ? a0 - 1 : 0;
    for (let c = last; c >= 0; c--) {
      const ch = chunks[c]!;
      // when a chunk before reaches qlo, so does the running maximum at every entry of this one:
      // nothing to stop at here (and one comparison of bigints less per entry)
      const reach = this.before[c]! >= qlo;
      const j0 = c === last ? countUpTo(ch.lo, qhi) - 1 : ch.lo.length - 1;
      for (let j = j0; j >= 0; j--) {
        if (!reach && ch.maxHi[j]! < qlo) return true;
        if (ch.hi[j]! >= qlo) {
          const p = positionAt(ch, j);
          if (p < from) continue;
          hits.push(p);
          if (hits.length >= room) return false;
        }
      }
      if (!reach) return true;
    }
    return true;
  }

  /** The whole lists, as arrays (what tests compare): lo, hi, pos and the running maximum of hi. */
  toJSON(): { lo: bigint[]; hi: bigint[]; pos: number[]; maxHi: bigint[] } {
    const out = { lo: [] as bigint[], hi: [] as bigint[], pos: [] as number[], maxHi: [] as bigint[] };
    this.chunks.forEach((ch, c) => {
      const before = this.before[c]!;
      for (let j = 0; j < ch.lo.length; j++) {
        out.lo.push(ch.lo[j]!);
        out.hi.push(ch.hi[j]!);
        out.pos.push(positionAt(ch, j));
        out.maxHi.push(ch.maxHi[j]! > before ? ch.maxHi[j]! : before);
      }
    });
    return out;
  }
}

/** Entries taken out and put in, on copies of the chunks they touch (see Entries.edit). */
export class EntriesEdit {
  private readonly chunks: EntryChunk[];
  private readonly own = new Set<EntryChunk>();
  private length: number;

  constructor(chunks: readonly EntryChunk[], length: number) {
    this.chunks = chunks.slice();
    this.length = length;
  }

  /** The chunk the entry (lo, pos) is in or would go to: the last whose first entry is not after it (0 when none). */
  private at(lo: bigint, pos: number): number {
    const chunks = this.chunks;
    let a = 0;
    let b = chunks.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (!entryBefore(lo, pos, chunks[mid]!, 0)) a = mid + 1;
      else b = mid;
    }
    return a > 0 ? a - 1 : 0;
  }

  private writable(c: number): OwnChunk {
    const ch = this.chunks[c]!;
    if (this.own.has(ch)) return ch as OwnChunk;
    const copy: OwnChunk = { lo: ch.lo.slice(), hi: ch.hi.slice(), pos: withMoves(ch.pos, ch.moves), maxHi: [], moves: undefined };
    this.chunks[c] = copy;
    this.own.add(copy);
    return copy;
  }

  /** Take out the entry (lo, pos); false when there is none. */
  remove(lo: bigint, pos: number): boolean {
    if (this.chunks.length === 0) return false;
    const c = this.at(lo, pos);
    const i = entryAfter(lo, pos, this.chunks[c]!) - 1;
    const ch = this.chunks[c]!;
    if (i < 0 || ch.lo[i] !== lo || positionAt(ch, i) !== pos) return false;
    const w = this.writable(c);
    w.lo.splice(i, 1);
    w.hi.splice(i, 1);
    w.pos.splice(i, 1);
    this.length--;
    if (w.lo.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** Put in the entry (lo, hi, pos). */
  insert(lo: bigint, hi: bigint, pos: number): void {
    this.length++;
    if (this.chunks.length === 0) {
      const w: OwnChunk = { lo: [lo], hi: [hi], pos: [pos], maxHi: [], moves: undefined };
      this.own.add(w);
      this.chunks.push(w);
      return;
    }
    const c = this.at(lo, pos);
    const w = this.writable(c);
    const i = entryAfter(lo, pos, w);
    w.lo.splice(i, 0, lo);
    w.hi.splice(i, 0, hi);
    w.pos.splice(i, 0, pos);
    if (w.lo.length >= 2 * CHUNK) {
      const a: OwnChunk = { lo: w.lo.slice(0, CHUNK), hi: w.hi.slice(0, CHUNK), pos: w.pos.slice(0, CHUNK), maxHi: [], moves: undefined };
      const b: OwnChunk = { lo: w.lo.slice(CHUNK), hi: w.hi.slice(CHUNK), pos: w.pos.slice(CHUNK), maxHi: [], moves: undefined };
      this.own.add(a);
      this.own.add(b);
      this.chunks.splice(c, 1, a, b);
    }
  }

  /** The entries after the edit (the running maxima of the chunks it touched worked out again). */
  done(): Entries {
    for (const ch of this.chunks) if (this.own.has(ch)) (ch as OwnChunk).maxHi = runningMax(ch.hi);
    return new Entries(this.chunks, this.length);
  }
}
