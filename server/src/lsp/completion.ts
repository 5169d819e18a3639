/** textDocument/completion for rules files. */
import { type CompletionItem, CompletionItemKind, type CompletionList, InsertTextFormat, MarkupKind } from 'vscode-languageserver/node';
import { completion, type CompletionKind, isIncomplete } from '../service/completion';
import type { ServerContext } from '../server';
import { clampPosition, toRange } from './convert';

const KIND: Record<CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  table: CompletionItemKind.Module,
  chain: CompletionItemKind.Class,
  'builtin-chain': CompletionItemKind.Class,
  module: CompletionItemKind.Module,
  target: CompletionItemKind.Function,
  option: CompletionItemKind.Property,
  value: CompletionItemKind.EnumMember,
  snippet: CompletionItemKind.Snippet,
};

export function registerCompletion(ctx: ServerContext): void {
  ctx.connection.onCompletion((p) =>
    ctx.guard('completion', [] as CompletionItem[] | CompletionList, () => {
      const doc = ctx.rules(p.textDocument.uri);
      const pos = clampPosition(ctx.documents.get(p.textDocument.uri), p.position);
      if (!doc || !pos) return [];
      const snippets = ctx.clientCapabilities.snippets;
      const entries = completion(doc, pos.line, pos.character);
      const items = entries
        .filter((e) => !e.snippet || snippets)
        .map((e): CompletionItem => ({
          label: e.label,
          kind: KIND[e.kind],
          ...(e.detail ? { detail: e.detail } : {}),
          ...(e.documentation ? { documentation: { kind: MarkupKind.Markdown, value: e.documentation } } : {}),
          ...(e.sortText ? { sortText: e.sortText } : {}),
          textEdit: { range: toRange(e.replace), newText: e.insertText ?? e.label },
          ...(e.snippet ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
          filterText: e.label,
        }));
      // a list cut short (35 000 chains): the editor asks again as the user types
      return isIncomplete(entries) ? { isIncomplete: true, items } : items;
    }),
  );
}
