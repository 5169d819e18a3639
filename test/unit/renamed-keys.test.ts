/**
 * RenamedKeys (analysis/renamed-keys.ts): a map read with some keys under new names, the renames
 * of successive edits composed. Compared with what it replaced, a copy of the map with each key
 * renamed, through random chains of renames, by every way of reading a map.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { FLATTEN_AT, RenamedKeys } from '../../server/src/analysis/renamed-keys';

/** A key: an object, as rules are (compared by identity). */
interface Key {
  readonly name: string;
}

/** The map copied with each key renamed (what carrying a walk over did before). */
function copied<V>(map: ReadonlyMap<Key, V>, renames: ReadonlyMap<Key, Key>): Map<Key, V> {
  const out = new Map<Key, V>();
  map.forEach((v, k) => out.set(renames.get(k) ?? k, v));
  return out;
}

/** Everything a reader can see of a map, by each way of reading it. */
function seen<V>(map: ReadonlyMap<Key, V>, probes: readonly Key[]) {
  const forEach: [string, V][] = [];
  map.forEach((v, k, m) => {
    assert.equal(m, map, 'forEach passes the map itself');
    forEach.push([k.name, v]);
  });
  return {
    size: map.size,
    entries: [...map.entries()].map(([k, v]) => [k.name, v]),
    iterated: [...map].map(([k, v]) => [k.name, v]),
    keys: [...map.keys()].map((k) => k.name),
    values: [...map.values()],
    forEach,
    got: probes.map((p) => [p.name, map.get(p), map.has(p)]),
  };
}

describe('RenamedKeys', () => {
  it('reads like a copy with the keys renamed, through random chains of renames (past the point where it copies)', () => {
    const rng = new Rng(11);
    for (let round = 0; round < 30; round++) {
      let generation = 0;
      const fresh = (i: number): Key => ({ name: `k${i}.${generation}` });
      const live: Key[] = Array.from({ length: rng.int(0, 200) }, (_, i) => fresh(i));
      const start = new Map<Key, number>();
      // (some keys have no entry: renames of those change nothing)
      live.forEach((k, i) => {
        if (rng.int(0, 4) > 0) start.set(k, i);
      });
      const everKeys = [...live];
      let plain: ReadonlyMap<Key, number> = start;
      let layered: ReadonlyMap<Key, number> = start;
      for (let step = 0; step < 40; step++) {
        generation++;
        const renames = new Map<Key, Key>();
        for (let k = rng.int(0, 6); k > 0 && live.length; k--) {
          const i = rng.int(0, live.length - 1);
          if (renames.has(live[i]!)) continue;
          const now = fresh(i);
          renames.set(live[i]!, now);
          live[i] = now;
          everKeys.push(now);
        }
        plain = copied(plain, renames);
        layered = RenamedKeys.of(layered, renames);
        // old keys read as absent, new ones as their entries; a key never seen, too
        const probes = [...everKeys.filter(() => rng.int(0, 3) === 0), { name: 'stranger' }];
        assert.deepEqual(seen(layered, probes), seen(plain, probes), `round ${round}, step ${step}`);
      }
    }
  });

  it('renames nothing: the same map; renamed past FLATTEN_AT keys: a plain copy again', () => {
    const keys = Array.from({ length: FLATTEN_AT + 2 }, (_, i) => ({ name: `k${i}` }));
    const m = new Map(keys.map((k, i) => [k, i]));
    assert.equal(RenamedKeys.of(m, new Map()), m);
    assert.equal(RenamedKeys.of(m, new Map([[{ name: 'absent' }, { name: 'new' }]])), m, 'renames of keys it does not hold');
    const few = RenamedKeys.of(m, new Map(keys.slice(0, 3).map((k) => [k, { name: `${k.name}'` }])));
    assert.ok(few instanceof RenamedKeys, 'a few renames are read through');
    const many = RenamedKeys.of(few, new Map(keys.slice(3).map((k) => [k, { name: `${k.name}'` }])));
    assert.ok(many instanceof Map && !(many instanceof RenamedKeys), 'every key renamed: copied out');
    assert.deepEqual([...many.keys()].map((k) => k.name), keys.map((k) => `${k.name}'`));
  });
});
