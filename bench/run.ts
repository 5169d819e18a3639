/**
 * `npm run bench` (scripts/bench.mjs builds first, then runs this):
 *   generate the inputs (bench/.data/), measure rules files and logs in-process (each rules file
 *   in a fresh process), through the real server over stdio, and the reference programs on the
 *   same files; print a table and write bench/results.json.
 *
 * Options: --quick (small sizes only), --sizes=1000,10000,100000, --no-refs, --no-lsp,
 *   --only=rules|logs, --markdown=FILE (the table as Markdown, for BENCHMARKS.md).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleChildren, childScripts } from './children';
import { BENCH_DIR, DATA_DIR, logFile, prepareDataDir, rulesFile, type RulesFile } from './data';
import { type Metric, checkTargets, formatMarkdown, formatTable, metric } from './lib/report';
import { measureLogEditor, type SummaryResult } from './logs-measure';
import { measureLspLog, measureLspRules } from './lsp-measure';
import { cliLogs, fwlogwatch, grepCount, type RefRun, restoreTest, withNamespace } from './references';
import type { RulesetResult } from './rules-measure';
import type { Family, RulesetKind } from './gen/rulesets';

const args = process.argv.slice(2);
const flag = (n: string) => args.includes(`--${n}`);
const opt = (n: string) => args.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
const quick = flag('quick');
const sizes = (opt('sizes') ?? (quick ? '1000,10000' : '1000,10000,100000')).split(',').map(Number);
const big = Math.max(...sizes);
const only = opt('only');
const refs = !flag('no-refs');
const lsp = !flag('no-lsp');
const PROJECT = path.resolve(BENCH_DIR, '..');
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

const metrics: Metric[] = [];
const skipped: string[] = [];

function machine() {
  const kernel = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}

/**
 * Summarise one log file in `rounds` fresh processes, one cold run each (as the CLI runs: the
 * bench process holds other measurements' heap), and (with the references) time `grep -c` on it
 * before each: the run of median CPU, and grep's median. Taken in turns, both are measured in the
 * same stretch of time, so that their ratio holds when the machine's speed drifts during the run
 * (measured one after the other, a minute apart, the ratio moved by up to 30% from run to run
 * with the code unchanged).
 */
function summaryAndGrep(file: string, rounds: number): { summary: SummaryResult | string; grep?: RefRun } {
  const runs: SummaryResult[] = [];
  const greps: RefRun[] = [];
  let grepFailed: RefRun | undefined;
  for (let i = 0; i < rounds; i++) {
    if (refs && !grepFailed) {
      const g = grepCount(file, 1);
      if (g.ok) greps.push(g);
      else grepFailed = g;
    }
    const r = summaryChild(file, 1);
    if (typeof r === 'string') return { summary: r };
    runs.push(r);
  }
  runs.sort((a, b) => a.cpu - b.cpu);
  const summary = runs[(runs.length - 1) >> 1]!;
  if (!refs) return { summary };
  if (grepFailed) return { summary, grep: grepFailed };
  const mid = <K extends 'cpu' | 'wall'>(k: K) => greps.map((g) => g[k]!).sort((a, b) => a - b)[(greps.length - 1) >> 1]!;
  return { summary, grep: { ...greps[0]!, cpu: mid('cpu'), wall: mid('wall'), note: `${greps[0]!.note ?? 'per run'}; the median of ${greps.length} timings taken in turns with the summary` } };
}

const CHILDREN = childScripts(path.join(DATA_DIR, 'children'));

/** Summarise one log file in a fresh process (as the CLI does: the bench process holds other measurements' heap). */
function summaryChild(file: string, runs: number): SummaryResult | string {
  const r = spawnSync(process.execPath, [CHILDREN.logs, file, String(runs)], {
    cwd: PROJECT,
    encoding: 'utf8',
    timeout: 600_000,
    killSignal: 'SIGKILL',
  });
  if (r.status !== 0) return `failed (${r.error ? 'timed out after 10 min' : `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as SummaryResult;
}

/** Measure one rules file in a fresh process. */
function rulesChild(f: RulesFile): RulesetResult | string {
  // edits, hover and completion positions, traces, warm opens, line edits; at 100k rules 60 edits,
  // so that the p95 is the 57th of them and not, as with 20, the second-slowest (which one pause
  // decides); 20 line edits everywhere, so that their p95 is the 19th (of the 6 made at 100k
  // rules before, the p95 was the slowest: the first, whose code V8 had not optimized yet, or the
  // one a full collection fell in; the slowest is still printed, as max)
  const scale = f.size >= 100000 ? [60, 300, 20, 1, 20] : f.size >= 10000 ? [40, 400, 30, 2, 20] : [100, 500, 40, 5, 20];
  const r = spawnSync(process.execPath, ['--expose-gc', CHILDREN.rules, f.file, ...scale.map(String)], {
    cwd: PROJECT,
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    timeout: 900_000,
    killSignal: 'SIGKILL',
  });
  if (r.status !== 0) return `failed (${r.error ? 'timed out after 15 min' : `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as RulesetResult;
}

/** What floor-child.ts prints. */
interface FloorResult {
  readonly cpu: number;
  readonly wall: number;
  readonly words: number;
  readonly options: number;
}

/**
 * The read floor of one rules file (see read-floor.ts): `rounds` fresh processes, the one of median
 * CPU; a string when a run failed.
 */
function floorChild(f: RulesFile, rounds: number): FloorResult | string {
  const runs: FloorResult[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = spawnSync(process.execPath, [CHILDREN.floor, f.file, f.family], { cwd: PROJECT, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
    if (r.status !== 0) return `failed (${r.error ? 'timed out after 2 min' : `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
    runs.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as FloorResult);
  }
  runs.sort((a, b) => a.cpu - b.cpu);
  return runs[(runs.length - 1) >> 1]!;
}

function ref(r: RefRun | undefined, what: 'cpu' | 'wall' = 'cpu'): { name: string; value: number; unit: string } | undefined {
  if (!r || r.wall === undefined) return undefined;
  return { name: `${r.name}${what === 'wall' ? ' (wall)' : ' (CPU)'}${r.timedOut ? ' (lower bound: timed out)' : ''}`, value: what === 'wall' ? r.wall : r.cpu!, unit: 'ms' };
}

function note(r: RefRun | undefined): void {
  if (r && !r.ok && !r.timedOut) skipped.push(`${r.name}: ${r.note}`);
  else if (r?.timedOut) skipped.push(`${r.name}: ${r.note}`);
}

async function benchRules(): Promise<void> {
  const files: RulesFile[] = [];
  const add = (kind: RulesetKind, family: Family, size: number) => files.push(rulesFile(kind, family, size, log));
  for (const s of sizes) add('kube', 'ipv4', s);
  for (const kind of ['docker', 'firewall'] as const) for (const s of sizes.filter((x) => x >= 10000 || sizes.length === 1)) add(kind, 'ipv4', s);
  const v6 = quick ? Math.min(...sizes) : big;
  add('kube', 'ipv6', v6);
  for (const kind of ['docker', 'firewall'] as const) add(kind, 'ipv6', sizes.includes(10000) ? 10000 : Math.min(...sizes));

  const refRuns = new Map<string, { legacy?: RefRun; nft?: RefRun }>();
  if (refs) {
    const got = withNamespace((ns) => {
      for (const f of files) {
        log(`references: iptables-restore --test ${f.name}`);
        refRuns.set(f.name, { legacy: restoreTest(ns, f.file, f.family, 'legacy', f.size >= 100000 ? 3 : 5), nft: restoreTest(ns, f.file, f.family, 'nft', f.size >= 100000 ? 3 : 5) });
      }
      return true;
    });
    if (typeof got === 'string') skipped.push(`iptables-restore --test: ${got}`);
    for (const r of refRuns.values()) {
      note(r.legacy);
      note(r.nft);
    }
  } else skipped.push('iptables-restore --test: --no-refs');

  const cold = new Map<string, number>();
  for (const f of files) {
    log(`rules ${f.name}: in-process`);
    const r = rulesChild(f);
    const p = `rules/${f.name}`;
    if (typeof r === 'string') {
      metrics.push(metric(`${p}/cold-open`, null, 'ms', { note: r }));
      continue;
    }
    const rr = refRuns.get(f.name);
    cold.set(f.name, r.cold.cpu);
    metrics.push(metric(`${p}/cold-open`, r.cold.cpu, 'ms CPU', { reference: ref(rr?.legacy), note: `${r.rules} rules, ${r.lines} lines, ${(r.bytes / 1e6).toFixed(1)} MB, ${r.diagnostics} diagnostics; parse ${r.cold.parseCpu} ms + checks ${r.cold.checkCpu} ms` }));
    metrics.push(metric(`${p}/cold-open.wall`, r.cold.wall, 'ms', { reference: ref(rr?.legacy, 'wall') }));
    metrics.push(metric(`${p}/cold-open.vs-nft`, r.cold.cpu, 'ms CPU', { reference: ref(rr?.nft) }));
    const floor = floorChild(f, 3);
    metrics.push(
      typeof floor === 'string'
        ? metric(`${p}/read-floor`, null, 'ms', { note: floor })
        : metric(`${p}/read-floor`, floor.cpu, 'ms CPU', { reference: ref(rr?.legacy), note: `the least a reader in JavaScript does before any check, in a fresh process (bench/read-floor.ts: ${floor.words} words split, ${floor.options} options given their spec, no object per word; wall ${floor.wall} ms); the median of 3 runs; no target` }),
    );
    metrics.push(metric(`${p}/warm-open`, r.warm.cpu, 'ms CPU', { reference: ref(rr?.legacy) }));
    metrics.push(metric(`${p}/edit.p50`, r.edit.p50, 'ms'));
    metrics.push(metric(`${p}/edit.p95`, r.edit.p95, 'ms', { note: `${r.edit.count} one-line edits; CPU p95 ${r.edit.cpuP95} ms` }));
    metrics.push(metric(`${p}/line-edit.p50`, r.lineEdit.p50, 'ms'));
    metrics.push(metric(`${p}/line-edit.p95`, r.lineEdit.p95, 'ms', { note: `${r.lineEdit.count} edits inserting or deleting a line (every line after it moves); the slowest ${r.lineEdit.max} ms; CPU p95 ${r.lineEdit.cpuP95} ms` }));
    metrics.push(metric(`${p}/semantic-tokens.full`, r.tokens.wall, 'ms', { note: 'every line\'s semantic tokens encoded, as for an editor\'s first request for the whole file (after the line edits)' }));
    metrics.push(metric(`${p}/semantic-tokens.kept`, r.tokens.keptMb, 'MB', { note: 'the heap that encoding keeps for the next request (outside the heap samples)' }));
    metrics.push(metric(`${p}/line-edit.later.p95`, r.lineEditLater.p95, 'ms', { note: `the next ${r.lineEditLater.count} such edits, once V8 has compiled the code that moves lines (no target; p50 ${r.lineEditLater.p50} ms, the slowest ${r.lineEditLater.max} ms)` }));
    metrics.push(metric(`${p}/line-edit.heap.peak`, r.lineEdit.heapPeak, 'MB', { note: `while the line edits ran (after the rest of the session); retained after GC ${r.lineEdit.retained} MB` }));
    metrics.push(metric(`${p}/hover.p50`, r.hover.p50, 'ms'));
    metrics.push(metric(`${p}/hover.p99`, r.hover.p99, 'ms', { note: `${r.hover.count} positions` }));
    metrics.push(metric(`${p}/completion.p50`, r.completion.p50, 'ms'));
    metrics.push(metric(`${p}/completion.p99`, r.completion.p99, 'ms'));
    metrics.push(metric(`${p}/trace.p50`, r.trace.p50, 'ms'));
    metrics.push(metric(`${p}/trace.p99`, r.trace.p99, 'ms', { note: `${r.trace.count} packets, first ${r.trace.first} ms` }));
    metrics.push(metric(`${p}/trace.prepare`, r.trace.prepare, 'ms', { note: 'built by the server while idle after publishing diagnostics, before the traces' }));
    metrics.push(metric(`${p}/heap.peak`, r.heap.peak, 'MB', { note: `retained after GC ${r.heap.retained} MB` }));
    metrics.push(metric(`${p}/rss.peak`, r.rss.peak, 'MB'));
  }
  // growth: 10x the rules should cost at most 12x the time
  for (const kind of ['kube', 'docker', 'firewall']) {
    const ordered = sizes.map((s) => [s, cold.get(`${kind}-ipv4-${s}`)] as const).filter((x): x is readonly [number, number] => x[1] !== undefined);
    for (let i = 1; i < ordered.length; i++) {
      const [a, ta] = ordered[i - 1]!;
      const [b, tb] = ordered[i]!;
      metrics.push(metric(`rules/${kind}-ipv4/slope-${a}-${b}`, Math.round((tb / ta) * 100) / 100, 'x', { note: `cold open CPU grows ${(tb / ta).toFixed(2)}x for ${b / a}x the rules` }));
    }
  }

  if (lsp && existsSync(path.join(PROJECT, 'dist', 'server.js'))) {
    for (const f of files.filter((x) => x.kind === 'kube' && x.family === 'ipv4')) {
      log(`rules ${f.name}: over stdio`);
      try {
        const r = await measureLspRules(f.file, { hovers: f.size >= 100000 ? 100 : 200, edits: f.size >= 100000 ? 20 : 40, keystrokes: f.size >= 100000 ? 12 : 20, timeoutMs: 600_000 });
        const rr = refRuns.get(f.name);
        const p = `lsp/${f.name}`;
        metrics.push(metric(`${p}/open-to-diagnostics`, r.openToDiagnostics, 'ms', { reference: ref(rr?.legacy, 'wall'), note: `${r.diagnostics} diagnostics published${r.serverRss ? `; server peak RSS ${r.serverRss} MB` : ''}` }));
        metrics.push(
          metric(`${p}/open-to-hover`, r.openToHover, 'ms', {
            reference: { name: 'open-to-diagnostics', value: r.openToDiagnostics, unit: 'ms' },
            note: 'a hover sent right after didOpen, answered once the file is read, between slices of its analysis',
          }),
        );
        metrics.push(metric(`${p}/hover.p50`, r.hover.p50, 'ms'));
        metrics.push(metric(`${p}/hover.p99`, r.hover.p99, 'ms'));
        metrics.push(metric(`${p}/completion.p99`, r.completion.p99, 'ms'));
        metrics.push(metric(`${p}/edit.p50`, r.edit.p50, 'ms'));
        metrics.push(metric(`${p}/edit.p95`, percentileOf(r.edit), 'ms', { note: `didChange to publishDiagnostics, validationDelay 0, ${r.edit.count} edits` }));
        metrics.push(metric(`${p}/outline`, r.outline.ms, 'ms', { note: `textDocument/documentSymbol, ${(r.outline.bytes / 1e6).toFixed(1)} MB answer` }));
        metrics.push(metric(`${p}/semantic-tokens.full`, r.tokens.ms, 'ms', { note: `textDocument/semanticTokens/full, ${(r.tokens.bytes / 1e6).toFixed(1)} MB answer` }));
        metrics.push(metric(`${p}/semantic-tokens.delta`, r.tokensDelta.ms, 'ms', { note: `textDocument/semanticTokens/full/delta after a one-line edit, ${r.tokensDelta.bytes} bytes answer` }));
        metrics.push(metric(`${p}/keystroke.p50`, r.keystroke.p50, 'ms'));
        metrics.push(metric(`${p}/keystroke.max`, r.keystroke.max, 'ms', { note: `a one-line edit until its diagnostics, the semantic-tokens delta and the outline are all answered (what VS Code asks after each pause in typing), ${r.keystroke.count} edits` }));
        metrics.push(metric(`${p}/line-keystroke.p50`, r.lineKeystroke.p50, 'ms'));
        metrics.push(metric(`${p}/line-keystroke.max`, r.lineKeystroke.max, 'ms', { note: `the same for a line put in or taken out (every line below it moves), ${r.lineKeystroke.count} edits` }));
      } catch (e) {
        metrics.push(metric(`lsp/${f.name}/open-to-diagnostics`, null, 'ms', { note: String(e) }));
      }
    }
  } else if (lsp) skipped.push('stdio measurements: dist/server.js is missing (run node esbuild.mjs)');
}

function percentileOf(r: { p99: number }): number {
  return r.p99; // with 20-40 edits, p95 and p99 are the same sample or next to it; report the stricter
}

async function benchLogs(): Promise<void> {
  const small = logFile('mixed', quick ? 10000 : 100000, undefined, log);
  const main = logFile('syslog', quick ? 100000 : 1000000, undefined, log);
  const fifty = logFile('mixed', 10_000_000, quick ? 5_000_000 : 50_000_000, log);
  const rules = rulesFile('firewall', 'ipv4', 1000, log);
  for (const lf of [small, main]) {
    log(`logs ${lf.name}: summary`);
    const p = `logs/${lf.name}`;
    const rounds = 5;
    const both = summaryAndGrep(lf.file, rounds);
    const s = both.summary;
    if (typeof s === 'string') {
      metrics.push(metric(`${p}/summary`, null, 'ms CPU', { note: s }));
      continue;
    }
    let fw: RefRun | undefined;
    let fwd: RefRun | undefined;
    let grep: RefRun | undefined;
    let cli: RefRun | undefined;
    if (refs) {
      log(`logs ${lf.name}: references`);
      grep = both.grep;
      fw = fwlogwatch(lf.file, 'fast', { timeoutMs: 600_000 });
      // the per-port mode grows with the distinct source/destination/port triples: on the big file it is only tried
      fwd = fwlogwatch(lf.file, 'ports', { timeoutMs: lf.lines >= 1000000 ? 60_000 : 240_000 });
      note(grep);
      note(fw);
      note(fwd);
    }
    const cliJs = path.join(PROJECT, 'dist', 'cli.js');
    if (existsSync(cliJs)) cli = cliLogs(cliJs, lf.file);
    const mb = s.bytes / 1e6;
    metrics.push(metric(`${p}/summary`, s.cpu, 'ms CPU', { reference: ref(fw), better: 'lower', note: `${s.lines} lines (${s.packets} LOG lines), ${mb.toFixed(0)} MB, the median of ${rounds} cold runs in fresh processes, in turns with grep -c: ${s.linesPerSecCpu} lines/s, ${s.mbPerSecCpu} MB/s (wall ${s.linesPerSecWall} lines/s, ${s.mbPerSecWall} MB/s)` }));
    metrics.push(metric(`${p}/summary.vs-fwlogwatch-d`, s.cpu, 'ms CPU', { reference: ref(fwd) }));
    metrics.push(metric(`${p}/summary.vs-grep`, s.cpu, 'ms CPU', { reference: ref(grep) }));
    metrics.push(metric(`${p}/summary.lines-per-s`, s.linesPerSecCpu, 'lines/s', { better: 'higher' }));
    metrics.push(metric(`${p}/summary.mb-per-s`, s.mbPerSecCpu, 'MB/s', { better: 'higher', ...(grep?.cpu ? { reference: { name: 'grep -c SRC= (CPU)', value: Math.round((mb / (grep.cpu / 1000)) * 10) / 10, unit: 'MB/s' } } : {}) }));
    if (cli?.ok) {
      metrics.push(metric(`${p}/cli-process`, cli.cpu!, 'ms CPU', { reference: ref(fw), note: `node dist/cli.js logs --json (process start included), wall ${cli.wall} ms` }));
      metrics.push(metric(`${p}/cli-process.vs-grep`, cli.cpu!, 'ms CPU', { reference: ref(grep) }));
    } else if (cli) skipped.push(`iptables-lens logs: ${cli.note}`);
  }
  log(`logs ${fifty.name}: hover and tokens`);
  const e = measureLogEditor({ file: fifty.file, rulesFile: rules.file, hovers: 300, ranges: 100 });
  const p = `logs/${fifty.name}`;
  metrics.push(metric(`${p}/hover.first`, e.firstHover, 'ms', { note: `${e.lines} lines, ${(e.bytes / 1e6).toFixed(0)} MB; the first request builds the line index` }));
  metrics.push(metric(`${p}/hover.p50`, e.hover.p50, 'ms'));
  metrics.push(metric(`${p}/hover.p99`, e.hover.p99, 'ms', { note: `${e.hover.count} random lines, explained with ${rules.name} (LOG rule, trace)` }));
  metrics.push(metric(`${p}/semantic-tokens.p50`, e.tokens.p50, 'ms'));
  metrics.push(metric(`${p}/semantic-tokens.p99`, e.tokens.p99, 'ms', { note: '61 visible lines' }));
  if (lsp && existsSync(path.join(PROJECT, 'dist', 'server.js'))) {
    log(`logs ${fifty.name}: over stdio`);
    try {
      const r = await measureLspLog(fifty.file, { hovers: 200, ranges: 100, timeoutMs: 600_000, rulesFile: rules.file });
      const q = `lsp/${fifty.name}`;
      metrics.push(metric(`${q}/open-to-diagnostics`, r.openToDiagnostics, 'ms'));
      metrics.push(metric(`${q}/hover.first`, r.firstHover, 'ms'));
      metrics.push(metric(`${q}/hover.p50`, r.hover.p50, 'ms'));
      metrics.push(metric(`${q}/hover.p99`, r.hover.p99, 'ms'));
      metrics.push(metric(`${q}/semantic-tokens.p99`, r.tokens.p99, 'ms'));
      metrics.push(metric(`${q}/document-links`, r.links, 'ms', { note: 'the first 20 000 lines' }));
    } catch (err) {
      metrics.push(metric(`lsp/${fifty.name}/open-to-diagnostics`, null, 'ms', { note: String(err) }));
    }
  }
}

async function main(): Promise<void> {
  const m = machine();
  log(`${m.nproc} CPUs (${m.cpu}), ${m.memoryGb} GB, node ${m.node}, kernel ${m.kernel}, load ${m.loadAverage.join(' ')}`);
  prepareDataDir();
  await bundleChildren(CHILDREN);
  if (only !== 'logs') await benchRules();
  if (only !== 'rules') await benchLogs();
  const checked = checkTargets(metrics, big);
  const out = { machine: { ...m, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) }, sizes, skipped, metrics: checked };
  writeFileSync(path.join(BENCH_DIR, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(formatTable(checked) + '\n');
  if (skipped.length) process.stdout.write(`\nskipped or limited references:\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`);
  process.stdout.write(`\nmachine: ${m.nproc} CPUs, ${m.memoryGb} GB, node ${m.node}, kernel ${m.kernel}, load average ${m.loadAverage.join(' ')} -> ${out.machine.loadAverageAtEnd.join(' ')}\nwrote bench/results.json\n`);
  const md = opt('markdown');
  if (md) writeFileSync(md, formatMarkdown(out));
  void readFileSync;
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
