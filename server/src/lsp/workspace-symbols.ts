/** workspace/symbol: the chains of the open rules files whose names match what the user typed. */
import { type SymbolInformation, SymbolKind } from 'vscode-languageserver/node';
import { chainsMatching, MAX_FOUND_CHAINS } from '../service/chain-search';
import type { ServerContext } from '../server';
import { toRange } from './convert';

export function registerWorkspaceSymbols(ctx: ServerContext): void {
  ctx.connection.onWorkspaceSymbol((p) =>
    ctx.guard('workspaceSymbol', [] as SymbolInformation[], () => {
      const out: SymbolInformation[] = [];
      for (const d of ctx.documents.all()) {
        if (out.length >= MAX_FOUND_CHAINS) break;
        // (undefined for a document that is not a rules file)
        const doc = ctx.rules(d.uri);
        if (!doc) continue;
        for (const c of chainsMatching(doc.ruleset, p.query ?? '', MAX_FOUND_CHAINS - out.length)) {
          out.push({ name: c.name, kind: c.builtin ? SymbolKind.Interface : SymbolKind.Class, location: { uri: d.uri, range: toRange(c.span) }, containerName: `*${c.table}` });
        }
      }
      return out;
    }),
  );
}
