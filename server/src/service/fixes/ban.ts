/** Quick fix for iptables-lens/ban-after-established: move the ban above the ESTABLISHED accept. */
import type { BanData } from '../../analysis/checks/ban-after-established';
import type { Finding } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { deleteLine } from '../text-edits';
import { appendOnlyChain, ruleAt, ruleAtLine } from './rule-lookup';

export function banFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const data = f.data as BanData | undefined;
  const ban = ruleAt(doc, f.span);
  const accept = data && ruleAtLine(doc, data.acceptLine);
  if (!ban || !accept || ban.line <= accept.line || !appendOnlyChain(doc, ban.table, ban.chain)) return [];
  const text = doc.lines.get(ban.line)!;
  return [
    {
      title: `Move this ${ban.target?.name} above the ESTABLISHED accept (line ${accept.line + 1})`,
      kind: 'quickfix',
      preferred: true,
      edits: [
        deleteLine(doc, ban.line),
        { line: accept.line, start: 0, endLine: accept.line, end: 0, text: text + '\n' },
      ],
    },
  ];
}
