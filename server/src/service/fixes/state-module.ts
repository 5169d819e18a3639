/** Quick fix for iptables-lens/state-module: `-m state --state X` -> `-m conntrack --ctstate X`. */
import type { Finding, Span } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { replaceSpan } from '../text-edits';

export function stateModuleFixes(_doc: RulesDocument, f: Finding): CodeAction[] {
  const data = f.data as { module: Span; options: Span[] } | undefined;
  if (!data) return [];
  return [
    {
      title: 'Convert to -m conntrack --ctstate',
      kind: 'quickfix',
      preferred: true,
      edits: [replaceSpan(data.module, 'conntrack'), ...data.options.map((o) => replaceSpan(o, '--ctstate'))],
    },
  ];
}
