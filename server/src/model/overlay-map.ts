/**
 * A read-only map made of another one with some keys given other values, in time proportional to
 * the keys given: the hooks reaching each of the 35 000 chains of a kube-proxy-sized table change
 * at a few chains when a jump goes, and copying the whole map took 6 to 12 ms. Overlays on
 * overlays are flattened into a plain Map every MAX_DEPTH levels, so a lookup goes through at
 * most that many maps.
 */
const MAX_DEPTH = 8;

export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  readonly size: number;

  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly over: ReadonlyMap<K, V>,
    private readonly depth: number,
  ) {
    let added = 0;
    for (const k of over.keys()) if (!base.has(k)) added++;
    this.size = base.size + added;
  }

  /** `base` with the keys of `changes` given their values there (keys new to `base` come after its own, as Map.set puts them). */
  static of<K, V>(base: ReadonlyMap<K, V>, changes: ReadonlyMap<K, V>): ReadonlyMap<K, V> {
    const depth = base instanceof OverlayMap ? base.depth + 1 : 1;
    if (depth > MAX_DEPTH) {
      const flat = new Map(base);
      for (const [k, v] of changes) flat.set(k, v);
      return flat;
    }
    return new OverlayMap(base, changes, depth);
  }

  get(k: K): V | undefined {
    return this.over.has(k) ? this.over.get(k) : this.base.get(k);
  }

  has(k: K): boolean {
    return this.over.has(k) || this.base.has(k);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) yield [k, this.over.has(k) ? this.over.get(k)! : v];
    for (const [k, v] of this.over) if (!this.base.has(k)) yield [k, v];
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(f: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) f.call(thisArg, v, k, this);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
