/** textDocument/codeLens: which packets reach each LOG/DROP/REJECT rule. */
import type { CodeLens } from 'vscode-languageserver/node';
import { codeLenses } from '../service/code-lens';
import type { ServerContext } from '../server';
import { toRange } from './convert';

export function registerCodeLens(ctx: ServerContext): void {
  ctx.connection.onCodeLens((p, token) =>
    ctx.guard('codeLens', [] as CodeLens[], () => {
      const doc = ctx.rules(p.textDocument.uri);
      if (!doc || token.isCancellationRequested) return [];
      return codeLenses(doc.ruleset).map((l) => ({ range: toRange(l.span), command: { title: l.title, command: '' } }));
    }),
  );
}
