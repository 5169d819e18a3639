/**
 * Helpers for the kernel tests that judge the checks and their quick fixes: apply the edit the
 * language service offers (never a hand-written fixed file), read a rule's counter by what the rule
 * says, and wait for counters to settle.
 */
import { strict as assert } from 'node:assert';
import type { Finding } from '../../server/src/model/ruleset';
import { type CodeAction, codeActions } from '../../server/src/service/code-actions';
import { applyServiceEdits, doc, findings } from './analyse';
import { type FamilyBackend, ruleCounters, sleepMs } from './netns';

export interface AppliedFix {
  readonly text: string;
  readonly title: string;
  readonly finding: Finding;
}

/**
 * The text after the language service's quick fix for the first `code` finding (the preferred one
 * unless `pick` chooses another). Fails when there is no such finding or action, or when the fixed
 * text has errors.
 */
export function serviceFix(text: string, code: string, pick: (a: CodeAction) => boolean = (a) => !!a.preferred): AppliedFix {
  const f = findings(text, code);
  assert.ok(f.length > 0, `no iptables-lens/${code} finding to fix in:\n${text}`);
  const actions = codeActions(doc(text), [f[0]!]);
  const a = actions.find(pick);
  assert.ok(a, `no matching fix for ${code} among: ${actions.map((x) => x.title).join(' | ')}`);
  const out = applyServiceEdits(text, a.edits);
  const errors = findings(out).filter((x) => x.severity === 'error');
  assert.deepEqual(errors.map((e) => `${e.span.line + 1}: ${e.message}`), [], `the fixed text has errors:\n${out}`);
  return { text: out, title: a.title, finding: f[0]! };
}

/** Codes the analysis reports on a text (each once). */
export function codesOf(text: string): string[] {
  return [...new Set(findings(text).map((f) => f.code))];
}

/**
 * Packets counted by the one rule of `chain` (in `table`, default filter) whose iptables-save form
 * matches `re`; fails when none or several match.
 */
export function countOf(ns: string, chain: string, re: RegExp, opts: FamilyBackend & { table?: string } = {}): number {
  const table = opts.table ?? 'filter';
  const rules = ruleCounters(ns, { ...opts, table }).filter((r) => r.chain === chain && re.test(r.rule));
  assert.equal(rules.length, 1, `expected one ${table} ${chain} rule matching ${re}, found: ${rules.map((r) => r.rule).join(' | ') || 'none'}`);
  return rules[0]!.packets;
}

/** Several counters at once (one iptables-save), by name. */
export function countsOf<K extends string>(ns: string, spec: Record<K, [chain: string, re: RegExp]>, opts: FamilyBackend & { table?: string } = {}): Record<K, number> {
  const table = opts.table ?? 'filter';
  const rules = ruleCounters(ns, { ...opts, table });
  const out = {} as Record<K, number>;
  for (const [name, [chain, re]] of Object.entries(spec) as [K, [string, RegExp]][]) {
    const hit = rules.filter((r) => r.chain === chain && re.test(r.rule));
    assert.equal(hit.length, 1, `${name}: expected one ${table} ${chain} rule matching ${re}, found: ${hit.map((r) => r.rule).join(' | ') || 'none'}`);
    out[name] = hit[0]!.packets;
  }
  return out;
}

/**
 * Read counters until they stop changing (two equal reads `quietMs` apart) or `timeoutMs` passes:
 * packets sent from another namespace are counted asynchronously.
 */
export function settled<T>(read: () => T, quietMs = 60, timeoutMs = 2000): T {
  const end = Date.now() + timeoutMs;
  let last = JSON.stringify(read());
  for (;;) {
    sleepMs(quietMs);
    const now = read();
    const s = JSON.stringify(now);
    if (s === last || Date.now() > end) return now;
    last = s;
  }
}
