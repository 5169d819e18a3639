/** iptables-lens/unused-chain: a user chain no rule jumps or goes to; its rules never run. */
import { type Chain, declarationSpan, type Finding, findingMoved, type Ruleset } from '../../model/ruleset';
import { referenceCountOf } from '../../model/moved-chain';
import { PerChainMemo } from '../memo';
import { NO_ITEMS } from '../positioned';

/**
 * Each table's unused chains, found again after an edit only in the chains it renewed: whether a
 * chain is used changes only with a jump, and an edit that changes a jump in place builds the
 * tables anew (see updateTables); one that puts in or takes out a line renews the chain the jump
 * named (see moveTables). Going through all 35 000 chains of a kube-proxy-sized file took 2 ms of
 * every edit.
 */
const PER_CHAIN = new PerChainMemo<Finding>();

export function checkUnusedChain(rs: Ruleset): Finding[] {
  const out: Finding[] = [];
  for (const t of rs.tables.values()) for (const f of PER_CHAIN.items(t, undefined, unused, { move: findingMoved })) out.push(f);
  return out;
}

function unused(c: Chain): readonly Finding[] {
  // (counted without making a moved chain's lists: see MovedChain.renewed)
  if (c.builtin || referenceCountOf(c)) return NO_ITEMS;
  const decl = c.declarations[0];
  const span = decl && declarationSpan(decl);
  if (!span) return NO_ITEMS;
  return [
    {
      code: 'unused-chain',
      severity: 'information',
      message: `no rule jumps to ${c.name}${c.rules.length ? `, so its ${c.rules.length} rule${c.rules.length === 1 ? ' never runs' : 's never run'}` : ''}`,
      span,
      tags: ['unnecessary'],
    },
  ];
}
