/**
 * The outline of a rules file: tables, their chains (with policy and rule count) and each chain's
 * rules in file order, each rule named by a short plain-words summary. A huge file lists every
 * table and chain but not every rule: an outline of 100 000 rules took the server 8 s and the
 * editor a 46 MB answer on every edit, and nobody reads it; a chain says how many it holds.
 */
import { wordsOf } from '../model/line-words';
import type { CommandLine, Rule, Ruleset, Span } from '../model/ruleset';
import { isRule, spanAt } from '../model/ruleset';
import { conditionPhrases, targetPhrase } from './explain-rule';

export type SymbolKind = 'table' | 'chain' | 'builtin-chain' | 'rule';

export interface OutlineSymbol {
  readonly name: string;
  readonly detail: string;
  readonly kind: SymbolKind;
  readonly range: Span & { readonly endLine: number };
  readonly selection: Span;
  readonly children: OutlineSymbol[];
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
  readonly shown: ReadonlySet<number>;
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
  const shown = new Set<number>();
  const symbols = buildSymbols(rs, lineLength, shown);
  return { basis: basisOf(rs), symbols, shown };
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

function buildSymbols(rs: Ruleset, lineLength: (line: number) => number, shown: Set<number>): OutlineSymbol[] {
  const tables = new Map<string, OutlineSymbol>();
  /** How many rules each chain symbol holds (those listed are its children). */
  const counts = new Map<OutlineSymbol, number>();
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
  /** The lines the outline shows: where each symbol starts and ends, and each listed rule. */
  const noteShown = (syms: readonly OutlineSymbol[]) => {
    for (const s of syms) {
      shown.add(s.range.line);
      shown.add(s.range.endLine);
      shown.add(s.selection.line);
      noteShown(s.children);
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
        detail: chain?.builtin ? `policy ${n.policy?.text ?? '?'}` : `user chain, ${chain?.references.length ?? 0} jump${chain?.references.length === 1 ? '' : 's'} to it`,
        kind: chain?.builtin ? 'builtin-chain' : 'chain',
        range: { line: n.line, start: 0, end: lineLength(n.line), endLine: n.line },
        selection: spanAt(n.line, n.nameWord),
        children: [],
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
      };
      siblings.set(chainName, sym);
      (parent?.children ?? order).push(sym);
    }
    if (parent) grow(parent, n.line);
    if (isRule(n)) {
      grow(sym, n.line);
      counts.set(sym, (counts.get(sym) ?? 0) + 1);
      if (sym.children.length >= MAX_RULES_PER_CHAIN || listedAll >= MAX_RULE_SYMBOLS) continue;
      listedAll++;
      sym.children.push(ruleSymbol(rs, n, lineLength));
    }
  }
  for (const [sym, rules] of counts) {
    const listed = sym.children.length;
    if (listed < rules) (sym as { detail: string }).detail += `; ${rules} rules, ${listed ? `the first ${listed}` : 'none'} listed here`;
  }
  noteShown(order);
  return order;
}
