/**
 * The chains of a table by name, in the order the file created them. Read like a Map; made once
 * when the tables are built. A version made by rewriting rules in place (see parser/chains.ts
 * updateTables) has the same names in the same order with a few chains replaced: `with` gives it
 * in a copy of the list of chains and shares the index of names, where a new Map would hash every
 * name again (35 000 chains in the nat table of a 100 000-rule kube-proxy file: 8 ms per edit).
 */
import type { Chain } from './ruleset';

export class ChainMap implements ReadonlyMap<string, Chain> {
  private constructor(
    /** Position of each name's chain in `order`; its own order (a Map's: insertion) is theirs. */
    private readonly index: ReadonlyMap<string, number>,
    private readonly order: readonly Chain[],
  ) {}

  /** The chains of `chains`, in its order. */
  static of(chains: ReadonlyMap<string, Chain>): ChainMap {
    const index = new Map<string, number>();
    const order: Chain[] = [];
    // (forEach: a for-of over the entries, run once per table before V8 optimizes it, makes an
    // iterator result and an entry pair per chain)
    chains.forEach((c, name) => {
      index.set(name, order.length);
      order.push(c);
    });
    return new ChainMap(index, order);
  }

  /**
   * The same names in the same order, each name of `replace` standing for the chain given there
   * instead. Every name of `replace` must be here already (throws otherwise: the caller's bug).
   */
  with(replace: ReadonlyMap<string, Chain>): ChainMap {
    const order = this.order.slice();
    for (const [name, c] of replace) {
      const i = this.index.get(name);
      if (i === undefined) throw new Error(`ChainMap.with: no chain ${name} to replace`);
      order[i] = c;
    }
    return new ChainMap(this.index, order);
  }

  /** The same names in the same order, each standing for the chain `f` gives for its chain here (and its place in the order). */
  map(f: (c: Chain, at: number) => Chain): ChainMap {
    return new ChainMap(this.index, this.order.map(f));
  }

  get size(): number {
    return this.order.length;
  }

  get(name: string): Chain | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.order[i];
  }

  /** The chain at position `i` of the order (see positionOf). */
  at(i: number): Chain | undefined {
    return this.order[i];
  }

  /** Where the chain of this name stands in the order (undefined when there is none). */
  positionOf(name: string): number | undefined {
    return this.index.get(name);
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  values(): IterableIterator<Chain> {
    return this.order.values();
  }

  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  *entries(): IterableIterator<[string, Chain]> {
    for (const [name, i] of this.index) yield [name, this.order[i]!];
  }

  [Symbol.iterator](): IterableIterator<[string, Chain]> {
    return this.entries();
  }

  forEach(f: (chain: Chain, name: string, map: ReadonlyMap<string, Chain>) => void, thisArg?: unknown): void {
    for (const [name, i] of this.index) f.call(thisArg, this.order[i]!, name, this);
  }
}
