/** textDocument/semanticTokens (full and range). */
import { type SemanticTokens, SemanticTokensBuilder, type SemanticTokensLegend } from 'vscode-languageserver/node';
import { type SemanticToken, semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from '../service/semantic-tokens';
import type { ServerContext } from '../server';

export function semanticTokensLegend(): SemanticTokensLegend {
  return { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };
}

function encode(tokens: readonly SemanticToken[]): SemanticTokens {
  const b = new SemanticTokensBuilder();
  for (const t of tokens) {
    let mods = 0;
    for (const m of t.modifiers) mods |= 1 << TOKEN_MODIFIERS.indexOf(m);
    b.push(t.line, t.start, t.length, TOKEN_TYPES.indexOf(t.type), mods);
  }
  return b.build();
}

export function registerSemanticTokens(ctx: ServerContext): void {
  ctx.connection.languages.semanticTokens.on((p) =>
    ctx.guard('semanticTokens', { data: [] } as SemanticTokens, () => {
      const doc = ctx.rules(p.textDocument.uri);
      return doc ? encode(semanticTokens(doc.ruleset)) : { data: [] };
    }),
  );
  ctx.connection.languages.semanticTokens.onRange((p) =>
    ctx.guard('semanticTokens/range', { data: [] } as SemanticTokens, () => {
      const doc = ctx.rules(p.textDocument.uri);
      return doc ? encode(semanticTokens(doc.ruleset, p.range.start.line, p.range.end.line)) : { data: [] };
    }),
  );
}
