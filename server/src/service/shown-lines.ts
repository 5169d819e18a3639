/**
 * The lines an outline shows (see symbols.ts Outline.shown): where each symbol starts and ends and
 * where its name is, ascending, each once. Held as a sorted list of numbers, not a set: after lines
 * put in or taken out, the list of the version before is moved in one pass, where a set of the
 * 40 000 lines of a kube-proxy file's symbols was made again from every symbol (9 ms of each such
 * edit, and as many entries of garbage).
 */
export class ShownLines implements Iterable<number> {
  private constructor(private readonly lines: Int32Array) {}

  /** The lines of `list`, in any order, repeats allowed. */
  static of(list: readonly number[]): ShownLines {
    const sorted = Int32Array.from(list).sort();
    let n = 0;
    for (let i = 0; i < sorted.length; i++) if (n === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
    return new ShownLines(sorted.slice(0, n));
  }

  get size(): number {
    return this.lines.length;
  }

  has(line: number): boolean {
    const a = this.lines;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! < line) lo = mid + 1;
      else hi = mid;
    }
    return lo < a.length && a[lo] === line;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.lines[Symbol.iterator]();
  }

  /**
   * These lines after an edit that replaced lines `head` to `oldEnd - 1` with `by` more (fewer when
   * negative): those above it stay, those it replaced go, those below move by `by`; then the lines
   * of `gone` go and those of `added` come in (lines of the new version).
   */
  moved(head: number, oldEnd: number, by: number, gone: readonly number[], added: readonly number[]): ShownLines {
    const a = this.lines;
    const drop = new Set(gone);
    const out = new Int32Array(a.length + added.length);
    let n = 0;
    const more = Int32Array.from(added).sort();
    let k = 0;
    // (the lines come ascending: one already there is the last one put)
    const addedUpTo = (l: number) => {
      for (; k < more.length && more[k]! <= l; k++) if (n === 0 || out[n - 1] !== more[k]) out[n++] = more[k]!;
    };
    const put = (l: number) => {
      addedUpTo(l);
      if (drop.has(l) || (n > 0 && out[n - 1] === l)) return;
      out[n++] = l;
    };
    for (let i = 0; i < a.length; i++) {
      const l = a[i]!;
      if (l < head) put(l);
      else if (l >= oldEnd) put(l + by);
    }
    addedUpTo(Infinity);
    return new ShownLines(out.slice(0, n));
  }
}
