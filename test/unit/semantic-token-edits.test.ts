/** The one edit the server sends for a semantic-tokens delta: applied to the old array, it gives the new one. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { tokenEdit } from '../../server/src/lsp/semantic-tokens';

function apply(before: readonly number[], edits: ReturnType<typeof tokenEdit>): number[] {
  const out = [...before];
  // (edits apply from the back, so that earlier offsets stay valid)
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out.splice(e.start, e.deleteCount, ...(e.data ?? []));
  return out;
}

describe('semantic tokens: the delta between two results', () => {
  it('turns the old array into the new one, for any two arrays', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(5), { maxLength: 40 }), fc.array(fc.nat(5), { maxLength: 40 }), (a, b) => {
        assert.deepEqual(apply(a, tokenEdit(Int32Array.from(a), b)), b);
      }),
      { numRuns: 3000 },
    );
  });

  it('is nothing for equal arrays and only the changed middle otherwise', () => {
    assert.deepEqual(tokenEdit(Int32Array.from([1, 2, 3]), [1, 2, 3]), []);
    assert.deepEqual(tokenEdit(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [0, 1, 2, 9, 9, 5, 6, 7, 8, 9]), [{ start: 3, deleteCount: 2, data: [9, 9] }]);
    // a repeated value on both sides of the change is not counted twice
    assert.deepEqual(tokenEdit(Int32Array.from([1, 1, 1]), [1, 1]), [{ start: 2, deleteCount: 1, data: [] }]);
  });
});
