/** textDocument/documentSymbol: hierarchical outline (or a flat list for clients without it). */
import { type DocumentSymbol, type SymbolInformation, SymbolKind } from 'vscode-languageserver/node';
import { documentSymbols, type OutlineSymbol, type SymbolKind as Kind } from '../service/symbols';
import type { ServerContext } from '../server';
import { toRange } from './convert';

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
      const doc = ctx.rules(p.textDocument.uri);
      if (!doc) return [];
      const syms = documentSymbols(doc.ruleset, (l) => doc.lines[l]?.length ?? 0);
      if (ctx.clientCapabilities.hierarchicalSymbols) return syms.map(toSymbol);
      const flat: SymbolInformation[] = [];
      for (const s of syms) flatten(p.textDocument.uri, s, undefined, flat);
      return flat;
    }),
  );
}
