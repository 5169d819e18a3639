/**
 * Two checks about exempting traffic from connection tracking (story 5):
 * - iptables-lens/notrack-without-untracked: packets untracked in the raw table (NOTRACK or
 *   CT --notrack) reach a filter chain where no rule accepts them (state rules never list
 *   UNTRACKED, and UNTRACKED is neither NEW nor ESTABLISHED) and the policy or a final rule drops
 *   them: the exempted service becomes unreachable.
 * - iptables-lens/one-way-notrack: a raw-table exemption for one direction only (PREROUTING for a
 *   destination port without the OUTPUT rule for the replies' source port, or the reverse): the
 *   other direction still creates conntrack entries, and its packets are judged against entries
 *   that do not see the whole conversation.
 */
import { wordsOf } from '../../model/line-words';
import type { Hook } from '../../knowledge/types';
import { type Finding, type OptionNode, type Rule, type Ruleset, spanAt } from '../../model/ruleset';
import { analysisContext, type Keep, limitFinding, TAKEN_ONLY } from '../context';
import { Box, type Dim, ISet, Space, type SpaceEnv, stateValue } from '../packet-space';
import { verdictKind } from '../reach';
import { isAccept, isDrop, lineRef, narrowsToAddresses, stateList } from './rule-facts';

export interface UntrackedData {
  readonly filterChain: string;
  /** Line of a state rule (ESTABLISHED accept) to which UNTRACKED can be added (one that would take them all). */
  readonly stateRuleLine?: number;
  /** Line of the first rule that drops the untracked packets (or of the jump in filterChain that leads to it), to insert an accept before. */
  readonly dropLine?: number;
}

export interface OneWayData {
  readonly mirrorChain: string;
  readonly mirrorSpec: string;
}

function notrackRules(rs: Ruleset, hook: Hook): Rule[] {
  return rs.tables.get('raw')?.chains.get(hook)?.rules.filter((r) => verdictKind(r) === 'notrack') ?? [];
}

/**
 * A rule that applies to some addresses only, with no condition the packet cannot decide. Kept by
 * the rule's option list, per environment: what the rule compiles to follows from them, a line an
 * edit moved keeps its list, and the walks of this check ask it of every ban of a blocklist they
 * pass (83 000 in the firewall-like 100k file, after every edit among them).
 */
function isBan(ctx: ReturnType<typeof analysisContext>, r: Rule): boolean {
  let known = BANS.get(ctx.env);
  if (!known) BANS.set(ctx.env, (known = new WeakMap()));
  let ban = known.get(r.options);
  if (ban === undefined) {
    const rsp = ctx.compiled.get(r);
    ban = !!rsp?.exact && rsp.conditions.some((c) => c.option !== undefined && narrowsToAddresses(c.option));
    known.set(r.options, ban);
  }
  return ban;
}

/** isBan by environment and option list. */
const BANS = new WeakMap<SpaceEnv, WeakMap<readonly OptionNode[], boolean>>();

/** The same packets whatever their conntrack state. */
function withoutState(s: Space): Space {
  return new Space(
    s.boxes.map((b) => b.without('state')),
    s.approximate,
  );
}

/** An ACCEPT by a state list that holds ESTABLISHED: where UNTRACKED could be added. */
function isStateAccept(r: Rule): boolean {
  if (!isAccept(r)) return false;
  const st = stateList(r);
  return !!st && !st.negated && st.states.includes('ESTABLISHED');
}

/**
 * The arrivals this check reads: at state accepts (the one to extend) and at drops other than
 * bans (where the untracked packets are dropped). Not at bans: a firewall with thousands of them
 * would keep, at each, what is left after all the bans before it, and the check never reads those.
 */
function deciding(ctx: ReturnType<typeof analysisContext>): Keep {
  // (asked of every rule a walk passes, 83 000 bans in a blocklist: a drop is never an accept)
  return { name: 'state-accept-or-drop', test: (r) => (isDrop(r) ? !isBan(ctx, r) : isStateAccept(r)) };
}

export function checkNotrackWithoutUntracked(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  const filter = rs.tables.get('filter');
  if (!filter) return out;
  for (const [rawHook, filterHook] of [['PREROUTING', 'INPUT'], ['OUTPUT', 'OUTPUT']] as const) {
    if (!notrackRules(rs, rawHook).length) continue; // nothing untracked: nothing to walk
    const rawRes = ctx.reach('raw', rawHook, Space.ALL, 'all', TAKEN_ONLY);
    if (!rawRes) continue;
    if (!rawRes.complete) {
      out.push(limitFinding(rs.tables.get('raw')!, rawHook, 'Untracked packets nobody accepts'));
      continue;
    }
    for (const nt of notrackRules(rs, rawHook)) {
      const took = rawRes.taken.get(nt);
      if (!took || took.empty) continue;
      const untracked = new Space(took.boxes.map((b) => b.with('state', ISet.point(stateValue('UNTRACKED')))), took.approximate);
      const res = ctx.reach('filter', filterHook, untracked, `untracked:${nt.line}`, deciding(ctx));
      if (!res) continue;
      // "no rule accepts them" needs every rule looked at
      if (!res.complete) {
        if (!out.some((f) => f.code === 'analysis-limit' && f.message.includes(`filter ${filterHook}.`))) out.push(limitFinding(filter, filterHook, 'Untracked packets nobody accepts'));
        continue;
      }
      // what some ACCEPT rule might take (over-approximated); the rest is certainly never accepted
      let accepted = Space.NONE;
      for (const [r, t] of res.taken) if (isAccept(r)) accepted = accepted.union(t);
      let neverAccepted = untracked.subtract(ctx.env, accepted);
      if (neverAccepted.empty || neverAccepted.approximate) continue;
      // packets a ban (a drop narrowed to some addresses) takes are dropped on purpose, tracked or
      // not: only the rest says that the exempted service itself is unreachable
      // (taken out together: one by one, a blocklist of thousands would copy the ever-longer list
      // of addresses left after each; their union is one box when they differ in addresses only)
      const bans = [...res.taken].filter(([r]) => isDrop(r) && isBan(ctx, r)).map(([, t]) => t);
      const banned = Space.unionAll(bans);
      if (!banned.approximate) neverAccepted = neverAccepted.subtract(ctx.env, banned);
      else for (const t of bans) neverAccepted = neverAccepted.subtract(ctx.env, t);
      if (neverAccepted.empty || neverAccepted.approximate) continue;
      let dropper: Rule | undefined;
      for (const [r, t] of res.taken) if (isDrop(r) && !isBan(ctx, r) && t.meets(ctx.env, neverAccepted)) dropper ??= r;
      const policyDrop = filter.chains.get(filterHook)?.policy === 'DROP' && res.toPolicy.meets(ctx.env, neverAccepted);
      if (!dropper && !policyDrop) continue;
      const chain = filter.chains.get(filterHook)!;
      // the state accept to extend: one that the untracked packets reach and that, with UNTRACKED
      // in its list, would take all of them (not a `-p tcp` one for untracked UDP)
      const stateRule = chain.rules.find((r) => {
        const rsp = ctx.compiled.get(r);
        if (!isStateAccept(r) || !rsp) return false;
        const arrived = (res.arrivals.get(r) ?? []).reduce((u, a) => u.union(a.space), Space.NONE);
        return withoutState(rsp.space).covers(ctx.env, neverAccepted) && arrived.covers(ctx.env, neverAccepted);
      });
      // where an accept for them goes: before the drop, or before the jump that leads to it
      const dropEntry = dropper && (dropper.chain === filterHook ? dropper : res.arrivals.get(dropper)?.find((a) => a.space.meets(ctx.env, neverAccepted))?.path[0]);
      const data: UntrackedData = {
        filterChain: filterHook,
        ...(stateRule ? { stateRuleLine: stateRule.line } : {}),
        ...(dropEntry ? { dropLine: dropEntry.line } : {}),
      };
      out.push({
        code: 'notrack-without-untracked',
        severity: 'warning',
        message:
          `the packets this rule exempts from tracking reach filter ${filterHook} as UNTRACKED, and no rule there accepts them ` +
          `(UNTRACKED is neither NEW nor ESTABLISHED); ${dropper ? `${lineRef(dropper)} drops them` : `the ${filterHook} policy drops them`}. ` +
          (stateRule ? `Add UNTRACKED to the state list on ${lineRef(stateRule)}.` : `Accept UNTRACKED in ${filterHook}.`),
        span: spanAt(nt.line, nt.target!.nameWord),
        related: [
          ...(stateRule ? [{ span: stateRule.span, message: 'accepts by state but not UNTRACKED' }] : []),
          ...(dropper ? [{ span: dropper.span, message: 'drops the untracked packets' }] : []),
        ],
        data,
      });
    }
  }
  return out;
}

const SWAP: Partial<Record<Dim, Dim>> = { src: 'dst', dst: 'src', sport: 'dport', dport: 'sport', iif: 'oif', oif: 'iif' };

/** The replies to a set of packets: addresses, ports and interfaces swapped; flags and state free. */
function mirror(s: Space): Space {
  return new Space(
    s.boxes.map((b): Box => {
      const swapped: [Dim, ISet][] = [];
      for (const [d, set] of b) if (d !== 'flags' && d !== 'state') swapped.push([SWAP[d] ?? d, set]);
      return Box.from(swapped);
    }),
    s.approximate,
  );
}

const OPT_SWAP: Record<string, string> = {
  '-s': '-d', '--source': '-d', '--src': '-d', '-d': '-s', '--destination': '-s', '--dst': '-s',
  '-i': '-o', '--in-interface': '-o', '-o': '-i', '--out-interface': '-i',
  '--sport': '--dport', '--source-port': '--dport', '--dport': '--sport', '--destination-port': '--sport',
  '--sports': '--dports', '--source-ports': '--dports', '--dports': '--sports', '--destination-ports': '--sports',
};

/** The rule for the other direction, as a specification (options swapped). */
function mirrorSpec(r: Rule): string {
  const words = wordsOf(r);
  const start = words.indexOf(r.command.chain!) + 1;
  return words
    .slice(start)
    .filter((w) => w !== r.tableWord && !(w.text === '-t' && words[words.indexOf(w) + 1] === r.tableWord))
    .map((w) => {
      const opt = r.options.find((o) => o.word === w);
      if (opt && OPT_SWAP[opt.word.text]) return OPT_SWAP[opt.word.text]!;
      return w.quoted ? `"${w.text}"` : w.text;
    })
    .join(' ');
}

export function checkOneWayNotrack(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  const raw = rs.tables.get('raw');
  if (!raw) return out;
  for (const [hook, other] of [['PREROUTING', 'OUTPUT'], ['OUTPUT', 'PREROUTING']] as const) {
    if (!notrackRules(rs, hook).length) continue; // no exemption here to be one-way
    const res = ctx.reach('raw', hook, Space.ALL, 'all', TAKEN_ONLY);
    const otherRes = ctx.reach('raw', other, Space.ALL, 'all', TAKEN_ONLY);
    if (!res || !otherRes) continue;
    if (!res.complete || !otherRes.complete) {
      out.push(limitFinding(raw, res.complete ? other : hook, 'One-way NOTRACK'));
      continue;
    }
    let otherCovered = Space.NONE;
    for (const r of notrackRules(rs, other)) otherCovered = otherCovered.union(otherRes.taken.get(r) ?? Space.NONE);
    for (const r of notrackRules(rs, hook)) {
      const took = res.taken.get(r);
      if (!took || took.empty) continue;
      const rsp = ctx.compiled.get(r)!;
      if (!rsp.exact) continue;
      const replies = mirror(rsp.space);
      if (otherCovered.covers(ctx.env, replies)) continue;
      out.push({
        code: 'one-way-notrack',
        severity: 'warning',
        message:
          `only one direction is exempted from tracking: raw ${hook} untracks these packets, but no raw ${other} rule untracks the ${hook === 'PREROUTING' ? 'replies this host sends' : 'replies that come back'}, ` +
          'so they still create conntrack entries (the table keeps filling) and are judged against half a conversation. Add the mirrored rule.',
        span: spanAt(r.line, r.target!.nameWord),
        data: { mirrorChain: other, mirrorSpec: mirrorSpec(r) } satisfies OneWayData,
      });
    }
  }
  return out;
}
