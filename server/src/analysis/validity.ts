/**
 * Everything iptables-restore or the kernel would refuse, or would accept in a way nobody means:
 * the parser's findings, per-line checks and the chain-graph checks, in one list.
 */
import type { Finding, Ruleset } from '../model/ruleset';
import { checkChainGraph } from './chain-graph';
import { checkRulesetLines } from './rule-validity';

export function validityFindings(rs: Ruleset): Finding[] {
  return [...rs.findings, ...checkRulesetLines(rs), ...checkChainGraph(rs)];
}

/** True when iptables-restore would refuse the file (any error-level validity finding). */
export function wouldRefuse(rs: Ruleset): boolean {
  return validityFindings(rs).some((f) => f.severity === 'error');
}
