/** textDocument/documentSymbol: hierarchical outline (or a flat list for clients without it). */
import { type DocumentSymbol, type SymbolInformation, SymbolKind } from 'vscode-languageserver/node';
import { parseLogLines } from '../parser/log/index';
import { logSymbols } from '../service/log-symbols';
import { documentSymbols, type OutlineSymbol, type SymbolKind as Kind } from '../service/symbols';
import type { ServerContext } from '../server';
import { lineLength, toRange } from './convert';

/** Logs larger than this are outlined without caching their parse (the same bound as log diagnostics). */
const MAX_CACHED_LOG_BYTES = 4 * 1024 * 1024;

const KIND: Record<Kind, SymbolKind> = {
  table: SymbolKind.Namespace,
  chain: SymbolKind.Class,
  'builtin-chain': SymbolKind.Interface,
  rule: SymbolKind.Field,
};

function toSymbol(s: OutlineSymbol): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: KIND[s.kind],
    range: { start: { line: s.range.line, character: s.range.start }, end: { line: s.range.endLine, character: s.range.end } },
    selectionRange: toRange(s.selection),
    children: s.children.map(toSymbol),
  };
}

function flatten(uri: string, s: OutlineSymbol, container: string | undefined, out: SymbolInformation[]): void {
  out.push({
    name: s.name,
    kind: KIND[s.kind],
    location: { uri, range: { start: { line: s.range.line, character: s.range.start }, end: { line: s.range.endLine, character: s.range.end } } },
    ...(container ? { containerName: container } : {}),
  });
  for (const c of s.children) flatten(uri, c, s.name, out);
}

export function registerSymbols(ctx: ServerContext): void {
  ctx.connection.onDocumentSymbol((p) =>
    ctx.guard('documentSymbol', [] as DocumentSymbol[] | SymbolInformation[], () => {
      const uri = p.textDocument.uri;
      let syms: OutlineSymbol[];
      if (ctx.kind(uri) === 'log') {
        const text = ctx.documents.get(uri);
        if (!text) return [];
        // a huge log is outlined line by line without keeping its parse (which would take gigabytes)
        const log = text.getText().length > MAX_CACHED_LOG_BYTES ? { lines: parseLogLines(text.getText()) } : ctx.logs.document(uri);
        if (!log) return [];
        syms = logSymbols(log, (l) => lineLength(text, l));
      } else {
        const doc = ctx.rules(uri);
        if (!doc) return [];
        syms = documentSymbols(doc.ruleset, (l) => doc.lines[l]?.length ?? 0);
      }
      if (ctx.clientCapabilities.hierarchicalSymbols) return syms.map(toSymbol);
      const flat: SymbolInformation[] = [];
      for (const s of syms) flatten(p.textDocument.uri, s, undefined, flat);
      return flat;
    }),
  );
}
