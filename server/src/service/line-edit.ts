import type { ChunkedArray } from '../model/chunked-array';

/**
 * Which lines an edit of a document replaced, so that the next version's lines can be made from
 * the previous version's (the same string objects for every line the edit left alone) instead of
 * splitting the whole text again. An edit replaces lines [start, oldEnd) of the older version by
 * lines [start, newEnd) of the newer one; every line before start is the same, and line i >= oldEnd
 * of the older version is line i + (newEnd - oldEnd) of the newer.
 */
export interface LineEdit {
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
}

/** A change as the protocol sends it: a range and the text put in its place. */
export interface RangeChange {
  readonly range: { readonly start: { readonly line: number }; readonly end: { readonly line: number } };
  readonly text: string;
}

/**
 * The lines one change replaces: from the line its range starts on to the line it ends on, by the
 * lines of its text. Undefined for text holding a carriage return (a lone one ends a line, one
 * before a line feed does not: the whole text is split again).
 */
export function lineEditOf(change: RangeChange): LineEdit | undefined {
  if (change.text.includes('\r')) return undefined;
  let breaks = 0;
  for (let i = change.text.indexOf('\n'); i >= 0; i = change.text.indexOf('\n', i + 1)) breaks++;
  const { start, end } = change.range;
  if (end.line < start.line) return undefined;
  return { start: start.line, oldEnd: end.line + 1, newEnd: start.line + breaks + 1 };
}

/**
 * `a` (version 1 to 2) then `b` (2 to 3) as one edit from 1 to 3: the lines either touched, in
 * the coordinates of each version.
 */
export function composeLineEdits(a: LineEdit, b: LineEdit): LineEdit {
  const start = Math.min(a.start, b.start);
  // the end of what either replaced, in version 2's lines; past it, lines map by the shifts
  const end = Math.max(a.newEnd, b.oldEnd);
  return { start, oldEnd: end - (a.newEnd - a.oldEnd), newEnd: end + (b.newEnd - b.oldEnd) };
}

/**
 * The lines of the newer version made from the older version's lines and the newer version's
 * replaced lines; undefined when they cannot add up to `text` (a wrong edit, or a text with
 * carriage returns), so the caller splits the text instead.
 */
export function spliceLines(old: ChunkedArray<string>, edit: LineEdit, replaced: readonly string[], text: string): ChunkedArray<string> | undefined {
  if (edit.oldEnd > old.length || replaced.length !== edit.newEnd - edit.start) return undefined;
  // (the chunks of lines the edit left alone are shared with the older version's list)
  const lines = old.splice(edit.start, edit.oldEnd, replaced);
  // the lines and one line feed between each two make the text, or the edit was not what it said
  let length = lines.length - 1;
  for (let i = 0; i < lines.length; i++) length += lines.get(i)!.length;
  if (length !== text.length) return undefined;
  return lines;
}
