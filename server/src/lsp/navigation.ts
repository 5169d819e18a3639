/** Definition, references and rename of user chains. */
import { type Location, ResponseError, type WorkspaceEdit } from 'vscode-languageserver/node';
import { definition, prepareRename, references, rename } from '../service/chain-references';
import { logDefinition } from '../service/log-navigation';
import type { ServerContext } from '../server';
import { toRange } from './convert';

export function registerNavigation(ctx: ServerContext): void {
  const { connection } = ctx;
  connection.onDefinition((p) =>
    ctx.guard('definition', [] as Location[], () => {
      if (ctx.kind(p.textDocument.uri) === 'log') {
        const line = ctx.logs.line(p.textDocument.uri, p.position.line);
        return line ? logDefinition(line, p.position.character, ctx.rulesSources()).map((l) => ({ uri: l.uri, range: toRange(l.span) })) : [];
      }
      const doc = ctx.rules(p.textDocument.uri);
      if (!doc) return [];
      return definition(doc.ruleset, p.position.line, p.position.character).map((s) => ({ uri: p.textDocument.uri, range: toRange(s) }));
    }),
  );
  connection.onReferences((p) =>
    ctx.guard('references', [] as Location[], () => {
      const doc = ctx.rules(p.textDocument.uri);
      if (!doc) return [];
      return references(doc.ruleset, p.position.line, p.position.character, p.context.includeDeclaration).map((s) => ({ uri: p.textDocument.uri, range: toRange(s) }));
    }),
  );
  connection.onPrepareRename((p) => {
    const doc = ctx.rules(p.textDocument.uri);
    if (!doc) return null;
    const r = ctx.guard('prepareRename', { ok: false, message: 'prepareRename failed' } as ReturnType<typeof prepareRename>, () =>
      prepareRename(doc.ruleset, p.position.line, p.position.character),
    );
    // a refusal is an error answer, so the editor can show why
    if (!r.ok) return new ResponseError(-32803, r.message);
    return { range: toRange(r.span), placeholder: r.name };
  });
  connection.onRenameRequest((p) => {
    const doc = ctx.rules(p.textDocument.uri);
    if (!doc) return null;
    const r = ctx.guard('rename', { error: 'rename failed' } as ReturnType<typeof rename>, () => rename(doc.ruleset, p.position.line, p.position.character, p.newName));
    if ('error' in r) return new ResponseError(-32803, r.error);
    const edit: WorkspaceEdit = { changes: { [p.textDocument.uri]: r.edits.map((e) => ({ range: toRange(e.span), newText: e.text })) } };
    return edit;
  });
}
