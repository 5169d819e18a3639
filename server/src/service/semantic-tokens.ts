/**
 * Semantic tokens for rules files: what the grammar cannot know — whether a jump goes to a user
 * chain or a target, which words are values of which option, which chains are built in.
 */
import { argKind } from '../knowledge/arg-kind';
import { type ChainDecl, type CommandLine, type Range, type Ruleset, type Span, spanAt } from '../model/ruleset';

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


const NONE: readonly SemanticToken[] = [];

/**
 * What a line's tokens follow from, as an object an unchanged line keeps: a command line's option
 * list (the parser reuses it with its parsed command in the same table, also on another line when
 * an edit moved it; a line read anew gets a list of its own, even an empty one), a chain
 * declaration's node. A line's tokens depend on nothing else but what it reads as, so a caller
 * can keep what it derives from them (their encoding, see lsp/semantic-token-lines.ts) by this
 * object. Undefined for other lines (whose tokens are few and cheap to make).
 */
export function tokensKey(rs: Ruleset, ln: number): object | undefined {
  const n = rs.lines.get(ln);
  return n?.kind === 'command' ? n.options : n?.kind === 'chain' ? n : undefined;
}

/**
 * The tokens of one line, by start and without overlaps, made anew on each call: kept for the
 * lines of a 100k-line file, as objects, they were 196 MB of the heap.
 */
export function lineTokens(rs: Ruleset, ln: number): readonly SemanticToken[] {
  const n = rs.lines.get(ln);
  if (!n) return NONE;
  switch (n.kind) {
    case 'comment':
      return n.span.end > n.span.start ? [token(n.span, 'comment')] : NONE;
    case 'table':
      return n.nameWord.end > n.nameWord.start ? [token(spanAt(n.line, n.nameWord), 'namespace', ['declaration'])] : NONE;
    case 'commit':
      return [token({ line: n.line, start: 0, end: 6 }, 'keyword')];
    case 'chain':
      return ordered(chainTokens(rs, n));
    case 'command':
      return ordered(commandTokens(rs, n));
    default:
      return NONE;
  }
}

export function semanticTokens(rs: Ruleset, fromLine = 0, toLine = Number.MAX_SAFE_INTEGER): SemanticToken[] {
  const out: SemanticToken[] = [];
  const end = Math.min(toLine, rs.lineCount - 1);
  for (let ln = Math.max(0, fromLine); ln <= end; ln++) for (const t of lineTokens(rs, ln)) out.push(t);
  return out;
}

function token(s: Span, type: TokenType, modifiers: readonly TokenModifier[] = []): SemanticToken {
  return { line: s.line, start: s.start, length: s.end - s.start, type, modifiers };
}

function add(out: SemanticToken[], line: number, r: Range, type: TokenType, modifiers: readonly TokenModifier[] = []): void {
  if (r.end > r.start) out.push({ line, start: r.start, length: r.end - r.start, type, modifiers });
}

/** By start; a token that begins inside the one before it is dropped. */
function ordered(tokens: SemanticToken[]): readonly SemanticToken[] {
  tokens.sort((a, b) => a.start - b.start);
  const line: SemanticToken[] = [];
  let last = -1;
  for (const t of tokens) {
    if (t.start >= last) {
      line.push(t);
      last = t.start + t.length;
    }
  }
  return line;
}

function chainTokens(rs: Ruleset, n: ChainDecl): SemanticToken[] {
  const tokens: SemanticToken[] = [];
  const builtin = rs.tables.get(n.table)?.chains.get(n.nameWord.text)?.builtin;
  add(tokens, n.line, n.nameWord, 'class', builtin ? ['declaration', 'defaultLibrary'] : ['declaration']);
  if (n.policy) add(tokens, n.line, n.policy, 'enumMember');
  if (n.counters) add(tokens, n.line, n.counters, 'number');
  return tokens;
}

function commandTokens(rs: Ruleset, n: CommandLine): SemanticToken[] {
  const tokens: SemanticToken[] = [];
  if (n.counters) add(tokens, n.line, n.counters, 'number');
  const cmd = n.command;
  if (cmd) {
    add(tokens, n.line, cmd.word, 'keyword');
    if (cmd.chain) {
      const builtin = rs.tables.get(n.table)?.chains.get(cmd.chain.text)?.builtin;
      add(tokens, n.line, cmd.chain, 'class', [...(cmd.spec.letter === 'N' ? (['declaration'] as const) : []), ...(builtin ? (['defaultLibrary'] as const) : [])]);
    }
    for (const e of cmd.extra) add(tokens, n.line, e, /^[0-9]+$/.test(e.text) ? 'number' : cmd.spec.letter === 'P' ? 'enumMember' : 'class');
  }
  if (n.tableWord) add(tokens, n.line, n.tableWord, 'namespace');
  for (const o of n.options) {
    if (o.bang) add(tokens, n.line, o.bang, 'operator');
    if (o.name === '-j' || o.name === '-g') {
      add(tokens, n.line, o.nameSpan, 'parameter');
      const t = n.target;
      if (t) add(tokens, n.line, t.nameWord, t.kind === 'chain' ? 'class' : 'function', t.kind === 'chain' ? [] : ['defaultLibrary']);
      continue;
    }
    add(tokens, n.line, o.nameSpan, 'parameter', o.spec?.deprecated ? ['deprecated'] : []);
    o.args.forEach((a, k) => {
      const type = o.spec?.args[k];
      const kind = type ? argKind(type) : 'text';
      if (a.quoted) add(tokens, n.line, a, 'string');
      else if (kind === 'choice' || kind === 'protocol') add(tokens, n.line, a, 'enumMember');
      else if (kind === 'port' || kind === 'number' || kind === 'rate' || kind === 'mark') add(tokens, n.line, a, 'number');
      else if (kind === 'address' || kind === 'interface') add(tokens, n.line, a, 'variable');
    });
  }
  for (const m of n.matches) {
    if (m.mWord) add(tokens, n.line, m.mWord, 'parameter');
    if (!m.implicit) add(tokens, n.line, m.nameWord, 'type', ['defaultLibrary']);
  }
  return tokens;
}
