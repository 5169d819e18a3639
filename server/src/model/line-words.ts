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

function byStart(a: Word, b: Word): number {
  return a.start - b.start;
}

/**
 * The words the line's nodes hold, in the order they stand, each once: a word two nodes hold (the
 * `-p` value that names an implicit match, the `-j` name that is also its option's value) and a
 * value cut from inside a word (`--opt=value`) are the word that holds it.
 */
export function wordsFromNodes(line: Pick<CommandLine, 'command' | 'options' | 'matches' | 'target'>): Word[] {
  const all: Word[] = [];
  const c = line.command;
  if (c) {
    all.push(c.word);
    if (c.chain) all.push(c.chain);
    for (let k = 0; k < c.extra.length; k++) all.push(c.extra[k]!);
  }
  for (let k = 0; k < line.options.length; k++) {
    const o = line.options[k]!;
    if (o.bang) all.push(o.bang);
    all.push(o.word);
    for (let j = 0; j < o.args.length; j++) all.push(o.args[j]!);
  }
  for (let k = 0; k < line.matches.length; k++) {
    const m = line.matches[k]!;
    if (m.mWord) all.push(m.mWord);
    all.push(m.nameWord);
  }
  const t = line.target;
  if (t) all.push(t.jWord, t.nameWord);
  all.sort(byStart);
  // the words of a line never overlap: one that starts inside the word before is that word again
  let n = 0;
  let end = -1;
  for (let k = 0; k < all.length; k++) {
    const w = all[k]!;
    if (w.start < end) continue;
    all[n++] = w;
    end = w.end;
  }
  all.length = n;
  return all;
}

/** Are the two lists the same word objects in the same order? */
export function sameWords(a: readonly Word[], b: readonly Word[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
