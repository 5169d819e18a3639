/** Quick fixes for logging hygiene: add a rate limit, end the prefix with a space, shorten it. */
import { type Finding, spanAt } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { replaceSpan } from '../text-edits';
import { quoteWord, ruleAt } from './rule-lookup';

export function logLimitFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const r = ruleAt(doc, f.span);
  if (!r?.target) return [];
  const j = r.target.jWord;
  return [{ title: 'Limit logging to 5 lines a minute (burst 10)', kind: 'quickfix', preferred: true, edits: [replaceSpan({ line: r.line, start: j.start, end: j.start }, '-m limit --limit 5/min --limit-burst 10 ')] }];
}

export function logPrefixSpaceFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const word = doc.ruleset.rules.find((r) => r.line === f.span.line)?.target?.options.flatMap((o) => o.args).find((a) => a.start === f.span.start);
  if (!word) return [];
  return [{ title: 'End the prefix with a space', kind: 'quickfix', preferred: true, edits: [replaceSpan(spanAt(f.span.line, word), quoteWord(word.text + ' '))] }];
}

export function logPrefixLengthFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const max = (f.data as { max?: number } | undefined)?.max ?? 29;
  const word = doc.ruleset.rules.find((r) => r.line === f.span.line)?.target?.options.flatMap((o) => o.args).find((a) => a.start === f.span.start);
  if (!word) return [];
  let cut = word.text;
  while (Buffer.byteLength(cut, 'utf8') > max) cut = cut.slice(0, -1);
  if (!/\s$/.test(cut) && cut.length > 1) cut = cut.slice(0, -1) + ' ';
  return [{ title: `Shorten the prefix to what the kernel keeps: "${cut}"`, kind: 'quickfix', preferred: true, edits: [replaceSpan(spanAt(f.span.line, word), quoteWord(cut))] }];
}
