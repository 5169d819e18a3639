/**
 * A readable report of a whole log: counts by prefix, rule, flag set and inferred conntrack state,
 * top talkers and ports, how much of it is harmless teardown noise, and lines per minute by prefix
 * drawn as a sparkline. Markdown for the editor, plain text for the terminal.
 */
import type { CountEntry, LogSummary } from '../analysis/log-summary';
import { loggingRules, type RulesSource } from './log-explain';
import type { PacketLine } from '../model/log';

const BARS = '▁▂▃▄▅▆▇█';

/** Counts over time as a one-line picture. */
export function sparkline(values: readonly number[], width = 48): string {
  if (values.length === 0) return '';
  // fold into at most `width` buckets
  const buckets: number[] = [];
  const per = Math.max(1, Math.ceil(values.length / width));
  for (let i = 0; i < values.length; i += per) buckets.push(values.slice(i, i + per).reduce((a, b) => a + b, 0));
  const max = Math.max(...buckets);
  return buckets.map((v) => (v === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1)))])).join('');
}

/** Lines per minute with the silent minutes filled in, so the picture shows real time. */
export function minuteSeries(perMinute: readonly { minute: number; count: number }[]): number[] {
  if (perMinute.length === 0) return [];
  const first = perMinute[0]!.minute;
  const last = perMinute[perMinute.length - 1]!.minute;
  if (last - first > 1_000_000) return perMinute.map((m) => m.count);
  const series = new Array<number>(last - first + 1).fill(0);
  for (const m of perMinute) series[m.minute - first] += m.count;
  return series;
}

function pct(n: number, of: number): string {
  return of ? `${((100 * n) / of).toFixed(1)}%` : '0%';
}

function table(title: string, rows: readonly CountEntry[], of: number): string[] {
  if (!rows.length) return [];
  return [`### ${title}`, '', '| | lines | share |', '|---|---:|---:|', ...rows.map((r) => `| \`${r.key}\` | ${r.count} | ${pct(r.count, of)} |`), ''];
}

export interface ReportInput {
  readonly name: string;
  readonly summary: LogSummary;
  /** One example line per prefix, to find the rule that wrote it. */
  readonly examples?: ReadonlyMap<string, PacketLine>;
  readonly sources?: readonly RulesSource[];
}

export function logReportMarkdown(inputs: readonly ReportInput[]): string {
  const out: string[] = [];
  for (const { name, summary: s, examples, sources } of inputs) {
    out.push(`# Firewall log summary: ${name}`, '');
    out.push(`${s.lines} lines: ${s.packetLines} LOG lines, ${s.conntrackLines} conntrack lines, ${s.kernelLines} kernel messages, ${s.sysctlLines} sysctl lines, ${s.otherLines} other.${s.firstMinute ? ` From ${s.firstMinute} to ${s.lastMinute}.` : ''}`, '');
    if (s.tcpLines) {
      out.push(`**Harmless teardown noise:** ${s.teardownNoise} of ${s.tcpLines} TCP lines (${pct(s.teardownNoise, s.tcpLines)}) are late FIN or RST packets: INVALID because conntrack had already forgotten their connection. Dropping INVALID before the LOG rule silences them.`, '');
    }
    if (s.byPrefix.length) {
      out.push('## By prefix', '', '| prefix | lines | INVALID w/o entry | teardown noise | rule | per minute |', '|---|---:|---:|---:|---|---|');
      for (const p of s.byPrefix) {
        const ex = examples?.get(p.prefix);
        const rules = ex && sources ? loggingRules(sources, ex) : [];
        const rule = rules.length ? rules.map((r) => `${r.source.name}:${r.rule.line + 1}`).join(', ') : '';
        out.push(`| \`${p.prefix || '(none)'}\` | ${p.count} | ${p.invalid} | ${p.teardownNoise} | ${rule} | \`${sparkline(minuteSeries(p.perMinute))}\` |`);
      }
      out.push('');
    }
    out.push(...table('By TCP flags', s.byFlags, s.tcpLines));
    out.push(...table('By conntrack state (no entry)', s.byCtstate, s.tcpLines));
    out.push(...table('By protocol', s.byProtocol, s.packetLines));
    out.push(...table('Top sources', s.topSources, s.packetLines));
    out.push(...table('Top destinations', s.topDestinations, s.packetLines));
    out.push(...table('Top destination ports', s.topDestinationPorts, s.packetLines));
    out.push(...table('Kernel messages', s.kernelMessages, s.kernelLines));
    if (s.suppressedCallbacks) out.push(`Rate-limited kernel messages suppressed: ${s.suppressedCallbacks}.`, '');
    out.push(...table('Conntrack entries by state', s.conntrackStates, s.conntrackLines));
  }
  return out.join('\n');
}
