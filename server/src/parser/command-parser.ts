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
    return add(this.byArgs, args, shared({ word, nameSpan: word, name: spec.name, negated: false, args, owner, spec }));
  }

  /**
   * The shared match equal to m (same words at the same places, same options with the same
   * values), or m itself, now shared, when it is the first; undefined when m cannot be shared.
   * m's options must have their lists kept already (see the end of parseCommandWords).
   */
  match(m: MatchNode): MatchNode | undefined {
    for (const o of m.options) if (o.negated || o.nameSpan !== o.word || o.args.length > 1) return undefined;
    const last = m.options[m.options.length - 1];
    const key = last ? (last.args.length ? last.args : last.word) : m.nameWord;
    const found = this.matches.get(key);
    if (found !== undefined) {
      if (!Array.isArray(found)) {
        if (sameMatch(found as MatchNode, m)) return found as MatchNode;
      } else {
        for (let k = 0; k < found.length; k++) if (sameMatch(found[k]!, m)) return found[k]!;
      }
    }
    for (const o of m.options) shared(o);
    shared(m.options);
    return add(this.matches, key, shared(m));
  }

  /** The shared target equal to t (see match), or t itself, now shared; t when it cannot be shared. */
  target(t: TargetNode): TargetNode {
    for (const o of t.options) if (o.negated || o.nameSpan !== o.word || o.args.length > 1) return t;
    const last = t.options[t.options.length - 1];
    const key = last ? (last.args.length ? last.args : last.word) : t.nameWord;
    const found = this.targets.get(key);
    if (found !== undefined) {
      if (!Array.isArray(found)) {
        if (sameTarget(found as TargetNode, t)) return found as TargetNode;
      } else {
        for (let k = 0; k < found.length; k++) if (sameTarget(found[k]!, t)) return found[k]!;
      }
    }
    shared(t.options);
    return add(this.targets, key, shared(t));
  }

  /** The shared command equal to c (the same command word, chain word and further words), or c, now shared. */
  command(c: CommandNode): CommandNode {
    const key = c.chain ?? c.word;
    const found = this.commands.get(key);
    if (found !== undefined) {
      if (!Array.isArray(found)) {
        if (sameCommand(found as CommandNode, c)) return found as CommandNode;
      } else {
        for (let k = 0; k < found.length; k++) if (sameCommand(found[k]!, c)) return found[k]!;
      }
    }
    shared(c.extra);
    return add(this.commands, key, shared(c));
  }
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

/** The same objects in the same order. */
function sameItems(a: readonly object[], b: readonly object[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
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

function add<K, V extends object>(map: Map<K, V | V[]>, key: K, v: V): V {
  const found = map.get(key);
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
 * The array as it will stay: exactly its length (a pushed-to array keeps room for 16 more). Always
 * a new array, never a shared empty one: caches downstream know a line by its option list.
 */
function fit<T>(xs: T[]): T[] {
  return xs.slice();
}

/**
 * One empty list for every empty list that nothing knows a line by (arguments, a match's
 * or target's options, extra words, findings): a 100 000-rule file has several per line, each an
 * object of its own otherwise. Shared (frozen under the tests, so that a push into it throws instead of reaching every line).
 */
const NONE: readonly never[] = shared([]);

/** `fit`, or the shared empty list when there is nothing in it. */
function fitOrNone<T>(xs: T[]): T[] {
  return xs.length ? xs.slice() : (NONE as unknown as T[]);
}

function abbreviates(spec: OptionSpec, name: string): boolean {
  return namesOf(spec).some((n) => n.startsWith('--') && n.startsWith(name));
}

export function parseCommandWords(words: readonly Word[], ctx: CommandContext): ParsedCommand {
  const out: ParsedCommand = { table: ctx.table, generic: [], matches: [], options: [], findings: [] };
  const loaded: Loaded[] = []; // newest last
  /**
   * The newest load of each distinct option list, newest first: an exact name belongs to the
   * newest module that has it, as in getopt's table (looked up in a map built once per list, so a
   * line that loads the same module a thousand times costs no more per word than one that loads it once).
   */
  const recent: Loaded[] = [];
  const loadedExact = (name: string): PoolEntry | undefined => {
    for (const l of recent) {
      const spec = nameMap(l.options).get(name);
      if (spec) return { spec, owner: l };
    }
    return undefined;
  };
  /** The newest loaded module we have no entry for. */
  let lastUnknown: Loaded | undefined;
  const loadedMatchNames = new Set<string>();
  const load = (l: Loaded) => {
    loaded.push(l);
    if (l.unknown) lastUnknown = l;
    if (l.match) loadedMatchNames.add(l.match.name);
    const at = recent.findIndex((x) => x.options === l.options);
    if (at >= 0) recent.splice(at, 1);
    recent.unshift(l);
  };
  let bang: Word | undefined;
  let protocol: { word: Word; negated: boolean } | undefined;
  let protoImplicitlyLoaded = false;
  const seenGeneric = new Map<string, OptionNode>();

  const takeBang = (): Word | undefined => {
    const b = bang;
    bang = undefined;
    return b;
  };

  /**
   * The option specs a long-option word may resolve to right now, in getopt's order (commands,
   * -t, generic options, then the loaded modules newest first): the exact name if any, else every
   * option it abbreviates (at most MAX_CANDIDATES). Linear in the distinct modules loaded, so a
   * line that loads the same module a thousand times costs no more per word than one that loads it once.
   */
  const candidates = (name: string): readonly Candidate[] => {
    const fixed = STATIC_FOUND.get(name);
    if (fixed) return fixed;
    const exact = loadedExact(name);
    if (exact) return [{ spec: exact.spec, owner: exact.owner, exact: true }];
    if (!name.startsWith('--') || name.length < 3) return [];
    const out: Candidate[] = [];
    for (const p of STATIC_POOL) if (abbreviates(p.spec, name)) out.push({ spec: p.spec, owner: p.owner, exact: false });
    // an option list that offered nothing offers nothing again when its module is loaded twice
    const barren = new Set<readonly OptionSpec[]>();
    for (let k = loaded.length - 1; k >= 0 && out.length < MAX_CANDIDATES; k--) {
      const l = loaded[k]!;
      if (barren.has(l.options)) continue;
      const before = out.length;
      for (const spec of l.options) if (abbreviates(spec, name) && out.length < MAX_CANDIDATES) out.push({ spec, owner: l, exact: false });
      if (out.length === before) barren.add(l.options);
    }
    return out;
  };

  const loadMatch = (name: string, nameWord: Word, mWord: Word | undefined, implicit: boolean): MatchNode => {
    const spec = findMatch(name, ctx.family);
    const node: MatchNode = { name, nameWord, implicit, options: [], ...(mWord ? { mWord } : {}), ...(spec ? { spec } : {}) };
    out.matches.push(node);
    load({ kind: 'match', options: spec?.options ?? NO_OPTIONS, match: node, unknown: !spec });
    return node;
  };

  let i = 0;
  /** Collect the argument words of an option; returns undefined when they are missing. */
  const takeArgs = (spec: OptionSpec | undefined, word: Word, inlineValue: Word | undefined, optName: string, unknownArity: boolean): readonly Word[] => {
    const want = spec ? spec.args.length : 0;
    // the common case, one value in the next word: its list from the pool, no array of our own
    if (want === 1 && !unknownArity && !inlineValue && !spec!.lastArgOptional && i < words.length && ctx.pool) return ctx.pool.one(words[i++]!);
    const args: Word[] = [];
    if (unknownArity) {
      if (inlineValue) args.push(inlineValue);
      while (i < words.length && !isOptionLike(words[i]) && words[i]!.text !== '!') args.push(words[i++]!);
      return args;
    }
    if (want === 0) {
      if (inlineValue) out.findings.push(err(ctx.line, 'syntax', `option \`${optName}\` takes no value`, inlineValue));
      return args;
    }
    for (let k = 0; k < want; k++) {
      const optional = spec!.lastArgOptional && k === want - 1;
      if (k === 0 && inlineValue) {
        args.push(inlineValue);
        continue;
      }
      const next = words[i];
      if (k === 0 && !optional) {
        // getopt hands over the next word whatever it looks like
        if (next === undefined) {
          out.findings.push(err(ctx.line, 'missing-argument', `option \`${optName}\` needs a value (${spec!.args.map((a) => a.label).join(' ')})`, word));
          return args;
        }
        args.push(next);
        i++;
        continue;
      }
      // further words are taken only when they do not look like options
      if (next === undefined || next.text.startsWith('-') || next.text === '!' || next.text.startsWith('!')) {
        if (!optional) {
          out.findings.push(
            err(ctx.line, 'missing-argument', `option \`${optName}\` needs ${want} values (${spec!.args.map((a) => a.label).join(' ')})`, word),
          );
        }
        return args;
      }
      args.push(next);
      i++;
    }
    return args;
  };

  const addOption = (node: OptionNode) => {
    out.options.push(node);
    if (node.owner === 'generic') out.generic.push(node);
    if (node.owner === 'match') node.match!.options.push(node);
  };

  /** A generic or target option's node, shared through ctx.options when it can be (see OptionPool). */
  const plainOption = (w: Word, nameSpan: Range, spec: OptionSpec, b: Word | undefined, args: readonly Word[], owner: 'generic' | 'target'): OptionNode => {
    const list = args.length === 0 ? NONE : args.length === 1 && ctx.pool ? ctx.pool.one(args[0]!) : undefined;
    if (ctx.options && !b && nameSpan === w && list) return ctx.options.node(spec, w, list, owner);
    return { word: w, nameSpan, name: spec.name, negated: !!b, args, owner, spec, ...(b ? { bang: b } : {}) };
  };

  while (i < words.length) {
    const w = words[i++]!;
    const t = w.text;

    if (t === '!' && !w.quoted) {
      if (bang) out.findings.push(err(ctx.line, 'syntax', 'two `!` in a row: iptables allows only one negation per option', w));
      bang = w;
      continue;
    }

    if (!isOptionLike(w)) {
      out.findings.push(err(ctx.line, 'syntax', `unexpected word \`${t}\`: it belongs to no option (iptables says "Bad argument")`, w, 'error', { stray: true }));
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
      const b = takeBang();
      if (b) out.findings.push(err(ctx.line, 'syntax', `\`!\` cannot negate the command ${cmd.name}`, b));
      if (out.command) {
        out.findings.push(err(ctx.line, 'syntax', `a line holds one command: ${out.command.spec.name} is already given, so ${cmd.name} cannot follow`, w));
        continue;
      }
      let chain: Word | undefined;
      const extra: Word[] = [];
      if (inline) chain = inline;
      else if (cmd.chain === 'required') {
        if (i < words.length) chain = words[i++];
        else out.findings.push(err(ctx.line, 'missing-argument', `${cmd.name} needs a chain name`, w));
      } else if (cmd.chain === 'optional' && isPositional(words[i])) chain = words[i++];
      if (chain) {
        for (const e of cmd.extra) {
          const next = words[i];
          if (e.optional) {
            if (e.kind === 'rulenum' && isPositional(next) && (cmd.letter !== 'D' || /^[0-9]+$/.test(next.text))) {
              extra.push(next);
              i++;
            }
          } else if (next === undefined || (e.kind === 'rulenum' && !isPositional(next))) {
            out.findings.push(err(ctx.line, 'missing-argument', `${cmd.name} needs a ${e.label} after the chain name`, chain));
          } else {
            extra.push(next);
            i++;
          }
        }
      }
      out.command = { spec: cmd, word: w, ...(chain ? { chain } : {}), extra: fitOrNone(extra) };
      continue;
    }

    // -t / --table
    if (name === '-t' || name === '--table' || (name.startsWith('--t') && '--table'.startsWith(name) && name.length > 3)) {
      const b = takeBang();
      if (b) out.findings.push(err(ctx.line, 'syntax', '`!` cannot negate -t', b));
      const tw = inline ?? words[i++];
      if (!tw) {
        out.findings.push(err(ctx.line, 'missing-argument', '-t needs a table name', w));
        continue;
      }
      if (ctx.format === 'save') {
        out.findings.push(
          err(ctx.line, 'table-option-in-restore', `-t cannot be used inside an iptables-restore file: put the rule under a \`*${tw.text}\` header instead`, joinWords(w, tw)),
        );
      }
      out.tableWord = tw;
      out.table = tw.text;
      continue;
    }

    // -4 / -6
    if (name === '-4' || name === '--ipv4' || name === '-6' || name === '--ipv6') {
      out.onlyFamily = name.includes('4') ? 'ipv4' : 'ipv6';
      const spec = GENERIC_OPTIONS.find((g) => g.name === (name.includes('4') ? '-4' : '-6'))!;
      addOption(plainOption(w, nameSpan, spec, undefined, [], 'generic'));
      continue;
    }

    // -m / --match
    if (name === '-m' || name === '--match' || (name.length > 3 && '--match'.startsWith(name))) {
      const b = takeBang();
      if (b) out.findings.push(err(ctx.line, 'syntax', '`!` cannot stand before -m: put it before the option of the module you want to negate', b));
      const mw = inline ?? words[i++];
      if (!mw) {
        out.findings.push(err(ctx.line, 'missing-argument', '-m needs a match module name', w));
        continue;
      }
      const node = loadMatch(mw.text, mw, w, false);
      if (!node.spec) {
        const other = findMatchOtherFamily(mw.text, ctx.family);
        out.findings.push(
          err(ctx.line, 'unknown-match',
            other
              ? `the \`${mw.text}\` match exists only for ${ctx.family === 'ipv4' ? 'ip6tables (IPv6)' : 'iptables (IPv4)'}`
              : `unknown match module \`${mw.text}\`: iptables 1.8.9 has no such extension`,
            mw,
          ),
        );
      }
      continue;
    }

    // -j / -g
    const isJump = name === '-j' || name === '--jump' || (name.length > 3 && '--jump'.startsWith(name));
    const isGoto = name === '-g' || name === '--goto' || (name.length > 3 && '--goto'.startsWith(name));
    if (isJump || isGoto) {
      const b = takeBang();
      if (b) out.findings.push(err(ctx.line, 'syntax', `\`!\` cannot negate ${isJump ? '-j' : '-g'}`, b));
      // iptables takes -j's target from the whole word (argv[optind-1]): `--jump=ACCEPT` names a
      // chain called "--jump=ACCEPT"; -g reads its value properly
      const tw = inline ? (isJump ? w : inline) : words[i++];
      if (!tw) {
        out.findings.push(err(ctx.line, 'missing-argument', `${isJump ? '-j' : '-g'} needs a target or chain name`, w));
        continue;
      }
      if (out.target) {
        out.findings.push(err(ctx.line, 'syntax', `only one -j or -g per rule: ${out.target.goto ? '-g' : '-j'} ${out.target.name} is already given`, joinWords(w, tw)));
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
        out.findings.push(
          err(ctx.line, 'unknown-target', `the \`${tw.text}\` target exists only for ${ctx.family === 'ipv4' ? 'ip6tables (IPv6)' : 'iptables (IPv4)'}`, tw),
        );
      } else kind = 'chain';
      const node: TargetNode = { name: tw.text, jWord: w, nameWord: tw, goto: isGoto, kind, options: [], ...(spec ? { spec } : {}) };
      out.target = node;
      addOption(plainOption(w, nameSpan, GENERIC_OPTIONS.find((g) => g.name === (isJump ? '-j' : '-g'))!, undefined, ctx.pool ? ctx.pool.one(tw) : [tw], 'generic'));
      if (spec && spec.options.length) load({ kind: 'target', options: spec.options, target: node, unknown: false });
      continue;
    }

    // everything else: generic option or an option of a loaded extension
    let found = candidates(name);
    if (found.length === 0 && protocol && shouldLoadProtocol()) {
      // iptables loads the protocol's match on the first option nobody knows (even after `! -p`,
      // which the kernel then refuses)
      loadMatch(protocolMatchName(protocol.word.text, ctx.family)!, protocol.word, undefined, true);
      protoImplicitlyLoaded = true;
      found = candidates(name);
    }
    // a module we have no entry for may own this option under exactly this name, and getopt_long
    // prefers an exact match to any abbreviation (`-m recent --set` is recent's --set, not an
    // abbreviation of --set-counters): leave inexact names to that module
    if (found.length && !found[0]!.exact && lastUnknown) found = [];

    if (found.length > 1) {
      takeBang();
      out.findings.push(
        err(ctx.line, 'unknown-option', `\`${name}\` is an ambiguous abbreviation: it could be ${found.map((f) => f.spec.name).join(', ')}`, nameSpan),
      );
      takeArgs(undefined, w, inline, name, true);
      continue;
    }

    if (found.length === 0) {
      const b = takeBang();
      const unknownOwner = lastUnknown;
      if (unknownOwner) {
        // options of a module we do not know: keep them, guess their words, say nothing more
        const args = takeArgs(undefined, w, inline, name, true);
        const node: OptionNode = {
          word: w, nameSpan, name, negated: !!b, args, owner: unknownOwner.kind,
          ...(b ? { bang: b } : {}), ...(unknownOwner.match ? { match: unknownOwner.match } : {}),
        };
        addOption(node);
        if (unknownOwner.target) unknownOwner.target.options.push(node);
        continue;
      }
      const why = unknownOption(name, ctx.family, protocol?.word.text, out.matches);
      out.findings.push(err(ctx.line, 'unknown-option', why.message, nameSpan, 'error', { option: name, ...(why.module ? { module: why.module } : {}) }));
      takeArgs(undefined, w, inline, name, true);
      continue;
    }

    const cand = found[0]!;
    const spec = cand.spec;
    if (!cand.exact) {
      out.findings.push(
        err(ctx.line, 'abbreviated-option', `\`${name}\` is accepted as an abbreviation of \`${spec.name}\`; write it out so the rule reads the same as iptables-save prints it`, nameSpan, 'hint', { replacement: spec.name }),
      );
    }
    if (cand.owner === 'command') continue; // unreachable: commands handled above
    const b = takeBang();
    // likewise -p, -s, -d, -i and -o: `--protocol=tcp` is the protocol "--protocol=tcp"
    const value = inline && cand.owner === 'generic' && WHOLE_WORD_VALUE.has(spec.name) ? w : inline;
    const args = takeArgs(spec, w, value, spec.name, false);
    if (cand.owner === 'generic') {
      const node = plainOption(w, nameSpan, spec, b, args, 'generic');
      const prev = seenGeneric.get(spec.name);
      if (prev && !spec.multi) {
        out.findings.push(err(ctx.line, 'duplicate-option', `${spec.name} is given twice in one rule; iptables allows it once`, nameSpan));
      }
      seenGeneric.set(spec.name, node);
      addOption(node);
      if (ctx.format === 'save' && (spec.name === '-w' || spec.name === '-W')) {
        // xshared.c do_parse refuses the lock options while restoring
        out.findings.push(
          err(ctx.line, 'syntax', `${spec.name} cannot be used inside an iptables-restore file (iptables-restore says "You cannot use \`${spec.name}' from iptables-restore"); give it to iptables-restore on its command line instead`, nameSpan),
        );
      }
      if (spec.name === '-p' && args[0]) {
        protocol = { word: args[0], negated: !!b };
        protoImplicitlyLoaded = false;
      }
      continue;
    }
    const owner = cand.owner;
    const node: OptionNode = owner.match
      ? { word: w, nameSpan, name: spec.name, negated: !!b, args, owner: owner.kind, spec, ...(b ? { bang: b } : {}), match: owner.match }
      : plainOption(w, nameSpan, spec, b, args, 'target');
    addOption(node);
    if (owner.target) owner.target.options.push(node);
  }

  if (bang) out.findings.push(err(ctx.line, 'syntax', 'a `!` at the end of the line negates nothing', bang));
  // the nodes live as long as the document: keep their lists at their size
  const pool = ctx.pool;
  for (const o of out.options) {
    const kept = pool && o.args.length === 1 ? pool.one(o.args[0]!) : fitOrNone(o.args as Word[]);
    // (a shared node came with its list kept already: it is not written to)
    if (kept !== o.args) (o as { args: readonly Word[] }).args = kept;
  }
  for (const m of out.matches) (m as { options: OptionNode[] }).options = fitOrNone(m.options);
  if (ctx.options) shareMatches(out, ctx.options);
  if (out.target) (out.target as { options: OptionNode[] }).options = fitOrNone(out.target.options);
  if (ctx.options) {
    // (the target's options are shared nodes already, or it is not shared)
    if (out.target) out.target = ctx.options.target(out.target);
    if (out.command) out.command = ctx.options.command(out.command);
  }
  out.options = fit(out.options);
  out.generic = fitOrNone(out.generic);
  out.matches = fitOrNone(out.matches);
  out.findings = fitOrNone(out.findings);
  return out;

  function shouldLoadProtocol(): boolean {
    if (!protocol) return false;
    const pm = protocolMatchName(protocol.word.text, ctx.family);
    if (!pm) return false;
    const already = loadedMatchNames.has(pm);
    return !already || !protoImplicitlyLoaded;
  }
}

/**
 * Each match of the line that equals one of an earlier line becomes that one, its options too
 * (in out.options, in the order they were read).
 */
function shareMatches(out: ParsedCommand, pool: OptionPool): void {
  let swapped: Map<OptionNode, OptionNode> | undefined;
  for (let k = 0; k < out.matches.length; k++) {
    const m = out.matches[k]!;
    const shared = pool.match(m);
    if (!shared || shared === m) continue;
    out.matches[k] = shared;
    swapped ??= new Map();
    for (let j = 0; j < m.options.length; j++) swapped.set(m.options[j]!, shared.options[j]!);
  }
  if (swapped) for (let k = 0; k < out.options.length; k++) out.options[k] = swapped.get(out.options[k]!) ?? out.options[k]!;
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
