/**
 * One renderer for knowledge entries: the same entry becomes markdown (hover, completion docs) or
 * plain text (command-line tool).
 */
import type { MatchSpec, OptionSpec, TargetSpec, ValueDoc } from './types';

export type Format = 'markdown' | 'plain';

/** Strip the little markdown our entries use, for plain-text output. */
export function toPlain(md: string): string {
  return md
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/^#+\s*/gm, '')
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');
}

function out(md: string, format: Format): string {
  return format === 'markdown' ? md : toPlain(md);
}

export function optionUsage(o: OptionSpec): string {
  const args = o.args.map((a, i) => (o.lastArgOptional && i === o.args.length - 1 ? `[${a.label}]` : a.label)).join(' ');
  return `${o.negatable ? '[!] ' : ''}${o.name}${args ? ' ' + args : ''}`;
}

export function renderOption(o: OptionSpec, owner: string, format: Format = 'markdown'): string {
  const lines = [`\`${optionUsage(o)}\` — ${owner}`, '', o.summary];
  if (o.doc) lines.push('', o.doc);
  const facts: string[] = [];
  if (o.aliases?.length) facts.push(`also written ${o.aliases.map((a) => `\`${a}\``).join(', ')}`);
  if (o.negatable) facts.push('can be negated with `!`');
  if (o.required) facts.push('required');
  if (o.multi) facts.push('may be repeated');
  if (o.families && o.families.length === 1) facts.push(o.families[0] === 'ipv4' ? 'IPv4 only' : 'IPv6 only');
  if (o.excludes?.length) facts.push(`not together with ${o.excludes.map((x) => `\`${x}\``).join(', ')}`);
  if (o.hooks?.length) facts.push(`only in ${o.hooks.join(', ')} (and user chains reached only from them)`);
  if (facts.length) lines.push('', `*${facts.join('; ')}*`);
  if (o.deprecated) lines.push('', `**Deprecated:** ${o.deprecated}`);
  return out(lines.join('\n'), format);
}

function familiesText(f: readonly string[]): string {
  return f.length === 2 ? 'IPv4 and IPv6' : f[0] === 'ipv4' ? 'IPv4 only (iptables)' : 'IPv6 only (ip6tables)';
}

export function renderMatch(m: MatchSpec, format: Format = 'markdown'): string {
  const lines = [`**-m ${m.name}** — match module (${familiesText(m.families)})`, '', m.summary, '', m.doc];
  if (m.protocols) lines.push('', `Needs ${m.protocols.map((p) => `\`-p ${p}\``).join(' or ')}.`);
  if (m.hooks) lines.push('', `Valid in ${m.hooks.join(', ')} only.`);
  if (m.obsolete) lines.push('', `**Obsolete:** ${m.obsolete}`);
  if (m.options.length) {
    lines.push('', 'Options:');
    for (const o of m.options) lines.push(`- \`${optionUsage(o)}\` — ${o.summary}`);
  }
  return out(lines.join('\n'), format);
}

const TERMINATION: Record<TargetSpec['termination'], string> = {
  terminating: 'ends the packet\'s walk through this table',
  continue: 'the packet continues with the next rule',
  depends: 'whether the packet continues depends on its options or on the packet',
};

export function renderTarget(t: TargetSpec, format: Format = 'markdown'): string {
  const kind = t.standard ? 'built-in verdict' : 'target';
  const lines = [`**-j ${t.name}** — ${kind} (${familiesText(t.families)}; ${TERMINATION[t.termination]})`, '', t.summary, '', t.doc];
  const where: string[] = [];
  if (t.tables) where.push(`table${t.tables.length > 1 ? 's' : ''} ${t.tables.join(', ')}`);
  if (t.hooks) where.push(`chains ${t.hooks.join(', ')}`);
  if (where.length) lines.push('', `Valid in ${where.join(', ')} only.`);
  if (t.protocols) lines.push('', `Needs ${t.protocols.map((p) => `\`-p ${p}\``).join(' or ')}.`);
  if (t.obsolete) lines.push('', `**Obsolete:** ${t.obsolete}`);
  if (t.options.length) {
    lines.push('', 'Options:');
    for (const o of t.options) lines.push(`- \`${optionUsage(o)}\` — ${o.summary}`);
  }
  return out(lines.join('\n'), format);
}

export function renderValue(v: ValueDoc, what: string, format: Format = 'markdown'): string {
  const lines = [`**${v.name}** — ${what}`, '', v.summary];
  if (v.doc) lines.push('', v.doc);
  if (v.aliases?.length) lines.push('', `*also written ${v.aliases.map((a) => `\`${a}\``).join(', ')}*`);
  return out(lines.join('\n'), format);
}
