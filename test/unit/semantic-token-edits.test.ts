/**
 * The one edit the server sends for a semantic-tokens delta, worked out from the encoded lines of
 * two versions: applied to the old array, it gives the new one.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { SemanticTokensEdit } from 'vscode-languageserver/node';
import { joinParts, type LinePart, partsEdit } from '../../server/src/lsp/semantic-token-lines';

function apply(before: readonly number[], edits: readonly SemanticTokensEdit[]): number[] {
  const out = [...before];
  // (edits apply from the back, so that earlier offsets stay valid)
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out.splice(e.start, e.deleteCount, ...(e.data ?? []));
  return out;
}

/** A line's part: `tokens` tokens of small numbers (so that different lines often encode alike). */
const part = fc.option(
  fc.array(fc.tuple(fc.nat(3), fc.nat(2), fc.nat(2), fc.nat(1)), { minLength: 1, maxLength: 3 }).map((ts) => Int32Array.from(ts.flatMap(([s, l, t, m]) => [0, s, l + 1, t, m]))),
  { nil: undefined, freq: 3 },
);

/** A change of some lines: replaced by new parts (some equal in content), removed, or lines added. */
const change = fc.record({ at: fc.nat(30), remove: fc.nat(4), insert: fc.array(part, { maxLength: 4 }), copyInsert: fc.boolean() });

function changed(before: readonly LinePart[], cs: readonly { at: number; remove: number; insert: LinePart[]; copyInsert: boolean }[]): LinePart[] {
  const after = [...before];
  for (const c of cs) {
    const at = Math.min(c.at, after.length);
    // a copy of a removed line's part: a new array with the same numbers, as a reparsed line gets
    const insert = c.copyInsert && after[at] ? [Int32Array.from(after[at]!), ...c.insert] : c.insert;
    after.splice(at, c.remove, ...insert);
  }
  return after;
}

describe('semantic tokens: the delta between two versions\' encoded lines', () => {
  it('turns the old array into the new one, for any change of lines', () => {
    fc.assert(
      fc.property(fc.array(part, { maxLength: 30 }), fc.array(change, { maxLength: 3 }), (before, cs) => {
        const after = changed(before, cs);
        assert.deepEqual(apply(joinParts(before), partsEdit(before, after)), joinParts(after));
      }),
      { numRuns: 4000 },
    );
  });

  it('sends only the changed line and the first line with tokens after it', () => {
    const line = (...ns: number[]) => Int32Array.from([0, ...ns]);
    const before: LinePart[] = [line(0, 2, 1, 0), undefined, line(3, 4, 2, 0), undefined, line(1, 1, 1, 1), line(5, 5, 5, 0)];
    const after: LinePart[] = [...before];
    after[2] = line(3, 6, 2, 0);
    // line 2's numbers (its distance to line 0 included), then line 4's, which follows it
    assert.deepEqual(partsEdit(before, after), [{ start: 5, deleteCount: 10, data: [2, 3, 6, 2, 0, 2, 1, 1, 1, 1] }]);
    assert.deepEqual(partsEdit(before, [...before]), [], 'nothing for the same lines');
    assert.deepEqual(partsEdit(before, [...before, undefined, undefined]), [], 'nothing for lines without tokens at the end');
    // a line without tokens inserted before line 4: only line 4's distance changes
    const inserted = [...before.slice(0, 3), undefined, ...before.slice(3)];
    assert.deepEqual(apply(joinParts(before), partsEdit(before, inserted)), joinParts(inserted));
    assert.ok(partsEdit(before, inserted)[0]!.data!.length <= 10);
  });

  it('puts a range\'s lines at their place in the document', () => {
    const line = (...ns: number[]) => Int32Array.from([0, ...ns]);
    // lines 10 and 12 of a document: the first token counts from line 0
    assert.deepEqual(joinParts([line(4, 2, 1, 0), undefined, line(0, 3, 2, 0)], 0, 3, 10), [10, 4, 2, 1, 0, 2, 0, 3, 2, 0]);
  });
});
