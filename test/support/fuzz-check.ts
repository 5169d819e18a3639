/**
 * What every fuzz call must satisfy: it returns (no exception, nothing the server's guard had to
 * catch), within a time proportional to its input, and every range it hands back lies inside the
 * document it names (line < line count, character <= line length, start <= end).
 */
import { performance } from 'node:perf_hooks';
import { editorLines, type LspRange, type Pos } from './fuzz-server';

export class FuzzFailure extends Error {}

/** Per-call budget: a fixed allowance plus a cost per KiB of input. Generous: it catches blow-ups, not slowness. */
export const BUDGET = {
  baseMs: Number(process.env.FUZZ_BASE_MS ?? 250),
  perKiBMs: Number(process.env.FUZZ_PER_KIB_MS ?? 4),
};

export function budgetMs(inputChars: number): number {
  return BUDGET.baseMs + (BUDGET.perKiBMs * inputChars) / 1024;
}

/** Counts of calls per feature, for the report each suite prints. */
export class Tally {
  readonly calls = new Map<string, number>();
  readonly slowest = new Map<string, { ms: number; chars: number }>();
  documents = 0;

  add(name: string, ms: number, chars: number): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    const s = this.slowest.get(name);
    if (!s || ms / (chars + 1024) > s.ms / (s.chars + 1024)) this.slowest.set(name, { ms, chars });
  }

  get total(): number {
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }

  report(title: string, seconds: number): string {
    const rows = [...this.calls].sort((a, b) => b[1] - a[1]).map(([k, v]) => {
      const s = this.slowest.get(k)!;
      return `        ${k.padEnd(28)} ${String(v).padStart(9)}   worst ${s.ms.toFixed(1)} ms on ${s.chars} chars`;
    });
    return `      ${title}: ${this.total.toLocaleString('en-US')} calls on ${this.documents.toLocaleString('en-US')} documents in ${seconds.toFixed(1)} s\n${rows.join('\n')}`;
  }
}

/**
 * Run `fn`, timing it. Over budget, time `again` (by default `fn` itself; a call that changes
 * state, such as an edit, passes an equivalent that does not) twice more and keep the fastest: a
 * GC pause or a busy neighbour is not a finding. Still over budget is a failure that fast-check
 * then shrinks to the smallest input.
 */
export function timed<T>(tally: Tally, name: string, inputChars: number, fn: () => T, again: () => unknown = fn): T {
  const t0 = performance.now();
  const out = fn();
  let ms = performance.now() - t0;
  const limit = budgetMs(inputChars);
  if (ms > limit) {
    for (let i = 0; i < 2 && ms > limit; i++) {
      const t1 = performance.now();
      again();
      ms = Math.min(ms, performance.now() - t1);
    }
    if (ms > limit) throw new FuzzFailure(`${name} took ${ms.toFixed(0)} ms on ${inputChars} characters (budget ${limit.toFixed(0)} ms)`);
  }
  tally.add(name, ms, inputChars);
  return out;
}

/** The shape of a document's lines, for range checks. */
export class Lines {
  readonly lengths: number[];
  constructor(readonly text: string) {
    this.lengths = editorLines(text);
  }
  get count(): number {
    return this.lengths.length;
  }
}

function fail(what: string, detail: string): never {
  throw new FuzzFailure(`${what}: ${detail}`);
}

export function checkPos(p: Pos, lines: Lines, what: string): void {
  if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character)) fail(what, `not a position: ${JSON.stringify(p)}`);
  if (p.line < 0 || p.line >= lines.count) fail(what, `line ${p.line} outside 0..${lines.count - 1}`);
  if (p.character < 0 || p.character > lines.lengths[p.line]!) fail(what, `character ${p.character} outside 0..${lines.lengths[p.line]} on line ${p.line}`);
}

export function checkRange(r: LspRange, lines: Lines, what: string): void {
  if (!r) fail(what, 'missing range');
  checkPos(r.start, lines, `${what} start`);
  checkPos(r.end, lines, `${what} end`);
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) fail(what, `range ends before it starts: ${JSON.stringify(r)}`);
}

export function contains(outer: LspRange, inner: LspRange): boolean {
  const le = (a: Pos, b: Pos) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

/** Decode LSP semantic tokens and check each lies on one line, inside it, in order, with a known type. */
export function checkSemanticTokens(data: readonly number[], lines: Lines, typeCount: number, modifierCount: number, what: string): number {
  if (data.length % 5 !== 0) fail(what, `data length ${data.length} is not a multiple of 5`);
  let line = 0;
  let ch = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [dl, dc, len, type, mods] = data.slice(i, i + 5) as [number, number, number, number, number];
    for (const v of [dl, dc, len, type, mods]) if (!Number.isInteger(v) || v < 0) fail(what, `token ${i / 5} has a negative or non-integer field (out of order?): ${[dl, dc, len, type, mods].join(',')}`);
    line += dl;
    ch = dl > 0 ? dc : ch + dc;
    if (line >= lines.count) fail(what, `token ${i / 5} on line ${line} of ${lines.count}`);
    if (ch + len > lines.lengths[line]!) fail(what, `token ${i / 5} at ${line}:${ch}+${len} runs past the line (${lines.lengths[line]})`);
    if (type >= typeCount) fail(what, `token ${i / 5} has type ${type} of ${typeCount}`);
    if (mods >= 1 << modifierCount) fail(what, `token ${i / 5} has modifiers ${mods}`);
  }
  return data.length / 5;
}
