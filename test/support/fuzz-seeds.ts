/**
 * Seed documents for the fuzzers: the project's own fixtures and examples, plus the shared corpus
 * read in place (never copied) when it is present. Rules seeds and log seeds are kept apart so a
 * fuzzer can start from something realistic of either language and then break it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CORPUS, corpusAvailable, PROJECT_ROOT } from './corpus';

export interface Seed {
  /** Where it came from, relative to the project or the corpus (for failure messages). */
  readonly name: string;
  readonly text: string;
}

export interface Seeds {
  readonly rules: readonly Seed[];
  readonly logs: readonly Seed[];
  /** Single rule bodies (`-p tcp -m tcp --dport 22`), from the upstream .t files when present. */
  readonly ruleBodies: readonly string[];
  readonly fromCorpus: boolean;
}

function walk(dir: string, out: string[] = [], depth = 0): string[] {
  if (!existsSync(dir) || depth > 5) return out;
  for (const e of readdirSync(dir).sort()) {
    const p = path.join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out, depth + 1);
    else if (st.isFile() && st.size <= 512 * 1024) out.push(p);
  }
  return out;
}

const LOG_NAME = /\.log$|(^|\/)logs\//;
const RULES_NAME = /\.(rules|restore|v4|v6)$|\.S\.txt$|(^|\/)dumps\//;

let cached: Seeds | undefined;

/** Every seed, read once per process. */
export function loadSeeds(): Seeds {
  if (cached) return cached;
  const rules: Seed[] = [];
  const logs: Seed[] = [];
  const ruleBodies: string[] = [];
  const add = (root: string, file: string) => {
    const rel = path.relative(root, file);
    const text = readFileSync(file, 'utf8');
    if (LOG_NAME.test(rel)) logs.push({ name: rel, text });
    else if (RULES_NAME.test(rel)) rules.push({ name: rel, text });
  };
  for (const dir of ['test/fixtures', 'examples']) for (const f of walk(path.join(PROJECT_ROOT, dir))) add(PROJECT_ROOT, f);
  const fromCorpus = corpusAvailable();
  if (fromCorpus) {
    for (const f of walk(path.join(CORPUS, 'dumps'))) add(CORPUS, f);
    for (const f of walk(path.join(CORPUS, 'logs'))) add(CORPUS, f);
    for (const f of walk(path.join(CORPUS, 'iptables-t'))) {
      if (!f.endsWith('.t')) continue;
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        const body = line.split(';')[0]!.trim();
        if (body && !body.startsWith(':') && !body.startsWith('#') && !body.startsWith('*')) ruleBodies.push(body);
      }
    }
  }
  // the project's own rule shapes, so the fuzzers have bodies without the corpus too
  for (const s of rules) {
    for (const line of s.text.split('\n')) {
      const m = /^-[AI] \S+ (.*)$/.exec(line.trim());
      if (m) ruleBodies.push(m[1]!);
    }
  }
  cached = { rules, logs, ruleBodies, fromCorpus };
  return cached;
}
