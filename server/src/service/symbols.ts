/**
 * The outline of a rules file: tables, their chains (with policy and rule count) and each chain's
 * rules in file order, each rule named by a short plain-words summary. A huge file lists every
 * table and chain but not every rule: an outline of 100 000 rules took the server 8 s and the
 * editor a 46 MB answer on every edit, and nobody reads it; a chain says how many it holds.
 */
import type { CommandLine, Ruleset, Span } from '../model/ruleset';
import { isRule } from '../model/ruleset';
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
  const words = c.words.map((w) => w.text);
  const i = words.findIndex((w) => w === c.command?.chain?.text);
  const rest = words.slice(i + 1 + (c.command?.extra.length ?? 0)).join(' ');
  return rest.length > 80 ? rest.slice(0, 77) + '...' : rest || '(no conditions)';
}

/** Rules listed under one chain, and in the whole outline. */
export const MAX_RULES_PER_CHAIN = 1000;
export const MAX_RULE_SYMBOLS = 5000;

export function documentSymbols(rs: Ruleset, lineLength: (line: number) => number): OutlineSymbol[] {
  const tables = new Map<string, OutlineSymbol>();
  /** How many rules each chain symbol holds (those listed are its children). */
  const counts = new Map<OutlineSymbol, number>();
  let listedAll = 0;
  const order: OutlineSymbol[] = [];
  const chainSyms = new Map<string, OutlineSymbol>();

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
      currentTable = tableSym(n.name, n.nameWord, n.endLine);
      (currentTable.range as { end: number }).end = lineLength(n.endLine);
      continue;
    }
    if (n.kind === 'chain') {
      const parent = currentTable;
      const key = `${parent?.selection.line ?? -1}/${n.nameWord.text}`;
      if (chainSyms.has(key)) continue;
      const table = rs.tables.get(n.table);
      const chain = table?.chains.get(n.nameWord.text);
      const sym: OutlineSymbol = {
        // never empty: VS Code refuses a whole outline that holds one symbol without a name
        name: n.nameWord.text || '(no name)',
        detail: chain?.builtin ? `policy ${n.policy?.text ?? '?'}` : `user chain, ${chain?.references.length ?? 0} jump${chain?.references.length === 1 ? '' : 's'} to it`,
        kind: chain?.builtin ? 'builtin-chain' : 'chain',
        range: { line: n.line, start: 0, end: lineLength(n.line), endLine: n.line },
        selection: n.nameWord,
        children: [],
      };
      chainSyms.set(key, sym);
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
    const key = `${parent?.selection.line ?? -1}/${chainName}`;
    let sym = chainSyms.get(key);
    if (!sym) {
      const chain = rs.tables.get(n.table)?.chains.get(chainName);
      sym = {
        name: chainName,
        detail: chain?.builtin ? `policy ${chain.policy ?? 'ACCEPT'}` : 'user chain',
        kind: chain?.builtin ? 'builtin-chain' : 'chain',
        range: { line: n.line, start: 0, end: lineLength(n.line), endLine: n.line },
        selection: n.command.chain!,
        children: [],
      };
      chainSyms.set(key, sym);
      (parent?.children ?? order).push(sym);
    }
    if (parent) grow(parent, n.line);
    if (isRule(n)) {
      grow(sym, n.line);
      counts.set(sym, (counts.get(sym) ?? 0) + 1);
      if (sym.children.length >= MAX_RULES_PER_CHAIN || listedAll >= MAX_RULE_SYMBOLS) continue;
      listedAll++;
      sym.children.push({
        name: ruleName(n),
        detail: [...conditionPhrases(n), targetPhrase(n, rs.family)].join(', '),
        kind: 'rule',
        range: { line: n.line, start: 0, end: lineLength(n.line), endLine: n.line },
        selection: n.command.word,
        children: [],
      });
    }
  }
  for (const [sym, rules] of counts) {
    const listed = sym.children.length;
    if (listed < rules) (sym as { detail: string }).detail += `; ${rules} rules, ${listed ? `the first ${listed}` : 'none'} listed here`;
  }
  return order;
}
