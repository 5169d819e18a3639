/** textDocument/hover for rules files. */
import { MarkupKind } from 'vscode-languageserver/node';
import { toPlain } from '../knowledge/render';
import { hover, type HoverResult } from '../service/hover';
import { logHover } from '../service/log-hover';
import type { ServerContext } from '../server';
import { clampPosition, toRange } from './convert';

export function registerHover(ctx: ServerContext): void {
  ctx.connection.onHover((p) =>
    ctx.guard('hover', null, () => {
      const uri = p.textDocument.uri;
      const kind = ctx.kind(uri);
      const pos = clampPosition(ctx.documents.get(uri), p.position);
      if (!pos) return null;
      let h: HoverResult | undefined;
      if (kind === 'log') {
        const line = ctx.logs.line(uri, pos.line);
        h = line ? logHover(line, pos.character, ctx.rulesSources(), ctx.settings().tcpLoose) : undefined;
      } else {
        const doc = ctx.rules(uri);
        h = doc ? hover(doc, pos.line, pos.character) : undefined;
      }
      if (!h) return null;
      const markdown = ctx.clientCapabilities.markdown;
      return {
        contents: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: markdown ? h.markdown : toPlain(h.markdown) },
        range: toRange(h.span),
      };
    }),
  );
}
