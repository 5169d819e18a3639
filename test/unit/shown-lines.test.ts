/**
 * The lines an outline shows, held as a sorted list (service/shown-lines.ts): what it holds and how
 * it moves after lines put in or taken out, against a plain set worked out line by line.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { ShownLines } from '../../server/src/service/shown-lines';

describe('the lines an outline shows', () => {
  it('holds each line given once, ascending, and answers has() for any line', () => {
    const s = ShownLines.of([40, 3, 3, 17, 0, 40, 9]);
    assert.deepEqual([...s], [0, 3, 9, 17, 40]);
    assert.equal(s.size, 5);
    for (let l = -2; l < 45; l++) assert.equal(s.has(l), [0, 3, 9, 17, 40].includes(l), `line ${l}`);
    assert.deepEqual([...ShownLines.of([])], []);
    assert.equal(ShownLines.of([]).has(0), false);
  });

  it('moved as a set is moved line by line: above the edit kept, in it gone, below it moved, then the lines gone and added', () => {
    const rng = new Rng(0x5e7);
    for (let round = 0; round < 500; round++) {
      const lines = Array.from({ length: rng.int(0, 60) }, () => rng.int(0, 200));
      const head = rng.int(0, 200);
      const oldEnd = head + rng.int(0, 5);
      // (an edit replaces oldEnd - head lines with at least none: by is at least head - oldEnd)
      const by = rng.int(head - oldEnd, 6);
      const gone = Array.from({ length: rng.int(0, 3) }, () => rng.int(0, 200));
      const added = Array.from({ length: rng.int(0, 3) }, () => rng.int(0, 200));
      const want = new Set<number>();
      for (const l of lines) {
        if (l < head) want.add(l);
        else if (l >= oldEnd) want.add(l + by);
      }
      for (const l of gone) want.delete(l);
      for (const l of added) want.add(l);
      const got = ShownLines.of(lines).moved(head, oldEnd, by, gone, added);
      assert.deepEqual([...got], [...want].sort((a, b) => a - b), `round ${round}: ${JSON.stringify({ lines, head, oldEnd, by, gone, added })}`);
    }
  });
});
