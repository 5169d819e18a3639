/**
 * Things with spans put in line order, then by start within a line, those at the same place kept
 * in the order they came (the checks' order). The diagnostics of a document are sorted so on every
 * edit: 7 000 of them on a 100 000-rule Docker-like file, where a comparison sort took 2 ms of each
 * edit once V8 had optimised it and 9 ms before (the first line edits). Lines are small integers
 * below the document's line count, so the items are counted into their lines instead (one pass to
 * count, one to place), then each line's few put in order of their starts.
 */
import type { Span } from '../model/ruleset';

/** Lines this many times the number of items, or more, are sorted by comparison instead (the counts would cost more than the items). */
const LINES_PER_ITEM = 16;
/** A line with more items than this has them sorted by comparison (each put in place otherwise: quadratic). */
const PLACED_UP_TO = 32;

/** Counts by line, kept between calls and made larger when a document has more lines (see inLineOrder). */
let counts = new Int32Array(0);

/** `items` in line order, then by start, ties in the order given; `items` itself when it is in that order already. */
export function inLineOrder<T extends { readonly span: Span }>(items: readonly T[]): readonly T[] {
  const n = items.length;
  // (each span read once: some findings make theirs when asked, see checks/shadowed.ts)
  const lines = new Float64Array(n);
  const starts = new Float64Array(n);
  let maxLine = 0;
  let ordered = true;
  // (lines that are not counts, which no check makes, are sorted by comparison)
  let countable = true;
  for (let i = 0; i < n; i++) {
    const span = items[i]!.span;
    const line = span.line;
    lines[i] = line;
    starts[i] = span.start;
    if (line > maxLine) maxLine = line;
    if (!(line >= 0 && Number.isSafeInteger(line))) countable = false;
    if (i > 0 && (line < lines[i - 1]! || (line === lines[i - 1]! && span.start < starts[i - 1]!))) ordered = false;
  }
  if (ordered) return items;
  const order = !countable || maxLine >= n * LINES_PER_ITEM + 1024 ? comparedOrder(lines, starts) : countedOrder(lines, starts, maxLine);
  const out = new Array<T>(n);
  for (let k = 0; k < n; k++) out[k] = items[order[k]!]!;
  return out;
}

/** The positions of the items in order, counted into their lines (stable), then each line by start. */
function countedOrder(lines: Float64Array, starts: Float64Array, maxLine: number): Int32Array {
  const n = lines.length;
  if (counts.length < maxLine + 2) counts = new Int32Array(Math.max(maxLine + 2, counts.length * 2));
  else counts.fill(0, 0, maxLine + 2);
  // counts[l + 1]: the items on line l; then, summed, counts[l]: where line l's items begin
  for (let i = 0; i < n; i++) counts[lines[i]! + 1]!++;
  for (let l = 1; l <= maxLine + 1; l++) counts[l]! += counts[l - 1]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[counts[lines[i]!]!++] = i;
  // (now counts[l] is where line l's items end)
  let from = 0;
  while (from < n) {
    const end = counts[lines[order[from]!]!]!;
    if (end - from > 1) startOrder(order, starts, from, end);
    // (always on: counts that went wrong would give a wrong order, never a loop without end)
    from = Math.max(end, from + 1);
  }
  return order;
}

/** order[from, end) (positions of items on one line, in the order given) put in order of start, ties kept. */
function startOrder(order: Int32Array, starts: Float64Array, from: number, end: number): void {
  if (end - from > PLACED_UP_TO) {
    const part = Array.from(order.subarray(from, end));
    part.sort((a, b) => starts[a]! - starts[b]! || a - b);
    order.set(part, from);
    return;
  }
  for (let k = from + 1; k < end; k++) {
    const x = order[k]!;
    const s = starts[x]!;
    let j = k;
    while (j > from && starts[order[j - 1]!]! > s) {
      order[j] = order[j - 1]!;
      j--;
    }
    order[j] = x;
  }
}

/** The positions of the items in order by comparison (few items over many lines). */
function comparedOrder(lines: Float64Array, starts: Float64Array): Int32Array {
  const order = Array.from({ length: lines.length }, (_, i) => i);
  order.sort((a, b) => lines[a]! - lines[b]! || starts[a]! - starts[b]! || a - b);
  return Int32Array.from(order);
}
