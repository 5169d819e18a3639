/** Conversions from the service's plain types to protocol objects. */
import { DiagnosticSeverity, type Range } from 'vscode-languageserver/node';
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
