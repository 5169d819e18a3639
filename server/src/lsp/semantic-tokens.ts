/** textDocument/semanticTokens (full, full/delta and range). */
import { type SemanticTokens, SemanticTokensBuilder, type SemanticTokensDelta, type SemanticTokensLegend } from 'vscode-languageserver/node';
import type { LogLine } from '../model/log';
import { logSemanticTokens } from '../service/log-semantic-tokens';
import { type SemanticToken, TOKEN_MODIFIERS, TOKEN_TYPES } from '../service/semantic-tokens';
import { type EncodedLines, encodeLines, encodeRange, joinParts, modifierBits, partsEdit, typeIndex } from './semantic-token-lines';
import type { ServerContext } from '../server';

/** A full-document request on a huge log colours its first lines; editors ask ranges as you scroll. */
const MAX_LOG_TOKEN_LINES = 5000;

export function semanticTokensLegend(): SemanticTokensLegend {
  return { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };
}

/**
 * The protocol's encoding of tokens given in order of line and start (those of a range of a log):
 * written straight into one array. Tokens out of order (none of ours) go through the library's
 * builder, which sorts them.
 */
function encode(tokens: readonly SemanticToken[]): SemanticTokens {
  const data: number[] = new Array<number>(tokens.length * 5);
  let prevLine = 0;
  let prevStart = 0;
  let k = 0;
  for (const t of tokens) {
    if (t.line < prevLine || (t.line === prevLine && t.start < prevStart)) return encodeUnordered(tokens);
    data[k++] = t.line - prevLine;
    data[k++] = t.line === prevLine ? t.start - prevStart : t.start;
    data[k++] = t.length;
    data[k++] = typeIndex(t);
    data[k++] = modifierBits(t);
    prevLine = t.line;
    prevStart = t.start;
  }
  return { data };
}

function encodeUnordered(tokens: readonly SemanticToken[]): SemanticTokens {
  const b = new SemanticTokensBuilder();
  for (const t of tokens) b.push(t.line, t.start, t.length, typeIndex(t), modifierBits(t));
  return b.build();
}

export function registerSemanticTokens(ctx: ServerContext): void {
  /** The last whole-file result sent for each rules document (its lines), for the next delta request. */
  const sent = new Map<string, { readonly resultId: string; readonly lines: EncodedLines }>();
  let nextId = 1;
  ctx.documents.onDidClose((e) => sent.delete(e.document.uri));

  const logTokens = (uri: string, from: number, to: number): SemanticTokens => {
    const d = ctx.documents.get(uri);
    if (!d) return { data: [] };
    const lines: LogLine[] = [];
    const end = Math.min(to, d.lineCount - 1, from + MAX_LOG_TOKEN_LINES);
    for (let i = Math.max(0, from); i <= end; i++) {
      const l = ctx.logs.line(uri, i);
      if (l) lines.push(l);
    }
    return encode(logSemanticTokens(lines));
  };
  /**
   * The whole document's tokens; for a rules document with a result id, as the edit from
   * `previousResultId` when that is the result this server last sent (otherwise the whole array).
   */
  const whole = (uri: string, previousResultId?: string): SemanticTokens | SemanticTokensDelta => {
    if (ctx.kind(uri) === 'log') return logTokens(uri, 0, MAX_LOG_TOKEN_LINES);
    const doc = ctx.rules(uri);
    if (!doc) return { data: [] };
    const before = sent.get(uri);
    const lines = encodeLines(doc.ruleset, before?.lines);
    const resultId = String(nextId++);
    sent.set(uri, { resultId, lines });
    if (previousResultId === undefined || !before || before.resultId !== previousResultId) return { resultId, data: joinParts(lines.parts) };
    return { resultId, edits: partsEdit(before.lines.parts, lines.parts) };
  };
  ctx.connection.languages.semanticTokens.on((p) => ctx.guard('semanticTokens', { data: [] } as SemanticTokens, () => whole(p.textDocument.uri) as SemanticTokens));
  ctx.connection.languages.semanticTokens.onDelta((p) =>
    ctx.guard('semanticTokens/full/delta', { data: [] } as SemanticTokens | SemanticTokensDelta, () => whole(p.textDocument.uri, p.previousResultId)),
  );
  ctx.connection.languages.semanticTokens.onRange((p) =>
    ctx.guard('semanticTokens/range', { data: [] } as SemanticTokens, () => {
      if (ctx.kind(p.textDocument.uri) === 'log') return logTokens(p.textDocument.uri, p.range.start.line, p.range.end.line);
      const doc = ctx.rules(p.textDocument.uri);
      return { data: doc ? encodeRange(doc.ruleset, p.range.start.line, p.range.end.line) : [] };
    }),
  );
}
