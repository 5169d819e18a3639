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
import type { Chain, Rule, Ruleset, Table } from '../model/ruleset';
import { analysisContext } from './context';
import { type Packet, packetPoint } from './packet';
import { type CtState, STATES } from './packet-space';
import type { RuleSpace } from './rule-space';

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
  INPUT: ['mangle', 'nat', 'filter', 'security'],
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
const ICMP_ERRORS_V6 = new Set([1, 2, 3, 4]);

/** The state conntrack gives a packet for which it has no entry. */
export function inferState(p: Packet, loose: boolean): { state: CtState; reason: string } {
  if (p.proto === 6) {
    const v = ctstateWithoutEntry(p.flags ?? 0, { loose });
    return { state: v.state, reason: v.reason };
  }
  if (p.proto === 1 || p.proto === 58) {
    const errors = p.proto === 1 ? ICMP_ERRORS_V4 : ICMP_ERRORS_V6;
    if (p.icmpType !== undefined && errors.has(p.icmpType)) {
      return { state: 'INVALID', reason: 'an ICMP error about a connection conntrack does not know is INVALID (about a known one it would be RELATED)' };
    }
    const replies = p.proto === 1 ? [0, 14, 16, 18] : [129];
    if (p.icmpType !== undefined && replies.includes(p.icmpType)) {
      return { state: 'INVALID', reason: 'an ICMP reply with no request seen has no entry to belong to: INVALID' };
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

type Outcome = { kind: 'continue' } | { kind: 'return' } | { kind: 'accept'; step: TraceStep } | { kind: 'final'; verdict: FinalVerdict; step: TraceStep };

export function trace(rs: Ruleset, packet: Packet, opts: TraceOptions = {}): TraceResult {
  const ctx = analysisContext(rs);
  const loose = opts.loose ?? true;
  const inferred = inferState(packet, loose);
  const initial: CtState = !opts.state || opts.state === 'auto' ? inferred.state : opts.state;
  const reason = !opts.state || opts.state === 'auto' ? inferred.reason : `given: the packet is treated as ${opts.state}`;
  const hooks = hooksFor(packet);
  const maxBranches = opts.maxBranches ?? 16;

  const evaluate = (rsp: RuleSpace, run: RunState): { matched: Tri; reason?: string; assumed?: string } => {
    const point = packetPoint(ctx.env, run.packet, STATES.indexOf(run.state));
    let maybeReason: string | undefined;
    const assumed: string[] = [];
    for (const c of rsp.conditions) {
      if (c.space) {
        if (!c.space.contains(ctx.env, point)) return { matched: false, reason: `not ${c.describe}` };
      } else if (c.assumeMatch) assumed.push(`${c.describe} (assumed: ${c.opaque})`);
      else maybeReason ??= `${c.describe}: ${c.opaque}`;
    }
    if (maybeReason) return { matched: 'maybe', reason: maybeReason };
    return assumed.length ? { matched: true, assumed: assumed.join('; ') } : { matched: true };
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
        const x = opt('--set-xmark') ?? opt('--set-mark');
        if (x !== undefined) {
          const [v = '0', m] = x.split('/');
          const val = parseUintIn(v, 0, 0xffffffff) ?? 0;
          const mask = m === undefined ? 0xffffffff : (parseUintIn(m, 0, 0xffffffff) ?? 0xffffffff);
          const cur = run.packet.mark ?? 0;
          run.packet.mark = opt('--set-xmark') !== undefined ? ((cur & ~mask) ^ val) >>> 0 : ((cur & ~mask) | val) >>> 0;
        }
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

  const walk = (table: Table, chain: Chain, run: RunState, depth: number): Outcome => {
    if (depth > 64) return { kind: 'continue' };
    const rules = chain.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      const rsp = ctx.compiled.get(r);
      if (!rsp) continue;
      const ev = evaluate(rsp, run);
      let matched: boolean;
      const base = { kind: 'rule' as const, table: table.name, chain: chain.name, position: i + 1, line: r.line, rule: r, ...(r.target ? { target: r.target.name } : {}) };
      if (ev.matched === 'maybe') {
        matched = decide(run);
        run.assumptions.push(`${matched ? 'assumed to match' : 'assumed not to match'}: line ${r.line + 1} (${ev.reason})`);
      } else matched = ev.matched;
      if (!matched) {
        run.steps.push({ ...base, matched: ev.matched === 'maybe' ? 'maybe' : false, ...(ev.reason ? { reason: ev.reason } : {}) });
        continue;
      }
      const effect = applyEffects(r, run);
      const step: TraceStep = { ...base, matched: ev.matched === 'maybe' ? 'maybe' : true, ...(ev.assumed ? { reason: ev.assumed } : ev.reason ? { reason: ev.reason } : {}), ...(effect ? { effect } : {}) };
      run.steps.push(step);
      const t = r.target;
      if (!t) continue;
      if (t.kind === 'chain') {
        const callee = table.chains.get(t.name);
        if (!callee) continue;
        const res = walk(table, callee, run, depth + 1);
        if (res.kind === 'return' || res.kind === 'continue') {
          if (t.goto) return { kind: 'return' };
          continue;
        }
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
