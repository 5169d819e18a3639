/** textDocument/foldingRange. */
import { type FoldingRange, FoldingRangeKind } from 'vscode-languageserver/node';
import { foldingRanges } from '../service/folding';
import type { ServerContext } from '../server';

export function registerFolding(ctx: ServerContext): void {
  ctx.connection.onFoldingRanges((p) =>
    ctx.guard('foldingRange', [] as FoldingRange[], () => {
      const doc = ctx.rules(p.textDocument.uri);
      if (!doc) return [];
      return foldingRanges(doc.ruleset).map((f) => ({
        startLine: f.startLine,
        endLine: f.endLine,
        ...(f.kind === 'comment' ? { kind: FoldingRangeKind.Comment } : f.kind === 'region' ? { kind: FoldingRangeKind.Region } : {}),
      }));
    }),
  );
}
