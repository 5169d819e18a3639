/** Quick fixes for the missing ESTABLISHED and loopback accepts. */
import type { BaselineData } from '../../analysis/checks/baseline';
import type { Finding } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { insertLineAfter } from '../text-edits';
import { insertBeforeRule } from './insert-rule';
import { ruleAtLine } from './rule-lookup';

function insertAccept(doc: RulesDocument, data: BaselineData, spec: string, title: string): CodeAction[] {
  const before = data.beforeLine !== undefined ? ruleAtLine(doc, data.beforeLine) : undefined;
  if (before) return [{ title, kind: 'quickfix', preferred: true, edits: insertBeforeRule(doc, before, [spec]) }];
  if (data.afterLine !== undefined) return [{ title, kind: 'quickfix', preferred: true, edits: [insertLineAfter(doc, data.afterLine, `-A ${data.chain} ${spec}`)] }];
  return [];
}

export function establishedFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const data = f.data as BaselineData | undefined;
  return data ? insertAccept(doc, data, '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', `Accept ESTABLISHED,RELATED packets at the top of ${data.chain}`) : [];
}

export function loopbackFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const data = f.data as BaselineData | undefined;
  return data ? insertAccept(doc, data, '-i lo -j ACCEPT', 'Accept loopback traffic at the top of INPUT') : [];
}
