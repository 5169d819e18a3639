/**
 * Quick fixes for iptables-lens/log-invalid: drop INVALID packets right before the rule through
 * which they reach the LOG rule (every earlier rule still sees them as before), or drop only the
 * TCP teardown packets (FIN or RST) among them and keep logging other INVALID traffic.
 */
import type { LogInvalidData } from '../../analysis/checks/log-invalid';
import type { Finding, Rule } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { insertBeforeRule } from './insert-rule';

export const DROP_INVALID = '-m conntrack --ctstate INVALID -j DROP';
export const DROP_INVALID_TEARDOWN = [
  '-p tcp -m conntrack --ctstate INVALID -m tcp --tcp-flags FIN FIN -j DROP',
  '-p tcp -m conntrack --ctstate INVALID -m tcp --tcp-flags RST RST -j DROP',
];

export function logInvalidFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const data = f.data as LogInvalidData | undefined;
  if (!data) return [];
  const out: CodeAction[] = [];
  const seen = new Set<number>();
  for (const e of data.entries) {
    if (seen.has(e.entryLine)) continue;
    seen.add(e.entryLine);
    const entry = doc.ruleset.rules.find((r): r is Rule => r.line === e.entryLine);
    if (!entry) continue;
    const where = e.viaJump ? `before the jump on line ${entry.line + 1}` : 'before this rule';
    out.push({
      title: `Drop INVALID packets in ${entry.chain} ${where}`,
      kind: 'quickfix',
      edits: insertBeforeRule(doc, entry, [DROP_INVALID]),
      preferred: out.length === 0,
    });
    out.push({
      title: `Drop only INVALID TCP teardown packets (FIN, RST) in ${entry.chain} ${where}, keep logging the rest`,
      kind: 'quickfix',
      edits: insertBeforeRule(doc, entry, DROP_INVALID_TEARDOWN),
    });
  }
  return out;
}
