/**
 * ChainMap (model/chain-map.ts) reads exactly like the Map it was made from, and `with` replaces
 * only the chains it is given, in their places, leaving the map it was made from as it was.
 */
import { strict as assert } from 'node:assert';
import { ChainMap } from '../../server/src/model/chain-map';
import type { Chain } from '../../server/src/model/ruleset';

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
});
