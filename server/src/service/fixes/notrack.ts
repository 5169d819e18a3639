/**
 * Quick fixes for the NOTRACK checks: add UNTRACKED to the state accept (or add an UNTRACKED
 * accept), and add the mirrored raw rule for the other direction.
 */
import type { OneWayData, UntrackedData } from '../../analysis/checks/notrack';
import { namesState } from '../../analysis/checks/rule-facts';
import { type Finding, spanAt } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { insertLineAfter, insertLineBefore, replaceSpan } from '../text-edits';
import { insertBeforeRule } from './insert-rule';
import { ruleAt, ruleAtLine } from './rule-lookup';

export function untrackedFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const data = f.data as UntrackedData | undefined;
  if (!data) return [];
  const stateRule = data.stateRuleLine !== undefined ? ruleAtLine(doc, data.stateRuleLine) : undefined;
  const st = stateRule?.options.find(namesState)?.args[0];
  if (stateRule && st) {
    return [{ title: `Add UNTRACKED to the state list on line ${stateRule.line + 1}`, kind: 'quickfix', preferred: true, edits: [replaceSpan(spanAt(stateRule.line, st), `${st.text},UNTRACKED`)] }];
  }
  const dropper = data.dropLine !== undefined ? ruleAtLine(doc, data.dropLine) : undefined;
  if (dropper) return [{ title: `Accept UNTRACKED packets in ${data.filterChain}`, kind: 'quickfix', preferred: true, edits: insertBeforeRule(doc, dropper, ['-m conntrack --ctstate UNTRACKED -j ACCEPT']) }];
  const chain = doc.ruleset.tables.get('filter')?.chains.get(data.filterChain);
  const last = chain?.rules[chain.rules.length - 1];
  if (last) return [{ title: `Accept UNTRACKED packets in ${data.filterChain}`, kind: 'quickfix', preferred: true, edits: [insertLineAfter(doc, last.line, `-A ${data.filterChain} -m conntrack --ctstate UNTRACKED -j ACCEPT`)] }];
  return [];
}

export function oneWayFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const data = f.data as OneWayData | undefined;
  const r = ruleAt(doc, f.span);
  if (!data || !r) return [];
  const rs = doc.ruleset;
  const other = rs.tables.get('raw')?.chains.get(data.mirrorChain);
  const lastOther = other?.rules[other.rules.length - 1];
  const prefix = rs.format === 'commands' ? '-t raw ' : '';
  const line = `${prefix}-A ${data.mirrorChain} ${data.mirrorSpec}`;
  let edit;
  if (lastOther) edit = insertLineAfter(doc, lastOther.line, line);
  else if (rs.format === 'save' && r.block && rs.blockEnds.get(r.block)?.commitLine !== undefined) edit = insertLineBefore(rs.blockEnds.get(r.block)!.commitLine!, line);
  else edit = insertLineAfter(doc, r.line, line);
  return [{ title: `Untrack the other direction too: \`${line}\``, kind: 'quickfix', preferred: true, edits: [edit] }];
}
