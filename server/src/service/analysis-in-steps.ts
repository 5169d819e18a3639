/**
 * The findings of each version of a rules document, worked out all at once when asked for, or in
 * steps by a caller that answers other questions between them (the language server, while it
 * analyses a big file it just opened: see lsp/diagnostics.ts).
 *
 * One analysis in steps is under way per document at most. A version asked for while another
 * version's analysis is under way waits for that one to end: a version read from another is
 * analysed from what the analysis of that one kept, and one analysed from nothing meanwhile would
 * be analysed whole a second time.
 */
import { findingSteps } from '../analysis/all-checks';
import type { Steps } from '../analysis/steps';
import type { Finding, Ruleset } from '../model/ruleset';
import { documentOf } from '../parser/ruleset-parser';

/** What the analysis found in each version: settings only filter and grade it, so a change of them redoes nothing. */
const FINDINGS = new WeakMap<Ruleset, readonly Finding[]>();

/** The analysis under way for each document (see documentOf): the version and its steps. */
const UNDER_WAY = new WeakMap<object, { readonly rs: Ruleset; readonly steps: Steps<Finding[]> }>();

/** The findings of `rs`, every step left taken now. */
export function findingsOf(rs: Ruleset): readonly Finding[] {
  analyseUntil(rs, Infinity);
  return FINDINGS.get(rs)!;
}

/** Whether the findings of `rs` are known (its analysis ended). */
export function analysed(rs: Ruleset): boolean {
  return FINDINGS.has(rs);
}

/**
 * Takes steps of the analysis of `rs` (after those of the analysis under way for another version of
 * its document) until they end or `deadline` (performance.now()) has passed, a step at least: true
 * once the findings of `rs` are known. A step that throws ends the analysis it belongs to (asked
 * again, it starts over, and throws again).
 */
export function analyseUntil(rs: Ruleset, deadline: number): boolean {
  const doc = documentOf(rs);
  for (;;) {
    if (FINDINGS.has(rs)) return true;
    let run = UNDER_WAY.get(doc);
    if (!run) UNDER_WAY.set(doc, (run = { rs, steps: findingSteps(rs) }));
    let r: IteratorResult<void, Finding[]>;
    try {
      r = run.steps.next();
    } catch (e) {
      UNDER_WAY.delete(doc);
      throw e;
    }
    if (r.done) {
      FINDINGS.set(run.rs, r.value);
      UNDER_WAY.delete(doc);
    } else if (performance.now() >= deadline) return false;
  }
}
