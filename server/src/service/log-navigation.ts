/**
 * From a log line to the rules: the LOG rules whose prefix the line carries (go to definition),
 * and document links on every prefix of the visible lines.
 */
import type { LogLine, Span } from '../model/log';
import { spanAt } from '../model/ruleset';
import { loggingRules, type RulesSource } from './log-explain';

export interface RuleLocation {
  readonly uri: string;
  /** The `--log-prefix` value of the rule. */
  readonly span: Span;
  readonly line: number;
}

export function logDefinition(line: LogLine, ch: number, sources: readonly RulesSource[]): RuleLocation[] {
  if (line.kind !== 'packet' || !line.prefix.label) return [];
  if (ch < line.prefix.span.start || ch > line.prefix.span.end) return [];
  return loggingRules(sources, line).map((l) => {
    const arg = l.rule.target!.options.find((o) => o.name === '--log-prefix' || o.name === '--nflog-prefix')?.args[0];
    return { uri: l.source.uri, span: arg ? spanAt(l.rule.line, arg) : l.rule.span, line: l.rule.line };
  });
}

export interface LogLink {
  readonly span: Span;
  readonly target: string;
  readonly tooltip: string;
}

export function logLinks(lines: Iterable<LogLine>, sources: readonly RulesSource[]): LogLink[] {
  const out: LogLink[] = [];
  const memo = new Map<string, ReturnType<typeof loggingRules>>();
  for (const l of lines) {
    if (l.kind !== 'packet' || !l.prefix.label) continue;
    let rules = memo.get(l.prefix.label);
    if (!rules) memo.set(l.prefix.label, (rules = loggingRules(sources, l)));
    const r = rules[0];
    if (!r) continue;
    out.push({ span: l.prefix.span, target: `${r.source.uri}#L${r.rule.line + 1}`, tooltip: `Logged by ${r.source.name} line ${r.rule.line + 1}${rules.length > 1 ? ` (and ${rules.length - 1} more rules with this prefix)` : ''}` });
  }
  return out;
}
