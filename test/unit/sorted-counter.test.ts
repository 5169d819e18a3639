/**
 * The sorted counter of 32-bit keys (analysis/sorted-counter.ts) against a Map: the same count for
 * every key, keys in unsigned order, the same best list (count descending, then unsigned key
 * ascending), across many merges and growing batches, with keys of the high bit set, runs of the
 * same key and long stretches of keys never seen.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { SortedCounter } from '../../server/src/analysis/sorted-counter';

/** Count keys both ways and compare everything the counter answers. */
function check(keys: number[], batch: number, top: number[]): void {
  const c = new SortedCounter(batch);
  const want = new Map<number, number>();
  for (const k of keys) {
    c.add(k);
    const s = k | 0;
    want.set(s, (want.get(s) ?? 0) + 1);
  }
  const got: [number, number][] = [];
  c.forEach((k, n) => got.push([k, n]));
  const sorted = [...want].sort((a, b) => (a[0] >>> 0) - (b[0] >>> 0));
  assert.deepEqual(got, sorted);
  assert.equal(c.distinct(), want.size);
  for (const n of top) {
    const best = [...sorted].sort((a, b) => b[1] - a[1] || (a[0] >>> 0) - (b[0] >>> 0)).slice(0, n);
    assert.deepEqual(c.best(n), best, `best ${n}`);
  }
}

describe('sorted counter of 32-bit keys', function () {
  it('counts like a Map: random keys over the whole range, batches of every small size', function () {
    const rng = new Rng(11);
    for (const batch of [1, 2, 3, 7, 64, 1000]) {
      const keys: number[] = [];
      for (let i = 0; i < 5000; i++) keys.push(rng.int(0, 0xffffffff));
      check(keys, batch, [0, 1, 5, 10, 100000]);
    }
  });

  it('counts runs of the same key, keys seen again after many others, and ties at the edge of the best list', function () {
    const rng = new Rng(12);
    const keys: number[] = [];
    // a few busy addresses (some of the high bit set), each in runs of its own, among scanners
    const busy = [0x0a000001, 0xc0a80001, 0x7fffffff, 0x80000000, 0xffffffff, 0, 1];
    for (let i = 0; i < 20000; i++) {
      if (rng.int(0, 3) === 0) {
        const k = busy[rng.int(0, busy.length - 1)]!;
        for (let r = rng.int(1, 5); r > 0; r--) keys.push(k);
      } else keys.push(rng.int(0, 5000) * 0x10001);
    }
    // exact ties: two keys counted as often, the larger given first
    for (let i = 0; i < 4000; i++) keys.push(0xfffffffe, 0x00000002);
    for (const batch of [5, 100, 1 << 16]) check(keys, batch, [1, 3, 7, 8, 9, 20]);
  });

  it('grows its batch with the distinct keys and still counts every one', function () {
    const rng = new Rng(13);
    const keys: number[] = [];
    for (let i = 0; i < 200000; i++) keys.push(rng.int(0, 150000) * 7919);
    check(keys, 16, [10]);
  });

  it('answers for no key at all', function () {
    const c = new SortedCounter();
    assert.equal(c.distinct(), 0);
    assert.deepEqual(c.best(10), []);
  });
});
