/**
 * The benchmark's input files, generated into bench/.data/ (git-ignored) from the seeded
 * generators and kept while the generators are unchanged (a stamp holds their hash).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type LogWrapper, writeLog } from './gen/logs';
import { type Family, generateRuleset, type RulesetKind } from './gen/rulesets';

export const BENCH_DIR = __dirname;
export const DATA_DIR = path.join(BENCH_DIR, '.data');

export interface RulesFile {
  readonly kind: RulesetKind;
  readonly family: Family;
  readonly size: number;
  readonly file: string;
  readonly name: string;
}

export interface LogFile {
  readonly name: string;
  readonly file: string;
  readonly lines: number;
  readonly wrapper: LogWrapper;
  readonly maxBytes?: number;
}

function stamp(): string {
  const h = createHash('sha256');
  for (const f of ['gen/rulesets.ts', 'gen/logs.ts', 'gen/rng.ts']) h.update(readFileSync(path.join(BENCH_DIR, f)));
  return h.digest('hex').slice(0, 16);
}

/** Make sure the data dir holds files of the current generators (removes stale ones). */
export function prepareDataDir(): void {
  mkdirSync(DATA_DIR, { recursive: true });
  const s = stamp();
  const file = path.join(DATA_DIR, 'STAMP');
  const old = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (old !== s) {
    for (const f of readdirSync(DATA_DIR)) if (/\.(rules|log)$/.test(f)) rmSync(path.join(DATA_DIR, f));
    writeFileSync(file, s + '\n');
  }
}

export function rulesFile(kind: RulesetKind, family: Family, size: number, log = (_: string) => {}): RulesFile {
  const name = `${kind}-${family}-${size}`;
  const file = path.join(DATA_DIR, `${name}.rules`);
  if (!existsSync(file)) {
    log(`generating ${name}.rules`);
    writeFileSync(file, generateRuleset({ kind, family, rules: size }).text);
  }
  return { kind, family, size, file, name };
}

export function logFile(wrapper: LogWrapper, lines: number, maxBytes?: number, log = (_: string) => {}): LogFile {
  const name = maxBytes ? `log-${wrapper}-${Math.round(maxBytes / 1e6)}MB` : `log-${wrapper}-${lines}`;
  const file = path.join(DATA_DIR, `${name}.log`);
  if (!existsSync(file)) {
    log(`generating ${name}.log`);
    writeLog(file, { lines, wrapper, ...(maxBytes ? { maxBytes } : {}) });
  }
  return { name, file, lines, wrapper, ...(maxBytes ? { maxBytes } : {}) };
}
