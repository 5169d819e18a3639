/** OverlayMap (model/overlay-map.ts): a map with some keys changed reads as a copy with them set. */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { OverlayMap } from '../../server/src/model/overlay-map';

describe('OverlayMap', function () {
  it('reads as a copy of its base with the changes set, over many levels (flattened on the way), keys new to the base included', function () {
    const rng = new Rng(0x0a1);
    let plain = new Map<string, number>();
    for (let i = 0; i < 50; i++) plain.set(`k${i}`, i);
    let layered: ReadonlyMap<string, number> = new Map(plain);
    let flattened = 0;
    for (let level = 0; level < 30; level++) {
      const changes = new Map<string, number>();
      for (let n = rng.int(0, 6); n > 0; n--) changes.set(`k${rng.int(0, 60)}`, rng.int(100, 999));
      const before = layered;
      const beforeEntries = [...plain];
      layered = OverlayMap.of(layered, changes);
      if (!(layered instanceof OverlayMap)) flattened++;
      plain = new Map(plain);
      for (const [k, v] of changes) plain.set(k, v);
      assert.deepEqual([...layered], [...plain], `level ${level}`);
      assert.deepEqual([...layered.keys()], [...plain.keys()]);
      assert.deepEqual([...layered.values()], [...plain.values()]);
      assert.equal(layered.size, plain.size);
      for (let i = 0; i < 70; i++) {
        assert.equal(layered.get(`k${i}`), plain.get(`k${i}`), `level ${level} k${i}`);
        assert.equal(layered.has(`k${i}`), plain.has(`k${i}`));
      }
      const seen: [string, number][] = [];
      layered.forEach((v, k, m) => {
        assert.equal(m, layered);
        seen.push([k, v]);
      });
      assert.deepEqual(seen, [...plain]);
      // the map it was made from still reads as it did
      assert.deepEqual([...before], beforeEntries);
    }
    assert.ok(flattened >= 2, `${flattened} flattened`);
  });
});
