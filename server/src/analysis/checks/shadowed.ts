/**
 * iptables-lens/shadowed-rule, redundant-rule and unreachable-rule: rules no packet can reach, or
 * that change nothing, judged over the packet space of the same chain.
 * - unreachable: an earlier rule with no condition at all and a final verdict takes everything;
 * - shadowed: earlier rules with final verdicts cover every packet the rule matches, with another
 *   verdict, so the rule never decides anything;
 * - redundant: the same, but the covering rules give the same verdict; or every packet it takes
 *   would get the same verdict from the rules after it (or the policy) if it were removed.
 * Only rules whose conditions can all be decided from the packet take part (a `-m limit` or
 * `-m recent` rule may or may not match, so it neither covers nor is judged).
 */
import type { Finding, Rule, Ruleset } from '../../model/ruleset';
import { analysisContext } from '../context';
import { Space } from '../packet-space';
import { verdictKind } from '../reach';
import { lineRef, statedPolicy, verdictKey } from './rule-facts';

function describe(rules: readonly Rule[]): string {
  return rules.map((r) => lineRef(r)).join(', ');
}

export function checkShadowed(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  for (const table of rs.tables.values()) {
    for (const chain of table.chains.values()) {
      const earlier: Rule[] = [];
      let covered = Space.NONE;
      let unconditional: Rule | undefined;
      chain.rules.forEach((r, i) => {
        const rsp = ctx.compiled.get(r);
        if (!rsp) return;
        if (unconditional) {
          out.push({
            code: 'unreachable-rule',
            severity: 'warning',
            message: `no packet reaches this rule: ${lineRef(unconditional)} (${unconditional.target?.name}) takes every packet before it`,
            span: r.span,
            tags: ['unnecessary'],
            related: [{ span: unconditional.span, message: 'this rule takes every packet' }],
          });
          return;
        }
        const key = verdictKey(r);
        const terminal = key !== undefined && verdictKind(r) !== 'jump';
        if (rsp.exact && !rsp.space.empty && !covered.empty && !covered.approximate && covered.covers(ctx.env, rsp.space)) {
          const by = earlier.filter((e) => !ctx.compiled.get(e)!.space.intersect(ctx.env, rsp.space).empty);
          const same = by.every((e) => verdictKey(e) === key);
          out.push({
            code: same ? 'redundant-rule' : 'shadowed-rule',
            severity: same ? 'information' : 'warning',
            message: same
              ? `this rule changes nothing: every packet it matches is already handled the same way by ${describe(by)}`
              : `this rule never takes effect: every packet it matches is already decided by ${describe(by)}`,
            span: r.span,
            tags: ['unnecessary'],
            related: by.map((e) => ({ span: e.span, message: `decides these packets first (${e.target?.name ?? 'no target'})` })),
          });
        } else if (terminal && rsp.exact && key && rsp.conditions.length > 0) {
          // (an unconditional final DROP that repeats the policy is a deliberate style: not flagged)
          const redundantBelow = sameEffectBelow(rs, chain.rules.slice(i + 1), rsp.space, key, statedPolicy(chain));
          if (redundantBelow) {
            out.push({
              code: 'redundant-rule',
              severity: 'information',
              message: `this rule changes nothing: without it, every packet it matches would get the same verdict from ${redundantBelow}`,
              span: r.span,
              tags: ['unnecessary'],
            });
          }
        }
        if (terminal && rsp.exact) {
          covered = covered.union(rsp.space);
          earlier.push(r);
          if (rsp.conditions.length === 0) unconditional = r;
        }
      });
    }
  }
  return out;

  /** Would the packets of `space` get verdict `key` from `rest` (then the policy) anyway? */
  function sameEffectBelow(rs0: Ruleset, rest: readonly Rule[], space: Space, key: string, policy: string | undefined): string | undefined {
    const env = analysisContext(rs0).env;
    let s = space;
    const used: Rule[] = [];
    for (const r of rest) {
      if (s.empty) break;
      const rsp = analysisContext(rs0).compiled.get(r);
      if (!rsp) return undefined;
      const hit = s.intersect(env, rsp.space);
      if (hit.empty) continue;
      if (!rsp.exact || verdictKey(r) !== key) return undefined; // someone else would see or decide them
      s = s.subtract(env, rsp.space);
      used.push(r);
      if (s.approximate) return undefined;
    }
    if (s.empty) return describe(used);
    if (policy && key === policy) return used.length ? `${describe(used)} and the ${policy} policy` : `the ${policy} policy`;
    return undefined;
  }
}
