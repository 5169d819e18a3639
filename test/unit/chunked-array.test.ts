/**
 * ChunkedArray (model/chunked-array.ts): a list by position whose versions share the chunks an
 * edit did not touch. Checked against plain arrays under random versions, and for the sharing
 * itself: a version made by `with` is compared with its source through the chunks that changed.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { CHUNK_SIZE, ChunkedArray } from '../../server/src/model/chunked-array';

/** Every entry read through get, and a few positions outside the list. */
function readAll<T>(list: ChunkedArray<T>): (T | undefined)[] {
  const out: (T | undefined)[] = [];
  for (let i = 0; i < list.length; i++) out.push(list.get(i));
  return out;
}

/** The positions where two plain arrays differ, as differences() reports them (up to limit + 1). */
function plainDifferences<T>(a: readonly T[], b: readonly T[], limit: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i >= a.length || i >= b.length || a[i] !== b[i]) out.push(i);
    if (out.length > limit) break;
  }
  return out;
}

describe('ChunkedArray', () => {
  const sizes = [0, 1, 2, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17];

  it('holds what it was made from, by of and by build, at every size around a chunk boundary', () => {
    for (const n of sizes) {
      const plain = Array.from({ length: n }, (_, i) => `e${i}`);
      const a = ChunkedArray.of(plain);
      const asked: number[] = [];
      const b = ChunkedArray.build(n, (i) => {
        asked.push(i);
        return `e${i}`;
      });
      assert.equal(a.length, n);
      assert.equal(b.length, n);
      assert.deepEqual(readAll(a), plain);
      assert.deepEqual(b.toArray(), plain);
      assert.deepEqual(asked, plain.map((_, i) => i), 'build asks for each entry once, in order');
      for (const outside of [-1, -CHUNK_SIZE - 1, n, n + 1, n + CHUNK_SIZE]) assert.equal(a.get(outside), undefined, `get(${outside}) of ${n}`);
    }
  });

  it('iterates, filters and finds as a plain array does, across chunk boundaries', () => {
    const rng = new Rng(3);
    for (const n of sizes) {
      const plain = Array.from({ length: n }, () => rng.int(0, 50));
      const list = ChunkedArray.of(plain);
      assert.deepEqual([...list], plain);
      assert.deepEqual(list.filter((x) => x % 3 === 0), plain.filter((x) => x % 3 === 0));
      for (const want of [0, 7, 49, 50, 99]) assert.equal(list.find((x) => x === want), plain.find((x) => x === want));
      // the first of equal entries: objects told apart
      const objs = plain.map((v, i) => ({ v, i }));
      assert.equal(ChunkedArray.of(objs).find((o) => o.v === 7), objs.find((o) => o.v === 7));
    }
  });

  it('does not change when the array it was made from changes', () => {
    const plain = [1, 2, 3];
    const a = ChunkedArray.of(plain);
    plain[1] = 99;
    assert.deepEqual(a.toArray(), [1, 2, 3]);
  });

  it('agrees with plain arrays through random versions, and leaves every earlier version as it was', () => {
    const rng = new Rng(7);
    for (let round = 0; round < 40; round++) {
      const n = rng.pick(sizes.concat([rng.int(0, 5 * CHUNK_SIZE)]));
      const versions: { list: ChunkedArray<number>; plain: number[] }[] = [];
      let plain = Array.from({ length: n }, () => rng.int(0, 9));
      let list = ChunkedArray.of(plain);
      versions.push({ list, plain });
      for (let step = 0; step < 12; step++) {
        const at: number[] = [];
        const values: number[] = [];
        for (let k = rng.int(0, 20); k > 0; k--) {
          // mostly inside the list, sometimes the same position twice (the last value wins), sometimes outside
          at.push(rng.int(0, 9) === 0 ? rng.pick([-1, n, n + 5]) : rng.int(0, Math.max(0, n - 1)));
          values.push(rng.int(0, 9));
        }
        const next = plain.slice();
        at.forEach((i, k) => {
          if (i >= 0 && i < n) next[i] = values[k]!;
        });
        const made = list.with(at, values);
        assert.deepEqual(made.toArray(), next, `round ${round} step ${step}`);
        const limit = rng.int(0, 20);
        assert.deepEqual(list.differences(made, limit), plainDifferences(plain, next, limit), `differences, round ${round} step ${step}`);
        assert.deepEqual(made.differences(list, limit), plainDifferences(next, plain, limit));
        plain = next;
        list = made;
        versions.push({ list, plain });
      }
      for (const v of versions) assert.deepEqual(readAll(v.list), v.plain, `round ${round}: an earlier version changed`);
    }
  });

  it('slices, splices, joins and tells where two lists start and stop differing, as plain arrays do', () => {
    const rng = new Rng(5);
    for (let round = 0; round < 300; round++) {
      const n = rng.pick(sizes.concat([rng.int(0, 4 * CHUNK_SIZE)]));
      const plain = Array.from({ length: n }, () => `w${rng.int(0, 9)}`);
      const list = ChunkedArray.of(plain);
      const from = rng.int(-2, n + 2);
      const to = rng.int(-2, n + 2);
      assert.deepEqual(list.slice(from, to), plain.slice(Math.max(0, from), Math.max(0, to)), `slice ${from} ${to} of ${n}`);
      assert.equal(list.join('\n'), plain.join('\n'));
      assert.equal(list.some((x) => x === 'w3'), plain.some((x) => x === 'w3'));
      // splice: the same count (chunks shared) or another count (made again)
      const a = rng.int(0, n);
      const b = rng.int(a, Math.min(n, a + 3 * CHUNK_SIZE));
      const items = Array.from({ length: rng.int(0, 2) ? b - a : rng.int(0, 2 * CHUNK_SIZE) }, (_, k) => `new${k}`);
      const spliced = list.splice(a, b, items);
      const want = plain.slice(0, a).concat(items, plain.slice(b));
      assert.deepEqual(spliced.toArray(), want, `splice ${a} ${b} (${items.length}) of ${n}`);
      // (by position too: every chunk but the last full, or get reads the wrong entry)
      assert.equal(spliced.length, want.length);
      for (let i = 0; i < want.length; i++) if (spliced.get(i) !== want[i]) assert.fail(`splice ${a} ${b} (${items.length}) of ${n}: entry ${i} is ${spliced.get(i)}, not ${want[i]}`);
      assert.deepEqual(list.toArray(), plain, 'splice leaves the list it was made from alone');
      // where the two versions start and stop differing, against plain scans
      let first = 0;
      while (first < Math.min(n, want.length) && plain[first] === want[first]) first++;
      assert.equal(list.firstDifference(spliced), first, `first difference ${a} ${b}`);
      assert.equal(spliced.firstDifference(list), first);
      if (want.length === n) {
        const floor = rng.int(0, n);
        let last = n;
        while (last > floor && plain[last - 1] === want[last - 1]) last--;
        assert.equal(spliced.lastDifference(list, floor), last, `last difference ${a} ${b} from ${floor}`);
      } else assert.equal(spliced.lastDifference(list, 0), want.length, 'lists of other lengths differ from the end');
    }
  });

  it('compares lists of different lengths at the positions only one of them has', () => {
    const a = ChunkedArray.of(['x', 'y']);
    const b = ChunkedArray.of(['x', 'y', 'z', 'w']);
    assert.deepEqual(a.differences(b, 10), [2, 3]);
    assert.deepEqual(b.differences(a, 10), [2, 3]);
    assert.deepEqual(b.differences(a, 0), [2], 'one past the limit');
  });

  it('a version made by with shares the chunks no replaced position falls in', () => {
    const n = 8 * CHUNK_SIZE;
    const a = ChunkedArray.build(n, (i) => ({ i }));
    const b = a.with([3 * CHUNK_SIZE + 5], [{ i: -1 }]);
    // the untouched entries are the very objects of the list it came from
    for (let i = 0; i < n; i++) if (i !== 3 * CHUNK_SIZE + 5) assert.equal(b.get(i), a.get(i));
    // and comparing the two reads only the replaced chunk: read through a chunk list that counts
    const chunksOf = (l: ChunkedArray<unknown>) => (l as unknown as { chunks: unknown[][] }).chunks;
    const shared = chunksOf(a).filter((ch, c) => chunksOf(b)[c] === ch).length;
    assert.equal(shared, 7, 'seven of the eight chunks are shared');
    assert.deepEqual(a.differences(b, 16), [3 * CHUNK_SIZE + 5]);
    assert.equal(a.with([], []), a, 'nothing replaced: the same list');
    // a line rewritten: splice with as many items as it replaces shares the other chunks too
    const c = a.splice(5, 6, [{ i: -2 }]);
    assert.equal(chunksOf(a).filter((ch, k) => chunksOf(c)[k] === ch).length, 7, 'splice of one entry shares seven chunks');
  });
  it('headThen and headThenMade: the first entries, then others (made in order, once each), sharing the chunks wholly before the cut', () => {
    const chunksOf = (l: ChunkedArray<unknown>) => (l as unknown as { chunks: unknown[][] }).chunks;
    const rng = new Rng(0x4ead);
    for (const n of sizes) {
      const plain = Array.from({ length: n }, (_, i) => ({ i }));
      const list = ChunkedArray.of(plain);
      for (const cut of [0, 1, n >> 1, n - 1, n, CHUNK_SIZE, 2 * CHUNK_SIZE + 3].filter((c) => c >= 0 && c <= n)) {
        const items = Array.from({ length: rng.int(0, 2 * CHUNK_SIZE + 5) }, (_, k) => ({ i: -k - 1 }));
        const made = list.headThen(cut, items);
        const want = plain.slice(0, cut).concat(items);
        assert.deepEqual(made.toArray(), want, `headThen ${cut} (${items.length}) of ${n}`);
        assert.deepEqual(readAll(made), want);
        assert.equal(made.length, want.length);
        assert.deepEqual(list.toArray(), plain, 'the list it was made from stays');
        const whole = Math.floor(cut / CHUNK_SIZE);
        for (let c = 0; c < whole; c++) assert.equal(chunksOf(made)[c], chunksOf(list)[c], `chunk ${c} shared`);
        // chunks full but for the last: get finds every entry by position
        for (let c = 0; c < chunksOf(made).length - 1; c++) assert.equal(chunksOf(made)[c]!.length, CHUNK_SIZE);
        // the same list with the entries after the cut made as they are asked for
        const asked: number[] = [];
        const madeThen = list.headThenMade(cut, cut + items.length, (i) => (asked.push(i), items[i - cut]!));
        assert.deepEqual(readAll(madeThen), want, `headThenMade ${cut} (${items.length}) of ${n}`);
        assert.deepEqual(asked, items.map((_, k) => cut + k), 'each entry made once, in order');
        assert.deepEqual(chunksOf(madeThen).map((ch) => ch.length), chunksOf(made).map((ch) => ch.length));
        for (let c = 0; c < whole; c++) assert.equal(chunksOf(madeThen)[c], chunksOf(list)[c], `chunk ${c} shared`);
      }
    }
  });
});
