/**
 * Why a LOG line exists: which rule of the known rules files wrote it (its prefix matched against
 * every `--log-prefix`/`--nflog-prefix`, as the kernel cuts them), and how the packet got there —
 * traced twice, once as conntrack sees it with no entry and once with an entry still there, to tell
 * which of the two is consistent with the line having been logged.
 */
import { packetFromLog } from '../analysis/packet';
import { type TraceBranch, type TraceResult, trace } from '../analysis/tracer';
import { classifyTcpFlags } from '../knowledge/log-fields';
import type { PacketLine } from '../model/log';
import type { Rule, Ruleset } from '../model/ruleset';

export interface RulesSource {
  readonly uri: string;
  /** A short name for messages (the file name). */
  readonly name: string;
  readonly ruleset: Ruleset;
}

export interface LoggingRule {
  readonly source: RulesSource;
  readonly rule: Rule;
  /** The prefix as the kernel prints it (LOG keeps 29 bytes). */
  readonly printed: string;
}

const PREFIX_OPTIONS: Readonly<Record<string, { option: string; max: number }>> = {
  LOG: { option: '--log-prefix', max: 29 },
  NFLOG: { option: '--nflog-prefix', max: 127 },
};

function cut(s: string, maxBytes: number): string {
  let out = s;
  while (Buffer.byteLength(out, 'utf8') > maxBytes) out = out.slice(0, -1);
  return out;
}

/** Every LOG/NFLOG rule whose printed prefix is this line's prefix. */
export function loggingRules(sources: readonly RulesSource[], line: PacketLine): LoggingRule[] {
  const want = line.prefix.label;
  const out: LoggingRule[] = [];
  for (const source of sources) {
    for (const rule of source.ruleset.rules) {
      const t = rule.target;
      const spec = t && PREFIX_OPTIONS[t.name];
      if (!spec) continue;
      const p = t.options.find((o) => o.name === spec.option)?.args[0]?.text ?? '';
      const printed = cut(p, spec.max);
      if (printed.trim() === want) out.push({ source, rule, printed });
    }
  }
  return out;
}

export interface LineExplanation {
  /** Plain-words summary of the packet. */
  readonly summary: string;
  readonly loggers: readonly LoggingRule[];
  /** Traces in the file of the first logging rule: without an entry, then with one. */
  readonly withoutEntry?: TraceResult;
  readonly withEntry?: TraceResult;
  /** Which conntrack situation explains the line, in words. */
  readonly verdict?: string;
}

function reaches(branch: TraceBranch, rule: Rule): boolean {
  return branch.steps.some((s) => s.rule === rule && s.matched !== false);
}

export function explainPacketLine(line: PacketLine, sources: readonly RulesSource[], loose: boolean): LineExplanation {
  const p = line.packet;
  const dir = p.in && !p.out ? `arriving on ${p.in} for this host (INPUT)` : p.in && p.out ? `routed from ${p.in} to ${p.out} (FORWARD)` : p.out ? `sent by this host out of ${p.out} (OUTPUT)` : 'with no interface';
  const proto = p.proto ?? (p.protoNumber !== undefined ? `protocol ${p.protoNumber}` : 'unknown protocol');
  const ep = (a?: string, port?: number) => (a ? `${a}${port !== undefined ? `:${port}` : ''}` : '?');
  let what = '';
  if (p.tcpFlagBits !== undefined) {
    const c = classifyTcpFlags(p.tcpFlagBits);
    what = ` — ${c.name}: ${c.text}`;
  }
  const summary = `${proto} packet ${dir}, ${ep(p.src, p.spt)} → ${ep(p.dst, p.dpt)}${what}`;
  const loggers = loggingRules(sources, line);
  const packet = packetFromLog(p);
  const first = loggers[0];
  if (!packet || !first) return { summary, loggers };
  const rs = first.source.ruleset;
  const withoutEntry = trace(rs, packet, { state: 'auto', loose });
  const withEntry = trace(rs, packet, { state: 'ESTABLISHED', loose });
  const a = withoutEntry.branches.some((b) => reaches(b, first.rule));
  const b = withEntry.branches.some((x) => reaches(x, first.rule));
  let verdict: string;
  if (a && !b) {
    verdict = `This line means conntrack had **no entry** for the connection: the packet was ${withoutEntry.ctstate}. Had the entry still existed, the packet would have been ESTABLISHED and ${withEntry.verdict === 'ACCEPT' ? 'accepted' : withEntry.verdict.toLowerCase()} before reaching the LOG rule.`;
  } else if (a && b) {
    verdict = `The LOG rule is reached both with and without a conntrack entry (${withoutEntry.ctstate} or ESTABLISHED): the rules before it do not let this packet through in either case.`;
  } else if (!a && b) {
    verdict = 'Only a packet of an existing connection (ESTABLISHED) reaches the LOG rule with these rules.';
  } else {
    verdict = 'With these rules the tracer does not reach this LOG rule for this packet, with or without a conntrack entry: the log may come from another version of the rules, or from a rule the packet alone cannot decide.';
  }
  return { summary, loggers, withoutEntry, withEntry, verdict };
}

/** The steps of a branch up to the logging rule, for "why the packet got there". */
export function stepsUntil(branch: TraceBranch, rule: Rule): TraceBranch['steps'] {
  const i = branch.steps.findIndex((s) => s.rule === rule);
  return i < 0 ? branch.steps : branch.steps.slice(0, i + 1);
}
