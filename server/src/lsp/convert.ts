/** Conversions from the service's plain types to protocol objects. */
import { DiagnosticSeverity, type Position, type Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Severity, Span } from '../model/ruleset';
import type { TextEdit } from '../service/code-actions';

export function toRange(s: Span): Range {
  return { start: { line: s.line, character: s.start }, end: { line: s.line, character: s.end } };
}

export function toSeverity(s: Severity): DiagnosticSeverity {
  switch (s) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'information':
      return DiagnosticSeverity.Information;
    case 'hint':
      return DiagnosticSeverity.Hint;
  }
}

export function toTextEdit(e: TextEdit): { range: Range; newText: string } {
  return { range: { start: { line: e.line, character: e.start }, end: { line: e.endLine, character: e.end } }, newText: e.text };
}

/**
 * The position of a request, made safe: undefined when it is no position or lies on a line past
 * the end of the document (there is nothing there to answer about), and the character clamped to
 * the line's length, as the LSP specification asks. Handlers answer from this, never from the
 * raw position, so no answer can carry a range outside the document.
 */
export function clampPosition(doc: TextDocument | undefined, p: unknown): Position | undefined {
  if (!doc || !p || typeof p !== 'object') return undefined;
  const { line, character } = p as { line?: unknown; character?: unknown };
  if (typeof line !== 'number' || typeof character !== 'number' || !Number.isInteger(line) || !Number.isInteger(character)) return undefined;
  if (line < 0 || line >= doc.lineCount || character < 0) return undefined;
  return { line, character: Math.min(character, lineLength(doc, line)) };
}

/** The length of a line as the editor counts it: without its `\n`, `\r\n` or lone `\r`. */
export function lineLength(doc: TextDocument, line: number): number {
  if (line < 0 || line >= doc.lineCount) return 0;
  // (the line's range ends before its line end, whichever it is)
  return doc.getLineRange(line).end.character;
}
