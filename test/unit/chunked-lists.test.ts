/**
 * Sorted lists held in chunks (server/src/analysis/chunked-lists.ts), against plain sorted arrays
 * edited the obvious way: the same contents after any run of edits (chunks emptied, split, the
 * first and last taken out), the same answers to the questions the rule index asks, and the list
 * an edit started from left as it was.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { CHUNK, Entries, Positions } from '../../server/src/analysis/chunked-lists';

function sortedUnique(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** One entry of a plain list of entries, and the order of the lists. */
type E = { lo: bigint; hi: bigint; pos: number };
const byKey = (a: E, b: E) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.pos - b.pos);

/** Entries as JSON (bigints as strings): what an edit must leave as it was. */
function json(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** collect(qlo, qhi, from) finds, with room to spare, what a scan of the plain entries finds; the positions found. */
function collectsAsScan(entries: Entries, plain: readonly E[], qlo: bigint, qhi: bigint, from: number): number[] {
  const expected = plain.filter((e) => e.lo <= qhi && e.hi >= qlo && e.pos >= from).map((e) => e.pos).sort((a, b) => a - b);
  const hits: number[] = [];
  assert.equal(entries.collect(qlo, qhi, from, Infinity, hits), true);
  assert.deepEqual(hits.sort((a, b) => a - b), expected);
  return expected;
}

describe('chunked lists', function () {
  it('positions: edits give the list a plain array gives, and leave the list they started from as it was', function () {
    const rng = new Rng(0xc4);
    let splits = 0;
    for (let round = 0; round < 40; round++) {
      let plain = sortedUnique(Array.from({ length: rng.int(0, 6 * CHUNK) }, () => rng.int(0, 10 * CHUNK)));
      let list = Positions.of(plain);
      for (let step = 0; step < 30; step++) {
        // now and then a burst of insertions in one place, so that a chunk fills and is split
        const burst = rng.int(0, 5) === 0;
        const base = rng.int(0, 10 * CHUNK);
        const out = Array.from({ length: rng.int(0, burst ? 0 : 40) }, () => (rng.int(0, 3) ? plain[rng.int(0, Math.max(0, plain.length - 1))] ?? 0 : rng.int(0, 10 * CHUNK)));
        const into = sortedUnique(Array.from({ length: rng.int(0, burst ? 3 * CHUNK : 20) }, () => (burst ? base * 4 + rng.int(0, 8 * CHUNK) : rng.int(0, 10 * CHUNK))));
        const kept = plain.filter((x) => !out.includes(x));
        const fresh = into.filter((x) => !kept.includes(x));
        const before = JSON.stringify(list);
        const next = list.edited(out, fresh);
        assert.equal(JSON.stringify(list), before, 'the list edited from is unchanged');
        const expected = sortedUnique([...kept, ...fresh]);
        assert.deepEqual(next.toJSON(), expected, `round ${round}, step ${step}`);
        assert.equal(next.length, expected.length);
        if (burst && fresh.length >= CHUNK) splits++;
        for (let q = 0; q < 5; q++) {
          const from = rng.int(-1, 10 * CHUNK + 1);
          const tail = expected.filter((x) => x >= from);
          assert.equal(next.countFrom(from), tail.length);
          const hits = sortedUnique(Array.from({ length: rng.int(0, 6) }, () => rng.int(-5, 10 * CHUNK + 5))).filter((x) => !expected.includes(x));
          assert.deepEqual(next.mergeFrom(from, hits), [...tail, ...hits].sort((a, b) => a - b));
        }
        plain = expected;
        list = next;
      }
    }
    assert.ok(splits > 10, `${splits} bursts big enough to split a chunk`);
  });

  it('positions: rules put in and taken out one at a time (every later position moved, the chunks after the edit\'s not copied), read as the list a plain array gives', function () {
    const rng = new Rng(0x3b);
    let splits = 0;
    let emptied = 0;
    for (let round = 0; round < 16; round++) {
      // every position of a chain of `count` rules, or every other one (the rules free in a dimension)
      let count = rng.int(1, 8 * CHUNK);
      const every = rng.int(1, 2);
      let plain = Array.from({ length: count }, (_, k) => k).filter((k) => k % every === 0);
      let list = Positions.of(plain);
      for (let step = 0; step < 40; step++) {
        const before = JSON.stringify(list);
        const was = list;
        const p = rng.int(0, count - 1);
        const listed = rng.int(0, 1) === 0;
        if (rng.int(0, 2) || count === 1) {
          list = list.shifted(p, 1);
          if (listed) list = list.edited([], [p]);
          plain = [...plain.map((x) => (x >= p ? x + 1 : x)), ...(listed ? [p] : [])].sort((a, b) => a - b);
          count++;
        } else {
          list = list.edited([p], []).shifted(p + 1, -1);
          plain = plain.filter((x) => x !== p).map((x) => (x > p ? x - 1 : x));
          count--;
        }
        // now and then edits in place as well, on chunks that were moved: every free position of
        // a stretch put in (a chunk filled and split), or every listed one taken out (chunks emptied)
        if (step % 5 === 4) {
          const w = rng.int(0, count - 1);
          const fill = rng.int(0, 1) === 0;
          const out = fill ? [] : plain.filter((x) => x >= w && x < w + 3 * CHUNK);
          const into = fill ? Array.from({ length: 8 * CHUNK }, (_, k) => w + k).filter((x) => x < count && !plain.includes(x)) : [];
          list = list.edited(out, into);
          plain = sortedUnique([...plain.filter((x) => !out.includes(x)), ...into]);
          if (fill) splits += into.length >= 2 * CHUNK ? 1 : 0;
          else emptied += out.length >= 2 * CHUNK ? 1 : 0;
        }
        assert.equal(JSON.stringify(was), before, 'the list moved from is unchanged');
        assert.deepEqual(list.toJSON(), plain, `round ${round}, step ${step}`);
        assert.equal(list.length, plain.length);
        for (let q = 0; q < 6; q++) {
          const from = rng.int(-1, count + 1);
          const tail = plain.filter((x) => x >= from);
          assert.equal(list.countFrom(from), tail.length);
          const hits = sortedUnique(Array.from({ length: rng.int(0, 6) }, () => rng.int(-5, count + 5))).filter((x) => !plain.includes(x));
          assert.deepEqual(list.mergeFrom(from, hits), [...tail, ...hits].sort((a, b) => a - b));
        }
      }
    }
    assert.ok(splits >= 5 && emptied >= 5, `${splits} stretches put in that split a chunk, ${emptied} taken out that emptied one`);
  });

  it('entries: edits keep the order by (lo, pos), and collect finds what a scan of every entry finds', function () {
    const rng = new Rng(0xe7);
    const entry = (pos: number): E => {
      const lo = BigInt(rng.int(0, 5000));
      return { lo, hi: lo + BigInt(rng.int(0, 3) ? rng.int(0, 40) : rng.int(0, 3000)), pos };
    };
    for (let round = 0; round < 30; round++) {
      let plain = Array.from({ length: rng.int(0, 8 * CHUNK) }, (_, pos) => entry(pos)).sort(byKey);
      let entries = Entries.of(plain.map((e) => e.lo), plain.map((e) => e.hi), plain.map((e) => e.pos));
      let nextPos = plain.length;
      for (let step = 0; step < 25; step++) {
        const edit = entries.edit();
        const gone = new Set<E>();
        for (let k = rng.int(0, 30); k > 0 && plain.length; k--) {
          const e = plain[rng.int(0, plain.length - 1)]!;
          assert.equal(edit.remove(e.lo, e.pos), !gone.has(e));
          gone.add(e);
        }
        assert.equal(edit.remove(-1n, -1), false, 'an entry that is not there');
        const added = Array.from({ length: rng.int(0, step % 7 === 0 ? 3 * CHUNK : 30) }, () => entry(nextPos++));
        for (const e of added) edit.insert(e.lo, e.hi, e.pos);
        const before = json(entries);
        const next = edit.done();
        assert.equal(json(entries), before, 'the entries edited from are unchanged');
        plain = [...plain.filter((e) => !gone.has(e)), ...added].sort(byKey);
        const flat = next.toJSON();
        assert.deepEqual(flat.pos, plain.map((e) => e.pos), `round ${round}, step ${step}`);
        assert.deepEqual(flat.hi, plain.map((e) => e.hi));
        let m = -1n;
        assert.deepEqual(flat.maxHi, plain.map((e) => (m = e.hi > m ? e.hi : m)), 'the running maximum across chunks');
        for (let q = 0; q < 8; q++) {
          const qlo = BigInt(rng.int(0, 9000));
          const qhi = qlo + BigInt(rng.int(0, 500));
          const from = rng.int(0, nextPos);
          const expected = collectsAsScan(next, plain, qlo, qhi, from);
          if (expected.length > 1) {
            const few: number[] = [];
            assert.equal(next.collect(qlo, qhi, from, 1, few), false, 'stops once it has as many as it has room for');
            assert.equal(few.length, 1);
          }
        }
        entries = next;
      }
    }
  });

  it('entries: rules put in and taken out one at a time, dozens in a row (positions moved in place, not copied), read as the list a plain array gives', function () {
    const rng = new Rng(0x5f);
    for (let round = 0; round < 12; round++) {
      let plain = Array.from({ length: rng.int(1, 6 * CHUNK) }, (_, pos) => {
        const lo = BigInt(rng.int(0, 3000));
        return { lo, hi: lo + BigInt(rng.int(0, 60)), pos };
      }).sort(byKey);
      let entries = Entries.of(plain.map((e) => e.lo), plain.map((e) => e.hi), plain.map((e) => e.pos));
      let count = plain.length;
      for (let step = 0; step < 40; step++) {
        const before = json(entries);
        const was = entries;
        if (rng.int(0, 2) || count === 1) {
          // a rule put in at p: the positions from p on move up, then p is filed
          const p = rng.int(0, count);
          const lo = BigInt(rng.int(0, 3000));
          const e = { lo, hi: lo + BigInt(rng.int(0, 60)), pos: p };
          const edit = entries.shifted(p, 1).edit();
          edit.insert(e.lo, e.hi, e.pos);
          entries = edit.done();
          plain = [...plain.map((x) => (x.pos >= p ? { ...x, pos: x.pos + 1 } : x)), e].sort(byKey);
          count++;
        } else {
          // the rule at p taken out: its entry goes, then the positions after it move down
          const e = plain[rng.int(0, plain.length - 1)]!;
          const edit = entries.edit();
          assert.equal(edit.remove(e.lo, e.pos), true, `round ${round}, step ${step}: the entry at ${e.pos} is found`);
          entries = edit.done().shifted(e.pos + 1, -1);
          plain = plain.filter((x) => x !== e).map((x) => (x.pos > e.pos ? { ...x, pos: x.pos - 1 } : x));
          count--;
        }
        assert.equal(json(was), before, 'the entries moved from are unchanged');
        const flat = entries.toJSON();
        assert.deepEqual(flat.pos, plain.map((e) => e.pos), `round ${round}, step ${step}`);
        assert.deepEqual(flat.lo, plain.map((e) => e.lo));
        const each: number[] = [];
        entries.each((_lo, _hi, pos) => each.push(pos));
        assert.deepEqual(each, flat.pos);
        for (let q = 0; q < 6; q++) {
          const qlo = BigInt(rng.int(0, 3100));
          const qhi = qlo + BigInt(rng.int(0, 200));
          collectsAsScan(entries, plain, qlo, qhi, rng.int(0, count));
        }
      }
    }
  });
});
