/**
 * Items kept with their positions (analysis/positioned.ts): replacing the items at some positions
 * gives what a list with a slot per position gives, flattened, and hasAt tells which positions hold any.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { hasAt, NO_POSITIONED, PositionedBuilder, replaceAt } from '../../server/src/analysis/positioned';

describe('positioned items', () => {
  it('replaceAt equals replacing the slots of a list with one slot per position, over random lists and edits', () => {
    const rng = new Rng(0x905);
    for (let round = 0; round < 300; round++) {
      const n = rng.int(0, 60);
      // most positions hold nothing, some one item, a few several
      const slots: string[][] = Array.from({ length: n }, (_, p) => (rng.int(0, 3) ? [] : Array.from({ length: rng.int(1, 3) }, (_, k) => `${round}:${p}:${k}`)));
      const b = new PositionedBuilder<string>();
      slots.forEach((items, p) => b.add(p, items));
      let list = b.done();
      for (let step = 0; step < 5 && n > 0; step++) {
        const fresh = new Map<number, string[]>();
        for (let k = rng.int(1, 4); k > 0; k--) {
          const p = rng.int(0, n - 1);
          const items = rng.int(0, 2) ? [] : Array.from({ length: rng.int(1, 2) }, (_, j) => `new ${step}:${p}:${j}`);
          fresh.set(p, items);
          slots[p] = items;
        }
        list = replaceAt(list, fresh);
        assert.deepEqual([...list.items], slots.flat(), `round ${round}, step ${step}`);
        assert.deepEqual([...list.at], slots.flatMap((items, p) => items.map(() => p)));
        for (let p = 0; p < n; p++) assert.equal(hasAt(list, p), slots[p]!.length > 0, `round ${round}, step ${step}, position ${p}`);
      }
    }
  });

  it('nothing collected is the one shared empty result; a result is its own copy of what was collected', () => {
    const none = new PositionedBuilder<string>();
    none.add(0, []);
    none.add(7, []);
    assert.equal(none.done(), NO_POSITIONED, 'no items: the shared empty result');
    // replacing every item by nothing gives it too
    const one = new PositionedBuilder<string>();
    one.addOne(3, 'a');
    const list = one.done();
    assert.equal(replaceAt(list, new Map([[3, []]])), NO_POSITIONED);
    // the builder goes on without changing what it gave
    one.addOne(4, 'b');
    assert.deepEqual([...list.items], ['a']);
    assert.deepEqual([...list.at], [3]);
    assert.deepEqual([...one.done().items], ['a', 'b']);
  });
});
