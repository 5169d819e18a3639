/**
 * Parsed log lines per document version. A hover parses only its own line (the parser is
 * line-local), so one line of a 50 MB log costs one line; whole-document parses (outline, summary,
 * diagnostics) are made once per version and only when asked for.
 */
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LogDocument, LogLine } from '../model/log';
import { parseLogDocument, parseLogLine } from '../parser/log/index';

const MAX_LINES_CACHED = 2000;

export interface LogCache {
  line(uri: string, line: number): LogLine | undefined;
  document(uri: string): LogDocument | undefined;
  forget(uri: string): void;
}

export function createLogCache(documents: TextDocuments<TextDocument>): LogCache {
  const lines = new Map<string, { version: number; byLine: Map<number, LogLine> }>();
  const docs = new Map<string, { version: number; doc: LogDocument }>();
  return {
    line(uri, n) {
      const d = documents.get(uri);
      if (!d || n < 0 || n >= d.lineCount) return undefined;
      let entry = lines.get(uri);
      if (!entry || entry.version !== d.version) lines.set(uri, (entry = { version: d.version, byLine: new Map() }));
      const hit = entry.byLine.get(n);
      if (hit) return hit;
      const text = d.getText({ start: { line: n, character: 0 }, end: { line: n + 1, character: 0 } }).replace(/\r?\n$/, '');
      const parsed = parseLogLine(text, n);
      if (entry.byLine.size >= MAX_LINES_CACHED) entry.byLine.clear();
      entry.byLine.set(n, parsed);
      return parsed;
    },
    document(uri) {
      const d = documents.get(uri);
      if (!d) return undefined;
      const hit = docs.get(uri);
      if (hit && hit.version === d.version) return hit.doc;
      const doc = parseLogDocument(d.getText());
      docs.set(uri, { version: d.version, doc });
      return doc;
    },
    forget(uri) {
      lines.delete(uri);
      docs.delete(uri);
    },
  };
}
