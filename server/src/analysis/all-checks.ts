/**
 * Every check over a parsed ruleset, in one list: validity (what iptables or the kernel refuses)
 * first, then the checks that reason about rule order and hygiene.
 */
import type { Finding, Ruleset } from '../model/ruleset';
import { rulesetEdit } from '../parser/ruleset-parser';
import { analysisContext } from './context';
import { checkBanAfterEstablished } from './checks/ban-after-established';
import { checkBaseline } from './checks/baseline';
import { checkLogInvalid } from './checks/log-invalid';
import { checkLogging } from './checks/logging';
import { checkNewWithoutSyn } from './checks/new-without-syn';
import { checkNftQuirks } from './checks/nft-quirks';
import { checkNotrackWithoutUntracked, checkOneWayNotrack } from './checks/notrack';
import { checkRejectTcpReset } from './checks/reject-tcp-reset';
import { checkResetSwallowed } from './checks/reset-swallowed';
import { checkShadowed, shadowedSteps } from './checks/shadowed';
import { checkStateModule } from './checks/state-module';
import { checkUnusedChain } from './checks/unused-chain';
import { finished, type Steps } from './steps';
import { validitySteps } from './validity';

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
  return finished(findingSteps(rs));
}

/**
 * allFindings in steps: stopping after validity, after each check, and within the shadowed check
 * of a version analysed from nothing, after each slice of a long chain (see shadowedSteps).
 * Whoever drives it can answer other questions between steps.
 */
export function* findingSteps(rs: Ruleset): Steps<Finding[]> {
  const out = yield* validitySteps(rs);
  yield;
  // a version analysed from nothing has every rule compiled first, in steps: the first check to
  // walk the rules would otherwise compile them all in one (a third of a second at 100 000 rules)
  if (!rulesetEdit(rs, (p) => ANALYSED.has(p))) {
    const ctx = analysisContext(rs);
    const rules = rs.rules;
    for (let i = 0; i < rules.length; i++) {
      ctx.compiled.get(rules[i]!);
      if (i % RULES_PER_STEP === RULES_PER_STEP - 1) yield;
    }
  }
  for (const check of LINT_CHECKS) {
    // loops, not push(...): a huge ruleset can have more findings than a call takes arguments
    for (const f of check === checkShadowed ? yield* shadowedSteps(rs) : check(rs)) out.push(f);
    yield;
  }
  ANALYSED.add(rs);
  return out;
}

/** The versions findingSteps went through to the end. */
const ANALYSED = new WeakSet<Ruleset>();
/** Rules compiled per step (a few milliseconds). */
const RULES_PER_STEP = 1024;
