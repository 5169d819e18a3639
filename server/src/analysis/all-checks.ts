/**
 * Every check over a parsed ruleset, in one list: validity (what iptables or the kernel refuses)
 * first, then the checks that reason about rule order and hygiene.
 */
import type { Finding, Ruleset } from '../model/ruleset';
import { checkLogInvalid } from './checks/log-invalid';
import { validityFindings } from './validity';

export type RulesetCheck = (rs: Ruleset) => Finding[];

/** Ordering and hygiene checks, one module each under checks/. */
export const LINT_CHECKS: readonly RulesetCheck[] = [checkLogInvalid];

export function allFindings(rs: Ruleset): Finding[] {
  const out = validityFindings(rs);
  for (const check of LINT_CHECKS) out.push(...check(rs));
  return out;
}
