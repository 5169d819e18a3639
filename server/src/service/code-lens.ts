/**
 * Code lenses on the rules that decide or report (LOG, NFLOG, DROP, REJECT): which conntrack states
 * and protocols can reach them, from the symbolic walk of every hook that leads there.
 */
import { analysisContext, TAKEN_ONLY } from '../analysis/context';
import { Space, STATES } from '../analysis/packet-space';
import { protocolName } from '../knowledge/generic';
import type { Hook } from '../knowledge/types';
import { isRule, type Rule, type Ruleset, type Span, spanAt } from '../model/ruleset';

export interface Lens {
  readonly span: Span;
  readonly title: string;
  /** The rule the lens sits on. */
  readonly line: number;
}

const INTERESTING = new Set(['LOG', 'NFLOG', 'DROP', 'REJECT']);
/** Past this many rules the lenses are not computed (the editor stays responsive). */
export const MAX_RULES_FOR_LENSES = 5000;

function describeReach(ctx: ReturnType<typeof analysisContext>, space: Space): string {
  const states = space.project(ctx.env, 'state');
  const stateNames = STATES.filter((_, i) => states.has(BigInt(i)));
  const protos = space.project(ctx.env, 'proto');
  const size = protos.size();
  const protoText = size >= 256n ? 'any protocol' : size <= 3n ? [...protos.ranges].flatMap(([a, b]) => Array.from({ length: Number(b - a + 1n) }, (_, k) => protocolName(String(Number(a) + k)))).join(', ') : `${size} protocols`;
  return `${stateNames.length === STATES.length ? 'every state' : stateNames.join(', ')} · ${protoText}`;
}

/**
 * Whether the file has more than n rules, counted from its first line until n is passed: after an
 * edit, the list of all rules is made only when something reads it (see parser/ruleset-parser.ts),
 * and a big file would otherwise make it for the lenses it gets none of.
 */
function moreRulesThan(rs: Ruleset, n: number): boolean {
  let seen = 0;
  for (const l of rs.lines) if (l.kind === 'command' && isRule(l) && ++seen > n) return true;
  return false;
}

export function codeLenses(rs: Ruleset): Lens[] {
  if (moreRulesThan(rs, MAX_RULES_FOR_LENSES)) return [];
  const ctx = analysisContext(rs);
  const reached = new Map<Rule, Space>();
  for (const table of rs.tables.values()) {
    for (const chain of table.chains.values()) {
      if (!chain.builtin) continue;
      // what each rule takes is what arrives there within its conditions: no need to keep the arrivals
      const res = ctx.reach(table.name, chain.name as Hook, Space.ALL, 'all', TAKEN_ONLY);
      for (const [r, took] of res?.taken ?? []) {
        if (!r.target || !INTERESTING.has(r.target.name)) continue;
        if (!ctx.compiled.get(r)) continue;
        reached.set(r, (reached.get(r) ?? Space.NONE).union(took));
      }
    }
  }
  const out: Lens[] = [];
  for (const r of rs.rules) {
    if (!r.target || !INTERESTING.has(r.target.name)) continue;
    const s = reached.get(r);
    const title = !s || s.empty ? 'reached by no packet' : `reached by: ${describeReach(ctx, s)}${s.approximate ? ' (approximate)' : ''}`;
    out.push({ span: spanAt(r.line, r.command.word), title, line: r.line });
  }
  return out;
}
