/**
 * Shared assertions for check tests: run the analysis on a text, apply a quick fix, and check that
 * the fix kept every other line in order and leaves no error behind.
 */
import { strict as assert } from 'node:assert';
import type { Finding } from '../../server/src/model/ruleset';
import { type CodeAction, codeActions } from '../../server/src/service/code-actions';
import { applyServiceEdits, doc, findings } from './analyse';

export function fires(text: string, code: string, count = 1): Finding[] {
  const f = findings(text, code);
  assert.equal(f.length, count, `${code} should fire ${count} time(s), got: ${f.map((x) => `${x.span.line + 1}: ${x.message}`).join(' | ') || 'none'}`);
  return f;
}

export function quiet(text: string, code: string): void {
  const f = findings(text, code);
  assert.deepEqual(f.map((x) => `${x.span.line + 1}: ${x.message}`), [], `${code} should stay quiet`);
}

/** Every line of `before` except `changed` (0-based) is still in `after`, in the same order. */
export function keepsOtherLines(before: string, after: string, changed: readonly number[] = []): void {
  const kept = before.split('\n').filter((_, i) => !changed.includes(i));
  const out = after.split('\n');
  let j = 0;
  for (const l of kept) {
    while (j < out.length && out[j] !== l) j++;
    assert.ok(j < out.length, `line \`${l}\` was lost or moved by the fix:\n${after}`);
    j++;
  }
}

export function applyFix(text: string, code: string, pick: (a: CodeAction) => boolean = (a) => !!a.preferred): string {
  const f = findings(text, code);
  assert.ok(f.length > 0, `no ${code} finding to fix`);
  const actions = codeActions(doc(text), [f[0]!]);
  const a = actions.find(pick);
  assert.ok(a, `no matching fix among: ${actions.map((x) => x.title).join(', ')}`);
  const out = applyServiceEdits(text, a!.edits);
  const errors = findings(out).filter((x) => x.severity === 'error');
  assert.deepEqual(errors.map((e) => e.message), [], `the fixed text has errors:\n${out}`);
  return out;
}
