/**
 * Fix safety, judged by the real iptables binaries: every quick fix the language service offers
 * on every finding of every fixture (test/fixtures/*.rules), example (examples/*.rules) and a fixed
 * sample of generated rulesets (fast-check, fixed seed) is applied to the text, and
 *  (a) every line of the original is still there, in order, except the lines the action's edits
 *      touch (replace or delete);
 *  (b) whenever the original passes the real `iptables-restore --test` (nft and legacy) and a real
 *      load (nft, in a namespace), so does the fixed text;
 *  (c) the preferred fix of a finding makes that finding go away (the rule's line, when it is
 *      unique in the file, no longer carries the code).
 *
 * Command lists (`iptables -S` style) are judged as the restore input they amount to: their
 * lines grouped by table (`-t` removed), in order.
 *
 * Restores are batched (many files in one iptables-restore input; each `*table` line starts the
 * table afresh) and a failing batch is split in halves until the failing files are found, so the
 * whole suite costs a few dozen restores.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CodeAction, codeActions } from '../../server/src/service/code-actions';
import type { TextEdit } from '../../server/src/service/text-edits';
import { applyServiceEdits, doc, findings } from '../support/analyse';
import { PROJECT_ROOT } from '../support/corpus';
import { FIXTURES } from '../support/fixtures';
import { type Backend, cleanupAfterSuite, createNamespace, type Family, iptablesBinary, useNamespacePair } from '../support/netns';
import { sampleRulesets } from '../support/ruleset-gen';

const SEED = 20260127;
const GENERATED = 80;
const BATCH = 48;

interface Input {
  readonly source: string;
  readonly text: string;
  readonly family: Family;
  /** Fixes never change it (they add, move or edit lines of the same kind). */
  readonly format: 'save' | 'commands';
}

interface Pair {
  readonly input: Input;
  readonly code: string;
  readonly line: number;
  readonly title: string;
  readonly preferred: boolean;
  readonly fixed: string;
}

function inputs(): Input[] {
  const files = [
    ...readdirSync(FIXTURES).filter((f) => f.endsWith('.rules')).map((f) => path.join(FIXTURES, f)),
    ...readdirSync(path.join(PROJECT_ROOT, 'examples')).filter((f) => f.endsWith('.rules')).map((f) => path.join(PROJECT_ROOT, 'examples', f)),
  ];
  const input = (source: string, text: string, uri?: string): Input => {
    const rs = doc(text, uri).ruleset;
    return { source, text, family: rs.family, format: rs.format };
  };
  const out = files.map((f) => input(path.relative(PROJECT_ROOT, f), readFileSync(f, 'utf8'), `file://${f}`));
  sampleRulesets(SEED, GENERATED).forEach((g, i) => out.push(input(`generated #${i} (${g.format})`, g.text)));
  return out;
}

/** Lines of `text` (0-based) an edit replaces or deletes; pure insertions of whole lines touch none. */
function touchedLines(text: string, edits: readonly TextEdit[]): Set<number> {
  const lines = text.split('\n');
  const touched = new Set<number>();
  for (const e of edits) {
    if (e.line === e.endLine && e.start === e.end) {
      if (e.start === 0 && e.text.endsWith('\n')) continue; // new lines above
      if (e.start === (lines[e.line]?.length ?? 0) && e.text.startsWith('\n')) continue; // new lines below
      touched.add(e.line);
      continue;
    }
    const last = e.start === 0 && e.end === 0 && e.endLine > e.line ? e.endLine - 1 : e.endLine; // whole lines deleted
    for (let l = e.line; l <= last; l++) touched.add(l);
  }
  return touched;
}

/** Why `after` does not keep every untouched line of `before` in order, or undefined. */
function keptInOrder(before: string, after: string, touched: Set<number>): string | undefined {
  const out = after.split('\n');
  let j = 0;
  const lines = before.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (touched.has(i)) continue;
    while (j < out.length && out[j] !== lines[i]) j++;
    if (j >= out.length) return `line ${i + 1} \`${lines[i]}\` was lost or moved`;
    j++;
  }
  return undefined;
}

const TABLE_OPT = /(?:^|\s)(?:-t|--table)(?:\s+|=)(\S+)/;

/** The iptables-restore input a file amounts to (command lists: lines grouped by table). */
function restoreInput(text: string, format: 'save' | 'commands'): string {
  if (format === 'save') return text.endsWith('\n') ? text : `${text}\n`;
  const tables = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const m = TABLE_OPT.exec(line);
    const table = m ? m[1]! : 'filter';
    const rest = m ? (line.slice(0, m.index) + line.slice(m.index + m[0].length)).trim() : line.trim();
    (tables.get(table) ?? tables.set(table, []).get(table)!).push(rest);
  }
  return [...tables].map(([t, ls]) => `*${t}\n${ls.join('\n')}\nCOMMIT\n`).join('');
}

type Judge = 'test/nft' | 'test/legacy' | 'load/nft';
const JUDGES: readonly Judge[] = ['test/nft', 'test/legacy', 'load/nft'];

/** The real iptables-restore inside `ns`, asynchronously: does it accept `text`? */
function restoreOk(ns: string, judge: Judge, family: Family, text: string): Promise<boolean> {
  const [mode, backend] = judge.split('/') as ['test' | 'load', Backend];
  const argv = ['netns', 'exec', ns, iptablesBinary('-restore', { family, backend }), ...(mode === 'test' ? ['--test'] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn('ip', argv, { stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
    child.stdin!.end(text);
  });
}

/**
 * Which of `texts` (restore inputs of one family) the judge accepts. Batches of BATCH texts go to a
 * pool of namespaces, one restore at a time each (nf_tables serialises the transactions of one
 * namespace and each table block costs an RCU grace period, so a pool is what makes it fast); a
 * failing batch is halved until each failing text stands alone. Counts restores in `calls`.
 */
async function judgeAll(pool: readonly string[], judge: Judge, family: Family, texts: readonly string[], calls: { n: number }): Promise<boolean[]> {
  const ok = new Array<boolean>(texts.length).fill(false);
  const queue: number[][] = [];
  for (let i = 0; i < texts.length; i += BATCH) queue.push([...Array(Math.min(BATCH, texts.length - i)).keys()].map((k) => k + i));
  let busy = 0;
  await new Promise<void>((done, fail) => {
    const pump = (): void => {
      if (!queue.length && !busy) return done();
      for (const ns of pool.filter((n) => !running.has(n))) {
        const idx = queue.shift();
        if (!idx) break;
        running.add(ns);
        busy++;
        calls.n++;
        restoreOk(ns, judge, family, idx.map((i) => texts[i]).join(''))
          .then((accepted) => {
            if (accepted) for (const i of idx) ok[i] = true;
            else if (idx.length > 1) queue.push(idx.slice(0, idx.length >> 1), idx.slice(idx.length >> 1));
            running.delete(ns);
            busy--;
            pump();
          })
          .catch(fail);
      }
    };
    const running = new Set<string>();
    pump();
  });
  return ok;
}

describe('kernel: every quick fix keeps the file loadable and its other lines in order', function () {
  this.timeout(120_000);
  const ctx = useNamespacePair({ tag: 'fs', ipv6: false, legacy: true, python: false });
  cleanupAfterSuite();
  /** Namespaces the restores run in: the pair's two and a few more, made once for the suite. */
  let pool: string[] = [];
  before(function () {
    pool = [ctx.pair.a.ns, ctx.pair.b.ns, ...[1, 2, 3, 4, 5, 6].map((i) => createNamespace(`fs${i}`))];
  });

  it('the judges tell good files from bad ones, batched or not', async function () {
    const texts = [
      '*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n',
      '*filter\n-A INPUT --bogus\nCOMMIT\n', // iptables refuses to parse it
      '*filter\n-A INPUT -m owner --uid-owner 0 -j ACCEPT\nCOMMIT\n', // only the kernel refuses it (owner is for OUTPUT)
      '*filter\n-A INPUT -j NOWHERE\nCOMMIT\n', // nft --test lets a jump to a missing chain through; a load does not
      restoreInput('-P INPUT DROP\n-t raw -A PREROUTING -p udp --dport 53 -j NOTRACK\n-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\n', 'commands'),
    ];
    const seen: Record<string, boolean[]> = {};
    for (const judge of JUDGES) seen[judge] = await judgeAll(pool, judge, 'ipv4', [...texts, ...texts], { n: 0 });
    assert.deepEqual(seen, {
      'test/nft': [true, false, true, true, true, true, false, true, true, true],
      'test/legacy': [true, false, true, false, true, true, false, true, false, true],
      'load/nft': [true, false, false, false, true, true, false, false, false, true],
    });
  });

  it('on every fixture, example and generated ruleset', async function () {
    const t0 = Date.now();
    const all = inputs();
    const pairs: Pair[] = [];
    const kept: string[] = [];
    for (const input of all) {
      const d = doc(input.text);
      for (const f of findings(input.text)) {
        for (const a of codeActions(d, [f]) as CodeAction[]) {
          const fixed = applyServiceEdits(input.text, a.edits);
          const why = keptInOrder(input.text, fixed, touchedLines(input.text, a.edits));
          if (why) kept.push(`${input.source}: "${a.title}" (${f.code}, line ${f.span.line + 1}): ${why}\n${fixed}`);
          pairs.push({ input, code: f.code, line: f.span.line, title: a.title, preferred: !!a.preferred, fixed });
        }
      }
    }
    // (c) the preferred fix clears its own finding (identified by its line's text, when unique)
    const lingering: string[] = [];
    let resolvedChecked = 0;
    for (const p of pairs) {
      const lines = p.input.text.split('\n');
      const text = lines[p.line]!;
      if (!p.preferred || lines.filter((l) => l === text).length > 1) continue;
      resolvedChecked++;
      const out = p.fixed.split('\n');
      const still = findings(p.fixed).filter((f) => f.code === p.code && out[f.span.line] === text);
      if (still.length) lingering.push(`${p.input.source}: "${p.title}" leaves ${p.code} on \`${text}\`: ${still[0]!.message}\n${p.fixed}`);
    }
    const tAnalysis = Date.now() - t0;

    // (b) the real binaries: inputs first, then every distinct fixed text
    const calls = { n: 0 };
    const verdicts = new Map<string, Map<Judge, boolean>>(); // key: family + restore input
    const key = (text: string, input: Input) => input.family + restoreInput(text, input.format);
    for (const texts of [all.map((i) => [i.text, i] as const), pairs.map((p) => [p.fixed, p.input] as const)]) {
      for (const family of ['ipv4', 'ipv6'] as const) {
        const todo = [...new Set(texts.filter(([, i]) => i.family === family).map(([t, i]) => restoreInput(t, i.format)))].filter((t) => !verdicts.has(family + t));
        if (!todo.length) continue;
        for (const t of todo) verdicts.set(family + t, new Map());
        // a file the nft backend loads, it also parses: `--test` runs only for those it does not load
        // (each nft table block costs the same ~15 ms either way; this halves the suite)
        const loaded = await judgeAll(pool, 'load/nft', family, todo, calls);
        const unloaded = todo.filter((_, i) => !loaded[i]);
        const tested = await judgeAll(pool, 'test/nft', family, unloaded, calls);
        const legacy = await judgeAll(pool, 'test/legacy', family, todo, calls);
        todo.forEach((t, i) => {
          const v = verdicts.get(family + t)!;
          v.set('load/nft', loaded[i]!).set('test/legacy', legacy[i]!).set('test/nft', loaded[i]! || tested[unloaded.indexOf(t)]!);
        });
      }
    }
    const verdict = (text: string, input: Input) => verdicts.get(key(text, input))!;

    const broken: string[] = [];
    let judged = 0;
    const perJudge = Object.fromEntries(JUDGES.map((j) => [j, 0])) as Record<Judge, number>;
    for (const p of pairs) {
      const before = verdict(p.input.text, p.input);
      const after = verdict(p.fixed, p.input);
      let any = false;
      for (const judge of JUDGES) {
        if (!before.get(judge)) continue;
        any = true;
        perJudge[judge]++;
        if (!after.get(judge)) broken.push(`${p.input.source}: "${p.title}" (${p.code}, line ${p.line + 1}) breaks ${judge}:\n${p.fixed}`);
      }
      if (any) judged++;
    }
    const rejectedInputs = all.filter((i) => JUDGES.some((j) => !verdict(i.text, i).get(j)));
    const codes = new Map<string, number>();
    for (const p of pairs) codes.set(p.code, (codes.get(p.code) ?? 0) + 1);
    console.log(
      `      ${all.length} files (${all.length - GENERATED} fixtures and examples, ${GENERATED} generated, seed ${SEED}), ${pairs.length} (file, fix) pairs checked for kept lines; ` +
        `${judged} pairs of accepted files judged by the real binaries (${JUDGES.map((j) => `${j}: ${perJudge[j]}`).join(', ')}) in ${calls.n} restores; ` +
        `analysis ${tAnalysis} ms, total ${Date.now() - t0} ms`,
    );
    console.log(`      fixes by code: ${[...codes].sort((x, y) => y[1] - x[1]).map(([c, n]) => `${c} ${n}`).join(', ')}`);
    console.log(`      files some binary refuses (not judged there): ${rejectedInputs.map((i) => `${i.source} [${JUDGES.filter((j) => !verdict(i.text, i).get(j)).join(', ')}]`).join('; ') || 'none'}`);
    console.log(`      ${resolvedChecked} preferred fixes checked to clear their own finding`);
    assert.deepEqual(kept, [], 'fixes that lose or move other lines');
    assert.deepEqual(lingering, [], 'preferred fixes that leave their finding in place');
    assert.deepEqual(broken, [], 'fixes that make an accepted file refused');
    assert.ok(rejectedInputs.every((i) => !i.source.startsWith('generated')), 'every generated ruleset is accepted (else the generator is wrong)');
  });
});
