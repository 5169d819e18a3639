/**
 * Completion in context: what may stand at the cursor given what the line already says — commands,
 * tables, chains of the current table, match modules, the options of the modules loaded on this
 * rule, targets valid in this table and chain, and values (states, flags, protocols, reject types,
 * log levels, ICMP types...).
 */
import { COMMANDS, findCommand, GENERIC_OPTIONS } from '../knowledge/generic';
import { findMatch, matchesFor, protocolMatchName, targetsFor } from '../knowledge/registry';
import { optionUsage, renderMatch, renderOption, renderTarget } from '../knowledge/render';
import { findTable, POLICIES, TABLES } from '../knowledge/tables';
import type { Hook, OptionSpec, ValueDoc } from '../knowledge/types';
import type { Ruleset, Span, TableBlock } from '../model/ruleset';
import { parseCommandWords } from '../parser/command-parser';
import { tokenizeLine } from '../parser/tokenizer';
import type { RulesDocument } from './document';

export type CompletionKind = 'keyword' | 'table' | 'chain' | 'builtin-chain' | 'module' | 'target' | 'option' | 'value' | 'snippet';

export interface CompletionEntry {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly documentation?: string;
  /** Text to insert when it differs from the label. */
  readonly insertText?: string;
  readonly snippet?: boolean;
  /** The range the entry replaces (the word being typed). */
  readonly replace: Span;
  readonly sortText?: string;
}

const BLOCKS = new WeakMap<Ruleset, readonly TableBlock[]>();

function currentBlock(rs: Ruleset, line: number): TableBlock | undefined {
  // the table headers of the file, found once per version (not a walk over 100 000 lines per request)
  let blocks = BLOCKS.get(rs);
  if (!blocks) BLOCKS.set(rs, (blocks = rs.lines.filter((n): n is TableBlock => n.kind === 'table')));
  let found: TableBlock | undefined;
  for (const b of blocks) {
    if (b.line > line) break;
    found = b;
  }
  const commit = found && rs.blockEnds.get(found)?.commitLine;
  if (commit !== undefined && commit < line) return undefined;
  return found;
}

/**
 * Past this many chains (kube-proxy writes 35 000), chain completions are the first ones that
 * match what is typed so far (its letters in order, as editors filter), and the list is marked
 * incomplete so that the editor asks again as more is typed.
 */
export const MAX_CHAIN_ITEMS = 1000;

/** Lists cut at MAX_CHAIN_ITEMS (the LSP adapter marks them incomplete). */
const CUT = new WeakSet<readonly CompletionEntry[]>();
export function isIncomplete(entries: readonly CompletionEntry[]): boolean {
  return CUT.has(entries);
}

/** Are the letters of `t` in `l`, in order (both lower case)? */
function subsequence(t: string, l: string): boolean {
  let i = 0;
  for (let j = 0; i < t.length && j < l.length; j++) if (l.charCodeAt(j) === t.charCodeAt(i)) i++;
  return i === t.length;
}

/** The chains to offer: all of them, or past MAX_CHAIN_ITEMS those matching `typed` (then `cut` is set). */
function chainChoices(rs: Ruleset, table: string, typed: string): { list: { name: string; builtin: boolean; rules: number }[]; cut: boolean } {
  const all = chainsOf(rs, table);
  if (all.length <= MAX_CHAIN_ITEMS) return { list: all, cut: false };
  const list: { name: string; builtin: boolean; rules: number }[] = [];
  const t = typed.toLowerCase();
  const lower = lowerNames(all);
  for (let k = 0; k < all.length; k++) {
    const c = all[k]!;
    if (!subsequence(t, lower[k]!)) continue;
    if (list.length === MAX_CHAIN_ITEMS) return { list, cut: true };
    list.push(c);
  }
  return { list, cut: true };
}

function cut<T extends readonly CompletionEntry[]>(entries: T, isCut: boolean): T {
  if (isCut) CUT.add(entries);
  return entries;
}

const LOWER = new WeakMap<readonly { name: string }[], readonly string[]>();
function lowerNames(all: readonly { name: string }[]): readonly string[] {
  let l = LOWER.get(all);
  if (!l) LOWER.set(all, (l = all.map((c) => c.name.toLowerCase())));
  return l;
}

const CHAINS = new WeakMap<Ruleset, Map<string, { name: string; builtin: boolean; rules: number }[]>>();

function chainsOf(rs: Ruleset, table: string): { name: string; builtin: boolean; rules: number }[] {
  // (once per version of the document and table: a completion must not walk 100 000 lines)
  let byTable = CHAINS.get(rs);
  if (!byTable) CHAINS.set(rs, (byTable = new Map()));
  let known = byTable.get(table);
  if (!known) byTable.set(table, (known = listChains(rs, table)));
  return known;
}

function listChains(rs: Ruleset, table: string): { name: string; builtin: boolean; rules: number }[] {
  const t = rs.tables.get(table);
  const names = new Map<string, { name: string; builtin: boolean; rules: number }>();
  for (const c of findTable(table)?.chains ?? []) names.set(c, { name: c, builtin: true, rules: 0 });
  if (t) for (const c of t.chains.values()) names.set(c.name, { name: c.name, builtin: c.builtin, rules: c.rules.length });
  // chains declared anywhere in the file for this table (even if a later block dropped them)
  for (const n of rs.lines) if (n.kind === 'chain' && n.table === table && n.nameWord.text && !names.has(n.nameWord.text)) names.set(n.nameWord.text, { name: n.nameWord.text, builtin: false, rules: 0 });
  return [...names.values()];
}

function values(list: readonly ValueDoc[], replace: Span, detail: string, prefix = ''): CompletionEntry[] {
  return list.map((v) => ({ label: prefix + v.name, kind: 'value' as const, detail, documentation: v.doc ? `${v.summary}\n\n${v.doc}` : v.summary, replace }));
}

function optionEntries(specs: readonly OptionSpec[], owner: string, replace: Span, used: ReadonlySet<string>, sort: string): CompletionEntry[] {
  return specs
    .filter((o) => o.multi || !used.has(o.name))
    .map((o) => ({ label: o.name, kind: 'option' as const, detail: `${optionUsage(o)} — ${owner}`, documentation: renderOption(o, owner), replace, sortText: `${sort}${o.name}` }));
}

export function completion(doc: RulesDocument, line: number, ch: number): CompletionEntry[] {
  const rs = doc.ruleset;
  const text = doc.lines.get(line) ?? '';
  const before = text.slice(0, ch);
  const here = (start: number): Span => ({ line, start, end: ch });

  // line start
  if (/^[ \t]*$/.test(before)) {
    const block = currentBlock(rs, line);
    const out: CompletionEntry[] = [];
    const r = here(before.length);
    if ((rs.format === 'save' || rs.commands.length === 0) && !block) for (const t of TABLES) out.push({ label: `*${t.name}`, kind: 'table', detail: t.summary, replace: r, sortText: '0' + t.name });
    if (block || rs.format === 'commands') {
      for (const c of COMMANDS.filter((c) => c.takesRule || ['N', 'P', 'F', 'X'].includes(c.letter))) {
        out.push({ label: c.name, kind: 'keyword', detail: c.summary, insertText: `${c.name} `, replace: r, sortText: `1${c.letter === 'A' ? '0' : '1'}${c.name}` });
      }
    }
    if (block) {
      out.push({ label: ':', kind: 'snippet', detail: 'declare a chain', insertText: ':${1:CHAIN} ${2:-} [0:0]', snippet: true, replace: r, sortText: '2' });
      out.push({ label: 'COMMIT', kind: 'keyword', detail: 'apply this table block', replace: r, sortText: '3' });
    }
    return out;
  }
  if (/^\*[A-Za-z]*$/.test(before)) {
    return TABLES.map((t) => ({ label: `*${t.name}`, kind: 'table' as const, detail: t.summary, documentation: t.doc ?? t.summary, replace: here(0) }));
  }
  if (before.startsWith(':')) {
    const block = currentBlock(rs, line);
    const table = block?.name ?? 'filter';
    const m = /^:([^ \t]*)$/.exec(before);
    if (m) {
      // built-in chains this block has not declared yet (their declarations are on the chains)
      const declared = (c: string) => rs.tables.get(table)?.chains.get(c)?.declarations.some((d) => d.kind === 'chain' && d.block === block) ?? false;
      return (findTable(table)?.chains ?? [])
        .filter((c) => !declared(c))
        .map((c) => ({ label: c, kind: 'builtin-chain' as const, detail: `built-in chain of ${table}`, insertText: `${c} ACCEPT [0:0]`, replace: here(1) }));
    }
    if (/^:[^ \t]+[ \t]+[^ \t]*$/.test(before)) {
      const name = before.slice(1).split(/[ \t]/)[0]!;
      const builtin = findTable(table)?.chains.includes(name as Hook);
      const start = before.search(/[^ \t]*$/);
      return builtin ? values(POLICIES, here(start), 'policy') : [{ label: '-', kind: 'value', detail: 'user chains have no policy', replace: here(start) }];
    }
    return [];
  }

  // inside a command line: tokenize up to the cursor
  const tok = tokenizeLine(before);
  const words = tok.words;
  const endsWithBlank = /[ \t]$/.test(before) || words.length === 0;
  const current = endsWithBlank ? undefined : words[words.length - 1];
  const done = endsWithBlank ? words : words.slice(0, -1);
  const prefixText = current?.text ?? '';
  const replace = here(current ? current.start : ch);
  const block = currentBlock(rs, line);
  const parsed = parseCommandWords(done, { family: rs.family, format: rs.format, table: block?.name ?? 'filter', line });
  const table = parsed.table;
  const prev = done[done.length - 1];
  const prevText = prev?.text ?? '';

  // value of the last option, when it still expects one
  const last = parsed.options[parsed.options.length - 1];
  const cmd = parsed.command;
  if (cmd && prev && (cmd.chain === undefined || cmd.chain === prev) && ['A', 'I', 'D', 'R', 'F', 'Z', 'X', 'P', 'E', 'L', 'S', 'C'].includes(cmd.spec.letter) && prev === cmd.word) {
    const { list, cut: isCut } = chainChoices(rs, table, text.slice(replace.start, ch));
    return cut(list.map((c) => ({ label: c.name, kind: c.builtin ? ('builtin-chain' as const) : ('chain' as const), detail: `${c.builtin ? 'built-in' : 'user'} chain of ${table}${c.rules ? `, ${c.rules} rules` : ''}`, replace })), isCut);
  }
  if (cmd?.spec.letter === 'P' && cmd.chain && prev === cmd.chain) return values(POLICIES, replace, 'policy');
  if (prevText === '-t' || prevText === '--table') return TABLES.map((t) => ({ label: t.name, kind: 'table' as const, detail: t.summary, replace }));
  if (prevText === '-m' || prevText === '--match') {
    return matchesFor(rs.family).map((m) => ({ label: m.name, kind: 'module' as const, detail: m.summary, documentation: renderMatch(m), replace }));
  }
  if (prevText === '-j' || prevText === '--jump' || prevText === '-g' || prevText === '--goto') {
    const chain = cmd?.chain?.text;
    const goto = prevText.startsWith('-g') || prevText === '--goto';
    const out: CompletionEntry[] = [];
    if (!goto) {
      for (const t of targetsFor(rs.family)) {
        if (t.tables && !t.tables.includes(table as never)) continue;
        if (t.hooks && chain && findTable(table)?.chains.includes(chain as Hook) && !t.hooks.includes(chain as Hook)) continue;
        out.push({ label: t.name, kind: 'target', detail: t.summary, documentation: renderTarget(t), replace, sortText: `${t.standard ? '0' : '1'}${t.name}` });
      }
    }
    const { list, cut: isCut } = chainChoices(rs, table, text.slice(replace.start, ch));
    for (const c of list) if (!c.builtin && c.name !== chain) out.push({ label: c.name, kind: 'chain', detail: `user chain of ${table}`, replace, sortText: `2${c.name}` });
    return cut(out, isCut);
  }
  if (last && last.spec && last.args.length < last.spec.args.length && prev && (prev === last.word || last.args.includes(prev)) && !(prevText === '-j' || prevText === '-g')) {
    const type = last.spec.args[last.args.length]!;
    if (type.values) {
      if (type.list && prefixText.includes(',')) {
        const cut = prefixText.lastIndexOf(',') + 1;
        const chosen = new Set(prefixText.slice(0, cut - 1).split(',').map((s) => s.toUpperCase()));
        return values(type.values.filter((v) => !chosen.has(v.name.toUpperCase())), here(replace.start + cut), `${last.spec.name} value`);
      }
      return values(type.values, replace, `${last.spec.name} value`);
    }
    return [];
  }

  // an option
  if (!current || prefixText.startsWith('-')) {
    const out: CompletionEntry[] = [];
    const usedGeneric = new Set(parsed.generic.map((o) => o.name));
    if (!cmd) {
      for (const c of COMMANDS) out.push({ label: c.name, kind: 'keyword', detail: c.summary, replace, sortText: `0${c.name}` });
    } else if (cmd.spec.takesRule) {
      out.push(...optionEntries(GENERIC_OPTIONS.filter((g) => ['-p', '-s', '-d', '-i', '-o', '-f', '-m', '-j', '-g'].includes(g.name) && (!g.families || g.families.includes(rs.family))), 'built-in option', replace, usedGeneric, '1'));
      for (const m of parsed.matches) {
        if (!m.spec) continue;
        const used = new Set(m.options.map((o) => o.name));
        out.push(...optionEntries(m.spec.options, `-m ${m.name}`, replace, used, '0'));
      }
      const p = parsed.generic.find((o) => o.name === '-p')?.args[0]?.text;
      const pm = p ? protocolMatchName(p, rs.family) : undefined;
      if (pm && !parsed.matches.some((m) => m.name === pm)) {
        const spec = findMatch(pm, rs.family);
        if (spec) out.push(...optionEntries(spec.options, `${pm} (loaded by -p ${p})`, replace, new Set(), '0'));
      }
      const ts = parsed.target?.spec;
      if (ts) out.push(...optionEntries(ts.options, `-j ${ts.name}`, replace, new Set(parsed.target!.options.map((o) => o.name)), '0'));
    }
    return out;
  }
  if (findCommand(prefixText)) return [];
  return [];
}
