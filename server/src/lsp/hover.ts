/** textDocument/hover for rules files. */
import { MarkupKind } from 'vscode-languageserver/node';
import { toPlain } from '../knowledge/render';
import { hover, type HoverResult } from '../service/hover';
import { logHover } from '../service/log-hover';
import type { ServerContext } from '../server';
import { toRange } from './convert';

export function registerHover(ctx: ServerContext): void {
  ctx.connection.onHover((p) =>
    ctx.guard('hover', null, () => {
      const uri = p.textDocument.uri;
      const kind = ctx.kind(uri);
      let h: HoverResult | undefined;
      if (kind === 'log') {
        const line = ctx.logs.line(uri, p.position.line);
        h = line ? logHover(line, p.position.character, ctx.rulesSources(), ctx.settings().tcpLoose) : undefined;
      } else {
        const doc = ctx.rules(uri);
        h = doc ? hover(doc, p.position.line, p.position.character) : undefined;
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
