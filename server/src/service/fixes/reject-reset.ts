/**
 * Quick fix for iptables-lens/reject-without-tcp-reset: answer TCP with a RST. On a TCP-only rule
 * the option is added (or its value replaced); on a rule that also covers other protocols a
 * TCP-only copy with tcp-reset goes in front, and the original keeps answering the rest.
 */
import { type Finding, spanAt } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { insertLineBefore, replaceSpan } from '../text-edits';
import { appendOnlyChain, ruleAt } from './rule-lookup';

export function rejectResetFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const r = ruleAt(doc, f.span);
  if (!r?.target) return [];
  const opt = r.target.options.find((o) => o.name === '--reject-with');
  const line = doc.lines.get(r.line)!;
  const tcpOnly = (f.data as { tcpOnly?: boolean } | undefined)?.tcpOnly;
  if (tcpOnly) {
    const edit = opt?.args[0] ? replaceSpan(spanAt(r.line, opt.args[0]), 'tcp-reset') : replaceSpan({ line: r.line, start: r.target.nameWord.end, end: r.target.nameWord.end }, ' --reject-with tcp-reset');
    return [{ title: 'Reject with a TCP reset', kind: 'quickfix', preferred: true, edits: [edit] }];
  }
  if (!appendOnlyChain(doc, r.table, r.chain) || !r.command.chain) return [];
  // the copy: `-p tcp` right after the chain name, tcp-reset as the answer
  const afterChain = r.command.chain.end;
  let copy = `${line.slice(0, afterChain)} -p tcp${line.slice(afterChain)}`;
  copy = opt?.args[0]
    ? copy.slice(0, opt.args[0].start + 7) + 'tcp-reset' + copy.slice(opt.args[0].end + 7)
    : copy.slice(0, r.target.nameWord.end + 7) + ' --reject-with tcp-reset' + copy.slice(r.target.nameWord.end + 7);
  return [{ title: 'Reject TCP with a reset (add a TCP-only copy in front)', kind: 'quickfix', preferred: true, edits: [insertLineBefore(r.line, copy)] }];
}
