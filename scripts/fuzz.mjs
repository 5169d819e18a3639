#!/usr/bin/env node
// `npm run fuzz`: the fuzz suites of `npm test` (test/unit/fuzz-*.test.ts), scaled up and run in
// batches with fresh seeds until the target number of cases is reached (default 1,000,000; a
// case is one call of a parser or language feature, one quick fix applied, or one framed stream).
// Batches run in parallel, one per core. A failure stops everything and prints the fast-check
// counterexample with its seed and path; replay it with FUZZ_SEED and FUZZ_REPLAY as printed.
//
//   npm run fuzz                       1,000,000 cases
//   npm run fuzz -- --cases 200000     fewer
//   npm run fuzz -- --seed 7           another series of seeds
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const target = opt('cases', 1_000_000);
const firstSeed = opt('seed', 1);
const jobs = Math.max(1, opt('jobs', Math.min(2, cpus().length)));
/** Scale of one batch: about 40,000 cases at scale 1, so a batch is a few minutes. */
const scale = opt('scale', 5);

const dir = mkdtempSync(path.join(tmpdir(), 'iptables-lens-fuzz-'));
const totals = new Map();
let cases = 0;
let documents = 0;
let batches = 0;
let nextSeed = firstSeed;
let failed = false;
const t0 = Date.now();

const running = new Set();
function stopAll() {
  for (const c of running) {
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    failed = true;
    stopAll();
    process.exit(130);
  });
}

function runBatch() {
  const seed = nextSeed++;
  const report = path.join(dir, `batch-${seed}.jsonl`);
  return new Promise((resolve) => {
    const child = spawn('npx', ['mocha', '--require', 'esbuild-register', '--reporter', 'dot', 'test/unit/fuzz-*.test.ts'], {
      // its own process group, so npx, its shell and mocha end together when we stop it
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FUZZ_SCALE: String(scale), FUZZ_SEED: String(seed * 0x9e3779b1 >>> 0), FUZZ_REPORT: report, npm_config_loglevel: 'error' },
    });
    running.add(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code, signal) => {
      running.delete(child);
      if (signal && failed) return resolve();
      batches++;
      if (existsSync(report)) {
        for (const line of readFileSync(report, 'utf8').split('\n').filter(Boolean)) {
          const r = JSON.parse(line);
          totals.set(r.suite, (totals.get(r.suite) ?? 0) + r.cases);
          cases += r.cases;
          documents += r.documents;
        }
      }
      if (code !== 0) {
        failed = true;
        stopAll();
        console.log(`\nbatch with FUZZ_SEED=${seed * 0x9e3779b1 >>> 0} FUZZ_SCALE=${scale} FAILED:\n${out}`);
      } else {
        console.log(`batch ${batches} (seed ${seed}): ${cases.toLocaleString('en-US')} cases so far, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
      resolve();
    });
  });
}

async function worker() {
  while (!failed && cases < target) await runBatch();
}

console.log(`fuzzing until ${target.toLocaleString('en-US')} cases, ${jobs} batch(es) at a time, scale ${scale} per batch`);
await Promise.all(Array.from({ length: jobs }, worker));
rmSync(dir, { recursive: true, force: true });
const secs = (Date.now() - t0) / 1000;
console.log(`\n${failed ? 'FAILED after' : 'passed:'} ${cases.toLocaleString('en-US')} fuzz cases (${documents.toLocaleString('en-US')} documents) in ${batches} batches, ${(secs / 60).toFixed(1)} min`);
for (const [suite, n] of [...totals].sort((a, b) => b[1] - a[1])) console.log(`  ${suite.padEnd(10)} ${n.toLocaleString('en-US').padStart(12)}`);
process.exit(failed ? 1 : 0);
