/** Text edits as the service produces them, and helpers that build the common ones. */
import type { Span } from '../model/ruleset';
import type { RulesDocument } from './document';

export interface TextEdit {
  /** Replace this range (may span lines: `end` is on `endLine`) with `text`. */
  readonly line: number;
  readonly start: number;
  readonly endLine: number;
  readonly end: number;
  readonly text: string;
}

export function replaceSpan(s: Span, text: string): TextEdit {
  return { line: s.line, start: s.start, endLine: s.line, end: s.end, text };
}

export function insertLineBefore(line: number, text: string): TextEdit {
  return { line, start: 0, endLine: line, end: 0, text: text + '\n' };
}

export function insertLineAfter(doc: RulesDocument, line: number, text: string): TextEdit {
  const len = doc.lines.get(line)?.length ?? 0;
  return { line, start: len, endLine: line, end: len, text: '\n' + text };
}

/**
 * Remove a whole line and its line break. The last line has no break after it: it takes the one
 * before it instead (a range to the start of a line that does not exist lies outside the document).
 */
export function deleteLine(doc: RulesDocument, line: number): TextEdit {
  if (line + 1 < doc.lines.length) return { line, start: 0, endLine: line + 1, end: 0, text: '' };
  if (line > 0) return { line: line - 1, start: doc.lines.get(line - 1)!.length, endLine: line, end: doc.lines.get(line)!.length, text: '' };
  return { line, start: 0, endLine: line, end: doc.lines.get(line)?.length ?? 0, text: '' };
}
