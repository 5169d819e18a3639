/**
 * The node of a command line (model/ruleset.ts CommandLine), laid out for files of 100 000 rules:
 * the span of the whole line is made when asked for instead of kept (it is the line, from column 0
 * to the line's end), and the parts few lines have (words kept as read, a `-t` word, counters, a
 * `-4`/`-6`) sit together in one object that most nodes do not have. 72 bytes less per line than
 * a plain object with every property: 7 MB on the bench's 100k-rule files. Its generic options are
 * not kept as a list of their own either (see generic). A line an edit only moved gets a node of
 * its own, which shows the parts of the node it was read as (see MovedCommandLineNode).
 */
import type { Family } from '../knowledge/types';
import type { CommandLine, CommandNode, MatchNode, OptionNode, Span, TableBlock, TargetNode, Word } from '../model/ruleset';

/** What few command lines have. */
interface RareParts {
  readonly keptWords?: readonly Word[];
  readonly tableWord?: Word;
  readonly counters?: Word;
  readonly onlyFamily?: Family;
}

/** Everything a command line's node says (the parser's view of it). */
export interface CommandLineParts {
  readonly line: number;
  /** The line's length: where its span ends (read by a moved node of the same line, see MovedCommandLineNode). */
  readonly end: number;
  readonly keptWords: readonly Word[] | undefined;
  readonly table: string;
  readonly tableWord: Word | undefined;
  readonly block: TableBlock | undefined;
  readonly counters: Word | undefined;
  readonly command: CommandNode | undefined;
  readonly matches: MatchNode[];
  readonly target: TargetNode | undefined;
  readonly options: OptionNode[];
  readonly onlyFamily: Family | undefined;
}

/** The rare parts of a line, undefined when it has none. */
function rareOf(p: RareParts): RareParts | undefined {
  return p.keptWords === undefined && p.tableWord === undefined && p.counters === undefined && p.onlyFamily === undefined
    ? undefined
    : { keptWords: p.keptWords, tableWord: p.tableWord, counters: p.counters, onlyFamily: p.onlyFamily };
}

export class CommandLineNode implements CommandLine {
  readonly line: number;
  /** The line's length: where its span ends (read by a moved node of the same line, see MovedCommandLineNode). */
  readonly end: number;
  readonly table: string;
  readonly block: TableBlock | undefined;
  readonly command: CommandNode | undefined;
  readonly matches: MatchNode[];
  target: TargetNode | undefined;
  readonly options: OptionNode[];
  /** The parts few lines have (see RareParts), undefined for most. */
  readonly rare: RareParts | undefined;

  private constructor(
    line: number,
    end: number,
    table: string,
    block: TableBlock | undefined,
    command: CommandNode | undefined,
    matches: MatchNode[],
    target: TargetNode | undefined,
    options: OptionNode[],
    rare: RareParts | undefined,
  ) {
    this.line = line;
    this.end = end;
    this.table = table;
    this.block = block;
    this.command = command;
    this.matches = matches;
    this.target = target;
    this.options = options;
    this.rare = rare;
  }

  /** The node of a line read. */
  static of(p: CommandLineParts): CommandLineNode {
    return new CommandLineNode(p.line, p.end, p.table, p.block, p.command, p.matches, p.target, p.options, rareOf(p));
  }

  /**
   * The node of a line read before as `c`, on line `line` (of length `end`) in `block`, with
   * `options`: the parts of `c`, its rare ones included, without an object made in between (an
   * edit that puts in a line moves every line below it: tens of thousands of nodes). The same line
   * (the same options and length) moved: a MovedCommandLineNode of the node it was first read as.
   */
  static placed(c: CommandLine, line: number, end: number, block: TableBlock | undefined, options: OptionNode[]): CommandLine {
    const base = c instanceof MovedCommandLineNode ? c.base : c;
    if (base instanceof CommandLineNode && options === base.options && end === base.end) return MovedCommandLineNode.of(line, block, base);
    return new CommandLineNode(line, end, c.table, block, c.command, c.matches, c.target, options, base instanceof CommandLineNode ? base.rare : rareOf(c));
  }

  /** (on the class, not on each node) */
  get kind(): 'command' {
    return 'command';
  }

  /** The command's chain, as its word says (not kept: the word is). */
  get chain(): string | undefined {
    return this.command?.chain?.text;
  }

  /** The whole line (a new object each time: callers keep it in the findings they make). */
  get span(): Span {
    return { line: this.line, start: 0, end: this.end };
  }

  /**
   * The generic options, in order, made when asked for: they are the options the line holds
   * anyway, and a list of them on every line was 6 MB of a 100k-rule file. The analysis reads
   * them through genericOption or the options themselves.
   */
  get generic(): OptionNode[] {
    return this.options.filter((o) => o.owner === 'generic');
  }

  get keptWords(): readonly Word[] | undefined {
    return this.rare?.keptWords;
  }

  get tableWord(): Word | undefined {
    return this.rare?.tableWord;
  }

  get counters(): Word | undefined {
    return this.rare?.counters;
  }

  get onlyFamily(): Family | undefined {
    return this.rare?.onlyFamily;
  }
}

/**
 * The node of a command line an edit only moved (lines put in or taken out above it): its line
 * and the node it was read as, whose parts it shows (never another moved node: a line moved again
 * shows the same one), and its block when that is not the node's (see of). Half the size of a node with every part: a line put in near the
 * top of a kube-proxy-like 100k-rule file moves 135 000 lines, and their nodes were 13 MB made and
 * kept on each such edit, the previous ones left to the collector.
 */
export class MovedCommandLineNode implements CommandLine {
  protected constructor(
    readonly line: number,
    readonly base: CommandLineNode,
  ) {}

  /**
   * The node of the line `base` was read as, moved to line `line` in `block`. On the line and in
   * the block it was read in (a line taken out above it and put back, or one put in and another
   * taken out), `base` itself: no node is made again for each line below them (a blocklist line of
   * the firewall-like 100k file taken out and put back, again and again, promoted 4.3 MB per edit
   * to the old generation instead of 6). Otherwise a moved node, whose block is the base's unless
   * the block's header moved since (a line put in above it): 40 bytes where a field for it made
   * 48, for each of the tens of thousands of lines below a line put in or taken out.
   */
  static of(line: number, block: TableBlock | undefined, base: CommandLineNode): CommandLineNode | MovedCommandLineNode {
    if (block !== base.block) return new MovedToBlockNode(line, base, block);
    return line === base.line ? base : new MovedCommandLineNode(line, base);
  }

  get kind(): 'command' {
    return 'command';
  }

  get block(): TableBlock | undefined {
    return this.base.block;
  }

  get table(): string {
    return this.base.table;
  }

  get command(): CommandNode | undefined {
    return this.base.command;
  }

  get matches(): MatchNode[] {
    return this.base.matches;
  }

  get target(): TargetNode | undefined {
    return this.base.target;
  }

  get options(): OptionNode[] {
    return this.base.options;
  }

  get chain(): string | undefined {
    return this.base.chain;
  }

  get span(): Span {
    return { line: this.line, start: 0, end: this.base.end };
  }

  get generic(): OptionNode[] {
    return this.base.generic;
  }

  get keptWords(): readonly Word[] | undefined {
    return this.base.keptWords;
  }

  get tableWord(): Word | undefined {
    return this.base.tableWord;
  }

  get counters(): Word | undefined {
    return this.base.counters;
  }

  get onlyFamily(): Family | undefined {
    return this.base.onlyFamily;
  }

  /** Its fields as a node read on this line has them, in the same order (what JSON shows of it). */
  toJSON(): object {
    const b = this.base;
    return { line: this.line, end: b.end, table: b.table, block: this.block, command: b.command, matches: b.matches, target: b.target, options: b.options, rare: b.rare };
  }
}

/** A moved command line whose block is another object than the one its base was read in (see MovedCommandLineNode.of). */
class MovedToBlockNode extends MovedCommandLineNode {
  constructor(
    line: number,
    base: CommandLineNode,
    private readonly own: TableBlock | undefined,
  ) {
    super(line, base);
  }

  override get block(): TableBlock | undefined {
    return this.own;
  }
}
