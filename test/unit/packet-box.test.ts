/**
 * The box of the packet space (analysis/packet-space.ts Box): a small immutable map from dimension
 * to set. Everything that reads boxes relies on Map's behaviour (entries in the order a dimension
 * was first set, a later set of a dimension kept in its place), and Space.sameAs compares boxes
 * entry by entry in that order, so Box must hold exactly what a Map given the same operations holds.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Box, boxCorner, boxIntersect, boxSubtract, DIMS, type Dim, domain, ISet, Space, type SpaceEnv } from '../../server/src/analysis/packet-space';

const ENV: SpaceEnv = { family: 'ipv4' };

const dim = fc.constantFrom(...DIMS);
const set = fc.tuple(fc.bigInt({ min: 0n, max: 20n }), fc.bigInt({ min: 0n, max: 5n })).map(([a, w]) => ISet.of(a, a + w));
/** set d s, or (s undefined) take d out. */
const op = fc.tuple(dim, fc.option(set, { nil: undefined }));

function entriesOf(m: ReadonlyMap<Dim, ISet>): [Dim, ISet][] {
  return [...m];
}

describe('packet space: Box', () => {
  it('holds what a Map holds after the same sets and deletes: entries in order, get, has, size', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        let box = Box.FULL;
        const map = new Map<Dim, ISet>();
        const versions: [Box, [Dim, ISet][]][] = [];
        for (const [d, s] of ops) {
          if (s) {
            box = box.with(d, s);
            map.set(d, s);
          } else {
            box = box.without(d);
            map.delete(d);
          }
          versions.push([box, entriesOf(map)]);
        }
        assert.deepEqual(entriesOf(box), entriesOf(map));
        assert.equal(box.size, map.size);
        for (const d of DIMS) {
          assert.equal(box.get(d), map.get(d));
          assert.equal(box.has(d), map.has(d));
        }
        assert.deepEqual([...box.keys()], [...map.keys()]);
        assert.deepEqual([...box.values()], [...map.values()]);
        const seen: [Dim, ISet][] = [];
        box.forEach((s, d) => seen.push([d, s]));
        assert.deepEqual(seen, entriesOf(map));
        for (let i = 0; i < box.size; i++) assert.deepEqual([box.dimAt(i), box.setAt(i)], entriesOf(map)[i]);
        // every earlier box is unchanged by what was made from it
        const replay = new Map<Dim, ISet>();
        for (let k = 0; k < ops.length; k++) {
          const [d, s] = ops[k]!;
          if (s) replay.set(d, s);
          else replay.delete(d);
          assert.deepEqual(entriesOf(versions[k]![0]), versions[k]![1]);
          assert.deepEqual(versions[k]![1], entriesOf(replay));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('from(entries) is new Map(entries): a repeated dimension keeps its first place and its last set', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(dim, set), { maxLength: 10 }), (es) => {
        assert.deepEqual(entriesOf(Box.from(es)), entriesOf(new Map(es)));
      }),
    );
    const a = ISet.point(1n);
    const b = ISet.point(2n);
    const c = ISet.point(3n);
    assert.deepEqual(entriesOf(Box.from([['dport', a], ['src', b], ['dport', c]])), [['dport', c], ['src', b]]);
  });

  it('a box of one entry holds its dimension and set, not a list of entries (the box of nearly every rule of one condition)', () => {
    const s = ISet.point(80n);
    for (const b of [Box.of('dport', s), Box.from([['dport', s]]), Box.of('src', s).with('src', s), Box.of('src', s).with('dport', s).without('src')]) {
      assert.equal(b.size, 1);
      assert.ok(Object.values(b).every((v) => !Array.isArray(v)), 'no list held');
      assert.equal(b.get(b.dimAt(0)), s);
    }
  });

  it('a space of one box holds the box, not a list of one, and keeps its merge state', () => {
    const b = Box.of('dport', ISet.point(80n));
    for (const [sp, approximate, merged] of [[Space.box(b), false, 0], [new Space([b], true, 7), true, 7], [Space.ALL.intersect(ENV, Space.box(b)), false, 0]] as const) {
      assert.equal(sp.boxCount, 1);
      assert.ok(Object.values(sp).every((v) => !Array.isArray(v)), 'no list held');
      assert.deepEqual(sp.boxes, [sp.boxAt(0)]);
      assert.equal(sp.approximate, approximate);
      assert.equal(sp.merged, merged);
    }
    const two = new Space([b, Box.of('dport', ISet.point(443n))], false, 3);
    assert.deepEqual([two.boxCount, two.approximate, two.merged, two.boxes.length], [2, false, 3, 2]);
    assert.ok(new Space([], true, 512).approximate && new Space([], true, 512).merged === 512 && Space.NONE.empty);
  });

  it('without a dimension it does not restrict is the same box; FULL restricts nothing', () => {
    const b = Box.of('dport', ISet.point(80n));
    assert.equal(b.without('src'), b);
    assert.equal(Box.FULL.size, 0);
    assert.equal(Box.FULL.get('dport'), undefined);
  });

  it('intersection and difference of boxes agree with the packets (within each dimension\'s domain) they hold', () => {
    const small: Dim[] = ['proto', 'dport', 'state'];
    const box = fc.subarray(small, { minLength: 1 }).chain((ds) => fc.tuple(...ds.map((d) => set.map((s) => [d, s] as const))).map((es) => Box.from(es)));
    const inside = (b: Box, p: readonly bigint[]) => small.every((d, i) => (b.get(d) ?? ISet.of(...domain(ENV, d))).has(p[i]!));
    fc.assert(
      fc.property(box, box, fc.array(fc.tuple(...small.map((d) => fc.bigInt({ min: 0n, max: domain(ENV, d)[1] < 26n ? domain(ENV, d)[1] : 26n }))), { minLength: 20, maxLength: 20 }), (a, b, points) => {
        const both = boxIntersect(ENV, a, b);
        const rest = new Space(boxSubtract(ENV, a, b));
        for (const p of points) {
          assert.equal(both ? inside(both, p) : false, inside(a, p) && inside(b, p));
          const point = new Map(small.map((d, i) => [d, p[i]!] as const));
          assert.equal(rest.contains(ENV, point), inside(a, p) && !inside(b, p));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a space holds a corner of another (holdsCornerOf) exactly when contains() holds the lowest or highest packet of one of its first boxes', () => {
    // (sets that may reach the ends of a dimension, so that a corner is a domain's end as often as a set's)
    const small: Dim[] = ['proto', 'dport', 'state'];
    const wide = fc.tuple(fc.bigInt({ min: 0n, max: 20n }), fc.bigInt({ min: 0n, max: 300n })).map(([a, w]) => ISet.of(a, a + w));
    const box = fc.subarray(small).chain((ds) => fc.tuple(...ds.map((d) => wide.map((s) => [d, s] as const))).map((es) => Box.from(es)));
    const space = fc.array(box, { maxLength: 6 }).map((bs) => new Space(bs));
    const corner = (b: Box, highest: boolean) => new Map(DIMS.map((d) => [d, boxCorner(ENV, b, d, highest)] as const));
    fc.assert(
      fc.property(space, space, fc.integer({ min: 1, max: 5 }), (a, o, first) => {
        const held = o.boxes.slice(0, first).some((b) => a.contains(ENV, corner(b, false)) || a.contains(ENV, corner(b, true)));
        assert.equal(a.holdsCornerOf(ENV, o, first), held);
      }),
      { numRuns: 300 },
    );
  });
});
