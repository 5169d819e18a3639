/** textDocument/codeAction: quick fixes for the diagnostics in the requested range. */
import { type CodeAction as LspCodeAction, CodeActionKind, CodeActionTriggerKind } from 'vscode-languageserver/node';
import { analysed } from '../service/analysis-in-steps';
import { codeActions } from '../service/code-actions';
import type { ServerContext } from '../server';
import { toTextEdit } from './convert';
import { analysedInSlices, currentDiagnostics, toLspDiagnostic } from './diagnostics';

export function registerCodeActions(ctx: ServerContext): void {
  ctx.connection.onCodeAction((p) =>
    ctx.guard('codeAction', [] as LspCodeAction[], () => {
      const uri = p.textDocument.uri;
      const doc = ctx.rules(uri);
      if (!doc) return [];
      // a request the client makes by itself (the light bulb, at each move of the cursor) while the
      // current version of a document analysed in slices is not analysed yet gets none rather than
      // the rest of the analysis done at once: the client asks again when the version's
      // diagnostics come. One the user asked for waits for them.
      if (p.context.triggerKind === CodeActionTriggerKind.Automatic && analysedInSlices(doc) && !analysed(doc.ruleset)) return [];
      const { start, end } = p.range;
      const inRange = currentDiagnostics(ctx, uri).filter((d) => d.span.line >= start.line && d.span.line <= end.line);
      if (p.context.only && !p.context.only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k))) return [];
      return codeActions(doc, inRange).map((a): LspCodeAction => ({
        title: a.title,
        kind: a.kind === 'quickfix' ? CodeActionKind.QuickFix : a.kind,
        edit: { changes: { [uri]: a.edits.map(toTextEdit) } },
        ...(a.diagnostic ? { diagnostics: [toLspDiagnostic(uri, a.diagnostic)] } : {}),
        ...(a.preferred ? { isPreferred: true } : {}),
      }));
    }),
  );
}
