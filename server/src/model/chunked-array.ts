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
    return ch === undefined ? undefined : ch[i & MASK];
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
        chunks[c] = chunks[c]!.slice();
      }
      (chunks[c] as T[])[i & MASK] = values[k]!;
    }
    return new ChunkedArray<T>(chunks, this.length);
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
      const a = this.chunks[c];
      const b = other.chunks[c];
      if (a === b) continue;
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
      const a = this.chunks[c]!;
      const b = other.chunks[c]!;
      if (a === b) continue;
      const start = Math.max(floor, c << CHUNK_BITS);
      for (let i = Math.min(this.length, (c + 1) << CHUNK_BITS) - 1; i >= start; i--) if (a[i & MASK] !== b[i & MASK]) return i + 1;
    }
    return floor;
  }

  /** The entries in order. */
  *[Symbol.iterator](): Generator<T, void, undefined> {
    for (const ch of this.chunks) for (let j = 0; j < ch.length; j++) yield ch[j]!;
  }

  /** The entries `keep` says true for, in order, as a new array. */
  filter<S extends T>(keep: (x: T) => x is S): S[];
  filter(keep: (x: T) => boolean): T[];
  filter(keep: (x: T) => boolean): T[] {
    const out: T[] = [];
    for (const ch of this.chunks) for (let j = 0; j < ch.length; j++) if (keep(ch[j]!)) out.push(ch[j]!);
    return out;
  }

  /** The first entry `test` says true for. */
  find(test: (x: T) => boolean): T | undefined {
    for (const ch of this.chunks) for (let j = 0; j < ch.length; j++) if (test(ch[j]!)) return ch[j]!;
    return undefined;
  }

  /** Whether `test` says true for some entry. */
  some(test: (x: T) => boolean): boolean {
    for (const ch of this.chunks) for (let j = 0; j < ch.length; j++) if (test(ch[j]!)) return true;
    return false;
  }

  /** The entries from `from` up to (not including) `to`, as a new array (ends clamped as Array.slice clamps them, negatives not taken). */
  slice(from = 0, to = this.length): T[] {
    const start = Math.max(0, from);
    const end = Math.min(to, this.length);
    // (made at its size, not grown by push)
    const out = new Array<T>(Math.max(0, end - start));
    for (let i = start; i < end; i++) out[i - start] = this.chunks[i >> CHUNK_BITS]![i & MASK]!;
    return out;
  }

  /**
   * This list with the entries from `from` up to `to` replaced by `items`. As many items as they
   * replace (a line rewritten): the chunks they fall in are copied, the others shared (see with);
   * otherwise every position after them moves, and the list is made again from the chunk `from`
   * falls in.
   */
  splice(from: number, to: number, items: readonly T[]): ChunkedArray<T> {
    if (items.length === to - from) {
      const at = new Array<number>(items.length);
      for (let k = 0; k < items.length; k++) at[k] = from + k;
      return this.with(at, items);
    }
    // (the chunks wholly before `from` shared, the others made once at their size: the tail was
    // copied four times over, through lists grown by push, 6.5 MB per line put in a 100k file;
    // their entries copied by slice and concat, not asked for one at a time: this runs once per
    // line put in, mostly before V8 has optimized it, over every entry below the line)
    const f = Math.min(Math.max(from, 0), this.length);
    const t = Math.min(Math.max(to, f), this.length);
    const whole = f >> CHUNK_BITS;
    const chunks = this.chunks.slice(0, whole);
    const out = new ChunkFiller<T>(chunks);
    this.fill(out, whole << CHUNK_BITS, f);
    out.add(items, 0, items.length);
    this.fill(out, t, this.length);
    out.done();
    return new ChunkedArray<T>(chunks, this.length + items.length - (t - f));
  }

  /** The entries from `start` up to `end` added to `out`, a slice of a chunk at a time. */
  private fill(out: ChunkFiller<T>, start: number, end: number): void {
    for (let i = start; i < end; ) {
      const ch = this.chunks[i >> CHUNK_BITS]!;
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
    return new ChunkedArray<T>(chunks, length);
  }

  /** The entries as strings, with `separator` between them (as Array.join). */
  join(separator: string): string {
    const parts: string[] = [];
    for (const ch of this.chunks) parts.push(ch.join(separator));
    return parts.join(separator);
  }

  /** The entries in order, as one new array (what tests compare). */
  toArray(): T[] {
    const out: T[] = [];
    for (const ch of this.chunks) for (const x of ch) out.push(x);
    return out;
  }
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
