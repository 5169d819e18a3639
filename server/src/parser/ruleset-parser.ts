/**
 * Reads a whole rules file: iptables-save / iptables-restore input (`*table` blocks, `:CHAIN`
 * lines, COMMIT) or a list of commands as `iptables -S` prints them (no headers, `-t` allowed).
 * Never throws; whatever it cannot read becomes a finding with the exact range.
 */
import { findTable, isBuiltinChain } from '../knowledge/tables';
import { findTarget } from '../knowledge/registry';
import type { Family } from '../knowledge/types';
import type {
  BlockEnd,
  ChainDecl,
  CommandLine,
  CommentLine,
  FileFormat,
  Finding,
  LineNode,
  Rule,
  Ruleset,
  Span,
  Table,
  TableBlock,
  Word,
} from '../model/ruleset';
import { findingOnLine, isRule, spanAt } from '../model/ruleset';
import { replaceRange } from '../model/replace-range';
import { ChunkedArray, CHUNK_SIZE } from '../model/chunked-array';
import { sharedEndFrom } from '../model/line-splices';
import { buildTables, moveTables, type TablesBuild, updateTables } from './chains';
import { OptionPool, type ParsedCommand, parseCommandWords } from './command-parser';
import { ChainDeclNode } from './chain-decl-node';
import { CommandLineNode, MovedCommandLineNode } from './command-line-node';
import { MAX_WORD_LENGTH, tokenizeLine, WordPool } from './tokenizer';
import { nodesHoldExactly, wordsOf } from '../model/line-words';
import { shared } from '../model/shared';

/**
 * iptables-restore builds each line's argv in a fixed array of 255 (xshared.h MAX_ARGC) that also
 * holds the program name, `-t` and the table: a line of 252 words fails with "Parser cannot handle
 * more arguments" (checked against iptables-restore 1.8.9 --test: 251 pass, 252 fail).
 */
export const MAX_RESTORE_WORDS = 251;

/** Problems listed per line; the rest are counted in the last one's message (a mangled 10 MB line must not yield a million diagnostics). */
export const MAX_FINDINGS_PER_LINE = 100;

/** Words read on one line: 40 times what iptables-restore accepts; the rest is ignored with a warning. */
export const MAX_WORDS_READ = 10_000;

export interface ParseOptions {
  /** Family chosen by the user or known from the file name; the header comment wins over it. */
  readonly family?: Family;
  readonly familySource?: 'setting' | 'filename';
  /**
   * The previous version of the same document: lines whose text, number and context (family,
   * format, table) are unchanged reuse its tokens and parsed command instead of reading them again.
   */
  readonly previous?: Ruleset;
  /**
   * The text already split into lines, as splitLines splits it, for a text without carriage
   * returns (a document made from its previous version's lines: see service/line-edit.ts, or
   * held as lines by the server). The text itself is then not read, and may be ''.
   */
  readonly lines?: ChunkedArray<string>;
}

/**
 * What reading a command line left beyond its node, kept only for the few lines that have any: the
 * words past MAX_WORDS_READ, an open quote, the command parser's findings.
 */
interface LineExtra {
  /** Every word of the line (the node keeps at most MAX_WORDS_READ). */
  readonly words: readonly Word[];
  readonly unterminatedQuote: number | undefined;
  readonly findings: readonly Finding[];
  /** Some word is longer than iptables-restore takes (checked again when the line is reused). */
  readonly longWords?: boolean;
}

/**
 * What a ruleset keeps for reading its next version: each line's text (the same strings as the
 * document's lines) and the extras by line; a command line's own reading is its node in `lines`.
 * Its `from` follows from its text, its table from its block (none outside save format, so filter).
 */
interface LineParses {
  readonly family: Family;
  /** How the family was decided, and the options it was decided with (see familyOf). */
  readonly familySource: Ruleset['familySource'];
  readonly familyOpts: Pick<ParseOptions, 'family' | 'familySource'>;
  readonly format: FileFormat;
  readonly texts: ChunkedArray<string>;
  readonly extras: ReadonlyMap<number, LineExtra>;
  /** Chain lines with words past the counters (their node does not keep them). */
  readonly wideDecls: ReadonlySet<number>;
  readonly tables: TablesBuild;
  /** The findings of single lines, in line order. */
  readonly lineFindings: readonly Finding[];
  /** The table blocks, in order (where each ends: the ruleset's blockEnds). */
  readonly blocks: readonly TableBlock[];
  /**
   * The lines, ascending, that an edit above them cannot simply move (see movable): every line
   * but the blank, command and chain lines read without a finding of their own (table headers,
   * COMMITs and comments among them).
   */
  readonly irregular: readonly number[];
}

const NO_FINDINGS: readonly Finding[] = shared([]);

/** The command parser's result for a line, as kept in the line's node. */
/**
 * The words a command line keeps: none when its nodes give them back exactly (see
 * model/line-words.ts), which is checked here; the words read otherwise.
 */
function keptWordsOf(words: readonly Word[], all: readonly Word[], parsed: ParsedCommand): readonly Word[] | undefined {
  if (words !== all || words.length > MAX_RESTORE_WORDS) return words;
  return nodesHoldExactly(parsed, words) ? undefined : words;
}

/** The command parser's result for a line read before, now on line `line` (its findings moved there). */
function parsedOf(c: CommandLine, extra: LineExtra | undefined, line: number): ParsedCommand {
  return {
    command: c.command,
    tableWord: c.tableWord,
    table: c.table,
    // (made only if something asks: a line read again keeps no list of its generic options)
    get generic() {
      return c.generic;
    },
    matches: c.matches,
    target: c.target,
    options: c.options,
    onlyFamily: c.onlyFamily,
    findings: (extra ? onLine(extra.findings, line) : NO_FINDINGS) as Finding[],
  };
}

/** Findings of one line (the parser's own, which name no other line) put on line `line`. */
function onLine(findings: readonly Finding[], line: number): readonly Finding[] {
  if (findings.length === 0 || findings[0]!.span.line === line) return findings;
  return findings.map((x) => findingOnLine(x, line));
}

/**
 * The node of a command line read before, now on line `line` or in another block: the same parts,
 * its option list included. What is kept by a rule's option list holds no line (what it compiled
 * to), or says which line it is on (semantic tokens; the memos of whole tables compare each rule's
 * line along with its list, see analysis/memo.ts tableSeq): a copy of the list for each moved
 * line was 9 MB of each line put in near the top of a 100 000-rule file. (A node that shows the
 * parts of the one it was read as: see MovedCommandLineNode.)
 */
function movedCommand(c: CommandLine, line: number, end: number, block: TableBlock | undefined): CommandLine {
  return CommandLineNode.placed(c, line, end, block, c.options);
}

/**
 * The document each ruleset is a version of: one object for all the versions read from one
 * another (through parseRuleset's `previous`), held by each of them.
 */
const LINEAGES = new WeakMap<Ruleset, object>();

/**
 * An object standing for the document `rs` is a version of: the same for every version read from
 * another through `previous`, alive while one of them is. What analyses keep for a document (and
 * for no other) is kept under it.
 */
export function documentOf(rs: Ruleset): object {
  let d = LINEAGES.get(rs);
  if (!d) LINEAGES.set(rs, (d = {}));
  return d;
}

/** Per-line parse results of each ruleset (by line number), for parseRuleset's `previous`. */
const LINE_PARSES = new WeakMap<Ruleset, LineParses>();

/**
 * How a ruleset differs from a version it was read from, for analyses that keep results per
 * line: every line not in `changed` reads as the previous version's line `previousLine(edit, ln)`
 * did (see LineShift), with the same node or, when `shift` is given or the line lies in a block
 * made again, a node made from its parts (the same command, matches and target). Only for edits
 * that kept family and format.
 */
export interface RulesetEdit {
  /** The version this one was read from (directly or through versions in between). */
  readonly previous: Ruleset;
  /** Lines whose reading is not carried over from the previous version, ascending. */
  readonly changed: readonly number[];
  /** Set when lines were inserted or deleted. */
  readonly shift?: LineShift;
}

/** Lines from `from` on are the previous version's lines from `from - by` on: an edit inserted `by` lines (deleted -by) above them. */
export interface LineShift {
  readonly from: number;
  readonly by: number;
}

/** The previous version's number of line `ln` (a line not in edit.changed). */
export function previousLine(edit: Pick<RulesetEdit, 'shift'>, ln: number): number {
  return edit.shift && ln >= edit.shift.from ? ln - edit.shift.by : ln;
}

/**
 * The versions a ruleset was read from, nearest first, each with the lines one step changed: the
 * previous version, and the versions that one was read from, as long as the steps between moved
 * lines at most once (at most MAX_ANCESTORS). An editor parses a version for each keystroke
 * (semantic tokens, hover) while diagnostics wait for a pause, so the version an analysis last ran
 * on is often a few steps back (a line is opened, then typed into); through this list the next
 * analysis still starts from it.
 *
 * Each version holds its ancestors weakly: a strong link would keep every version of an edited
 * document alive, and with them what analyses keep per version (a compiled map of a 100k-rule file
 * is 10 MB). The parse creates the links, so those versions stay alive at least until the end of
 * the job that parsed (WeakRef semantics); later, only while someone holds them (the server holds
 * the version its diagnostics were computed on).
 */
const ANCESTORS = new WeakMap<Ruleset, readonly Ancestor[]>();
const MAX_ANCESTORS = 16;

interface Ancestor {
  readonly ref: WeakRef<Ruleset>;
  /** How the entry before it in the list (for the first, the version itself) was read from this ancestor. */
  readonly step: Step;
}

interface Step {
  readonly changed: readonly number[];
  readonly shift?: LineShift;
}

/** Both ascending lists merged, without repeats. */
function unionSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (out.length === 0 || out[out.length - 1] !== x) out.push(x);
  }
  return out;
}

/**
 * The previous version's list behind a new first entry: the entries themselves are shared (a
 * version holds no merged line lists; rulesetEdit merges the steps it walks past). Not asking
 * whether they are still alive: a WeakRef read keeps its target until the job ends.
 */
function recordAncestors(rs: Ruleset, previous: Ruleset, step: Step): void {
  const before = ANCESTORS.get(previous) ?? [];
  ANCESTORS.set(rs, [{ ref: new WeakRef(previous), step }, ...before.slice(0, MAX_ANCESTORS - 1)]);
}

/**
 * The nearest version `rs` was read from (see RulesetEdit) that is still alive and `usable`
 * accepts (an analysis asks for one it kept results for); undefined when there is none.
 */
export function rulesetEdit(rs: Ruleset, usable: (previous: Ruleset) => boolean = () => true): RulesetEdit | undefined {
  let edit: Step | undefined;
  for (const a of ANCESTORS.get(rs) ?? []) {
    edit = edit ? composed(edit, a.step) : a.step;
    if (!edit) return undefined;
    const previous = a.ref.deref();
    if (previous && usable(previous)) return { previous, changed: edit.changed, ...(edit.shift ? { shift: edit.shift } : {}) };
  }
  return undefined;
}

/**
 * `edit` (from a version B to the newest) after `step` (from an older version A to B), as one step
 * from A; undefined when both moved lines (one shift does not say where either version's lines are).
 */
function composed(edit: Step, step: Step): Step | undefined {
  if (edit.shift && step.shift) return undefined;
  if (!edit.shift) {
    // B has the newest version's line numbers: the lines either changed, and A's shift
    return { changed: unionSorted(edit.changed, step.changed), shift: step.shift };
  }
  // A has B's lines: B's line p is the newest version's line p + by from the shift on, and line p
  // before it (a line B had where the edit replaced lines is no line of the newest version: it
  // stands for the line of that number, changed already or not, which is only checked again)
  const { from, by } = edit.shift;
  // (sorted: after a deletion, such a line can come out past the first moved one)
  const moved = step.changed.map((p) => (p >= from - by ? p + by : p)).sort((x, y) => x - y);
  return { changed: unionSorted(edit.changed, moved), shift: edit.shift };
}

/**
 * Split text into lines the way editors do (\r\n, \n or a lone \r end a line). The lists are
 * never changed, so the document and its parse, which both split the same text, hold one.
 */
export function splitLines(text: string): { readonly lines: ChunkedArray<string>; readonly crLines: readonly number[] } {
  // the second time costs nothing
  const last = lastSplit?.deref();
  if (last && last.text === text) return last;
  const r = splitText(text);
  const made = { text, lines: ChunkedArray.of(r.lines), crLines: r.crLines };
  lastSplit = new WeakRef(made);
  return made;
}

/**
 * The last split, for the one that asks for the same text next (the document and its parse, in
 * the same job). Held weakly: a WeakRef read keeps its target to the end of the job, and held for
 * good it kept the text of a closed document and a view of each of its lines (20 MB for the
 * kube-like 100k file) until the next document came.
 */
let lastSplit: WeakRef<{ readonly text: string; readonly lines: ChunkedArray<string>; readonly crLines: readonly number[] }> | undefined;

function splitText(text: string): { lines: string[]; crLines: number[] } {
  const lines: string[] = [];
  const crLines: number[] = [];
  let start = 0;
  if (text.indexOf('\r') < 0) {
    // no carriage return at all (nearly every file): native search for each line end
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      lines.push(text.slice(start, nl));
      start = nl + 1;
    }
    lines.push(text.slice(start));
    return { lines, crLines };
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      const hasCr = i > start && text.charCodeAt(i - 1) === 13;
      lines.push(text.slice(start, hasCr ? i - 1 : i));
      if (hasCr) crLines.push(lines.length - 1);
      start = i + 1;
    } else if (c === 13 && text.charCodeAt(i + 1) !== 10) {
      lines.push(text.slice(start, i));
      crLines.push(lines.length - 1);
      start = i + 1;
    }
  }
  lines.push(text.slice(start));
  return { lines, crLines };
}

const IPV6_HINT = /(^|\s)(-[sd]|--source|--destination|--src|--dst)\s+(!\s+)?[0-9a-fA-F]*:[0-9a-fA-F:.]*(\/\d+)?(\s|$)|(^|\s)(icmpv6|ipv6-icmp|icmp6)(\s|$)|--icmpv6-type/;

/**
 * detectFamily, answered from the previous version (`prior`, whose first `sameStart` lines are the
 * same strings as these) when the lines it reads (the first FAMILY_LINES) are all among those and
 * the options the same: it runs a regular expression over up to 5000 lines, a few milliseconds on
 * every edit of a big file otherwise.
 */
function familyOf(lines: ChunkedArray<string>, opts: ParseOptions, prior: LineParses | undefined, sameStart: number): { family: Family; source: Ruleset['familySource'] } {
  if (prior && prior.familyOpts.family === opts.family && prior.familyOpts.familySource === opts.familySource) {
    const n = Math.min(lines.length, FAMILY_LINES);
    if (n === Math.min(prior.texts.length, FAMILY_LINES) && sameStart >= n) return { family: prior.family, source: prior.familySource };
  }
  return detectFamily(lines, opts);
}

/** detectFamily reads at most this many lines. */
const FAMILY_LINES = 5000;

function detectFamily(lines: ChunkedArray<string>, opts: ParseOptions): { family: Family; source: Ruleset['familySource'] } {
  for (const l of lines.slice(0, 20)) {
    const m = /^#\s*Generated by (ip6?)tables(?:-nft|-legacy)?-save/.exec(l);
    if (m) return { family: m[1] === 'ip6' ? 'ipv6' : 'ipv4', source: 'header' };
  }
  if (opts.family) return { family: opts.family, source: opts.familySource ?? 'setting' };
  const limit = Math.min(lines.length, FAMILY_LINES);
  for (let i = 0; i < limit; i++) if (IPV6_HINT.test(lines.get(i)!)) return { family: 'ipv6', source: 'content' };
  return { family: 'ipv4', source: 'default' };
}

const COUNTER_PAIR = /^\[\d+:\d+\]$/;

function span(line: number, start: number, end: number): Span {
  return { line, start, end };
}

function f(code: string, severity: Finding['severity'], message: string, s: Span, data?: unknown): Finding {
  return data === undefined ? { code, severity, message, span: s } : { code, severity, message, span: s, data };
}

/** Words separated by blanks only, as strtok does for table and chain lines (no quoting). */
function plainWords(text: string, from: number, pool: WordPool): Word[] {
  // (scanned, each word taken from the line in place: a regular expression made a match array and
  // a string per word, 13 MB over the 35 000 chain lines of the kube-like 100k file)
  const out: Word[] = [];
  const n = text.length;
  let i = from;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && (c = text.charCodeAt(i)) !== 32 && c !== 9) i++;
    out.push(pool.plainRun(text, start, i));
  }
  return out;
}

/**
 * Whether a line read as `node`, with no finding of its own, reads after an edit above it (that
 * left the state it is read in as it was) as movedNodeMaker makes it from its node: a blank,
 * command or chain line. (The lines readLine reads again rather than moves, those with extras, a
 * counter that is no pair or words kept as read, come with a finding or read again the same.)
 */
function movable(node: LineNode): boolean {
  return node.kind === 'blank' || node.kind === 'command' || node.kind === 'chain';
}

/**
 * How the lines an edit only moved are made (see ChunkedArray.thenMoved): a movable line's node
 * (see movable) on line `at` of a version whose texts are `texts` and whose blocks are `blocks`, in
 * the block that holds that line, as readLine makes it. A function of its own, so that what it
 * holds is what it names: one made inside parseRuleset would hold everything the parse's closures
 * share (the previous version's nodes among them), for as long as a chunk is not made.
 */
function movedNodeMaker(texts: ChunkedArray<string>, blocks: readonly TableBlock[], format: FileFormat): (from: LineNode, at: number) => LineNode {
  return (from, at) => {
    if (from.kind === 'blank') return { kind: 'blank', line: at };
    const end = texts.get(at)!.length;
    const block = blockAt(blocks, at);
    // (the pieces of a line not made yet hold the node it was read as, the same text: a moved node of it)
    if (from instanceof CommandLineNode && from.end === end) return MovedCommandLineNode.of(at, format === 'save' ? block : undefined, from);
    if (from.kind === 'command') return movedCommand(from, at, end, format === 'save' ? block : undefined);
    if (from.kind === 'chain') return new ChainDeclNode(at, end, block?.name ?? 'filter', block, from.nameWord, from.policy, from.counters);
    throw new Error(`movedNodeMaker: a ${from.kind} line is not moved this way`);
  };
}

/** The node a line's node shows the parts of (a moved line's: the node it was read as; see MovedCommandLineNode). */
function readAs(n: LineNode): LineNode {
  return n instanceof MovedCommandLineNode ? n.base : n;
}

export function parseRuleset(text: string, opts: ParseOptions = {}): Ruleset {
  const findings: Finding[] = [];
  // (from the first line when the lines are given: the caller need not join the text to say it)
  const bom = (opts.lines ? (opts.lines.get(0) ?? '') : text).charCodeAt(0) === 0xfeff;
  if (bom) {
    findings.push(
      f('byte-order-mark', 'error', 'the file starts with a byte-order mark: iptables-restore reads those bytes as part of the first line and refuses it; save the file as UTF-8 without BOM', span(0, 0, 1)),
    );
  }
  const { lines, crLines } = opts.lines ? { lines: opts.lines, crLines: [] as readonly number[] } : splitLines(text);
  if (crLines.length) {
    findings.push(
      f(
        'carriage-return',
        'error',
        `${crLines.length === 1 ? 'this line ends' : `${crLines.length} lines end`} with a carriage return (Windows line ending): iptables-restore keeps it as part of the last word (\`ACCEPT\\r\` is no target); save the file with LF line endings`,
        span(crLines[0]!, lines.get(crLines[0]!)!.length, lines.get(crLines[0]!)!.length),
        { lines: crLines },
      ),
    );
  }
  // the BOM stays in line 0 so that columns match the editor's; reading starts after it
  const content = (ln: number) => (bom && ln === 0 ? lines.get(0)!.slice(1) : lines.get(ln)!);
  const contents = bom ? ChunkedArray.build(lines.length, content) : lines;
  const prior = opts.previous ? LINE_PARSES.get(opts.previous) : undefined;
  // the lines at the start that are the previous version's strings (the chunks a version made by
  // an edit shares with the one before are passed over)
  const sameStart = prior ? lines.firstDifference(prior.texts) : 0;
  const { family, source } = familyOf(contents, opts, prior, sameStart);
  const format: FileFormat = contents.some((l) => l.startsWith('*')) ? 'save' : 'commands';
  /** Each line's node: the previous version's list with the lines read again put in, after an edit. */
  let nodes: ChunkedArray<LineNode>;
  /** The command lines in line order, when read whole (an edit leaves them to the ruleset to find when asked). */
  let commands: CommandLine[] | undefined = [];
  let comments: CommentLine[] = [];
  let block: TableBlock | undefined;
  let blocks: TableBlock[] = [];
  const priorSame = prior && prior.family === family && prior.format === format ? prior : undefined;
  const priorNodes = priorSame ? opts.previous!.lines : undefined;
  // the lines the previous version had at the same place: those before the first difference, and
  // those after the last one when the edit kept the number of lines
  let same = 0;
  let sameFrom = lines.length;
  // lines from sameFrom on are the previous version's lines from sameFrom - shift on (an edit that
  // inserted or deleted lines moved them by shift)
  let shift = 0;
  // no table header or COMMIT among the lines in between: every block starts and ends where it did,
  // so the previous version's blocks, and the chain and command lines that point to them, stay
  let sameBlocks = false;
  if (priorSame) {
    const old = priorSame.texts;
    same = sameStart;
    if (lines.length === old.length) {
      sameFrom = lines.lastDifference(old, same);
      sameBlocks = !opensOrCloses(lines, same, sameFrom) && !opensOrCloses(old, same, sameFrom);
    } else {
      shift = lines.length - old.length;
      sameFrom = sameSuffixFrom(lines, old, same, sharedEndFrom(lines, old));
    }
  }
  /** The previous version's number of line ln, when that version had the same line there (before or after what the edit replaced); -1 otherwise. */
  const oldLineOf = (ln: number) => (ln < same ? ln : ln >= sameFrom ? ln - shift : -1);
  let extras = new Map<number, LineExtra>();
  let wideDecls = new Set<number>();
  /** The findings of single lines, in line order (the file's own findings go before and after them). */
  let lineFindings: Finding[] = [];
  // the block being read (`committed`: its COMMIT has been read), and where each block ends
  let committed = false;
  let ends = new Map<TableBlock, BlockEnd>();
  const pool = new WordPool();
  const options = new OptionPool();
  /** The last line read was made from its previous node on another line, as it was (see carried: no need to ask). */
  let fromMoved = false;

  /**
   * Read line ln in the state the lines before it left (the block, whether it is committed): its
   * node, its findings into lineFindings, what else it left into extras and wideDecls.
   */
  const readLine = (ln: number): LineNode => {
    fromMoved = false;
    const full = lines.get(ln)!;
    const base = bom && ln === 0 ? 1 : 0;
    const raw = contents.get(ln)!;
    // the previous version's node for this line, when the edit left the line alone (`moved`: it
    // is on another line now, so its node is made again from the old one's parts, with its line)
    const oldLine = oldLineOf(ln);
    const old = oldLine >= 0 ? priorNodes!.get(oldLine) : undefined;
    const moved = oldLine !== ln;
    if (old) {
      // a command line an edit moved, read before without a finding of its own (its nodes holding
      // its words, its counters a pair) in the same table: what the command-line path below does
      // for it, without looking at its text again (the same text, which made a command line then:
      // every line below a line put in near the top of a 100 000-line file comes here)
      if (
        moved &&
        old.kind === 'command' &&
        old.command !== undefined &&
        old.keptWords === undefined &&
        (old.counters === undefined || COUNTER_PAIR.test(old.counters.text)) &&
        (old.block?.name ?? 'filter') === (block?.name ?? 'filter') &&
        !priorSame!.extras.has(oldLine)
      ) {
        outsideTable(ln, full.length);
        fromMoved = true;
        return movedCommand(old, ln, full.length, block && format === 'save' ? block : undefined);
      }
      // in a context that gives it the same reading and no finding: its node as it was, or made
      // again on its new line (the paths below reach the same result, at the cost of reading it)
      if (old.kind === 'comment' ? raw.charCodeAt(0) === 0x23 : old.kind === 'blank' && raw.length === 0) {
        if (!moved) return old;
        return old.kind === 'blank' ? { kind: 'blank', line: ln } : { kind: 'comment', line: ln, span: span(ln, 0, full.length), text: raw };
      }
      if (
        !moved &&
        old.kind === 'command' &&
        old.command !== undefined &&
        old.block === block &&
        (format !== 'save' || (block !== undefined && !committed)) &&
        !priorSame!.extras.has(oldLine) &&
        (old.keptWords === undefined || old.keptWords.length <= MAX_RESTORE_WORDS) &&
        (old.counters === undefined || COUNTER_PAIR.test(old.counters.text))
      ) {
        return old;
      }
    }
    if (raw.length === 0) {
      return { kind: 'blank', line: ln };
    }
    const c0 = raw.charCodeAt(0);
    if ((c0 === 0x20 || c0 === 0x09) && /^[ \t]+$/.test(raw)) {
      if (format === 'save') {
        lineFindings.push(f('blank-line-with-spaces', 'error', 'a line holding only blanks makes iptables-restore fail ("no command specified"); leave it empty', span(ln, 0, full.length)));
      }
      return { kind: 'blank', line: ln };
    }
    if (raw.startsWith('#')) {
      return { kind: 'comment', line: ln, span: span(ln, 0, full.length), text: raw };
    }
    if ((c0 === 0x20 || c0 === 0x09) && /^[ \t]+#/.test(raw)) {
      if (format === 'save') {
        lineFindings.push(f('indented-comment', 'error', 'iptables-restore treats `#` as a comment only in the first column; remove the blanks before it', span(ln, 0, full.length)));
      }
      return { kind: 'comment', line: ln, span: span(ln, 0, full.length), text: raw.trim() };
    }

    if (raw.startsWith('*')) {
      const words = plainWords(full, base + 1, pool);
      const name = words[0]?.text ?? '';
      const nameWord: Word = words[0] ?? { text: '', start: base + 1, end: base + 1, quoted: false };
      if (block && !committed) {
        lineFindings.push(
          f('missing-commit', 'error', `the *${block.name} block is not closed: add COMMIT before *${name || 'this header'}`, span(ln, 0, full.length), { insertBefore: ln }),
        );
        ends.set(block, { endLine: ln - 1 });
      }
      // the previous version's block when its header is where it was (where it ends is this version's: see ends)
      const reused = old?.kind === 'table' && !moved ? old : undefined;
      const tb: TableBlock = reused ?? { kind: 'table', name, nameWord, line: ln, span: span(ln, 0, full.length) };
      if (!name) lineFindings.push(f('unknown-table', 'error', 'a `*` line needs a table name: filter, nat, mangle, raw or security', span(ln, 0, full.length)));
      else if (!findTable(name)) {
        lineFindings.push(f('unknown-table', 'error', `unknown table \`${name}\`: iptables has filter, nat, mangle, raw and security`, spanAt(ln, nameWord)));
      }
      if (words.length > 1) {
        lineFindings.push(f('ignored-text', 'warning', `iptables-restore ignores everything after the table name`, span(ln, words[1]!.start, full.length)));
      }
      const earlier = blocks.find((b) => b.name === name);
      if (earlier && name) {
        lineFindings.push(
          f('table-redefined', 'warning', `*${name} appears a second time (first at line ${earlier.line + 1}): iptables-restore flushes the table again here, so the first block's rules are lost`, spanAt(ln, nameWord)),
        );
      }
      block = tb;
      ends.set(tb, { endLine: ln });
      committed = false;
      blocks.push(tb);
      return tb;
    }

    if (raw.startsWith(':')) {
      // the same line in the same block: its node as it was (its findings are worked out again)
      const reused = old?.kind === 'chain' && !priorSame!.wideDecls.has(oldLine) ? old : undefined;
      let decl: ChainDecl;
      let fourth: Word | undefined;
      if (reused && reused.block === block && !moved) decl = reused;
      else if (reused) {
        decl = new ChainDeclNode(ln, full.length, block?.name ?? 'filter', block, reused.nameWord, reused.policy, reused.counters);
        // moved, read before without a finding in a block of the same table, open as this one is:
        // none now either (its findings follow from its words and that), without checking them
        // again (the 35 000 chain lines of a kube-proxy file below a line put in near the top)
        if (moved && block && !committed && reused.block?.name === block.name && !hasFindingOn(priorSame!.lineFindings, oldLine)) return decl;
      } else {
        const words = plainWords(full, base + 1, pool);
        decl = new ChainDeclNode(ln, full.length, block?.name ?? 'filter', block, words[0] ?? { text: '', start: base + 1, end: base + 1, quoted: false }, words[1], words[2]);
        fourth = words[3];
        if (fourth) wideDecls.add(ln);
      }
      const { nameWord, policy, counters } = decl;
      if (!block) {
        lineFindings.push(f('outside-table', 'error', 'a chain line must come after a `*table` header (iptables-restore fails here)', span(ln, 0, full.length)));
      } else if (committed) {
        lineFindings.push(f('outside-table', 'error', `this chain line comes after COMMIT of *${block.name}: start a new \`*table\` block first`, span(ln, 0, full.length)));
      }
      checkChainName(nameWord, ln, lineFindings);
      const builtin = isBuiltinChain(decl.table, nameWord.text);
      if (!policy) {
        lineFindings.push(f('chain-policy', 'error', `\`:${nameWord.text}\` needs a policy: ${builtin ? 'ACCEPT or DROP' : '`-` for a user chain'} (iptables-restore says "policy invalid")`, spanAt(ln, nameWord)));
      } else if (builtin) {
        if (policy.text !== '-' && policy.text !== 'ACCEPT' && policy.text !== 'DROP') {
          lineFindings.push(f('chain-policy', 'error', `a built-in chain's policy is ACCEPT or DROP (upper case), not \`${policy.text}\``, spanAt(ln, policy)));
        }
      } else if (policy.text !== '-') {
        lineFindings.push(f('chain-policy', 'warning', `user chains have no policy: \`${policy.text}\` is ignored; write \`-\`. A packet that reaches the end of ${nameWord.text} returns to the calling chain`, spanAt(ln, policy)));
      }
      if (counters && !COUNTER_PAIR.test(counters.text)) {
        lineFindings.push(f('counters', 'warning', `\`${counters.text}\` is not a \`[packets:bytes]\` counter pair; iptables-restore reads it as zero`, spanAt(ln, counters)));
      }
      if (fourth) lineFindings.push(f('ignored-text', 'warning', 'iptables-restore ignores everything after the counters', span(ln, fourth.start, full.length)));
      return decl;
    }

    if (raw.startsWith('COMMIT')) {
      if (raw === 'COMMIT') {
        const node: LineNode = { kind: 'commit', line: ln, span: span(ln, 0, full.length), ...(block ? { block } : {}) };
        if (!block || committed) {
          lineFindings.push(f('outside-table', 'error', 'COMMIT without an open `*table` block', span(ln, 0, full.length)));
        } else {
          committed = true;
          ends.set(block, { endLine: ln, commitLine: ln });
        }
        return node;
      }
      if (/^COMMIT[ \t]+$/.test(raw)) {
        const node: LineNode = { kind: 'commit', line: ln, span: span(ln, 0, full.length), ...(block ? { block } : {}) };
        lineFindings.push(f('commit-trailing-blank', 'error', 'iptables-restore recognises COMMIT only when nothing follows it on the line; remove the trailing blanks', span(ln, base + 6, full.length)));
        if (block && !committed) {
          committed = true;
          ends.set(block, { endLine: ln, commitLine: ln });
        }
        return node;
      }
    }

    // a command line: optional [packets:bytes], then the words
    let from = base;
    let counters: Word | undefined;
    let lead = base;
    for (let c = full.charCodeAt(lead); c === 0x20 || c === 0x09; c = full.charCodeAt(++lead));
    if (full[lead] === '[') {
      const close = full.indexOf(']', lead);
      if (close < 0) {
        lineFindings.push(f('counters', 'error', 'the `[packets:bytes]` counters are missing their closing `]`', span(ln, lead, full.length)));
        from = full.length;
      } else {
        counters = pool.of(full.slice(lead, close + 1), lead, close + 1, false);
        if (!COUNTER_PAIR.test(counters.text)) {
          lineFindings.push(f('counters', 'warning', `\`${counters.text}\` is not a \`[packets:bytes]\` counter pair; iptables-restore reads it as zero`, spanAt(ln, counters)));
        }
        from = close + 1;
      }
    }
    const table = block?.name ?? 'filter';
    // the same text is read from the same offset wherever it is (the counters and a BOM are part
    // of the text; findings carry the line, and are moved with it), so text and context decide
    // whether the old reading still holds
    const reuse = old && old.kind === 'command' && (old.block?.name ?? 'filter') === table ? old : undefined;
    const oldExtra = reuse ? priorSame!.extras.get(oldLine) : undefined;
    const blockOf = block && format === 'save' ? block : undefined;
    if (reuse && oldExtra === undefined && reuse.keptWords === undefined && reuse.command !== undefined) {
      // read before without a finding of its own, its nodes holding its words (so at most
      // MAX_RESTORE_WORDS of them, none too long, no open quote): only its place can be wrong now
      outsideTable(ln, full.length);
      return reuse.block === blockOf && !moved ? reuse : movedCommand(reuse, ln, full.length, blockOf);
    }
    const tok = reuse ? { words: oldExtra?.words ?? wordsOf(reuse), unterminatedQuote: oldExtra?.unterminatedQuote } : tokenizeLine(full, from, full.length, pool);
    if (tok.unterminatedQuote !== undefined) {
      lineFindings.push(
        f('unterminated-quote', 'warning', 'this quote is never closed: iptables-restore takes the rest of the line, options included, as one value', span(ln, tok.unterminatedQuote, full.length)),
      );
    }
    // a line of absurd length is read up to MAX_WORDS_READ words, so its cost stays bounded
    const words = tok.words.length > MAX_WORDS_READ ? tok.words.slice(0, MAX_WORDS_READ) : tok.words;
    if (words !== tok.words) {
      lineFindings.push(
        f('ignored-text', 'warning', `this line has ${tok.words.length} words: iptables-lens reads the first ${MAX_WORDS_READ} and ignores the rest (no real rule comes near; iptables-restore refuses more than ${MAX_RESTORE_WORDS})`, span(ln, tok.words[MAX_WORDS_READ]!.start, tok.words[tok.words.length - 1]!.end)),
      );
    }
    // (a reused line had its words looked at when it was read: again only if one was too long)
    let longWords = false;
    if (!reuse || oldExtra?.longWords) {
      for (const w of words) {
        if (w.text.length > MAX_WORD_LENGTH) {
          longWords = true;
          lineFindings.push(f('syntax', 'error', `a single word of ${w.text.length} characters: iptables-restore refuses words longer than ${MAX_WORD_LENGTH} ("Parameter too long")`, spanAt(ln, w)));
        }
      }
    }
    if (format === 'save' && tok.words.length > MAX_RESTORE_WORDS) {
      const extra = tok.words[MAX_RESTORE_WORDS]!;
      lineFindings.push(
        f('syntax', 'error', `${tok.words.length} words on one line: iptables-restore reads at most ${MAX_RESTORE_WORDS} ("Parser cannot handle more arguments") and refuses the file`, span(ln, extra.start, tok.words[tok.words.length - 1]!.end)),
      );
    }
    const parsed = reuse ? parsedOf(reuse, oldExtra, ln) : parseCommandWords(words, { family, format, table, line: ln, pool, options });
    // a loop, not push(...): a line of a million words has a million findings, more than a call takes arguments
    const listed = Math.min(parsed.findings.length, MAX_FINDINGS_PER_LINE);
    for (let k = 0; k < listed; k++) lineFindings.push(parsed.findings[k]!);
    if (parsed.findings.length > listed) {
      const last = lineFindings[lineFindings.length - 1]!;
      lineFindings[lineFindings.length - 1] = { ...last, message: `${last.message} (and ${parsed.findings.length - listed} more problems on this line, not listed)` };
    }
    // (one class for every command line read: one layout, see CommandLineNode; a moved line's node
    // shows the node it was read as, see movedCommand)
    // the previous node itself when it belongs to the same block: later stages know the line by it
    const cmd: CommandLine = reuse && reuse.block === blockOf && !moved ? reuse : CommandLineNode.of({
      line: ln,
      end: full.length,
      keptWords: reuse ? reuse.keptWords : keptWordsOf(words, tok.words, parsed),
      table: parsed.table,
      tableWord: parsed.tableWord,
      block: blockOf,
      counters,
      command: parsed.command,
      matches: parsed.matches,
      target: parsed.target,
      options: parsed.options,
      onlyFamily: parsed.onlyFamily,
    });
    if (words !== tok.words || tok.unterminatedQuote !== undefined || parsed.findings.length || longWords) {
      extras.set(ln, { words: tok.words, unterminatedQuote: tok.unterminatedQuote, findings: parsed.findings, longWords });
    }
    if (!parsed.command && words.length) {
      lineFindings.push(f('missing-command', 'error', 'no command on this line: a rule starts with -A CHAIN (or -I, -D, -N, -P...)', span(ln, words[0]!.start, words[words.length - 1]!.end)));
    }
    outsideTable(ln, full.length);
    return cmd;
  };

  /** The finding of a command line of a save file that is in no open table block. */
  const outsideTable = (ln: number, end: number): void => {
    if (format !== 'save') return;
    if (!block) lineFindings.push(f('outside-table', 'error', 'this rule comes before any `*table` header: iptables-restore fails here; add `*filter` (or the right table) above', span(ln, 0, end)));
    else if (committed) lineFindings.push(f('outside-table', 'error', `this rule comes after COMMIT of *${block.name}: start a new \`*table\` block first`, span(ln, 0, end)));
  };

  /** After an edit that inserted or deleted lines: the lines not carried over from the previous version (see carried). */
  const notCarried: number[] = [];
  /**
   * Whether line ln's node reads as the previous version's node of the same text did: the same
   * kind, and for a command line the same table (family and format are the previous version's).
   * Then it is that node, or one made from its parts on another line or in another block.
   */
  const carried = (ln: number, node: LineNode): boolean => {
    const oldLine = oldLineOf(ln);
    const o = oldLine >= 0 ? priorNodes!.get(oldLine) : undefined;
    if (o === undefined || o.kind !== node.kind) return false;
    return node.kind !== 'command' || (node.block?.name ?? 'filter') === ((o as CommandLine).block?.name ?? 'filter');
  };

  /** The lines an edit above them cannot simply move (see LineParses.irregular), ascending. */
  let irregular: number[] = [];
  /** readLine(ln), the line noted in `into` unless it is movable and has no finding of its own. */
  const readNoting = (ln: number, into: number[]): LineNode => {
    const before = lineFindings.length;
    const node = readLine(ln);
    if (lineFindings.length !== before || !movable(node)) into.push(ln);
    return node;
  };

  let rules: Rule[] | undefined;
  const incremental = !!priorSame && sameBlocks && !bom && lines.length === priorNodes!.length;
  if (incremental) {
    // an edit within blocks that stay as they were: the previous version's nodes, commands,
    // rules and line findings, with the lines from same to sameFrom read again in the state the
    // lines before them leave (every line outside is its previous node: see kept)
    const previous = opts.previous!;
    block = format === 'save' ? blockAt(priorSame.blocks, same) : undefined;
    committed = committedBefore(previous, block, same);
    // (no header or COMMIT among the lines read again: every block ends where it did)
    ends = new Map(previous.blockEnds);
    extras = new Map(priorSame.extras);
    wideDecls = new Set(priorSame.wideDecls);
    for (let ln = same; ln < sameFrom; ln++) {
      extras.delete(ln);
      wideDecls.delete(ln);
    }
    // (the chunks of the lines not read again are shared with the previous version's list: a copy
    // of the whole list per edit was 0.8 MB at 100 000 lines, kept as long as the version)
    const readAt: number[] = [];
    const readNodes: LineNode[] = [];
    const read: CommandLine[] = [];
    const readComments: CommentLine[] = [];
    const readIrregular: number[] = [];
    for (let ln = same; ln < sameFrom; ln++) {
      const node = readNoting(ln, readIrregular);
      readAt.push(ln);
      readNodes.push(node);
      if (node.kind === 'command') read.push(node);
      else if (node.kind === 'comment') readComments.push(node);
    }
    // (the command and rule lists are not made again: nothing the analysis of an edit does reads
    // them, and at 100 000 lines each is a megabyte of garbage per edit; see ParsedRuleset)
    commands = undefined;
    rules = undefined;
    comments = spliceByLine(previous.comments, (c) => c.line, same, sameFrom, readComments);
    lineFindings = spliceByLine(priorSame.lineFindings, findingLine, same, sameFrom, lineFindings);
    irregular = spliceByLine(priorSame.irregular, (ln) => ln, same, sameFrom, readIrregular);
    blocks = priorSame.blocks.slice();
    // the state the last line leaves: the last block, committed if its COMMIT was read
    block = blocks[blocks.length - 1];
    committed = block !== undefined && ends.get(block)?.commitLine !== undefined;
    nodes = previous.lines.with(readAt, readNodes);
  } else if (priorSame && shift !== 0 && !bom) {
    // an edit that put in or took out lines: the lines before it are the previous version's (read
    // in the same state, they read the same), with their nodes, findings and extras; the lines from
    // there on are read in the state those leave, the moved ones made from their previous nodes
    const previous = opts.previous!;
    block = format === 'save' ? blockAt(priorSame.blocks, same) : undefined;
    committed = committedBefore(previous, block, same);
    blocks = priorSame.blocks.filter((b) => b.line < same);
    // (the block open at the edit gets its end as its lines are read: its COMMIT, the next header
    // or the end of the file)
    for (const b of blocks) ends.set(b, previous.blockEnds.get(b)!);
    for (const [ln, x] of priorSame.extras) if (ln < same) extras.set(ln, x);
    for (const ln of priorSame.wideDecls) if (ln < same) wideDecls.add(ln);
    lineFindings = priorSame.lineFindings.filter((x) => x.span.line < same);
    comments = previous.comments.filter((c) => c.line < same);
    irregular = priorSame.irregular.slice(0, firstOnOrAfter(priorSame.irregular, (ln) => ln, same));
    const readOne = (ln: number): LineNode => {
      const node = readNoting(ln, irregular);
      if (!fromMoved && !carried(ln, node)) notCarried.push(ln);
      if (node.kind === 'comment') comments.push(node);
      return node;
    };
    // (each node read goes straight into the list's chunks: see headThenMade)
    const head = previous.lines.headThenMade(same, sameFrom, readOne);
    // the lines below the edit are the previous version's from line sameFrom - shift on; read in
    // the state that line was read in (the same block, committed or not), every one reads as it
    // did, on its new line: those movable (see movable) are made only when read (see thenMoved),
    // the others (headers, COMMITs, comments, lines with findings) are read now, in order
    const oldFrom = sameFrom - shift;
    const oldBlock = format === 'save' ? blockAt(priorSame.blocks, oldFrom) : undefined;
    const lazyFrom = Math.min(lines.length, Math.ceil(sameFrom / CHUNK_SIZE) * CHUNK_SIZE);
    if (lazyFrom < lines.length && block === oldBlock && committed === committedBefore(previous, oldBlock, oldFrom)) {
      const eager = head.headThenMade(sameFrom, lazyFrom, readOne);
      const givenAt: number[] = [];
      const given: LineNode[] = [];
      const old = priorSame.irregular;
      for (let k = firstOnOrAfter(old, (ln) => ln, lazyFrom - shift); k < old.length; k++) {
        const ln = old[k]! + shift;
        givenAt.push(ln);
        given.push(readOne(ln));
      }
      nodes = eager.thenMoved(lines.length, priorNodes!, shift, givenAt, given, movedNodeMaker(lines, blocks, format), readAs);
    } else nodes = head.headThenMade(sameFrom, lines.length, readOne);
    // (as after an edit within blocks: the command and rule lists are made when asked for)
    commands = undefined;
    rules = undefined;
  } else {
    const all: LineNode[] = [];
    for (let ln = 0; ln < lines.length; ln++) {
      const node = readNoting(ln, irregular);
      if (shift !== 0 && !fromMoved && !carried(ln, node)) notCarried.push(ln);
      all.push(node);
      if (node.kind === 'command') commands!.push(node);
      else if (node.kind === 'comment') comments.push(node);
    }
    rules = commands!.filter(isRule);
    nodes = ChunkedArray.of(all);
  }
  for (const x of lineFindings) findings.push(x);

  if (block && !committed) {
    let last = lines.length - 1;
    while (last > block.line && (lines.get(last)!.trim() === '' || lines.get(last)!.startsWith('#'))) last--;
    ends.set(block, { endLine: lines.length - 1 });
    findings.push(f('missing-commit', 'error', `the *${block.name} block is never committed: iptables-restore discards it ("COMMIT expected"); add COMMIT at the end`, span(last, 0, lines.get(last)!.length), { insertAfter: last }));
  }


  // after an edit that kept the number of lines: the lines whose node is not the previous one's
  let changed: number[] | undefined;
  if (priorNodes && priorNodes.length === nodes.length) {
    // (after an edit within blocks, the list shares every chunk but those of the lines read again)
    changed = nodes.differences(priorNodes, Infinity);
  }
  // an edit that only rewrote rules in place changes the previous tables where those rules are; one
  // that moved lines puts the nodes of their new lines in the previous tables' places
  const built =
    (changed && updateTables(priorSame!.tables, priorNodes!, nodes, changed, family)) ||
    (priorSame && shift !== 0 && !bom && moveTables(priorSame.tables, priorNodes!, nodes, { same, oldEnd: sameFrom - shift, newEnd: sameFrom, shift }, family, !notCarried.some((ln) => ln >= sameFrom))) ||
    buildTables(nodes, format, family);
  for (const x of built.findings) findings.push(x);

  const rs: Ruleset = new ParsedRuleset(family, source, format, lines.length, nodes, comments, built.tables, ends, findings, commands, rules);
  if (opts.previous) LINEAGES.set(rs, documentOf(opts.previous));
  LINE_PARSES.set(rs, { family, familySource: source, familyOpts: { family: opts.family, familySource: opts.familySource }, format, texts: lines, extras, wideDecls, tables: built, lineFindings, blocks, irregular });
  if (changed) recordAncestors(rs, opts.previous!, { changed });
  else if (priorSame && shift !== 0) recordAncestors(rs, opts.previous!, { changed: notCarried, shift: { from: sameFrom, by: shift } });
  return rs;
}

/**
 * A ruleset as the parser makes it. The lists of command lines and of rules are the line nodes of
 * those kinds, found when first asked for: a version made by an edit does not make them, since
 * the analysis of an edit reads only the lines it changed (each list was a copy of 100 000
 * entries per edit on a kube-proxy-sized file, a megabyte straight into the old generation that
 * brought the next full collection closer).
 */
class ParsedRuleset implements Ruleset {
  constructor(
    readonly family: Family,
    readonly familySource: Ruleset['familySource'],
    readonly format: FileFormat,
    readonly lineCount: number,
    readonly lines: ChunkedArray<LineNode>,
    readonly comments: readonly CommentLine[],
    readonly tables: ReadonlyMap<string, Table>,
    readonly blockEnds: ReadonlyMap<TableBlock, BlockEnd>,
    readonly findings: readonly Finding[],
    private commandList: readonly CommandLine[] | undefined,
    private ruleList: readonly Rule[] | undefined,
  ) {}

  get commands(): readonly CommandLine[] {
    return (this.commandList ??= this.lines.filter((n): n is CommandLine => n.kind === 'command'));
  }

  get rules(): readonly Rule[] {
    return (this.ruleList ??= this.commands.filter(isRule));
  }
}

/** Whether the COMMIT of `block` (in the version `rs`) comes before line ln. */
function committedBefore(rs: Ruleset, block: TableBlock | undefined, ln: number): boolean {
  const commit = block && rs.blockEnds.get(block)?.commitLine;
  return commit !== undefined && commit < ln;
}

/** The last block whose header comes before line ln. */
function blockAt(blocks: readonly TableBlock[], ln: number): TableBlock | undefined {
  return blocks[firstOnOrAfter(blocks, (b) => b.line, ln) - 1];
}

/** A list in line order with the items on lines [from, to) replaced by `mid` (themselves on those lines, in order). */
function spliceByLine<T>(list: readonly T[], lineOf: (x: T) => number, from: number, to: number, mid: readonly T[]): T[] {
  return replaceRange(list, firstOnOrAfter(list, lineOf, from), firstOnOrAfter(list, lineOf, to), mid);
}

/** The position of the first item of `list` (in line order) on line `ln` or after it (its length when none is). */
function firstOnOrAfter<T>(list: readonly T[], lineOf: (x: T) => number, ln: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (lineOf(list[m]!) < ln) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Whether a finding of `findings` (in line order) is on line `line`. */
function hasFindingOn(findings: readonly Finding[], line: number): boolean {
  const i = firstOnOrAfter(findings, findingLine, line);
  return i < findings.length && findings[i]!.span.line === line;
}

function findingLine(f: Finding): number {
  return f.span.line;
}

/**
 * For lists of different lengths (`lines` made from `old` by an edit that inserted or deleted
 * lines): the first line from which on `lines` ends as `old` does (the same strings, each moved by
 * the difference in length), at least `floor` in both lists' numbering. `known`: a line from which
 * on they are known to end alike (see line-splices.ts); the lines below it are not compared.
 */
function sameSuffixFrom(lines: ChunkedArray<string>, old: ChunkedArray<string>, floor: number, known?: number): number {
  const shift = lines.length - old.length;
  let i = known === undefined ? lines.length : Math.min(lines.length, Math.max(known, floor, floor + shift));
  let j = i - shift;
  while (i > floor && j > floor && lines.get(i - 1) === old.get(j - 1)) {
    i--;
    j--;
  }
  return i;
}

/** Whether a line in [from, to) starts or closes a table block (or carries a byte-order mark). */
function opensOrCloses(lines: ChunkedArray<string>, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const l = lines.get(i)!;
    if (l.charCodeAt(0) === 0xfeff || l.startsWith('*') || l.startsWith('COMMIT')) return true;
  }
  return false;
}

function checkChainName(word: Word, line: number, findings: Finding[]): void {
  const n = word.text;
  const w = spanAt(line, word);
  if (n === '') {
    findings.push(f('chain-name', 'error', 'missing chain name after `:`', w));
    return;
  }
  if (n.length > 28) findings.push(f('chain-name', 'error', `chain name \`${n}\` has ${n.length} characters; at most 28 are allowed`, w));
  if (n.startsWith('-')) findings.push(f('chain-name', 'error', 'a chain name may not start with `-`', w));
  if (['ACCEPT', 'DROP', 'RETURN', 'QUEUE'].includes(n) || (findTarget(n, 'ipv4') ?? findTarget(n, 'ipv6'))) {
    findings.push(f('chain-name', 'error', `\`${n}\` is the name of a target; a chain cannot be called that`, w));
  }
}
