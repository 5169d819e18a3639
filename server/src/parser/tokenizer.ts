/**
 * Splits one line into words exactly as iptables-restore does (xshared.c add_param_to_argv):
 * - blanks (space, tab) separate words; nothing else does (a carriage return stays in the word);
 * - a double quote opens a quoted part that may contain blanks; inside it a backslash takes the
 *   next character literally;
 * - a closing quote always ends the word (`"ab"cd` is two words), and `""` is an empty word;
 * - text before an opening quote belongs to the same word (`ab"c d"` is `abc d`);
 * - single quotes are ordinary characters;
 * - an unterminated quote takes the rest of the line into the word (iptables accepts this).
 * Every word keeps its exact range on the line, quotes included.
 */
import type { Word } from '../model/ruleset';

export interface TokenizedLine {
  readonly words: Word[];
  /** Offset of a quote that was never closed. */
  readonly unterminatedQuote?: number;
}

/** iptables-restore refuses a single word this long ("Parameter too long!"). */
export const MAX_WORD_LENGTH = 1023;

/** Words longer than this are not shared (long ones are rarely repeated; the table stays small). */
const MAX_SHARED_LENGTH = 64;

/**
 * One string for each distinct word text of a file: a big file repeats a few hundred texts (`-A`,
 * `-m`, `tcp`, its chain names) over a million words, and each slice of a line is a string of its own.
 * Words are looked up by a hash the tokenizer computes while it scans them and compared with the
 * line in place, so a repeated word costs no string at all (no slice to make, hash and drop).
 */
export class WordTexts {
  private keys: (string | undefined)[] = new Array<string | undefined>(1024);
  private hashes = new Int32Array(1024);
  private size = 0;

  /** The shared string equal to s. */
  get(s: string): string {
    if (s.length > MAX_SHARED_LENGTH) return detached(s);
    return this.range(s, 0, s.length, hashOf(s, 0, s.length));
  }

  /** The shared string equal to text[from, to), whose hashOf is h. */
  range(text: string, from: number, to: number, h: number): string {
    const len = to - from;
    if (len > MAX_SHARED_LENGTH) return detached(text.slice(from, to));
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = h & mask;
    for (let k = keys[i]; k !== undefined; k = keys[i]) {
      if (this.hashes[i] === h && k.length === len && text.startsWith(k, from)) return k;
      i = (i + 1) & mask;
    }
    const own = detached(from === 0 && to === text.length ? text : text.slice(from, to));
    keys[i] = own;
    this.hashes[i] = h;
    if (++this.size * 2 > keys.length) this.grow();
    return own;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldHashes = this.hashes;
    const keys = (this.keys = new Array<string | undefined>(oldKeys.length * 2));
    const hashes = (this.hashes = new Int32Array(oldKeys.length * 2));
    const mask = keys.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j];
      if (k === undefined) continue;
      let i = oldHashes[j]! & mask;
      while (keys[i] !== undefined) i = (i + 1) & mask;
      keys[i] = k;
      hashes[i] = oldHashes[j]!;
    }
  }
}

/** One character more of the hash WordTexts files a word under. */
function hashStep(h: number, c: number): number {
  return (Math.imul(h, 31) + c) | 0;
}

/** The hash WordTexts files text[from, to) under (the tokenizer computes the same while scanning). */
function hashOf(text: string, from: number, to: number): number {
  let h = 0;
  for (let i = from; i < to; i++) h = hashStep(h, text.charCodeAt(i));
  return h;
}

/**
 * The same text in a string of its own. V8 makes a slice of 13 characters or more a view into the
 * string it was cut from, and a line is itself a view into the whole document, so a word would
 * keep the document's full text alive. Words outlive their version (the next parse reuses the
 * words of unchanged lines), so every edit kept one more copy of the whole file: 1.5 MB per edit
 * on a 10k-rule file, for as long as the editor stayed open. Concatenating and cutting again makes
 * V8 flatten the text into a new string that only the word holds. The server's document copies
 * the lines an edit brings in the same way (lsp/line-document.ts, lsp/line-edits.ts): a line cut
 * from the edit's text would keep that text alive.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

export function tokenizeLine(text: string, from = 0, to = text.length, texts?: WordTexts): TokenizedLine {
  const words: Word[] = [];
  let value = '';
  let start = -1;
  let quoted = false;
  let inQuote = false;
  let quoteAt = -1;

  for (let i = from; i < to; i++) {
    if (inQuote) {
      // the run up to the next quote or backslash in one slice (see below)
      let j = i;
      while (j < to) {
        const d = text.charCodeAt(j);
        if (d === 34 || d === 92) break;
        j++;
      }
      if (j > i) value += text.slice(i, j);
      if (j >= to) break;
      if (text.charCodeAt(j) === 92) {
        // a backslash takes the next character literally (and vanishes at the end of the line)
        if (j + 1 < to) value += text[j + 1]!;
        i = j + 1;
        continue;
      }
      inQuote = false;
      words.push({ text: texts ? texts.get(value) : value, start, end: j + 1, quoted });
      value = '';
      start = -1;
      quoted = false;
      i = j;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      if (start < 0) start = i;
      inQuote = true;
      quoted = true;
      quoteAt = i;
      continue;
    }
    if (c === 32 || c === 9) {
      if (start >= 0) {
        words.push({ text: texts ? texts.get(value) : value, start, end: i, quoted });
        value = '';
        start = -1;
        quoted = false;
      }
      continue;
    }
    if (start < 0) {
      // an unquoted run: take it in one slice (a string built a character at a time is a chain of
      // thousands of tiny strings on a big file; a slice shares the line's memory)
      let h = hashStep(0, c);
      let j = i + 1;
      while (j < to) {
        const d = text.charCodeAt(j);
        if (d === 32 || d === 9 || d === 34) break;
        h = hashStep(h, d);
        j++;
      }
      if (j >= to || text.charCodeAt(j) !== 34) {
        // the whole word (the common case): its shared text found from the line itself
        words.push({ text: texts ? texts.range(text, i, j, h) : text.slice(i, j), start: i, end: j, quoted: false });
        i = j - 1;
        continue;
      }
      start = i;
      value = text.slice(i, j);
      i = j - 1;
      continue;
    }
    value += text[i]!;
  }
  if (start >= 0) words.push({ text: texts ? texts.get(value) : value, start, end: to, quoted });
  // the words live as long as the document: an array at its size, not with room for 16 more
  const fitted = words.slice();
  return inQuote ? { words: fitted, unterminatedQuote: quoteAt } : { words: fitted };
}
