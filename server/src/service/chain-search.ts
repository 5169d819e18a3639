/**
 * Chains found by name, for workspace symbols: what an editor offers to jump to when the user types
 * part of a name (Ctrl+T in VS Code). The outline lists the first chains only (see symbols.ts
 * listed), so this is how any chain of a 35 000-chain kube-proxy file is found.
 */
import { chainPlace, type Ruleset, type Span } from '../model/ruleset';

export interface FoundChain {
  readonly table: string;
  readonly name: string;
  readonly builtin: boolean;
  /** Where it is declared, or (a chain without a declaration line) named by its first rule. */
  readonly span: Span;
}

/** Chains found at most for one query (editors ask again as the user types more of it). */
export const MAX_FOUND_CHAINS = 1000;

/**
 * Whether `name` holds the letters of `query` in order (any case, other letters between them, as
 * editors match symbols: `ksvc` finds KUBE-SVC-…); 2 when it holds `query` itself, 1 when only in
 * order, 0 when not.
 */
export function nameMatch(name: string, query: string): 0 | 1 | 2 {
  if (!query) return 2;
  const n = name.toLowerCase();
  const q = query.toLowerCase();
  if (n.includes(q)) return 2;
  let at = 0;
  for (const ch of q) {
    at = n.indexOf(ch, at);
    if (at < 0) return 0;
    at++;
  }
  return 1;
}

/**
 * The chains of `rs` whose names match `query` (see nameMatch), those holding it whole first, each
 * in table and file order, at most `limit`.
 */
export function chainsMatching(rs: Ruleset, query: string, limit = MAX_FOUND_CHAINS): FoundChain[] {
  const whole: FoundChain[] = [];
  const inOrder: FoundChain[] = [];
  for (const t of rs.tables.values()) {
    for (const c of t.chains.values()) {
      const m = nameMatch(c.name, query);
      if (m === 0 || (m === 2 ? whole.length : whole.length + inOrder.length) >= limit) continue;
      // (a built-in chain the file never names is nowhere to go to)
      const span = chainPlace(c);
      if (span) (m === 2 ? whole : inOrder).push({ table: c.table, name: c.name, builtin: c.builtin, span });
    }
  }
  return whole.concat(inOrder).slice(0, limit);
}
