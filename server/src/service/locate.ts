/**
 * What stands at a position of a rules document: a table header, a chain name, a command, an
 * option, one of its values, a module, a target... Hover, definition, references and rename all
 * start here.
 */
import {
  type ChainDecl,
  type CommandLine,
  type CommitLine,
  type LineNode,
  type MatchNode,
  type OptionNode,
  type Range,
  type Ruleset,
  type Span,
  spanAt,
  type TableBlock,
  type Word,
} from '../model/ruleset';

export type Located =
  | { kind: 'table'; node: TableBlock; span: Span }
  | { kind: 'chain-decl'; node: ChainDecl; span: Span }
  | { kind: 'policy'; node: ChainDecl; span: Span }
  | { kind: 'counters'; text: string; span: Span; owner: ChainDecl | CommandLine }
  | { kind: 'commit'; node: CommitLine; span: Span }
  | { kind: 'command'; node: CommandLine; span: Span }
  | { kind: 'command-chain'; node: CommandLine; name: string; span: Span }
  | { kind: 'command-extra'; node: CommandLine; word: Word; span: Span }
  | { kind: 'table-option'; node: CommandLine; span: Span }
  | { kind: 'bang'; node: CommandLine; option?: OptionNode; span: Span }
  | { kind: 'option'; node: CommandLine; option: OptionNode; span: Span }
  | { kind: 'option-value'; node: CommandLine; option: OptionNode; argIndex: number; span: Span }
  | { kind: 'match-name'; node: CommandLine; match: MatchNode; span: Span }
  | { kind: 'target-name'; node: CommandLine; span: Span }
  | { kind: 'comment'; span: Span };

/** Is the character within the range (on the line of the node that holds it)? */
function inside(s: Range | undefined, ch: number): s is Range {
  return !!s && ch >= s.start && ch <= s.end && (ch < s.end || s.end > s.start);
}

/** The line node on a given line (lines are stored in order, one node per line). */
export function lineNode(rs: Ruleset, line: number): LineNode | undefined {
  const n = rs.lines.get(line);
  if (n && n.line === line) return n;
  // lines are one node each in order; fall back to a search if that ever changes
  return rs.lines.find((x) => x.line === line);
}

export function locate(rs: Ruleset, line: number, ch: number): Located | undefined {
  const node = lineNode(rs, line);
  if (!node) return undefined;
  switch (node.kind) {
    case 'blank':
      return undefined;
    case 'comment':
      return { kind: 'comment', span: node.span };
    case 'table':
      return inside(node.nameWord, ch) || ch <= 1 ? { kind: 'table', node, span: spanAt(line, node.nameWord) } : undefined;
    case 'commit':
      return { kind: 'commit', node, span: node.span };
    case 'chain':
      if (inside(node.nameWord, ch) || ch === 0) return { kind: 'chain-decl', node, span: spanAt(line, node.nameWord) };
      if (inside(node.policy, ch)) return { kind: 'policy', node, span: spanAt(line, node.policy) };
      if (inside(node.counters, ch)) return { kind: 'counters', text: node.counters.text, span: spanAt(line, node.counters), owner: node };
      return undefined;
    case 'command':
      return locateInCommand(node, line, ch);
  }
}

function locateInCommand(c: CommandLine, line: number, ch: number): Located | undefined {
  if (inside(c.counters, ch)) return { kind: 'counters', text: c.counters.text, span: spanAt(line, c.counters), owner: c };
  const cmd = c.command;
  if (cmd) {
    if (inside(cmd.word, ch)) return { kind: 'command', node: c, span: spanAt(line, cmd.word) };
    if (cmd.chain && inside(cmd.chain, ch)) return { kind: 'command-chain', node: c, name: cmd.chain.text, span: spanAt(line, cmd.chain) };
    for (const e of cmd.extra) if (inside(e, ch)) return { kind: 'command-extra', node: c, word: e, span: spanAt(line, e) };
  }
  if (c.tableWord && inside(c.tableWord, ch)) return { kind: 'table-option', node: c, span: spanAt(line, c.tableWord) };
  for (const m of c.matches) {
    if (!m.implicit && inside(m.nameWord, ch)) return { kind: 'match-name', node: c, match: m, span: spanAt(line, m.nameWord) };
    if (m.mWord && inside(m.mWord, ch)) return { kind: 'match-name', node: c, match: m, span: spanAt(line, m.mWord) };
  }
  if (c.target && inside(c.target.nameWord, ch)) return { kind: 'target-name', node: c, span: spanAt(line, c.target.nameWord) };
  for (const o of c.options) {
    if (o.bang && inside(o.bang, ch)) return { kind: 'bang', node: c, option: o, span: spanAt(line, o.bang) };
    if (inside(o.nameSpan, ch)) {
      if (o.name === '-j' || o.name === '-g') return c.target ? { kind: 'target-name', node: c, span: spanAt(line, o.word) } : { kind: 'option', node: c, option: o, span: spanAt(line, o.nameSpan) };
      return { kind: 'option', node: c, option: o, span: spanAt(line, o.nameSpan) };
    }
    for (let k = 0; k < o.args.length; k++) {
      const a = o.args[k]!;
      if (inside(a, ch)) {
        if (o.name === '-j' || o.name === '-g') return { kind: 'target-name', node: c, span: spanAt(line, a) };
        return { kind: 'option-value', node: c, option: o, argIndex: k, span: spanAt(line, a) };
      }
    }
  }
  return undefined;
}

/** The word of a line touching a character (for completion prefixes and rename checks). */
export function wordAt(words: readonly Word[], ch: number): Word | undefined {
  return words.find((w) => ch >= w.start && ch <= w.end);
}
