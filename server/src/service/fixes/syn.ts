/** Quick fix for iptables-lens/new-without-syn: require SYN on the NEW TCP accept. */
import type { Finding } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { replaceSpan } from '../text-edits';
import { ruleAt } from './rule-lookup';

export function synFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const r = ruleAt(doc, f.span);
  const p = r?.generic.find((o) => o.name === '-p' && !o.negated);
  if (!r || !p?.args[0] || !(f.data as { tcp?: boolean })?.tcp) return [];
  if (r.options.some((o) => o.name === '--syn' || o.name === '--tcp-flags')) return [];
  const at = p.args[0].end;
  return [{ title: 'Accept only connection openings (add --syn)', kind: 'quickfix', preferred: true, edits: [replaceSpan({ line: r.line, start: at, end: at }, ' --syn')] }];
}
