/**
 * iptables-lens/nft-backend-difference: rules that iptables-nft 1.8.9 (Debian 12's default) loads
 * with a different meaning from what they say, and from iptables-legacy. Found by the kernel
 * differential test of the tracer (test/kernel/tracer-differential.test.ts) and checked with
 * counters in a namespace:
 * - `! --sport A ! --dport B` in one tcp/udp match, both single ports: iptables-nft merges the two
 *   port comparisons into one 4-byte compare, negated as a whole (`nft --debug=netlink` shows
 *   `payload load 4b @ transport header + 0` then `cmp neq`), so the rule matches
 *   "not (sport A and dport B)" instead of "sport not A and dport not B"; with a port range the two
 *   stay separate and are right;
 * - `! --sport 0:65535` (or `! --dport :`): iptables-nft drops the condition, so the rule matches
 *   every packet, where iptables-legacy matches none.
 */
import { parsePortRange } from '../../knowledge/argtypes';
import type { Finding, Rule, Ruleset } from '../../model/ruleset';
import { LineFindings } from '../line-findings';

const PORT_MATCHES = new Set(['tcp', 'udp']);

export function checkNftQuirks(rs: Ruleset): Finding[] {
  return KEPT.findings(rs);
}

/** Each rule alone decides: what an edit left alone keeps its findings. */
const KEPT = LineFindings.ofRules(quirksOf);

function quirksOf(r: Rule, _rs: Ruleset, out: Finding[]): void {
  for (const m of r.matches) {
    if (!PORT_MATCHES.has(m.name)) continue;
    const sport = m.options.find((o) => o.name === '--sport');
    const dport = m.options.find((o) => o.name === '--dport');
    const single = (o: typeof sport) => {
      const p = o?.args[0] && parsePortRange(o.args[0].text);
      return !!p && p[0] === p[1];
    };
    if (sport?.negated && dport?.negated && single(sport) && single(dport)) {
      out.push({
        code: 'nft-backend-difference',
        severity: 'warning',
        message:
          `iptables-nft 1.8.9 loads \`! --sport ${sport.args[0]!.text} ! --dport ${dport.args[0]!.text}\` as "not (source port ${sport.args[0]!.text} and destination port ${dport.args[0]!.text})": it merges the two comparisons and negates them together. ` +
          'iptables-legacy matches what the rule says (both ports differ). Express the two conditions in separate rules (for example a RETURN for each port in a user chain) if the host uses iptables-nft.',
        span: { line: r.line, start: (sport.bang ?? sport.nameSpan).start, end: dport.args[0]!.end },
      });
    }
    for (const o of [sport, dport]) {
      const p = o?.negated && o.args[0] ? parsePortRange(o.args[0].text) : undefined;
      if (p && p[0] === 0 && p[1] === 65535) {
        out.push({
          code: 'nft-backend-difference',
          severity: 'warning',
          message: `\`! ${o!.name} ${o!.args[0]!.text}\` excludes every port, so the rule should match nothing; iptables-nft 1.8.9 drops the condition instead and the rule matches every ${m.name.toUpperCase()} packet (iptables-legacy matches none). Remove the rule, or the condition, to say what you mean.`,
          span: { line: r.line, start: (o!.bang ?? o!.nameSpan).start, end: o!.args[0]!.end },
        });
      }
    }
  }
}
