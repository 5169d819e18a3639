/**
 * Results kept across versions of a document, for the parts of it an edit did not touch: a chain,
 * or whole tables, known by the rules they hold (the parser keeps the option list of every line an
 * edit left alone, and compileRule what it compiled from it).
 */
import type { Chain, MovedLines, Rule, Table } from '../model/ruleset';
import { ChunkedArray } from '../model/chunked-array';
import { sameItems } from '../model/same-items';
import type { SpaceEnv } from './packet-space';
import { type Positioned, PositionedBuilder, replaceAt } from './positioned';

/**
 * Values computed for a chain and kept across versions of a document while the chain holds the
 * same compiled rules in the same order (compileRule reuses what it compiled for a line an edit
 * left alone): kept under the chain's first and last rule, checked against the whole sequence.
 * A value kept for the same number of rules of which at most MAX_DERIVED changed is turned into
 * the new one by `derive` (the positions that changed given) instead of being made afresh. A value
 * lives as long as the chain it was last made or found for (see KeptForChain).
 */
export class ChainMemo<T> {
  private readonly store = new KeptForChain<Kept<T, ChunkedArray<object>>>();

  /**
   * `seq`: the chain's compiled conditions by position (the rule where none), when the caller has
   * them. `shift`, when given: the value for a chain with one rule put in at `at` (`put`) or taken
   * out from there, from the value kept for the chain without it (or with it).
   */
  get(
    ctx: { readonly compiled: { get(rule: Rule): { readonly conditions: object } | undefined } },
    chain: Chain,
    extra: string,
    make: () => T,
    derive: (prev: T, changed: readonly number[]) => T,
    seq?: ChunkedArray<object>,
    shift?: (prev: T, at: number, put: boolean) => T,
    oneMore?: OneMore,
  ): T {
    const rules = chain.rules;
    seq ??= ChunkedArray.build<object>(rules.length, (i) => ctx.compiled.get(rules[i]!)?.conditions ?? rules[i]!);
    const first = seq.get(0);
    if (!first) return make();
    const last = seq.get(seq.length - 1)!;
    const kept = [this.store.find(first), this.store.find(last)];
    const hit = kept.find((k) => k !== undefined && k.extra === extra && k.seq.length === seq.length);
    let value: T | undefined;
    if (hit) {
      // (chunks a version shares with the one it was made from are passed over whole)
      const changed = hit.seq.differences(seq, MAX_DERIVED);
      if (!changed.length) {
        this.store.own(chain, hit);
        return hit.value;
      }
      if (changed.length <= MAX_DERIVED) value = derive(hit.value, changed);
    } else if (shift) {
      const near = kept.find((k) => k !== undefined && k.extra === extra && Math.abs(k.seq.length - seq.length) === 1);
      // (the caller may know where, for the very list kept: no look at every entry after it)
      const known = near && oneMore && oneMore.seq === near.seq && oneMore.put === seq.length > near.seq.length ? oneMore.at : undefined;
      const at = near && (known ?? oneMoreAt(near.seq, seq));
      if (near && at !== undefined) value = shift(near.value, at, seq.length > near.seq.length);
    }
    value ??= make();
    this.store.keep(chain, { seq, extra, value }, first, last);
    return value;
  }
}

/**
 * What a caller knows of a chain's sequence: it is `seq` with one entry put in at `at` (`put`) or
 * taken out from there (see ChainMemo.get).
 */
export interface OneMore {
  readonly seq: ChunkedArray<object>;
  readonly at: number;
  readonly put: boolean;
}

/**
 * Where `a` and `b`, of lengths one apart, differ by the one entry the longer has: its position,
 * when they are otherwise the same in order; undefined otherwise.
 */
function oneMoreAt(a: ChunkedArray<object>, b: ChunkedArray<object>): number | undefined {
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  const at = short.firstDifference(long);
  for (let i = at; i < short.length; i++) if (short.get(i) !== long.get(i + 1)) return undefined;
  return at;
}

/**
 * Values found again through objects that outlive them (a chain's first and last compiled rules,
 * which an edit elsewhere leaves as they are, while it makes a new chain object), and held only
 * by the chain they were last kept or found for. A value holds what it was made from (the
 * compiled rules, and through them the rule nodes): held by the objects that find it, the value
 * made for a chain once (a trace's index, a run of the shadowed-rule check with another budget)
 * kept every rule node of its version alive after an edit that moved every line below it.
 */
export class KeptForChain<V extends object> {
  private readonly byKey = new WeakMap<object, WeakRef<V>>();
  private readonly byChain = new WeakMap<Chain, V>();

  /** The value `chain` holds (kept or found for it). */
  of(chain: Chain): V | undefined {
    return this.byChain.get(chain);
  }

  /** The value kept under `key`, while a chain still holds it. */
  find(key: object): V | undefined {
    return this.byKey.get(key)?.deref();
  }

  /** Keep `v` for `chain`, to be found under each of `keys`. */
  keep(chain: Chain, v: V, ...keys: object[]): void {
    const ref = new WeakRef(v);
    for (const k of keys) this.byKey.set(k, ref);
    this.byChain.set(chain, v);
  }

  /** `chain` holds `v` too (found again for it). */
  own(chain: Chain, v: V): void {
    this.byChain.set(chain, v);
  }
}

/** Changed rules up to which ChainMemo derives a value from the one kept. */
const MAX_DERIVED = 16;

/**
 * Values computed for a whole table (or a few tables) and kept across versions of a document while
 * those tables hold the same chains (names, policies) and the same rules in the same order (rules
 * known by the option list the parser keeps for an unchanged line): a one-line edit in the nat
 * table leaves what was found in filter as it was.
 */
export class TableMemo<T> {
  private readonly store = new WeakMap<object, Kept<T>>();

  /**
   * The value last made or found, by the jump graph of the first table (Table.jumps, which a table
   * keeps while edits only replace its rules in place): the same tables (and `also`) find it at
   * once; tables of that graph that are other objects had rules replaced, with option lists of
   * their own (see TableMemo's comparison), so the value is made without building the comparison,
   * as it is for tables made from the last ones by moving lines.
   */
  private readonly same = new WeakMap<object, { readonly tables: readonly (Table | undefined)[]; readonly also: readonly unknown[]; readonly extra: string; readonly value: T }>();

  /** `also`: more things the value depends on, compared by identity (rules outside any chain...). */
  get(tables: readonly (Table | undefined)[], extra: string, make: () => T, also: readonly unknown[] = []): T {
    const head = tables.find((t): t is Table => t !== undefined);
    // (kept by the jump graph, or by that of the table this one was made from by moving lines)
    const from = head?.moved?.from.deref();
    const last = head && (this.same.get(head.jumps) ?? (from && this.same.get(from.jumps)));
    if (last && last.extra === extra && sameItems(last.tables, tables) && sameItems(last.also, also)) return last.value;
    // (a table made by moving lines holds option lists of their own for them: no kept sequence is
    // the same either)
    const inPlace = last && last.extra === extra && last.tables.length === tables.length && tables.every((t, i) => t === last.tables[i] || (t && (last.tables[i]?.jumps === t.jumps || t.moved?.from.deref() === last.tables[i])));
    const value = inPlace ? make() : this.bySeq(tables, extra, make, also);
    if (head) this.same.set(head.jumps, { tables, also, extra, value });
    return value;
  }

  private bySeq(tables: readonly (Table | undefined)[], extra: string, make: () => T, also: readonly unknown[]): T {
    // each table's sequence as one element (compared item by item: see TableSeq), not copied in:
    // a copy of a 100k-rule table's was 2 MB kept per memo
    const seq: unknown[] = [...also];
    let first: object | undefined;
    for (const x of also) if (typeof x === 'object' && x !== null) first ??= x;
    for (const t of tables) {
      seq.push(t ? t.name : '-');
      if (!t) continue;
      const ts = tableSeq(t);
      seq.push(ts);
      if (ts.items.length && !first) first = ts.items.find((x): x is object => typeof x === 'object');
    }
    return kept(this.store, first, seq, extra, make);
  }
}

interface Kept<T, S = readonly unknown[]> {
  readonly seq: S;
  readonly extra: string;
  readonly value: T;
}

/**
 * The value kept under `first` when it was made for the same sequence (element by element, by
 * identity) and the same `extra`; otherwise a new one, made and kept in its place. Without a
 * first object there is nothing to keep it under: it is made every time.
 */
function kept<T>(store: WeakMap<object, Kept<T>>, first: object | undefined, seq: readonly unknown[], extra: string, make: () => T): T {
  if (!first) return make();
  const hit = store.get(first);
  if (hit && hit.extra === extra && sameKey(hit.seq, seq)) return hit.value;
  const value = make();
  store.set(first, { seq, extra, value });
  return value;
}

/**
 * What a table holds, as memos compare it: chain names and policies, each rule's option list. One
 * per table object; inside a key it is compared item by item (another table object may hold the
 * same), where every other element of a key is compared by identity.
 */
class TableSeq {
  constructor(readonly items: readonly unknown[]) {}
}

/** sameItems, with the TableSeq elements compared item by item. */
function sameKey(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (!(x instanceof TableSeq && y instanceof TableSeq && sameItems(x.items, y.items))) return false;
  }
  return true;
}

const TABLE_SEQS = new WeakMap<Table, TableSeq>();
function tableSeq(t: Table): TableSeq {
  let seq = TABLE_SEQS.get(t);
  if (!seq) {
    // (made at its length: pushed one by one, the list of the Docker-like file's filter table
    // held room for 130 000 items and used 44 000, 0.7 MB more for each version of the table)
    let n = 0;
    for (const c of t.chains.values()) n += 5 + 2 * c.rules.length;
    const s = new Array<unknown>(n);
    let k = 0;
    for (const c of t.chains.values()) {
      s[k++] = c.name;
      s[k++] = c.builtin;
      s[k++] = c.policy ?? '';
      s[k++] = c.policySpan?.line ?? -1;
      s[k++] = c.rules.length;
      // (indexed: once per table over every rule, where for-of makes an iterator result per rule;
      // the line too: a rule an edit moved keeps its option list, and what is kept names lines)
      const rules = c.rules;
      for (let i = 0; i < rules.length; i++) {
        s[k++] = rules[i]!.options;
        s[k++] = rules[i]!.line;
      }
    }
    TABLE_SEQS.set(t, (seq = new TableSeq(s)));
  }
  return seq;
}

/**
 * What a check found in each chain of a table, as one list in the table's chain order, kept per
 * table object. For a table edits made by rewriting rules in place (Table.edited), what the chains
 * they left alone found is taken from the list of the table they were made from, and only the
 * new chains are worked out, so a check over a table of 25 000 chains does not go through every
 * chain after an edit of one. The list is patched where the new chains stand: nothing per chain
 * is kept or copied (a list of values per chain, copied per edit, was 280 KB of garbage per check
 * on 35 000 chains, and reading it a pass over every chain).
 * `key`: what the items depend on besides the chain (compared with ===).
 */
export class PerChainMemo<T> {
  private readonly store = new WeakMap<Table, Found<T>>();

  /**
   * `moved.move`, when given: an item of a chain that an edit only moved (see Table.moved), said
   * of the chain where the edit put its lines. With it, a table whose lines an inserted or deleted line moved
   * takes the items of the previous version's table (moved) and works out only the chains the
   * edit renewed. `moved.keyWas`: the key the previous table's items may have instead, and the
   * chains whose items depend on the difference (worked out again too).
   */
  items(table: Table, key: unknown, make: (chain: Chain) => readonly T[], moved?: MovedItems<T>): readonly T[] {
    const hit = this.store.get(table);
    if (hit && hit.key === key) return hit.list.items;
    const carried = moved && this.moved(table, key, make, moved);
    if (carried) {
      this.store.set(table, carried);
      return carried.list.items;
    }
    // the nearest table this one was made from, through edits in place, that has items (an
    // editor has versions read that are never checked), and the chains new since
    const renewed = new Set<string>();
    let base: Found<T> | undefined;
    for (let t: Table | undefined = table, steps = 0; t?.edited && steps < MAX_EDITED_STEPS; steps++) {
      for (const name of t.edited.chains) renewed.add(name);
      t = t.edited.from.deref();
      const kept = t && this.store.get(t);
      if (kept && kept.key === key) {
        base = kept;
        break;
      }
    }
    // (an edit in place keeps every chain at its position: see ChainMap.with)
    const found = base && base.chains === table.chains.size ? patched(base, table, renewed, make) : whole(table, key, make);
    this.store.set(table, found);
    return found.list.items;
  }

  /** The items of a table made by moving lines, from those of the table it was made from; undefined when that has none for `key`. */
  private moved(table: Table, key: unknown, make: (chain: Chain) => readonly T[], { move, keyWas, known }: MovedItems<T>): Found<T> | undefined {
    const m = table.moved;
    const from = m?.from.deref();
    const base = from && this.store.get(from);
    if (!m || !base || base.chains !== table.chains.size) return undefined;
    const renewed = base.key === key ? m.chains : keyWas && base.key === keyWas.key ? new Set([...m.chains, ...keyWas.chains]) : undefined;
    if (!renewed) return undefined;
    const fresh = new Map<number, readonly T[]>();
    for (const name of renewed) fresh.set(table.chains.positionOf(name)!, make(table.chains.get(name)!));
    // (the items of renewed chains are replaced below: their lines may be gone)
    let items: T[] | undefined;
    const list = base.list;
    for (let k = 0; k < list.items.length; k++) {
      if (fresh.has(list.at[k]!)) continue;
      const was = list.items[k]!;
      const chain = table.chains.at(list.at[k]!)!;
      // (items the caller has for this chain already: put in place of the chain's, as if renewed)
      const mine = known?.(chain);
      if (mine) {
        fresh.set(list.at[k]!, mine);
        continue;
      }
      const now = move(was, m.lines, chain);
      if (now !== was) (items ??= list.items.slice())[k] = now;
    }
    const movedList = items ? { items, at: list.at } : list;
    return { key, chains: base.chains, list: fresh.size ? replaceAt(movedList, fresh) : movedList };
  }
}

/** How PerChainMemo.items carries items across an edit that moved lines. */
export interface MovedItems<T> {
  /** An item of `chain` (this version's, not renewed) as it was in the previous version's chain, moved by `lines`. */
  readonly move: (item: T, lines: MovedLines, chain: Chain) => T;
  /** The items of a chain (this version's) when already worked out: taken instead of moving the previous ones. */
  readonly known?: (chain: Chain) => readonly T[] | undefined;
  readonly keyWas?: { readonly key: unknown; readonly chains: ReadonlySet<string> };
}

/** A table's items in chain order, each with the position of the chain it came from. */
interface Found<T> {
  readonly key: unknown;
  readonly chains: number;
  readonly list: Positioned<T>;
}

function whole<T>(table: Table, key: unknown, make: (chain: Chain) => readonly T[]): Found<T> {
  const out = new PositionedBuilder<T>();
  let i = 0;
  for (const c of table.chains.values()) out.add(i++, make(c));
  return { key, chains: table.chains.size, list: out.done() };
}

/** `base`'s items with those of the chains of `renewed` worked out again. */
function patched<T>(base: Found<T>, table: Table, renewed: ReadonlySet<string>, make: (chain: Chain) => readonly T[]): Found<T> {
  const fresh = new Map<number, readonly T[]>();
  for (const name of renewed) fresh.set(table.chains.positionOf(name)!, make(table.chains.get(name)!));
  return { key: base.key, chains: base.chains, list: replaceAt(base.list, fresh) };
}

/** Versions PerChainMemo looks back through for values to start from. */
const MAX_EDITED_STEPS = 16;

/** An identity for an environment (memos of analysis results depend on it). */
const ENV_IDS = new WeakMap<SpaceEnv, number>();
let nextEnvId = 1;
export function envKey(env: SpaceEnv): string {
  let id = ENV_IDS.get(env);
  if (id === undefined) ENV_IDS.set(env, (id = nextEnvId++));
  return `env${id}`;
}


/**
 * `list` as a list with no room to grow: itself when short, otherwise a copy. A list made by
 * pushing keeps room for half as many items again (and 16 more); the per-rule lists kept by the
 * memos of the Docker-like file's 28 000-rule chains held 0.2 MB of room each.
 */
function atItsLength<T>(list: readonly T[]): readonly T[] {
  return list.length < 16 ? list : list.slice();
}

/**
 * A value kept across versions of a document while a list of things it depends on stays the same
 * (objects compared by identity, other values by ===). The caller builds the list from exactly
 * what the computation reads; it is kept under the first object in the list, so that object
 * should belong to what is being summarised (a rule's option list), not be shared with others.
 */
export class SeqMemo<T> {
  private readonly store = new WeakMap<object, { readonly seq: readonly unknown[]; readonly value: T }>();

  get(seq: readonly unknown[], make: () => T): T {
    let first: object | undefined;
    for (const x of seq) {
      if (typeof x === 'object' && x !== null) {
        first = x;
        break;
      }
    }
    if (!first) return make();
    const hit = this.store.get(first);
    if (hit && sameItems(hit.seq, seq)) return hit.value;
    const value = make();
    this.store.set(first, { seq: atItsLength(seq), value });
    return value;
  }
}
