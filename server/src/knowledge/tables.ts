import type { Hook, TableName, ValueDoc } from './types';

export interface TableDoc extends ValueDoc {
  readonly name: TableName;
  readonly chains: readonly Hook[];
}

/** The tables in the order the kernel runs them on a hook (raw first, security last). */
export const TABLES: readonly TableDoc[] = [
  {
    name: 'raw',
    chains: ['PREROUTING', 'OUTPUT'],
    summary: 'Runs before connection tracking: the place to exempt traffic from conntrack (NOTRACK, CT).',
    doc:
      'Packets see the raw table before conntrack assigns them a state, so rules here cannot match ' +
      '`--ctstate` usefully. Use it to mark busy flows as untracked (`-j CT --notrack`) or to attach ' +
      'conntrack helpers and zones.',
  },
  {
    name: 'mangle',
    chains: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
    summary: 'Changes packet fields and marks (MARK, TOS, TTL, TCPMSS) on every hook.',
    doc: 'Rewrites header fields and sets the marks that policy routing and traffic control read.',
  },
  {
    name: 'nat',
    chains: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
    summary: 'Address translation; only the first packet of each connection passes through it.',
    doc:
      'Only a connection\'s first packet (ctstate NEW) traverses the nat table; the decision is stored in ' +
      'conntrack and applied to every later packet. Filtering here does not work for established traffic.',
  },
  {
    name: 'filter',
    chains: ['INPUT', 'FORWARD', 'OUTPUT'],
    summary: 'The default table: accept, drop or reject packets.',
    doc: 'Where firewalls decide. Rules without `-t` (and iptables-save blocks under `*filter`) live here.',
  },
  {
    name: 'security',
    chains: ['INPUT', 'FORWARD', 'OUTPUT'],
    summary: 'Mandatory access control (SELinux SECMARK/CONNSECMARK), run after filter.',
  },
];

export interface HookDoc extends ValueDoc {
  readonly name: Hook;
}

export const HOOK_DOCS: readonly HookDoc[] = [
  { name: 'PREROUTING', summary: 'Every packet arriving on an interface, before the routing decision.' },
  { name: 'INPUT', summary: 'Packets addressed to this host, after routing.' },
  { name: 'FORWARD', summary: 'Packets this host routes from one interface to another.' },
  { name: 'OUTPUT', summary: 'Packets this host generates, before routing.' },
  { name: 'POSTROUTING', summary: 'Every packet about to leave on an interface, after routing.' },
];

export const POLICIES: readonly ValueDoc[] = [
  { name: 'ACCEPT', summary: 'Packets that reach the end of the built-in chain are let through.' },
  { name: 'DROP', summary: 'Packets that reach the end of the built-in chain are silently discarded.' },
];

export function findTable(name: string): TableDoc | undefined {
  return TABLES.find((t) => t.name === name);
}

export function isBuiltinChain(table: string, chain: string): boolean {
  return findTable(table)?.chains.includes(chain as Hook) ?? false;
}
