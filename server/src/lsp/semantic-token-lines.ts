/**
 * A rules document's semantic tokens in the protocol's encoding, kept a line at a time, and the
 * delta between two versions worked out from the lines.
 *
 * The protocol writes five numbers per token: lines since the previous token, start (relative to
 * the previous token's when on the same line), length, type, modifiers. Only the first number of a
 * line's first token depends on anything outside the line (how many lines back the previous token
 * is), so a line is encoded once and the whole file is its lines put together. After a one-line
 * edit of a 100k-line file the lines the edit left alone keep their line node and so their encoded
 * part: the delta compares the parts by identity and encodes only the changed lines, instead of
 * building and comparing the whole 7-million-number array on every keystroke.
 */
import type { SemanticTokensEdit } from 'vscode-languageserver/node';
import { type LineNode, type Ruleset, sameReading } from '../model/ruleset';
import { lineTokens, type SemanticToken, TOKEN_MODIFIERS, TOKEN_TYPES, tokensKey } from '../service/semantic-tokens';

const TYPE_INDEX = new Map<string, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const MODIFIER_BIT = new Map<string, number>(TOKEN_MODIFIERS.map((m, i) => [m, 1 << i]));

export function typeIndex(t: SemanticToken): number {
  return TYPE_INDEX.get(t.type) ?? 0;
}

export function modifierBits(t: SemanticToken): number {
  let mods = 0;
  for (const m of t.modifiers) mods |= MODIFIER_BIT.get(m) ?? 0;
  return mods;
}

/**
 * One line's tokens, encoded as if a token on an earlier line came before them; the first number
 * (the distance to that line) is 0 here and written when the lines are put together. Undefined
 * for a line without tokens.
 */
export type LinePart = Int32Array | undefined;

/** A line's tokens (by start, without overlaps, as lineTokens gives them) as a part. */
export function encodeLine(tokens: readonly SemanticToken[]): LinePart {
  if (tokens.length === 0) return undefined;
  const d = new Int32Array(tokens.length * 5);
  let prevStart = 0;
  for (let i = 0, k = 0; i < tokens.length; i++, k += 5) {
    const t = tokens[i]!;
    d[k + 1] = t.start - prevStart;
    d[k + 2] = t.length;
    d[k + 3] = typeIndex(t);
    d[k + 4] = modifierBits(t);
    prevStart = t.start;
  }
  return d;
}

/**
 * The part of line `ln` of `rs`: the one kept for what the line reads as (see tokensKey), which
 * holds no line number and so serves the line wherever an edit moved it, or made and kept. Only
 * the encoding is kept, not the tokens it was made from.
 */
export function linePart(rs: Ruleset, ln: number): LinePart {
  const key = tokensKey(rs, ln);
  if (key === undefined) return encodeLine(lineTokens(rs, ln));
  const kept = PARTS.get(key);
  if (kept !== undefined) return kept === NO_TOKENS ? undefined : kept;
  const part = encodeLine(lineTokens(rs, ln));
  PARTS.set(key, part ?? NO_TOKENS);
  return part;
}

/** Parts by what their line reads as (see tokensKey); NO_TOKENS for a line without tokens. */
const PARTS = new WeakMap<object, Int32Array>();
const NO_TOKENS = new Int32Array(0);

/** Every line of one version of a document, encoded, with the line nodes they were made from. */
export interface EncodedLines {
  readonly nodes: Ruleset['lines'];
  readonly parts: readonly LinePart[];
}

/**
 * Every line of rs encoded. A line that reads as a line `previous` had (see sameReading: a line's
 * tokens follow from its reading, its encoding does not depend on its line number) at the same
 * place, or moved by as many lines as the edit put in or took out, takes the part made then:
 * after a line is put into a 100k-line file, the tens of thousands of lines below it are not
 * classified and encoded again (1 s on every such edit before).
 */
export function encodeLines(rs: Ruleset, previous?: EncodedLines): EncodedLines {
  const parts = new Array<LinePart>(rs.lineCount);
  const old = previous?.nodes;
  const shift = old ? rs.lineCount - old.length : 0;
  for (let ln = 0; ln < rs.lineCount; ln++) {
    const node = rs.lines.get(ln);
    const kept = node !== undefined && old !== undefined ? keptPart(node, ln, old, previous!.parts, shift) : null;
    parts[ln] = kept !== null ? kept : linePart(rs, ln);
  }
  return { nodes: rs.lines, parts };
}

/** The part of the previous version's line that reads as node, on line ln or ln - shift; null when neither does. */
function keptPart(node: LineNode, ln: number, old: Ruleset['lines'], parts: readonly LinePart[], shift: number): LinePart | null {
  const here = old.get(ln);
  if (here !== undefined && sameReading(here, node)) return parts[ln];
  const was = ln - shift;
  if (shift === 0 || was < 0 || was >= old.length) return null;
  const there = old.get(was);
  return there !== undefined && sameReading(there, node) ? parts[was] : null;
}

/** The encoded tokens of lines fromLine..toLine of rs (as a range request answers them). */
export function encodeRange(rs: Ruleset, fromLine: number, toLine: number): number[] {
  const from = Math.max(0, fromLine);
  const parts: LinePart[] = [];
  for (let ln = from; ln <= Math.min(toLine, rs.lineCount - 1); ln++) parts.push(linePart(rs, ln));
  return joinParts(parts, 0, parts.length, from);
}

/** The encoded tokens of lines from..to-1 of a document (the first line is `base + from`). */
export function joinParts(parts: readonly LinePart[], from = 0, to = parts.length, base = 0, previousLine = 0): number[] {
  let size = 0;
  for (let i = from; i < to; i++) size += parts[i]?.length ?? 0;
  const out = new Array<number>(size);
  let k = 0;
  let prev = previousLine;
  for (let i = from; i < to; i++) {
    const p = parts[i];
    if (p === undefined) continue;
    out[k] = base + i - prev;
    for (let j = 1; j < p.length; j++) out[k + j] = p[j]!;
    prev = base + i;
    k += p.length;
  }
  return out;
}

function samePart(a: LinePart, b: LinePart): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 1; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The one edit that turns the encoding of `before` into that of `after`: the lines between their
 * common beginning and their common end, plus the first line with tokens after them (its first
 * number counts the lines back to a token, which may lie in the changed lines). No edit when the
 * two encode the same.
 */
export function partsEdit(before: readonly LinePart[], after: readonly LinePart[]): SemanticTokensEdit[] {
  const m = before.length;
  const n = after.length;
  const common = Math.min(m, n);
  let head = 0;
  while (head < common && samePart(before[head], after[head])) head++;
  if (head === m && head === n) return [];
  let tail = 0;
  while (tail < common - head && samePart(before[m - 1 - tail], after[n - 1 - tail])) tail++;
  let oldEnd = m - tail;
  let newEnd = n - tail;
  while (oldEnd < m && before[oldEnd] === undefined) {
    oldEnd++;
    newEnd++;
  }
  if (oldEnd < m) {
    oldEnd++;
    newEnd++;
  }
  let start = 0;
  let previousLine = 0;
  for (let i = 0; i < head; i++) {
    const p = before[i];
    if (p === undefined) continue;
    start += p.length;
    previousLine = i;
  }
  let deleteCount = 0;
  for (let i = head; i < oldEnd; i++) deleteCount += before[i]?.length ?? 0;
  const data = joinParts(after, head, newEnd, 0, previousLine);
  if (deleteCount === 0 && data.length === 0) return [];
  return [{ start, deleteCount, data }];
}
