/**
 * Semantic tokens for rules files: what the grammar cannot know — whether a jump goes to a user
 * chain or a target, which words are values of which option, which chains are built in.
 */
import { argKind } from '../knowledge/arg-kind';
import type { Ruleset, Word } from '../model/ruleset';

export const TOKEN_TYPES = [
  'namespace',
  'class',
  'function',
  'keyword',
  'parameter',
  'enumMember',
  'number',
  'string',
  'comment',
  'operator',
  'variable',
  'type',
  'property',
] as const;
/** The last five describe TCP flag combinations in logs; editors that do not know them ignore them. */
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary', 'deprecated', 'readonly', 'opening', 'data', 'teardown', 'reset', 'scan'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export interface SemanticToken {
  readonly line: number;
  readonly start: number;
  readonly length: number;
  readonly type: TokenType;
  readonly modifiers: readonly TokenModifier[];
}


/**
 * The tokens of each command line, kept by its words: an unchanged line of the next version has
 * the same words (the parser reuses them with its parsed command, on the same line number and in
 * the same table), and its tokens depend on nothing else, so the editor's request after each edit
 * of a 100k-line file does not classify a million words again.
 */
const LINE_TOKENS = new WeakMap<readonly Word[], readonly SemanticToken[]>();

export function semanticTokens(rs: Ruleset, fromLine = 0, toLine = Number.MAX_SAFE_INTEGER): SemanticToken[] {
  const out: SemanticToken[] = [];
  const push = (s: { line: number; start: number; end: number }, type: TokenType, modifiers: TokenModifier[] = []) => {
    if (s.end > s.start) out.push({ line: s.line, start: s.start, length: s.end - s.start, type, modifiers });
  };
  const end = Math.min(toLine, rs.lineCount - 1);
  for (let ln = Math.max(0, fromLine); ln <= end; ln++) {
    const n = rs.lines[ln];
    if (!n) continue;
    switch (n.kind) {
      case 'comment':
        push(n.span, 'comment');
        break;
      case 'table':
        push(n.nameWord, 'namespace', ['declaration']);
        break;
      case 'commit':
        push({ line: n.line, start: 0, end: 6 }, 'keyword');
        break;
      case 'chain': {
        const builtin = rs.tables.get(n.table)?.chains.get(n.nameWord.text)?.builtin;
        push(n.nameWord, 'class', builtin ? ['declaration', 'defaultLibrary'] : ['declaration']);
        if (n.policy) push(n.policy, 'enumMember');
        if (n.counters) push(n.counters, 'number');
        break;
      }
      case 'command': {
        const kept = LINE_TOKENS.get(n.words);
        if (kept) {
          for (const t of kept) out.push(t);
          break;
        }
        const tokens: SemanticToken[] = [];
        const add = (s: { line: number; start: number; end: number }, type: TokenType, modifiers: TokenModifier[] = []) => {
          if (s.end > s.start) tokens.push({ line: s.line, start: s.start, length: s.end - s.start, type, modifiers });
        };
        if (n.counters) add(n.counters, 'number');
        const cmd = n.command;
        if (cmd) {
          add(cmd.word, 'keyword');
          if (cmd.chain) {
            const builtin = rs.tables.get(n.table)?.chains.get(cmd.chain.text)?.builtin;
            add(cmd.chain, 'class', [...(cmd.spec.letter === 'N' ? (['declaration'] as const) : []), ...(builtin ? (['defaultLibrary'] as const) : [])]);
          }
          for (const e of cmd.extra) add(e, /^[0-9]+$/.test(e.text) ? 'number' : cmd.spec.letter === 'P' ? 'enumMember' : 'class');
        }
        if (n.tableWord) add(n.tableWord, 'namespace');
        for (const o of n.options) {
          if (o.bang) add(o.bang, 'operator');
          if (o.name === '-j' || o.name === '-g') {
            add(o.nameSpan, 'parameter');
            const t = n.target;
            if (t) add(t.nameWord, t.kind === 'chain' ? 'class' : 'function', t.kind === 'chain' ? [] : ['defaultLibrary']);
            continue;
          }
          add(o.nameSpan, 'parameter', o.spec?.deprecated ? ['deprecated'] : []);
          o.args.forEach((a, k) => {
            const type = o.spec?.args[k];
            const kind = type ? argKind(type) : 'text';
            if (a.quoted) add(a, 'string');
            else if (kind === 'choice' || kind === 'protocol') add(a, 'enumMember');
            else if (kind === 'port' || kind === 'number' || kind === 'rate' || kind === 'mark') add(a, 'number');
            else if (kind === 'address' || kind === 'interface') add(a, 'variable');
          });
        }
        for (const m of n.matches) {
          if (m.mWord) add(m.mWord, 'parameter');
          if (!m.implicit) add(m.nameWord, 'type', ['defaultLibrary']);
        }
        tokens.sort((a, b) => a.start - b.start);
        const line: SemanticToken[] = [];
        let last = -1;
        for (const t of tokens) {
          if (t.start >= last) {
            line.push(t);
            out.push(t);
            last = t.start + t.length;
          }
        }
        LINE_TOKENS.set(n.words, line);
        break;
      }
    }
  }
  return out;
}
