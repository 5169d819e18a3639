/**
 * In-process measurements of one rules file through the language service, as the server runs it:
 * cold open (parse + every diagnostic, in a process that has not parsed anything yet), warm open,
 * re-analysis after one-line edits (the change applied to the document as the server holds it, a
 * LineDocument; the new parse reusing the previous version; all diagnostics), hover and
 * completion at random positions, packet traces after parsing
 * (and after the trace preparation the server runs once diagnostics are published), and memory.
 */
import { packetFromText } from './lib/packets';
import { MemoryPeak, percentile, round, timed } from './lib/stats';
import { editOneLine } from './gen/rulesets';
import { Rng } from './gen/rng';
import { trace, traceJobs } from '../server/src/analysis/tracer';
import { completion } from '../server/src/service/completion';
import { diagnose } from '../server/src/service/diagnostics';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { rulesDocumentOf, SANITIZED_DOCUMENTS } from '../server/src/lsp/documents';
import { createRulesDocument, type RulesDocument } from '../server/src/service/document';
import { hover } from '../server/src/service/hover';
import { encodeLines } from '../server/src/lsp/semantic-token-lines';

export interface RulesetOptions {
  readonly uri: string;
  readonly text: string;
  /** One-line edits to re-analyse after (p50/p95). */
  readonly edits: number;
  /**
   * Edits that add or remove a line (a rule inserted, a rule deleted, in turn): every line after
   * the edit moves. 0: a tenth of `edits`, at least 4.
   */
  readonly lineEdits?: number;
  /** Hover and completion requests (p50/p99). */
  readonly positions: number;
  /** Packet traces (p50/p99). */
  readonly traces: number;
  /** Repeat the whole open this many times after the cold one (median). */
  readonly warmOpens: number;
  readonly seed?: number;
}

export interface Dist {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface RulesetResult {
  readonly lines: number;
  readonly rules: number;
  readonly bytes: number;
  readonly diagnostics: number;
  readonly cold: { wall: number; cpu: number; parseWall: number; parseCpu: number; checkWall: number; checkCpu: number };
  readonly warm: { wall: number; cpu: number };
  /** Wall ms from the edit to its diagnostics (TextDocument update, parse, diagnose). */
  readonly edit: Dist & { cpuP50: number; cpuP95: number };
  /** The same for edits that insert or delete a line; the heap's peak while they ran and what stayed after them (MB). */
  readonly lineEdit: Dist & { cpuP50: number; cpuP95: number; heapPeak: number; retained: number };
  /**
   * As many such edits again, right after those: by then V8 has compiled, from what it saw in the
   * first ones, the code that only an edit moving lines runs (no target: it tells the first
   * edits' cost of running that code unoptimized apart from the work itself).
   */
  readonly lineEditLater: Dist;
  /**
   * The whole file's semantic tokens as the server encodes them for an editor's first request for
   * all of them (once the line edits are done): wall ms, and the heap (MB) what is kept for the
   * next request holds. Outside the heap samples.
   */
  readonly tokens: { readonly wall: number; readonly keptMb: number };
  readonly hover: Dist;
  readonly completion: Dist;
  /** prepare: wall ms of what the server builds for traces while idle after publishing diagnostics (traceJobs). */
  readonly trace: Dist & { first: number; branches: number; prepare: number };
  readonly heap: { peak: number; retained: number };
  readonly rss: { peak: number };
}

function dist(xs: readonly number[]): Dist {
  return { count: xs.length, p50: round(percentile(xs, 50), 3), p95: round(percentile(xs, 95), 3), p99: round(percentile(xs, 99), 3), max: round(Math.max(...xs), 3) };
}

/**
 * Full collections until one frees less than a megabyte (at most five): a collection asked for
 * while V8 is marking incrementally finishes that marking, and what died after it began stays until
 * the next one (on the firewall-like 100k file, 45 MB of the versions the line edits replaced were
 * still counted after one). What the last turn held may outlive all of them: see measureRuleset.
 */
function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) return;
  let before = process.memoryUsage().heapUsed;
  for (let k = 0; k < 5; k++) {
    collect();
    const now = process.memoryUsage().heapUsed;
    if (k > 0 && before - now < 1e6) return;
    before = now;
  }
}

/** Every document version goes through here, as in the server: the previous version is handed on. */
function open(uri: string, version: number, text: string | TextDocument, previous?: RulesDocument): { doc: RulesDocument; diagnostics: number; parse: { wall: number; cpu: number }; check: { wall: number; cpu: number } } {
  const p = timed(() => (typeof text === 'string' ? createRulesDocument(uri, version, text, 'auto') : rulesDocumentOf(text, 'auto', previous)));
  const d = timed(() => diagnose(p.value.ruleset, p.value.lines));
  return { doc: p.value, diagnostics: d.value.length, parse: { wall: p.wall, cpu: p.cpu }, check: { wall: d.wall, cpu: d.cpu } };
}

/** Packets worth tracing through this ruleset: to addresses and ports its rules name, and random ones. */
function tracePackets(doc: RulesDocument, rng: Rng, n: number): string[] {
  const v6 = doc.ruleset.family === 'ipv6';
  const out: string[] = [];
  const rules = doc.ruleset.rules;
  for (let i = 0; out.length < n && i < n * 20; i++) {
    const r = rules[rng.int(0, rules.length - 1)]!;
    const dst = r.options.find((o) => o.name === '-d' && !o.negated)?.args[0]?.text.split('/')[0];
    const src = r.options.find((o) => o.name === '-s' && !o.negated)?.args[0]?.text.split('/')[0];
    const dport = r.options.find((o) => o.name === '--dport' || o.name === '--dports')?.args[0]?.text.split(/[,:]/)[0];
    const proto = r.options.find((o) => o.name === '-p')?.args[0]?.text ?? 'tcp';
    if (proto !== 'tcp' && proto !== 'udp') continue;
    const s = src ?? (v6 ? '2001:db8:ffff::7' : '198.51.100.7');
    const d = dst ?? (v6 ? '2001:db8:1::10' : '192.0.2.10');
    const wrap = (a: string, p: number | string) => (v6 ? `[${a}]:${p}` : `${a}:${p}`);
    const dir = rng.pick(['in eth0', 'in eth0 out eth1', 'out eth0']);
    out.push(`${proto} ${wrap(s, rng.int(32768, 60999))} -> ${wrap(d, dport ?? rng.pick([22, 80, 443]))}${proto === 'tcp' ? ' flags SYN' : ''} ${dir}`);
  }
  return out;
}

/**
 * A turn of the event loop, as between two messages the server handles: what a job made or read
 * through a WeakRef stays alive until the job ends (an edited version holds the versions it was
 * read from weakly), so a loop of edits in one job would keep every version alive.
 */
function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** The whole file opened again, as another document: its time (the document is not kept). */
function warmOpen(o: RulesetOptions, mem: MemoryPeak): { wall: number; cpu: number } {
  const w = timed(() => open(o.uri, 1, o.text));
  mem.sample();
  return { wall: w.wall, cpu: w.cpu };
}

/** Hover, completion and traces on the document as `session` left it (numbers only come out). */
function queries(o: RulesetOptions, doc: RulesDocument, rng: Rng, mem: MemoryPeak) {
  // hover and completion at random positions of random lines
  const hovers: number[] = [];
  const completions: number[] = [];
  for (let i = 0; i < o.positions; i++) {
    const line = rng.int(0, doc.lines.length - 1);
    const ch = rng.int(0, doc.lines.get(line)!.length);
    hovers.push(timed(() => hover(doc, line, ch)).wall);
    completions.push(timed(() => completion(doc, line, ch)).wall);
  }
  mem.sample();

  // traces after parsing (the analysis the diagnostics built is reused) and after the preparation
  // the server does while idle once it has published diagnostics (timed on its own)
  const prepare = timed(() => {
    for (const job of traceJobs(doc.ruleset)) job();
  }).wall;
  const packets = tracePackets(doc, rng, o.traces);
  const traces: number[] = [];
  let branches = 0;
  let first = NaN;
  for (const spec of packets) {
    const p = packetFromText(spec);
    const t = timed(() => trace(doc.ruleset, p));
    if (Number.isNaN(first)) first = t.wall;
    traces.push(t.wall);
    branches = Math.max(branches, t.value.branches.length);
  }
  return { hovers, completions, prepare, traces, first, branches };
}

/** A document being edited: its version, the TextDocument the server holds, its lines. */
interface Editing {
  doc: RulesDocument;
  td: TextDocument;
  readonly lines: string[];
}

/**
 * `count` edits of the document, the way the server sees them (the change applied to the
 * TextDocument it holds, then the new version read from the one before): each replacing one
 * line in place, or (`moving`) inserting a rule (a copy of a rule, as "copy line down" makes, its
 * port or comment changed) and deleting one, in turn, which moves every line after them. In a
 * function of its own: a suspended async function keeps what its frame held, and the last
 * version an edit replaced (with every node it had) stood in what `session` measured as kept.
 */
async function edits(o: RulesetOptions, rng: Rng, mem: MemoryPeak, at: Editing, count: number, moving: boolean): Promise<{ wall: number[]; cpu: number[] }> {
  const lines = at.lines;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < count; i++) {
    const e = editOneLine(lines, rng);
    const insert = moving && i % 2 === 0;
    const t = timed(() => {
      const change = !moving
        ? { range: { start: { line: e.line, character: 0 }, end: { line: e.line, character: lines[e.line]!.length } }, text: e.text }
        : insert
          ? { range: { start: { line: e.line + 1, character: 0 }, end: { line: e.line + 1, character: 0 } }, text: `${e.text}\n` }
          : { range: { start: { line: e.line, character: 0 }, end: { line: e.line + 1, character: 0 } }, text: '' };
      at.td = SANITIZED_DOCUMENTS.update(at.td, [change], at.td.version + 1);
      return open(o.uri, at.td.version, at.td, at.doc);
    });
    if (!moving) lines[e.line] = e.text;
    else if (insert) lines.splice(e.line + 1, 0, e.text);
    else lines.splice(e.line, 1);
    at.doc = t.value.doc;
    wall.push(t.wall);
    cpu.push(t.cpu);
    if (moving || i % 8 === 0) mem.sample();
    await nextTurn();
  }
  return { wall, cpu };
}

/**
 * One document through its life in an editor: opened cold, edited, hovered, traced. Only numbers
 * come out: the document is gone when this returns, before the warm opens (which would otherwise
 * measure two copies of the file held at once, a case no editor session has).
 */
async function session(o: RulesetOptions, rng: Rng, mem: MemoryPeak, lineMem: MemoryPeak) {
  // cold: the first document this process ever parses and checks (only its numbers are kept: the
  // document itself goes once the first edit replaces it, as it does in the server)
  let opened: ReturnType<typeof open> | undefined = open(o.uri, 1, o.text);
  const cold = { parse: opened.parse, check: opened.check, diagnostics: opened.diagnostics };
  mem.sample();
  const at: Editing = { doc: opened.doc, td: SANITIZED_DOCUMENTS.create(o.uri, 'iptables', 1, o.text), lines: [...opened.doc.lines] };
  // the variable would keep the cold document alive for the whole run: drop it
  // eslint-disable-next-line no-useless-assignment
  opened = undefined;

  const replaced = await edits(o, rng, mem, at, o.edits, false);
  mem.sample();

  // (in a function of its own: a trace's answer names the rules of this version, which the edits
  // below replace)
  const { hovers, completions, prepare, traces, first, branches } = queries(o, at.doc, rng, mem);
  mem.sample();
  gc();
  const retained = process.memoryUsage().heapUsed / 1e6;

  // edits that move every line after them, last and with memory sampled on their own: each reads
  // the whole file again, and its garbage would otherwise stand in the peaks of the rest
  const moved = await edits(o, rng, lineMem, at, o.lineEdits || Math.max(4, Math.round(o.edits / 10)), true);
  gc();
  const lineRetained = process.memoryUsage().heapUsed / 1e6;
  const later = await edits(o, rng, new MemoryPeak(), at, moved.wall.length, true);
  const doc = at.doc;
  gc();
  const beforeTokens = process.memoryUsage().heapUsed;
  const encoded = timed(() => encodeLines(doc.ruleset));
  gc();
  const keptMb = (process.memoryUsage().heapUsed - beforeTokens) / 1e6;
  // (the encoding read after the collection, so that it stays alive through it, as the server
  // holds it for the next request)
  const tokens = { wall: encoded.wall, keptMb: encoded.value.parts.length > 0 ? keptMb : 0 };

  return { lines: doc.lines.length, rules: doc.ruleset.rules.length, cold, editWall: replaced.wall, editCpu: replaced.cpu, lineWall: moved.wall, lineCpu: moved.cpu, lineRetained, laterWall: later.wall, tokens, hovers, completions, traces, first, branches, prepare, retained };
}

export async function measureRuleset(o: RulesetOptions): Promise<RulesetResult> {
  const rng = new Rng(o.seed ?? 42);
  const mem = new MemoryPeak();
  const lineMem = new MemoryPeak();
  mem.sample();
  const before = process.memoryUsage().heapUsed;
  const { lines, rules, cold, editWall, editCpu, lineWall, lineCpu, lineRetained, laterWall, tokens, hovers, completions, traces, first, branches, prepare, retained } = await session(o, rng, mem, lineMem);
  // warm: the whole file opened again by a process that has parsed it before. The session's
  // document is garbage by now, but V8 may not have collected it yet: without a collection here
  // the warm open's sample counted it too (488 of the kube-like 100k file's 498 MB peak), two
  // copies of the file at once, which no editor session holds (see session). And collected again
  // after short waits, until the heap is back near where it was before the session (at most ten
  // times): in one run of two or three, collections right after the session's last turn (also in a
  // turn of its own, also after a timer) left the whole Docker-like session alive, 209-226 MB,
  // which a collection 20 ms later freed (32 MB) in most runs; the warm open's sample read
  // 412-432 MB in those runs
  await nextTurn();
  for (let k = 0; k < 10; k++) {
    await new Promise((r) => setTimeout(r, 20));
    gc();
    if (process.memoryUsage().heapUsed < before + 64e6) break;
  }
  const warm: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < o.warmOpens; i++) {
    warm.push(warmOpen(o, mem));
    await nextTurn();
  }

  return {
    lines,
    rules,
    bytes: Buffer.byteLength(o.text),
    diagnostics: cold.diagnostics,
    cold: {
      wall: round(cold.parse.wall + cold.check.wall),
      cpu: round(cold.parse.cpu + cold.check.cpu),
      parseWall: round(cold.parse.wall),
      parseCpu: round(cold.parse.cpu),
      checkWall: round(cold.check.wall),
      checkCpu: round(cold.check.cpu),
    },
    warm: { wall: round(percentile(warm.map((w) => w.wall), 50)), cpu: round(percentile(warm.map((w) => w.cpu), 50)) },
    edit: { ...dist(editWall), cpuP50: round(percentile(editCpu, 50), 3), cpuP95: round(percentile(editCpu, 95), 3) },
    lineEdit: { ...dist(lineWall), cpuP50: round(percentile(lineCpu, 50), 3), cpuP95: round(percentile(lineCpu, 95), 3), heapPeak: round(lineMem.heap, 1), retained: round(lineRetained, 1) },
    lineEditLater: dist(laterWall),
    tokens: { wall: round(tokens.wall), keptMb: round(tokens.keptMb, 1) },
    hover: dist(hovers),
    completion: dist(completions),
    trace: { ...dist(traces), first: round(first, 3), branches, prepare: round(prepare, 3) },
    heap: { peak: round(mem.heap, 1), retained: round(retained, 1) },
    rss: { peak: round(Math.max(mem.rss, process.resourceUsage().maxRSS / 1024), 1) },
  };
}
