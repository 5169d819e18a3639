/** textDocument/hover for rules files. */
import { MarkupKind } from 'vscode-languageserver/node';
import { toPlain } from '../knowledge/render';
import { hover } from '../service/hover';
import type { ServerContext } from '../server';
import { toRange } from './convert';

export function registerHover(ctx: ServerContext): void {
  ctx.connection.onHover((p) =>
    ctx.guard('hover', null, () => {
      const doc = ctx.rules(p.textDocument.uri);
      if (!doc) return null;
      const h = hover(doc, p.position.line, p.position.character);
      if (!h) return null;
      const markdown = ctx.clientCapabilities.markdown;
      return {
        contents: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: markdown ? h.markdown : toPlain(h.markdown) },
        range: toRange(h.span),
      };
    }),
  );
}
