/**
 * The parsed form of an iptables rules file. Every node keeps the exact range of the text it came
 * from (0-based line, UTF-16 offsets within the line), so every feature can point at it.
 */
import type { Family, MatchSpec, OptionSpec, TargetSpec } from '../knowledge/types';
import type { CommandSpec } from '../knowledge/generic';
import type { ChainMap } from './chain-map';
import type { ChunkedArray } from './chunked-array';
import { sameItems } from './same-items';

export interface Span {
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

/** Where something lies on a line it does not name (a word's place: the line is its line node's). */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/**
 * One word of a line after iptables-restore's quoting rules. A word does not know its line (the
 * line node that holds it does, see spanAt): the same word at the same place of many lines is one
 * object, and a line that moves keeps its words.
 */
export interface Word extends Range {
  /** The value iptables sees (quotes removed, escapes applied). */
  readonly text: string;
  /** Whether any part of the word was quoted. */
  readonly quoted: boolean;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A problem found while reading or checking the file; `code` is the part after `iptables-lens/`. */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly related?: readonly { readonly span: Span; readonly message: string }[];
  readonly tags?: readonly ('unnecessary' | 'deprecated')[];
  /** Extra facts a quick fix needs (never shown). */
  readonly data?: unknown;
}

export type OptionOwner = 'command' | 'generic' | 'match' | 'target';

export interface OptionNode {
  /** The option word as written (`--dport`, `-p`, `--dpo`, `--dport=80`). */
  readonly word: Word;
  /** Where the option name alone lies on the line (differs from `word` for `--opt=value`). */
  readonly nameSpan: Range;
  /** Canonical name from knowledge (`--dport`, `-p`), or the written name when unknown. */
  readonly name: string;
  readonly negated: boolean;
  /** The `!` in front of the option. */
  readonly bang?: Word;
  /** Argument words (for `--opt=value`, a word covering the value part). */
  readonly args: readonly Word[];
  readonly owner: OptionOwner;
  readonly spec?: OptionSpec;
  /** The match this option belongs to, when owner is 'match'. */
  readonly match?: MatchNode;
}

export interface MatchNode {
  readonly name: string;
  /** The `-m` word; absent when `-p` loaded the module implicitly. */
  readonly mWord?: Word;
  /** The module name word (`tcp` after `-m`, or the `-p` value for an implicit load). */
  readonly nameWord: Word;
  readonly implicit: boolean;
  readonly spec?: MatchSpec;
  readonly options: OptionNode[];
}

export type TargetKind = 'standard' | 'extension' | 'chain' | 'unknown';

export interface TargetNode {
  readonly name: string;
  /** The `-j` or `-g` word. */
  readonly jWord: Word;
  readonly nameWord: Word;
  readonly goto: boolean;
  readonly kind: TargetKind;
  readonly spec?: TargetSpec;
  readonly options: OptionNode[];
}

export interface CommandNode {
  readonly spec: CommandSpec;
  readonly word: Word;
  readonly chain?: Word;
  /** Positional words after the chain: rule number, policy target, new name. */
  readonly extra: readonly Word[];
}

/** Any line that is neither a table header, a chain declaration, COMMIT nor a comment. */
export interface CommandLine {
  readonly kind: 'command';
  readonly line: number;
  readonly span: Span;
  /**
   * The line's words, kept only where its nodes do not hold them all exactly (a `-t` word, a stray
   * word, a line cut short or one of more words than iptables-restore reads): read a line's words
   * with wordsOf (model/line-words.ts), which makes them again from the nodes otherwise.
   */
  readonly keptWords: readonly Word[] | undefined;
  /** The table the line applies to (from the enclosing `*table` or `-t`). */
  readonly table: string;
  readonly tableWord?: Word;
  readonly block?: TableBlock;
  /** `[packets:bytes]` in front of the command. */
  readonly counters?: Word;
  readonly command?: CommandNode;
  /** The chain the command names (`-A INPUT` -> INPUT). */
  readonly chain?: string;
  readonly generic: OptionNode[];
  readonly matches: MatchNode[];
  target?: TargetNode;
  /** Every option in the order written. */
  readonly options: OptionNode[];
  /** Family restriction from `-4`/`-6`. */
  readonly onlyFamily?: Family;
}

/**
 * The first generic option of the line called `name` (what `line.generic.find` gives), read from
 * its options without making the list of generic ones: a line node does not keep that list.
 */
export function genericOption(line: Pick<CommandLine, 'options'>, name: string): OptionNode | undefined {
  const os = line.options;
  for (let i = 0; i < os.length; i++) {
    const o = os[i]!;
    if (o.owner === 'generic' && o.name === name) return o;
  }
  return undefined;
}

/** A command line that adds or replaces a rule (-A, -I, -R). */
export interface Rule extends CommandLine {
  readonly command: CommandNode;
  /** The chain the rule lives in. */
  readonly chain: string;
}

export interface TableBlock {
  readonly kind: 'table';
  readonly name: string;
  readonly nameWord: Word;
  readonly line: number;
  readonly span: Span;
}

/**
 * Where a table block ends in one version (Ruleset.blockEnds): kept apart from the block's node,
 * so that an edit that puts in or takes out a line inside a block leaves its header, and the nodes
 * of its lines above the edit, the ones they were.
 */
export interface BlockEnd {
  /** Last line belonging to the block (COMMIT or the line before the next header / end). */
  readonly endLine: number;
  /** Line of COMMIT, when present. */
  readonly commitLine?: number;
}

export interface ChainDecl {
  readonly kind: 'chain';
  readonly line: number;
  readonly span: Span;
  readonly table: string;
  readonly block?: TableBlock;
  readonly nameWord: Word;
  readonly policy?: Word;
  readonly counters?: Word;
}

export interface CommentLine {
  readonly kind: 'comment';
  readonly line: number;
  readonly span: Span;
  readonly text: string;
}

export interface CommitLine {
  readonly kind: 'commit';
  readonly line: number;
  readonly span: Span;
  readonly block?: TableBlock;
}

export interface BlankLine {
  readonly kind: 'blank';
  readonly line: number;
}

export type LineNode = TableBlock | ChainDecl | CommentLine | CommitLine | CommandLine | BlankLine;

/**
 * Whether two line nodes read the same, wherever each lies: the same kind, in the same table, made
 * of the same parts (a line that moved, because an edit put in or took out a line above it, gets
 * a node made of its old node's parts: the same command, options, matches, target and words). What
 * follows from a line's reading alone (its tokens, its place in the outline) is then the same.
 * False only says the two may read differently.
 */
export function sameReading(a: LineNode, b: LineNode): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'command':
      return b.kind === 'command' && sameCommandParts(a, b);
    case 'chain':
      return b.kind === 'chain' && a.table === b.table && a.nameWord === b.nameWord && a.policy === b.policy && a.counters === b.counters;
    case 'comment':
      return b.kind === 'comment' && a.text === b.text && a.span.start === b.span.start && a.span.end === b.span.end;
    case 'table':
      return b.kind === 'table' && a.name === b.name && a.nameWord.start === b.nameWord.start && a.nameWord.end === b.nameWord.end;
    case 'commit':
      return b.kind === 'commit' && a.block?.name === b.block?.name;
    default:
      return b.kind === a.kind;
  }
}

function sameCommandParts(a: CommandLine, b: CommandLine): boolean {
  if (a.table !== b.table || a.command !== b.command || a.target !== b.target || a.counters !== b.counters || a.tableWord !== b.tableWord || a.keptWords !== b.keptWords) return false;
  return sameItems(a.options, b.options) && sameItems(a.matches, b.matches);
}

/** A chain as the file leaves it after every command has been applied. */
export interface Chain {
  readonly name: string;
  readonly table: string;
  readonly builtin: boolean;
  /** Built-in chains: the policy in force at the end of the file. */
  policy?: string;
  /** Where that policy is written. */
  policySpan?: Span;
  /** Where the chain is declared (`:NAME`, `-N NAME`); undefined for built-ins never mentioned. */
  readonly declarations: (ChainDecl | CommandLine)[];
  /** Rules in kernel order after -A/-I/-R/-D/-F have been applied. */
  rules: Rule[];
  /** Rules that jump or go to this chain. */
  readonly references: Rule[];
  /**
   * For a chain an edit made from the previous version's by replacing rules in place: that chain
   * (held weakly) and the positions of the rules replaced (the others are its rule objects).
   */
  readonly edited?: { readonly from: WeakRef<Chain>; readonly at: readonly number[] };
}

/** Versions of a chain followed back through Chain.edited before giving up (see replacedSince). */
const MAX_EDIT_STEPS = 32;

/**
 * The positions at which `now` may hold other rule objects than `was`, when `now` was made from
 * `was` by edits that replaced rules in place (followed back through Chain.edited, a few versions
 * at most): at every other position both hold the same rule. Undefined when that is not known.
 */
export function replacedSince(now: Chain, was: Chain): readonly number[] | undefined {
  if (now === was) return [];
  const at = new Set<number>();
  let c: Chain | undefined = now;
  for (let step = 0; c && c !== was && step < MAX_EDIT_STEPS; step++) {
    const e: Chain['edited'] = c.edited;
    if (!e) return undefined;
    for (const p of e.at) at.add(p);
    c = e.from.deref();
  }
  return c === was ? [...at] : undefined;
}

/**
 * What an edit that moved lines (`m`, see Table.moved) did to the rules of a chain, from the
 * chain `was` of the version the lines moved from and the chain `now` of this one (tables of a
 * moved version hold each chain's rules in line order): nothing ('same': the rules position by
 * position, moved), or put in or took out one rule (at position `at` of `now`, or of `was`).
 * Undefined when it put in or took out more than one.
 */
export function ruleMoved(now: Chain, was: Chain, m: MovedLines): { readonly kind: 'same' } | { readonly kind: 'put' | 'taken'; readonly at: number } | undefined {
  const put = rulesOnLines(now.rules, m.same, m.newEnd);
  const taken = rulesOnLines(was.rules, m.same, m.oldEnd);
  if (now.rules.length - was.rules.length !== put.count - taken.count || put.count + taken.count > 1) return undefined;
  if (put.count) return { kind: 'put', at: put.first };
  return taken.count ? { kind: 'taken', at: taken.first } : { kind: 'same' };
}

/** The first position of a rule of `rules` (in line order) on a line from `from` to before `to`, and how many there are. */
function rulesOnLines(rules: readonly Rule[], from: number, to: number): { first: number; count: number } {
  let a = 0;
  let b = rules.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (rules[mid]!.line < from) a = mid + 1;
    else b = mid;
  }
  let k = a;
  while (k < rules.length && rules[k]!.line < to) k++;
  return { first: a, count: k - a };
}

/**
 * The positions, ascending, at which `now` holds other rule objects than `was` (two versions of a
 * chain with as many rules): among those replacedSince tells when it knows them, otherwise found by
 * comparing every position. Undefined once there are more than `limit`.
 */
export function replacedRules(now: Chain, was: Chain, limit = Infinity): number[] | undefined {
  const told = replacedSince(now, was);
  const out: number[] = [];
  const count = told ? told.length : now.rules.length;
  for (let k = 0; k < count; k++) {
    const i = told ? told[k]! : k;
    if (now.rules[i] === was.rules[i]) continue;
    if (out.push(i) > limit) return undefined;
  }
  return told ? out.sort((a, b) => a - b) : out;
}

export interface Table {
  readonly name: string;
  readonly blocks: TableBlock[];
  readonly chains: ChainMap;
  /**
   * Stands for the table's jump graph: two versions of a table with the same object here have the
   * same chains (names, built in or not) and the same jump and goto targets in the same order (an
   * edit that rewrote rules in place without changing a jump keeps it, and so does one that moved
   * lines without putting in or taking out a jump). What is kept by it must not name rules or
   * lines: those can be other nodes, on other lines.
   */
  readonly jumps: object;
  /**
   * For a table an edit made from the previous version's by rewriting rules in place: that table
   * (held weakly) and the chains whose objects are new here (the rest are its chain objects, in
   * the same order).
   */
  readonly edited?: { readonly from: WeakRef<Table>; readonly chains: ReadonlySet<string> };
  /**
   * For a table an edit that put in or took out lines made from the previous version's (see
   * parser/chains.ts moveTables): that table (held weakly), where its lines went, and the chains
   * that hold more than the previous version's rules, references and declarations on their new
   * lines (a rule put in or taken out, a jump to the chain put in or taken out). The other chains
   * are, position by position, what they were, moved; the table has the same chains in the same
   * order. `jumpsPut`: the rules put in that jump or go to a chain.
   */
  readonly moved?: { readonly from: WeakRef<Table>; readonly lines: MovedLines; readonly chains: ReadonlySet<string>; readonly jumpsPut: readonly Rule[] };
}

/**
 * Lines `same` to `oldEnd` of the previous version replaced by lines `same` to `newEnd`, every
 * line after them moved by `shift` (newEnd - oldEnd), and every line outside them read as before.
 */
export interface MovedLines {
  readonly same: number;
  readonly oldEnd: number;
  readonly newEnd: number;
  readonly shift: number;
}

/** The line a line of the previous version is on after the edit `m`; -1 for a line the edit replaced. */
export function movedLine(m: MovedLines, line: number): number {
  return line < m.same ? line : line >= m.oldEnd ? line + m.shift : -1;
}

export type FileFormat = 'save' | 'commands';

export interface Ruleset {
  readonly family: Family;
  /** How the family was decided, for hover and messages. */
  readonly familySource: 'header' | 'setting' | 'filename' | 'content' | 'default';
  readonly format: FileFormat;
  readonly lineCount: number;
  readonly lines: ChunkedArray<LineNode>;
  readonly commands: readonly CommandLine[];
  /** The comment lines, in line order (a suppression directive is one: see service/diagnostics). */
  readonly comments: readonly CommentLine[];
  readonly rules: readonly Rule[];
  readonly tables: ReadonlyMap<string, Table>;
  /** Where each table block of this version ends. */
  readonly blockEnds: ReadonlyMap<TableBlock, BlockEnd>;
  /** Problems found while reading (syntax, unknown options, arguments, structure). */
  readonly findings: readonly Finding[];
}

export function isRule(c: CommandLine): c is Rule {
  if (c.command === undefined || !c.command.spec.takesRule || c.command.chain === undefined) return false;
  const l = c.command.spec.letter;
  return l === 'A' || l === 'I' || l === 'R';
}

export function spanOf(w: Span): Span {
  return { line: w.line, start: w.start, end: w.end };
}

/** The chain name a declaration (`:NAME` or `-N NAME`) gives, where it is written. */
export function declarationSpan(decl: ChainDecl | CommandLine): Span | undefined {
  const w = decl.kind === 'chain' ? decl.nameWord : decl.command?.chain;
  return w && spanAt(decl.line, w);
}

/**
 * Where a chain is first named: its first declaration's name (the whole line when it has no name
 * word), or for a chain the file never declares, the chain name of its first rule; undefined for a
 * built-in chain the file never names.
 */
export function chainPlace(c: Chain): Span | undefined {
  const decl = c.declarations[0];
  if (decl) return declarationSpan(decl) ?? decl.span;
  const first = c.rules[0];
  return first?.command.chain ? spanAt(first.line, first.command.chain) : undefined;
}

/** The span of a word (or any range) on the given line. */
export function spanAt(line: number, r: Range): Span {
  return { line, start: r.start, end: r.end };
}

export function joinSpans(a: Span, b: Span): Span {
  return { line: a.line, start: Math.min(a.start, b.start), end: b.line === a.line ? Math.max(a.end, b.end) : a.end };
}

export function contains(span: Span, line: number, character: number): boolean {
  return span.line === line && character >= span.start && character <= span.end;
}

/**
 * A finding about one line (every span it holds on that line: its own, related ones, those in its
 * data) put on line `line`, as when an edit moved the line: the same object when it is there.
 */
export function findingOnLine(f: Finding, line: number): Finding {
  const from = f.span.line;
  if (from === line) return f;
  return withSpans(f, (s) => (s.line === from ? spanAt(line, s) : s));
}

/**
 * A finding with each span it holds (its own, related ones, those in its data) put where the edit
 * `m` moved its line (a span on a line the edit replaced stays): the same object when none moved.
 */
export function findingMoved(f: Finding, m: MovedLines): Finding {
  let moved = false;
  const to = (s: Span): Span => {
    const l = movedLine(m, s.line);
    if (l < 0 || l === s.line) return s;
    moved = true;
    return spanAt(l, s);
  };
  const g = withSpans(f, to);
  return moved ? g : f;
}

/** `f` with every span it holds made by `to`. */
function withSpans(f: Finding, to: (s: Span) => Span): Finding {
  const out: { -readonly [K in keyof Finding]: Finding[K] } = { ...f, span: to(f.span) };
  if (f.related) out.related = f.related.map((r) => ({ ...r, span: to(r.span) }));
  if (f.data !== undefined) out.data = dataWith(f.data, to, 0);
  return out;
}

function isSpan(x: unknown): x is Span {
  return typeof x === 'object' && x !== null && typeof (x as Span).line === 'number' && typeof (x as Span).start === 'number' && typeof (x as Span).end === 'number';
}

/** Data of a finding with its spans (in lists and records, a few levels down) made by `to`. */
function dataWith(x: unknown, to: (s: Span) => Span, depth: number): unknown {
  if (isSpan(x)) return to(x);
  if (depth > 3 || typeof x !== 'object' || x === null) return x;
  if (Array.isArray(x)) return x.map((v) => dataWith(v, to, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) out[k] = dataWith(v, to, depth + 1);
  return out;
}
