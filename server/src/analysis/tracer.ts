/**
 * The packet tracer: what the kernel does with one packet, rule by rule. It walks the hooks the
 * packet crosses (from its interfaces: IN only -> PREROUTING, INPUT; IN and OUT -> PREROUTING,
 * FORWARD, POSTROUTING; OUT only -> OUTPUT, POSTROUTING), the tables of each hook in kernel order
 * (raw, conntrack, mangle, nat for a connection's first packet only, filter, security), jumps,
 * gotos, RETURN, policies, and the targets that change the packet (NOTRACK -> UNTRACKED, MARK,
 * DNAT...). A rule whose conditions the packet cannot decide (recent lists, ipsets, statistic...)
 * makes the trace fork: one branch where it matches, one where it does not.
 */
import { parseUintIn } from '../knowledge/argtypes';
import { ctstateWithoutEntry } from '../knowledge/conntrack-tcp';
import type { Hook } from '../knowledge/types';
import type { Chain, OptionNode, Rule, Ruleset, Table } from '../model/ruleset';
import { analysisContext } from './context';
import { type Packet, packetPoint } from './packet';
import { type CtState, type Dim, type Space, STATES } from './packet-space';
import { addressExpansions, type Condition, type RuleSpace } from './rule-space';
import { traceChainIndex, traceIndexJobs } from './trace-index';

export type Tri = true | false | 'maybe';

export interface TraceStep {
  readonly kind: 'rule' | 'policy' | 'conntrack' | 'skip';
  readonly table: string;
  readonly chain: string;
  /** 1-based position of the rule in its chain. */
  readonly position?: number;
  /** 0-based line of the rule (or of the chain declaration for a policy). */
  readonly line?: number;
  readonly rule?: Rule;
  readonly matched: Tri;
  readonly target?: string;
  /** Why it did not match (the first failing condition), why it may match, or what happened. */
  readonly reason?: string;
  /** What the rule did to the packet (jump, accept, log, mark...). */
  readonly effect?: string;
}

export type FinalVerdict = 'ACCEPT' | 'DROP' | 'REJECT' | 'QUEUE' | string;

export interface TraceBranch {
  readonly steps: readonly TraceStep[];
  readonly verdict: FinalVerdict;
  /** Which rule or policy gave the verdict. */
  readonly decidedBy?: TraceStep;
  /** The choices taken at rules that could go either way. */
  readonly assumptions: readonly string[];
  /** The conntrack state the packet had in the filter table. */
  readonly ctstate: CtState;
}

export interface TraceOptions {
  /** The conntrack state to assume; 'auto' infers it as the kernel does for a packet with no entry. */
  readonly state?: CtState | 'auto';
  /** net.netfilter.nf_conntrack_tcp_loose (default 1). */
  readonly loose?: boolean;
  /** Most branches to explore at undecidable rules. */
  readonly maxBranches?: number;
  /** Test every rule of every chain one by one, without the per-chain index (the reference the index is tested against). */
  readonly unindexed?: boolean;
}

export interface TraceResult {
  readonly packet: Packet;
  readonly hooks: readonly Hook[];
  /** The state conntrack gives the packet, and why (for 'auto'). */
  readonly ctstate: CtState;
  readonly ctstateReason: string;
  readonly branches: readonly TraceBranch[];
  /** The verdict when every branch agrees, else 'maybe'. */
  readonly verdict: FinalVerdict | 'maybe';
}

const TABLES_OF: Record<Hook, readonly string[]> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  // nat INPUT is source NAT (priority 100, NF_IP_PRI_NAT_SRC): after filter (0); security INPUT is
  // 150 with iptables-nft (the default backend; 50 with iptables-legacy)
  INPUT: ['mangle', 'filter', 'nat', 'security'],
  FORWARD: ['mangle', 'filter', 'security'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter', 'security'],
  POSTROUTING: ['mangle', 'nat'],
};

export function hooksFor(p: Packet): Hook[] {
  if (p.iif && !p.oif) return ['PREROUTING', 'INPUT'];
  if (p.iif && p.oif) return ['PREROUTING', 'FORWARD', 'POSTROUTING'];
  return ['OUTPUT', 'POSTROUTING'];
}

const ICMP_ERRORS_V4 = new Set([3, 4, 5, 11, 12]);
/** The requests conntrack opens an entry for: echo, timestamp, information, address mask
 * (valid_new[] in nf_conntrack_proto_icmp.c); ICMPv6 echo request and node information query. */
const ICMP_OPENERS_V4 = new Set([8, 13, 15, 17]);
const ICMP_OPENERS_V6 = new Set([128, 139]);
/** Neighbour discovery and MLD: conntrack marks them UNTRACKED (noct_valid_new[] in nf_conntrack_proto_icmpv6.c). */
const ICMPV6_NOT_TRACKED = new Set([130, 131, 132, 133, 134, 135, 136, 143]);

/** The state conntrack gives a packet for which it has no entry. */
export function inferState(p: Packet, loose: boolean): { state: CtState; reason: string } {
  if (p.proto === 6) {
    const v = ctstateWithoutEntry(p.flags ?? 0, { loose });
    return { state: v.state, reason: v.reason };
  }
  if ((p.proto === 1 || p.proto === 58) && p.icmpType !== undefined) {
    const t = p.icmpType;
    const v6 = p.proto === 58;
    if (v6 && ICMPV6_NOT_TRACKED.has(t)) {
      return { state: 'UNTRACKED', reason: 'conntrack never tracks neighbour discovery and MLD messages: UNTRACKED' };
    }
    if (!v6 && t > 18) return { state: 'INVALID', reason: `ICMP type ${t} is above 18, a type conntrack does not know: INVALID` };
    if (v6 ? t < 128 : ICMP_ERRORS_V4.has(t)) {
      return { state: 'INVALID', reason: 'an ICMP error about a connection conntrack does not know is INVALID (about a known one it would be RELATED)' };
    }
    if (!(v6 ? ICMP_OPENERS_V6 : ICMP_OPENERS_V4).has(t)) {
      return {
        state: 'INVALID',
        reason: `conntrack opens entries only for ${v6 ? 'echo requests and node information queries' : 'echo, timestamp, information and address-mask requests'}; a reply with no request seen, or any other ICMP message, with no entry is INVALID`,
      };
    }
  }
  return { state: 'NEW', reason: 'the first packet of a flow conntrack has not seen opens a new entry: NEW' };
}

interface RunState {
  packet: { -readonly [K in keyof Packet]: Packet[K] };
  state: CtState;
  notrack: boolean;
  steps: TraceStep[];
  assumptions: string[];
  decisions: readonly boolean[];
  maybeIndex: number;
  /** Maybe points met beyond the given decisions (index, default taken). */
  open: number[];
}

/**
 * A step for a rule the packet did not take, as a plain object with the fields in the order every
 * step has them: one decided at a condition the packet may meet, or a MissedStep's JSON.
 */
function missed(base: Omit<TraceStep, 'matched'>, matched: Tri, reason: string | undefined): TraceStep {
  // (the reason in the literal itself: added afterwards, it went to a property store of its own,
  // 40 bytes more for each of the 100 000 steps the trace preparation of a big file makes ahead)
  const { kind, table, chain, position, line, rule, target } = base;
  if (target !== undefined) return reason ? { kind, table, chain, position, line, rule, target, matched, reason } : { kind, table, chain, position, line, rule, target, matched };
  return reason ? { kind, table, chain, position, line, rule, matched, reason } : { kind, table, chain, position, line, rule, matched };
}

/** The fields every step of the rule at `pos` (0-based) of a chain has, before its outcome. */
function stepBase(tableName: string, chain: Chain, pos: number): Omit<TraceStep, 'matched'> {
  const r = chain.rules[pos]!;
  return r.target
    ? { kind: 'rule', table: tableName, chain: chain.name, position: pos + 1, line: r.line, rule: r, target: r.target.name }
    : { kind: 'rule', table: tableName, chain: chain.name, position: pos + 1, line: r.line, rule: r };
}

/**
 * The step of a rule the packet did not match: it fails `failed`, the first of the rule's
 * conditions it fails. The step holds the rule and that condition, and makes its line, target and
 * words when read: a trace preparation makes one ahead for each of the 100 000 rules of a big
 * file's long chains, and a step with every field and its reason string was about 190 bytes
 * (Docker-like 100k: 19 MB of the 30 the preparation keeps).
 */
export class MissedStep implements TraceStep {
  constructor(
    readonly table: string,
    readonly chain: string,
    /** 1-based, as every step's. */
    readonly position: number,
    readonly rule: Rule,
    private readonly failed: Condition,
  ) {}

  get kind(): 'rule' {
    return 'rule';
  }

  get line(): number {
    return this.rule.line;
  }

  get target(): string | undefined {
    return this.rule.target?.name;
  }

  get matched(): false {
    return false;
  }

  /**
   * What the packet is not (for a negated condition, what it is: no "not not"), or that the
   * condition matches no packet at all (`! -p all`).
   */
  get reason(): string {
    if (this.failed.space?.empty) return 'matches no packet at all';
    const d = this.failed.describe;
    return d.startsWith('not ') ? d.slice(4) : `not ${d}`;
  }

  /** Its fields as a plain step has them, in the same order (what JSON shows of it: see missed). */
  toJSON(): TraceStep {
    return missed(this, this.matched, this.reason);
  }
}

/** The step of the rule at `pos` (0-based) of a chain, the packet failing its condition `failed`. */
function missedRule(tableName: string, chain: Chain, pos: number, failed: Condition): TraceStep {
  return new MissedStep(tableName, chain.name, pos + 1, chain.rules[pos]!, failed);
}

/**
 * The work a first trace through the long chains of this ruleset would do before it could start
 * (their indexes and ready steps), as jobs of a slice of a chain each (a few thousand rules, or
 * `slice`), for the server to run while idle after publishing a version's diagnostics. Traces give
 * the same answers with or without it, or with only some of the jobs run.
 */
export function traceJobs(rs: Ruleset, slice?: number): (() => void)[] {
  return traceIndexJobs(analysisContext(rs), missedRule, slice);
}

type Outcome = { kind: 'continue' } | { kind: 'return' } | { kind: 'accept'; step: TraceStep } | { kind: 'final'; verdict: FinalVerdict; step: TraceStep };

export function trace(rs: Ruleset, packet: Packet, opts: TraceOptions = {}): TraceResult {
  const ctx = analysisContext(rs);
  const loose = opts.loose ?? true;
  const inferred = inferState(packet, loose);
  const initial: CtState = !opts.state || opts.state === 'auto' ? inferred.state : opts.state;
  const reason = !opts.state || opts.state === 'auto' ? inferred.reason : `given: the packet is treated as ${opts.state}`;
  const hooks = hooksFor(packet);
  const maxBranches = opts.maxBranches ?? 16;

  /** `failed`: for a rule the packet does not match, the first condition it fails. */
  type Evaluation = { matched: Tri; reason?: string; assumed?: string; failed?: Condition };
  /** `only` narrows some conditions (the address pair of one kernel rule of an expanded rule). */
  // the packet as a point of the packet space, rebuilt only when a target changed it (mark,
  // DNAT) or its state changed: not for each of the 10 000 rules of a kube-proxy chain
  let pointKey = '';
  let lastPoint: ReadonlyMap<Dim, bigint> | undefined;
  const pointOf = (run: RunState): ReadonlyMap<Dim, bigint> => {
    const p = run.packet;
    const key = `${run.state}|${p.mark ?? ''}|${p.dst}|${p.dport ?? ''}|${p.src}|${p.sport ?? ''}`;
    if (!lastPoint || key !== pointKey) {
      lastPoint = packetPoint(p, STATES.indexOf(run.state));
      pointKey = key;
    }
    return lastPoint;
  };
  const evaluate = (rsp: RuleSpace, point: ReadonlyMap<Dim, bigint>, only?: ReadonlyMap<OptionNode, Space>): Evaluation => {
    let maybeReason: string | undefined;
    let assumed: string[] | undefined;
    for (const c of rsp.conditions) {
      const space = (c.option && only?.get(c.option)) || c.space;
      if (space && c.unknown?.contains(ctx.env, point)) maybeReason ??= `${c.describe}: depends on ${c.opaque ?? 'what the packet alone does not tell'}`;
      else if (space) {
        if (!space.contains(ctx.env, point)) return { matched: false, failed: c };
      } else if (c.holds) {
        if (!c.holds(point)) return { matched: false, failed: c };
      } else if (c.assumeMatch) (assumed ??= []).push(`${c.describe} (assumed: ${c.opaque})`);
      else maybeReason ??= `${c.describe}: ${c.opaque}`;
    }
    if (maybeReason) return { matched: 'maybe', reason: maybeReason };
    return assumed ? { matched: true, assumed: assumed.join('; ') } : { matched: true };
  };

  const decide = (run: RunState): boolean => {
    if (run.maybeIndex < run.decisions.length) return run.decisions[run.maybeIndex++]!;
    run.open.push(run.maybeIndex++);
    return false;
  };

  const applyEffects = (r: Rule, run: RunState): string | undefined => {
    const t = r.target;
    if (!t) return undefined;
    const opt = (n: string) => t.options.find((o) => o.name === n)?.args[0]?.text;
    switch (t.name) {
      case 'MARK': {
        // the kernel computes mark = (mark & ~mask) ^ value (xt_MARK.c); libxt_MARK turns each
        // option into such a pair: --set-mark v/m is (v, v|m), --and-mark b is (0, ~b),
        // --or-mark b is (b, b), --xor-mark b is (b, 0)
        const u32 = (t?: string) => (t === undefined ? undefined : parseUintIn(t, 0, 0xffffffff));
        const x = opt('--set-xmark') ?? opt('--set-mark');
        const cur = run.packet.mark ?? 0;
        let vm: [number, number] | undefined;
        if (x !== undefined) {
          const [v = '0', m] = x.split('/');
          const val = u32(v) ?? 0;
          const mask = m === undefined ? 0xffffffff : (u32(m) ?? 0xffffffff);
          vm = opt('--set-xmark') !== undefined ? [val, mask] : [val, val | mask];
        } else if (u32(opt('--and-mark')) !== undefined) vm = [0, ~u32(opt('--and-mark'))!];
        else if (u32(opt('--or-mark')) !== undefined) vm = [u32(opt('--or-mark'))!, u32(opt('--or-mark'))!];
        else if (u32(opt('--xor-mark')) !== undefined) vm = [u32(opt('--xor-mark'))!, 0];
        if (vm) run.packet.mark = ((cur & ~vm[1]) ^ vm[0]) >>> 0;
        return `mark is now 0x${(run.packet.mark ?? 0).toString(16)}`;
      }
      case 'NOTRACK':
        run.notrack = true;
        run.state = 'UNTRACKED';
        return 'the packet is now UNTRACKED';
      case 'CT':
        if (t.options.some((o) => o.name === '--notrack')) {
          run.notrack = true;
          run.state = 'UNTRACKED';
          return 'the packet is now UNTRACKED';
        }
        return undefined;
      case 'LOG':
        return `logged${opt('--log-prefix') !== undefined ? ` with prefix "${opt('--log-prefix')}"` : ''}`;
      case 'NFLOG':
        return `copied to nflog group ${opt('--nflog-group') ?? 0}`;
      case 'DNAT': {
        const to = opt('--to-destination');
        if (to) {
          const m = /^\[?([^\]]*?)\]?(?:-[^:]*)?(?::(\d+))?$/.exec(to);
          if (m?.[1]) run.packet.dst = m[1];
          if (m?.[2]) run.packet.dport = Number(m[2]);
          return `destination rewritten to ${to}`;
        }
        return undefined;
      }
    }
    return undefined;
  };

  /** A rule that matched: its effects, its step, and where its target sends the packet (undefined: on to the next rule). */
  const fire = (table: Table, r: Rule, base: Omit<TraceStep, 'matched'>, ev: Evaluation, run: RunState, depth: number): Outcome | undefined => {
    const effect = applyEffects(r, run);
    const step: TraceStep = { ...base, matched: ev.matched === 'maybe' ? 'maybe' : true, ...(ev.assumed ? { reason: ev.assumed } : ev.reason ? { reason: ev.reason } : {}), ...(effect ? { effect } : {}) };
    run.steps.push(step);
    const t = r.target;
    if (!t) return undefined;
    if (t.kind === 'chain') {
      const callee = table.chains.get(t.name);
      if (!callee) return undefined;
      const res = walk(table, callee, run, depth + 1);
      if (res.kind === 'return' || res.kind === 'continue') return t.goto ? { kind: 'return' } : undefined;
      return res;
    }
    switch (t.name) {
      case 'ACCEPT':
        return { kind: 'accept', step };
      case 'DROP':
        return { kind: 'final', verdict: 'DROP', step };
      case 'REJECT':
        return { kind: 'final', verdict: 'REJECT', step };
      case 'RETURN':
        return { kind: 'return' };
      case 'QUEUE':
        return { kind: 'final', verdict: 'QUEUE', step };
    }
    const term = t.spec?.termination;
    if (term === 'terminating') {
      if (table.name === 'nat' || ['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP'].includes(t.name)) return { kind: 'accept', step };
      if (t.name === 'NFQUEUE') return { kind: 'final', verdict: 'QUEUE', step };
      return { kind: 'final', verdict: t.name, step };
    }
    return undefined;
  };

  const walk = (table: Table, chain: Chain, run: RunState, depth: number): Outcome => {
    if (depth > 64) return { kind: 'continue' };
    const rules = chain.rules;
    // the rules of a long chain whose first condition the packet fails are not tested one by one:
    // the index names the others (again after a rule changed the packet) and has their steps ready
    const index = opts.unindexed ? undefined : traceChainIndex(ctx, table, chain, missedRule);
    let point = pointOf(run);
    let cand = index?.candidates(point, 0);
    let ci = 0;
    for (let i = 0; i < rules.length; i++) {
      if (cand) {
        while (ci < cand.length && cand[ci]! < i) ci++;
        const next = ci < cand.length ? cand[ci]! : rules.length;
        if (next > i) {
          const stop = index!.pushMissed(run.steps, i, next, point);
          if (stop >= next) {
            i = next - 1;
            continue;
          }
          i = stop; // a rule whose step the index cannot settle: evaluated below
        }
      }
      const r = rules[i]!;
      const rsp = index ? index.compiled(i) : ctx.compiled.get(r);
      if (!rsp) continue;
      const quick = index?.missed(i, point);
      if (quick) {
        run.steps.push(quick);
        continue;
      }
      const ev = evaluate(rsp, point);
      if (ev.matched === false) {
        run.steps.push(new MissedStep(table.name, chain.name, i + 1, r, ev.failed!));
        continue;
      }
      let matched: boolean;
      // (no object spreads here: a trace through a kube-proxy chain makes 10 000 of these)
      const base = stepBase(table.name, chain, i);
      if (ev.matched === 'maybe') {
        matched = decide(run);
        run.assumptions.push(`${matched ? 'assumed to match' : 'assumed not to match'}: line ${r.line + 1} (${ev.reason})`);
      } else matched = ev.matched;
      if (!matched) {
        run.steps.push(missed(base, 'maybe', ev.reason));
        continue;
      }
      // iptables loads `-s a,b -d c` as one kernel rule per address pair: a packet inside several
      // pairs meets the rule once per pair (a LOG logs twice, a jump runs twice, an --xor-mark
      // flips back) until a verdict ends it; each pair sees the packet as the previous left it
      const pairs = ev.matched === true ? addressExpansions(ctx.env, r) : undefined;
      for (const pair of pairs ?? [undefined]) {
        const evk = pair ? evaluate(rsp, pointOf(run), pair) : ev;
        if (evk.matched !== true && pair) continue;
        const out = fire(table, r, base, evk, run, depth);
        if (out) return out;
      }
      // the rule (its target, or a chain it jumped to) may have changed the packet
      const next = pointOf(run);
      if (next !== point) {
        point = next;
        if (index) {
          cand = index.candidates(point, i + 1);
          ci = 0;
        }
      }
    }
    return { kind: 'continue' };
  };

  const runOnce = (decisions: readonly boolean[]): { branch: TraceBranch; open: number[] } => {
    // in the raw table conntrack has not looked at the packet yet: no entry attached, which
    // `--ctstate` reads as INVALID (xt_conntrack.c); NOTRACK there makes it UNTRACKED at once
    const run: RunState = { packet: { ...packet }, state: 'INVALID', notrack: false, steps: [], assumptions: [], decisions, maybeIndex: 0, open: [] };
    let filterState: CtState = initial;
    for (const hook of hooks) {
      for (const tname of TABLES_OF[hook]) {
        if (tname === 'mangle' && (hook === 'PREROUTING' || hook === 'OUTPUT')) {
          // conntrack runs between raw and mangle on the hooks where packets enter the stack
          run.state = run.notrack ? 'UNTRACKED' : initial;
          run.steps.push({ kind: 'conntrack', table: 'conntrack', chain: hook, matched: true, reason: run.notrack ? 'untracked in raw: state UNTRACKED' : reason, effect: `state ${run.state}` });
        }
        if (tname === 'nat' && run.state !== 'NEW') {
          const t = rs.tables.get('nat');
          if (t && t.chains.get(hook)?.rules.length) run.steps.push({ kind: 'skip', table: 'nat', chain: hook, matched: false, reason: `only a connection's first packet (NEW) traverses nat; this one is ${run.state}` });
          continue;
        }
        const table = rs.tables.get(tname);
        const chain = table?.chains.get(hook);
        if (!table || !chain) continue;
        if (tname === 'filter') filterState = run.state;
        const out = walk(table, chain, run, 0);
        if (out.kind === 'final') return { branch: { steps: run.steps, verdict: out.verdict, decidedBy: out.step, assumptions: run.assumptions, ctstate: filterState }, open: run.open };
        if (out.kind === 'accept') continue;
        // fell off the end (or RETURN) of the built-in chain: the policy decides
        const policy = chain.policy ?? 'ACCEPT';
        const decl = chain.declarations[0];
        const step: TraceStep = { kind: 'policy', table: tname, chain: hook, matched: true, target: policy, ...(decl ? { line: decl.line } : {}), reason: `end of ${hook}: policy ${policy}` };
        run.steps.push(step);
        if (policy === 'DROP') return { branch: { steps: run.steps, verdict: 'DROP', decidedBy: step, assumptions: run.assumptions, ctstate: filterState }, open: run.open };
      }
    }
    return { branch: { steps: run.steps, verdict: 'ACCEPT', assumptions: run.assumptions, ctstate: filterState }, open: run.open };
  };

  // explore the branches at undecidable rules: the default run says "does not match" at each;
  // every such point is re-run with "matches" (depth-first, capped)
  const branches: TraceBranch[] = [];
  const queue: boolean[][] = [[]];
  while (queue.length && branches.length < maxBranches) {
    const decisions = queue.shift()!;
    const { branch, open } = runOnce(decisions);
    branches.push(branch);
    for (const idx of open) {
      const d = [...decisions];
      while (d.length < idx) d.push(false);
      d[idx] = true;
      queue.push(d);
    }
  }
  const verdicts = new Set(branches.map((b) => b.verdict));
  return {
    packet,
    hooks,
    ctstate: initial,
    ctstateReason: reason,
    branches,
    verdict: verdicts.size === 1 ? branches[0]!.verdict : 'maybe',
  };
}
