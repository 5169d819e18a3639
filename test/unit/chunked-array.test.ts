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

  it('a splice that moves the positions after it: the chunks past the items are made when read, and splices of splices, with, slices and comparisons read as plain arrays do', () => {
    const rng = new Rng(0x5b1c);
    for (let round = 0; round < 30; round++) {
      let plain = Array.from({ length: rng.int(0, 6 * CHUNK_SIZE) }, (_, i) => ({ v: i }));
      let list = ChunkedArray.of(plain);
      const versions: { list: ChunkedArray<{ v: number }>; plain: { v: number }[] }[] = [];
      for (let step = 0; step < 40; step++) {
        const n = plain.length;
        const from = rng.int(0, n);
        const to = Math.min(n, from + rng.pick([0, 0, 1, 1, 2, rng.int(0, 2 * CHUNK_SIZE)]));
        const items = Array.from({ length: rng.pick([0, 1, 1, 2, rng.int(0, 2 * CHUNK_SIZE)]) }, () => ({ v: -rng.int(1, 99) }));
        if (rng.int(0, 5) === 0) {
          // sometimes an entry replaced in place, through the pending chunks
          const at = rng.int(0, Math.max(0, n - 1));
          const x = { v: -1000 };
          list = list.with([at], [x]);
          plain = plain.slice();
          if (at < n) plain[at] = x;
        }
        const unmadeBefore = list.unmade;
        const spliced = list.splice(from, to, items);
        const want = [...plain.slice(0, from), ...items, ...plain.slice(to)];
        if (items.length !== to - from && rng.int(0, 3) === 0) {
          // (read nothing of most versions: the next splice is made from chunks not made yet)
          const lastMade = Math.min(want.length, Math.ceil((from + items.length) / CHUNK_SIZE) * CHUNK_SIZE);
          const past = Math.ceil(want.length / CHUNK_SIZE) - Math.ceil(lastMade / CHUNK_SIZE);
          // (the chunks before it are the source's: some may not be made there either)
          if (unmadeBefore === 0) assert.equal(spliced.unmade, past, `round ${round} step ${step}: the chunks past the items not made`);
          else assert.ok(spliced.unmade >= past, `round ${round} step ${step}: the chunks past the items not made`);
        }
        if (rng.int(0, 4) === 0) {
          const a = rng.int(0, want.length);
          const b = a + rng.int(0, 3 * CHUNK_SIZE);
          assert.deepEqual(spliced.slice(a, b), want.slice(a, b), `round ${round} step ${step}: a slice`);
        }
        assert.equal(spliced.length, want.length);
        versions.push({ list: spliced, plain: want });
        list = spliced;
        plain = want;
      }
      // read in another order than they were made: each version as its plain array
      for (const v of versions.reverse()) {
        const at = rng.int(0, Math.max(0, v.plain.length - 1));
        assert.equal(v.list.get(at), v.plain[at], `round ${round}: one entry read first`);
        assert.deepEqual(readAll(v.list), v.plain, `round ${round}`);
        assert.equal(v.list.firstDifference(ChunkedArray.of(v.plain)), v.plain.length, 'the same entries');
      }
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

describe('ChunkedArray.thenMoved: entries moved from another list, made when first read', () => {
  /** An entry: where it came from (`v`), and the position it was made for (`at`; -1 for an entry as first made). */
  interface E {
    readonly v: number;
    readonly at: number;
  }
  const make = (from: E, at: number): E => ({ v: from.v, at });

  /** What thenMoved promises, worked out on plain arrays. */
  function expected(head: readonly E[], length: number, source: readonly E[], shift: number, givenAt: readonly number[], given: readonly E[]): E[] {
    const out = head.slice();
    for (let p = head.length; p < length; p++) {
      const k = givenAt.indexOf(p);
      out.push(k >= 0 ? given[k]! : make(source[p - shift]!, p));
    }
    return out;
  }

  it('holds the moved entries and the given ones, makes no chunk before it is read, and each once for every list that shares it', () => {
    const rng = new Rng(0x7e11);
    for (let round = 0; round < 30; round++) {
      const n = rng.int(1, 6 * CHUNK_SIZE);
      const source = Array.from({ length: n }, (_, i) => ({ v: i, at: -1 }));
      const shift = rng.int(-40, 40);
      const headChunks = rng.int(0, 2);
      const length = Math.max(headChunks * CHUNK_SIZE, Math.min(n + shift, n + shift));
      const from = headChunks * CHUNK_SIZE;
      if (length <= from || from - shift < 0) continue;
      const head = Array.from({ length: from }, (_, i) => ({ v: -i - 1, at: -1 }));
      // (a few: a chunk described by more pieces than thenMoved keeps is made at once)
      const givenAt = [...new Set(Array.from({ length: rng.int(0, 10) }, () => rng.int(from, length - 1)))].sort((a, b) => a - b);
      const given = givenAt.map((p) => ({ v: 1e6 + p, at: -1 }));
      let calls = 0;
      const list = ChunkedArray.of(head).thenMoved(length, ChunkedArray.of(source), shift, givenAt, given, (x, at) => (calls++, make(x, at)));
      const want = expected(head, length, source, shift, givenAt, given);
      assert.equal(list.length, want.length);
      assert.equal(calls, 0, 'nothing made before a read');
      assert.equal(list.unmade, Math.ceil((length - from) / CHUNK_SIZE));
      // one entry read makes the block of 64 it is in, and no other
      const p = rng.int(from, length - 1);
      assert.deepEqual(list.get(p), want[p]);
      assert.ok(calls >= 1 && calls <= 64, `${calls} made for one entry`);
      // a list made from this one shares its chunks: a chunk made through either is made once
      const other = list.with([from], [{ v: -99, at: -1 }]);
      const before = calls;
      assert.deepEqual(readAll(other).slice(from + 1), want.slice(from + 1));
      const afterOther = calls;
      assert.deepEqual(readAll(list), want, `round ${round}`);
      assert.equal(calls, afterOther, 'the chunks the other list made are the ones this list reads');
      assert.ok(afterOther - before <= length - from, 'each entry made once');
      assert.equal(list.unmade, 0);
    }
  });

  it('reads as the plain array through every method, each made on the way', () => {
    const n = 4 * CHUNK_SIZE + 9;
    const source = Array.from({ length: n }, (_, i) => ({ v: i, at: -1 }));
    const fresh = () => ChunkedArray.of(source.slice(0, CHUNK_SIZE)).thenMoved(n - 3, ChunkedArray.of(source), 3, [CHUNK_SIZE + 5], [{ v: -5, at: -1 }], make);
    const want = expected(source.slice(0, CHUNK_SIZE), n - 3, source, 3, [CHUNK_SIZE + 5], [{ v: -5, at: -1 }]);
    assert.deepEqual(fresh().toArray(), want);
    // a chunk read in part, then whole: the blocks made first are kept, the others made
    const partial = fresh();
    const first = partial.get(CHUNK_SIZE + 70);
    assert.deepEqual(partial.slice(CHUNK_SIZE, 2 * CHUNK_SIZE), want.slice(CHUNK_SIZE, 2 * CHUNK_SIZE));
    assert.equal(partial.get(CHUNK_SIZE + 70), first, 'an entry made once');
    assert.deepEqual(readAll(partial.with([2 * CHUNK_SIZE + 1], [{ v: -1, at: -1 }])).slice(2 * CHUNK_SIZE + 2), want.slice(2 * CHUNK_SIZE + 2));
    assert.deepEqual([...fresh()], want);
    assert.deepEqual(fresh().filter((x) => x.v % 7 === 0), want.filter((x) => x.v % 7 === 0));
    assert.deepEqual(fresh().find((x) => x.v === 3000), want.find((x) => x.v === 3000));
    assert.equal(fresh().some((x) => x.v === -5), true);
    assert.deepEqual(fresh().slice(1000, 3100), want.slice(1000, 3100));
    assert.deepEqual(readAll(fresh().splice(2000, 2005, [{ v: -7, at: -1 }])), [...want.slice(0, 2000), { v: -7, at: -1 }, ...want.slice(2005)]);
    assert.deepEqual(readAll(fresh().headThen(2500, [])), want.slice(0, 2500));
    // two lists made alike hold equal entries that are different objects: every position differs after the first chunk
    const a = fresh();
    const b = fresh();
    assert.deepEqual(a.differences(b, Infinity), Array.from({ length: want.length - CHUNK_SIZE }, (_, k) => CHUNK_SIZE + k));
    assert.equal(a.lastDifference(b, 0), want.length);
    assert.equal(a.differences(a.with([], []), 0).length, 0, 'a list shares every chunk with itself');
    const plainStrings = ChunkedArray.of(['a']).thenMoved(1, ChunkedArray.of(['a']), 0, [], [], (x) => x);
    assert.equal(plainStrings.join('-'), 'a', 'a list of one chunk: nothing to move');
    const words = ChunkedArray.of<string>([]).thenMoved(CHUNK_SIZE + 2, ChunkedArray.of(Array.from({ length: CHUNK_SIZE + 2 }, (_, i) => `w${i}`)), 0, [], [], (x, at) => `${x}@${at}`);
    assert.equal(words.join(' ').split(' ').slice(-2).join(' '), `w${CHUNK_SIZE}@${CHUNK_SIZE} w${CHUNK_SIZE + 1}@${CHUNK_SIZE + 1}`);
  });

  it('a list moved from one not read yet is made from what that one was to be made from: no chain of lists', () => {
    const rng = new Rng(0xc4a1);
    const n = 5 * CHUNK_SIZE;
    let plain = Array.from({ length: n }, (_, i) => ({ v: i, at: -1 }));
    let list = ChunkedArray.of(plain);
    const lists: { list: ChunkedArray<E>; want: E[] }[] = [];
    let calls = 0;
    const counted = (x: E, p: number) => (calls++, make(x, p));
    for (let step = 0; step < 300; step++) {
      // a line put in or taken out somewhere in the first chunk, every entry from the second on moved
      const shift = rng.pick([1, -1, 2, -2]);
      const length = plain.length + shift;
      const at = CHUNK_SIZE;
      const givenAt = rng.chance(0.3) ? [at + rng.int(0, 3 * CHUNK_SIZE)].filter((p) => p < length) : [];
      const given = givenAt.map((p) => ({ v: 1e6 + step * 1000 + (p % 1000), at: -1 }));
      const unmade = list.unmade;
      const next = list.headThen(at, []).thenMoved(length, list, shift, givenAt, given, counted);
      assert.equal(list.unmade, unmade, 'moving entries makes no chunk of the list they come from');
      const want = expected(plain.slice(0, at), length, plain, shift, givenAt, given);
      lists.push({ list: next, want });
      // now and then one entry of an earlier version is read: one of its chunks made, most not
      if (rng.chance(0.2)) {
        const l = rng.pick(lists);
        const p = rng.int(0, l.want.length - 1);
        const before = calls;
        assert.deepEqual(l.list.get(p), l.want[p]);
        assert.ok(calls - before <= 64, 'one block made, nothing of the lists it was moved from');
      }
      plain = want;
      list = next;
    }
    const order = lists.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order.slice(0, 60)) {
      const { list: l, want } = lists[k]!;
      const before = calls;
      assert.deepEqual(readAll(l), want, `version ${k}`);
      assert.ok(calls - before <= want.length - CHUNK_SIZE, `version ${k}: only its own entries made (${calls - before})`);
    }
  });
});
