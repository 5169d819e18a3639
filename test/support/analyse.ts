/** Helpers for unit tests of checks: parse a text and run every check, or one code's findings. */
import { allFindings } from '../../server/src/analysis/all-checks';
import type { Finding } from '../../server/src/model/ruleset';
import { createRulesDocument, type RulesDocument } from '../../server/src/service/document';

export function doc(text: string, uri = 'file:///test.rules'): RulesDocument {
  return createRulesDocument(uri, 1, text);
}

export function findings(text: string, code?: string): Finding[] {
  const all = allFindings(doc(text).ruleset);
  return code ? all.filter((f) => f.code === code) : all;
}

/** Apply service text edits to a text. */
export function applyServiceEdits(text: string, edits: readonly { line: number; start: number; endLine: number; end: number; text: string }[]): string {
  const lines = text.split('\n');
  const off = (l: number, c: number) => lines.slice(0, l).reduce((a, x) => a + x.length + 1, 0) + c;
  let out = text;
  for (const e of [...edits].sort((a, b) => off(b.line, b.start) - off(a.line, a.start))) out = out.slice(0, off(e.line, e.start)) + e.text + out.slice(off(e.endLine, e.end));
  return out;
}
