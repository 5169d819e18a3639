/**
 * Character-level helpers for the log parsers. Everything works on char codes and offsets so a
 * line is read once, left to right, with no regular expressions (a 1 MB line stays linear).
 */
import type { NumberToken, Span, Token } from '../../model/log';

export const SPACE = 0x20;
export const TAB = 0x09;
export const COLON = 0x3a;
export const EQUALS = 0x3d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const LPAREN = 0x28;
export const RPAREN = 0x29;
export const DOT = 0x2e;
export const LT = 0x3c;
export const GT = 0x3e;
export const DASH = 0x2d;
export const PLUS = 0x2b;

export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

export function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

export function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

export function skipBlanks(text: string, pos: number, end: number): number {
  while (pos < end && isBlank(text.charCodeAt(pos))) pos++;
  return pos;
}

/** End of the word starting at pos (first blank or end). */
export function wordEnd(text: string, pos: number, end: number): number {
  while (pos < end && !isBlank(text.charCodeAt(pos))) pos++;
  return pos;
}

export function span(line: number, start: number, end: number): Span {
  return { line, start, end };
}

export function token(text: string, line: number, start: number, end: number): Token {
  return { text: text.slice(start, end), span: { line, start, end } };
}

/** Unsigned decimal integer in text[start, end), or NaN (no sign, no blanks, at most 15 digits). */
export function parseUint(text: string, start: number, end: number): number {
  if (start >= end || end - start > 15) return NaN;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return NaN;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** Hexadecimal number with optional `0x`, or NaN. */
export function parseHex(text: string, start: number, end: number): number {
  if (end - start >= 2 && text.charCodeAt(start) === 0x30 && (text.charCodeAt(start + 1) | 0x20) === 0x78) start += 2;
  if (start >= end || end - start > 13) return NaN;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else return NaN;
    n = n * 16 + d;
  }
  return n;
}

/** `123.456` (digits, optional fraction) as a number, or NaN. */
export function parseDecimal(text: string, start: number, end: number): number {
  let dot = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (dot >= 0) return NaN;
      dot = i;
    } else if (c < 0x30 || c > 0x39) return NaN;
  }
  if (start >= end || dot === start || dot === end - 1) return NaN;
  if (dot < 0) return parseUint(text, start, end);
  const whole = parseUint(text, start, dot);
  const frac = parseUint(text, dot + 1, Math.min(end, dot + 10));
  return whole + frac / Math.pow(10, Math.min(end, dot + 10) - dot - 1);
}

export function numberToken(text: string, line: number, start: number, end: number, value: number): NumberToken {
  return { text: text.slice(start, end), span: { line, start, end }, value };
}

/** Whether text[pos..] starts with the ASCII string s (and it fits before end). */
export function startsWithAt(text: string, pos: number, end: number, s: string): boolean {
  if (pos + s.length > end) return false;
  for (let i = 0; i < s.length; i++) if (text.charCodeAt(pos + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** Three-letter English month name at pos -> 1..12, or 0. */
export function monthAt(text: string, pos: number, end: number): number {
  if (pos + 3 > end) return 0;
  return monthOf(text.charCodeAt(pos), text.charCodeAt(pos + 1), text.charCodeAt(pos + 2));
}

/**
 * The month whose three-letter name has these character codes -> 1..12, or 0 (for text and for
 * the summary's byte reader alike).
 */
export function monthOf(a: number, b: number, c: number): number {
  // case-sensitive as syslog writes them (Jan Feb ... Dec): an upper-case letter then two lower-case
  // ones, looked up by their 5 low bits; the same comparisons whatever the month, so code the JIT
  // optimised on November's lines does not have to be thrown away on the first of December
  if (!(a >= 0x41 && a <= 0x5a && b >= 0x61 && b <= 0x7a && c >= 0x61 && c <= 0x7a)) return 0;
  return MONTH_BY_LETTERS[((a & 31) << 10) | ((b & 31) << 5) | (c & 31)]!;
}

/** Month number (1-12) by the 5 low bits of the three letters of its English abbreviation; 0 elsewhere. */
const MONTH_BY_LETTERS = (() => {
  const t = new Uint8Array(1 << 15);
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].forEach((m, i) => {
    t[((m.charCodeAt(0) & 31) << 10) | ((m.charCodeAt(1) & 31) << 5) | (m.charCodeAt(2) & 31)] = i + 1;
  });
  return t;
})();

/** Two decimal digits at pos, or -1. */
export function twoDigits(text: string, pos: number): number {
  return digitPair(text.charCodeAt(pos), text.charCodeAt(pos + 1));
}

/** The number two digit characters (codes a, b; NaN past the end) write, or -1. */
export function digitPair(a: number, b: number): number {
  const x = a - 0x30;
  const y = b - 0x30;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** `hh:mm:ss` at pos -> seconds of day, or -1. */
export function clockAt(text: string, pos: number, end: number): number {
  if (pos + 8 > end) return -1;
  if (text.charCodeAt(pos + 2) !== COLON || text.charCodeAt(pos + 5) !== COLON) return -1;
  return clockValue(twoDigits(text, pos), twoDigits(text, pos + 3), twoDigits(text, pos + 6));
}

/** Hours, minutes and seconds (-1: not read) -> seconds of day, or -1 out of range. */
export function clockValue(h: number, m: number, s: number): number {
  if (h < 0 || m < 0 || s < 0 || h > 23 || m > 59 || s > 60) return -1;
  return h * 3600 + m * 60 + s;
}
