/**
 * Which lines an edit replaced, as the document that made a version's list of lines said it: the
 * parser compares a version's lines with the previous version's to find the lines both share at
 * the start and at the end, and after a line put in or taken out the end of the two lists is
 * shared by no chunk (every line moved), so finding it looked at every line below the edit
 * (100 000 string comparisons on every such keystroke in a big file). With the edit known, only
 * the lines around it are compared.
 */
import type { ChunkedArray } from './chunked-array';

interface Splice {
  /** The list the lines were made from (weakly: a version's list must not keep every earlier one alive). */
  readonly from: WeakRef<ChunkedArray<string>>;
  /** Where the edit put its lines, how many of `from`'s it took out there, and how many it put in. */
  readonly at: number;
  readonly removed: number;
  readonly added: number;
}

const SPLICES = new WeakMap<ChunkedArray<string>, Splice>();

/** Say that `made` is `from` with its lines [at, at + removed) replaced by `added` lines. */
export function noteSplice(made: ChunkedArray<string>, from: ChunkedArray<string>, at: number, removed: number, added: number): void {
  SPLICES.set(made, { from: new WeakRef(from), at, removed, added });
}

/**
 * The first line of `lines` from which on every line is `old`'s line as many lines back as the
 * edit put in (forward, taken out): the first line after those the edit put in, when `lines` is
 * known to be `old` after one edit (see noteSplice); undefined when that is not known.
 */
export function sharedEndFrom(lines: ChunkedArray<string>, old: ChunkedArray<string>): number | undefined {
  const s = SPLICES.get(lines);
  if (!s || s.from.deref() !== old) return undefined;
  return s.at + s.added;
}
