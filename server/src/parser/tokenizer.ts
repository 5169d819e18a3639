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
import { shared } from '../model/shared';

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

  /** The hash of the text `get` or `range` gave last (what WordPool files the word under). */
  hash = 0;

  /** The shared string equal to text[from, to), whose hashOf is h. */
  range(text: string, from: number, to: number, h: number): string {
    const len = to - from;
    this.hash = h;
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

/**
 * One Word object for each distinct word of a file: the same text at the same place on its line,
 * quoted the same way. A word does not know its line (its line node does), so the `-j` at column 60
 * of ten thousand rules, or `--comment` at column 30, is one object: the 1.3 million words of a
 * 100k-rule kube-proxy-like file are 214 000 objects. Words are never changed after they are made,
 * so sharing them is safe; within one line, two words are never the same object (they lie at
 * different places).
 */
export class WordPool {
  readonly texts = new WordTexts();
  private words: (Word | undefined)[] = new Array<Word | undefined>(1024);
  private hashes = new Int32Array(1024);
  private size = 0;

  /**
   * The word text[from, to) of a line, unquoted, whose hashOf is h. A word seen before at this
   * place is found with one lookup, compared with the line in place; only a new one looks up its
   * text (most of a big file's words are repeats: 1.3 million words, 214 000 distinct).
   */
  plain(text: string, from: number, to: number, h: number): Word {
    const ph = placeHash(h, from, to, false);
    const words = this.words;
    const mask = words.length - 1;
    let i = ph & mask;
    for (let w = words[i]; w !== undefined; w = words[i]) {
      // (a plain word's text is exactly its range, so the same place means the same length)
      if (this.hashes[i] === ph && w.start === from && w.end === to && !w.quoted && text.startsWith(w.text, from)) return w;
      i = (i + 1) & mask;
    }
    return this.add(this.texts.range(text, from, to, h), ph, i, from, to, false);
  }

  /** The word text[from, to) of a line, unquoted (its hash worked out here). */
  plainRun(text: string, from: number, to: number): Word {
    return this.plain(text, from, to, hashOf(text, from, to));
  }

  /** The word with this text (its quotes removed, as iptables sees it) at [start, end) of its line. */
  of(value: string, start: number, end: number, quoted: boolean): Word {
    const t = this.texts.get(value);
    // a long text is not shared, and `get` does not hash it: hash it here
    const h = value.length > MAX_SHARED_LENGTH ? hashOf(value, 0, value.length) : this.texts.hash;
    return this.word(t, h, start, end, quoted);
  }

  private lists?: Map<Word, readonly Word[]>;

  /**
   * The list holding just this word, one per word: most options take one value, and an option's
   * value list is otherwise an array of its own on every line (381 000 on the kube-like 100k
   * file, for 178 000 distinct values). Marked shared (frozen under the tests): one push would reach every line that holds it.
   * A word made here holds its list itself (see PooledWord); others, cut from a word (`--opt=value`),
   * are looked up in a map.
   */
  one(w: Word): readonly Word[] {
    if (w instanceof PooledWord) return w.one();
    const lists = (this.lists ??= new Map());
    let l = lists.get(w);
    if (!l) lists.set(w, (l = shared([w])));
    return l;
  }

  private word(text: string, textHash: number, start: number, end: number, quoted: boolean): Word {
    const h = placeHash(textHash, start, end, quoted);
    const words = this.words;
    const mask = words.length - 1;
    let i = h & mask;
    for (let w = words[i]; w !== undefined; w = words[i]) {
      if (this.hashes[i] === h && w.start === start && w.end === end && w.quoted === quoted && w.text === text) return w;
      i = (i + 1) & mask;
    }
    return this.add(text, h, i, start, end, quoted);
  }

  /** A new word, filed at the free slot i that its place hash h led to. */
  private add(text: string, h: number, i: number, start: number, end: number, quoted: boolean): Word {
    const made = new PooledWord(text, start, end, quoted);
    this.words[i] = made;
    this.hashes[i] = h;
    if (++this.size * 2 > this.words.length) this.grow();
    return made;
  }

  private grow(): void {
    const oldWords = this.words;
    const oldHashes = this.hashes;
    const words = (this.words = new Array<Word | undefined>(oldWords.length * 2));
    const hashes = (this.hashes = new Int32Array(oldWords.length * 2));
    const mask = words.length - 1;
    for (let j = 0; j < oldWords.length; j++) {
      const w = oldWords[j];
      if (w === undefined) continue;
      let i = oldHashes[j]! & mask;
      while (words[i] !== undefined) i = (i + 1) & mask;
      words[i] = w;
      hashes[i] = oldHashes[j]!;
    }
  }
}

/**
 * A word the pool made, with a place for the list of just itself (see WordPool.one), in a private
 * field: a word reads as its four fields to anything that compares or copies it. The 178 000 lists
 * of the kube-like 100k file were kept in a map keyed by the words: its lookups missed the cache
 * (93 ms of the parse in profile) and its growth allocated 15 MB.
 */
class PooledWord implements Word {
  #one: readonly Word[] | undefined = undefined;

  constructor(
    readonly text: string,
    readonly start: number,
    readonly end: number,
    readonly quoted: boolean,
  ) {}

  one(): readonly Word[] {
    return (this.#one ??= shared([this]));
  }
}

/** A word's text hash mixed with its place and quoting (a finalizer spreads the bits over the mask). */
function placeHash(textHash: number, start: number, end: number, quoted: boolean): number {
  let k = textHash ^ Math.imul(start + 1, 0x9e3779b1) ^ Math.imul(end + 1, 0x85ebca77) ^ (quoted ? 0x5bd1e995 : 0);
  k ^= k >>> 16;
  k = Math.imul(k, 0x7feb352d);
  k ^= k >>> 15;
  k = Math.imul(k, 0x846ca68b);
  return k ^ (k >>> 16);
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
 * on a 10k-rule file, for as long as the editor stayed open. The server's document copies the
 * lines an edit brings in the same way (lsp/line-document.ts, lsp/line-edits.ts): a line cut from
 * the edit's text would keep that text alive.
 *
 * The text's two halves joined make a pair string; reading a character of it makes V8 copy the
 * text into one flat string of its own and leave the pair pointing at it alone, and the collector
 * then puts the flat string in the pair's place. A copy cut from a longer string (a space and the
 * text, then the text cut out again) was a view of its own into that string: 32 bytes and the
 * space more per word (4 MB on the 100k-rule bench files).
 */
export function detached(s: string): string {
  if (s.length < 13) return s;
  const half = s.length >> 1;
  const joined = s.slice(0, half) + s.slice(half);
  joined.charCodeAt(0);
  return joined;
}

/**
 * The words of the line being split, written over for each line and copied out at their count: a
 * list of its own pushed to and then cut to size was two arrays per line, the first with room for
 * 16 more (the parse of a 100 000-rule kube-proxy-like file allocated 401 MB then, 377 now).
 * Emptied after each line, so that it holds no word of a line that is gone. (One list for the
 * module is safe: nothing the split calls splits another line.)
 */
const SCRATCH: (Word | undefined)[] = [];

export function tokenizeLine(text: string, from = 0, to = text.length, pool?: WordPool): TokenizedLine {
  const words = SCRATCH;
  let count = 0;
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
      words[count++] = pool ? pool.of(value, start, j + 1, quoted) : { text: value, start, end: j + 1, quoted };
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
        words[count++] = pool ? pool.of(value, start, i, quoted) : { text: value, start, end: i, quoted };
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
        words[count++] = pool ? pool.plain(text, i, j, h) : { text: text.slice(i, j), start: i, end: j, quoted: false };
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
  if (start >= 0) words[count++] = pool ? pool.of(value, start, to, quoted) : { text: value, start, end: to, quoted };
  // the words live as long as the document: an array at their count
  const fitted = words.slice(0, count) as Word[];
  for (let k = 0; k < count; k++) words[k] = undefined;
  // (a line of thousands of words does not leave its room held for good)
  if (count > 4096) words.length = 0;
  return inQuote ? { words: fitted, unterminatedQuote: quoteAt } : { words: fitted };
}
