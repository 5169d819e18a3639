/**
 * Reads the words of one command line the way iptables' own option parser does (xshared.c do_parse
 * with getopt_long): commands and their chain, `!`, generic options, `-m` modules whose options
 * become known once loaded (the newest module first), `-j`/`-g` and the target's options, long
 * option abbreviations, `--opt=value`, and the implicit load of a protocol match after `-p` when an
 * unknown option appears. It decides which module each option belongs to and how many words it
 * takes; whether the values are acceptable is checked later (analysis/rule-validity).
 */
import { COMMANDS, findCommand, GENERIC_OPTIONS, protocolName } from '../knowledge/generic';
import { findMatch, findMatchOtherFamily, findTarget, findTargetOtherFamily, MATCHES, protocolMatchName } from '../knowledge/registry';
import type { Family, MatchSpec, OptionSpec, TargetSpec } from '../knowledge/types';
import type { CommandNode, Finding, MatchNode, OptionNode, OptionOwner, Range, TargetKind, TargetNode, Word } from '../model/ruleset';
import type { WordPool } from './tokenizer';
import { shared } from '../model/shared';
import { sameItems } from '../model/same-items';

export interface CommandContext {
  readonly family: Family;
  readonly format: 'save' | 'commands';
  /** Table in force from the enclosing `*table` block (save format) or the default. */
  readonly table: string;
  /** The line the words are on (for the spans of findings: a word does not know its line). */
  readonly line: number;
  /** Where the words come from: lists of one value are shared through it. */
  readonly pool?: WordPool;
  /** Option nodes read before in the same file, to share (see OptionPool). */
  readonly options?: OptionPool;
}

/**
 * The option, match, target and command nodes of a file, shared between lines. A node says nothing
 * about its line, so the same `-j KUBE-MARK-MASQ`, `-p tcp`, `-m tcp --dport 80` or `-A KUBE-SVC-X`
 * at the same place of thousands of rules can be one node. Generic and target options are shared
 * as they are read; a match or target with its options, and the command, once its line is read
 * (a match's options point to it). Negated options and `--opt=value` (whose name span is an object
 * of their own) are never shared, nor a match or target that has one. Shared nodes are marked
 * `shared` (frozen under the tests): whoever changed one would change it on every line.
 */
export class OptionPool {
  /**
   * Options keyed by their value list, which the word pool makes one per value word (or the shared
   * empty list): one map for the file, where a map per option word cost more than the nodes it
   * shared. The few nodes with the same list (other option words before the same value) sit in a bucket.
   */
  private readonly byArgs = new Map<readonly Word[], OptionNode | OptionNode[]>();
  /**
   * Matches keyed by their last option's value list (the module name word when there is none):
   * what differs most between matches (`-m comment` is the same word at the same place in every
   * kube-proxy rule, its comment is not).
   */
  private readonly matches = new Map<object, MatchNode | MatchNode[]>();
  /** Targets keyed likewise (the name word when they have no options), and commands by their chain word. */
  private readonly targets = new Map<object, TargetNode | TargetNode[]>();
  private readonly commands = new Map<Word, CommandNode | CommandNode[]>();

  node(spec: OptionSpec, word: Word, args: readonly Word[], owner: 'generic' | 'target'): OptionNode {
    // (no closure per call to compare: this runs for most options of every line)
    const found = this.byArgs.get(args);
    if (found !== undefined) {
      if (!Array.isArray(found)) {
        if (sameOption(found as OptionNode, spec, word, owner)) return found as OptionNode;
      } else {
        for (let k = 0; k < found.length; k++) if (sameOption(found[k]!, spec, word, owner)) return found[k]!;
      }
    }
    return add(this.byArgs, args, found, shared({ word, nameSpan: word, name: spec.name, negated: false, args, owner, spec }));
  }

  /**
   * The shared match equal to m (same words at the same places, same options with the same
   * values), or m itself, now shared, when it is the first; undefined when m cannot be shared.
   * m's options must have their lists kept already (see the end of parseCommandWords).
   */
  match(m: MatchNode): MatchNode | undefined {
    const key = sharingKey(m.options, m.nameWord);
    if (key === undefined) return undefined;
    const found = this.matches.get(key);
    const same = equalIn(found, m, sameMatch);
    if (same) return same;
    for (const o of m.options) shared(o);
    shared(m.options);
    return add(this.matches, key, found, shared(m));
  }

  /** The shared target equal to t (see match), or t itself, now shared; t when it cannot be shared. */
  target(t: TargetNode): TargetNode {
    const key = sharingKey(t.options, t.nameWord);
    if (key === undefined) return t;
    const found = this.targets.get(key);
    const same = equalIn(found, t, sameTarget);
    if (same) return same;
    shared(t.options);
    return add(this.targets, key, found, shared(t));
  }

  /** The shared command equal to c (the same command word, chain word and further words), or c, now shared. */
  command(c: CommandNode): CommandNode {
    const key = c.chain ?? c.word;
    const found = this.commands.get(key);
    const same = equalIn(found, c, sameCommand);
    if (same) return same;
    shared(c.extra);
    return add(this.commands, key, found, shared(c));
  }
}

/**
 * What a match or target is filed under in the pool: its last option's value list (its last
 * option's word when that takes no value, its name word when it has no options); undefined when it
 * cannot be shared (a negated option, an `--opt=value`, an option of several values).
 */
function sharingKey(options: readonly OptionNode[], nameWord: Word): object | undefined {
  for (const o of options) if (o.negated || o.nameSpan !== o.word || o.args.length > 1) return undefined;
  const last = options[options.length - 1];
  return last ? (last.args.length ? last.args : last.word) : nameWord;
}

/** The node equal to x (by `same`, a function of the module: no closure per lookup) among what a pool filed under x's key. */
function equalIn<T extends object>(found: T | T[] | undefined, x: T, same: (a: T, b: T) => boolean): T | undefined {
  if (found === undefined) return undefined;
  if (!Array.isArray(found)) return same(found, x) ? found : undefined;
  for (let k = 0; k < found.length; k++) if (same(found[k]!, x)) return found[k]!;
  return undefined;
}

function sameOption(n: OptionNode, spec: OptionSpec, word: Word, owner: OptionOwner): boolean {
  return n.word === word && n.spec === spec && n.owner === owner;
}

function sameTarget(n: TargetNode, t: TargetNode): boolean {
  if (n.nameWord !== t.nameWord || n.jWord !== t.jWord || n.spec !== t.spec || n.kind !== t.kind || n.goto !== t.goto || n.name !== t.name) return false;
  return sameItems(n.options, t.options);
}

function sameCommand(n: CommandNode, c: CommandNode): boolean {
  return n.word === c.word && n.chain === c.chain && n.spec === c.spec && sameItems(n.extra, c.extra);
}

/** The same match words, module and options (their words, specs and value lists) as m. */
function sameMatch(n: MatchNode, m: MatchNode): boolean {
  if (n.mWord !== m.mWord || n.nameWord !== m.nameWord || n.spec !== m.spec || n.implicit !== m.implicit || n.name !== m.name || n.options.length !== m.options.length) return false;
  for (let k = 0; k < n.options.length; k++) {
    const o = n.options[k]!;
    const p = m.options[k]!;
    if (o.word !== p.word || o.spec !== p.spec || o.args !== p.args || o.name !== p.name) return false;
  }
  return true;
}

/** v filed under key, beside what the caller found there (looked up once: these maps hold a file's distinct nodes). */
function add<K, V extends object>(map: Map<K, V | V[]>, key: K, found: V | V[] | undefined, v: V): V {
  if (found === undefined) map.set(key, v);
  else if (Array.isArray(found)) found.push(v);
  else map.set(key, [found as V, v]);
  return v;
}

export interface ParsedCommand {
  command?: CommandNode;
  tableWord?: Word;
  table: string;
  generic: OptionNode[];
  matches: MatchNode[];
  target?: TargetNode;
  options: OptionNode[];
  onlyFamily?: Family;
  findings: Finding[];
}

/** An extension whose options are currently known to the option parser. */
interface Loaded {
  readonly kind: 'match' | 'target';
  readonly options: readonly OptionSpec[];
  readonly match?: MatchNode;
  readonly target?: TargetNode;
  /** Unknown module: take its options as they come, with a guessed arity. */
  readonly unknown: boolean;
}

interface Candidate {
  readonly spec: OptionSpec;
  readonly owner: 'command' | 'generic' | Loaded;
  readonly exact: boolean;
}

const STANDARD_VERDICTS = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);

/** Generic options whose value iptables 1.8.9 reads from the option's own word when written `--opt=value`. */
const WHOLE_WORD_VALUE: ReadonlySet<string> = new Set(['-p', '-s', '-d', '-i', '-o']);

function err(line: number, code: string, message: string, at: Range, severity: Finding['severity'] = 'error', data?: unknown): Finding {
  const span = { line, start: at.start, end: at.end };
  return data === undefined ? { code, severity, message, span } : { code, severity, message, span, data };
}

function sub(word: Word, from: number, to: number, text: string): Word {
  return { start: word.start + from, end: word.start + to, text, quoted: word.quoted };
}

function isOptionLike(w: Word | undefined): boolean {
  return w !== undefined && !w.quoted && w.text.startsWith('-') && w.text.length > 1;
}

/** Does the word look like a positional value (what iptables peeks at for -I CHAIN [num])? */
function isPositional(w: Word | undefined): w is Word {
  return w !== undefined && !(w.text.startsWith('-') || w.text.startsWith('!'));
}

const COMMAND_OPTION_SPECS: readonly OptionSpec[] = COMMANDS.map((c) => ({
  name: c.name,
  aliases: [c.long],
  args: [],
  summary: c.summary,
}));

const TABLE_OPTION: OptionSpec = {
  name: '-t',
  aliases: ['--table'],
  args: [{ id: 'table', label: 'table', check: () => undefined }],
  summary: 'The table the command works on (filter by default).',
};

interface PoolEntry {
  readonly spec: OptionSpec;
  readonly owner: Candidate['owner'];
}

/** The options known before any module is loaded, in getopt's order. */
const STATIC_POOL: readonly PoolEntry[] = [
  ...COMMAND_OPTION_SPECS.map((spec) => ({ spec, owner: 'command' as const })),
  { spec: TABLE_OPTION, owner: 'generic' as const },
  ...GENERIC_OPTIONS.map((spec) => ({ spec, owner: 'generic' as const })),
];

function namesOf(spec: OptionSpec): readonly string[] {
  return spec.aliases?.length ? [spec.name, ...spec.aliases] : [spec.name];
}

/** findCommand as a map: every word of a line is looked up (the first command of a name wins, as there). */
const COMMAND_BY_NAME = new Map<string, (typeof COMMANDS)[number]>();
for (const c of COMMANDS) for (const n of [c.name, c.long]) if (!COMMAND_BY_NAME.has(n)) COMMAND_BY_NAME.set(n, c);

/** Exact names of the static options: the first entry in getopt's order wins. */
const STATIC_EXACT = new Map<string, PoolEntry>();
for (const p of STATIC_POOL) for (const n of namesOf(p.spec)) if (!STATIC_EXACT.has(n)) STATIC_EXACT.set(n, p);

/** The answer of `candidates` for each exact static name, made once (shared: callers only read it). */
const STATIC_FOUND = new Map<string, readonly Candidate[]>();
for (const [n, p] of STATIC_EXACT) STATIC_FOUND.set(n, shared([shared({ spec: p.spec, owner: p.owner, exact: true })]));

/**
 * Most candidates an abbreviation lists. Two already make it ambiguous; a line that loads one
 * module hundreds of times must not make every abbreviation cost (and name) all of them.
 */
const MAX_CANDIDATES = 16;

const NO_OPTIONS: readonly OptionSpec[] = [];

/** The exact names of an option list, each to its first spec (getopt's table, built once per list). */
const NAME_MAPS = new WeakMap<readonly OptionSpec[], ReadonlyMap<string, OptionSpec>>();
function nameMap(options: readonly OptionSpec[]): ReadonlyMap<string, OptionSpec> {
  let m = NAME_MAPS.get(options);
  if (!m) {
    const built = new Map<string, OptionSpec>();
    for (const spec of options) for (const n of namesOf(spec)) if (!built.has(n)) built.set(n, spec);
    NAME_MAPS.set(options, (m = built));
  }
  return m;
}

/**
 * One empty list for every empty list that nothing knows a line by (arguments, a match's
 * or target's options, extra words, findings): a 100 000-rule file has several per line, each an
 * object of its own otherwise. Shared (frozen under the tests, so that a push into it throws instead of reaching every line).
 */
const NONE: readonly never[] = shared([]);

/**
 * The array as it will stay: exactly its length (a pushed-to array keeps room for 16 more), or the
 * shared empty list when there is nothing in it.
 */
function fitOrNone<T>(xs: T[]): T[] {
  return xs.length ? xs.slice() : (NONE as unknown as T[]);
}

function abbreviates(spec: OptionSpec, name: string): boolean {
  return namesOf(spec).some((n) => n.startsWith('--') && n.startsWith(name));
}

/**
 * A list filled anew for each line and copied out at its size when the line is read: the reader's
 * own lists keep their room from line to line (emptying an array with `length = 0` would give its
 * room back, and the next line's pushes would allocate it again).
 */
class Scratch<T> {
  private readonly items: (T | undefined)[] = [];
  length = 0;

  push(x: T): void {
    this.items[this.length++] = x;
  }

  at(k: number): T {
    return this.items[k] as T;
  }

  set(k: number, x: T): void {
    this.items[k] = x;
  }

  /** The items as a new array of their own, never the shared empty list: caches downstream know a line by its option list. */
  copy(): T[] {
    return this.items.slice(0, this.length) as T[];
  }

  /** The items as a new array, or the shared empty list when there are none. */
  copyOrNone(): T[] {
    return this.length ? this.copy() : (NONE as unknown as T[]);
  }

  /** Empty again, holding on to nothing of the line before. */
  clear(): void {
    for (let k = 0; k < this.length; k++) this.items[k] = undefined;
    this.length = 0;
  }
}

const JUMP_OPTION = GENERIC_OPTIONS.find((g) => g.name === '-j')!;
const GOTO_OPTION = GENERIC_OPTIONS.find((g) => g.name === '-g')!;
const IPV4_OPTION = GENERIC_OPTIONS.find((g) => g.name === '-4')!;
const IPV6_OPTION = GENERIC_OPTIONS.find((g) => g.name === '-6')!;

/**
 * Reads one command line at a time (see parseCommandWords). Its state is set anew for each line
 * and its working lists are kept from line to line, so reading a line makes no closures, maps,
 * sets or growing arrays of its own: as one function with closures over its state, every line of a
 * file cost some 2 KB of them (about 290 MB for V8 to collect during a 100k-rule cold open).
 */
class CommandReader {
  /** Set while a line is being read: a second line read meanwhile gets a reader of its own. */
  busy = false;
  private words: readonly Word[] = NONE;
  private ctx!: CommandContext;
  /** The next word to read. */
  private i = 0;
  private readonly options = new Scratch<OptionNode>();
  private readonly generic = new Scratch<OptionNode>();
  private readonly matches = new Scratch<MatchNode>();
  private readonly findings = new Scratch<Finding>();
  private command: CommandNode | undefined;
  private tableWord: Word | undefined;
  private table = '';
  private target: TargetNode | undefined;
  private onlyFamily: Family | undefined;
  /** Every module loaded, newest last. */
  private readonly loaded = new Scratch<Loaded>();
  /**
   * The newest load of each distinct option list, newest last: an exact name belongs to the newest
   * module that has it, as in getopt's table (looked up in a map built once per list, so a line
   * that loads the same module a thousand times costs no more per word than one that loads it once).
   */
  private readonly recent = new Scratch<Loaded>();
  /** The newest loaded module we have no entry for. */
  private lastUnknown: Loaded | undefined;
  private bang: Word | undefined;
  /** The value word of the last -p, and whether it was negated. */
  private protocol: Word | undefined;
  private protoImplicitlyLoaded = false;
  /** Lines read by this reader: the line a mark in `genericSeen` or `matchNames` was made for. */
  private serial = 0;
  /** The line on which each generic option (by name; a fixed set) was last seen. */
  private readonly genericSeen = new Map<string, number>();
  /** The names of the matches the line loaded, made only when the implicit protocol load asks (see loadsProtocol). */
  private readonly matchNames = new Set<string>();
  private matchNamesLine = -1;
  /** What `candidates` answers for an exact name of a loaded module (one at a time: read at once, never kept). */
  private readonly exactFound: [Candidate] = [{ spec: JUMP_OPTION, owner: 'generic', exact: true }];

  read(words: readonly Word[], ctx: CommandContext): ParsedCommand {
    this.busy = true;
    try {
      this.begin(words, ctx);
      this.readWords();
      return this.result();
    } finally {
      this.end();
    }
  }

  /** The line's inputs (the rest of the state is as end() leaves it). */
  private begin(words: readonly Word[], ctx: CommandContext): void {
    this.words = words;
    this.ctx = ctx;
    this.table = ctx.table;
    this.serial++;
  }

  /** Lets go of the line, so that the reader keeps nothing of it alive, and is ready for the next. */
  private end(): void {
    this.words = NONE;
    this.ctx = undefined as unknown as CommandContext;
    this.i = 0;
    this.onlyFamily = undefined;
    this.protoImplicitlyLoaded = false;
    this.options.clear();
    this.generic.clear();
    this.matches.clear();
    this.findings.clear();
    this.loaded.clear();
    this.recent.clear();
    this.command = undefined;
    this.tableWord = undefined;
    this.target = undefined;
    this.lastUnknown = undefined;
    this.bang = undefined;
    this.protocol = undefined;
    if (this.matchNames.size) this.matchNames.clear();
    this.matchNamesLine = -1;
    // (the reused answer names the module it came from: the line's match or target node)
    (this.exactFound[0] as { owner: Candidate['owner'] }).owner = 'generic';
    this.busy = false;
  }

  private err(code: string, message: string, at: Range, severity: Finding['severity'] = 'error', data?: unknown): void {
    this.findings.push(err(this.ctx.line, code, message, at, severity, data));
  }

  /**
   * The value of -t, -m, -j or -g at `w`: `inline` (given with `=`) or the next word, whatever it
   * looks like (getopt hands it over). A `!` before the option negates nothing there, and a
   * missing value is an error: both are reported with the option's own words.
   */
  private valueWord(w: Word, inline: Word | undefined, bangMessage: string, missingMessage: string): Word | undefined {
    const b = this.takeBang();
    if (b) this.err('syntax', bangMessage, b);
    const value = inline ?? this.words[this.i++];
    if (!value) this.err('missing-argument', missingMessage, w);
    return value;
  }

  private takeBang(): Word | undefined {
    const b = this.bang;
    this.bang = undefined;
    return b;
  }

  private load(l: Loaded): void {
    this.loaded.push(l);
    if (l.unknown) this.lastUnknown = l;
    if (l.match && this.matchNamesLine === this.serial) this.matchNames.add(l.match.name);
    const recent = this.recent;
    let at = -1;
    for (let k = 0; k < recent.length && at < 0; k++) if (recent.at(k).options === l.options) at = k;
    if (at >= 0) {
      for (let k = at; k + 1 < recent.length; k++) recent.set(k, recent.at(k + 1));
      recent.set(recent.length - 1, l);
    } else recent.push(l);
  }

  /** The spec and owner of an exact name of a loaded module, newest module first. */
  private loadedExact(name: string): Candidate | undefined {
    const recent = this.recent;
    for (let k = recent.length - 1; k >= 0; k--) {
      const l = recent.at(k);
      const spec = nameMap(l.options).get(name);
      if (spec) {
        const c = this.exactFound[0] as { spec: OptionSpec; owner: Candidate['owner']; exact: boolean };
        c.spec = spec;
        c.owner = l;
        return c;
      }
    }
    return undefined;
  }

  /**
   * The option specs a long-option word may resolve to right now, in getopt's order (commands,
   * -t, generic options, then the loaded modules newest first): the exact name if any, else every
   * option it abbreviates (at most MAX_CANDIDATES). Linear in the distinct modules loaded, so a
   * line that loads the same module a thousand times costs no more per word than one that loads it once.
   */
  private candidates(name: string): readonly Candidate[] {
    const fixed = STATIC_FOUND.get(name);
    if (fixed) return fixed;
    if (this.loadedExact(name)) return this.exactFound;
    if (!name.startsWith('--') || name.length < 3) return NONE;
    const out: Candidate[] = [];
    for (const p of STATIC_POOL) if (abbreviates(p.spec, name)) out.push({ spec: p.spec, owner: p.owner, exact: false });
    // an option list that offered nothing offers nothing again when its module is loaded twice
    const barren = new Set<readonly OptionSpec[]>();
    for (let k = this.loaded.length - 1; k >= 0 && out.length < MAX_CANDIDATES; k--) {
      const l = this.loaded.at(k);
      if (barren.has(l.options)) continue;
      const before = out.length;
      for (const spec of l.options) if (abbreviates(spec, name) && out.length < MAX_CANDIDATES) out.push({ spec, owner: l, exact: false });
      if (out.length === before) barren.add(l.options);
    }
    return out;
  }

  private loadMatch(name: string, nameWord: Word, mWord: Word | undefined, implicit: boolean): MatchNode {
    const spec = findMatch(name, this.ctx.family);
    const node: MatchNode = mWord
      ? spec ? { name, nameWord, implicit, options: [], mWord, spec } : { name, nameWord, implicit, options: [], mWord }
      : spec ? { name, nameWord, implicit, options: [], spec } : { name, nameWord, implicit, options: [] };
    this.matches.push(node);
    this.load({ kind: 'match', options: spec?.options ?? NO_OPTIONS, match: node, unknown: !spec });
    return node;
  }

  /** Collect the argument words of an option; returns fewer than it needs when they are missing. */
  private takeArgs(spec: OptionSpec | undefined, word: Word, inlineValue: Word | undefined, optName: string, unknownArity: boolean): readonly Word[] {
    const words = this.words;
    const want = spec ? spec.args.length : 0;
    // the common case, one value in the next word: its list from the pool, no array of our own
    if (want === 1 && !unknownArity && !inlineValue && !spec!.lastArgOptional && this.i < words.length && this.ctx.pool) return this.ctx.pool.one(words[this.i++]!);
    const args: Word[] = [];
    if (unknownArity) {
      if (inlineValue) args.push(inlineValue);
      while (this.i < words.length && !isOptionLike(words[this.i]) && words[this.i]!.text !== '!') args.push(words[this.i++]!);
      return args;
    }
    if (want === 0) {
      if (inlineValue) this.err('syntax', `option \`${optName}\` takes no value`, inlineValue);
      return args;
    }
    for (let k = 0; k < want; k++) {
      const optional = spec!.lastArgOptional && k === want - 1;
      if (k === 0 && inlineValue) {
        args.push(inlineValue);
        continue;
      }
      const next = words[this.i];
      if (k === 0 && !optional) {
        // getopt hands over the next word whatever it looks like
        if (next === undefined) {
          this.err('missing-argument', `option \`${optName}\` needs a value (${spec!.args.map((a) => a.label).join(' ')})`, word);
          return args;
        }
        args.push(next);
        this.i++;
        continue;
      }
      // further words are taken only when they do not look like options
      if (next === undefined || next.text.startsWith('-') || next.text === '!' || next.text.startsWith('!')) {
        if (!optional) this.err('missing-argument', `option \`${optName}\` needs ${want} values (${spec!.args.map((a) => a.label).join(' ')})`, word);
        return args;
      }
      args.push(next);
      this.i++;
    }
    return args;
  }

  private addOption(node: OptionNode): void {
    this.options.push(node);
    if (node.owner === 'generic') this.generic.push(node);
    if (node.owner === 'match') node.match!.options.push(node);
  }

  /** A generic or target option's node, shared through ctx.options when it can be (see OptionPool). */
  private plainOption(w: Word, nameSpan: Range, spec: OptionSpec, b: Word | undefined, args: readonly Word[], owner: 'generic' | 'target'): OptionNode {
    const ctx = this.ctx;
    const list = args.length === 0 ? NONE : args.length === 1 && ctx.pool ? ctx.pool.one(args[0]!) : undefined;
    if (ctx.options && !b && nameSpan === w && list) return ctx.options.node(spec, w, list, owner);
    return b ? { word: w, nameSpan, name: spec.name, negated: true, args, owner, spec, bang: b } : { word: w, nameSpan, name: spec.name, negated: false, args, owner, spec };
  }

  /** Would an option nobody knows load the protocol's match now (as iptables does after -p)? */
  private loadsProtocol(): boolean {
    if (!this.protocol) return false;
    const pm = protocolMatchName(this.protocol.text, this.ctx.family);
    if (!pm) return false;
    if (this.matchNamesLine !== this.serial) {
      // the names of the modules loaded so far; load() adds the next ones
      this.matchNames.clear();
      for (let k = 0; k < this.matches.length; k++) this.matchNames.add(this.matches.at(k).name);
      this.matchNamesLine = this.serial;
    }
    const already = this.matchNames.has(pm);
    return !already || !this.protoImplicitlyLoaded;
  }

  private readWords(): void {
    const words = this.words;
    const ctx = this.ctx;
    while (this.i < words.length) {
      const w = words[this.i++]!;
      const t = w.text;

      if (t === '!' && !w.quoted) {
        if (this.bang) this.err('syntax', 'two `!` in a row: iptables allows only one negation per option', w);
        this.bang = w;
        continue;
      }

      if (!isOptionLike(w)) {
        this.err('syntax', `unexpected word \`${t}\`: it belongs to no option (iptables says "Bad argument")`, w, 'error', { stray: true });
        continue;
      }

      // split --name=value
      let name = t;
      let inline: Word | undefined;
      let nameSpan: Range = w;
      const eq = t.startsWith('--') ? t.indexOf('=') : -1;
      if (eq > 2 && !w.quoted) {
        name = t.slice(0, eq);
        inline = sub(w, eq + 1, t.length, t.slice(eq + 1));
        nameSpan = { start: w.start, end: w.start + eq };
      }

      // commands
      const cmd = name.charCodeAt(0) === 45 /* - */ ? COMMAND_BY_NAME.get(name) : findCommand(name);
      if (cmd) {
        const b = this.takeBang();
        if (b) this.err('syntax', `\`!\` cannot negate the command ${cmd.name}`, b);
        if (this.command) {
          this.err('syntax', `a line holds one command: ${this.command.spec.name} is already given, so ${cmd.name} cannot follow`, w);
          continue;
        }
        let chain: Word | undefined;
        let extra: Word[] | undefined;
        if (inline) chain = inline;
        else if (cmd.chain === 'required') {
          if (this.i < words.length) chain = words[this.i++];
          else this.err('missing-argument', `${cmd.name} needs a chain name`, w);
        } else if (cmd.chain === 'optional' && isPositional(words[this.i])) chain = words[this.i++];
        if (chain) {
          for (const e of cmd.extra) {
            const next = words[this.i];
            if (e.optional) {
              if (e.kind === 'rulenum' && isPositional(next) && (cmd.letter !== 'D' || /^[0-9]+$/.test(next.text))) {
                (extra ??= []).push(next);
                this.i++;
              }
            } else if (next === undefined || (e.kind === 'rulenum' && !isPositional(next))) {
              this.err('missing-argument', `${cmd.name} needs a ${e.label} after the chain name`, chain);
            } else {
              (extra ??= []).push(next);
              this.i++;
            }
          }
        }
        const kept = extra ? fitOrNone(extra) : NONE;
        this.command = chain ? { spec: cmd, word: w, chain, extra: kept } : { spec: cmd, word: w, extra: kept };
        continue;
      }

      // -t / --table
      if (name === '-t' || name === '--table' || (name.startsWith('--t') && '--table'.startsWith(name) && name.length > 3)) {
        const tw = this.valueWord(w, inline, '`!` cannot negate -t', '-t needs a table name');
        if (!tw) continue;
        if (ctx.format === 'save') {
          this.err('table-option-in-restore', `-t cannot be used inside an iptables-restore file: put the rule under a \`*${tw.text}\` header instead`, joinWords(w, tw));
        }
        this.tableWord = tw;
        this.table = tw.text;
        continue;
      }

      // -4 / -6
      if (name === '-4' || name === '--ipv4' || name === '-6' || name === '--ipv6') {
        const v4 = name.includes('4');
        this.onlyFamily = v4 ? 'ipv4' : 'ipv6';
        this.addOption(this.plainOption(w, nameSpan, v4 ? IPV4_OPTION : IPV6_OPTION, undefined, [], 'generic'));
        continue;
      }

      // -m / --match
      if (name === '-m' || name === '--match' || (name.length > 3 && '--match'.startsWith(name))) {
        const mw = this.valueWord(w, inline, '`!` cannot stand before -m: put it before the option of the module you want to negate', '-m needs a match module name');
        if (!mw) continue;
        const node = this.loadMatch(mw.text, mw, w, false);
        if (!node.spec) {
          const other = findMatchOtherFamily(mw.text, ctx.family);
          this.err(
            'unknown-match',
            other
              ? `the \`${mw.text}\` match exists only for ${ctx.family === 'ipv4' ? 'ip6tables (IPv6)' : 'iptables (IPv4)'}`
              : `unknown match module \`${mw.text}\`: iptables 1.8.9 has no such extension`,
            mw,
          );
        }
        continue;
      }

      // -j / -g
      const isJump = name === '-j' || name === '--jump' || (name.length > 3 && '--jump'.startsWith(name));
      const isGoto = name === '-g' || name === '--goto' || (name.length > 3 && '--goto'.startsWith(name));
      if (isJump || isGoto) {
        // iptables takes -j's target from the whole word (argv[optind-1]): `--jump=ACCEPT` names a
        // chain called "--jump=ACCEPT"; -g reads its value properly
        const tw = isJump ? this.valueWord(w, inline && w, '`!` cannot negate -j', '-j needs a target or chain name') : this.valueWord(w, inline, '`!` cannot negate -g', '-g needs a target or chain name');
        if (!tw) continue;
        if (this.target) {
          this.err('syntax', `only one -j or -g per rule: ${this.target.goto ? '-g' : '-j'} ${this.target.name} is already given`, joinWords(w, tw));
          continue;
        }
        let spec: TargetSpec | undefined;
        let kind: TargetKind;
        if (STANDARD_VERDICTS.has(tw.text)) {
          spec = findTarget(tw.text, ctx.family);
          kind = 'standard';
        } else if ((spec = findTarget(tw.text, ctx.family))) {
          kind = 'extension';
        } else if (findTargetOtherFamily(tw.text, ctx.family)) {
          kind = 'unknown';
          this.err('unknown-target', `the \`${tw.text}\` target exists only for ${ctx.family === 'ipv4' ? 'ip6tables (IPv6)' : 'iptables (IPv4)'}`, tw);
        } else kind = 'chain';
        const node: TargetNode = spec
          ? { name: tw.text, jWord: w, nameWord: tw, goto: isGoto, kind, options: [], spec }
          : { name: tw.text, jWord: w, nameWord: tw, goto: isGoto, kind, options: [] };
        this.target = node;
        this.addOption(this.plainOption(w, nameSpan, isJump ? JUMP_OPTION : GOTO_OPTION, undefined, ctx.pool ? ctx.pool.one(tw) : [tw], 'generic'));
        if (spec && spec.options.length) this.load({ kind: 'target', options: spec.options, target: node, unknown: false });
        continue;
      }

      // everything else: generic option or an option of a loaded extension
      let found = this.candidates(name);
      if (found.length === 0 && this.protocol && this.loadsProtocol()) {
        // iptables loads the protocol's match on the first option nobody knows (even after `! -p`,
        // which the kernel then refuses)
        this.loadMatch(protocolMatchName(this.protocol.text, ctx.family)!, this.protocol, undefined, true);
        this.protoImplicitlyLoaded = true;
        found = this.candidates(name);
      }
      // a module we have no entry for may own this option under exactly this name, and getopt_long
      // prefers an exact match to any abbreviation (`-m recent --set` is recent's --set, not an
      // abbreviation of --set-counters): leave inexact names to that module
      if (found.length && !found[0]!.exact && this.lastUnknown) found = NONE;

      if (found.length > 1) {
        this.takeBang();
        this.err('unknown-option', `\`${name}\` is an ambiguous abbreviation: it could be ${found.map((f) => f.spec.name).join(', ')}`, nameSpan);
        this.takeArgs(undefined, w, inline, name, true);
        continue;
      }

      if (found.length === 0) {
        const b = this.takeBang();
        const unknownOwner = this.lastUnknown;
        if (unknownOwner) {
          // options of a module we do not know: keep them, guess their words, say nothing more
          const args = this.takeArgs(undefined, w, inline, name, true);
          const node: OptionNode = {
            word: w, nameSpan, name, negated: !!b, args, owner: unknownOwner.kind,
            ...(b ? { bang: b } : {}), ...(unknownOwner.match ? { match: unknownOwner.match } : {}),
          };
          this.addOption(node);
          if (unknownOwner.target) unknownOwner.target.options.push(node);
          continue;
        }
        const why = unknownOption(name, ctx.family, this.protocol?.text, this.matches.copy());
        this.err('unknown-option', why.message, nameSpan, 'error', { option: name, ...(why.module ? { module: why.module } : {}) });
        this.takeArgs(undefined, w, inline, name, true);
        continue;
      }

      const cand = found[0]!;
      const spec = cand.spec;
      // (the candidate may be the reader's own, rewritten by the next lookup: read it now)
      const owner = cand.owner;
      if (!cand.exact) {
        this.err('abbreviated-option', `\`${name}\` is accepted as an abbreviation of \`${spec.name}\`; write it out so the rule reads the same as iptables-save prints it`, nameSpan, 'hint', { replacement: spec.name });
      }
      if (owner === 'command') continue; // unreachable: commands handled above
      const b = this.takeBang();
      // likewise -p, -s, -d, -i and -o: `--protocol=tcp` is the protocol "--protocol=tcp"
      const value = inline && owner === 'generic' && WHOLE_WORD_VALUE.has(spec.name) ? w : inline;
      const args = this.takeArgs(spec, w, value, spec.name, false);
      if (owner === 'generic') {
        const node = this.plainOption(w, nameSpan, spec, b, args, 'generic');
        if (this.genericSeen.get(spec.name) === this.serial && !spec.multi) {
          this.err('duplicate-option', `${spec.name} is given twice in one rule; iptables allows it once`, nameSpan);
        }
        this.genericSeen.set(spec.name, this.serial);
        this.addOption(node);
        if (ctx.format === 'save' && (spec.name === '-w' || spec.name === '-W')) {
          // xshared.c do_parse refuses the lock options while restoring
          this.err('syntax', `${spec.name} cannot be used inside an iptables-restore file (iptables-restore says "You cannot use \`${spec.name}' from iptables-restore"); give it to iptables-restore on its command line instead`, nameSpan);
        }
        if (spec.name === '-p' && args[0]) {
          this.protocol = args[0];
          this.protoImplicitlyLoaded = false;
        }
        continue;
      }
      const match = owner.match;
      const node: OptionNode = match
        ? b
          ? { word: w, nameSpan, name: spec.name, negated: true, args, owner: owner.kind, spec, bang: b, match }
          : { word: w, nameSpan, name: spec.name, negated: false, args, owner: owner.kind, spec, match }
        : this.plainOption(w, nameSpan, spec, b, args, 'target');
      this.addOption(node);
      if (owner.target) owner.target.options.push(node);
    }
    if (this.bang) this.err('syntax', 'a `!` at the end of the line negates nothing', this.bang);
  }

  /** The line's nodes, their lists kept at their size (they live as long as the document), shared where they can be. */
  private result(): ParsedCommand {
    const ctx = this.ctx;
    const pool = ctx.pool;
    for (let k = 0; k < this.options.length; k++) {
      const o = this.options.at(k);
      const kept = pool && o.args.length === 1 ? pool.one(o.args[0]!) : fitOrNone(o.args as Word[]);
      // (a shared node came with its list kept already: it is not written to)
      if (kept !== o.args) (o as { args: readonly Word[] }).args = kept;
    }
    for (let k = 0; k < this.matches.length; k++) {
      const m = this.matches.at(k);
      (m as { options: OptionNode[] }).options = fitOrNone(m.options);
    }
    const table = this.table;
    const generic = this.generic.copyOrNone();
    const matches = this.matches.copyOrNone();
    const options = this.options.copy();
    const findings = this.findings.copyOrNone();
    const command = this.command;
    // (the common shapes written out: a spread of a conditional object makes one more object, and
    // V8 copies the properties one by one there)
    const out: ParsedCommand =
      this.tableWord || this.onlyFamily
        ? {
            table, generic, matches, options, findings,
            ...(command ? { command } : {}),
            ...(this.tableWord ? { tableWord: this.tableWord } : {}),
            ...(this.onlyFamily ? { onlyFamily: this.onlyFamily } : {}),
          }
        : command
          ? { table, generic, matches, options, findings, command }
          : { table, generic, matches, options, findings };
    if (ctx.options) shareMatches(out, this.matches, ctx.options);
    const target = this.target;
    if (target) (target as { options: OptionNode[] }).options = fitOrNone(target.options);
    if (ctx.options) {
      // (the target's options are shared nodes already, or it is not shared)
      if (target) out.target = ctx.options.target(target);
      if (out.command) out.command = ctx.options.command(out.command);
    } else if (target) out.target = target;
    return out;
  }
}

const READER = new CommandReader();

export function parseCommandWords(words: readonly Word[], ctx: CommandContext): ParsedCommand {
  return (READER.busy ? new CommandReader() : READER).read(words, ctx);
}

/**
 * Each match of the line that equals one of an earlier line becomes that one, its options too
 * (in out.options, in the order they were read).
 */
function shareMatches(out: ParsedCommand, own: Scratch<MatchNode>, pool: OptionPool): void {
  let swapped = false;
  for (let k = 0; k < out.matches.length; k++) {
    const m = out.matches[k]!;
    const shared = pool.match(m);
    if (!shared || shared === m) continue;
    out.matches[k] = shared;
    swapped = true;
  }
  if (!swapped) return;
  // an option of a swapped match becomes the shared match's option at its place (found through
  // the line's own matches, in the order read: no map per line)
  for (let k = 0; k < out.options.length; k++) {
    const o = out.options[k]!;
    const m = o.match;
    if (m === undefined) continue;
    let i = 0;
    while (i < own.length && own.at(i) !== m) i++;
    const shared = out.matches[i];
    if (shared === undefined || shared === m) continue;
    out.options[k] = shared.options[m.options.indexOf(o)]!;
  }
}

function joinWords(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}

/**
 * Explain an option nobody claimed, naming the module that has it when there is one; `module` is
 * set when loading one module (not a protocol) would make the option known.
 */
function unknownOption(name: string, family: Family, protocol: string | undefined, loaded: readonly MatchNode[]): { message: string; module?: string } {
  const owners: MatchSpec[] = MATCHES.filter(
    (m) => m.families.includes(family) && m.options.some((o) => o.name === name || o.aliases?.includes(name)),
  );
  if (owners.length === 0) {
    // name a few modules, not all of them: a line may load hundreds
    const some = loaded.slice(0, 6).map((m) => `-m ${m.name}`).join(', ') + (loaded.length > 6 ? ` and ${loaded.length - 6} more` : '');
    return { message: `unknown option \`${name}\`${loaded.length ? ` for ${some}` : ''}` };
  }
  const protoOwners = owners.filter((m) => m.protocols && protocolMatchName(m.name, family) === m.name);
  if (protoOwners.length) {
    const names = protoOwners.map((m) => `-p ${m.protocols![0]}`).join(' or ');
    if (protocol && protocolName(protocol) !== 'all') {
      return { message: `\`${name}\` is an option of ${protoOwners.map((m) => `the ${m.name} match`).join(' and ')}, which \`-p ${protocol}\` does not load: use ${names}` };
    }
    return { message: `\`${name}\` needs ${names} (or ${protoOwners.map((m) => `-m ${m.name}`).join(' / ')}) before it` };
  }
  return {
    message: `\`${name}\` is an option of ${owners.map((m) => `\`-m ${m.name}\``).join(' or ')}; load the module first: \`-m ${owners[0]!.name} ${name} ...\``,
    ...(owners.length === 1 ? { module: owners[0]!.name } : {}),
  };
}
