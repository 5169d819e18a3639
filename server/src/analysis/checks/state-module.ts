/**
 * iptables-lens/state-module: `-m state --state` is the older spelling of
 * `-m conntrack --ctstate`. Both work the same way for these states; conntrack is the current form,
 * also offers SNAT/DNAT and the other conntrack fields, and is what nft translations produce.
 */
import { type Finding, type Rule, type Ruleset, spanAt } from '../../model/ruleset';
import { LineFindings } from '../line-findings';

export function checkStateModule(rs: Ruleset): Finding[] {
  return KEPT.findings(rs);
}

/** Each rule alone decides: what an edit left alone keeps its findings. */
const KEPT = LineFindings.ofRules(stateModuleOf);

function stateModuleOf(r: Rule, _rs: Ruleset, out: Finding[]): void {
  for (const m of r.matches) {
    if (m.name !== 'state' || !m.mWord) continue;
    out.push({
      code: 'state-module',
      severity: 'hint',
      message: '`-m state --state` is the older form of `-m conntrack --ctstate`; they match the same packets',
      span: { line: r.line, start: m.mWord.start, end: m.nameWord.end },
      data: { module: spanAt(r.line, m.nameWord), options: m.options.filter((o) => o.name === '--state').map((o) => spanAt(r.line, o.nameSpan)) },
    });
  }
}
