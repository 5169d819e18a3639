/**
 * Quick fix for iptables-lens/reset-swallowed: let the resets out. REJECT's reset carries the
 * rejected connection's conntrack entry as RELATED (proven in test/kernel/story4-reset.test.ts),
 * so a RELATED accept in OUTPUT right before the rule that stops it (or at the top of OUTPUT when
 * the policy does) lets it leave, and changes nothing else of the ban.
 */
import type { ResetSwallowedData } from '../../analysis/checks/reset-swallowed';
import type { Finding } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { insertBeforeRule } from './insert-rule';
import { ruleAtLine } from './rule-lookup';

const ACCEPT_RELATED = '-m conntrack --ctstate RELATED -j ACCEPT';

export function resetSwallowedFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const data = f.data as ResetSwallowedData | undefined;
  const output = doc.ruleset.tables.get('filter')?.chains.get('OUTPUT');
  const before = data?.swallowerLine !== undefined ? ruleAtLine(doc, data.swallowerLine) : output?.rules[0];
  if (!before || before.chain !== 'OUTPUT') return [];
  return [
    {
      title: `Let the resets out: accept RELATED packets in OUTPUT before line ${before.line + 1}`,
      kind: 'quickfix',
      preferred: true,
      edits: insertBeforeRule(doc, before, [ACCEPT_RELATED]),
    },
  ];
}
