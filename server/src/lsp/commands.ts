/**
 * workspace/executeCommand: commands the editor runs on the user's request.
 *   iptablesLens.trace { uri, packet, state? }  -> { markdown, lines } | { error, start, end }
 *   iptablesLens.logSummary { uri }              -> { markdown }
 * The server never runs a program or touches a file for these: it answers from the open documents.
 */
import { ResponseError } from 'vscode-languageserver/node';
import { parsePacketSpec } from '../analysis/packet';
import type { CtState } from '../analysis/packet-space';
import { trace } from '../analysis/tracer';
import { summarizeText } from '../analysis/log-summary';
import type { PacketLine } from '../model/log';
import { fileName } from '../service/document';
import { logReportMarkdown } from '../service/log-report';
import { traceMarkdown } from '../service/trace-report';
import type { ServerContext } from '../server';

export const COMMANDS = ['iptablesLens.trace', 'iptablesLens.logSummary'] as const;

const STATES = new Set(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'auto']);

export function registerCommands(ctx: ServerContext): void {
  ctx.connection.onExecuteCommand((p) => {
    if (p.command === 'iptablesLens.logSummary') return logSummary(ctx, p.arguments?.[0]);
    if (p.command !== 'iptablesLens.trace') return new ResponseError(-32601, `unknown command ${p.command}`);
    const arg = (p.arguments?.[0] ?? {}) as { uri?: unknown; packet?: unknown; state?: unknown };
    if (typeof arg.uri !== 'string' || typeof arg.packet !== 'string') return new ResponseError(-32602, 'iptablesLens.trace needs { uri, packet }');
    const doc = ctx.rules(arg.uri);
    if (!doc) return new ResponseError(-32602, `${arg.uri} is not an open rules file`);
    const state = typeof arg.state === 'string' && STATES.has(arg.state) ? (arg.state as CtState | 'auto') : 'auto';
    type Answer = ReturnType<typeof traceMarkdown> | { error: string; start: number; end: number } | ResponseError<void>;
    return ctx.guard<Answer>('trace', new ResponseError(-32603, 'the trace failed; see the server log'), () => {
      const packet = parsePacketSpec(arg.packet as string);
      if ('error' in packet) return { error: packet.error, start: packet.start, end: packet.end };
      const t = trace(doc.ruleset, packet, { state, loose: ctx.settings().tcpLoose });
      return traceMarkdown(t, fileName(arg.uri as string));
    });
  });
}

function logSummary(ctx: ServerContext, arg: unknown): { markdown: string } | ResponseError<void> {
  const uri = (arg as { uri?: unknown } | undefined)?.uri;
  if (typeof uri !== 'string' || ctx.kind(uri) !== 'log') return new ResponseError(-32602, 'iptablesLens.logSummary needs { uri } of an open log');
  const d = ctx.documents.get(uri);
  if (!d) return new ResponseError(-32602, `${uri} is not open`);
  return ctx.guard<{ markdown: string } | ResponseError<void>>('logSummary', new ResponseError(-32603, 'the summary failed; see the server log'), () => {
    const text = d.getText();
    const summary = summarizeText(text, { loose: ctx.settings().tcpLoose });
    const examples = new Map<string, PacketLine>();
    for (const p of summary.byPrefix) {
      const l = ctx.logs.line(uri, p.firstLine);
      if (l?.kind === 'packet') examples.set(l.prefix.label, l);
    }
    const name = fileName(uri) || uri;
    return { markdown: logReportMarkdown([{ name, summary, examples, sources: ctx.rulesSources() }]) };
  });
}
