/**
 * Every check over a parsed ruleset, in one list: validity (what iptables or the kernel refuses)
 * first, then the checks that reason about rule order and hygiene.
 */
import type { Finding, Ruleset } from '../model/ruleset';
import { checkBanAfterEstablished } from './checks/ban-after-established';
import { checkBaseline } from './checks/baseline';
import { checkLogInvalid } from './checks/log-invalid';
import { checkLogging } from './checks/logging';
import { checkNewWithoutSyn } from './checks/new-without-syn';
import { checkNftQuirks } from './checks/nft-quirks';
import { checkNotrackWithoutUntracked, checkOneWayNotrack } from './checks/notrack';
import { checkRejectTcpReset } from './checks/reject-tcp-reset';
import { checkResetSwallowed } from './checks/reset-swallowed';
import { checkShadowed } from './checks/shadowed';
import { checkStateModule } from './checks/state-module';
import { checkUnusedChain } from './checks/unused-chain';
import { validityFindings } from './validity';

export type RulesetCheck = (rs: Ruleset) => Finding[];

/** Ordering and hygiene checks, one module each under checks/. */
export const LINT_CHECKS: readonly RulesetCheck[] = [
  checkLogInvalid,
  checkBanAfterEstablished,
  checkRejectTcpReset,
  checkResetSwallowed,
  checkNewWithoutSyn,
  checkNotrackWithoutUntracked,
  checkOneWayNotrack,
  checkShadowed,
  checkBaseline,
  checkLogging,
  checkStateModule,
  checkUnusedChain,
  checkNftQuirks,
];

export function allFindings(rs: Ruleset): Finding[] {
  const out = validityFindings(rs);
  // loops, not push(...): a huge ruleset can have more findings than a call takes arguments
  for (const check of LINT_CHECKS) for (const f of check(rs)) out.push(f);
  return out;
}
