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
import type { ChainMap } from './chain-map';
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

  /** No move at all (the lines where they are). */
  static readonly NONE = new LineMoves([0], [Infinity], [0]);

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
  /**
   * For each reference, the place of its chain in the table's order (see ChainMap.positionOf), when
   * known without reading the references: a chain jumps were put into knows them (see renewed).
   */
  readonly refPlaces?: readonly number[];
}

/** The places of the chains of the references of chain `c` (read), by `placeOf`. */
function placesOf(c: Chain, placeOf: (chain: string) => number): number[] {
  const refs = c.references;
  const out = new Array<number>(refs.length);
  for (let k = 0; k < refs.length; k++) out[k] = placeOf(refs[k]!.chain);
  return out;
}

/**
 * Chains that many rules jump to get the places of those rules' chains in their root (see
 * Root.refPlaces), so that the chain graph reads them and an edit puts jumps in without making
 * the list of references (for fewer, making it costs less than the places for every chain).
 */
const PLACES_FROM = 64;

/** The root of a chain read (see Root), with the places of its references' chains when it has many and `placeOf` is given. */
function rootOf(c: Chain, placeOf?: (chain: string) => number): Root {
  // (the references of a moved chain that left them for later are taken by their lines, without
  // making them: see MovedChain.make)
  const deferred = c instanceof MovedChain ? c.referencesLeft() : undefined;
  const { declarations, rules } = c;
  const references = deferred === undefined ? c.references : undefined;
  const refCount = deferred === undefined ? references!.length : deferred.lines.length;
  // (at its size: kept as long as the chain is not read)
  const lines = new Array<number>(2 + declarations.length + rules.length + refCount);
  lines[0] = declarations.length;
  lines[1] = rules.length;
  // (indexed: a for-of makes an iterator result per node until V8 optimizes the loop, and the first
  // line put in above them makes a root for each of the 35 000 chains of a kube-proxy node)
  let k = 2;
  for (let i = 0; i < declarations.length; i++) lines[k++] = declarations[i]!.line;
  for (let i = 0; i < rules.length; i++) lines[k++] = rules[i]!.line;
  if (references) for (let i = 0; i < references.length; i++) lines[k++] = references[i]!.line;
  else for (let i = 0; i < refCount; i++) lines[k++] = deferred!.lines[i]!;
  const root: Root = { name: c.name, table: c.table, builtin: c.builtin, policy: c.policy, policySpan: c.policySpan, lines };
  const refPlaces = deferred ? deferred.places : placeOf && refCount >= PLACES_FROM ? placesOf(c, placeOf) : undefined;
  return refPlaces ? { ...root, refPlaces } : root;
}

/**
 * A chain built by a parse (not a moved one) held as the root of a chain that an edit moved, until
 * its lines are asked for: its lists give them. The first line put in near the top of a
 * kube-proxy-like file moves its 35 000 chains, and writing the lines of each into a root of its
 * own was most of that edit's parse, for chains most of which are never read. Only chains of
 * fewer than HELD_BELOW rules and PLACES_FROM references are held: holding a chain keeps the
 * nodes of its version's lines it holds alive (a held chain, its lists of nodes, takes more than a
 * root's list of lines: about 5 MB more is kept on the kube-like 100k file after line edits).
 */
class Held {
  constructor(readonly chain: Chain) {}

  get name(): string {
    return this.chain.name;
  }

  get table(): string {
    return this.chain.table;
  }

  get builtin(): boolean {
    return this.chain.builtin;
  }

  get policy(): string | undefined {
    return this.chain.policy;
  }

  get policySpan(): Span | undefined {
    return this.chain.policySpan;
  }
}

/** Rules up to which a chain built by a parse is held as the root of the chain an edit moved (see Held). */
const HELD_BELOW = 1024;

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
  private source: Root | Held | Made;
  /** Where the root's lines are now (undefined once the lists are made). */
  private moves: LineMoves | undefined;
  /** The nodes of this version's lines (undefined once the lists are made). */
  private nodes: ReadList<LineNode> | undefined;

  private constructor(root: Root | Held, moves: LineMoves, nodes: ReadList<LineNode>, end: number) {
    this.source = root;
    this.moves = moves;
    this.nodes = nodes;
    this.end = end;
  }

  /**
   * Chain `c` of the previous version after the move `m` (none of its lines replaced), its lines'
   * nodes being those of `nodes`. `movesAfter` gives a chain's moves followed by the edit's (from
   * the root's version when undefined; the same object for the same moves, so that the chains of
   * one edit share them). `endBefore`: endOf(c), when the caller has it. `placeOf`: the place of a
   * chain in the table's order (see Root.refPlaces).
   */
  static of(c: Chain, m: MovedLines, nodes: ReadList<LineNode>, movesAfter: (before: LineMoves | undefined) => LineMoves, endBefore = endOf(c), placeOf?: (chain: string) => number): MovedChain {
    return MovedChain.movedTo(c, movedLine(m, endBefore - 1) + 1, nodes, movesAfter, placeOf);
  }

  /** Chain `c` after moves that `movesAfter` adds to its own (see of), `end` one past its last line after them. */
  static movedTo(c: Chain, end: number, nodes: ReadList<LineNode>, movesAfter: (before: LineMoves | undefined) => LineMoves, placeOf?: (chain: string) => number): MovedChain {
    if (c instanceof MovedChain && c.moves !== undefined) {
      if (c.moves.runCount < MAX_RUNS) return new MovedChain(c.source as Root | Held, movesAfter(c.moves), nodes, end);
      return new MovedChain(movedRoot(c.root(), c.moves), movesAfter(undefined), nodes, end);
    }
    const held = !(c instanceof MovedChain) && c.rules.length < HELD_BELOW && c.references.length < PLACES_FROM;
    return new MovedChain(held ? new Held(c) : rootOf(c, placeOf), movesAfter(undefined), nodes, end);
  }

  /**
   * Its lines' nodes read from `nodes` from now on: the list of a later version in which this
   * chain is the same object (none of its lines, nor those of the rules that jump to it, moved or
   * was replaced since), which holds the same node on each of them. Until then the chain held the
   * list of the version it was made for, and every node made in that list: a chain above the edits
   * that followed kept an old version's lines alive (70 000 moved nodes of the Docker-like file's,
   * besides the current version's, after 20 line edits).
   */
  readThrough(nodes: ReadList<LineNode>): void {
    if (this.nodes !== undefined) this.nodes = nodes;
    const later = (this.source as Partial<Made>).later;
    if (later !== undefined) (this.source as Made).later = { ...later, nodes };
  }

  /** The root of a chain not read yet, its lines written out if it was held (see Held). */
  private root(): Root {
    const source = this.source as Root | Held;
    if (!(source instanceof Held)) return source;
    const root = rootOf(source.chain);
    this.source = root;
    return root;
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
    if (this.moves === undefined) return (this.source as Made).rules.length;
    return this.source instanceof Held ? this.source.chain.rules.length : (this.source as Root).lines[1]!;
  }

  get declarations(): (ChainDecl | CommandLine)[] {
    return this.lists().declarations;
  }

  get rules(): Rule[] {
    return this.lists().rules;
  }

  get references(): Rule[] {
    const made = this.lists();
    return made.references ?? this.madeReferences(made);
  }

  get policySpan(): Span | undefined {
    return this.lists().policySpan;
  }

  /** The line of its first declaration, -1 for none (without making its lists). */
  get firstDeclarationLine(): number {
    if (this.moves === undefined) return (this.source as Made).declarations[0]?.line ?? -1;
    if (this.source instanceof Held) {
      const first = this.source.chain.declarations[0];
      return first ? this.moves.lineOf(first.line) : -1;
    }
    const { lines } = this.source as Root;
    return lines[0]! > 0 ? this.moves.lineOf(lines[2]!) : -1;
  }

  /** How many rules jump or go to it (see referenceCountOf). */
  get referenceCount(): number {
    if (this.moves === undefined) {
      const made = this.source as Made;
      return made.references?.length ?? made.later!.lines.length;
    }
    if (this.source instanceof Held) return this.source.chain.references.length;
    const { lines } = this.source as Root;
    return lines.length - 2 - lines[0]! - lines[1]!;
  }

  /** The chain of its k-th reference (see referenceChainOf). */
  referenceChain(k: number, chains: ChainMap): string {
    const places = this.moves === undefined ? (this.source as Made).later?.places : this.source instanceof Held ? undefined : (this.source as Root).refPlaces;
    // (by the chain left for later, when it is one: its name is its source's)
    return places === undefined ? this.references[k]!.chain : chains.sourceAt(places[k]!)!.name;
  }

  /**
   * The lines of its references, where they are now, and the places of their chains (see
   * Root.refPlaces), when the chain is read but left its references to be made later (see make).
   */
  referencesLeft(): { readonly lines: readonly number[]; readonly places: readonly number[] | undefined } | undefined {
    const later = this.moves === undefined ? (this.source as Made).later : undefined;
    return later && { lines: later.lines.map((l) => later.moves.lineOf(l)), places: later.places };
  }

  /**
   * Chain `c` of the previous version after the edit `m` put into it the rules `rulesIn` (in line
   * order) and jumps to it `refsIn` (rules of other chains, or its own), and took out the lines of it
   * the edit replaced: a chain whose lists are made when first read, from its lines worked out now
   * (no node read or made; the rules that jump to kube-proxy's KUBE-MARK-MASQ are tens of
   * thousands, every second line of the file). Its references are in the order a fresh build gives
   * them: by the place of their chain in the table (`placeOf`), then by line. Undefined when jumps
   * are put in and the places of the chains of its references are not known without reading them.
   */
  static renewed(c: Chain, m: MovedLines, nodes: ReadList<LineNode>, rulesIn: readonly Rule[], refsIn: readonly Rule[], placeOf: (chain: string) => number): MovedChain | undefined {
    // the chain's lines in the previous version (a moved chain not read: its root's, where its moves
    // put them), and the places of its references' chains when known
    const unread = c instanceof MovedChain && c.moves !== undefined;
    const before = unread ? movedRoot(c.root(), c.moves!) : rootOf(c, placeOf);
    const was = before.lines;
    const places = before.refPlaces ?? (unread ? undefined : placesOf(c, placeOf));
    if (refsIn.length && places === undefined) return undefined;
    const rulesFrom = 2 + was[0]!;
    const refsFrom = rulesFrom + was[1]!;
    // (written in one pass each into lists made at their largest size and cut to what they hold: on
    // a kube-proxy-like file this runs for KUBE-MARK-MASQ's tens of thousands of references on most
    // line edits, before V8 has optimized it, where spreads and lists grown by push made garbage)
    const lines = new Array<number>(was.length + rulesIn.length + refsIn.length);
    let n = 2;
    for (let k = 2; k < rulesFrom; k++) {
      const l = movedLine(m, was[k]!);
      if (l >= 0) lines[n++] = l;
    }
    lines[0] = n - 2;
    const ruleStart = n;
    n = mergeMoved(was, undefined, rulesFrom, refsFrom, m, rulesIn, undefined, lines, undefined, n);
    lines[1] = n - ruleStart;
    const refStart = n;
    const refPlaces = places === undefined ? undefined : new Array<number>(was.length - refsFrom + refsIn.length);
    const inPlaces = refPlaces === undefined ? undefined : refsIn.map((r) => placeOf(r.chain));
    n = mergeMoved(was, places, refsFrom, was.length, m, refsIn, inPlaces, lines, refPlaces, n);
    lines.length = n;
    if (refPlaces) refPlaces.length = n - refStart;
    let end = 0;
    for (let k = 2; k < lines.length; k++) end = Math.max(end, lines[k]! + 1);
    const policySpan = before.policySpan;
    const span = policySpan && { line: movedLine(m, policySpan.line), start: policySpan.start, end: policySpan.end };
    const root: Root = { name: c.name, table: c.table, builtin: c.builtin, policy: c.policy, policySpan: span, lines, ...(refPlaces ? { refPlaces } : {}) };
    return new MovedChain(root, LineMoves.NONE, nodes, end);
  }

  /** Whether the lists are made (for tests). */
  get read(): boolean {
    return this.moves === undefined;
  }

  /** How many runs of lines its moves hold, 0 once read (for tests). */
  get moveRuns(): number {
    return this.moves?.runCount ?? 0;
  }

  /**
   * The lists made (see make), without a call to make once they are: a function that makes a
   * closure gets a context on each call, even one that returns before it; the checks read a
   * moved chain's rules hundreds of thousands of times per edit, and each read left about 60
   * bytes of garbage (8 MB of each line put in above the Docker-like file's nat chains).
   */
  private lists(): Made {
    return this.moves === undefined ? (this.source as Made) : this.make(this.moves);
  }

  /**
   * Makes the lists from the root and the moves (see lists): the declarations and the rules, and
   * the references too unless there are many (see PLACES_FROM; the rules of kube-proxy's
   * KUBE-MARK-MASQ are one, the rules that jump to it tens of thousands, and what reads its rules
   * after an edit does not read those). Until the references are made the chain holds its version's
   * list of nodes; it lets go of it once they are. A held chain (see Held) has few references: its
   * lists are made from its own.
   */
  private make(moves: LineMoves): Made {
    const nodes = this.nodes!;
    const source = this.source as Root | Held;
    const span = source.policySpan;
    let lists: Pick<Made, 'declarations' | 'rules' | 'references' | 'later'>;
    if (source instanceof Held) {
      const c = source.chain;
      lists = { declarations: nodesAt(nodes, moves, c.declarations), rules: nodesAt(nodes, moves, c.rules), references: nodesAt(nodes, moves, c.references), later: undefined };
    } else {
      const { lines } = source;
      const rulesFrom = 2 + lines[0]!;
      const refsFrom = rulesFrom + lines[1]!;
      const few = lines.length - refsFrom < PLACES_FROM;
      lists = {
        declarations: nodesOn(nodes, moves, lines, 2, rulesFrom),
        rules: nodesOn(nodes, moves, lines, rulesFrom, refsFrom),
        references: few ? nodesOn(nodes, moves, lines, refsFrom, lines.length) : undefined,
        later: few ? undefined : { nodes, moves, lines: lines.slice(refsFrom), places: source.refPlaces },
      };
    }
    const made: Made = {
      name: source.name,
      table: source.table,
      builtin: source.builtin,
      policy: source.policy,
      policySpan: span && { line: moves.lineOf(span.line), start: span.start, end: span.end },
      ...lists,
    };
    // (what the lists were made from is let go)
    this.source = made;
    this.moves = undefined;
    this.nodes = undefined;
    return made;
  }

  /** Makes the references left for later (see make), and lets go of what they were made from. */
  private madeReferences(made: Made): Rule[] {
    const { nodes, moves, lines } = made.later!;
    made.references = nodesOn(nodes, moves, lines, 0, lines.length);
    made.later = undefined;
    return made.references;
  }
}

/**
 * A moved chain's lists once made: the references of a chain many rules jump to are made when first
 * read (until then `later` holds what they are made from).
 */
interface Made extends Omit<Chain, 'references'> {
  references: Rule[] | undefined;
  later: { readonly nodes: ReadList<LineNode>; readonly moves: LineMoves; readonly lines: readonly number[]; readonly places: readonly number[] | undefined } | undefined;
}

/** The nodes of lines[from, to) (the root's numbering) where `moves` put them. */
function nodesOn<T extends LineNode>(nodes: ReadList<LineNode>, moves: LineMoves, lines: readonly number[], from: number, to: number): T[] {
  const out = new Array<T>(to - from);
  for (let i = from; i < to; i++) out[i - from] = nodes.get(moves.lineOf(lines[i]!)) as T;
  return out;
}

/** The nodes of the lines of `was` (nodes of the root's version) where `moves` put them. */
function nodesAt<T extends LineNode>(nodes: ReadList<LineNode>, moves: LineMoves, was: readonly T[]): T[] {
  const out = new Array<T>(was.length);
  for (let i = 0; i < was.length; i++) out[i] = nodes.get(moves.lineOf(was[i]!.line)) as T;
  return out;
}

/**
 * The line moves of edits made in turn, each moving lines below it (see ChainMap.moved): the
 * chains of a version none of whose lines the edits replaced, made after them. The moves of the
 * edits from each one on, after a chain's own, are made once for the chains that share those.
 */
export class MovesThrough {
  /** Per edit: the moves of the edits from it on, after the moves they are keyed by (undefined: none). */
  private readonly after: Map<LineMoves | undefined, LineMoves>[];
  /** Per edit: the least `same` of it and the edits before it (never more than the one before). */
  private readonly leastSame: Float64Array;

  constructor(readonly edits: readonly MovedLines[]) {
    this.after = edits.map(() => new Map());
    this.leastSame = new Float64Array(edits.length);
    let least = Infinity;
    for (let k = 0; k < edits.length; k++) this.leastSame[k] = least = Math.min(least, edits[k]!.same);
  }

  /** `before`, followed by the moves of the edits from the j-th on. */
  private from(j: number, before: LineMoves | undefined): LineMoves {
    const memo = this.after[j]!;
    let now = memo.get(before);
    if (!now) {
      now = before ? before.then(this.edits[j]!) : LineMoves.of(this.edits[j]!);
      for (let i = j + 1; i < this.edits.length; i++) now = now.then(this.edits[i]!);
      memo.set(before, now);
    }
    return now;
  }

  /**
   * Chain `c` of the version the edits start from after them, its lines' nodes those of `nodes`:
   * the chain itself while its lines are above each edit; from the first below which it lies, a
   * moved chain holding the moves of that edit and every one after it. The lines, and the object
   * when nothing moved, are those that making it for each edit in turn gives (see movedTables).
   * (The first edit that moves it is the first whose least `same` so far is above its end: its
   * lines have their numbers of the first version until then. Found by halves, and its last line
   * taken through the moves from there at once: the chains of a kube-proxy node are all made
   * this way once in MAX_LATER_STEPS edits, see parser/chains.ts.)
   */
  chain(c: Chain, nodes: ReadList<LineNode>, placeOf?: (chain: string) => number): Chain {
    const end = endOf(c);
    const least = this.leastSame;
    let lo = 0;
    let hi = least.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (least[mid]! < end) hi = mid;
      else lo = mid + 1;
    }
    if (lo === least.length) return c;
    const j = lo;
    return MovedChain.movedTo(c, this.from(j, undefined).lineOf(end - 1) + 1, nodes, (before) => this.from(j, before), placeOf);
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

/**
 * Lines was[from, to) (in order: by their places first when `places` is given, then by line; the
 * places are those of entries from `from` on, counted from the first reference, see renewed) where
 * the edit `m` put them, those it replaced left out, with the lines of the rules `more` merged in
 * at their order (`morePlaces` their places), written into `out` from position n (and the places
 * into `outPlaces` from its start alike). Returns the position after the last written.
 */
function mergeMoved(
  was: readonly number[],
  places: readonly number[] | undefined,
  from: number,
  to: number,
  m: MovedLines,
  more: readonly Rule[],
  morePlaces: readonly number[] | undefined,
  out: number[],
  outPlaces: number[] | undefined,
  n: number,
): number {
  // (the rules put in, by their order: a handful)
  const order = more.map((_, k) => k).sort((a, b) => (morePlaces ? morePlaces[a]! - morePlaces[b]! : 0) || more[a]!.line - more[b]!.line);
  let p = 0;
  let next = 0;
  const put = (line: number, place: number | undefined) => {
    if (outPlaces) outPlaces[p++] = place!;
    out[n++] = line;
  };
  for (let k = from; k < to; k++) {
    const l = movedLine(m, was[k]!);
    if (l < 0) continue;
    const place = places?.[k - from];
    // the rules put in that come before this line
    while (next < order.length) {
      const r = order[next]!;
      const before = morePlaces && place !== undefined ? morePlaces[r]! - place || more[r]!.line - l : more[r]!.line - l;
      if (before >= 0) break;
      put(more[r]!.line, morePlaces?.[r]);
      next++;
    }
    put(l, place);
  }
  for (; next < order.length; next++) put(more[order[next]!]!.line, morePlaces?.[order[next]!]);
  return n;
}

/** How many rules jump or go to chain `c` (without making a moved chain's lists). */
export function referenceCountOf(c: Chain): number {
  return c instanceof MovedChain ? c.referenceCount : c.references.length;
}

/** The chain of the k-th rule that jumps or goes to chain `c` of a table whose chains are `chains` (without making a moved chain's lists when it can). */
export function referenceChainOf(c: Chain, k: number, chains: ChainMap): string {
  return c instanceof MovedChain ? c.referenceChain(k, chains) : c.references[k]!.chain;
}

/** How many rules chain `c` has (without making a moved chain's lists). */
export function ruleCountOf(c: Chain): number {
  return c instanceof MovedChain ? c.ruleCount : c.rules.length;
}
