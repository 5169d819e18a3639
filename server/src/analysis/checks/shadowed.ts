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
import type { Chain, Finding, Rule, Ruleset } from '../../model/ruleset';
import { analysisContext, ChainMemo } from '../context';
import { type Box, DIMS, type Dim, domain, ISet, Space, type SpaceEnv } from '../packet-space';
import { verdictKind } from '../reach';
import { lineRef, statedPolicy, verdictKey } from './rule-facts';

function describe(rules: readonly Rule[]): string {
  return rules.map((r) => lineRef(r)).join(', ');
}

/**
 * The most rules one chain's questions may look at (each rule asks which earlier rules cover it and
 * which later ones decide the same): realistic chains stay far below; a chain whose every rule
 * overlaps thousands of others (one pair of interface rules per Docker bridge, 8 000 bridges) would
 * take minutes, and stops here with a note.
 */
export const SHADOW_BUDGET = 1_000_000;

/** Each chain's findings, kept while the chain holds the same rules (and policy). */
const MEMO = new ChainMemo<readonly Finding[]>();

export function checkShadowed(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  for (const table of rs.tables.values()) {
    for (const chain of table.chains.values()) {
      for (const f of MEMO.get(ctx, chain, statedPolicy(chain) ?? '', () => chainFindings(chain))) out.push(f);
    }
  }
  return out;

  function chainFindings(chain: Chain): Finding[] {
    const out: Finding[] = [];
    {
      // the earlier rules that cover a rule are among those that meet it: the chain's index finds
      // them without going through every earlier rule (a 50 000-line blocklist stays linear)
      const index = ctx.index(chain);
      const rules = chain.rules;
      /** Earlier rules with a final verdict and decidable conditions (they cover what they match). */
      const covering = new Set<number>();
      let unconditional: Rule | undefined;
      /** Rules looked at for the questions so far (see SHADOW_BUDGET). */
      let work = 0;
      let stoppedAt: Rule | undefined;
      rules.forEach((r, i) => {
        const rsp = ctx.compiled.get(r);
        if (!rsp || stoppedAt) return;
        if (work > SHADOW_BUDGET) {
          // every rule of this chain meets thousands of others: say where the check stopped
          stoppedAt = r;
          out.push({
            code: 'analysis-limit',
            severity: 'information',
            message: `Rules that never take effect or change nothing: not checked in ${chain.name} from this rule on. Its rules each overlap thousands of the others, and comparing them takes more work than the analysis allows (${SHADOW_BUDGET.toLocaleString('en-US')} comparisons); what is reported above this line is exact. The other checks still run.`,
            span: r.span,
          });
          return;
        }
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
        const by = rsp.exact && !rsp.space.empty && covering.size ? coveringRules(i, rsp.space) : undefined;
        if (by) {
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
          const redundantBelow = sameEffectBelow(i, rsp.space, key, statedPolicy(chain));
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
          covering.add(i);
          if (rsp.conditions.length === 0) unconditional = r;
        }
      });

      /**
       * The earlier covering rules that meet `space`, in order, when together they take all of it
       * (exactly: undefined when they do not, or when their union is too large to be exact).
       */
      function coveringRules(i: number, space: Space): Rule[] | undefined {
        // a corner of the rule's packets that no earlier rule takes proves it is not covered; most
        // rules are settled this way with a look at the few rules that contain that one packet
        for (const w of corners(ctx.env, space)) {
          const box: Box = new Map([...w].map(([d, v]) => [d, ISet.point(v)]));
          const cands = index.candidates([box]);
          work += cands.length;
          const hit = cands.some((p) => p < i && covering.has(p) && ctx.compiled.get(rules[p]!)!.space.contains(ctx.env, w));
          if (!hit) return undefined;
        }
        const by: Rule[] = [];
        const spaces: Space[] = [];
        const cands = index.candidates(space.boxes);
        work += cands.length;
        for (const p of cands) {
          if (p >= i) break;
          if (!covering.has(p)) continue;
          const e = rules[p]!;
          const esp = ctx.compiled.get(e)!.space;
          if (esp.intersect(ctx.env, space).empty) continue;
          by.push(e);
          spaces.push(esp);
        }
        if (!by.length) return undefined;
        const union = Space.unionAll(spaces);
        if (union.approximate || !union.covers(ctx.env, space)) return undefined;
        return by;
      }

      /** Would the packets of `space` get verdict `key` from the rules after i (then the policy) anyway? */
      function sameEffectBelow(i: number, space: Space, key: string, policy: string | undefined): string | undefined {
        let s = space;
        const used: Rule[] = [];
        // the later rules that can meet these packets; the others would let them pass untouched
        const later = index.candidates(space.boxes, i + 1);
        work += later.length;
        for (const p of later) {
          if (s.empty) break;
          const r = rules[p]!;
          const rsp = ctx.compiled.get(r);
          if (!rsp) return undefined;
          const hit = s.intersect(ctx.env, rsp.space);
          if (hit.empty) continue;
          if (!rsp.exact || verdictKey(r) !== key) return undefined; // someone else would see or decide them
          s = s.subtract(ctx.env, rsp.space);
          used.push(r);
          if (s.approximate) return undefined;
        }
        if (s.empty) return describe(used);
        if (policy && key === policy) return used.length ? `${describe(used)} and the ${policy} policy` : `the ${policy} policy`;
        return undefined;
      }
    }
    return out;
  }
}

/** The lowest and highest packet of the first boxes of a space, as points. */
function corners(env: SpaceEnv, space: Space): Map<Dim, bigint>[] {
  const out: Map<Dim, bigint>[] = [];
  for (const b of space.boxes.slice(0, 4)) {
    const lo = new Map<Dim, bigint>();
    const hi = new Map<Dim, bigint>();
    for (const d of DIMS) {
      const s = b.get(d);
      const [dlo, dhi] = domain(env, d);
      lo.set(d, s && !s.empty ? s.ranges[0]![0] : dlo);
      hi.set(d, s && !s.empty ? s.ranges[s.ranges.length - 1]![1] : dhi);
    }
    out.push(lo, hi);
  }
  return out;
}
