/**
 * A command line's words, made again from its nodes. Every word of a line that iptables reads
 * without a complaint stands in one of its nodes: the command word, its chain and further words,
 * each option's `!`, name and values, each match's `-m` and module name, the target's `-j` and
 * name. Those nodes are shared between the lines where the same words stand at the same places,
 * so a list of words per line was most of what is left of a line once it is read (some 25 MB of a
 * 100k-rule file). A line keeps its list (CommandLine.keptWords) only where its nodes do not give
 * it back exactly; the parser compares the two when it reads the line.
 */
import type { CommandLine, Word } from './ruleset';

/** The words of the line, in order. */
export function wordsOf(line: CommandLine): readonly Word[] {
  return line.keptWords ?? wordsFromNodes(line);
}

/**
 * The words the line's nodes hold, in the order they stand, each once: a word two nodes hold (the
 * `-p` value that names an implicit match, the `-j` name that is also its option's value) and a
 * value cut from inside a word (`--opt=value`) are the word that holds it.
 */
export function wordsFromNodes(line: Pick<CommandLine, 'command' | 'options' | 'matches' | 'target'>): Word[] {
  const all: Word[] = [];
  all.length = collectWords(line, all);
  return all;
}

/**
 * Does `words` list exactly the words the line's nodes hold (wordsFromNodes), in order? The parser
 * asks this of every command line it reads: here the nodes' words are gathered into one list kept
 * for the purpose, so the question makes no list per line.
 */
export function nodesHoldExactly(line: Pick<CommandLine, 'command' | 'options' | 'matches' | 'target'>, words: readonly Word[]): boolean {
  const n = collectWords(line, GATHERED);
  let same = n === words.length;
  for (let k = 0; k < n; k++) {
    if (same && GATHERED[k] !== words[k]) same = false;
    // (nothing of the line is held once the answer is known)
    GATHERED[k] = undefined as unknown as Word;
  }
  return same;
}

const GATHERED: Word[] = [];

/**
 * The words of the line's nodes written into `into` from its start, in order and each once (see
 * wordsFromNodes); their count. Sorted by insertion: the nodes give them nearly in order (a
 * match's `-m` and name after its options are the only words out of place), and a sort with a
 * comparison function made a work copy of the list for every line (90 MB of garbage over the
 * kube-like 100k file).
 */
function collectWords(line: Pick<CommandLine, 'command' | 'options' | 'matches' | 'target'>, into: Word[]): number {
  let n = 0;
  const c = line.command;
  if (c) {
    into[n++] = c.word;
    if (c.chain) into[n++] = c.chain;
    for (let k = 0; k < c.extra.length; k++) into[n++] = c.extra[k]!;
  }
  for (let k = 0; k < line.options.length; k++) {
    const o = line.options[k]!;
    if (o.bang) into[n++] = o.bang;
    into[n++] = o.word;
    for (let j = 0; j < o.args.length; j++) into[n++] = o.args[j]!;
  }
  for (let k = 0; k < line.matches.length; k++) {
    const m = line.matches[k]!;
    if (m.mWord) into[n++] = m.mWord;
    into[n++] = m.nameWord;
  }
  const t = line.target;
  if (t) {
    into[n++] = t.jWord;
    into[n++] = t.nameWord;
  }
  // stable: words that start at the same place keep the order they were gathered in
  for (let k = 1; k < n; k++) {
    const w = into[k]!;
    let j = k - 1;
    while (j >= 0 && into[j]!.start > w.start) {
      into[j + 1] = into[j]!;
      j--;
    }
    into[j + 1] = w;
  }
  // the words of a line never overlap: one that starts inside the word before is that word again
  let kept = 0;
  let end = -1;
  for (let k = 0; k < n; k++) {
    const w = into[k]!;
    if (w.start < end) continue;
    into[kept++] = w;
    end = w.end;
  }
  for (let k = kept; k < n; k++) into[k] = undefined as unknown as Word;
  return kept;
}
