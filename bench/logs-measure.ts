/**
 * In-process measurements of firewall logs through the code the server and the CLI run:
 * - the whole-log summary, as `iptables-lens logs` makes it (the file read a piece at a time into
 *   one buffer, summarizeReader);
 * - hover on one line of a big log through the server's path: a TextDocument, lsp/log-cache.ts
 *   `line()` (parses that line only) and service/log-hover.ts (which explains the line with a
 *   rules file: the LOG rule by prefix, and a trace);
 * - semantic tokens for the range an editor shows (about 60 lines), as lsp/semantic-tokens.ts
 *   computes them for logs.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { SemanticTokensBuilder, type TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Rng } from './gen/rng';
import { percentile, round, timed } from './lib/stats';
import { summarizeReader } from '../server/src/analysis/log-summary';
import { createLogCache } from '../server/src/lsp/log-cache';
import type { LogLine } from '../server/src/model/log';
import type { RulesSource } from '../server/src/service/log-explain';
import { logHover } from '../server/src/service/log-hover';
import { logSemanticTokens } from '../server/src/service/log-semantic-tokens';
import { TOKEN_MODIFIERS, TOKEN_TYPES } from '../server/src/service/semantic-tokens';
import { createRulesDocument } from '../server/src/service/document';

export interface SummaryResult {
  readonly lines: number;
  readonly bytes: number;
  readonly wall: number;
  readonly cpu: number;
  /** Lines per second and MB per second, by CPU time (robust on a busy machine) and by wall time. */
  readonly linesPerSecCpu: number;
  readonly mbPerSecCpu: number;
  readonly linesPerSecWall: number;
  readonly mbPerSecWall: number;
  readonly packets: number;
}

/** Summarise a file as `iptables-lens logs` does: read a piece at a time, summarizeReader (best of `runs`). */
export function measureSummary(file: string, runs = 2): SummaryResult {
  let best: { wall: number; cpu: number; lines: number; packets: number; bytes: number } | undefined;
  for (let i = 0; i < runs; i++) {
    const t = timed(() => {
      const fd = openSync(file, 'r');
      try {
        let bytes = 0;
        const s = summarizeReader((b, off, len) => {
          const n = readSync(fd, b, off, len, null);
          bytes += n;
          return n;
        });
        return { lines: s.lines, packets: s.packetLines, bytes };
      } finally {
        closeSync(fd);
      }
    });
    if (!best || t.cpu < best.cpu) best = { wall: t.wall, cpu: t.cpu, ...t.value };
  }
  const b = best!;
  return {
    lines: b.lines,
    bytes: b.bytes,
    wall: round(b.wall),
    cpu: round(b.cpu),
    linesPerSecCpu: Math.round(b.lines / (b.cpu / 1000)),
    mbPerSecCpu: round(b.bytes / 1e6 / (b.cpu / 1000), 1),
    linesPerSecWall: Math.round(b.lines / (b.wall / 1000)),
    mbPerSecWall: round(b.bytes / 1e6 / (b.wall / 1000), 1),
    packets: b.packets,
  };
}

export interface LogEditorResult {
  readonly lines: number;
  readonly bytes: number;
  /** The first hover: builds the line index of the document (as the first request in the server does). */
  readonly firstHover: number;
  readonly hover: { p50: number; p99: number; max: number; count: number };
  readonly tokens: { p50: number; p99: number; max: number; count: number };
}

/** The documents collection the log cache reads, holding one document. */
function oneDocument(doc: TextDocument): TextDocuments<TextDocument> {
  return { get: (uri: string) => (uri === doc.uri ? doc : undefined) } as unknown as TextDocuments<TextDocument>;
}

export function measureLogEditor(opts: { file: string; rulesFile?: string; hovers: number; ranges: number; seed?: number }): LogEditorResult {
  const rng = new Rng(opts.seed ?? 7);
  const text = readFileSync(opts.file, 'utf8');
  const uri = 'file:///bench/kern.log';
  const doc = TextDocument.create(uri, 'netfilter-log', 1, text);
  const logs = createLogCache(oneDocument(doc));
  const sources: RulesSource[] = [];
  if (opts.rulesFile) {
    const r = createRulesDocument('file:///bench/rules.v4', 1, readFileSync(opts.rulesFile, 'utf8'));
    sources.push({ uri: r.uri, name: 'rules.v4', ruleset: r.ruleset });
  }
  const hoverAt = (line: number) => {
    const l = logs.line(uri, line);
    // on the line, past the wrapper: the whole-line explanation (prefix, packet, rule, trace)
    return l ? logHover(l, Math.min(60, doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).length - 2), sources, true) : undefined;
  };
  const lineCount = doc.lineCount;
  const first = timed(() => hoverAt(rng.int(0, lineCount - 2)));
  const hovers: number[] = [];
  for (let i = 0; i < opts.hovers; i++) {
    const line = rng.int(0, lineCount - 2);
    hovers.push(timed(() => hoverAt(line)).wall);
  }
  const tokens: number[] = [];
  for (let i = 0; i < opts.ranges; i++) {
    const from = rng.int(0, Math.max(0, lineCount - 61));
    tokens.push(
      timed(() => {
        const lines: LogLine[] = [];
        for (let n = from; n <= Math.min(lineCount - 1, from + 60); n++) {
          const l = logs.line(uri, n);
          if (l) lines.push(l);
        }
        const b = new SemanticTokensBuilder();
        for (const t of logSemanticTokens(lines)) {
          let mods = 0;
          for (const m of t.modifiers) mods |= 1 << TOKEN_MODIFIERS.indexOf(m);
          b.push(t.line, t.start, t.length, TOKEN_TYPES.indexOf(t.type), mods);
        }
        return b.build();
      }).wall,
    );
  }
  const d = (xs: number[]) => ({ p50: round(percentile(xs, 50), 3), p99: round(percentile(xs, 99), 3), max: round(Math.max(...xs), 3), count: xs.length });
  return { lines: lineCount, bytes: Buffer.byteLength(text), firstHover: round(first.wall, 3), hover: d(hovers), tokens: d(tokens) };
}
