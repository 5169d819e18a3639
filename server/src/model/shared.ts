/**
 * Nodes and lists that many lines hold at once (the parser's pooled words, value lists, options
 * and matches, the empty lists) go through `shared` when they are made. Under the tests
 * (IPTABLES_LENS_FREEZE_SHARED=1, set by test/support/register-strict.cjs and inherited by the
 * servers the tests start) it freezes them, so that a write into one throws where it would have
 * changed every line that holds it. The server leaves them as they are: V8 (Node 20) walks a
 * frozen, sealed or non-extensible array with for-of about four times slower than a plain one,
 * making an iterator result object per step (the analysis loops over option and value lists
 * millions of times on a big file), and a frozen node is one more hidden class at every place
 * that reads nodes.
 */
const FREEZE = typeof process !== 'undefined' && process.env?.IPTABLES_LENS_FREEZE_SHARED === '1';

export function shared<T extends object>(x: T): Readonly<T> {
  return FREEZE ? Object.freeze(x) : x;
}

/** Whether the tests' freezing of shared nodes is on (for tests that check it). */
export function freezesShared(): boolean {
  return FREEZE;
}
