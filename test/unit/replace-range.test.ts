import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { replaceRange } from '../../server/src/model/replace-range';

describe('replaceRange: a new version of a list with a range replaced', function () {
  it('gives what splice gives on a copy, with as many, fewer and more items, and leaves the list alone', function () {
    const rng = new Rng(0x5e1ace);
    let sameCount = 0;
    for (let run = 0; run < 500; run++) {
      const list = Array.from({ length: rng.int(0, 20) }, (_, i) => `l${i}`);
      const before = [...list];
      const from = rng.int(0, list.length);
      const to = rng.int(from, list.length);
      const items = Array.from({ length: rng.chance(0.5) ? to - from : rng.int(0, 5) }, (_, i) => `n${run}.${i}`);
      if (items.length === to - from) sameCount++;
      const want = [...list];
      want.splice(from, to - from, ...items);
      const got = replaceRange(list, from, to, items);
      assert.deepEqual(got, want, `run ${run}: [${from}, ${to}) <- ${items.length}`);
      assert.notEqual(got, list);
      assert.deepEqual(list, before, `run ${run}: the list itself`);
    }
    assert.ok(sameCount > 100, `runs with as many items as replaced: ${sameCount}`);
  });
});
