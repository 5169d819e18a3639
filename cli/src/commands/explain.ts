/** `iptables-lens explain FILE`: every table, chain and rule in plain words. */
import { readFileSync } from 'node:fs';
import type { Family } from '../../../server/src/knowledge/types';
import { createRulesDocument } from '../../../server/src/service/document';
import { explainRule } from '../../../server/src/service/explain-rule';
import { parseArgs } from '../args';
import type { Subcommand } from '../main';

export function explainText(file: string, text: string, family: Family | 'auto' = 'auto'): string {
  const doc = createRulesDocument(file, 0, text, family);
  const rs = doc.ruleset;
  const out: string[] = [`${file}: ${rs.family === 'ipv6' ? 'IPv6' : 'IPv4'} rules (${rs.format === 'save' ? 'iptables-save format' : 'command list'})`];
  for (const t of rs.tables.values()) {
    out.push('', `table ${t.name}`);
    for (const c of t.chains.values()) {
      if (c.builtin && c.rules.length === 0 && c.declarations.length === 0) continue;
      const head = c.builtin ? `  chain ${c.name} (built-in, policy ${c.policy ?? 'ACCEPT'})` : `  chain ${c.name} (user chain, reached from ${c.references.map((r) => r.chain).join(', ') || 'nowhere'})`;
      out.push(head);
      c.rules.forEach((r, i) => out.push(`    ${i + 1}. line ${r.line + 1}: ${explainRule(rs, r)}`));
      if (c.builtin) out.push(`    then: policy ${c.policy ?? 'ACCEPT'}`);
      else out.push('    then: back to the calling chain');
    }
  }
  return out.join('\n') + '\n';
}

export const runExplain: Subcommand = (args, out, err) => {
  const a = parseArgs(args, { flags: [], options: ['family'] });
  const family = a.options.get('family') ?? 'auto';
  if (a.errors.length || a.files.length !== 1 || !['auto', 'ipv4', 'ipv6'].includes(family)) {
    err('Usage: iptables-lens explain [--family ipv4|ipv6] FILE\n');
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(a.files[0]!, 'utf8');
  } catch (e) {
    err(`iptables-lens explain: cannot read ${a.files[0]}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  out(explainText(a.files[0]!, text, family as Family | 'auto'));
  return 0;
};
