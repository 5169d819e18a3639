/** textDocument/documentSymbol: hierarchical outline (or a flat list for clients without it). */
import { type DocumentSymbol, type SymbolInformation, SymbolKind } from 'vscode-languageserver/node';
import { parseLogLines } from '../parser/log/index';
import { logSymbols } from '../service/log-symbols';
import { listed, type Outline, outline, type OutlineSymbol, type SymbolKind as Kind } from '../service/symbols';
import type { ServerContext } from '../server';
import { lineLength, toRange } from './convert';

/** Logs larger than this are outlined without caching their parse (the same bound as log diagnostics). */
const MAX_CACHED_LOG_BYTES = 4 * 1024 * 1024;

const KIND: Record<Kind, SymbolKind> = {
  table: SymbolKind.Namespace,
  chain: SymbolKind.Class,
  'builtin-chain': SymbolKind.Interface,
  rule: SymbolKind.Field,
  // (chains the outline leaves out: see listed)
  more: SymbolKind.Null,
};

/**
 * The protocol's form of each symbol, kept while the symbol is: an outline made from the previous
 * one by making a few symbols again (service/symbols.ts) shares the rest, and their forms with them.
 */
const SYMBOL_FORMS = new WeakMap<OutlineSymbol, DocumentSymbol>();

function toSymbol(s: OutlineSymbol): DocumentSymbol {
  let d = SYMBOL_FORMS.get(s);
  if (!d) SYMBOL_FORMS.set(s, (d = madeSymbol(s)));
  return d;
}

function madeSymbol(s: OutlineSymbol): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: KIND[s.kind],
    range: { start: { line: s.range.line, character: s.range.start }, end: { line: s.range.endLine, character: s.range.end } },
    selectionRange: toRange(s.selection),
    // (optional in the protocol: a rule's empty list, 40 000 times over in a big file, is left out)
    ...(s.children.length ? { children: s.children.map(toSymbol) } : {}),
  };
}

/** The protocol's form of an outline, kept while the outline is (an unchanged outline is not converted again). */
const CONVERTED = new WeakMap<readonly OutlineSymbol[], DocumentSymbol[]>();

function converted(syms: OutlineSymbol[]): DocumentSymbol[] {
  let c = CONVERTED.get(syms);
  if (!c) CONVERTED.set(syms, (c = syms.map(toSymbol)));
  return c;
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
  /** The last outline of each rules document, which the next version's starts from. */
  const last = new Map<string, Outline>();
  ctx.documents.onDidClose((e) => last.delete(e.document.uri));
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
        const o = outline(doc.ruleset, (l) => doc.lines.get(l)?.length ?? 0, last.get(uri));
        last.set(uri, o);
        syms = listed(o.symbols);
      }
      if (ctx.clientCapabilities.hierarchicalSymbols) return converted(syms);
      const flat: SymbolInformation[] = [];
      for (const s of syms) flatten(p.textDocument.uri, s, undefined, flat);
      return flat;
    }),
  );
}
