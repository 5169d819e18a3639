/**
 * Binary search in an ascending list of numbers: the one search the model and the analysis share
 * (positions of items, rules and chunks, the runs of lines a moved chain's moves hold).
 */

/** Where `x` goes in an ascending list of positions or values (before any equal to it). */
export function insertionPoint<T extends number | bigint>(list: ArrayLike<T>, x: T): number {
  let a = 0;
  let b = list.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (list[mid]! < x) a = mid + 1;
    else b = mid;
  }
  return a;
}
