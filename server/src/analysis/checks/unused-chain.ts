/** iptables-lens/unused-chain: a user chain no rule jumps or goes to; its rules never run. */
import type { Finding, Ruleset } from '../../model/ruleset';

export function checkUnusedChain(rs: Ruleset): Finding[] {
  const out: Finding[] = [];
  for (const t of rs.tables.values()) {
    for (const c of t.chains.values()) {
      if (c.builtin || c.references.length) continue;
      const decl = c.declarations[0];
      const span = decl?.kind === 'chain' ? decl.nameWord : decl?.command?.chain;
      if (!span) continue;
      out.push({
        code: 'unused-chain',
        severity: 'information',
        message: `no rule jumps to ${c.name}${c.rules.length ? `, so its ${c.rules.length} rule${c.rules.length === 1 ? ' never runs' : 's never run'}` : ''}`,
        span,
        tags: ['unnecessary'],
      });
    }
  }
  return out;
}
