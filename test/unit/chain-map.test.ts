/**
 * ChainMap (model/chain-map.ts) reads exactly like the Map it was made from, and `with` replaces
 * only the chains it is given, in their places, leaving the map it was made from as it was. A map
 * that leaves chains for later (`moved`) reads as if it had made them all at once, makes each when
 * first read and once, and tells a chain's source without making it.
 */
import { strict as assert } from 'node:assert';
import { ChainMap } from '../../server/src/model/chain-map';
import type { Chain } from '../../server/src/model/ruleset';
import { Rng } from '../../bench/gen/rng';

function chain(name: string, builtin = false): Chain {
  return { name, table: 'filter', builtin, declarations: [], rules: [], references: [] };
}

describe('ChainMap', () => {
  const source = new Map<string, Chain>([
    ['INPUT', chain('INPUT', true)],
    ['FORWARD', chain('FORWARD', true)],
    ['b', chain('b')],
    ['a', chain('a')],
  ]);
  // a Map's order is its insertion order, also after a delete and a set again
  source.delete('FORWARD');
  source.set('FORWARD', chain('FORWARD', true));

  it('reads like the Map it was made from: size, get, has, and every way of iterating, in its order', () => {
    const m = ChainMap.of(source);
    assert.equal(m.size, source.size);
    for (const [k, c] of source) {
      assert.equal(m.get(k), c);
      assert.ok(m.has(k));
    }
    assert.equal(m.get('nope'), undefined);
    assert.equal(m.has('nope'), false);
    assert.deepEqual([...m.keys()], [...source.keys()]);
    assert.deepEqual([...m.values()], [...source.values()]);
    assert.deepEqual([...m.entries()], [...source.entries()]);
    assert.deepEqual([...m], [...source]);
    const seen: [string, Chain][] = [];
    m.forEach((c, k, map) => {
      assert.equal(map, m);
      seen.push([k, c]);
    });
    assert.deepEqual(seen, [...source]);
    assert.deepEqual([...m.keys()].map((k) => m.positionOf(k)), [...source.keys()].map((_, i) => i), 'each name at its place in the order');
    assert.equal(m.positionOf('nope'), undefined);
    assert.deepEqual([...ChainMap.of(new Map())], []);
  });

  it('with(): the named chains replaced in their places, the rest the same objects, the original untouched', () => {
    const m = ChainMap.of(source);
    const newB = chain('b');
    const newInput = chain('INPUT', true);
    const n = m.with(new Map([['b', newB], ['INPUT', newInput]]));
    assert.deepEqual([...n.keys()], [...m.keys()]);
    assert.equal(n.get('b'), newB);
    assert.equal(n.get('INPUT'), newInput);
    assert.equal(n.get('a'), source.get('a'));
    assert.equal(n.get('FORWARD'), source.get('FORWARD'));
    assert.deepEqual([...n.values()], [newInput, newB, source.get('a'), source.get('FORWARD')]);
    assert.deepEqual([...n.keys()].map((k) => n.positionOf(k)), [...m.keys()].map((k) => m.positionOf(k)), 'replaced chains keep their places');
    // the map it came from still holds its own chains
    assert.deepEqual([...m], [...source]);
    // replacing again from the new map (an edit of an edit)
    const newA = chain('a');
    const o = n.with(new Map([['a', newA]]));
    assert.deepEqual([...o.values()], [newInput, newB, newA, source.get('FORWARD')]);
    assert.equal(n.get('a'), source.get('a'));
  });

  it('with(): a name that is not there is the caller\'s mistake, said at once', () => {
    assert.throws(() => ChainMap.of(source).with(new Map([['c', chain('c')]])), /no chain c/);
  });

  describe('chains left for later', () => {
    const names = Array.from({ length: 40 }, (_, i) => `C${i}`);
    /** A chain standing for chain `name` after `edits` edits (what `make` gives), told apart by its policy. */
    const after = (c: Chain, edits: number): Chain => ({ ...chain(c.name.split('@')[0]!), policy: `${edits}` });
    /** A map after `edits` edits from `src` (a map leaving none for later), made the way `moved` does, counting what it makes. */
    const later = (src: ChainMap, edits: number, made: string[]) => ({ source: src, steps: edits, make: (c: Chain) => (made.push(c.name), after(c, edits)) });

    it('reads as the map made at once, makes a chain when first read and once, and names it without making it', () => {
      const src = ChainMap.of(new Map(names.map((n) => [n, chain(n)])));
      const made: string[] = [];
      const also = new Uint8Array(names.length);
      also[3] = 1;
      also[17] = 1;
      const now: string[] = [];
      const m = src.moved((c) => (now.push(c.name), { ...chain(c.name), policy: 'now' }), also, later(src, 1, made));
      assert.deepEqual(now, ['C3', 'C17'], 'the marked places made at once, from the chains there');
      assert.equal(m.placedCount, 2);
      assert.deepEqual(made, [], 'nothing else made yet');
      // what moving lines leaves alone, without making anything
      assert.equal(m.sourceAt(5), src.at(5));
      assert.equal(m.sourceAt(3)!.policy, 'now');
      assert.equal(m.positionOf('C9'), 9);
      assert.deepEqual([...m.keys()], names);
      assert.deepEqual(made, []);
      // read once, made once
      const c9 = m.get('C9')!;
      assert.equal(c9.policy, '1');
      assert.equal(m.at(9), c9);
      assert.deepEqual(made, ['C9']);
      assert.equal(m.placedCount, 3);
      // the map it came from is as it was
      assert.equal(src.get('C9')!.policy, undefined);
      // every way of iterating reads them all, in order, each made once
      assert.deepEqual([...m.values()].map((c) => `${c.name}:${c.policy}`), names.map((n) => `${n}:${n === 'C3' || n === 'C17' ? 'now' : '1'}`));
      assert.deepEqual([...m].map(([k, c]) => [k, c]), names.map((n) => [n, m.get(n)]));
      assert.equal(made.length, names.length - 2);
      assert.equal(new Set(made).size, made.length);
      const settled = m.settled();
      assert.equal(settled.settled(), settled, 'a map that leaves nothing for later is settled already');
      assert.equal(settled.laterChains(), undefined);
      assert.deepEqual([...settled.values()], [...m.values()]);
    });

    it('after edits in turn: a chain read or put in goes on from this map, one never read is made from the source through every edit since', () => {
      const rng = new Rng(0xc4a1);
      const src = ChainMap.of(new Map(names.map((n) => [n, chain(n)])));
      let m = src;
      /** The edits each place's chain went through, when it is in the map (undefined: made from the source when read). */
      let held: (number[] | undefined)[] = names.map(() => []);
      /** What the source's chain at each place went through (the places of the last map that left nothing for later). */
      let sourceHeld: number[][] = names.map(() => []);
      /** What the chain at place i is: the one the map holds, or the source's through the edits since. */
      const expected = (i: number, steps: readonly number[]) => (held[i] ?? [...sourceHeld[i]!, ...steps]).join(',');
      for (let e = 1; e <= 30; e++) {
        const also = new Uint8Array(names.length);
        for (let k = rng.int(0, 3); k > 0; k--) also[rng.int(0, names.length - 1)] = 1;
        const before = m.laterChains<number[]>();
        if (!before) sourceHeld = held.map((h) => h!);
        const steps = [...(before?.steps ?? []), e];
        const source = before ? before.source : m;
        // a chain stands for the edits it went through, in its policy
        const through = (c: Chain, more: readonly number[]) => ({ ...chain(c.name), policy: [c.policy ?? '', ...more].filter(Boolean).join(',') });
        const was = m;
        const put: number[] = [];
        m = m.moved(
          (c, at) => {
            assert.equal(c, was.at(at), 'put from the chain of the map it was made from');
            put.push(at);
            return through(c, [e]);
          },
          also,
          { source, steps, make: (c, at) => (assert.equal(c, source.at(at)), through(c, steps)) },
        );
        // put at once: the marked places, and when the map left chains for later, every place it had a chain at
        const mustPut = names.flatMap((_, i) => (also[i] === 1 || (before && held[i] !== undefined) ? [i] : []));
        assert.deepEqual([...put].sort((a, b) => a - b), mustPut, `edit ${e}: the places put at once`);
        held = held.map((h, i) => (put.includes(i) ? [...(h ?? [...sourceHeld[i]!, ...steps.slice(0, -1)]), e] : undefined));
        assert.equal(m.placedCount, put.length);
        // some chains read, now and then one replaced in place or every chain made
        for (let k = rng.int(0, 4); k > 0; k--) {
          const i = rng.int(0, names.length - 1);
          const c = m.at(i)!;
          assert.equal(c.policy, expected(i, steps), `edit ${e}: ${names[i]}`);
          held[i] ??= [...sourceHeld[i]!, ...steps];
        }
        if (rng.chance(0.2)) {
          const i = rng.int(0, names.length - 1);
          // (told apart from what the edits make of the chain: -e)
          held[i] = [...(held[i] ?? [...sourceHeld[i]!, ...steps]), -e];
          m = m.with(new Map([[names[i]!, { ...chain(names[i]!), policy: held[i].join(',') }]]));
        }
        if (rng.chance(0.1)) {
          m = m.settled();
          held = held.map((h, i) => h ?? [...sourceHeld[i]!, ...steps]);
        }
      }
      const steps = m.laterChains<number[]>()?.steps ?? [];
      for (let i = 0; i < names.length; i++) assert.equal(m.at(i)!.policy, expected(i, steps), names[i]);
    });
  });
});
