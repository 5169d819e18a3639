/**
 * A map read with some of its keys standing under new names: what a walk kept from the last
 * version of a document reads like after an edit replaced a few rule objects (context.ts carries
 * such walks over). Copying the walk's map of every rule to rename one or two keys was 0.86 MB per
 * edit of the firewall-like 100k file (a walk takes packets at each of its 80 000 blocklist rules),
 * and each copy lived as long as its version. The renames of successive edits are composed onto
 * the same underlying map; once they grow past FLATTEN_AT, one real copy is made and the count
 * starts again, so a long session copies the map once per that many renamed keys.
 */

/** Renamed keys past which the map is copied out with its new keys. */
export const FLATTEN_AT = 64;

export class RenamedKeys<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    /** Key of base -> the key it is read under now. */
    private readonly toNew: ReadonlyMap<K, K>,
    /** The key it is read under now -> key of base. */
    private readonly toOld: ReadonlyMap<K, K>,
  ) {}

  /**
   * `map` read with each of its keys that `renames` names (old -> new) under the new key, in the
   * same place of the order. Renames of keys `map` does not hold change nothing; a new key must
   * not be a key of `map` already (rule objects of a new version are new objects).
   */
  static of<K, V>(map: ReadonlyMap<K, V>, renames: ReadonlyMap<K, K>): ReadonlyMap<K, V> {
    const layered = map instanceof RenamedKeys ? (map as RenamedKeys<K, V>) : undefined;
    let toNew: Map<K, K> | undefined;
    let toOld: Map<K, K> | undefined;
    renames.forEach((now, was) => {
      if (!map.has(was)) return;
      toNew ??= new Map(layered?.toNew);
      toOld ??= new Map(layered?.toOld);
      // the key of the underlying map that `was` stands for
      const orig = toOld.get(was) ?? was;
      toOld.delete(was);
      toNew.set(orig, now);
      toOld.set(now, orig);
    });
    if (!toNew || !toOld) return map;
    const renamed = new RenamedKeys<K, V>(layered?.base ?? map, toNew, toOld);
    if (toNew.size <= FLATTEN_AT) return renamed;
    const flat = new Map<K, V>();
    renamed.forEach((v, k) => flat.set(k, v));
    return flat;
  }

  get size(): number {
    return this.base.size;
  }

  get(key: K): V | undefined {
    const orig = this.toOld.get(key);
    if (orig !== undefined) return this.base.get(orig);
    return this.toNew.has(key) ? undefined : this.base.get(key);
  }

  has(key: K): boolean {
    const orig = this.toOld.get(key);
    if (orig !== undefined) return this.base.has(orig);
    return !this.toNew.has(key) && this.base.has(key);
  }

  forEach(f: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    this.base.forEach((v, k) => f.call(thisArg, v, this.toNew.get(k) ?? k, this));
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) yield [this.toNew.get(k) ?? k, v];
  }

  *keys(): MapIterator<K> {
    for (const k of this.base.keys()) yield this.toNew.get(k) ?? k;
  }

  values(): MapIterator<V> {
    return this.base.values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
