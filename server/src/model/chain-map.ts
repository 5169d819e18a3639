/**
 * The chains of a table by name, in the order the file created them. Read like a Map; made once
 * when the tables are built. A version made by rewriting rules in place (see parser/chains.ts
 * updateTables) has the same names in the same order with a few chains replaced: `with` gives it
 * in a copy of the list of chains and shares the index of names, where a new Map would hash every
 * name again (35 000 chains in the nat table of a 100 000-rule kube-proxy file: 8 ms per edit).
 *
 * A version whose lines an edit moved (see parser/chains.ts moveTables) may leave the chains the
 * edit only moved to be made when first read (see `moved`): a line put in near the top of a
 * kube-proxy-like file moves its 35 000 chains, of which the checks of the edit read a few dozen.
 */
import type { ReadList } from './chunked-array';
import type { Chain, LineNode } from './ruleset';

/**
 * How the chains a map leaves for later are made: from the chain at the same place in `source` (a
 * map that leaves none for later), by `make`. `steps`: what `make` does, for the caller that
 * plans the next version's (the line moves of the edits since `source`).
 */
export interface LaterChains<S> {
  readonly source: ChainMap;
  readonly steps: S;
  readonly make: (c: Chain, at: number) => Chain;
  /** Make the chains from the nodes of a later version in which the map is the same object (see MovedChain.readThrough). */
  readonly readThrough?: (nodes: ReadList<LineNode>) => void;
}

export class ChainMap implements ReadonlyMap<string, Chain> {
  private constructor(
    /** Position of each name's chain in `order`; its own order (a Map's: insertion) is theirs. */
    private readonly index: ReadonlyMap<string, number>,
    /** The chains; undefined at the places of those left for later (see `later`). */
    private readonly order: (Chain | undefined)[],
    /** How the chains left for later are made; undefined when there are none. */
    private readonly later?: LaterChains<unknown>,
    /** With `later`: the places whose chain is in `order` (made when the map was, or since), each once. */
    private readonly placed?: number[],
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
    const placed = this.placed?.slice();
    for (const [name, c] of replace) {
      const i = this.index.get(name);
      if (i === undefined) throw new Error(`ChainMap.with: no chain ${name} to replace`);
      if (placed && order[i] === undefined) placed.push(i);
      order[i] = c;
    }
    return new ChainMap(this.index, order, this.later, placed);
  }

  /** The same names in the same order, each standing for the chain `f` gives for its chain here (and its place in the order). */
  map(f: (c: Chain, at: number) => Chain): ChainMap {
    this.makeAll();
    return new ChainMap(this.index, (this.order as Chain[]).map(f));
  }

  /**
   * The same names in the same order: at the places `also` marks (1) and those this map has a
   * chain at already when it left some for later, the chain `now` gives for the chain here; at
   * the others, the chain `later.make` makes from the one at its place in `later.source` (a map
   * that left none for later), when first read.
   */
  moved<S>(now: (c: Chain, at: number) => Chain, also: Uint8Array, later: LaterChains<S>): ChainMap {
    if (later.source.later !== undefined) throw new Error('ChainMap.moved: the source of chains left for later leaves some for later itself');
    const order = new Array<Chain | undefined>(this.order.length);
    const placed: number[] = [];
    const put = (at: number) => {
      if (order[at] !== undefined) return;
      order[at] = now(this.at(at)!, at);
      placed.push(at);
    };
    // (a chain this map has was read, or is not what `later` makes: a rule was put into it)
    if (this.placed) for (let k = 0; k < this.placed.length; k++) put(this.placed[k]!);
    for (let at = 0; at < also.length; at++) if (also[at] === 1) put(at);
    return new ChainMap(this.index, order, later, placed);
  }

  /** The same chains, every one made now: a map that leaves none for later (this one, when it leaves none). */
  settled(): ChainMap {
    if (this.later === undefined) return this;
    this.makeAll();
    return new ChainMap(this.index, this.order);
  }

  /** How this map makes the chains it left for later (undefined when it left none). */
  laterChains<S>(): LaterChains<S> | undefined {
    return this.later as LaterChains<S> | undefined;
  }

  /** Calls `f` with each chain made (those left for later are not made). */
  forEachMade(f: (c: Chain) => void): void {
    for (let i = 0; i < this.order.length; i++) {
      const c = this.order[i];
      if (c !== undefined) f(c);
    }
  }

  /** How many places have their chain (all of them unless some are left for later). */
  get placedCount(): number {
    return this.placed ? this.placed.length : this.order.length;
  }

  get size(): number {
    return this.order.length;
  }

  get(name: string): Chain | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.at(i);
  }

  /** The chain at position `i` of the order (see positionOf). */
  at(i: number): Chain | undefined {
    const c = this.order[i];
    if (c !== undefined || this.later === undefined || i < 0 || i >= this.order.length) return c;
    const made = this.later.make(this.later.source.at(i)!, i);
    this.order[i] = made;
    this.placed!.push(i);
    return made;
  }

  /**
   * The chain at position `i`, or for one left for later the chain it will be made from (another
   * version's, on that version's lines): for what moving lines leaves alone, its name and how many
   * rules, declarations and references it has, without making it.
   */
  sourceAt(i: number): Chain | undefined {
    const c = this.order[i];
    return c !== undefined || this.later === undefined ? c : this.later.source.at(i);
  }

  /** Where the chain of this name stands in the order (undefined when there is none). */
  positionOf(name: string): number | undefined {
    return this.index.get(name);
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  /** Makes every chain left for later. */
  private makeAll(): void {
    if (this.later === undefined) return;
    for (let i = 0; i < this.order.length; i++) if (this.order[i] === undefined) this.at(i);
  }

  values(): IterableIterator<Chain> {
    return this.later === undefined ? (this.order as Chain[]).values() : this.made();
  }

  /** Every chain, in order, each made when the iteration gets to it. */
  private *made(): IterableIterator<Chain> {
    for (let i = 0; i < this.order.length; i++) yield this.at(i)!;
  }

  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  *entries(): IterableIterator<[string, Chain]> {
    for (const [name, i] of this.index) yield [name, this.at(i)!];
  }

  [Symbol.iterator](): IterableIterator<[string, Chain]> {
    return this.entries();
  }

  forEach(f: (chain: Chain, name: string, map: ReadonlyMap<string, Chain>) => void, thisArg?: unknown): void {
    for (const [name, i] of this.index) f.call(thisArg, this.at(i)!, name, this);
  }
}
