/**
 * A new version of a list with the items at [from, to) replaced by `items`; the list itself is
 * left as it is (earlier versions of a document hold it). Documents and rulesets of 100 000 lines
 * make such a version on every edit.
 */
export function replaceRange<T>(list: readonly T[], from: number, to: number, items: readonly T[]): T[] {
  // as many items as they replace (a line rewritten): one copy with them put in place, instead of
  // two pieces and their join, lists of a megabyte each at 100 000 lines left to the collector
  if (items.length === to - from) {
    const out = list.slice();
    for (let k = 0; k < items.length; k++) out[from + k] = items[k]!;
    return out;
  }
  // (copied by the engine, not a loop)
  return list.slice(0, from).concat(items, list.slice(to));
}
