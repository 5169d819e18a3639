#!/usr/bin/env node
// Runs the TextMate grammar tests (test/grammar/*) with vscode-tmgrammar-test.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const dir = 'test/grammar';
const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(rules|log)$/.test(f)) : [];
if (files.length === 0) {
  console.error('no grammar test files under test/grammar');
  process.exit(1);
}
const r = spawnSync('npx', ['vscode-tmgrammar-test', '-g', 'syntaxes/iptables.tmLanguage.json', '-g', 'syntaxes/netfilter-log.tmLanguage.json', ...files.map((f) => `${dir}/${f}`)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
