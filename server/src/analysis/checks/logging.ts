/**
 * Logging hygiene:
 * - iptables-lens/log-without-limit: a LOG rule without -m limit (or hashlimit): a flood or a scan
 *   writes one kernel log line per packet, and the log (and disk) fill up;
 * - iptables-lens/log-prefix-too-long: the kernel keeps only 29 characters of --log-prefix
 *   (struct xt_log_info.prefix is 30 bytes), iptables cuts the rest silently;
 * - iptables-lens/log-prefix-no-space: the prefix runs straight into `IN=`, which breaks grep
 *   patterns and log parsers that look for ` IN=`;
 * - iptables-lens/log-prefix-duplicate: several rules share a prefix, so a log line cannot tell
 *   which of them wrote it.
 */
import { type Finding, type Rule, type Ruleset, spanAt } from '../../model/ruleset';
import { LineFindings } from '../line-findings';
import { lineRef } from './rule-facts';

const PREFIX_OPTION: Record<string, { option: string; max: number }> = {
  LOG: { option: '--log-prefix', max: 29 },
  NFLOG: { option: '--nflog-prefix', max: 63 },
};

function prefixOf(r: Rule): { text: string; word: NonNullable<Rule['target']>['options'][number]['args'][number] } | undefined {
  const p = r.target && PREFIX_OPTION[r.target.name];
  if (!p) return undefined;
  const o = r.target!.options.find((x) => x.name === p.option);
  const w = o?.args[0];
  return w ? { text: w.text, word: w } : undefined;
}

/** What each LOG or NFLOG rule says on its own, kept for the lines an edit left alone. */
const PER_RULE = LineFindings.ofRules((r, _rs, out) => {
  const t = r.target;
  if (!t || (t.name !== 'LOG' && t.name !== 'NFLOG')) return;
  if (t.name === 'LOG' && !r.matches.some((m) => m.name === 'limit' || m.name === 'hashlimit')) {
    out.push({
      code: 'log-without-limit',
      severity: 'information',
      message: 'this LOG rule has no rate limit: a flood or a port scan writes one kernel log line per packet. Put `-m limit --limit 5/min --limit-burst 10` (or hashlimit, per source) in front of `-j LOG`.',
      span: spanAt(r.line, t.nameWord),
    });
  }
  const p = prefixOf(r);
  if (!p) return;
  const max = PREFIX_OPTION[t.name]!.max;
  if (Buffer.byteLength(p.text, 'utf8') > max) {
    out.push({
      code: 'log-prefix-too-long',
      severity: 'warning',
      message: `the prefix is ${Buffer.byteLength(p.text, 'utf8')} bytes long: the kernel keeps only the first ${max} ("${p.text.slice(0, max)}"), so the log will not show the rest`,
      span: spanAt(r.line, p.word),
      data: { max },
    });
  }
  if (t.name === 'LOG' && !/[\s]$/.test(p.text)) {
    out.push({
      code: 'log-prefix-no-space',
      severity: 'information',
      message: `the prefix does not end with a space: log lines will read \`${p.text}IN=eth0 ...\`, which breaks searches for " IN=" and many log parsers`,
      span: spanAt(r.line, p.word),
    });
  }
});

/** The LOG and NFLOG rules with a prefix, in line order, kept the same way. */
// (prefixOf reads LOG and NFLOG rules only)
const PREFIXED = LineFindings.rulesWhere((r) => prefixOf(r) !== undefined);

export function checkLogging(rs: Ruleset): Finding[] {
  const out = PER_RULE.findings(rs);
  const byPrefix = new Map<string, Rule[]>();
  for (const r of PREFIXED.findings(rs)) {
    const p = prefixOf(r)!;
    const list = byPrefix.get(p.text) ?? [];
    list.push(r);
    byPrefix.set(p.text, list);
  }
  for (const [prefix, rules] of byPrefix) {
    if (rules.length < 2) continue;
    for (const r of rules) {
      const others = rules.filter((x) => x !== r);
      out.push({
        code: 'log-prefix-duplicate',
        severity: 'information',
        message: `${others.map(lineRef).join(', ')} log${others.length === 1 ? 's' : ''} with the same prefix "${prefix}": a log line cannot tell which rule wrote it. Give each rule its own prefix.`,
        span: spanAt(r.line, prefixOf(r)!.word),
        related: others.map((o) => ({ span: spanAt(o.line, prefixOf(o)!.word), message: 'same prefix' })),
      });
    }
  }
  return out;
}
