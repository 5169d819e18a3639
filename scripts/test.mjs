#!/usr/bin/env node
// `npm test`: build, type-check, lint, then every test suite (unit, grammar, corpus conformance,
// protocol over stdio, kernel in network namespaces, real editors). Suites that need root, the
// corpus, Chromium or Neovim skip with a reason when those are missing, and fail under CI=true.
import { spawnSync } from 'node:child_process';

// The suites, in the order they run. Kept here rather than in test/.mocharc.json, where mocha would
// add them to any file named on the command line: `npx mocha --config test/.mocharc.json FILE` and
// `npm test -- FILE` run just FILE.
const SUITES = ['test/unit/**/*.test.ts', 'test/corpus/**/*.test.ts', 'test/protocol/**/*.test.ts', 'test/kernel/**/*.test.ts', 'test/editor/**/*.test.ts'];
const extra = process.argv.slice(2);
const specs = extra.some((a) => !a.startsWith('-')) ? extra : [...extra, ...SUITES];

const steps = [
  ['build', 'node', ['esbuild.mjs']],
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']],
  ['lint', 'npx', ['eslint', '.']],
  ['grammar', 'node', ['scripts/grammar-test.mjs']],
  ['mocha', 'npx', ['mocha', '--config', 'test/.mocharc.json', ...specs]],
];

const failed = [];
for (const [name, cmd, args] of steps) {
  const t0 = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, npm_config_loglevel: 'error' } });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    failed.push(name);
    console.log(`=== ${name} FAILED (${secs}s)`);
    if (name === 'build') break;
  } else console.log(`=== ${name} ok (${secs}s)`);
}
if (failed.length) {
  console.log(`\nFAILED: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nall test steps passed');
