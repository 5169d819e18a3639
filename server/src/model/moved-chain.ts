/**
 * A chain that an edit putting in or taking out lines only moved: none of its rules, declarations
 * or jumps to it was among the lines the edit replaced, so each of its lists holds the nodes of
 * the previous version's lines on their new lines. The lists are made when first read: a line put
 * in near the top of a kube-proxy file moves 35 000 chains (three lists each) of which the checks
 * of the edit read a few, and making them all was half of the parse of a line edit.
 *
 * Until its lists are made, the chain holds the lines of the chain it was last read from (its
 * root) and where those lines are now; a chain moved again before it is read adds the edit's
 * moves to those, and holds the same root (written again where its lines are once the moves grow
 * long, see MAX_RUNS).
 */
import type { Chain, ChainDecl, CommandLine, LineNode, MovedLines, Rule, Span } from './ruleset';
import { movedLine } from './ruleset';
import type { ReadList } from './chunked-array';
import { insertionPoint } from './insertion-point';

/**
 * Where each line of a root's version is after some edits that put in or took out lines: a list of
 * runs of lines, in order, each moved by its own amount (the lines between runs were replaced). An
 * edit splits at most one run, so the list grows by one run an edit at most.
 */
export class LineMoves {
  private constructor(
    /** First line of each run, in the root's numbering (ascending). */
    private readonly starts: readonly number[],
    /** One past each run's last line (Infinity for the last run when it goes on to the end). */
    private readonly ends: readonly number[],
    /** How far each run moved. */
    private readonly by: readonly number[],
  ) {}

  /** The moves of one edit. */
  static of(m: MovedLines): LineMoves {
    return new LineMoves([0], [Infinity], [0]).then(m);
  }

  /** These moves followed by those of the edit `m`. */
  then(m: MovedLines): LineMoves {
    const starts: number[] = [];
    const ends: number[] = [];
    const by: number[] = [];
    const put = (a: number, b: number, d: number) => {
      if (a >= b) return;
      starts.push(a);
      ends.push(b);
      by.push(d);
    };
    for (let i = 0; i < this.starts.length; i++) {
      const a = this.starts[i]!;
      const b = this.ends[i]!;
      const d = this.by[i]!;
      // (the run's lines are on a + d to b + d now: those above the edit stay, those below move)
      put(a, Math.min(b, m.same - d), d);
      put(Math.max(a, m.oldEnd - d), b, d + m.shift);
    }
    return new LineMoves(starts, ends, by);
  }

  /** How many runs of lines the moves hold. */
  get runCount(): number {
    return this.starts.length;
  }

  /** The line that line `l` of the root's version is on now (-1 for a line replaced since). */
  lineOf(l: number): number {
    // (the last run starting at l or before: lines are whole numbers)
    const i = insertionPoint(this.starts, l + 1) - 1;
    return i >= 0 && l < this.ends[i]! ? l + this.by[i]! : -1;
  }
}

/**
 * What a moved chain's lists are made from: the parts of the chain it was last read from (its
 * root), its nodes by their lines only (holding the nodes would keep those of the root's version
 * alive as long as the chain is not read: a rule node per line of an old version).
 */
interface Root {
  readonly name: string;
  readonly table: string;
  readonly builtin: boolean;
  readonly policy: string | undefined;
  readonly policySpan: Span | undefined;
  /** How many declarations and rules, then the lines of the declarations, rules and references (the root's numbering). */
  readonly lines: readonly number[];
}

/** The root of a chain read (see Root). */
function rootOf(c: Chain): Root {
  const { declarations, rules, references } = c;
  // (at its size: kept as long as the chain is not read)
  const lines = new Array<number>(2 + declarations.length + rules.length + references.length);
  lines[0] = declarations.length;
  lines[1] = rules.length;
  // (indexed: a for-of makes an iterator result per node until V8 optimizes the loop, and the first
  // line put in above them makes a root for each of the 35 000 chains of a kube-proxy node)
  let k = 2;
  for (let i = 0; i < declarations.length; i++) lines[k++] = declarations[i]!.line;
  for (let i = 0; i < rules.length; i++) lines[k++] = rules[i]!.line;
  for (let i = 0; i < references.length; i++) lines[k++] = references[i]!.line;
  return { name: c.name, table: c.table, builtin: c.builtin, policy: c.policy, policySpan: c.policySpan, lines };
}

/**
 * The runs of lines a chain's moves may hold: a chain moved again after that many edits without
 * being read gets its root's lines written where they are now, and starts its moves again. Each
 * edit that puts in a line adds a run, and chains left unread since different edits each hold
 * moves of their own: without a bound, lines would be looked up through ever longer lists, kept
 * alive as long as any such chain.
 */
const MAX_RUNS = 64;

/** `root` with its lines written where `moves` put them (none of them replaced). */
function movedRoot(root: Root, moves: LineMoves): Root {
  const lines = root.lines.slice();
  for (let k = 2; k < lines.length; k++) lines[k] = moves.lineOf(lines[k]!);
  const span = root.policySpan;
  return { ...root, policySpan: span && { line: moves.lineOf(span.line), start: span.start, end: span.end }, lines };
}

export class MovedChain implements Chain {
  /** One past the last line any of its nodes is on (see endOf). */
  readonly end: number;
  /** Until the lists are made: the root they are made from. Then: a chain holding them. */
  private source: Root | Chain;
  /** Where the root's lines are now (undefined once the lists are made). */
  private moves: LineMoves | undefined;
  /** The nodes of this version's lines (undefined once the lists are made). */
  private nodes: ReadList<LineNode> | undefined;

  private constructor(root: Root, moves: LineMoves, nodes: ReadList<LineNode>, end: number) {
    this.source = root;
    this.moves = moves;
    this.nodes = nodes;
    this.end = end;
  }

  /**
   * Chain `c` of the previous version after the move `m` (none of its lines replaced), its lines'
   * nodes being those of `nodes`. `movesAfter` gives a chain's moves followed by the edit's (from
   * the root's version when undefined; the same object for the same moves, so that the chains of
   * one edit share them). `endBefore`: endOf(c), when the caller has it.
   */
  static of(c: Chain, m: MovedLines, nodes: ReadList<LineNode>, movesAfter: (before: LineMoves | undefined) => LineMoves, endBefore = endOf(c)): MovedChain {
    const end = movedLine(m, endBefore - 1) + 1;
    if (c instanceof MovedChain && c.moves !== undefined) {
      const root = c.source as Root;
      if (c.moves.runCount < MAX_RUNS) return new MovedChain(root, movesAfter(c.moves), nodes, end);
      return new MovedChain(movedRoot(root, c.moves), movesAfter(undefined), nodes, end);
    }
    return new MovedChain(rootOf(c), movesAfter(undefined), nodes, end);
  }

  // (the root's name, table and policy are the chain's: an edit that changes them renews the chain)
  get name(): string {
    return this.source.name;
  }

  get table(): string {
    return this.source.table;
  }

  get builtin(): boolean {
    return this.source.builtin;
  }

  get policy(): string | undefined {
    return this.source.policy;
  }

  /** How many rules it has (see ruleCountOf). */
  get ruleCount(): number {
    return this.moves === undefined ? (this.source as Chain).rules.length : (this.source as Root).lines[1]!;
  }

  get declarations(): (ChainDecl | CommandLine)[] {
    return this.lists().declarations;
  }

  get rules(): Rule[] {
    return this.lists().rules;
  }

  get references(): Rule[] {
    return this.lists().references;
  }

  get policySpan(): Span | undefined {
    return this.lists().policySpan;
  }

  /** Whether the lists are made (for tests). */
  get read(): boolean {
    return this.moves === undefined;
  }

  /** How many runs of lines its moves hold, 0 once read (for tests). */
  get moveRuns(): number {
    return this.moves?.runCount ?? 0;
  }

  private lists(): Chain {
    // (the lists made, as after the first read, without a call to make: a function that makes a
    // closure gets a context on each call, even one that returns before it; the checks read a
    // moved chain's rules hundreds of thousands of times per edit, and each read left about 60
    // bytes of garbage: 8 MB of each line put in above the Docker-like file's nat chains)
    return this.moves === undefined ? (this.source as Chain) : this.make(this.moves);
  }

  /** Makes the lists from the root and the moves (see lists). */
  private make(moves: LineMoves): Chain {
    const nodes = this.nodes!;
    const root = this.source as Root;
    const { lines } = root;
    const nodesOn = <T extends LineNode>(from: number, to: number): T[] => {
      const out = new Array<T>(to - from);
      for (let i = from; i < to; i++) out[i - from] = nodes.get(moves.lineOf(lines[i]!)) as T;
      return out;
    };
    const rulesFrom = 2 + lines[0]!;
    const refsFrom = rulesFrom + lines[1]!;
    const span = root.policySpan;
    // (what the lists were made from is let go)
    this.source = {
      name: root.name,
      table: root.table,
      builtin: root.builtin,
      policy: root.policy,
      policySpan: span && { line: moves.lineOf(span.line), start: span.start, end: span.end },
      declarations: nodesOn(2, rulesFrom),
      rules: nodesOn(rulesFrom, refsFrom),
      references: nodesOn(refsFrom, lines.length),
    };
    this.moves = undefined;
    this.nodes = undefined;
    return this.source;
  }
}

/** One past the last line of chain `c`'s declarations, rules and the rules that jump to it (0 for none). */
export function endOf(c: Chain): number {
  if (c instanceof MovedChain) return c.end;
  let end = 0;
  // (the rules of a file of appended rules are in line order: the last is the lowest down)
  const last = c.rules[c.rules.length - 1];
  if (last) end = last.line + 1;
  // (indexed, as in rootOf: asked of every chain below the first line put in)
  const { declarations, references } = c;
  for (let i = 0; i < declarations.length; i++) end = Math.max(end, declarations[i]!.line + 1);
  for (let i = 0; i < references.length; i++) end = Math.max(end, references[i]!.line + 1);
  return end;
}

/** How many rules chain `c` has (without making a moved chain's lists). */
export function ruleCountOf(c: Chain): number {
  return c instanceof MovedChain ? c.ruleCount : c.rules.length;
}
