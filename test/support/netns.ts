/**
 * Real-kernel test harness: throwaway network namespaces, the real iptables-restore (nft and
 * legacy backends), rule counters, conntrack and sysctls inside a namespace.
 *
 * Everything is synchronous (spawnSync) so tests read top to bottom and stay deterministic. Every
 * namespace this module creates is deleted again: by `deleteNamespace`/`pair.destroy()`, by
 * `cleanupAfterSuite()` / `useNamespacePair()` in a suite, by `cleanupAll()`, and as a last resort on
 * process exit and on SIGINT/SIGTERM/SIGHUP. Namespaces left behind by an earlier run that was
 * killed outright (SIGKILL) are recognised by their name (`ilens<pid>-...` with a dead pid) and
 * removed the next time a namespace is created.
 *
 * Only addresses inside our own namespaces are ever used: 10.200.0.0/24 and fd00:200::/64 on a veth
 * pair whose two ends live in two fresh namespaces, never in the host's.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { IN_CI, skipOrFail } from './corpus';

export type Family = 'ipv4' | 'ipv6';
export type Backend = 'nft' | 'legacy';

export interface ExecResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly input?: string;
  /** Throw when the command exits with a non-zero status (default false). */
  readonly check?: boolean;
  readonly timeoutMs?: number;
}

const PREFIX = 'ilens';
const DEFAULT_TIMEOUT = 20_000;

/** Run a command on the host (argv, no shell). */
export function run(argv: readonly string[], opts: ExecOptions = {}): ExecResult {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const res: ExecResult = {
    status: r.status ?? (r.error ? 127 : 128),
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (r.error ? `${r.stderr ? '\n' : ''}${r.error.message}` : ''),
  };
  if (opts.check && res.status !== 0) {
    throw new Error(`command failed (${res.status}): ${argv.join(' ')}\n${res.stderr.trim()}`);
  }
  return res;
}

/** Run a command inside a namespace (`ip netns exec NS argv...`). */
export function nsExec(ns: string, argv: readonly string[], opts: ExecOptions = {}): ExecResult {
  return run(['ip', 'netns', 'exec', ns, ...argv], opts);
}

// ---------------------------------------------------------------------------------------------
// prerequisites

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface PrereqOptions {
  /** Needs the iptables-legacy* binaries as well (default: only the nft backend). */
  readonly legacy?: boolean;
  /** Needs IPv6 (ip6tables-*-restore, IPv6 in the kernel). Default true. */
  readonly ipv6?: boolean;
  /** Needs the conntrack tool and nf_conntrack. Default true. */
  readonly conntrack?: boolean;
  /** Needs python3 (packet sending, TCP peers). Default true. */
  readonly python?: boolean;
}

let cachedPython: string | undefined;

/** The real python3 interpreter (resolving pyenv-style shims once, so each start is fast). */
export function python3(): string {
  if (cachedPython) return cachedPython;
  const r = run(['python3', '-c', 'import sys; print(sys.executable)']);
  cachedPython = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : 'python3';
  return cachedPython;
}

/**
 * Why the kernel harness cannot run here, or undefined when it can. Checks root, `ip` and network
 * namespaces, the iptables binaries, conntrack and nf_conntrack, python3.
 */
export function missingPrerequisite(opts: PrereqOptions = {}): string | undefined {
  const { legacy = false, ipv6 = true, conntrack = true, python = true } = opts;
  if (process.platform !== 'linux') return `kernel tests need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'kernel tests need root (network namespaces, iptables-restore); run them as root, e.g. in CI or a VM';
  }
  const bins = ['ip', 'iptables-nft-restore', 'iptables-nft-save', 'iptables-nft'];
  if (ipv6) bins.push('ip6tables-nft-restore', 'ip6tables-nft-save', 'ip6tables-nft');
  if (legacy) {
    bins.push('iptables-legacy-restore', 'iptables-legacy-save', 'iptables-legacy');
    if (ipv6) bins.push('ip6tables-legacy-restore', 'ip6tables-legacy-save', 'ip6tables-legacy');
  }
  if (conntrack) bins.push('conntrack', 'sysctl');
  if (python) bins.push('python3');
  const missing = bins.filter((b) => !which(b));
  if (missing.length) return `missing program(s): ${missing.join(', ')} (apt-get install -y iproute2 iptables conntrack procps python3)`;
  // can we make a namespace at all? (containers without CAP_SYS_ADMIN cannot)
  const probe = `${PREFIX}${process.pid}-probe`;
  const r = run(['ip', 'netns', 'add', probe]);
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  try {
    if (conntrack) {
      const ct = nsExec(probe, ['sysctl', '-n', 'net.netfilter.nf_conntrack_max']);
      if (ct.status !== 0) {
        run(['modprobe', '-q', 'nf_conntrack']);
        if (nsExec(probe, ['sysctl', '-n', 'net.netfilter.nf_conntrack_max']).status !== 0) {
          return 'nf_conntrack is not available in this kernel (no net.netfilter.nf_conntrack_* sysctls; modprobe nf_conntrack failed)';
        }
      }
    }
    if (ipv6 && !existsSync('/proc/sys/net/ipv6')) return 'the kernel has no IPv6 (/proc/sys/net/ipv6 missing)';
  } finally {
    run(['ip', 'netns', 'del', probe]);
  }
  if (python && run([python3(), '-c', 'import socket, json, struct']).status !== 0) return 'python3 does not start';
  return undefined;
}

/**
 * For a mocha `before()`: skip the suite with the reason when a prerequisite is missing (under
 * CI=true: fail instead). Pair it with `cleanupAfterSuite()` or use `useNamespacePair`.
 */
export function requireKernel(ctx: Mocha.Context, opts: PrereqOptions = {}): void {
  const why = missingPrerequisite(opts);
  if (why) skipOrFail(ctx, why);
}

export { IN_CI };

// ---------------------------------------------------------------------------------------------
// namespaces and their cleanup

const created = new Set<string>();
const children = new Map<string, Set<ChildProcess>>();
let counter = 0;
let hooksInstalled = false;
let staleSwept = false;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Delete namespaces named by this harness whose creating process is gone (a run killed with
 * SIGKILL); runs once by itself before the first namespace is created. Returns what it deleted.
 */
export function sweepStaleNamespaces(): string[] {
  staleSwept = true;
  const deleted: string[] = [];
  const list = run(['ip', 'netns', 'list']).stdout;
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && !pidAlive(pid) && run(['ip', 'netns', 'del', name]).status === 0) deleted.push(name);
  }
  return deleted;
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => cleanupAll());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      cleanupAll();
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/** Create an empty namespace with a unique name (`ilens<pid>-<n>-<tag>`); lo is brought up. */
export function createNamespace(tag = 'ns'): string {
  installHooks();
  if (!staleSwept) sweepStaleNamespaces();
  const name = `${PREFIX}${process.pid}-${++counter}-${tag.replace(/[^A-Za-z0-9_]/g, '').slice(0, 12)}`;
  run(['ip', 'netns', 'add', name], { check: true });
  created.add(name);
  nsExec(name, ['ip', 'link', 'set', 'lo', 'up'], { check: true });
  return name;
}

/** Kill the processes started in the namespace, then delete it. Safe to call twice. */
export function deleteNamespace(name: string): void {
  for (const c of children.get(name) ?? []) {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.delete(name);
  if (created.has(name)) {
    run(['ip', 'netns', 'del', name]);
    created.delete(name);
  }
}

/**
 * Mocha helper, to call first inside a `describe`: after the suite, delete every namespace created
 * while it ran (its tests, hooks and nested suites), and none that other suites hold.
 */
export function cleanupAfterSuite(): void {
  let held = new Set<string>();
  before(function () {
    held = new Set(created);
  });
  after(function () {
    for (const name of [...created]) if (!held.has(name)) deleteNamespace(name);
  });
}

/** Delete every namespace this process created and still holds (all suites': a last resort). */
export function cleanupAll(): void {
  for (const name of [...created]) deleteNamespace(name);
  for (const name of [...children.keys()]) deleteNamespace(name);
}

/** Namespaces this process currently holds (for tests of the harness itself). */
export function liveNamespaces(): string[] {
  return [...created];
}

/** Does a namespace of that name exist on the system? */
export function namespaceExists(name: string): boolean {
  return run(['ip', 'netns', 'list']).stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

/** Remember a process running inside `ns`, so that deleting the namespace ends it first. */
export function registerChild(ns: string, child: ChildProcess): void {
  let set = children.get(ns);
  if (!set) children.set(ns, (set = new Set()));
  set.add(child);
  child.once('exit', () => set!.delete(child));
}

export interface Peer {
  /** The namespace. */
  readonly ns: string;
  /** The veth end inside it. */
  readonly dev: string;
  readonly ip4: string;
  readonly ip6: string;
  readonly mac: string;
}

export interface NsPair {
  /** The sender side (10.200.0.1, fd00:200::1). */
  readonly a: Peer;
  /** The receiver side (10.200.0.2, fd00:200::2). */
  readonly b: Peer;
  /** Delete both namespaces (also done by cleanupAll). */
  destroy(): void;
}

/** The address of a peer for a family. */
export function addr(p: Peer, family: Family): string {
  return family === 'ipv6' ? p.ip6 : p.ip4;
}

function readMac(ns: string, dev: string): string {
  return nsExec(ns, ['cat', `/sys/class/net/${dev}/address`], { check: true }).stdout.trim();
}

/** Poll `fn` every few ms until it returns true or the time is up; returns the last answer. */
export function waitUntil(fn: () => boolean, timeoutMs = 3000, stepMs = 10): boolean {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (fn()) return true;
    if (Date.now() > end) return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, stepMs);
  }
}

/** Block the thread for `ms` milliseconds (sync tests). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Two fresh namespaces A and B joined by a veth pair (vA in A, vB in B) with IPv4 and IPv6
 * addresses, links up, DAD finished (disabled and waited for), and permanent neighbour entries on
 * both sides so that no ARP or neighbour discovery ever depends on the rules under test.
 */
export function createPair(tag = 'pair'): NsPair {
  const a = createNamespace(`${tag}A`);
  let b: string | undefined;
  try {
    b = createNamespace(`${tag}B`);
    run(['ip', 'link', 'add', 'vA', 'netns', a, 'type', 'veth', 'peer', 'name', 'vB', 'netns', b], { check: true });
    const ends = [
      { ns: a, dev: 'vA', ip4: '10.200.0.1', ip6: 'fd00:200::1' },
      { ns: b, dev: 'vB', ip4: '10.200.0.2', ip6: 'fd00:200::2' },
    ];
    for (const e of ends) {
      for (const key of ['all', 'default', e.dev]) {
        nsExec(e.ns, ['sysctl', '-qw', `net.ipv6.conf.${key}.accept_dad=0`]);
      }
      nsExec(e.ns, ['ip', 'addr', 'add', `${e.ip4}/24`, 'dev', e.dev], { check: true });
      nsExec(e.ns, ['ip', '-6', 'addr', 'add', `${e.ip6}/64`, 'dev', e.dev, 'nodad'], { check: true });
      nsExec(e.ns, ['ip', 'link', 'set', e.dev, 'up'], { check: true });
    }
    const peers = ends.map((e) => ({ ...e, mac: readMac(e.ns, e.dev) }));
    for (const [me, other] of [[peers[0]!, peers[1]!], [peers[1]!, peers[0]!]] as const) {
      nsExec(me.ns, ['ip', 'neigh', 'replace', other.ip4, 'lladdr', other.mac, 'dev', me.dev, 'nud', 'permanent'], { check: true });
      nsExec(me.ns, ['ip', '-6', 'neigh', 'replace', other.ip6, 'lladdr', other.mac, 'dev', me.dev, 'nud', 'permanent'], { check: true });
    }
    const ready = waitUntil(() =>
      peers.every((p) => {
        const link = nsExec(p.ns, ['cat', `/sys/class/net/${p.dev}/operstate`]).stdout.trim();
        const tentative = nsExec(p.ns, ['ip', '-6', 'addr', 'show', 'dev', p.dev, 'tentative']).stdout.trim();
        return link === 'up' && tentative === '';
      }),
    );
    if (!ready) throw new Error(`veth pair ${a} <-> ${b} did not come up (link down or IPv6 DAD still tentative)`);
    const [pa, pb] = peers as [Peer, Peer];
    return { a: pa, b: pb, destroy: () => (deleteNamespace(a), deleteNamespace(b!)) };
  } catch (e) {
    deleteNamespace(a);
    if (b) deleteNamespace(b);
    throw e;
  }
}

/**
 * Mocha helper: a fresh pair before the suite (skipping with a reason when prerequisites are
 * missing) and both namespaces deleted after it, whatever happened. Read `.pair` inside tests.
 */
export function useNamespacePair(opts: PrereqOptions & { tag?: string } = {}): { readonly pair: NsPair } {
  const holder: { pair?: NsPair } = {};
  before(function () {
    requireKernel(this, opts);
    holder.pair = createPair(opts.tag);
  });
  after(function () {
    holder.pair?.destroy();
  });
  return {
    get pair(): NsPair {
      if (!holder.pair) throw new Error('namespace pair not created (before() hook skipped or failed)');
      return holder.pair;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// iptables

export interface FamilyBackend {
  readonly family?: Family;
  readonly backend?: Backend;
}

/** `iptables-nft`, `ip6tables-legacy-restore`, ... */
export function iptablesBinary(tool: '' | '-restore' | '-save', o: FamilyBackend = {}): string {
  return `${o.family === 'ipv6' ? 'ip6' : 'ip'}tables-${o.backend ?? 'nft'}${tool}`;
}

export interface RestoreOptions extends FamilyBackend {
  /** `--test`: parse and check, commit nothing. */
  readonly test?: boolean;
  /** `--noflush`: keep what the tables hold. */
  readonly noflush?: boolean;
  /** `--counters`: restore the [packets:bytes] values. */
  readonly counters?: boolean;
}

export interface RestoreResult {
  readonly ok: boolean;
  readonly status: number;
  readonly stderr: string;
  /** 1-based line iptables-restore blames, when it names one. */
  readonly failingLine?: number;
  /** The most telling line of stderr (the error without "Try `iptables-restore -h'..."). */
  readonly message?: string;
}

/**
 * Where iptables-restore says it failed. In order of precision:
 * - nft kernel errors: `line 14: RULE_APPEND failed (No such file or directory): rule in chain X`
 *   names the rule's own line (a later `iptables-restore: line N failed` names COMMIT);
 * - parse errors: `Error occurred at line: N`;
 * - `iptables-restore: COMMIT expected at line N` (N is one past the last line);
 * - legacy kernel errors: `iptables-restore: line N failed` (N is the COMMIT of the table);
 * - legacy policy errors: "Can't set policy `accept' on `INPUT' line 2: Bad policy name".
 */
export function parseFailingLine(stderr: string): { line?: number; message?: string } {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const pick = (re: RegExp): { line?: number; message?: string } | undefined => {
    for (const l of lines) {
      const m = re.exec(l);
      if (m) return { line: Number(m[1]), message: l };
    }
    return undefined;
  };
  const msgLine = lines.find((l) => !/^Try `/.test(l) && !/^Error occurred at line/.test(l) && !/^ip6?tables-restore v[\d.]+ \([a-z_]+\):$/.test(l));
  const withMsg = (r: { line?: number; message?: string } | undefined, useOwn = false) =>
    r ? { ...(r.line !== undefined ? { line: r.line } : {}), message: useOwn ? r.message! : msgLine ?? r.message! } : undefined;
  return (
    withMsg(pick(/^line (\d+): /), true) ??
    withMsg(pick(/Error occurred at line: (\d+)/)) ??
    withMsg(pick(/COMMIT expected at line (\d+)/), true) ??
    withMsg(pick(/line (\d+) failed/)) ??
    withMsg(pick(/\bline (\d+): /), true) ??
    (msgLine ? { message: msgLine } : {})
  );
}

/** Run the real iptables-restore (or ip6tables-restore) inside `ns` with `text` on stdin. */
export function restore(ns: string, text: string, opts: RestoreOptions = {}): RestoreResult {
  const argv = [iptablesBinary('-restore', opts)];
  if (opts.test) argv.push('--test');
  if (opts.noflush) argv.push('--noflush');
  if (opts.counters) argv.push('--counters');
  const r = nsExec(ns, argv, { input: text });
  if (r.status === 0) return { ok: true, status: 0, stderr: r.stderr };
  const where = parseFailingLine(r.stderr);
  return {
    ok: false,
    status: r.status,
    stderr: r.stderr,
    ...(where.line !== undefined ? { failingLine: where.line } : {}),
    ...(where.message ? { message: where.message } : {}),
  };
}

/** Run `iptables-<backend> ARGS` (or ip6tables) inside `ns`. */
export function iptables(ns: string, args: readonly string[], opts: FamilyBackend & ExecOptions = {}): ExecResult {
  return nsExec(ns, [iptablesBinary('', opts), ...args], opts);
}

/** Empty every table of the family (a restore of five empty tables: rules, user chains go). */
export function resetTables(ns: string, opts: FamilyBackend = {}): void {
  const text = ['filter', 'nat', 'mangle', 'raw', 'security'].map((t) => `*${t}\nCOMMIT\n`).join('');
  const r = restore(ns, text, opts);
  if (!r.ok) throw new Error(`could not reset tables in ${ns}: ${r.stderr}`);
}

export interface RuleCounter {
  readonly table: string;
  readonly chain: string;
  /** 1-based position in its chain, as `iptables -L --line-numbers` shows. */
  readonly position: number;
  readonly packets: number;
  readonly bytes: number;
  /** The rule as iptables-save prints it, without the counters (`-A INPUT ...`). */
  readonly rule: string;
}

export interface ChainCounter {
  readonly table: string;
  readonly chain: string;
  readonly policy: string;
  readonly packets: number;
  readonly bytes: number;
}

/** Parse `iptables-save -c` output into per-rule counters (and chain policy counters). */
export function parseSaveCounters(text: string): { rules: RuleCounter[]; chains: ChainCounter[] } {
  const rules: RuleCounter[] = [];
  const chains: ChainCounter[] = [];
  const pos = new Map<string, number>();
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      continue;
    }
    let m = /^:(\S+) (\S+) \[(\d+):(\d+)\]/.exec(line);
    if (m) {
      chains.push({ table, chain: m[1]!, policy: m[2]!, packets: Number(m[3]), bytes: Number(m[4]) });
      continue;
    }
    m = /^\[(\d+):(\d+)\] (-A (\S+).*)$/.exec(line);
    if (m) {
      const key = `${table}\0${m[4]}`;
      const position = (pos.get(key) ?? 0) + 1;
      pos.set(key, position);
      rules.push({ table, chain: m[4]!, position, packets: Number(m[1]), bytes: Number(m[2]), rule: m[3]! });
    }
  }
  return { rules, chains };
}

/** Every rule's packet and byte counters in `ns` (one table, or all), from `iptables-save -c`. */
export function ruleCounters(ns: string, opts: FamilyBackend & { table?: string } = {}): RuleCounter[] {
  const argv = [iptablesBinary('-save', opts), '-c', ...(opts.table ? ['-t', opts.table] : [])];
  return parseSaveCounters(nsExec(ns, argv, { check: true }).stdout).rules;
}

/** Packets counted by rule number `position` (1-based) of `chain`. */
export function rulePackets(ns: string, chain: string, position: number, opts: FamilyBackend & { table?: string } = {}): number {
  const table = opts.table ?? 'filter';
  const r = ruleCounters(ns, { ...opts, table }).find((c) => c.table === table && c.chain === chain && c.position === position);
  if (!r) throw new Error(`no rule ${chain} #${position} in table ${table} of ${ns}`);
  return r.packets;
}

/** Zero the counters of one table (default filter). */
export function zeroCounters(ns: string, opts: FamilyBackend & { table?: string } = {}): void {
  iptables(ns, ['-t', opts.table ?? 'filter', '-Z'], { ...opts, check: true });
}

// ---------------------------------------------------------------------------------------------
// conntrack

export interface ConntrackTuple {
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  /** ICMP type/code/id for icmp entries. */
  readonly extra: Readonly<Record<string, string>>;
}

export interface ConntrackEntry {
  readonly proto: string;
  readonly protonum: number;
  readonly timeout: number;
  /** TCP state (SYN_SENT, ESTABLISHED, ...); absent for UDP/ICMP. */
  readonly state?: string;
  readonly orig: ConntrackTuple;
  readonly reply?: ConntrackTuple;
  /** UNREPLIED, ASSURED, ... */
  readonly flags: readonly string[];
  readonly raw: string;
}

function tuple(kv: [string, string][]): ConntrackTuple {
  const extra: Record<string, string> = {};
  let src = '';
  let dst = '';
  let sport: number | undefined;
  let dport: number | undefined;
  for (const [k, v] of kv) {
    if (k === 'src') src = v;
    else if (k === 'dst') dst = v;
    else if (k === 'sport') sport = Number(v);
    else if (k === 'dport') dport = Number(v);
    else extra[k] = v;
  }
  return { src, dst, ...(sport !== undefined ? { sport } : {}), ...(dport !== undefined ? { dport } : {}), extra };
}

/** Parse `conntrack -L` lines (the harness's own reader, independent of the product's parser). */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const raw of text.split('\n')) {
    const words = raw.trim().split(/\s+/).filter(Boolean);
    if (words.length < 4 || !/^\d+$/.test(words[1]!)) continue;
    const [proto, protonum, timeout] = words;
    let i = 3;
    let state: string | undefined;
    if (words[i] && !words[i]!.includes('=') && !words[i]!.startsWith('[')) state = words[i++];
    const flags: string[] = [];
    const sides: [string, string][][] = [];
    for (; i < words.length; i++) {
      const w = words[i]!;
      const fl = /^\[(\w+)\]$/.exec(w);
      if (fl) {
        flags.push(fl[1]!);
        continue;
      }
      const eq = w.indexOf('=');
      if (eq < 0) continue;
      const k = w.slice(0, eq);
      const v = w.slice(eq + 1);
      if (k === 'src') sides.push([]);
      if (['mark', 'use', 'zone', 'secctx', 'id', 'delta-time'].includes(k) && sides.length >= 2) continue;
      sides[sides.length - 1]?.push([k, v]);
    }
    if (!sides[0]) continue;
    out.push({
      proto: proto!,
      protonum: Number(protonum),
      timeout: Number(timeout),
      ...(state ? { state } : {}),
      orig: tuple(sides[0]),
      ...(sides[1] ? { reply: tuple(sides[1]) } : {}),
      flags,
      raw: raw.trim(),
    });
  }
  return out;
}

/** The conntrack table of `ns` (both families unless one is given). */
export function conntrackList(ns: string, family?: Family): ConntrackEntry[] {
  const r = nsExec(ns, ['conntrack', '-L', ...(family ? ['-f', family] : [])]);
  if (r.status !== 0) throw new Error(`conntrack -L failed in ${ns}: ${r.stderr}`);
  return parseConntrack(r.stdout);
}

/** Forget every conntrack entry in `ns`. */
export function conntrackFlush(ns: string): void {
  const r = nsExec(ns, ['conntrack', '-F']);
  if (r.status !== 0) throw new Error(`conntrack -F failed in ${ns}: ${r.stderr}`);
}

export interface ConntrackFilter {
  readonly family?: Family;
  readonly proto?: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  readonly src?: string;
  readonly dst?: string;
  readonly sport?: number;
  readonly dport?: number;
}

/** `conntrack -D` with an original-direction filter; returns how many entries were deleted. */
export function conntrackDelete(ns: string, f: ConntrackFilter): number {
  const argv = ['conntrack', '-D'];
  if (f.family) argv.push('-f', f.family);
  if (f.proto) argv.push('-p', f.proto);
  if (f.src) argv.push('--orig-src', f.src);
  if (f.dst) argv.push('--orig-dst', f.dst);
  if (f.sport !== undefined) argv.push('--orig-port-src', String(f.sport));
  if (f.dport !== undefined) argv.push('--orig-port-dst', String(f.dport));
  const r = nsExec(ns, argv);
  const m = /(\d+) flow entries have been deleted/.exec(r.stderr + r.stdout);
  if (m) return Number(m[1]);
  if (r.status !== 0 && /not found|No such file/.test(r.stderr)) return 0;
  if (r.status !== 0) throw new Error(`conntrack -D failed in ${ns}: ${r.stderr}`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// sysctls

/** Set a sysctl inside `ns` (`net.netfilter.nf_conntrack_tcp_loose`, 0). */
export function setSysctl(ns: string, key: string, value: string | number): void {
  nsExec(ns, ['sysctl', '-qw', `${key}=${value}`], { check: true });
}

export function getSysctl(ns: string, key: string): string {
  return nsExec(ns, ['sysctl', '-n', key], { check: true }).stdout.trim();
}
