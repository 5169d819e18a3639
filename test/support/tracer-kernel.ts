/**
 * The tracer judged by the kernel: run generated cases (test/support/tracer-gen.ts) in a
 * namespace pair and compare, packet by packet, the rules whose counters moved with the rules the
 * tracer's path marks matched, the policies that decided with the tracer's policy steps, and
 * whether the packet got through with the tracer's verdict.
 *
 * A whole case (priming, rule load, every probe and the counter reads after each) runs in one
 * python process (tracer-batch.py), so a thousand probes cost about a thousand `iptables-save -c`
 * runs and no more.
 */
import { wordsOf } from '../../server/src/model/line-words';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describePacket, flagNames } from '../../server/src/analysis/packet';
import { trace, type TraceResult } from '../../server/src/analysis/tracer';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { A_ADDRS, ARRIVAL_MARKER, B_ADDRS, DELIVERED_MARKER, type GenCase, MODE_CHAINS, type Mode, type Probe, type PrimeStep, type WireSpec } from './tracer-gen';
import { type Backend, type NsPair, nsExec, parseSaveCounters, python3, restore } from './netns';

export const TRACER_BATCH_PY = path.join(__dirname, 'tracer-batch.py');

const TABLES = ['raw', 'mangle', 'nat', 'filter', 'security'] as const;
const BUILTINS: Record<string, readonly string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/**
 * Everything flushed, conntrack kept on (the security sentinel), and B's own RSTs dropped before
 * conntrack sees them: crafted handshakes to ports nobody listens on build real entries.
 */
export const PRIMING_RULES =
  TABLES.map((t) => {
    const lines = [`*${t}`, ...BUILTINS[t]!.map((c) => `:${c} ACCEPT [0:0]`)];
    if (t === 'raw') lines.push('-A OUTPUT -p tcp -m tcp --tcp-flags RST RST -j DROP');
    if (t === 'security') lines.push('-A INPUT -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED', '-A OUTPUT -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED');
    return [...lines, 'COMMIT'].join('\n');
  }).join('\n') + '\n';

/** A's rules: count and drop everything that arrives, so A never answers B. */
export const A_RULES = '*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -i vA -m comment --comment reached -j DROP\nCOMMIT\n';
export const REACHED_MARKER = '--comment reached';

/**
 * Extra addresses and static neighbours so that A can send from and to every address the
 * generator uses (all inside 10.200.0.0/16), and A's rules. Idempotent.
 */
export function prepareTracerPair(pair: NsPair): void {
  const { a, b } = pair;
  for (const x of B_ADDRS.slice(1)) nsExec(b.ns, ['ip', 'addr', 'replace', `${x}/32`, 'dev', b.dev], { check: true });
  nsExec(b.ns, ['ip', 'route', 'replace', '10.200.0.0/16', 'dev', b.dev], { check: true });
  nsExec(a.ns, ['ip', 'route', 'replace', '10.200.0.0/16', 'dev', a.dev], { check: true });
  for (const x of A_ADDRS) nsExec(b.ns, ['ip', 'neigh', 'replace', x, 'lladdr', a.mac, 'dev', b.dev, 'nud', 'permanent'], { check: true });
  for (const x of B_ADDRS) nsExec(a.ns, ['ip', 'neigh', 'replace', x, 'lladdr', b.mac, 'dev', a.dev, 'nud', 'permanent'], { check: true });
  const r = restore(a.ns, A_RULES);
  if (!r.ok) throw new Error(`A's rules did not load: ${r.stderr}`);
}

// ---------------------------------------------------------------------------------------------
// running a case

interface BatchStep {
  readonly op: 'exec' | 'send' | 'probe' | 'read';
  readonly [k: string]: unknown;
}

interface BatchAnswer {
  ok: boolean;
  error?: string;
  results: Record<string, unknown>[];
}

function runBatch(pair: NsPair, steps: BatchStep[]): BatchAnswer {
  const r = spawnSync(python3(), [TRACER_BATCH_PY], {
    input: JSON.stringify({ ns: { A: pair.a.ns, B: pair.b.ns }, steps }),
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  let ans: BatchAnswer | undefined;
  try {
    ans = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as BatchAnswer;
  } catch {
    /* below */
  }
  if (!ans) throw new Error(`tracer-batch.py failed (${r.status}): ${r.stderr || r.stdout}`);
  return ans;
}

const saveArgv = (table?: string, backend: Backend = 'nft') => [`iptables-${backend}-save`, '-c', ...(table ? ['-t', table] : [])];
/** Every table empty and every built-in chain back to ACCEPT (a table block alone keeps old policies). */
export const OPEN_TABLES = TABLES.map((t) => [`*${t}`, ...BUILTINS[t]!.map((c) => `:${c} ACCEPT [0:0]`), 'COMMIT', ''].join('\n')).join('');

/** The counters one probe moved: rule keys `table/chain#n` and policy keys `table/chain:policy`. */
export interface KernelView {
  readonly rules: ReadonlyMap<string, number>;
  readonly policies: ReadonlyMap<string, number>;
  /** The packet got through: the delivered sentinel (input) or A's counter (output) moved. */
  readonly passed: boolean;
  readonly arrived: boolean;
}

export interface ProbeOutcome {
  readonly caseIndex: number;
  readonly probeIndex: number;
  readonly probe: Probe;
  readonly trace: TraceResult;
  readonly kernel: KernelView;
  /** Some rule on the path could not be decided: the strict comparison does not apply. */
  readonly maybe: boolean;
  /** Empty when the tracer and the kernel agree. */
  readonly differences: readonly string[];
  /** For a 'maybe' trace: the branch the kernel took, if one of them is exactly what it did. */
  readonly kernelBranch?: number;
}

interface Snapshot {
  rules: Map<string, number>;
  chains: Map<string, number>;
  markers: Map<string, number>;
}

function snapshot(save: string, markers: readonly string[]): Snapshot {
  const { rules, chains } = parseSaveCounters(save);
  const s: Snapshot = { rules: new Map(), chains: new Map(), markers: new Map() };
  for (const r of rules) {
    s.rules.set(`${r.table}/${r.chain}#${r.position}`, r.packets);
    for (const m of markers) if (r.rule.includes(m)) s.markers.set(m, r.packets);
  }
  for (const c of chains) s.chains.set(`${c.table}/${c.chain}:policy`, c.packets);
  return s;
}

function delta(now: Map<string, number>, before: Map<string, number>, rename: (k: string) => string = (k) => k): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of now) {
    const d = v - (before.get(k) ?? 0);
    if (d !== 0) out.set(rename(k), (out.get(rename(k)) ?? 0) + d);
  }
  return out;
}

/**
 * iptables turns a rule with address lists (`-s a,b -d c`) into one kernel rule per combination,
 * in order; map each kernel position (`table/chain#n`) back to the position of the rule written.
 */
export function kernelPositions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const written = new Map<string, number>();
  const kernel = new Map<string, number>();
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    const m = /^-A (\S+)/.exec(line);
    if (!m) continue;
    const chain = `${table}/${m[1]}`;
    const pos = (written.get(chain) ?? 0) + 1;
    written.set(chain, pos);
    const count = (flags: string) => (new RegExp(`(?:^| )(?:${flags}) (\\S+)`).exec(line)?.[1]?.split(',').length ?? 1);
    for (let i = 0; i < count('-s|--source') * count('-d|--destination'); i++) {
      const k = (kernel.get(chain) ?? 0) + 1;
      kernel.set(chain, k);
      out.set(`${chain}#${k}`, `${chain}#${pos}`);
    }
  }
  return out;
}

/** The tracer's claim for one branch: matched rules and policies, in `table/chain#n` keys. */
export function tracerView(t: TraceResult, branch = 0): { rules: Map<string, number>; policies: Set<string>; passed: boolean } {
  const b = t.branches[branch]!;
  const rules = new Map<string, number>();
  const policies = new Set<string>();
  for (const s of b.steps) {
    const key = `${s.table}/${s.chain}#${s.position}`;
    if (s.kind === 'rule' && s.matched !== false) rules.set(key, (rules.get(key) ?? 0) + 1);
    if (s.kind === 'policy') policies.add(`${s.table}/${s.chain}:policy`);
  }
  return { rules, policies, passed: b.verdict === 'ACCEPT' };
}

export function isMaybe(t: TraceResult): boolean {
  return t.branches.length > 1 || t.branches.some((b) => b.steps.some((s) => s.matched === 'maybe'));
}

function relevantPolicies(mode: Mode): Set<string> {
  const out = new Set<string>();
  for (const [t, chains] of Object.entries(MODE_CHAINS[mode])) for (const c of chains) out.add(`${t}/${c}:policy`);
  return out;
}

/** What differs between the tracer (branch 0) and the kernel for one probe. */
export function compare(t: TraceResult, k: KernelView, mode: Mode, branch = 0): string[] {
  const diffs: string[] = [];
  if (!k.arrived) return ['the packet never reached netfilter in B (the arrival counter did not move)'];
  const tv = tracerView(t, branch);
  for (const [key, n] of k.rules) {
    const want = tv.rules.get(key) ?? 0;
    if (want === 0) diffs.push(`${key}: the kernel counted it${n > 1 ? ` ${n} times` : ''}, the tracer says it did not match or was not reached`);
    else if (want !== n) diffs.push(`${key}: the kernel counted it ${n} times, the tracer matched it ${want} times`);
  }
  for (const [key] of tv.rules) if (!k.rules.has(key)) diffs.push(`${key}: the tracer says it matched, the kernel did not count it`);
  const relevant = relevantPolicies(mode);
  const kp = new Set([...k.policies].filter(([key, n]) => n > 0 && relevant.has(key)).map(([key]) => key));
  for (const key of kp) if (!tv.policies.has(key)) diffs.push(`${key}: the kernel applied this policy, the tracer did not`);
  for (const key of tv.policies) if (relevant.has(key) && !kp.has(key)) diffs.push(`${key}: the tracer applied this policy, the kernel did not`);
  if (tv.passed !== k.passed) diffs.push(`verdict: tracer ${t.branches[branch]!.verdict}, kernel ${k.passed ? 'let it through' : 'stopped it'}`);
  return diffs;
}

function primeSteps(prime: readonly PrimeStep[]): BatchStep[] {
  return prime.map((p) => ({ op: 'send', from: p.from, packets: [p.wire] }));
}

/**
 * Run one case on the kernel: load the priming rules, forget every connection, set loose, prime
 * the entries the case's probes need, load the case's rules, then send each probe and read the
 * counters after it. Returns, per probe, what the kernel counted.
 */
export function runCaseOnKernel(pair: NsPair, c: GenCase, probes: readonly Probe[] = c.probes): KernelView[] {
  const mode = c.mode;
  const markers = [ARRIVAL_MARKER, DELIVERED_MARKER, REACHED_MARKER];
  const reads: Record<string, string[]> = mode === 'input' ? { B: saveArgv(undefined, c.backend) } : { B: saveArgv(undefined, c.backend), A: saveArgv('raw') };
  const arrival = { ns: 'B', marker: ARRIVAL_MARKER };
  const other: Backend = c.backend === 'nft' ? 'legacy' : 'nft';
  const steps: BatchStep[] = [
    // both backends hook into the kernel at once: empty the one this case does not use
    { op: 'exec', ns: 'B', argv: [`iptables-${other}-restore`], input: OPEN_TABLES },
    { op: 'exec', ns: 'B', argv: [`iptables-${c.backend}-restore`], input: PRIMING_RULES },
    { op: 'exec', ns: 'B', argv: ['conntrack', '-F'] },
    { op: 'exec', ns: 'B', argv: ['sysctl', '-qw', `net.netfilter.nf_conntrack_tcp_loose=${c.loose ? 1 : 0}`] },
  ];
  const used = new Set<string>();
  for (const p of probes) {
    if (p.prime.length) steps.push(...primeSteps(p.prime));
    if (p.state !== 'auto') used.add(p.tuple);
  }
  const loadAt = steps.length;
  steps.push({ op: 'exec', ns: 'B', argv: [`iptables-${c.backend}-restore`], input: c.text });
  steps.push({ op: 'read', reads, arrival });
  const probeAt: number[] = [];
  for (const p of probes) {
    if (p.state === 'auto') {
      // a tuple seen before may have an entry now (accepted earlier, or answered by B): forget it
      if (used.has(p.tuple)) {
        steps.push({ op: 'exec', ns: 'B', argv: ['conntrack', '-F'] });
        used.clear();
      }
      used.add(p.tuple);
    }
    probeAt.push(steps.length);
    steps.push({ op: 'probe', from: p.from, packet: p.wire, reads, arrival, timeoutMs: 1500 });
  }
  const ans = runBatch(pair, steps);
  if (!ans.ok) throw new Error(`case ${c.index}: ${ans.error}`);
  const loaded = ans.results[loadAt] as { status: number; stderr: string };
  const prepared = ans.results.slice(0, loadAt) as { status?: number; stderr?: string }[];
  const failed = prepared.find((r) => r.status !== undefined && r.status !== 0);
  if (failed) throw new Error(`case ${c.index}: preparing B failed: ${failed.stderr}`);
  if (loaded.status !== 0) throw new Error(`case ${c.index}: iptables-${c.backend}-restore refused the generated rules: ${loaded.stderr}\n${c.text}`);
  const snap = (i: number) => {
    const r = ans.results[i]!.reads as Record<string, string>;
    const b = snapshot(r.B!, markers);
    if (r.A) {
      const a = snapshot(r.A, markers);
      for (const [m, v] of a.markers) b.markers.set(m, v);
    }
    return b;
  };
  const positions = kernelPositions(c.text);
  const rename = (k: string) => positions.get(k) ?? k;
  let prev = snap(loadAt + 1);
  return probeAt.map((i) => {
    const now = snap(i);
    const res = ans.results[i] as { arrived: boolean };
    const passedMarker = mode === 'input' ? DELIVERED_MARKER : REACHED_MARKER;
    const view: KernelView = {
      rules: delta(now.rules, prev.rules, rename),
      policies: delta(now.chains, prev.chains),
      passed: (now.markers.get(passedMarker) ?? 0) > (prev.markers.get(passedMarker) ?? 0),
      arrived: res.arrived,
    };
    prev = now;
    return view;
  });
}

export function traceProbe(c: GenCase, p: Probe): TraceResult {
  const rs = parseRuleset(c.text, { family: 'ipv4' });
  return trace(rs, p.packet, { state: p.state === 'auto' ? 'auto' : p.state, loose: c.loose });
}

/** Trace and run a case, and compare every probe. */
export function checkCase(pair: NsPair, c: GenCase, probes: readonly Probe[] = c.probes): ProbeOutcome[] {
  const kernel = runCaseOnKernel(pair, c, probes);
  return probes.map((p, i) => {
    const t = traceProbe(c, p);
    const maybe = isMaybe(t);
    const k = kernel[i]!;
    const kernelBranch = maybe ? t.branches.findIndex((_, b) => compare(t, k, c.mode, b).length === 0) : undefined;
    return { caseIndex: c.index, probeIndex: i, probe: p, trace: t, kernel: k, maybe, differences: maybe ? [] : compare(t, k, c.mode), ...(kernelBranch !== undefined && kernelBranch >= 0 ? { kernelBranch } : {}) };
  });
}

// ---------------------------------------------------------------------------------------------
// minimal repro

function withRules(c: GenCase, keep: (lineIndex: number) => boolean): GenCase {
  const lines = c.text.split('\n');
  return { ...c, text: lines.filter((l, i) => !(l.startsWith('-A ') && !l.includes(ARRIVAL_MARKER) && !l.includes(DELIVERED_MARKER)) || keep(i)).join('\n') };
}

/**
 * Shrink a disagreeing (ruleset, probe) pair: drop generated rules one at a time, then set DROP
 * policies to ACCEPT, keeping each change while the kernel and the tracer still disagree.
 * Returns the smallest case found (the probe alone).
 */
export function minimise(pair: NsPair, c: GenCase, p: Probe, budget = 80): GenCase {
  let cur: GenCase = { ...c, probes: [p] };
  const stillFails = (cand: GenCase): boolean => {
    if (budget-- <= 0) return false;
    try {
      const [o] = checkCase(pair, cand, [p]);
      return !!o && !o.maybe && o.differences.length > 0;
    } catch {
      return false; // e.g. a jump to a chain whose rules are gone is fine, but a refused load is not a repro
    }
  };
  for (let changed = true; changed && budget > 0; ) {
    changed = false;
    const lines = cur.text.split('\n');
    for (let i = lines.length - 1; i >= 0 && budget > 0; i--) {
      const l = lines[i]!;
      if (!l.startsWith('-A ') || l.includes(ARRIVAL_MARKER) || l.includes(DELIVERED_MARKER)) continue;
      const cand = withRules(cur, (k) => k !== i);
      if (stillFails(cand)) {
        cur = cand;
        changed = true;
        break;
      }
    }
  }
  const lines = cur.text.split('\n');
  lines.forEach((l, i) => {
    if (/^:(\S+) DROP /.test(l) && budget > 0) {
      const cand = { ...cur, text: [...lines.slice(0, i), l.replace(' DROP ', ' ACCEPT '), ...lines.slice(i + 1)].join('\n') };
      if (stillFails(cand)) cur = cand;
    }
  });
  return cur;
}

/** A readable repro: rules that matter (empty built-ins left out), the packet, both answers. */
export function describeOutcome(o: ProbeOutcome, c: GenCase): string {
  const interesting = c.text.split('\n').filter((l) => !/^:(\S+) ACCEPT \[0:0\]$/.test(l) && l !== '');
  const w: WireSpec = o.probe.wire;
  const tv = tracerView(o.trace);
  const kernelRules = [...o.kernel.rules].filter(([, n]) => n > 0).map(([k, n]) => (n > 1 ? `${k} x${n}` : k));
  return [
    `case ${c.index} (${c.mode}, iptables-${c.backend}, loose=${c.loose ? 1 : 0}), probe ${o.probeIndex}: ${describePacket(o.probe.packet)}${w.proto === 'tcp' ? '' : ''} ttl ${w.ttl} tos 0x${w.tos.toString(16)} len ${o.probe.packet.len}${o.probe.packet.flags !== undefined ? ` [${flagNames(o.probe.packet.flags)}]` : ''}`,
    `  state: ${o.probe.state}${o.probe.state === 'auto' ? ` (tracer: ${o.trace.ctstate}: ${o.trace.ctstateReason})` : ''}`,
    ...interesting.map((l) => `  | ${l}`),
    `  tracer: verdict ${o.trace.verdict}; matched ${[...tv.rules].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(' ') || '-'}; policies ${[...tv.policies].join(' ') || '-'}`,
    `  kernel: ${o.kernel.passed ? 'passed' : 'stopped'}; counted ${kernelRules.join(' ') || '-'}; policies ${[...o.kernel.policies].filter(([k, n]) => n > 0 && relevantPolicies(c.mode).has(k)).map(([k]) => k).join(' ') || '-'}`,
    ...o.differences.map((d) => `  - ${d}`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// observing a few packets at a time (the stories)

/** Rule and chain counters of B, keyed as the tracer's steps are (rules by written position). */
export interface Counters {
  readonly rules: Map<string, number>;
  readonly policies: Map<string, number>;
  readonly markers: Map<string, number>;
}

export function readCounters(pair: NsPair, text: string): Counters {
  const out = nsExec(pair.b.ns, saveArgv(), { check: true }).stdout;
  const s = snapshot(out, [ARRIVAL_MARKER, DELIVERED_MARKER]);
  const positions = kernelPositions(text);
  const rules = new Map<string, number>();
  for (const [k, v] of s.rules) {
    const key = positions.get(k) ?? k;
    rules.set(key, (rules.get(key) ?? 0) + v);
  }
  return { rules, policies: s.chains, markers: s.markers };
}

/** What moved between two readings. */
export function counterDelta(after: Counters, before: Counters): { rules: Map<string, number>; policies: Map<string, number>; arrivals: number; delivered: number } {
  return {
    rules: delta(after.rules, before.rules),
    policies: delta(after.policies, before.policies),
    arrivals: (after.markers.get(ARRIVAL_MARKER) ?? 0) - (before.markers.get(ARRIVAL_MARKER) ?? 0),
    delivered: (after.markers.get(DELIVERED_MARKER) ?? 0) - (before.markers.get(DELIVERED_MARKER) ?? 0),
  };
}

/**
 * The counters the tracer predicts for several packets together (a packet and the packets the
 * kernel sends because of it): every matched rule and every policy, with multiplicity.
 */
export function expectedCounts(traces: readonly TraceResult[]): { rules: Map<string, number>; policies: Map<string, number>; delivered: number } {
  const rules = new Map<string, number>();
  const policies = new Map<string, number>();
  let delivered = 0;
  for (const t of traces) {
    const v = tracerView(t);
    for (const [k, n] of v.rules) rules.set(k, (rules.get(k) ?? 0) + n);
    for (const k of v.policies) policies.set(k, (policies.get(k) ?? 0) + 1);
    if (t.branches[0]!.steps.some((s) => s.kind === 'rule' && s.matched === true && (s.rule ? wordsOf(s.rule) : []).some((w) => w.text === 'delivered'))) delivered++;
  }
  return { rules, policies, delivered };
}

/** Differences between the tracer's counts and the kernel's (empty when they agree). */
export function compareCounts(want: ReturnType<typeof expectedCounts>, got: ReturnType<typeof counterDelta>): string[] {
  const diffs: string[] = [];
  const cmp = (what: string, w: Map<string, number>, g: Map<string, number>) => {
    for (const k of new Set([...w.keys(), ...g.keys()])) {
      const a = w.get(k) ?? 0;
      const b = g.get(k) ?? 0;
      if (a !== b) diffs.push(`${k}${what}: tracer ${a}, kernel ${b}`);
    }
  };
  cmp('', want.rules, got.rules);
  cmp(' (policy)', want.policies, got.policies);
  if (want.delivered !== got.delivered) diffs.push(`delivered: tracer ${want.delivered}, kernel ${got.delivered}`);
  return diffs;
}
