/**
 * Items kept in the order of a position (a rule's in its chain, a chain's in its table), each with
 * its position, several at one position or none. Results of a long chain are mostly nothing: kept
 * this way, an edit of a few rules replaces the items at their positions in a pass over the items,
 * where a list with a slot per rule was copied (and walked) whole on every edit.
 */
import { insertionPoint } from '../model/insertion-point';
import { shared } from '../model/shared';

export interface Positioned<T> {
  readonly items: readonly T[];
  /** The position of each item, ascending. */
  readonly at: Int32Array;
}

/** No items: what a chain or rule with nothing to report gives (one list, shared). */
export const NO_ITEMS: readonly never[] = shared([]);

export const NO_POSITIONED: Positioned<never> = Object.freeze({ items: NO_ITEMS, at: new Int32Array(0) });

/** Items and their positions collected in ascending order of position. */
export class PositionedBuilder<T> {
  private readonly items: T[] = [];
  private readonly at: number[] = [];

  add(position: number, items: readonly T[]): void {
    // (indexed: most calls add nothing, and for...of made an iterator each time)
    for (let k = 0; k < items.length; k++) {
      this.items.push(items[k]!);
      this.at.push(position);
    }
  }

  addOne(position: number, item: T): void {
    this.items.push(item);
    this.at.push(position);
  }

  /**
   * What was collected. Nothing: the one shared NO_POSITIONED (most chains of a big file report
   * nothing, and a typed array costs some 180 bytes however short); otherwise lists at their size
   * (kept as long as the chain's results, not with the room push leaves).
   */
  done(): Positioned<T> {
    if (this.items.length === 0) return NO_POSITIONED;
    return { items: this.items.slice(), at: Int32Array.from(this.at) };
  }
}

/**
 * `list` with the items at each position of `fresh` replaced by the items given for it there
 * (an empty list: none any more). The other items stay, in order.
 */
export function replaceAt<T>(list: Positioned<T>, fresh: ReadonlyMap<number, readonly T[]>): Positioned<T> {
  const positions = [...fresh.keys()].sort((a, b) => a - b);
  const out = new PositionedBuilder<T>();
  let j = 0;
  const freshUpTo = (p: number) => {
    for (; j < positions.length && positions[j]! <= p; j++) out.add(positions[j]!, fresh.get(positions[j]!)!);
  };
  for (let k = 0; k < list.items.length; k++) {
    const p = list.at[k]!;
    freshUpTo(p);
    if (!fresh.has(p)) out.addOne(p, list.items[k]!);
  }
  freshUpTo(Infinity);
  return out.done();
}

/** Whether `list` holds an item at position p. */
export function hasAt<T>(list: Positioned<T>, p: number): boolean {
  const i = insertionPoint(list.at, p);
  return i < list.at.length && list.at[i] === p;
}

