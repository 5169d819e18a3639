#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --sizes=1000,10000]`: build dist/ (the stdio measurements run the
// real server), then bench/run.ts through esbuild-register. See BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (!args.includes('--no-build')) {
  const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const r = spawnSync(process.execPath, ['--expose-gc', '-r', 'esbuild-register', path.join('bench', 'run.ts'), ...args.filter((a) => a !== '--no-build')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
