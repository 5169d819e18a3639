/**
 * User chains as symbols: go to the declaration, find every use (declaration, commands naming the
 * chain, jumps and gotos), and rename them all at once.
 */
import { findTarget } from '../knowledge/registry';
import { type Ruleset, type Span, spanAt } from '../model/ruleset';
import { locate } from './locate';

export interface ChainRef {
  readonly table: string;
  readonly name: string;
  readonly span: Span;
  readonly kind: 'declaration' | 'command' | 'jump';
}

/** The chain (table and name) under the cursor, if the cursor is on a chain name. */
export function chainAt(rs: Ruleset, line: number, ch: number): { table: string; name: string; span: Span } | undefined {
  const at = locate(rs, line, ch);
  if (!at) return undefined;
  if (at.kind === 'chain-decl') return { table: at.node.table, name: at.node.nameWord.text, span: spanAt(line, at.node.nameWord) };
  if (at.kind === 'command-chain') return { table: at.node.table, name: at.name, span: at.span };
  if (at.kind === 'command-extra' && at.node.command?.spec.letter === 'E') return { table: at.node.table, name: at.word.text, span: at.span };
  if (at.kind === 'target-name' && at.node.target?.kind === 'chain') return { table: at.node.table, name: at.node.target.name, span: spanAt(line, at.node.target.nameWord) };
  return undefined;
}

export function chainReferences(rs: Ruleset, table: string, name: string): ChainRef[] {
  const out: ChainRef[] = [];
  for (const n of rs.lines) {
    if (n.kind === 'chain' && n.table === table && n.nameWord.text === name) out.push({ table, name, span: spanAt(n.line, n.nameWord), kind: 'declaration' });
    if (n.kind !== 'command' || n.table !== table) continue;
    const c = n.command;
    if (c?.chain?.text === name) out.push({ table, name, span: spanAt(n.line, c.chain), kind: c.spec.letter === 'N' ? 'declaration' : 'command' });
    if (c?.spec.letter === 'E' && c.extra[0]?.text === name) out.push({ table, name, span: spanAt(n.line, c.extra[0]), kind: 'declaration' });
    if (n.target?.kind === 'chain' && n.target.name === name) out.push({ table, name, span: spanAt(n.line, n.target.nameWord), kind: 'jump' });
  }
  return out;
}

export function definition(rs: Ruleset, line: number, ch: number): Span[] {
  const c = chainAt(rs, line, ch);
  if (!c) return [];
  const refs = chainReferences(rs, c.table, c.name);
  const decls = refs.filter((r) => r.kind === 'declaration').map((r) => r.span);
  if (decls.length) return decls;
  // built-in chains have no declaration line in `-S` output: point at their first rule
  const first = refs.find((r) => r.kind === 'command');
  return first ? [first.span] : [];
}

export function references(rs: Ruleset, line: number, ch: number, includeDeclaration: boolean): Span[] {
  const c = chainAt(rs, line, ch);
  if (!c) return [];
  return chainReferences(rs, c.table, c.name)
    .filter((r) => includeDeclaration || r.kind !== 'declaration')
    .map((r) => r.span);
}

export type RenameCheck = { ok: true; span: Span; name: string } | { ok: false; message: string };

export function prepareRename(rs: Ruleset, line: number, ch: number): RenameCheck {
  const c = chainAt(rs, line, ch);
  if (!c) return { ok: false, message: 'Only user-defined chain names can be renamed.' };
  const chain = rs.tables.get(c.table)?.chains.get(c.name);
  if (chain?.builtin) return { ok: false, message: `${c.name} is a built-in chain; its name is fixed by the kernel.` };
  return { ok: true, span: c.span, name: c.name };
}

/** Problems with a proposed new chain name, or undefined when it is fine. */
export function checkNewChainName(rs: Ruleset, table: string, name: string): string | undefined {
  if (!name) return 'A chain name cannot be empty.';
  if (name.length > 28) return `Chain names have at most 28 characters; \`${name}\` has ${name.length}.`;
  if (/[ \t"]/.test(name)) return 'A chain name cannot contain blanks or quotes.';
  if (name.startsWith('-') || name.startsWith('!')) return 'A chain name cannot start with `-` or `!`.';
  if (['ACCEPT', 'DROP', 'RETURN', 'QUEUE'].includes(name) || findTarget(name, rs.family)) return `\`${name}\` is the name of a target.`;
  if (rs.tables.get(table)?.chains.has(name)) return `A chain called \`${name}\` already exists in ${table}.`;
  return undefined;
}

export function rename(rs: Ruleset, line: number, ch: number, newName: string): { edits: { span: Span; text: string }[] } | { error: string } {
  const p = prepareRename(rs, line, ch);
  if (!p.ok) return { error: p.message };
  const c = chainAt(rs, line, ch)!;
  const problem = checkNewChainName(rs, c.table, newName);
  if (problem) return { error: problem };
  return { edits: chainReferences(rs, c.table, c.name).map((r) => ({ span: r.span, text: newName })) };
}
