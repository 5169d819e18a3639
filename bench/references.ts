/**
 * The reference programs, run in the same bench on the same files, so that results are ratios:
 * - `iptables-legacy-restore --test` and `iptables-nft-restore --test` (ip6tables-* for IPv6) on a
 *   rules file, inside a throwaway network namespace (needs root; deleted afterwards);
 * - fwlogwatch on a log: `-P n` selects its netfilter parser (the man page: `-n` would turn on DNS
 *   lookups, not netfilter, and make every run depend on the network), in its fastest mode
 *   (`-S -D`: counts without telling sources and destinations apart: linear) and as the issue
 *   asks (`-d`: per destination port, which keeps one entry per source/destination/port and slows
 *   down with their number), with a time limit;
 * - `grep -c SRC=` on the same log: the floor, reading the bytes.
 * CPU time (user + system of the child) is read with /usr/bin/time, wall time around the call.
 *
 * Two traps, both met in this bench:
 * - output must not go to /dev/null: GNU grep notices that (it compares the device of its standard
 *   output with /dev/null's) and then stops at the first match, since nothing will be printed: it
 *   "read" 248 MB in 1.4 ms. Standard output goes to a temporary regular file instead.
 * - the time limit is enforced by coreutils `timeout -s KILL` around the measured program, not by
 *   killing /usr/bin/time: killing /usr/bin/time left fwlogwatch running, orphaned, for minutes.
 *   timeout runs the program in its own process group and kills the whole group.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { median, round } from './lib/stats';

export interface RefRun {
  readonly name: string;
  /** Median of the runs; undefined when skipped. */
  readonly wall?: number;
  readonly cpu?: number;
  readonly maxRssMb?: number;
  readonly ok: boolean;
  /** Why it was skipped or failed, or a note (timed out: the values are lower bounds). */
  readonly note?: string;
  readonly timedOut?: boolean;
}

const TIME = '/usr/bin/time';

/**
 * argv under `timeout -s KILL`, for /usr/bin/time: `timeout` exits with 137 (killed by signal 9)
 * when the limit is reached. The spawnSync limit stays as a backstop, a little later.
 */
function limited(argv: readonly string[], timeoutMs: number): string[] {
  return ['timeout', '-s', 'KILL', `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`, ...argv];
}

/** Did a run under `limited` stop at the time limit (status 137 after at least the limit)? */
function hitLimit(status: number | null, wallMs: number, timeoutMs: number): boolean {
  return status === 137 && wallMs >= Math.ceil(timeoutMs / 1000) * 1000 - 50;
}

/** Run argv `runs` times under /usr/bin/time; median wall and CPU. */
export function timeCommand(name: string, argv: readonly string[], o: { runs?: number; timeoutMs?: number; stdin?: string; okStatus?: number[] } = {}): RefRun {
  const noTime = ensureCommand(TIME, 'time');
  if (noTime) return { name, ok: false, note: noTime };
  const missing = argv.find((a) => a.startsWith('/') && a.includes('/.data/') && !existsSync(a));
  if (missing) return { name, ok: false, note: `${missing} does not exist` };
  const dir = mkdtempSync(path.join(tmpdir(), 'ilens-bench-'));
  const timeoutMs = o.timeoutMs ?? 600_000;
  const walls: number[] = [];
  const cpus: number[] = [];
  let rss = 0;
  try {
    for (let i = 0; i < (o.runs ?? 3); i++) {
      const out = path.join(dir, `time${i}`);
      // a regular file, not /dev/null (see the header)
      const stdout = openSync(path.join(dir, 'stdout'), 'w');
      const t0 = performance.now();
      let r: ReturnType<typeof spawnSync>;
      try {
        r = spawnSync(TIME, ['-f', '%e %U %S %M', '-o', out, ...limited(argv, timeoutMs)], {
          ...(o.stdin !== undefined ? { input: readFileSync(o.stdin) } : {}),
          stdio: [o.stdin !== undefined ? 'pipe' : 'ignore', stdout, 'pipe'],
          timeout: timeoutMs + 30_000,
          killSignal: 'SIGKILL',
          maxBuffer: 64 << 20,
        });
      } finally {
        closeSync(stdout);
      }
      const wall = performance.now() - t0;
      if (hitLimit(r.status, wall, timeoutMs) || (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')) {
        // killed at the limit: what it took is at least this
        return { name, wall: round(wall), cpu: round(wall), ok: false, timedOut: true, note: `did not finish in ${Math.round(timeoutMs / 1000)} s: the values are lower bounds` };
      }
      const ok = (o.okStatus ?? [0]).includes(r.status ?? -1);
      if (!ok) return { name, ok: false, note: `exit ${r.status}: ${(r.stderr?.toString() ?? '').trim().split('\n').slice(-2).join(' ')}` };
      const [, u, s, m] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      walls.push(wall);
      cpus.push((u! + s!) * 1000);
      rss = Math.max(rss, m! / 1024);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result: RefRun = { name, wall: round(median(walls)), cpu: round(median(cpus)), maxRssMb: round(rss, 1), ok: true };
  // /usr/bin/time counts CPU in hundredths of a second: a fast command is timed over a loop of runs
  if (result.cpu! < 200 && o.stdin === undefined) {
    const n = Math.min(200, Math.max(5, Math.ceil(1000 / Math.max(1, result.wall!))));
    const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const ok = (o.okStatus ?? [0]).join('|');
    const loop = timeCommandOnce(['sh', '-c', `i=0; while [ $i -lt ${n} ]; do ${quoted} >"$0" 2>/dev/null; s=$?; case $s in ${ok}) ;; *) exit $s;; esac; i=$((i+1)); done`], timeoutMs);
    if (loop) return { ...result, wall: round(loop.wall / n, 3), cpu: round(loop.cpu / n, 3), note: `per run, timed over ${n} runs` };
  }
  return result;
}

/** argv (`sh -c SCRIPT`) once under /usr/bin/time; the script gets a regular file for output as $0. */
function timeCommandOnce(argv: readonly string[], timeoutMs = 600_000): { wall: number; cpu: number } | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'ilens-bench-'));
  try {
    const out = path.join(dir, 'time');
    const t0 = performance.now();
    const r = spawnSync(TIME, ['-f', '%e %U %S %M', '-o', out, ...limited([...argv, path.join(dir, 'stdout')], timeoutMs)], { stdio: 'ignore', timeout: timeoutMs + 30_000, killSignal: 'SIGKILL' });
    const wall = performance.now() - t0;
    if (r.status !== 0) return undefined;
    const [, u, s] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { wall, cpu: (u! + s!) * 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const isRoot = process.getuid?.() === 0;

/** A throwaway namespace for iptables-restore --test, or why there is none. */
export function withNamespace<T>(fn: (ns: string) => T): T | string {
  if (!isRoot) return 'needs root (network namespaces)';
  const noIp = ensureCommand('ip', 'iproute2');
  if (noIp) return noIp;
  const ns = `ilensbench${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (add.status !== 0) return `ip netns add failed: ${add.stderr.trim()}`;
  try {
    return fn(ns);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

export function restoreTest(ns: string, file: string, family: 'ipv4' | 'ipv6', backend: 'legacy' | 'nft', runs = 3): RefRun {
  const bin = `${family === 'ipv6' ? 'ip6tables' : 'iptables'}-${backend}-restore`;
  const name = `${bin} --test`;
  const missing = ensureCommand(bin, 'iptables');
  if (missing) return { name, ok: false, note: missing };
  return timeCommand(name, ['ip', 'netns', 'exec', ns, bin, '--test', file], { runs, timeoutMs: 600_000 });
}

/**
 * A reference's command, installed from Debian's package `pkg` when it is missing and that is
 * possible (root and apt-get; the package lists are updated once if the first try fails, as on a
 * new machine that never ran apt-get update): undefined once the command is there, else why not.
 */
export function ensureCommand(cmd: string, pkg: string): string | undefined {
  if (have(cmd)) return undefined;
  if (!isRoot) return `${cmd} is missing and installing it needs root (apt-get install -y ${pkg})`;
  if (!have('apt-get')) return `${cmd} is missing and there is no apt-get to install ${pkg}`;
  const apt = (args: string[]) => spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 300_000 });
  let r = apt(['install', '-y', pkg]);
  if (r.status !== 0) {
    apt(['update']);
    r = apt(['install', '-y', pkg]);
  }
  if (r.status !== 0 || !have(cmd)) return `${cmd} is missing: apt-get install -y ${pkg} failed: ${(r.stderr ?? '').trim().split('\n').pop()}`;
  return undefined;
}

export function fwlogwatch(file: string, mode: 'fast' | 'ports', o: { runs?: number; timeoutMs?: number } = {}): RefRun {
  const args = mode === 'fast' ? ['-P', 'n', '-S', '-D'] : ['-P', 'n', '-d'];
  const name = `fwlogwatch ${args.join(' ')}`;
  const missing = ensureCommand('fwlogwatch', 'fwlogwatch');
  if (missing) return { name, ok: false, note: missing };
  return timeCommand(name, ['fwlogwatch', ...args, file], { runs: o.runs ?? 1, timeoutMs: o.timeoutMs ?? 120_000 });
}

export function grepCount(file: string, runs = 3): RefRun {
  // grep exits 1 when nothing matches; LC_ALL=C: bytes, not characters (the fastest grep can be)
  return timeCommand('grep -c SRC=', ['env', 'LC_ALL=C', 'grep', '-c', 'SRC=', file], { runs, okStatus: [0, 1] });
}

/** `iptables-lens logs --json FILE` as a process (the CLI), for a process-to-process comparison. */
export function cliLogs(cli: string, file: string, runs = 1): RefRun {
  return timeCommand('iptables-lens logs --json', [process.execPath, cli, 'logs', '--json', file], { runs, timeoutMs: 600_000 });
}
