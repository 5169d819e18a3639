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

export function tokenizeLine(text: string, line: number, from = 0, to = text.length): TokenizedLine {
  const words: Word[] = [];
  let value = '';
  let start = -1;
  let quoted = false;
  let inQuote = false;
  let quoteAt = -1;
  let escaped = false;

  const emit = (end: number) => {
    words.push({ text: value, line, start, end, quoted });
    value = '';
    start = -1;
    quoted = false;
  };

  for (let i = from; i < to; i++) {
    const c = text[i]!;
    if (inQuote) {
      if (escaped) {
        value += c;
        escaped = false;
      } else if (c === '\\') {
        escaped = true;
      } else if (c === '"') {
        inQuote = false;
        emit(i + 1);
      } else {
        value += c;
      }
      continue;
    }
    if (c === '"') {
      if (start < 0) start = i;
      inQuote = true;
      quoted = true;
      quoteAt = i;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (start >= 0) emit(i);
      continue;
    }
    if (start < 0) start = i;
    value += c;
  }
  if (start >= 0) emit(to);
  return inQuote ? { words, unterminatedQuote: quoteAt } : { words };
}
