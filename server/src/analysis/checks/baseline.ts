/**
 * Two checks of what a dropping INPUT/FORWARD chain needs:
 * - iptables-lens/missing-established-accept: the chain drops by default (policy or final rule)
 *   and no rule accepts ESTABLISHED packets for every port: replies to connections this host (or,
 *   in FORWARD, the network behind it) opened are dropped.
 * - iptables-lens/missing-loopback-accept: INPUT drops by default and nothing accepts traffic on
 *   `lo`: local programs talking to 127.0.0.1 (databases, resolvers, caches) are cut off.
 */
import type { Hook } from '../../knowledge/types';
import { type Chain, declarationSpan, type Finding, type Ruleset, type Span, spanAt } from '../../model/ruleset';
import { analysisContext, type Keep, limitFinding } from '../context';
import { Box, boxCorner, DIMS, domain, ifaceValue, ISet, Space, type SpaceEnv, stateValue } from '../packet-space';
import { isAccept, isDrop } from './rule-facts';

export interface BaselineData {
  readonly chain: string;
  /** Insert the missing accept before this line (the chain's first rule), or after `afterLine`. */
  readonly beforeLine?: number;
  readonly afterLine?: number;
}

function dropsByDefault(chain: Chain): boolean {
  if (chain.policy === 'DROP') return true;
  const last = chain.rules[chain.rules.length - 1];
  return !!last && isDrop(last) && last.options.filter((o) => o.owner !== 'generic' || !['-j', '-g'].includes(o.name)).length === 0;
}

function anchor(rs: Ruleset, chain: Chain): Span | undefined {
  const decl = chain.declarations[0];
  if (decl) return declarationSpan(decl);
  const first = chain.rules[0];
  if (first) return spanAt(first.line, first.command.chain!);
  const c = rs.commands.find((c) => c.chain === chain.name);
  return c?.command?.chain && spanAt(c.line, c.command.chain);
}

function insertionPoint(chain: Chain, afterLoopback: boolean): BaselineData {
  const rules = chain.rules;
  let lo = afterLoopback ? rules.findIndex((r) => isAccept(r) && r.options.some((o) => o.owner === 'generic' && o.name === '-i' && o.args[0]?.text === 'lo' && !o.negated)) : -1;
  // below the loopback accept only when nothing above it drops: else the replies never get there
  if (rules.slice(0, Math.max(lo, 0)).some((r) => isDrop(r))) lo = -1;
  const target = rules[lo + 1];
  if (target) return { chain: chain.name, beforeLine: target.line };
  const last = rules[rules.length - 1];
  const decl = chain.declarations[chain.declarations.length - 1];
  return { chain: chain.name, afterLine: last?.line ?? decl?.line ?? 0 };
}

function acceptsSomething(chain: Chain): boolean {
  return chain.rules.some((r) => isAccept(r) || r.target?.kind === 'chain');
}

/**
 * Record no arrival and what ACCEPT rules alone take, and end the walk at the first ACCEPT that
 * takes some of the probe: that answers the question, and the rest of a long FORWARD chain
 * (Docker's thousands of rules, whose remaining packets split into many boxes) was most of the
 * work. (What the other rules take was unioned over every visit of the second isolation stage,
 * once per bridge: two thirds of the walk after an edit there.)
 */
const UNTIL_ACCEPT: Keep = { name: 'taken-until-accept', test: () => false, takes: isAccept, stop: (r, took) => isAccept(r) && !took.empty };

/** How many of the hook chain's own ACCEPT rules someAccept follows on their own. */
const OWN_ACCEPTS_TRIED = 3;

/**
 * Would any ACCEPT rule reached from `hook` take some of the packets in `probe`? ('unknown': the
 * walk stopped at its limit.) The packets of the first few ACCEPT rules of the hook's own chain
 * are followed first, each on their own: if one of those reaches an ACCEPT, so does the probe (a
 * walk follows each packet on its own), and a narrow set of packets stays cheap where the whole
 * probe splits into a piece per interface (a Docker host's isolation chains, thousands of bridges).
 */
function someAccept(ctx: ReturnType<typeof analysisContext>, hook: Hook, probe: Space, key: string): boolean | 'unknown' {
  const chain = ctx.rs.tables.get('filter')?.chains.get(hook);
  const parts: Space[] = [];
  for (const r of chain?.rules ?? []) {
    if (parts.length >= OWN_ACCEPTS_TRIED) break;
    const rsp = isAccept(r) ? ctx.compiled.get(r) : undefined;
    if (!rsp) continue;
    const part = probe.intersect(ctx.env, rsp.space);
    if (!part.empty) parts.push(part);
  }
  // first one packet of each (the lowest of its first box): a walk of one packet cuts no set into
  // pieces, where the packets of an accept's own part, entering a Docker host's first isolation
  // stage, lose one interface to each of its thousands of rules (35 ms of each edit there). An
  // ACCEPT that takes that packet takes some of the probe: the question is answered; one that
  // does not leaves it to the walks of all the packets below
  for (const [k, s] of [...parts, probe].entries()) {
    if (takesSome(ctx.reach('filter', hook, lowestPacket(ctx.env, s), `${key}:packet${k}`, UNTIL_ACCEPT))) return true;
  }
  for (const [k, part] of parts.entries()) {
    if (takesSome(ctx.reach('filter', hook, part, `${key}:own${k + 1}`, UNTIL_ACCEPT))) return true;
  }
  const res = ctx.reach('filter', hook, probe, key, UNTIL_ACCEPT);
  if (takesSome(res)) return true;
  return res && !res.complete ? 'unknown' : false;
}

/** The packet of `space` that is lowest in every dimension of its first box (the domain's lowest where the box is free). */
function lowestPacket(env: SpaceEnv, space: Space): Space {
  const b = space.boxAt(0);
  return Space.box(Box.from(DIMS.map((d) => [d, ISet.point(boxCorner(env, b, d, false))] as const)));
}

function takesSome(res: ReturnType<ReturnType<typeof analysisContext>['reach']>): boolean {
  for (const [r, t] of res?.taken ?? []) if (isAccept(r) && !t.empty) return true;
  return false;
}

export function checkBaseline(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  const filter = rs.tables.get('filter');
  if (!filter) return out;
  const tcp = Space.ALL.restrict(ctx.env, 'proto', ISet.point(6n));
  for (const hook of ['INPUT', 'FORWARD'] as const) {
    const chain = filter.chains.get(hook);
    if (!chain || !dropsByDefault(chain)) continue;
    // a chain that accepts nothing at all is closed on purpose (a host that does not route)
    if (!acceptsSomething(chain)) continue;
    const at = anchor(rs, chain);
    if (!at) continue;
    // the probe: a reply to an outgoing HTTPS connection (from port 443 to an ephemeral port),
    // arriving on a real interface: `-i lo -j ACCEPT` takes none of those
    const notLo = ISet.of(ifaceValue('') + 1n, domain(ctx.env, 'iif')[1]).subtract(ISet.point(ifaceValue('lo')));
    let reply = tcp
      .restrict(ctx.env, 'state', ISet.point(stateValue('ESTABLISHED')))
      .restrict(ctx.env, 'sport', ISet.point(443n))
      .restrict(ctx.env, 'dport', ISet.point(40000n));
    if (hook === 'INPUT') reply = reply.restrict(ctx.env, 'iif', notLo);
    const established = someAccept(ctx, hook, reply, 'probe:reply');
    if (established === 'unknown') out.push(limitFinding(filter, hook, 'No ESTABLISHED accept'));
    if (established === false) {
      out.push({
        code: 'missing-established-accept',
        severity: 'warning',
        message:
          `${hook} drops what no rule accepts, and no rule accepts packets of established connections: replies to connections ${hook === 'INPUT' ? 'this host opens (DNS, package updates, outgoing HTTPS)' : 'the network behind this router opens'} are dropped. ` +
          `Accept them near the top: \`-A ${hook} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\`.`,
        span: at,
        data: insertionPoint(chain, true),
      });
    }
    if (hook !== 'INPUT') continue;
    // the probe: a local program connecting to a database on 127.0.0.1
    const local = tcp
      .restrict(ctx.env, 'iif', ISet.point(ifaceValue('lo')))
      .restrict(ctx.env, 'state', ISet.point(stateValue('NEW')))
      .restrict(ctx.env, 'flags', ISet.point(2n))
      .restrict(ctx.env, 'dport', ISet.point(5432n));
    const loopback = someAccept(ctx, 'INPUT', local, 'probe:loopback');
    if (loopback === 'unknown') out.push(limitFinding(filter, 'INPUT', 'No loopback accept'));
    if (loopback === false) {
      out.push({
        code: 'missing-loopback-accept',
        severity: 'warning',
        message: 'INPUT drops what no rule accepts, and nothing accepts traffic on the loopback interface: programs on this host talking to 127.0.0.1 (databases, DNS resolvers, caches) are cut off. Accept it first: `-A INPUT -i lo -j ACCEPT`.',
        span: at,
        data: insertionPoint(chain, false),
      });
    }
  }
  return out;
}
