/** textDocument/documentLink for logs: each prefix links to the rule that wrote it. */
import type { DocumentLink } from 'vscode-languageserver/node';
import type { LogLine } from '../model/log';
import { logLinks } from '../service/log-navigation';
import type { ServerContext } from '../server';
import { toRange } from './convert';

/** Lines visible in the editor are what links are asked for; cap the work on huge logs. */
const MAX_LINK_LINES = 20000;

export function registerLogFeatures(ctx: ServerContext): void {
  ctx.connection.onDocumentLinks((p) =>
    ctx.guard('documentLinks', [] as DocumentLink[], () => {
      if (ctx.kind(p.textDocument.uri) !== 'log') return [];
      const d = ctx.documents.get(p.textDocument.uri);
      if (!d) return [];
      const lines: LogLine[] = [];
      for (let i = 0; i < Math.min(d.lineCount, MAX_LINK_LINES); i++) {
        const l = ctx.logs.line(p.textDocument.uri, i);
        if (l) lines.push(l);
      }
      return logLinks(lines, ctx.rulesSources()).map((l) => ({ range: toRange(l.span), target: l.target, tooltip: l.tooltip }));
    }),
  );
}
