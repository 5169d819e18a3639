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
  const len = doc.lines[line]?.length ?? 0;
  return { line, start: len, endLine: line, end: len, text: '\n' + text };
}

