/**
 * `iptables-lens trace --rules FILE (--packet 'SPEC' | --log-line 'LINE') [--state S] [--loose 0|1] [--json]`:
 * the path of one packet through the rules, rule by rule, and the verdict.
 */
import { readFileSync } from 'node:fs';
import { describePacket, type Packet, packetFromLog, parsePacketSpec } from '../../../server/src/analysis/packet';
import { type TraceResult, trace } from '../../../server/src/analysis/tracer';
import type { CtState } from '../../../server/src/analysis/packet-space';
import { parseLogLine } from '../../../server/src/parser/log/index';
import { createRulesDocument } from '../../../server/src/service/document';
import { parseArgs } from '../args';
import type { Subcommand } from '../main';

const STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'];

/** The JSON shape documented in the README: {verdict, ctstate, path: [{table, chain, rule, line, matched, target}]}. */
export function traceJson(t: TraceResult): unknown {
  const pathOf = (b: TraceResult['branches'][number]) =>
    b.steps
      .filter((s) => s.kind === 'rule' || s.kind === 'policy')
      .map((s) => ({
        table: s.table,
        chain: s.chain,
        rule: s.kind === 'policy' ? null : s.position,
        line: s.line === undefined ? null : s.line + 1,
        matched: s.matched,
        target: s.target ?? null,
        ...(s.reason ? { reason: s.reason } : {}),
      }));
  const main = t.branches[0]!;
  return {
    verdict: t.verdict,
    ctstate: main.ctstate,
    ctstateReason: t.ctstateReason,
    hooks: t.hooks,
    path: pathOf(main),
    ...(t.branches.length > 1 ? { branches: t.branches.map((b) => ({ verdict: b.verdict, assumptions: b.assumptions, path: pathOf(b) })) } : {}),
  };
}

export function traceText(t: TraceResult): string {
  const out: string[] = [`packet: ${describePacket(t.packet)}`, `hooks: ${t.hooks.join(' -> ')}`, `conntrack: ${t.ctstate} — ${t.ctstateReason}`];
  t.branches.forEach((b, i) => {
    if (t.branches.length > 1) out.push('', `branch ${i + 1}: ${b.assumptions.join('; ') || 'no undecidable rule matched'}`);
    for (const s of b.steps) {
      if (s.kind === 'conntrack' || s.kind === 'skip') {
        out.push(`  [${s.kind}] ${s.reason ?? ''}`);
        continue;
      }
      const where = `${s.table}/${s.chain}${s.kind === 'policy' ? ' policy' : ` #${s.position}`}${s.line !== undefined ? ` (line ${s.line + 1})` : ''}`;
      const mark = s.matched === true ? 'MATCH' : s.matched === 'maybe' ? 'MAYBE' : 'no   ';
      out.push(`  ${mark} ${where}${s.target ? ` -> ${s.target}` : ''}${s.reason ? `: ${s.reason}` : ''}${s.effect ? ` [${s.effect}]` : ''}`);
    }
    out.push(`  verdict: ${b.verdict}${b.decidedBy?.line !== undefined ? ` (line ${b.decidedBy.line + 1})` : ''}`);
  });
  out.push('', `verdict: ${t.verdict}`);
  return out.join('\n') + '\n';
}

export const runTrace: Subcommand = (args, out, err) => {
  const a = parseArgs(args, { flags: ['json'], options: ['rules', 'packet', 'log-line', 'state', 'loose', 'family'] });
  const usage = "Usage: iptables-lens trace --rules FILE (--packet 'tcp 1.2.3.4:5 -> 6.7.8.9:80 flags SYN in eth0' | --log-line 'LINE') [--state NEW|ESTABLISHED|RELATED|INVALID|UNTRACKED] [--loose 0|1] [--json]\n";
  const rulesFile = a.options.get('rules');
  const spec = a.options.get('packet');
  const logLine = a.options.get('log-line');
  const state = a.options.get('state')?.toUpperCase();
  if (a.errors.length || !rulesFile || (!spec === !logLine) || (state && !STATES.includes(state)) || a.files.length) {
    err(`iptables-lens trace: ${a.errors[0] ?? (state && !STATES.includes(state) ? `unknown state ${state}` : 'give --rules and one of --packet or --log-line')}\n${usage}`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(rulesFile, 'utf8');
  } catch (e) {
    err(`iptables-lens trace: cannot read ${rulesFile}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  let packet: Packet;
  if (spec) {
    const p = parsePacketSpec(spec);
    if ('error' in p) {
      err(`iptables-lens trace: ${p.error}\n  ${spec}\n  ${' '.repeat(p.start)}${'^'.repeat(Math.max(1, p.end - p.start))}\n`);
      return 2;
    }
    packet = p;
  } else {
    const l = parseLogLine(logLine!, 0);
    const p = l.kind === 'packet' ? packetFromLog(l.packet) : undefined;
    if (!p) {
      err('iptables-lens trace: the log line is not a LOG line with SRC, DST and PROTO\n');
      return 2;
    }
    packet = p;
  }
  const doc = createRulesDocument(rulesFile, 0, text, (a.options.get('family') as 'ipv4' | 'ipv6' | undefined) ?? packet.family);
  const t = trace(doc.ruleset, packet, { state: (state as CtState | undefined) ?? 'auto', loose: a.options.get('loose') !== '0' });
  out(a.flags.has('json') ? JSON.stringify(traceJson(t), null, 2) + '\n' : traceText(t));
  return 0;
};
