/**
 * A list by position that the versions of a document share: held in chunks of CHUNK_SIZE entries,
 * so that the version after an edit, with a few entries replaced, copies those entries' chunks and
 * the short list of chunks instead of every entry. The lists of an 80 000-rule chain (one entry per
 * rule) were copied whole on each edit of one of its rules; each copy lived as long as its version,
 * long enough to reach V8's old generation, where megabytes a keystroke bring on full collections in
 * the middle of typing. A ChunkedArray is never changed once made.
 */

/** log2 of CHUNK_SIZE. */
const CHUNK_BITS = 10;
/** Entries per chunk (the last may hold fewer): copying one is 8 KB of pointers. */
export const CHUNK_SIZE = 1 << CHUNK_BITS;
const MASK = CHUNK_SIZE - 1;

/** What reads a list by position needs: plain arrays are read through ChunkedArray.of. */
export interface ReadList<T> {
  readonly length: number;
  /** The entry at `i` (undefined outside 0..length-1). */
  get(i: number): T | undefined;
}

export class ChunkedArray<T> implements ReadList<T> {
  private constructor(
    private readonly chunks: readonly (readonly T[])[],
    readonly length: number,
    /** Some chunk may not be made yet (see thenMoved): this list was made by thenMoved or from one that was. */
    private readonly pends = false,
  ) {}

  /** The entries of `items`, in chunks (copied: the array may change afterwards). */
  static of<T>(items: readonly T[]): ChunkedArray<T> {
    const chunks: T[][] = [];
    for (let i = 0; i < items.length; i += CHUNK_SIZE) chunks.push(items.slice(i, i + CHUNK_SIZE));
    return new ChunkedArray<T>(chunks, items.length);
  }

  /** `n` entries, entry i being `entry(i)`, asked in order. */
  static build<T>(n: number, entry: (i: number) => T): ChunkedArray<T> {
    const chunks: T[][] = [];
    pushChunks(chunks, 0, n, entry);
    return new ChunkedArray<T>(chunks, n);
  }

  get(i: number): T | undefined {
    // (a negative i shifts to a negative chunk number, which holds nothing)
    const ch = this.chunks[i >> CHUNK_BITS];
    if (ch === undefined) return undefined;
    const x = ch[i & MASK];
    // (a chunk not made yet holds no entry where it is not: see thenMoved)
    return x !== undefined || !this.pends ? x : madeAt(ch, i & MASK);
  }

  /** Chunk c, made if it was not yet (see thenMoved). */
  private chunk(c: number): readonly T[] {
    const ch = this.chunks[c]!;
    return this.pends ? made(ch) : ch;
  }

  /**
   * This list with entry `at[k]` replaced by `values[k]` for each k (positions outside the list are
   * left out); the chunks no position falls in are shared with this list.
   */
  with(at: readonly number[], values: readonly T[]): ChunkedArray<T> {
    if (at.length === 0) return this;
    const chunks = this.chunks.slice();
    const copied: number[] = [];
    for (let k = 0; k < at.length; k++) {
      const i = at[k]!;
      if (!(i >= 0 && i < this.length)) continue;
      const c = i >> CHUNK_BITS;
      if (!copied.includes(c)) {
        copied.push(c);
        chunks[c] = this.chunk(c).slice();
      }
      (chunks[c] as T[])[i & MASK] = values[k]!;
    }
    return new ChunkedArray<T>(chunks, this.length, this.pends);
  }

  /**
   * The positions where this list and `other` hold different entries (by identity), ascending: up
   * to `limit` of them, and one more when there are more. Chunks both hold are passed over whole,
   * so comparing a list with the one it was made from by `with` looks at the chunks that changed.
   * Lists of different lengths differ at the positions only one of them has.
   */
  differences(other: ChunkedArray<T>, limit: number): number[] {
    const out: number[] = [];
    const n = Math.max(this.length, other.length);
    for (let c = 0; c << CHUNK_BITS < n; c++) {
      if (this.chunks[c] === other.chunks[c]) continue;
      const a = c < this.chunks.length ? this.chunk(c) : undefined;
      const b = c < other.chunks.length ? other.chunk(c) : undefined;
      const start = c << CHUNK_BITS;
      const end = Math.min(n, start + CHUNK_SIZE);
      for (let i = start; i < end; i++) {
        if (i >= this.length || i >= other.length || a![i & MASK] !== b![i & MASK]) {
          out.push(i);
          if (out.length > limit) return out;
        }
      }
    }
    return out;
  }

  /**
   * The first position where this list and `other` hold different entries (by identity), or where
   * only one of them has an entry; the length when they are the same. Shared chunks are passed over.
   */
  firstDifference(other: ChunkedArray<T>): number {
    return this.differences(other, 0)[0] ?? this.length;
  }

  /**
   * For a list as long as `other`: one past the last position from `floor` on where the two hold
   * different entries, or `floor` when they hold the same from there on. Shared chunks are passed over.
   * (Lists of different lengths differ, from the end on: this list's length.)
   */
  lastDifference(other: ChunkedArray<T>, floor: number): number {
    if (other.length !== this.length) return Math.max(floor, this.length);
    for (let c = (this.length - 1) >> CHUNK_BITS; c >= 0 && (c + 1) << CHUNK_BITS > floor; c--) {
      if (this.chunks[c] === other.chunks[c]) continue;
      const a = this.chunk(c);
      const b = other.chunk(c);
      const start = Math.max(floor, c << CHUNK_BITS);
      for (let i = Math.min(this.length, (c + 1) << CHUNK_BITS) - 1; i >= start; i--) if (a[i & MASK] !== b[i & MASK]) return i + 1;
    }
    return floor;
  }

  /** The entries in order. */
  *[Symbol.iterator](): Generator<T, void, undefined> {
    for (let c = 0; c < this.chunks.length; c++) {
      const ch = this.chunk(c);
      for (let j = 0; j < ch.length; j++) yield ch[j]!;
    }
  }

  /** The entries `keep` says true for, in order, as a new array. */
  filter<S extends T>(keep: (x: T) => x is S): S[];
  filter(keep: (x: T) => boolean): T[];
  filter(keep: (x: T) => boolean): T[] {
    const out: T[] = [];
    for (let c = 0; c < this.chunks.length; c++) {
      const ch = this.chunk(c);
      for (let j = 0; j < ch.length; j++) if (keep(ch[j]!)) out.push(ch[j]!);
    }
    return out;
  }

  /** The first entry `test` says true for. */
  find(test: (x: T) => boolean): T | undefined {
    for (let c = 0; c < this.chunks.length; c++) {
      const ch = this.chunk(c);
      for (let j = 0; j < ch.length; j++) if (test(ch[j]!)) return ch[j]!;
    }
    return undefined;
  }

  /** Whether `test` says true for some entry. */
  some(test: (x: T) => boolean): boolean {
    for (let c = 0; c < this.chunks.length; c++) {
      const ch = this.chunk(c);
      for (let j = 0; j < ch.length; j++) if (test(ch[j]!)) return true;
    }
    return false;
  }

  /** The entries from `from` up to (not including) `to`, as a new array (ends clamped as Array.slice clamps them, negatives not taken). */
  slice(from = 0, to = this.length): T[] {
    const start = Math.max(0, from);
    const end = Math.min(to, this.length);
    // (made at its size, not grown by push)
    const out = new Array<T>(Math.max(0, end - start));
    for (let i = start; i < end; i++) out[i - start] = this.chunk(i >> CHUNK_BITS)[i & MASK]!;
    return out;
  }

  /**
   * This list with the entries from `from` up to `to` replaced by `items`. As many items as they
   * replace (a line rewritten): the chunks they fall in are copied, the others shared (see with).
   * Otherwise every position after them moves: the chunks up to the one the last item falls in are
   * made now, and those after it are made when first read, from this list's (see thenMoved). The
   * lists of a long chain's rules are spliced on every line put in or taken out of it, and the
   * checks read a few of their entries (83 000 entries in five lists, copied from the line on, were
   * a quarter of the garbage of such an edit of the firewall-like blocklist).
   */
  splice(from: number, to: number, items: readonly T[]): ChunkedArray<T> {
    if (items.length === to - from) {
      const at = new Array<number>(items.length);
      for (let k = 0; k < items.length; k++) at[k] = from + k;
      return this.with(at, items);
    }
    const f = Math.min(Math.max(from, 0), this.length);
    const t = Math.min(Math.max(to, f), this.length);
    const shift = items.length - (t - f);
    const length = this.length + shift;
    // (made now: up to the chunk boundary after the items; the chunks wholly before `from` shared,
    // the others made at their size, their entries copied by slice and concat, not one at a time)
    const madeEnd = Math.min(length, ((f + items.length + MASK) >> CHUNK_BITS) << CHUNK_BITS);
    const whole = f >> CHUNK_BITS;
    const chunks = this.chunks.slice(0, whole);
    const out = new ChunkFiller<T>(chunks);
    this.fill(out, whole << CHUNK_BITS, f);
    out.add(items, 0, items.length);
    this.fill(out, t, madeEnd - shift);
    out.done();
    const head = new ChunkedArray<T>(chunks, madeEnd, this.pends);
    return madeEnd === length ? head : head.thenMoved(length, this, shift, NONE_GIVEN, NONE_GIVEN, asIs);
  }

  /** The entries from `start` up to `end` added to `out`, a slice of a chunk at a time. */
  private fill(out: ChunkFiller<T>, start: number, end: number): void {
    for (let i = start; i < end; ) {
      const ch = this.chunk(i >> CHUNK_BITS);
      const a = i & MASK;
      const b = Math.min(ch.length, a + (end - i));
      out.add(ch, a, b);
      i += b - a;
    }
  }

  /**
   * The first `n` entries of this list followed by `items`: the chunks wholly before `n` are shared
   * with this list (an edit that puts in or takes out a line makes the list again from there on).
   */
  headThen(n: number, items: readonly T[]): ChunkedArray<T> {
    const head = Math.min(Math.max(n, 0), this.length);
    return this.headThenMade(head, head + items.length, (i) => items[i - head]!);
  }

  /**
   * The first `n` entries of this list followed by `entry(i)` for each position i from `n` up to
   * `length`, asked in order (see headThen): the entries go straight into their chunks, with no
   * list of them made first (one per line put in near the top of a 100 000-line file, grown by
   * push: 2 MB of garbage).
   */
  headThenMade(n: number, length: number, entry: (i: number) => T): ChunkedArray<T> {
    const head = Math.min(Math.max(n, 0), this.length);
    return this.madeFrom(head, Math.max(length, head), (i) => (i < head ? this.get(i)! : entry(i)));
  }

  /**
   * A list of `length` entries whose chunks wholly before position `from` are this list's, and
   * whose other entries are `entry(i)`, asked in order.
   */
  private madeFrom(from: number, length: number, entry: (i: number) => T): ChunkedArray<T> {
    const whole = from >> CHUNK_BITS;
    const chunks = this.chunks.slice(0, whole);
    pushChunks(chunks, whole << CHUNK_BITS, length, entry);
    return new ChunkedArray<T>(chunks, length, this.pends);
  }

  /**
   * This list (its length a whole number of chunks) followed by the entries of positions up to
   * `length`, made when first read (64 at a time, see Pending): the entry at a position listed in `givenAt`
   * is the matching one of `given` (ascending positions), any other at position p is
   * `make(source.get(p - shift), p)`. For an edit that puts in or takes out lines: the lines below
   * it are the previous version's, moved, and the analysis of the edit reads few of them (on a
   * kube-proxy-like file of 135 000 lines, one or two chunks of a hundred), where making them all
   * was the largest part of the parse of such an edit.
   *
   * `make` must make from an entry it made the same as from the entry that one was made from (an
   * entry is made from the oldest one it comes from: a chunk not made yet of `source` is looked
   * through, so that the versions of an edited document do not hold one another in a chain).
   * `baseOf`: for an entry `make` (or the like) made, the entry it was made from, which is kept in
   * its place until the chunk is made (see piecesOf).
   */
  thenMoved(length: number, source: ChunkedArray<T>, shift: number, givenAt: readonly number[], given: readonly T[], make: (from: T, at: number) => T, baseOf?: (x: T) => T): ChunkedArray<T> {
    if ((this.length & MASK) !== 0 && this.length < length) throw new Error('thenMoved: the list must end at a chunk boundary');
    const chunks = this.chunks.slice();
    let g = 0;
    for (let start = this.length; start < length; start += CHUNK_SIZE) {
      const end = Math.min(length, start + CHUNK_SIZE);
      const pieces: Piece<T>[] = [];
      for (let p = start; p < end; ) {
        if (g < givenAt.length && givenAt[g] === p) {
          addPiece(pieces, given, g, 1, false);
          g++;
          p++;
          continue;
        }
        const q = g < givenAt.length ? Math.min(end, givenAt[g]!) : end;
        source.piecesOf(p - shift, q - shift, pieces, make, baseOf);
        p = q;
      }
      const pending = new Pending<T>(start, end - start, pieces, make);
      const ch: T[] = [];
      // (a chunk whose entries come from many places is made now: its description would cost more)
      if (pieces.length > MAX_PIECES) pending.fillAll(ch);
      else PENDING.set(ch, pending as unknown as Pending<unknown>);
      chunks.push(ch);
    }
    return new ChunkedArray<T>(chunks, Math.max(this.length, length), true);
  }

  /**
   * The entries of positions [from, to) (all within the list) as pieces of made chunks added to
   * `out`, each to be made again by `make` (see thenMoved): a chunk made, as a piece of itself; one
   * not made, as the pieces it is to be made from (making an entry again makes it as from what it
   * was made from), unless it is to be made otherwise and this is a splice, whose entries stay as
   * they are: then it is made now.
   */
  private piecesOf(from: number, to: number, out: Piece<T>[], make: (from: T, at: number) => T, baseOf: ((x: T) => T) | undefined): void {
    for (let i = from; i < to; ) {
      const c = i >> CHUNK_BITS;
      const ch = this.chunks[c]!;
      const a = i & MASK;
      const n = Math.min(to - i, Math.min(CHUNK_SIZE, this.length - (c << CHUNK_BITS)) - a);
      // the entries a piece keeps are those nothing made: a chunk not made yet is looked through,
      // and the entries of another that were made (by `make` or the like) are kept as what they
      // were made from (`baseOf`). Made entries, the nodes of a version that may be gone, would
      // otherwise stay alive as long as a chunk moved from them is not made.
      let pending = PENDING.get(ch) as Pending<T> | undefined;
      if (pending !== undefined && make === asIs && pending.make !== asIs) {
        made(ch);
        pending = undefined;
      }
      if (pending !== undefined) piecesIn(pending.pieces, a, a + n, out);
      else if (baseOf !== undefined && someMade(ch, baseOf)) addPiece(out, basesOf(ch, a, n, baseOf), 0, n, true);
      else addPiece(out, ch, a, n, true);
      i += n;
    }
  }

  /** How many of its chunks are not made yet (see thenMoved; for tests). */
  get unmade(): number {
    let n = 0;
    for (const ch of this.chunks) if (PENDING.has(ch)) n++;
    return n;
  }

  /** The entries as strings, with `separator` between them (as Array.join). */
  join(separator: string): string {
    const parts: string[] = [];
    for (let c = 0; c < this.chunks.length; c++) parts.push(this.chunk(c).join(separator));
    return parts.join(separator);
  }

  /** The entries in order, as one new array (what tests compare). */
  toArray(): T[] {
    const out: T[] = [];
    for (let c = 0; c < this.chunks.length; c++) for (const x of this.chunk(c)) out.push(x);
    return out;
  }
}

/** The entries of a spliced list, moved as they are (see splice). */
function asIs<T>(x: T): T {
  return x;
}

/** No positions or entries given (see splice). */
const NONE_GIVEN: readonly never[] = [];

/** Most pieces a chunk not made yet is described by (see thenMoved). */
const MAX_PIECES = 32;

/** Entries src[from, from + count), as they are or each made again by the chunk's `make`. */
interface Piece<T> {
  readonly src: readonly T[];
  readonly from: number;
  readonly count: number;
  readonly remake: boolean;
}

/** `src[from, from + count)` added to `out`, joined to the last piece when it goes on from it. */
function addPiece<T>(out: Piece<T>[], src: readonly T[], from: number, count: number, remake: boolean): void {
  const last = out[out.length - 1];
  if (last !== undefined && last.src === src && last.remake === remake && last.from + last.count === from) out[out.length - 1] = { src, from: last.from, count: last.count + count, remake };
  else out.push({ src, from, count, remake });
}

/** log2 of the entries a chunk not made yet makes at a time (see Pending): a chunk has 16 such blocks, a bit each. */
const BLOCK_BITS = 6;

/**
 * What a chunk not made yet is made from (see thenMoved), until it is made: its entries are made a
 * block of 2^BLOCK_BITS at a time, the block read first (the analysis of an edit reads a chain of two
 * rules here and there: a whole chunk for each was most of what it made).
 */
class Pending<T> {
  /** The blocks made, a bit each. */
  private done = 0;

  constructor(
    /** The position of the chunk's first entry. */
    private readonly start: number,
    /** How many entries the chunk holds. */
    private readonly size: number,
    readonly pieces: readonly Piece<T>[],
    readonly make: (from: T, at: number) => T,
  ) {}

  /** Whether every block is made (then the chunk is no longer pending). */
  get complete(): boolean {
    return this.done === (1 << ((this.size + (1 << BLOCK_BITS) - 1) >> BLOCK_BITS)) - 1;
  }

  /** Makes the entries of `ch` at offsets [a, b) that are not made yet (whole blocks). */
  fill(ch: T[], a: number, b: number): void {
    // (the room for every entry at once: written one by one past its end, an empty array grows its
    // room again and again, three times the chunk's size over all)
    if (ch.length < this.size) ch.length = this.size;
    const first = a >> BLOCK_BITS;
    const last = (b - 1) >> BLOCK_BITS;
    for (let blk = first; blk <= last; blk++) {
      const bit = 1 << blk;
      if ((this.done & bit) !== 0) continue;
      this.done |= bit;
      this.makeInto(ch, blk << BLOCK_BITS, Math.min(this.size, (blk + 1) << BLOCK_BITS));
    }
  }

  /** Makes every entry of `ch` not made yet. */
  fillAll(ch: T[]): void {
    this.fill(ch, 0, this.size);
  }

  /** Makes the entries at offsets [a, b) into `ch`. */
  private makeInto(ch: T[], a: number, b: number): void {
    let at = 0;
    for (const pc of this.pieces) {
      const lo = Math.max(a, at);
      const hi = Math.min(b, at + pc.count);
      for (let k = lo; k < hi; k++) {
        const x = pc.src[pc.from + (k - at)]!;
        ch[k] = pc.remake ? this.make(x, this.start + k) : x;
      }
      at += pc.count;
      if (at >= b) return;
    }
  }
}

/**
 * Whether some entry of chunk `ch` was made from another (see piecesOf): a piece keeps its whole
 * chunk alive. Chunks found to hold none are remembered (a chunk does not change once made).
 */
function someMade<T>(ch: readonly T[], baseOf: (x: T) => T): boolean {
  if (UNMADE_ONLY.has(ch)) return false;
  for (let k = 0; k < ch.length; k++) if (baseOf(ch[k]!) !== ch[k]) return true;
  UNMADE_ONLY.add(ch);
  return false;
}

/** Chunks none of whose entries was made from another (see someMade). */
const UNMADE_ONLY = new WeakSet<readonly unknown[]>();

/** The entries ch[a, a + n) as what they were made from, in a list of their own. */
function basesOf<T>(ch: readonly T[], a: number, n: number, baseOf: (x: T) => T): T[] {
  const out = new Array<T>(n);
  for (let j = 0; j < n; j++) out[j] = baseOf(ch[a + j]!);
  return out;
}

/** The pieces of a chunk's entries [a, b), to be made again (see piecesOf), added to `out`. */
function piecesIn<T>(pieces: readonly Piece<T>[], a: number, b: number, out: Piece<T>[]): void {
  let at = 0;
  for (const pc of pieces) {
    const lo = Math.max(a, at);
    const hi = Math.min(b, at + pc.count);
    if (lo < hi) addPiece(out, pc.src, pc.from + (lo - at), hi - lo, true);
    at += pc.count;
    if (at >= b) return;
  }
}

/**
 * The chunks not made yet (see thenMoved): a chunk is shared by the lists made from one another,
 * and made once for all of them, in place, a block at a time (the entries of the blocks not made
 * yet are holes).
 */
const PENDING = new WeakMap<readonly unknown[], Pending<unknown>>();

/** `ch`, every entry made if it is a chunk not made yet. */
function made<T>(ch: readonly T[]): readonly T[] {
  const pending = PENDING.get(ch) as Pending<T> | undefined;
  if (pending === undefined) return ch;
  PENDING.delete(ch);
  pending.fillAll(ch as T[]);
  return ch;
}

/** The entry at offset k of chunk `ch`, its block made if it is a chunk not made yet (undefined when there is none). */
function madeAt<T>(ch: readonly T[], k: number): T | undefined {
  const pending = PENDING.get(ch) as Pending<T> | undefined;
  if (pending === undefined) return undefined;
  pending.fill(ch as T[], k, k + 1);
  if (pending.complete) PENDING.delete(ch);
  return ch[k];
}

/**
 * Chunks made from stretches of other lists, in order (see splice): each chunk a slice of a
 * stretch, or of two or three when they end within it.
 */
class ChunkFiller<T> {
  private cur: T[] | undefined;

  constructor(private readonly chunks: (readonly T[])[]) {}

  /** The entries src[a, b) after those added before. */
  add(src: readonly T[], a: number, b: number): void {
    while (a < b) {
      const cur = this.cur;
      if (cur === undefined) {
        // a whole chunk's worth (or what is left) in one slice
        const n = Math.min(b - a, CHUNK_SIZE);
        const piece = src.slice(a, a + n);
        a += n;
        if (n === CHUNK_SIZE) this.chunks.push(piece);
        else this.cur = piece;
        continue;
      }
      // (the rest of the chunk joined on by concat: a line put in moves every entry after it by
      // one, and every chunk after it is then the end of one chunk and the start of the next)
      const n = Math.min(b - a, CHUNK_SIZE - cur.length);
      const joined = cur.concat(src.slice(a, a + n));
      a += n;
      if (joined.length === CHUNK_SIZE) {
        this.chunks.push(joined);
        this.cur = undefined;
      } else this.cur = joined;
    }
  }

  /** The last chunk, when it is not full. */
  done(): void {
    if (this.cur !== undefined && this.cur.length) this.chunks.push(this.cur);
    this.cur = undefined;
  }
}

/** The chunks of the entries from position `start` (a chunk's first) up to `length`, entry i being `entry(i)`, asked in order, pushed onto `chunks`. */
function pushChunks<T>(chunks: (readonly T[])[], start: number, length: number, entry: (i: number) => T): void {
  for (let from = start; from < length; from += CHUNK_SIZE) {
    const end = Math.min(length, from + CHUNK_SIZE);
    // (made at its size: a list grown by push keeps up to half as much room again, per chunk)
    const ch = new Array<T>(end - from);
    for (let i = from; i < end; i++) ch[i - from] = entry(i);
    chunks.push(ch);
  }
}
