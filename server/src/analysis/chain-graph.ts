/**
 * The jump graph of each table: which hooks reach which user chain, and jump loops. The kernel
 * checks both when the table is loaded (mark_source_chains): a loop reachable from a built-in chain
 * makes the load fail ("Too many links"), and a target or match restricted to some hooks fails when
 * a chain using it is reachable from another hook.
 */
import type { Hook } from '../knowledge/types';
import { type Chain, type Finding, findingMoved, type MatchNode, type MovedLines, type OptionNode, replacedRules, type Rule, ruleMoved, type Ruleset, spanAt, type Table } from '../model/ruleset';
import { OverlayMap } from '../model/overlay-map';
import { referenceChainOf, referenceCountOf } from '../model/moved-chain';
import { PerChainMemo, SeqMemo } from './memo';
import { hasAt, NO_ITEMS, type Positioned, PositionedBuilder, replaceAt } from './positioned';

export interface ChainReach {
  /** Hooks (built-in chains) from which each chain can be reached. */
  readonly hooks: ReadonlyMap<string, ReadonlySet<Hook>>;
}

const REACH = new WeakMap<Table, ChainReach>();

/** The sets of hooks, one (read-only) object per distinct set and order. */
const HOOK_SETS = new Map<string, ReadonlySet<Hook>>();
function hookSet(mask: number, order: readonly Hook[]): ReadonlySet<Hook> {
  const key = `${order.join(',')}/${mask}`;
  let s = HOOK_SETS.get(key);
  if (!s) HOOK_SETS.set(key, (s = new Set(order.filter((_, i) => mask & (1 << i)))));
  return s;
}

/**
 * What the jump graph of a table is made of, as memos compare it: each chain's name and whether
 * it is built in, and the chain each jump or goto names, in order. Hook reachability and loops
 * read nothing else, so a one-line edit that changes no jump (a port, an address, a comment, a
 * verdict) keeps both. Made once per jump graph (Table.jumps): versions that share it share the
 * list, which the memos then find equal at once.
 */
const SHAPES = new WeakMap<object, readonly unknown[]>();
function jumpShape(table: Table): readonly unknown[] {
  let s = SHAPES.get(table.jumps);
  if (s) return s;
  // kept under the table's first rule (see tableKey)
  const out: unknown[] = [tableKey(table)];
  for (const c of table.chains.values()) {
    out.push(c.name, c.builtin);
    for (const r of c.rules) if (r.target?.kind === 'chain') out.push(r.target.name);
  }
  SHAPES.set(table.jumps, (s = out));
  return s;
}

/**
 * An object that stands for a table across versions of a document: the option list of its first
 * rule (kept by the parser while that line is unchanged), else a fresh object (no reuse).
 */
function tableKey(table: Table): object {
  for (const c of table.chains.values()) if (c.rules[0]) return c.rules[0].options;
  return {};
}

const REACH_MEMO = new SeqMemo<ChainReach>();

/** `edgesOf`: the table's jump graph (see jumpEdges), asked for only when the memo has no answer. */
export function reachability(table: Table, edgesOf: () => JumpEdges = () => jumpEdges(table)): ChainReach {
  const known = REACH.get(table);
  if (known) return known;
  const r = carriedReach(table) ?? REACH_MEMO.get(jumpShape(table), () => computeReachability(edgesOf()));
  REACH.set(table, r);
  return r;
}

/** For tests: how often a table with jumps put in or taken out kept the previous reachability, or had it updated (see carriedReach). */
export const reachStats = { carried: 0, updated: 0 };

/** How many rules of user chains had their hook findings worked out (for tests: what an edit checks again). */
export const hookStats = { rulesChecked: 0 };

/** Tables whose jump graph has no loop a built-in chain reaches. */
const LOOP_FREE = new WeakSet<Table>();

/** Chains the walks of `reaches` and updatedReach go through before they give up (and the graph is walked whole). */
const MAX_LOOP_WALK = 4096;

/**
 * For reachabilities made by updatedReach: the one they were made from and the chains whose hooks
 * may differ from it (the others have the same set object).
 */
const UPDATED = new WeakMap<ChainReach, { readonly from: ChainReach; readonly chains: ReadonlySet<string> }>();

/**
 * The reachability of a table from that of the table it was made from (Table.moved or
 * Table.edited), with no reachable loop, as that one; undefined when that is not known. A table
 * made by rewriting rules in place has the same jump graph. One made by moving lines may have
 * jumps put in or taken out, all of them in or into the chains the edit renewed (see updatedReach).
 */
function carriedReach(table: Table): ChainReach | undefined {
  const step = table.moved ?? table.edited;
  const prev = step?.from.deref();
  const was = prev && REACH.get(prev);
  if (!was || !LOOP_FREE.has(prev)) return undefined;
  let now = was;
  if (prev.jumps !== table.jumps) {
    const updated = table.moved && updatedReach(table, was, table.moved);
    if (!updated) return undefined;
    now = updated;
    if (now === was) reachStats.carried++;
    else reachStats.updated++;
  }
  LOOP_FREE.add(table);
  return now;
}

/**
 * The hooks reaching each chain after an edit put in or took out jumps, from `was`, those of the
 * graph before it, which had no reachable loop. The hooks of a chain are the least solution of
 * "its own hook and the hooks of every chain with a jump to it". `was` solves that at every chain
 * the edit did not renew (their jumps in are the same); where it does not at a renewed one, that
 * chain and the chains below it are worked out again in jump order, reading `was` for the chains
 * above them. On a graph with no reachable loop that is the answer; so the walk gives up (and the
 * graph is walked whole) when a jump put in leads back to its chain, when the chains below form a
 * loop, or when they are more than MAX_LOOP_WALK.
 */
function updatedReach(table: Table, was: ChainReach, moved: NonNullable<Table['moved']>): ChainReach | undefined {
  for (const r of moved.jumpsPut) if (reaches(table, r.target!.name, r.chain)) return undefined;
  const below = new Set<string>();
  for (const name of moved.chains) {
    const c = table.chains.get(name)!;
    if (!c.builtin && !hooksIntoAre(table, c, was, was.hooks.get(name) ?? NO_HOOKS, moved.jumpsPut)) below.add(name);
  }
  if (!below.size) return was;
  const todo = [...below];
  while (todo.length) {
    for (const to of userChainJumps(table, table.chains.get(todo.pop()!)!)) {
      if (below.has(to)) continue;
      if (below.add(to).size > MAX_LOOP_WALK) return undefined;
      todo.push(to);
    }
  }
  // in jump order: a chain once every chain below the edit with a jump to it is done
  // (counted from the jumps out of them: a chain below, such as kube-proxy's KUBE-MARK-MASQ, can
  // have tens of thousands of jumps in)
  const waiting = new Map<string, number>();
  for (const name of below) for (const to of userChainJumps(table, table.chains.get(name)!)) waiting.set(to, (waiting.get(to) ?? 0) + 1);
  const ready: string[] = [];
  for (const name of below) if (!waiting.has(name)) ready.push(name);
  // (by the chains a chain left for later is made from: their names and whether they are built in)
  const order = hookOrder(table.chains.size, (i) => table.chains.sourceAt(i)!);
  const all = (1 << order.length) - 1;
  /** The chains whose hooks are others now, with them. */
  const changed = new Map<string, ReadonlySet<Hook>>();
  const hooksOf = (name: string) => changed.get(name) ?? was.hooks.get(name) ?? NO_HOOKS;
  let done = 0;
  while (ready.length) {
    const name = ready.pop()!;
    done++;
    const c = table.chains.get(name)!;
    // without a jump put in, hooks only go: once those the chain had are all found, that is all
    const most = moved.jumpsPut.length ? all : maskOf(was.hooks.get(name) ?? NO_HOOKS, order);
    let mask = 0;
    const refs = referenceCountOf(c);
    for (let k = 0; k < refs && mask !== most; k++) for (const h of hooksOf(referenceChainOf(c, k, table.chains))) mask |= 1 << order.indexOf(h);
    const set = hookSet(mask, order);
    if (set !== was.hooks.get(name)) changed.set(name, set);
    for (const to of userChainJumps(table, c)) {
      const left = waiting.get(to)! - 1;
      waiting.set(to, left);
      if (left === 0) ready.push(to);
    }
  }
  if (done < below.size) return undefined;
  if (!changed.size) return was;
  const now: ChainReach = { hooks: OverlayMap.of(was.hooks, changed) };
  UPDATED.set(now, { from: was, chains: new Set(changed.keys()) });
  return now;
}

/** The built-in chains of a table, in its order (the order the sets of hooks list theirs in). */
function hookOrder(count: number, chainAt: (i: number) => Chain): Hook[] {
  const order: Hook[] = [];
  for (let i = 0; i < count; i++) {
    const c = chainAt(i);
    if (c.builtin) order.push(c.name as Hook);
  }
  return order;
}

function maskOf(hooks: ReadonlySet<Hook>, order: readonly Hook[]): number {
  let mask = 0;
  for (const h of hooks) mask |= 1 << order.indexOf(h);
  return mask;
}

/** The user chains the rules of `c` jump or go to, one per rule (repeats included). */
function* userChainJumps(table: Table, c: Chain): Generator<string> {
  for (const r of c.rules) {
    const t = r.target;
    if (t?.kind !== 'chain') continue;
    const d = table.chains.get(t.name);
    if (d && !d.builtin) yield t.name;
  }
}

/**
 * Whether the hooks of the chains with a jump to `c`, as `reach` says, are `hooks` together (the
 * hooks `reach` gives `c`). `put`: the jumps an edit put in. Only those can bring a hook `c` did
 * not have (the chain of any other jump to it was reached from its hooks at most): they are looked
 * at first, since the look at the jumps stops once every hook of `c` has been seen.
 */
function hooksIntoAre(table: Table, c: Chain, reach: ChainReach, hooks: ReadonlySet<Hook>, put: readonly Rule[]): boolean {
  for (const r of put) {
    if (r.target?.name !== c.name) continue;
    for (const h of reach.hooks.get(r.chain) ?? NO_HOOKS) if (!hooks.has(h)) return false;
  }
  const seen = new Set<Hook>();
  // (by the chains of the references, without making the lists of a moved chain when it knows them)
  const n = referenceCountOf(c);
  for (let k = 0; k < n; k++) {
    for (const h of reach.hooks.get(referenceChainOf(c, k, table.chains)) ?? NO_HOOKS) {
      if (!hooks.has(h)) return false;
      // (every hook seen: a chain thousands of rules jump to is not read to the end)
      if (seen.add(h).size === hooks.size) return true;
    }
  }
  return seen.size === hooks.size;
}

const NO_HOOKS: ReadonlySet<Hook> = new Set();

/**
 * Whether the jumps out of chain `from` lead to chain `to`, through user chains as jumpEdges
 * follows them (true also when the walk would pass more than MAX_LOOP_WALK chains: not known).
 */
function reaches(table: Table, from: string, to: string): boolean {
  if (from === to) return true;
  const seen = new Set<string>([from]);
  const todo = [from];
  while (todo.length) {
    const c = table.chains.get(todo.pop()!);
    if (!c) continue;
    for (const next of userChainJumps(table, c)) {
      if (seen.has(next)) continue;
      if (next === to || seen.add(next).size > MAX_LOOP_WALK) return true;
      todo.push(next);
    }
  }
  return false;
}

/**
 * The jump graph of a table over the positions of its chains (ChainMap order): for chain i, the
 * positions of the user chains its rules jump or go to, `to[from[i]]` up to `to[from[i + 1]]`, in
 * rule order, repeats included. kube-proxy's nat table has 35 000 chains and 74 000 jumps: the
 * walks below read numbers from two typed arrays where they hashed a chain object or a name per
 * step (a Map of sets per chain, a Map of states by name).
 */
interface JumpEdges {
  readonly chains: readonly Chain[];
  readonly from: Int32Array;
  readonly to: Int32Array;
  /** For each edge, the rule that jumps (findLoops reports the jump that closes a loop). */
  readonly via: readonly Rule[];
}

function jumpEdges(table: Table): JumpEdges {
  const chains = [...table.chains.values()];
  const from = new Int32Array(chains.length + 1);
  const to: number[] = [];
  const via: Rule[] = [];
  for (let i = 0; i < chains.length; i++) {
    from[i] = to.length;
    const rules = chains[i]!.rules;
    for (let k = 0; k < rules.length; k++) {
      const t = rules[k]!.target;
      if (t?.kind !== 'chain') continue;
      const j = table.chains.positionOf(t.name);
      if (j === undefined || chains[j]!.builtin) continue;
      to.push(j);
      via.push(rules[k]!);
    }
  }
  from[chains.length] = to.length;
  return { chains, from, to: Int32Array.from(to), via };
}

function computeReachability(edges: JumpEdges): ChainReach {
  // one walk per hook over the jump graph, marking each chain with the bit of every hook it is
  // reached from (at most five built-in chains: a byte per chain)
  const { chains, from, to } = edges;
  const order = hookOrder(chains.length, (i) => chains[i]!);
  const masks = new Uint8Array(chains.length);
  const stack = new Int32Array(to.length + 1);
  for (let b = 0; b < chains.length; b++) {
    if (!chains[b]!.builtin) continue;
    const bit = 1 << order.indexOf(chains[b]!.name as Hook);
    let top = 0;
    stack[top++] = b;
    masks[b] |= bit;
    while (top > 0) {
      const cur = stack[--top]!;
      for (let e = from[cur]!; e < from[cur + 1]!; e++) {
        const n = to[e]!;
        if (masks[n]! & bit) continue;
        masks[n] |= bit;
        stack[top++] = n;
      }
    }
  }
  // each set lists its hooks in the order the table holds them
  // (the set of each mask looked up once, not once per chain: the key is a string)
  const sets: ReadonlySet<Hook>[] = [];
  const hooks = new Map<string, ReadonlySet<Hook>>();
  for (let i = 0; i < chains.length; i++) hooks.set(chains[i]!.name, (sets[masks[i]!] ??= hookSet(masks[i]!, order)));
  return { hooks };
}

/**
 * Jump loops reachable from a built-in chain, reported on the jump that closes each loop. The walk
 * keeps its own stack: a chain of 10 000 jumps must not overflow the call stack (which took every
 * diagnostic of the file down with it).
 */
export function findLoops(table: Table, edges: JumpEdges = jumpEdges(table)): Finding[] {
  const out: Finding[] = [];
  const { chains, from, to, via } = edges;
  // 0: not seen, 1: on the path, 2: done
  const state = new Uint8Array(chains.length);
  /** The chains being visited (positions), and for each the next edge to follow. */
  const path = new Int32Array(chains.length);
  const next = new Int32Array(chains.length);
  let depth = 0;
  const reported = new Set<Rule>();
  const enter = (c: number): void => {
    state[c] = 1;
    path[depth] = c;
    next[depth++] = from[c]!;
  };
  for (let root = 0; root < chains.length; root++) {
    if (!chains[root]!.builtin) continue;
    // (a built-in chain is never the target of an edge: each root starts a walk of its own)
    enter(root);
    while (depth > 0) {
      const cur = path[depth - 1]!;
      const e = next[depth - 1]!;
      if (e >= from[cur + 1]!) {
        depth--;
        state[cur] = 2;
        continue;
      }
      next[depth - 1] = e + 1;
      const n = to[e]!;
      if (state[n] === 0) enter(n);
      else if (state[n] === 1 && !reported.has(via[e]!)) {
        const r = via[e]!;
        reported.add(r);
        let start = 0;
        while (path[start] !== n) start++;
        const names: string[] = [];
        for (let k = start; k < depth; k++) names.push(chains[path[k]!]!.name);
        names.push(chains[n]!.name);
        const cycle = names.length <= 12 ? names.join(' -> ') : `${names.slice(0, 5).join(' -> ')} -> … (${names.length - 10} more) … -> ${names.slice(-5).join(' -> ')}`;
        out.push({
          code: 'jump-loop',
          severity: 'error',
          message: `jump loop ${cycle}: the kernel refuses to load a table where a packet could jump in circles ("Too many links")`,
          span: spanAt(r.line, r.target!.nameWord),
        });
      }
    }
  }
  return out;
}

/** Hook-restricted matches and targets used in user chains reached from other hooks. */
export function checkUserChainHooks(table: Table, reach: ChainReach): Finding[] {
  const out: Finding[] = [];
  let last = LAST.get(table.jumps);
  if (!last) {
    // a jump put in or taken out makes another graph: the findings last worked out for the version
    // before go on (each is taken only for the hooks that reach its chain now), where they were
    // all worked out again (the 24 000 rules of the Docker-like file's filter DOCKER chain, on each
    // line put in or taken out that jumps to it)
    const before = (table.moved ?? table.edited)?.from.deref();
    last = (before && LAST.get(before.jumps)) ?? new Map<string, ChainHooks>();
    LAST.set(table.jumps, last);
  }
  const kept = last;
  const hookFindings = (c: Chain): readonly Finding[] => {
    if (c.builtin) return NO_ITEMS;
    const from = reach.hooks.get(c.name);
    return from && from.size > 0 ? chainHookFindings(c, from, kept, table.moved) : NO_ITEMS;
  };
  // (a reachability updated from the last one changes the findings of the chains it names only)
  const updated = UPDATED.get(reach);
  for (const f of HOOKS_PER_CHAIN.items(table, reach, hookFindings, { move: findingMoved, keyWas: updated && { key: updated.from, chains: updated.chains } })) out.push(f);
  return out;
}

/** Each table's findings in chain order, while the hooks reaching its chains are the same (see PerChainMemo). */
const HOOKS_PER_CHAIN = new PerChainMemo<Finding>();

/** One chain's findings, each with the position of its rule. */
interface ChainHooks {
  readonly chain: Chain;
  readonly from: ReadonlySet<Hook>;
  readonly found: Positioned<Finding>;
}

/**
 * The last findings of each chain by its name, per jump graph (Table.jumps, kept while edits
 * replace rules in place), with the hooks they were worked out for: the same chain object finds
 * them at once; a chain an edit only moved has them moved with its lines; a chain an edit rewrote
 * in place (another object with as many rules) is checked again at the rules that are other
 * objects. A graph an edit made (a jump put in or taken out) goes on with the map of the version
 * it was made from: the versions of a document share one, each entry telling which chain and hooks
 * it holds (a version checked again after a later one finds entries for other chains, and works
 * them out again).
 */
const LAST = new WeakMap<object, Map<string, ChainHooks>>();

/** The hooks where an interface option cannot match, and why. */
const INTERFACE_BLIND: ReadonlyMap<string, { readonly hooks: readonly string[]; readonly why: string }> = new Map([
  ['-i', { hooks: ['OUTPUT', 'POSTROUTING'], why: 'where packets have no incoming interface' }],
  ['-o', { hooks: ['INPUT', 'PREROUTING'], why: 'before the outgoing interface is known' }],
]);

/**
 * One chain's findings depend on its name, the hooks reaching it (one shared object per set, see
 * hookSet) and what each of its rules says: after an edit that rebuilt the tables, kept while
 * those stay the same.
 */
const CHAIN_HOOK_MEMO = new SeqMemo<Omit<ChainHooks, 'chain'>>();

/**
 * Chains of fewer rules than this are worked out again whenever asked for, and kept nowhere: a
 * rule's hook findings are a few comparisons, and a record, its list and its memo entry took
 * about 250 bytes on each of the kube-like 100k file's 35 000 short chains (9 MB).
 */
const SHORT_CHAIN = 8;

/** `moved`: how the table was made from the previous version's, when an edit put in or took out lines (see Table.moved). */
function chainHookFindings(c: Chain, from: ReadonlySet<Hook>, last: Map<string, ChainHooks>, moved: Table['moved']): readonly Finding[] {
  if (!c.rules.length) return [];
  if (c.rules.length < SHORT_CHAIN) {
    // worked out again each time it is asked for (see SHORT_CHAIN)
    let out: Finding[] | undefined;
    for (const r of c.rules) {
      const f = ruleHookFindings(c, r, from);
      if (f.length) (out ??= []).push(...f);
    }
    return out ?? NO_ITEMS;
  }
  const hit = last.get(c.name);
  if (hit && hit.chain === c && hit.from === from) return hit.found.items;
  let made: ChainHooks;
  let shifted: Positioned<Finding> | undefined;
  let was: ChainHooks | undefined;
  // (lines moved first: a chain an edit only moved has as many rules as before, all other objects,
  // and checking the positions that changed checked every rule of the Docker-like file's 24 000-rule
  // DOCKER chain again on each line put in or taken out of FORWARD above it)
  if (hit && hit.from === from && moved && (was = previousHooks(hit, moved.from.deref(), c.name)) && (shifted = movedHooks(c, was, moved.lines))) {
    made = { chain: c, from, found: shifted };
  } else if (hit && hit.from === from && hit.chain.rules.length === c.rules.length) {
    const fresh = new Map<number, readonly Finding[]>();
    // (a replaced rule that had no findings and has none: the list stays the same object)
    let changed = false;
    for (const i of replacedRules(c, hit.chain)!) {
      const now = ruleHookFindings(c, c.rules[i]!, from);
      if (now.length || hasAt(hit.found, i)) changed = true;
      fresh.set(i, now);
    }
    made = { chain: c, from, found: changed ? replaceAt(hit.found, fresh) : hit.found };
  } else {
    // each rule by its option list, which stands for everything the parse of its line gave (the
    // parser makes one per line it reads and hands it on, with the target, matches and generic
    // options read with it, only to a node of the same text: as for compiled rules and TableMemo),
    // and its line (a line an edit moved keeps its list; the findings name lines). Kept by the
    // memo as long as the chain: made at its size.
    const seq = new Array<unknown>(2 * c.rules.length + 2);
    let k = 0;
    for (let i = 0; i < c.rules.length; i++) {
      seq[k++] = c.rules[i]!.options;
      seq[k++] = c.rules[i]!.line;
    }
    seq[k++] = from;
    seq[k] = c.name;
    // (the memo holds no chain: a chain holds its rules, and the rules of a version long gone,
    // every line of it moved by an inserted line, stayed alive through it)
    const kept = CHAIN_HOOK_MEMO.get(seq, () => {
      const out = new PositionedBuilder<Finding>();
      c.rules.forEach((r, i) => out.add(i, ruleHookFindings(c, r, from)));
      return { from, found: out.done() };
    });
    made = { chain: c, from: kept.from, found: kept.found };
  }
  last.set(c.name, made);
  return made.found.items;
}

/** Versions followed back from a chain to the one its findings were last worked out for (see previousHooks). */
const MAX_STEPS = 16;

/**
 * The findings of the chain `name` of `table` (the version a table was made from), from `hit`,
 * those last worked out for a chain of that name: when they were for that chain, or for an
 * earlier version of it that the edits since only moved (its findings carried by the table's
 * memo, which leaves `hit` as it was) or left alone. Undefined otherwise.
 */
function previousHooks(hit: ChainHooks, table: Table | undefined, name: string): ChainHooks | undefined {
  const chain = table?.chains.get(name);
  if (!table || !chain) return undefined;
  const steps: MovedLines[] = [];
  let t: Table | undefined = table;
  let c: Chain | undefined = chain;
  while (c !== hit.chain) {
    if (!t || steps.length >= MAX_STEPS) return undefined;
    if (t.moved && !t.moved.chains.has(name)) {
      steps.push(t.moved.lines);
      t = t.moved.from.deref();
    } else if (t.edited && !t.edited.chains.has(name)) t = t.edited.from.deref();
    else return undefined;
    c = t?.chains.get(name);
  }
  if (!steps.length) return hit;
  let found = hit.found;
  for (let i = steps.length - 1; i >= 0; i--) {
    const m = steps[i]!;
    const out = new PositionedBuilder<Finding>();
    for (let k = 0; k < found.items.length; k++) out.addOne(found.at[k]!, findingMoved(found.items[k]!, m));
    found = out.done();
  }
  return { chain, from: hit.from, found };
}

/**
 * The findings of chain `c`, made by an edit that moved lines (`m`) from the chain `was` found
 * for, when the edit put in or took out one of its rules or none: the others keep theirs, moved
 * with their lines, and only a rule put in is checked (a line put in a 50 000-rule chain had every
 * rule checked again). Undefined when the edit put in or took out more.
 */
function movedHooks(c: Chain, was: ChainHooks, m: MovedLines): Positioned<Finding> | undefined {
  const did = ruleMoved(c, was.chain, m);
  if (!did) return undefined;
  const old = was.found;
  const at = did.kind === 'same' ? -1 : did.at;
  const out = new PositionedBuilder<Finding>();
  let k = 0;
  for (; k < old.items.length && old.at[k]! < at; k++) out.addOne(old.at[k]!, findingMoved(old.items[k]!, m));
  if (did.kind === 'put') out.add(at, ruleHookFindings(c, c.rules[at]!, was.from));
  const by = did.kind === 'put' ? 1 : did.kind === 'taken' ? -1 : 0;
  for (; k < old.items.length; k++) {
    const p = old.at[k]!;
    // (the findings of the rule taken out go with it)
    if (did.kind === 'taken' && p === at) continue;
    out.addOne(p + by, findingMoved(old.items[k]!, m));
  }
  return out.done();
}

/**
 * What the rule uses that the hooks reaching its chain forbid. Most rules use nothing restricted:
 * the walk makes no list, closure or string for them (it runs for every rule of every reached
 * user chain, 100 000 of them in a kube-proxy file).
 */
function ruleHookFindings(c: Chain, r: Rule, from: ReadonlySet<Hook>): readonly Finding[] {
  hookStats.rulesChecked++;
  let out: Finding[] | undefined;
  const ts = r.target?.spec;
  if (ts?.hooks) {
    const bad = outside(from, ts.hooks);
    if (bad.length) {
      (out ??= []).push({
        code: 'target-hook',
        severity: 'error',
        message: `${ts.name} is only valid in ${ts.hooks.join(', ')}, but ${c.name} is reached from ${bad.join(', ')}; the kernel refuses the table`,
        span: spanAt(r.line, r.target!.nameWord),
      });
    }
  }
  // option hooks are checked by the extension's checkentry, which nf_tables runs only for rules in
  // built-in chains: iptables-legacy refuses the table, iptables-nft loads it
  if (r.target) out = optionHookWarnings(c, r, from, r.target.options, undefined, out);
  for (const m of r.matches) out = optionHookWarnings(c, r, from, m.options, m, out);
  for (const m of r.matches) {
    const ms = m.spec;
    if (!ms?.hooks) continue;
    const bad = outside(from, ms.hooks);
    if (bad.length) {
      (out ??= []).push({
        code: 'match-hook',
        severity: 'error',
        message: `the ${ms.name} match is only valid in ${ms.hooks.join(', ')}, but ${c.name} is reached from ${bad.join(', ')}; the kernel refuses the table`,
        span: spanAt(r.line, m.nameWord),
      });
    }
  }
  for (const o of r.options) {
    if (o.owner !== 'generic' || (o.name !== '-i' && o.name !== '-o')) continue;
    const blind = INTERFACE_BLIND.get(o.name)!;
    if (outside(from, blind.hooks).length === 0) {
      (out ??= []).push({
        code: 'interface-direction',
        severity: 'warning',
        message: `${o.name} never matches here: ${c.name} is reached only from ${[...from].join(', ')}, ${blind.why}`,
        span: spanAt(r.line, o.nameSpan),
      });
    }
  }
  return out ?? NO_ITEMS;
}

/** The hooks of `from` that `allowed` does not list, in from's order. */
function outside(from: ReadonlySet<Hook>, allowed: readonly string[]): Hook[] {
  const bad: Hook[] = [];
  for (const h of from) if (!allowed.includes(h)) bad.push(h);
  return bad;
}

/** Warnings for options (of the target when `match` is undefined) restricted to hooks that do not all reach the chain; `out` with them added. */
function optionHookWarnings(c: Chain, r: Rule, from: ReadonlySet<Hook>, options: readonly OptionNode[], match: MatchNode | undefined, out: Finding[] | undefined): Finding[] | undefined {
  for (const o of options) {
    const oh = o.spec?.hooks;
    if (!oh) continue;
    const bad = outside(from, oh);
    if (!bad.length) continue;
    const owner = match ? `-m ${match.name}` : (r.target?.spec?.name ?? 'the target');
    (out ??= []).push({
      code: match ? 'match-hook' : 'target-hook',
      severity: 'warning',
      message: `${o.spec!.name} of ${owner} only works in ${oh.join(', ')}, but ${c.name} is reached from ${bad.join(', ')}: iptables-legacy refuses the table, and iptables-nft loads it without checking`,
      span: spanAt(r.line, o.nameSpan),
    });
  }
  return out;
}

/**
 * Each table's loops, kept while its jump graph is the same (see jumpShape), by where they are
 * reported: the chain, which of its jumps (counting only jumps and gotos to chains), and the
 * message. The span is taken from the jump as it is in the current version (a port edited in
 * front of it moves it without changing the graph).
 */
interface LoopAt {
  readonly chain: string;
  readonly jump: number;
  readonly finding: Finding;
}
const LOOP_MEMO = new SeqMemo<readonly LoopAt[]>();

function loopsAt(table: Table, edgesOf: () => JumpEdges): LoopAt[] {
  const found = findLoops(table, edgesOf());
  if (!found.length) return [];
  // by line: a loop is reported on the jump's target word, and each line holds one rule
  const at = new Map<number, { chain: string; jump: number }>();
  for (const c of table.chains.values()) {
    let k = 0;
    for (const r of c.rules) if (r.target?.kind === 'chain') at.set(r.line, { chain: c.name, jump: k++ });
  }
  return found.map((f) => ({ ...at.get(f.span.line)!, finding: f }));
}

function loops(table: Table, edgesOf: () => JumpEdges): Finding[] {
  const found = LOOP_MEMO.get(jumpShape(table), () => loopsAt(table, edgesOf));
  return found.map((l) => {
    let k = 0;
    for (const r of table.chains.get(l.chain)!.rules) {
      if (r.target?.kind !== 'chain') continue;
      if (k++ === l.jump) return { ...l.finding, span: spanAt(r.line, r.target.nameWord) };
    }
    throw new Error(`jump ${l.jump} of ${l.chain} is gone, though the jump graph is unchanged`);
  });
}

export function checkChainGraph(rs: Ruleset): Finding[] {
  const out: Finding[] = [];
  for (const t of rs.tables.values()) {
    // the jump graph made once for both walks, and only when a memo misses
    let edges: JumpEdges | undefined;
    const edgesOf = (): JumpEdges => (edges ??= jumpEdges(t));
    const reach = reachability(t, edgesOf);
    if (!LOOP_FREE.has(t)) {
      const found = loops(t, edgesOf);
      if (!found.length) LOOP_FREE.add(t);
      for (const f of found) out.push(f);
    }
    for (const f of checkUserChainHooks(t, reach)) out.push(f);
  }
  return out;
}
