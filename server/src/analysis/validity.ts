/**
 * Everything iptables-restore or the kernel would refuse, or would accept in a way nobody means:
 * the parser's findings, per-line checks and the chain-graph checks, in one list.
 */
import type { Finding, Ruleset } from '../model/ruleset';
import { checkChainGraph } from './chain-graph';
import { rulesetLineSteps } from './rule-validity';
import { finished, type Steps } from './steps';

export function validityFindings(rs: Ruleset): Finding[] {
  return finished(validitySteps(rs));
}

/** validityFindings in steps (the lines in slices, see LineFindings.findingSteps; the chain graph in one). */
export function* validitySteps(rs: Ruleset): Steps<Finding[]> {
  const lines = yield* rulesetLineSteps(rs);
  yield;
  return [...rs.findings, ...lines, ...checkChainGraph(rs)];
}

/** True when iptables-restore would refuse the file (any error-level validity finding). */
export function wouldRefuse(rs: Ruleset): boolean {
  return validityFindings(rs).some((f) => f.severity === 'error');
}
