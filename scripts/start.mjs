#!/usr/bin/env node
// `npm start`: build, then show what iptables-lens says about the example files in examples/
// (lint findings and every rule in plain words). The real-editor version of this command, which
// opens the examples in VS Code, replaces this once the editor integration lands.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const build = spawnSync('node', ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const rules = readdirSync('examples').filter((f) => f.endsWith('.rules')).map((f) => `examples/${f}`);
for (const f of rules) {
  console.log(`\n==== ${f}`);
  spawnSync('node', ['dist/cli.js', 'lint', f], { stdio: 'inherit' });
  spawnSync('node', ['dist/cli.js', 'explain', f], { stdio: 'inherit' });
}
