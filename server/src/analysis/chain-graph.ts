/**
 * The jump graph of each table: which hooks reach which user chain, and jump loops. The kernel
 * checks both when the table is loaded (mark_source_chains): a loop reachable from a built-in chain
 * makes the load fail ("Too many links"), and a target or match restricted to some hooks fails when
 * a chain using it is reachable from another hook.
 */
import type { Hook } from '../knowledge/types';
import type { Chain, Finding, OptionNode, Rule, Ruleset, Table } from '../model/ruleset';
import { TableMemo } from './memo';

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

export function reachability(table: Table): ChainReach {
  const known = REACH.get(table);
  if (known) return known;
  // one pass over the rules for the edges (each callee once per chain), then one walk per hook
  const callees = new Map<Chain, Chain[]>();
  for (const c of table.chains.values()) {
    let list: Chain[] | undefined;
    for (const r of c.rules) {
      const t = r.target;
      if (t?.kind !== 'chain') continue;
      const next = table.chains.get(t.name);
      if (!next || next.builtin) continue;
      if (!list) callees.set(c, (list = []));
      if (!list.includes(next)) list.push(next);
    }
  }
  const builtins = [...table.chains.values()].filter((c) => c.builtin);
  // each set lists its hooks in the order the table holds them
  const order = builtins.map((c) => c.name as Hook);
  const masks = new Map<Chain, number>();
  for (const c of builtins) {
    const bit = 1 << order.indexOf(c.name as Hook);
    const stack: Chain[] = [c];
    while (stack.length) {
      const cur = stack.pop()!;
      const m = masks.get(cur) ?? 0;
      if (m & bit) continue;
      masks.set(cur, m | bit);
      for (const n of callees.get(cur) ?? []) stack.push(n);
    }
  }
  const empty = hookSet(0, order);
  const hooks = new Map<string, ReadonlySet<Hook>>();
  for (const c of table.chains.values()) hooks.set(c.name, masks.has(c) ? hookSet(masks.get(c)!, order) : empty);
  const r = { hooks };
  REACH.set(table, r);
  return r;
}

/**
 * Jump loops reachable from a built-in chain, reported on the jump that closes each loop. The walk
 * keeps its own stack: a chain of 10 000 jumps must not overflow the call stack (which took every
 * diagnostic of the file down with it).
 */
export function findLoops(table: Table): Finding[] {
  const out: Finding[] = [];
  const reported = new Set<Rule>();
  const state = new Map<string, 'active' | 'done'>();
  /** The chains being visited, with the jump that led to each and the next rule to look at. */
  const path: { chain: Chain; via?: Rule; next: number }[] = [];

  const enter = (c: Chain, via?: Rule): void => {
    const st = state.get(c.name);
    if (st === 'done') return;
    if (st === 'active') {
      if (via && !reported.has(via)) {
        reported.add(via);
        const start = path.findIndex((p) => p.chain.name === c.name);
        const names = [...path.slice(start).map((p) => p.chain.name), c.name];
        const cycle = names.length <= 12 ? names.join(' -> ') : `${names.slice(0, 5).join(' -> ')} -> … (${names.length - 10} more) … -> ${names.slice(-5).join(' -> ')}`;
        out.push({
          code: 'jump-loop',
          severity: 'error',
          message: `jump loop ${cycle}: the kernel refuses to load a table where a packet could jump in circles ("Too many links")`,
          span: via.target!.nameWord,
        });
      }
      return;
    }
    state.set(c.name, 'active');
    path.push({ chain: c, ...(via ? { via } : {}), next: 0 });
  };

  for (const root of table.chains.values()) {
    if (!root.builtin) continue;
    enter(root);
    while (path.length) {
      const top = path[path.length - 1]!;
      const r = top.chain.rules[top.next++];
      if (!r) {
        path.pop();
        state.set(top.chain.name, 'done');
        continue;
      }
      const t = r.target;
      if (t?.kind !== 'chain') continue;
      const next = table.chains.get(t.name);
      if (next && !next.builtin) enter(next, r);
    }
  }
  return out;
}

/** Hook-restricted matches and targets used in user chains reached from other hooks. */
export function checkUserChainHooks(table: Table, reach: ChainReach): Finding[] {
  const out: Finding[] = [];
  for (const c of table.chains.values()) {
    if (c.builtin) continue;
    const from = reach.hooks.get(c.name);
    if (!from || from.size === 0) continue;
    for (const r of c.rules) {
      const ts = r.target?.spec;
      if (ts?.hooks) {
        const bad = [...from].filter((h) => !ts.hooks!.includes(h));
        if (bad.length) {
          out.push({
            code: 'target-hook',
            severity: 'error',
            message: `${ts.name} is only valid in ${ts.hooks.join(', ')}, but ${c.name} is reached from ${bad.join(', ')}; the kernel refuses the table`,
            span: r.target!.nameWord,
          });
        }
      }
      // option hooks are checked by the extension's checkentry, which nf_tables runs only for rules in
      // built-in chains: iptables-legacy refuses the table, iptables-nft loads it
      const optionHookWarnings = (options: readonly OptionNode[], owner: string, code: 'target-hook' | 'match-hook') => {
        for (const o of options) {
          const oh = o.spec?.hooks;
          const bad = oh ? [...from].filter((h) => !oh.includes(h)) : [];
          if (!bad.length) continue;
          out.push({
            code,
            severity: 'warning',
            message: `${o.spec!.name} of ${owner} only works in ${oh!.join(', ')}, but ${c.name} is reached from ${bad.join(', ')}: iptables-legacy refuses the table, and iptables-nft loads it without checking`,
            span: o.nameSpan,
          });
        }
      };
      optionHookWarnings(r.target?.options ?? [], ts?.name ?? 'the target', 'target-hook');
      for (const m of r.matches) optionHookWarnings(m.options, `-m ${m.name}`, 'match-hook');
      for (const m of r.matches) {
        const ms = m.spec;
        if (!ms?.hooks) continue;
        const bad = [...from].filter((h) => !ms.hooks!.includes(h));
        if (bad.length) {
          out.push({
            code: 'match-hook',
            severity: 'error',
            message: `the ${ms.name} match is only valid in ${ms.hooks.join(', ')}, but ${c.name} is reached from ${bad.join(', ')}; the kernel refuses the table`,
            span: m.nameWord,
          });
        }
      }
      for (const o of r.generic) {
        if (o.name === '-i' && [...from].every((h) => h === 'OUTPUT' || h === 'POSTROUTING')) {
          out.push({
            code: 'interface-direction',
            severity: 'warning',
            message: `-i never matches here: ${c.name} is reached only from ${[...from].join(', ')}, where packets have no incoming interface`,
            span: o.nameSpan,
          });
        }
        if (o.name === '-o' && [...from].every((h) => h === 'INPUT' || h === 'PREROUTING')) {
          out.push({
            code: 'interface-direction',
            severity: 'warning',
            message: `-o never matches here: ${c.name} is reached only from ${[...from].join(', ')}, before the outgoing interface is known`,
            span: o.nameSpan,
          });
        }
      }
    }
  }
  return out;
}

/** Each table's findings, kept while the table holds the same chains and rules (see TableMemo). */
const GRAPH_MEMO = new TableMemo<readonly Finding[]>();

export function checkChainGraph(rs: Ruleset): Finding[] {
  const out: Finding[] = [];
  for (const t of rs.tables.values()) {
    const found = GRAPH_MEMO.get([t], '', () => [...findLoops(t), ...checkUserChainHooks(t, reachability(t))]);
    for (const f of found) out.push(f);
  }
  return out;
}
