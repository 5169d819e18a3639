/**
 * iptables-lens/reset-swallowed (story 4): INPUT or FORWARD rejects a host with a TCP reset, but
 * OUTPUT drops or rejects traffic to the same host. The RST that REJECT sends is a packet of this
 * host and leaves through OUTPUT (nf_reject sends it with ip_local_out), so the OUTPUT rule swallows
 * it and the peer never learns that its connection is gone.
 */
import { type Finding, type Rule, type Ruleset, spanAt } from '../../model/ruleset';
import { analysisContext, limitFinding, TAKEN_BY_REJECTS, TAKEN_ONLY, TCP_START } from '../context';
import { Box, boxGet, ISet, Space, stateValue } from '../packet-space';
import { flagSet } from '../rule-space';
import { LineFindings } from '../line-findings';
import { isDrop, lineRef, rejectsWithReset } from './rule-facts';

/**
 * The RSTs a rejecting rule sends back for packets of tracked connections (the ones a user wants
 * to end): addresses and ports swapped, flag RST. nf_send_reset attaches the rejected packet's
 * conntrack entry to the reset with ctinfo RELATED (nf_conntrack_attach in nf_conntrack_core.c), so
 * in OUTPUT the reset is RELATED.
 */
function resetSpace(ctx: ReturnType<typeof analysisContext>, taken: Space): Space {
  const tracked = ISet.fromValues([stateValue('NEW'), stateValue('ESTABLISHED'), stateValue('RELATED')]);
  const boxes: Box[] = taken.restrict(ctx.env, 'state', tracked).boxes.map((b) => {
    return Box.from([
      ['proto', ISet.point(6n)],
      ['src', boxGet(ctx.env, b, 'dst')],
      ['dst', boxGet(ctx.env, b, 'src')],
      ['sport', boxGet(ctx.env, b, 'dport').intersect(ISet.of(0n, 65535n))],
      ['dport', boxGet(ctx.env, b, 'sport').intersect(ISet.of(0n, 65535n))],
      ['flags', flagSet(0x04, 0x04)],
      ['state', ISet.point(stateValue('RELATED'))],
      ['iif', ISet.point(0n)],
    ]);
  });
  return new Space(boxes, taken.approximate);
}

export interface ResetSwallowedData {
  /** The OUTPUT rule that stops the resets; undefined when the policy does. */
  readonly swallowerLine: number | undefined;
}

/**
 * The REJECT rules that answer with a TCP reset, in line order, kept for the lines an edit left
 * alone (a pass over every rule of a 100 000-rule file took 8 ms per edit). They choose the hooks
 * to walk: a rule that is in no chain (deleted by a later -D) adds at most a walk that finds it nowhere.
 */
const RESETTING = LineFindings.rulesWhere(rejectsWithReset);

export function checkResetSwallowed(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  const filter = rs.tables.get('filter');
  if (!filter) return out;
  // only the hooks that lead to a REJECT with tcp-reset: no other rule sends resets
  const rejects = RESETTING.findings(rs).filter((r) => r.table === 'filter');
  if (!rejects.length) return out;
  const hooks = ctx.hooksReaching(filter, rejects);
  let limitedOutput = false;
  for (const hook of ['INPUT', 'FORWARD'] as const) {
    if (!hooks.has(hook)) continue;
    const res = ctx.reach('filter', hook, TCP_START.space, TCP_START.key, TAKEN_BY_REJECTS);
    if (!res) continue;
    // the REJECTs a walk cut short did get to are judged; the others are said to be unchecked
    if (!res.complete) out.push(limitFinding(filter, hook, 'Resets of a REJECT dropped in OUTPUT'));
    // (the walk's rules looked up from the REJECTs, not gone through: it took packets at each of
    // the 80 000 rules of the firewall-like 100k file)
    for (const rule of rejects) {
      const took = res.taken.get(rule);
      if (!took) continue;
      const tcp = took.restrict(ctx.env, 'proto', ISet.point(6n));
      if (tcp.empty) continue;
      const resets = resetSpace(ctx, tcp);
      const out2 = ctx.reach('filter', 'OUTPUT', resets, `resets:${rule.line}`, TAKEN_ONLY);
      if (!out2) continue;
      let swallower: Rule | undefined;
      for (const [r, t] of out2.taken) {
        if (isDrop(r) && !t.empty && ctx.compiled.get(r)?.exact) {
          swallower = r;
          break;
        }
      }
      // (a walk cut short leaves packets that later rules might take: no claim about the policy)
      const policyDrops = out2.complete && filter.chains.get('OUTPUT')?.policy === 'DROP' && !out2.toPolicy.empty;
      if (!out2.complete && !limitedOutput) {
        limitedOutput = true;
        out.push(limitFinding(filter, 'OUTPUT', 'Resets of a REJECT dropped in OUTPUT'));
      }
      if (!swallower && !policyDrops) continue;
      out.push({
        code: 'reset-swallowed',
        severity: 'warning',
        message: swallower
          ? `the TCP resets this REJECT sends leave through OUTPUT, where ${lineRef(swallower)} (${swallower.target!.name}) stops them: the peer never receives the RST and keeps its connection open`
          : 'the TCP resets this REJECT sends leave through OUTPUT, whose DROP policy stops them: the peer never receives the RST',
        span: spanAt(rule.line, rule.target!.nameWord),
        ...(swallower ? { related: [{ span: swallower.span, message: 'drops the resets on their way out' }] } : {}),
        data: { swallowerLine: swallower?.line } satisfies ResetSwallowedData,
      });
    }
  }
  return out;
}
