/** textDocument/semanticTokens (full and range). */
import { type SemanticTokens, SemanticTokensBuilder, type SemanticTokensDelta, type SemanticTokensEdit, type SemanticTokensLegend } from 'vscode-languageserver/node';
import type { LogLine } from '../model/log';
import { logSemanticTokens } from '../service/log-semantic-tokens';
import { type SemanticToken, semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from '../service/semantic-tokens';

/** A full-document request on a huge log colours its first lines; editors ask ranges as you scroll. */
const MAX_LOG_TOKEN_LINES = 5000;
import type { ServerContext } from '../server';

export function semanticTokensLegend(): SemanticTokensLegend {
  return { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };
}

const TYPE_INDEX = new Map<string, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const MODIFIER_BIT = new Map<string, number>(TOKEN_MODIFIERS.map((m, i) => [m, 1 << i]));

/**
 * The protocol's encoding (five numbers per token, line and start relative to the previous token),
 * written straight into one array: a 100k-line file has over a million tokens. Tokens out of order
 * (none of ours) go through the library's builder, which sorts them.
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
    data[k++] = TYPE_INDEX.get(t.type) ?? 0;
    data[k++] = modifierBits(t);
    prevLine = t.line;
    prevStart = t.start;
  }
  return { data };
}

function encodeUnordered(tokens: readonly SemanticToken[]): SemanticTokens {
  const b = new SemanticTokensBuilder();
  for (const t of tokens) b.push(t.line, t.start, t.length, TYPE_INDEX.get(t.type) ?? 0, modifierBits(t));
  return b.build();
}

function modifierBits(t: SemanticToken): number {
  let mods = 0;
  for (const m of t.modifiers) mods |= MODIFIER_BIT.get(m) ?? 0;
  return mods;
}

/**
 * The one edit that turns `before` into `after`: what lies between their common beginning and
 * their common end. A one-line edit of a 100k-line file changes a few numbers of a million; the
 * editor then receives those instead of the whole 15 MB array again.
 */
export function tokenEdit(before: ArrayLike<number>, after: readonly number[]): SemanticTokensEdit[] {
  const n = Math.min(before.length, after.length);
  let head = 0;
  while (head < n && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < n - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  if (head === before.length && head === after.length) return [];
  return [{ start: head, deleteCount: before.length - head - tail, data: after.slice(head, after.length - tail) }];
}

export function registerSemanticTokens(ctx: ServerContext): void {
  /** The last whole-file result sent for each rules document, for the next delta request. */
  const sent = new Map<string, { readonly resultId: string; readonly data: Int32Array }>();
  let nextId = 1;
  const remember = (uri: string, data: number[]): string => {
    const resultId = String(nextId++);
    sent.set(uri, { resultId, data: Int32Array.from(data) });
    return resultId;
  };
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
    const { data } = encode(semanticTokens(doc.ruleset));
    const before = sent.get(uri);
    const resultId = remember(uri, data);
    if (previousResultId === undefined || !before || before.resultId !== previousResultId) return { resultId, data };
    return { resultId, edits: tokenEdit(before.data, data) };
  };
  ctx.connection.languages.semanticTokens.on((p) => ctx.guard('semanticTokens', { data: [] } as SemanticTokens, () => whole(p.textDocument.uri) as SemanticTokens));
  ctx.connection.languages.semanticTokens.onDelta((p) =>
    ctx.guard('semanticTokens/full/delta', { data: [] } as SemanticTokens | SemanticTokensDelta, () => whole(p.textDocument.uri, p.previousResultId)),
  );
  ctx.connection.languages.semanticTokens.onRange((p) =>
    ctx.guard('semanticTokens/range', { data: [] } as SemanticTokens, () => {
      if (ctx.kind(p.textDocument.uri) === 'log') return logTokens(p.textDocument.uri, p.range.start.line, p.range.end.line);
      const doc = ctx.rules(p.textDocument.uri);
      return doc ? encode(semanticTokens(doc.ruleset, p.range.start.line, p.range.end.line)) : { data: [] };
    }),
  );
}
