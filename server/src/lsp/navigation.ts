/** Definition, references and rename of user chains. */
import { type Location, ResponseError, type WorkspaceEdit } from 'vscode-languageserver/node';
import { definition, prepareRename, references, rename } from '../service/chain-references';
import { logDefinition } from '../service/log-navigation';
import type { ServerContext } from '../server';
import { clampPosition, toRange } from './convert';

export function registerNavigation(ctx: ServerContext): void {
  const { connection } = ctx;
  connection.onDefinition((p) =>
    ctx.guard('definition', [] as Location[], () => {
      const pos = clampPosition(ctx.documents.get(p.textDocument.uri), p.position);
      if (!pos) return [];
      if (ctx.kind(p.textDocument.uri) === 'log') {
        const line = ctx.logs.line(p.textDocument.uri, pos.line);
        return line ? logDefinition(line, pos.character, ctx.rulesSources()).map((l) => ({ uri: l.uri, range: toRange(l.span) })) : [];
      }
      const doc = ctx.rules(p.textDocument.uri);
      if (!doc) return [];
      return definition(doc.ruleset, pos.line, pos.character).map((s) => ({ uri: p.textDocument.uri, range: toRange(s) }));
    }),
  );
  connection.onReferences((p) =>
    ctx.guard('references', [] as Location[], () => {
      const doc = ctx.rules(p.textDocument.uri);
      const pos = clampPosition(ctx.documents.get(p.textDocument.uri), p.position);
      if (!doc || !pos) return [];
      return references(doc.ruleset, pos.line, pos.character, p.context?.includeDeclaration === true).map((s) => ({ uri: p.textDocument.uri, range: toRange(s) }));
    }),
  );
  connection.onPrepareRename((p) => {
    const doc = ctx.rules(p.textDocument.uri);
    const pos = clampPosition(ctx.documents.get(p.textDocument.uri), p.position);
    if (!doc || !pos) return null;
    const r = ctx.guard('prepareRename', { ok: false, message: 'prepareRename failed' } as ReturnType<typeof prepareRename>, () => prepareRename(doc.ruleset, pos.line, pos.character));
    // a refusal is an error answer, so the editor can show why
    if (!r.ok) return new ResponseError(-32803, r.message);
    return { range: toRange(r.span), placeholder: r.name };
  });
  connection.onRenameRequest((p) => {
    const doc = ctx.rules(p.textDocument.uri);
    const pos = clampPosition(ctx.documents.get(p.textDocument.uri), p.position);
    if (!doc || !pos) return null;
    if (typeof p.newName !== 'string') return new ResponseError(-32602, 'rename needs a newName string');
    const r = ctx.guard('rename', { error: 'rename failed' } as ReturnType<typeof rename>, () => rename(doc.ruleset, pos.line, pos.character, p.newName));
    if ('error' in r) return new ResponseError(-32803, r.error);
    const edit: WorkspaceEdit = { changes: { [p.textDocument.uri]: r.edits.map((e) => ({ range: toRange(e.span), newText: e.text })) } };
    return edit;
  });
}
