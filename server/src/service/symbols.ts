/**
 * The outline of a rules file: tables, their chains (with policy and rule count) and each chain's
 * rules in file order, each rule named by a short plain-words summary. A huge file lists every
 * table but not every rule: an outline of 100 000 rules took the server 8 s and the editor a 46 MB
 * answer on every edit, and nobody reads it; a chain says how many it holds. What is listed (see
 * listed) stops at MAX_CHAIN_SYMBOLS chains too, each table saying how many more it has: the
 * 35 000 chains of a kube-proxy node were an 11.7 MB answer, sent again after every pause in
 * typing (260-290 ms of each). Workspace symbols find any chain by name (see chain-search.ts).
 */
import { wordsOf } from '../model/line-words';
import type { Chain, CommandLine, LineNode, Rule, Ruleset, Span } from '../model/ruleset';
import { isRule, sameReading, spanAt } from '../model/ruleset';
import { conditionPhrases, targetPhrase } from './explain-rule';
import { ShownLines } from './shown-lines';
import { rulesetEdit } from '../parser/ruleset-parser';

export type SymbolKind = 'table' | 'chain' | 'builtin-chain' | 'rule' | 'more';

export interface OutlineSymbol {
  readonly name: string;
  readonly detail: string;
  readonly kind: SymbolKind;
  readonly range: Span & { readonly endLine: number };
  readonly selection: Span;
  readonly children: OutlineSymbol[];
  /** For a chain: how many rules it holds (its children are those it lists). */
  readonly rules?: number;
}

function ruleName(c: CommandLine): string {
  const words = wordsOf(c).map((w) => w.text);
  const i = words.findIndex((w) => w === c.command?.chain?.text);
  const rest = words.slice(i + 1 + (c.command?.extra.length ?? 0)).join(' ');
  return rest.length > 80 ? rest.slice(0, 77) + '...' : rest || '(no conditions)';
}

/** Rules listed under one chain, and in the whole outline. */
export const MAX_RULES_PER_CHAIN = 1000;
export const MAX_RULE_SYMBOLS = 5000;
/** Chains listed in the whole outline (see listed). */
export const MAX_CHAIN_SYMBOLS = 5000;

/** A file's outline, with what it takes to tell whether the next version's is the same. */
export interface Outline {
  /** What of the version the symbols were made for the comparison reads (not the ruleset: that would keep its analysis alive). */
  readonly basis: OutlineBasis;
  readonly symbols: OutlineSymbol[];
  /**
   * Lines whose text the outline shows: where a symbol starts or ends (its range and selection)
   * and the rules it lists. An edit of any other rule line that keeps the rule in its chain and
   * every jump as it was leaves the outline as it is.
   */
  readonly shown: ShownLines;
}

/**
 * The outline of rs; `previous`'s symbols when rs only differs from the version they were made
 * for by rules rewritten in place that the outline does not show (the editor asks again after
 * every edit, and at 100k rules building 40 000 symbols cost 100-200 ms each time), or those
 * symbols with the few that show a rewritten rule made again (see patched).
 */
export function outline(rs: Ruleset, lineLength: (line: number) => number, previous?: Outline): Outline {
  const edited = previous && editedLines(previous, rs);
  if (edited && edited.length === 0) return { basis: basisOf(rs), symbols: previous.symbols, shown: previous.shown };
  const kept = edited && patched(previous!, rs, edited, lineLength);
  if (kept) return { basis: basisOf(rs), symbols: kept, shown: previous!.shown };
  const moved = previous && !edited ? shifted(previous, rs, lineLength) : undefined;
  if (moved) return moved;
  const symbols = buildSymbols(rs, lineLength);
  return { basis: basisOf(rs), symbols, shown: shownBy(symbols) };
}

interface OutlineBasis {
  readonly family: Ruleset['family'];
  readonly format: Ruleset['format'];
  readonly lineCount: number;
  readonly lines: Ruleset['lines'];
  /** Each table's jump graph (see Table.jumps). */
  readonly jumps: ReadonlyMap<string, object>;
}

function basisOf(rs: Ruleset): OutlineBasis {
  const jumps = new Map<string, object>();
  for (const [name, t] of rs.tables) jumps.set(name, t.jumps);
  return { family: rs.family, format: rs.format, lineCount: rs.lineCount, lines: rs.lines, jumps };
}

/**
 * The lines the outline shows that differ from the version `previous` was made for, when every
 * line that differs is a rule rewritten in place, in the same table and chain, and every jump is
 * as it was (so every symbol, rule count and jump count stays); undefined otherwise.
 */
function editedLines(previous: Outline, rs: Ruleset): number[] | undefined {
  const p = previous.basis;
  if (p.family !== rs.family || p.format !== rs.format || p.lineCount !== rs.lineCount || p.lines.length !== rs.lines.length || p.jumps.size !== rs.tables.size) return undefined;
  // the same chains, and the same jumps between them (the jump counts shown)
  for (const [name, t] of rs.tables) if (p.jumps.get(name) !== t.jumps) return undefined;
  const shownEdited: number[] = [];
  // (the lines an edit left alone are the same nodes, in chunks both versions share: passed over)
  for (const i of p.lines.differences(rs.lines, Infinity)) {
    const a = p.lines.get(i)!;
    const b = rs.lines.get(i)!;
    if (a.kind !== 'command' || b.kind !== 'command' || !isRule(a) || !isRule(b) || a.table !== b.table || a.chain !== b.chain) return undefined;
    if (previous.shown.has(i)) shownEdited.push(i);
  }
  return shownEdited;
}

/** Edited lines up to which patched makes symbols again instead of the whole outline. */
const MAX_PATCHED_LINES = 16;

/**
 * previous's symbols with those that show one of the `edited` rule lines (see editedLines) made
 * again: the chain whose range ends on it (its end is the line's length), the rule listed for it,
 * the table whose range ends on it, and the symbols holding those; every other symbol is the
 * previous object. A rule line is shown by nothing else in a file of table blocks; undefined
 * where a line is shown otherwise (a chain first named by a rule, a file of commands), and the
 * outline is built again.
 */
function patched(previous: Outline, rs: Ruleset, edited: readonly number[], lineLength: (line: number) => number): OutlineSymbol[] | undefined {
  if (rs.format !== 'save' || edited.length > MAX_PATCHED_LINES) return undefined;
  const top = previous.symbols.slice();
  for (const i of edited) {
    const r = rs.lines.get(i) as Rule;
    const at = top.findIndex((t) => t.kind === 'table' && t.range.line < i && i <= t.range.endLine);
    const table = top[at];
    const k = table ? table.children.findIndex((c) => c.kind !== 'rule' && c.name === r.chain) : -1;
    const chain = table?.children[k];
    if (!table || !chain || chain.range.line === i || chain.selection.line === i) return undefined;
    let shown = false;
    let children = chain.children;
    const listed = children.findIndex((c) => c.range.line === i);
    if (listed >= 0) {
      children = children.slice();
      children[listed] = ruleSymbol(rs, r, lineLength);
      shown = true;
    }
    const ends = chain.range.endLine === i;
    const newChain: OutlineSymbol = ends || listed >= 0 ? { ...chain, range: ends ? { ...chain.range, end: lineLength(i) } : chain.range, children } : chain;
    const tableChildren = table.children.slice();
    tableChildren[k] = newChain;
    const tableEnds = table.range.endLine === i;
    top[at] = { ...table, range: tableEnds ? { ...table.range, end: lineLength(i) } : table.range, children: tableChildren };
    // (a line shown by some other symbol: the outline is built again)
    if (!shown && !ends && !tableEnds) return undefined;
  }
  return top;
}

/**
 * The outline of rs made from previous's when rs differs from the version it was made for by lines
 * put in or taken out in one place (every line below them moved, reading as it did: see
 * sameReading) that are blank lines, comments or rules of chains whose symbols begin above them in
 * the same table block, none of those rules listed nor to be listed: the symbols above are the
 * previous objects, those below moved copies, the table and chains around the edit end further
 * down or up (or, for a chain that got or lost its last rule, on its new last rule), and a chain
 * that got or lost rules says so. A line put into or taken out of a 100k-rule file built all
 * 40 000 symbols again otherwise. Undefined for any other edit (the outline is built again).
 */
function shifted(previous: Outline, rs: Ruleset, lineLength: (line: number) => number): Outline | undefined {
  const p = previous.basis;
  const by = rs.lineCount - p.lineCount;
  if (by === 0 || rs.format !== 'save' || p.format !== 'save' || p.family !== rs.family || p.lines.length !== p.lineCount || p.jumps.size !== rs.tables.size) return undefined;
  // the lines the edit replaced: old lines head..oldEnd-1 became new lines head..newEnd-1
  const { head, newEnd } = editSpan(p, rs, by);
  const oldEnd = newEnd - by;
  const table = previous.symbols.find((t) => t.kind === 'table' && t.range.line < head && oldEnd <= t.range.endLine);
  if (!table) return undefined;
  // the jumps of every other table are as they were (their chains' jump counts too)
  for (const [name, t] of rs.tables) if (p.jumps.get(name) !== t.jumps && name !== table.name.slice(1)) return undefined;
  /** Chains a rule of the edit jumps or goes to: their jump counts may have changed. */
  const jumpedTo = new Set<string>();
  /** The chain symbol of a rule of the edit: one that begins above it, in this block. */
  const chainOf = (n: LineNode | undefined): OutlineSymbol | undefined => {
    if (!n || n.kind !== 'command' || !isRule(n) || n.table !== table.name.slice(1)) return undefined;
    const c = table.children.find((x) => x.kind !== 'rule' && x.name === n.chain);
    return c && c.range.line < head && c.selection.line < head ? c : undefined;
  };
  /** Rules each chain got (+) or lost (-), and the last line of a rule it got. */
  const delta = new Map<OutlineSymbol, number>();
  const lastPut = new Map<OutlineSymbol, number>();
  for (let l = head; l < oldEnd; l++) {
    const n = p.lines.get(l)!;
    if (n.kind === 'blank' || n.kind === 'comment') continue;
    const c = chainOf(n);
    // (a line shown otherwise than as the end of its chain: a listed rule, the table's end)
    if (!c || (previous.shown.has(l) && (c.range.endLine !== l || c.children.some((r) => r.range.line === l) || table.range.endLine === l))) return undefined;
    delta.set(c, (delta.get(c) ?? 0) - 1);
    if (n.kind === 'command' && n.target?.kind === 'chain') jumpedTo.add(n.target.name);
  }
  for (let l = head; l < newEnd; l++) {
    const n = rs.lines.get(l)!;
    if (n.kind === 'blank' || n.kind === 'comment') continue;
    const c = chainOf(n);
    if (!c) return undefined;
    delta.set(c, (delta.get(c) ?? 0) + 1);
    lastPut.set(c, l);
    if (n.kind === 'command' && n.target?.kind === 'chain') jumpedTo.add(n.target.name);
  }
  // a chain lists its first rules in file order: a rule put in among or before those listed, or
  // while neither its chain nor the outline has used up its count, would be listed (and the
  // listing below it would change)
  const chains = [...delta.keys()];
  if (chains.some((c) => c.children.some((r) => r.range.line >= head))) return undefined;
  if (lastPut.size && [...lastPut.keys()].some((c) => c.children.length < MAX_RULES_PER_CHAIN)) {
    let listedBefore = 0;
    for (const t of previous.symbols) for (const c of t.children) for (const r of c.children) if (r.range.line < head) listedBefore++;
    if (listedBefore < MAX_RULE_SYMBOLS) return undefined;
  }
  /** The chains of the edit whose last rule is another line now (not the one they ended on, moved): where they end. */
  const ends = new Map<OutlineSymbol, number>();
  for (const c of chains) {
    if (c.range.endLine >= oldEnd) continue;
    const end = lastPut.get(c) ?? lastRuleAbove(rs, table.name.slice(1), c, head);
    if (end === undefined) return undefined;
    ends.set(c, end);
  }

  // (each symbol written out, not spread, and a symbol without children keeping its empty list: a
  // line put in near the top of a kube-proxy file moves or stretches its 35 000 chain symbols)
  /** Children moved by `kid`: the same empty list for a symbol that has none. */
  const under = (s: OutlineSymbol, kid: (c: OutlineSymbol) => OutlineSymbol) => (s.children.length ? s.children.map(kid) : s.children);
  const move = (s: OutlineSymbol): OutlineSymbol =>
    symbolWith(s, s.detail, s.rules, { line: s.range.line + by, start: s.range.start, end: s.range.end, endLine: s.range.endLine + by }, { line: s.selection.line + by, start: s.selection.start, end: s.selection.end }, under(s, move));
  /** A symbol around the edit: ends where `ends` says or further down or up, its children below moved. */
  const stretch = (s: OutlineSymbol): OutlineSymbol => {
    const children = under(s, (c) => (delta.has(c) ? stretch(c) : c.range.endLine < head ? c : c.range.line >= oldEnd ? move(c) : stretch(c)));
    const was = s.rules ?? 0;
    const now = was + (delta.get(s) ?? 0);
    const detail = now === was ? s.detail : s.detail.slice(0, s.detail.length - countNote(was, s.children.length).length) + countNote(now, s.children.length);
    const end = ends.get(s);
    const r = s.range;
    const range = end === undefined ? { line: r.line, start: r.start, end: r.end, endLine: r.endLine + by } : { line: r.line, start: r.start, end: lineLength(end), endLine: end };
    return symbolWith(s, detail, s.rules !== undefined ? now : undefined, range, s.selection, children);
  };
  const symbols = previous.symbols.map((t) => (t === table ? stretch(t) : t.range.endLine < head ? t : move(t)));
  const stretched = symbols[previous.symbols.indexOf(table)]!;
  if (jumpedTo.size) jumpCounts(rs, stretched, jumpedTo);
  // the lines shown: those of the version before, moved, but for the chains whose last rule is
  // another line now (the line they ended on stays shown when something else still shows it)
  const gone: number[] = [];
  const added: number[] = [];
  for (const [c, end] of ends) {
    added.push(end);
    if (c.range.endLine < head && !shows([stretched], c.range.endLine)) gone.push(c.range.endLine);
  }
  return { basis: basisOf(rs), symbols, shown: previous.shown.moved(head, oldEnd, by, gone, added) };
}

/**
 * Where an edit that put `by` lines more (fewer when negative) into the version of `p` lies in rs:
 * its old lines head..oldEnd-1 (oldEnd = newEnd - by) became new lines head..newEnd-1, every line
 * above reads as it did, every line below as the line `by` above or below it did. From what the
 * parse recorded of the edit, when rs was read from that version (through versions in between that
 * moved lines once at most); otherwise by comparing the lines from the end of the file up to the
 * edit, which read every line below it (making the node of each line a 100k-rule file moved).
 */
function editSpan(p: OutlineBasis, rs: Ruleset, by: number): { readonly head: number; readonly newEnd: number } {
  const e = rulesetEdit(rs, (v) => v.lines === p.lines);
  if (e?.shift && e.shift.by === by) {
    // lines from shift.from on are the old ones from shift.from - by on, unless read again
    const { from } = e.shift;
    const changed = e.changed;
    const newEnd = changed.length && changed[changed.length - 1]! >= from ? changed[changed.length - 1]! + 1 : from;
    return { head: Math.min(changed[0] ?? Infinity, from - Math.max(by, 0)), newEnd };
  }
  const head = p.lines.firstDifference(rs.lines);
  let newEnd = rs.lineCount;
  while (newEnd > head && newEnd - by > head && sameReading(rs.lines.get(newEnd - 1)!, p.lines.get(newEnd - 1 - by)!)) newEnd--;
  return { head, newEnd };
}

/**
 * The symbols of table symbol t's chains named in `names` made again with the jump count of the
 * chain in rs, where their detail says it (a chain declared on its own line).
 */
function jumpCounts(rs: Ruleset, t: OutlineSymbol, names: ReadonlySet<string>): void {
  const table = rs.tables.get(t.name.slice(1));
  const children = t.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.kind !== 'chain' || !names.has(c.name) || rs.lines.get(c.range.line)?.kind !== 'chain') continue;
    const detail = chainDetail(table?.chains.get(c.name)) + countNote(c.rules ?? 0, c.children.length);
    if (detail !== c.detail) children[i] = { ...c, detail };
  }
}

/** How far back lastRuleAbove looks for a chain's last rule above an edit. */
const MAX_LOOK_BACK = 4096;

/**
 * The line of the last rule of chain symbol c (of table `table`) above line `head` of rs, or c's
 * own line when it has none there; undefined when that is farther back than MAX_LOOK_BACK lines.
 */
function lastRuleAbove(rs: Ruleset, table: string, c: OutlineSymbol, head: number): number | undefined {
  for (let l = head - 1; l > c.range.line; l--) {
    if (l < head - MAX_LOOK_BACK) return undefined;
    const n = rs.lines.get(l)!;
    if (n.kind === 'command' && isRule(n) && n.chain === c.name && n.table === table) return l;
  }
  return c.range.line;
}

/** The symbol of a rule listed under its chain. */
function ruleSymbol(rs: Ruleset, n: Rule, lineLength: (line: number) => number): OutlineSymbol {
  return {
    name: ruleName(n),
    detail: [...conditionPhrases(n), targetPhrase(n, rs.family)].join(', '),
    kind: 'rule',
    range: { line: n.line, start: 0, end: lineLength(n.line), endLine: n.line },
    selection: spanAt(n.line, n.command.word),
    children: [],
  };
}

function buildSymbols(rs: Ruleset, lineLength: (line: number) => number): OutlineSymbol[] {
  const tables = new Map<string, OutlineSymbol>();
  let listedAll = 0;
  const order: OutlineSymbol[] = [];
  /** Chain symbols by name, under each table symbol (undefined: outside any table). */
  const chainSyms = new Map<OutlineSymbol | undefined, Map<string, OutlineSymbol>>();
  const chainsUnder = (parent: OutlineSymbol | undefined): Map<string, OutlineSymbol> => {
    let m = chainSyms.get(parent);
    if (!m) chainSyms.set(parent, (m = new Map()));
    return m;
  };

  const tableSym = (name: string, at: Span, endLine: number): OutlineSymbol => {
    const key = `${name}@${at.line}`;
    let t = tables.get(key);
    if (!t) {
      t = { name: `*${name}`, detail: 'table', kind: 'table', range: { ...at, start: 0, endLine }, selection: at, children: [] };
      tables.set(key, t);
      order.push(t);
    }
    return t;
  };
  const grow = (s: OutlineSymbol, line: number) => {
    const r = s.range as { endLine: number; end: number };
    if (line > r.endLine) {
      r.endLine = line;
      r.end = lineLength(line);
    }
  };

  let currentTable: OutlineSymbol | undefined;
  for (const n of rs.lines) {
    if (n.kind === 'table') {
      const end = rs.blockEnds.get(n)?.endLine ?? n.line;
      currentTable = tableSym(n.name, spanAt(n.line, n.nameWord), end);
      (currentTable.range as { end: number }).end = lineLength(end);
      continue;
    }
    if (n.kind === 'chain') {
      const parent = currentTable;
      const siblings = chainsUnder(parent);
      if (siblings.has(n.nameWord.text)) continue;
      const table = rs.tables.get(n.table);
      const chain = table?.chains.get(n.nameWord.text);
      const sym: OutlineSymbol = {
        // never empty: VS Code refuses a whole outline that holds one symbol without a name
        name: n.nameWord.text || '(no name)',
        detail: chain?.builtin ? `policy ${n.policy?.text ?? '?'}` : chainDetail(chain),
        kind: chain?.builtin ? 'builtin-chain' : 'chain',
        range: { line: n.line, start: 0, end: lineLength(n.line), endLine: n.line },
        selection: spanAt(n.line, n.nameWord),
        children: [],
        rules: 0,
      };
      siblings.set(n.nameWord.text, sym);
      (parent?.children ?? order).push(sym);
      continue;
    }
    if (n.kind !== 'command' || !n.command) continue;
    const chainName = n.command.chain?.text;
    if (!chainName) continue;
    if (rs.format === 'commands') {
      const key = `cmd:${n.table}`;
      let t = tables.get(key);
      if (!t) {
        t = { name: n.table || '(no table)', detail: 'table', kind: 'table', range: { line: n.line, start: 0, end: lineLength(n.line), endLine: n.line }, selection: { line: n.line, start: 0, end: 0 }, children: [] };
        tables.set(key, t);
        order.push(t);
      }
      currentTable = t;
    }
    const parent = currentTable;
    const siblings = chainsUnder(parent);
    let sym = siblings.get(chainName);
    if (!sym) {
      const chain = rs.tables.get(n.table)?.chains.get(chainName);
      sym = {
        name: chainName,
        detail: chain?.builtin ? `policy ${chain.policy ?? 'ACCEPT'}` : 'user chain',
        kind: chain?.builtin ? 'builtin-chain' : 'chain',
        range: { line: n.line, start: 0, end: lineLength(n.line), endLine: n.line },
        selection: spanAt(n.line, n.command.chain!),
        children: [],
        rules: 0,
      };
      siblings.set(chainName, sym);
      (parent?.children ?? order).push(sym);
    }
    if (parent) grow(parent, n.line);
    if (isRule(n)) {
      grow(sym, n.line);
      (sym as { rules: number }).rules++;
      if (sym.children.length >= MAX_RULES_PER_CHAIN || listedAll >= MAX_RULE_SYMBOLS) continue;
      listedAll++;
      sym.children.push(ruleSymbol(rs, n, lineLength));
    }
  }
  for (const syms of chainSyms.values()) for (const sym of syms.values()) (sym as { detail: string }).detail += countNote(sym.rules!, sym.children.length);
  return order;
}

/** The lines the symbols show: where each starts and ends, and where its name is (a listed rule's line). */
function shownBy(syms: readonly OutlineSymbol[]): ShownLines {
  const lines: number[] = [];
  const note = (list: readonly OutlineSymbol[]) => {
    for (const s of list) {
      lines.push(s.range.line, s.range.endLine, s.selection.line);
      note(s.children);
    }
  };
  note(syms);
  return ShownLines.of(lines);
}

/** Whether one of `syms` (or the symbols under them) shows line `l` (see shownBy). */
function shows(syms: readonly OutlineSymbol[], l: number): boolean {
  for (const s of syms) if (s.range.line === l || s.range.endLine === l || s.selection.line === l || shows(s.children, l)) return true;
  return false;
}

/** Symbol `s` with these parts (`rules` given for a chain's symbol only, as a fresh one has it). */
function symbolWith(s: OutlineSymbol, detail: string, rules: number | undefined, range: OutlineSymbol['range'], selection: Span, children: OutlineSymbol[]): OutlineSymbol {
  return rules === undefined ? { name: s.name, detail, kind: s.kind, range, selection, children } : { name: s.name, detail, kind: s.kind, range, selection, children, rules };
}

/** What the symbol of a user chain declared on a line of its own says of it before its rule count. */
function chainDetail(chain: Chain | undefined): string {
  const n = chain?.references.length ?? 0;
  return `user chain, ${n} jump${n === 1 ? '' : 's'} to it`;
}

/** What a chain's detail says after its own words when it lists fewer rules than it holds. */
function countNote(rules: number, listed: number): string {
  return listed < rules ? `; ${rules} rules, ${listed ? `the first ${listed}` : 'none'} listed here` : '';
}

/** What listed made of each outline's symbols, per limit. */
const LISTED = new WeakMap<readonly OutlineSymbol[], { readonly max: number; readonly symbols: OutlineSymbol[] }>();

/**
 * The symbols of an outline as an editor is given them: the first `maxChains` chains in file order
 * (the built-in ones come first in a saved file), and after those, in each table that has more,
 * one symbol that says how many more it has, where the first of them begins (to the table's end).
 * The symbols themselves when no chain is left out. The same list for the same symbols.
 */
export function listed(symbols: OutlineSymbol[], maxChains = MAX_CHAIN_SYMBOLS): OutlineSymbol[] {
  const kept = LISTED.get(symbols);
  if (kept && kept.max === maxChains) return kept.symbols;
  let left = maxChains;
  let cut = false;
  const out: OutlineSymbol[] = [];
  for (const t of symbols) {
    // (a chain outside any table, in a file without headers, is rare: kept as it is)
    if (t.kind !== 'table' || t.children.length <= left) {
      if (t.kind === 'table') left -= t.children.length;
      out.push(t);
      continue;
    }
    cut = true;
    const chains = t.children;
    out.push({ ...t, children: [...chains.slice(0, left), moreChains(chains[left]!, t, chains.length - left)] });
    left = 0;
  }
  const result = cut ? out : symbols;
  LISTED.set(symbols, { max: maxChains, symbols: result });
  return result;
}

/** The symbol that stands for the `count` chains of table `t` from `first` on that the outline leaves out. */
function moreChains(first: OutlineSymbol, t: OutlineSymbol, count: number): OutlineSymbol {
  return {
    name: `${count} more chain${count === 1 ? '' : 's'}`,
    detail: 'not listed here, to keep the outline small: workspace symbols find any chain by name',
    kind: 'more',
    range: { line: first.range.line, start: first.range.start, end: t.range.end, endLine: t.range.endLine },
    selection: first.selection,
    children: [],
  };
}
