/**
 * Measurements through the real built server (dist/server.js --stdio), as an editor sees it:
 * opening a rules file until its first publishDiagnostics, hover and completion round trips, a
 * one-line edit until the diagnostics of the new version (validation delay set to 0, so what is
 * measured is the work, not the debounce); for a big log: open, hover round trips, semantic tokens
 * for a visible range, document links.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/support/lsp-client';
import { Rng } from './gen/rng';
import { editOneLine } from './gen/rulesets';
import { percentile, round } from './lib/stats';

export interface RoundTrips {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function trips(xs: readonly number[]): RoundTrips {
  return { count: xs.length, p50: round(percentile(xs, 50), 3), p99: round(percentile(xs, 99), 3), max: round(Math.max(...xs), 3) };
}

async function started(): Promise<LspClient> {
  const c = new LspClient();
  c.configuration = { validationDelay: 0 };
  await c.initialize(undefined, { validationDelay: 0 });
  return c;
}

function diagnosticsOf(c: LspClient, uri: string, version: number, timeoutMs: number) {
  return c.waitFor((n) => {
    if (n.method !== 'textDocument/publishDiagnostics') return false;
    const p = n.params as { uri: string; version?: number };
    return p.uri === uri && (p.version === undefined || p.version >= version);
  }, timeoutMs);
}

export interface LspRulesResult {
  readonly openToDiagnostics: number;
  /** A hover sent right after the open, until its answer. */
  readonly openToHover: number;
  readonly diagnostics: number;
  readonly hover: RoundTrips;
  readonly completion: RoundTrips;
  readonly edit: RoundTrips;
  /** What an editor asks again after each edit of a rules file: the outline and the whole file's semantic tokens (ms, bytes of the answer). */
  readonly outline: { readonly ms: number; readonly bytes: number };
  readonly tokens: { readonly ms: number; readonly bytes: number };
  /** The semantic tokens asked again after one more edit, as a delta from the last result. */
  readonly tokensDelta: { readonly ms: number; readonly bytes: number };
  /** A one-line edit until its diagnostics, the tokens delta and the outline are all answered. */
  readonly keystroke: RoundTrips;
  /** The same for a line put in or taken out (every line below it moves). */
  readonly lineKeystroke: RoundTrips;
  /** Peak resident memory of the server process (MB), from /proc. */
  readonly serverRss?: number;
}

function rssOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024, 1) : undefined;
  } catch {
    return undefined;
  }
}

export async function measureLspRules(file: string, o: { hovers: number; edits: number; keystrokes: number; timeoutMs: number }): Promise<LspRulesResult> {
  const text = readFileSync(file, 'utf8');
  const uri = pathToFileURL(file).toString();
  const c = await started();
  try {
    const lines = text.split('\n');
    const t0 = performance.now();
    const got = diagnosticsOf(c, uri, 1, o.timeoutMs);
    c.open(uri, 'iptables', text, 1);
    // a hover right after the open, on a line in the middle, as a user pointing at the file
    // just shown: answered once the file is read, between slices of its analysis
    const middle = Math.floor(lines.length / 2);
    const hovered = c.request('textDocument/hover', { textDocument: { uri }, position: { line: middle, character: 1 } }, o.timeoutMs).then(() => performance.now() - t0);
    const n = await got;
    const open = performance.now() - t0;
    const openToHover = await hovered;
    const diagnostics = (n.params as { diagnostics: unknown[] }).diagnostics.length;
    const rng = new Rng(11);
    const hovers: number[] = [];
    const completions: number[] = [];
    for (let i = 0; i < o.hovers; i++) {
      const line = rng.int(0, lines.length - 2);
      const character = rng.int(0, lines[line]!.length);
      let t = performance.now();
      await c.request('textDocument/hover', { textDocument: { uri }, position: { line, character } }, o.timeoutMs);
      hovers.push(performance.now() - t);
      t = performance.now();
      await c.request('textDocument/completion', { textDocument: { uri }, position: { line, character } }, o.timeoutMs);
      completions.push(performance.now() - t);
    }
    let version = 1;
    /** Sends the edit as the next version; resolves on that version's diagnostics. */
    const send = (e: { line: number; text: string }) => {
      version++;
      const diagnosed = diagnosticsOf(c, uri, version, o.timeoutMs);
      c.replaceLine(uri, version, e.line, lines[e.line]!.length, e.text);
      lines[e.line] = e.text;
      return diagnosed;
    };
    const edits: number[] = [];
    for (let i = 0; i < o.edits; i++) {
      const e = editOneLine(lines, rng);
      const t = performance.now();
      await send(e);
      edits.push(performance.now() - t);
    }
    const asked = async (method: string, extra: Record<string, unknown> = {}) => {
      const t = performance.now();
      const r = await c.request<{ resultId?: string }>(method, { textDocument: { uri }, ...extra }, o.timeoutMs);
      return { ms: round(performance.now() - t), bytes: JSON.stringify(r).length, resultId: r?.resultId };
    };
    const outline = await asked('textDocument/documentSymbol');
    const tokens = await asked('textDocument/semanticTokens/full');
    // one more edit, then the tokens as an editor asks for them again: the change since the last result
    await send(editOneLine(lines, rng));
    const tokensDelta = await asked('textDocument/semanticTokens/full/delta', { previousResultId: tokens.resultId });
    // what the server does for each pause in typing, as VS Code asks it: the new version's
    // diagnostics, the tokens since the last result and the outline, all three answered
    let resultId = tokensDelta.resultId;
    /** An edit (`edit` sends it; its promise resolves on the new version's diagnostics) with the requests VS Code makes after it: ms until all three are answered. */
    const keystroke = async (edit: () => Promise<unknown>) => {
      const t = performance.now();
      const sent = edit();
      const delta = c.request<{ resultId?: string }>('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: resultId }, o.timeoutMs);
      const symbols = c.request('textDocument/documentSymbol', { textDocument: { uri } }, o.timeoutMs);
      const [, d] = await Promise.all([sent, delta, symbols]);
      resultId = d.resultId;
      return performance.now() - t;
    };
    const keystrokes: number[] = [];
    for (let i = 0; i < o.keystrokes; i++) {
      const k = editOneLine(lines, rng);
      keystrokes.push(await keystroke(() => send(k)));
    }
    // a line put in (a copy of a rule, its port or comment changed: "copy line down") and one
    // taken out, in turn: every line after them moves
    const lineKeystrokes: number[] = [];
    for (let i = 0; i < o.keystrokes; i++) {
      const e = editOneLine(lines, rng);
      const put = i % 2 === 0;
      const at = put ? e.line + 1 : e.line;
      lineKeystrokes.push(
        await keystroke(() => {
          version++;
          const diagnosed = diagnosticsOf(c, uri, version, o.timeoutMs);
          c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line: at, character: 0 }, end: { line: put ? at : at + 1, character: 0 } }, text: put ? `${e.text}\n` : '' }] });
          return diagnosed;
        }),
      );
      if (put) lines.splice(at, 0, e.text);
      else lines.splice(at, 1);
    }
    const serverRss = rssOf(c.pid);
    return { openToDiagnostics: round(open), openToHover: round(openToHover), diagnostics, hover: trips(hovers), completion: trips(completions), edit: trips(edits), outline, tokens, tokensDelta, keystroke: trips(keystrokes), lineKeystroke: trips(lineKeystrokes), ...(serverRss !== undefined ? { serverRss } : {}) };
  } finally {
    await c.shutdown();
  }
}

export interface LspLogResult {
  readonly openToDiagnostics: number;
  readonly firstHover: number;
  readonly hover: RoundTrips;
  readonly tokens: RoundTrips;
  readonly links: number;
}

export async function measureLspLog(file: string, o: { hovers: number; ranges: number; timeoutMs: number; rulesFile?: string }): Promise<LspLogResult> {
  const text = readFileSync(file, 'utf8');
  const uri = pathToFileURL(file).toString();
  const c = await started();
  try {
    if (o.rulesFile) {
      // an open rules file explains the log lines (the LOG rule of a prefix, a trace)
      const rulesUri = pathToFileURL(o.rulesFile).toString();
      const ready = diagnosticsOf(c, rulesUri, 1, o.timeoutMs);
      c.open(rulesUri, 'iptables', readFileSync(o.rulesFile, 'utf8'), 1);
      await ready;
    }
    const t0 = performance.now();
    const got = diagnosticsOf(c, uri, 1, o.timeoutMs);
    c.open(uri, 'netfilter-log', text, 1);
    await got;
    const open = performance.now() - t0;
    let lineCount = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCount++;
    const rng = new Rng(13);
    const hoverAt = async (line: number) => {
      const t = performance.now();
      await c.request('textDocument/hover', { textDocument: { uri }, position: { line, character: 60 } }, o.timeoutMs);
      return performance.now() - t;
    };
    const firstHover = await hoverAt(rng.int(0, lineCount - 1));
    const hovers: number[] = [];
    for (let i = 0; i < o.hovers; i++) hovers.push(await hoverAt(rng.int(0, lineCount - 1)));
    const tokens: number[] = [];
    for (let i = 0; i < o.ranges; i++) {
      const from = rng.int(0, Math.max(0, lineCount - 61));
      const t = performance.now();
      await c.request('textDocument/semanticTokens/range', { textDocument: { uri }, range: { start: { line: from, character: 0 }, end: { line: from + 60, character: 0 } } }, o.timeoutMs);
      tokens.push(performance.now() - t);
    }
    const t1 = performance.now();
    await c.request('textDocument/documentLink', { textDocument: { uri } }, o.timeoutMs);
    const links = performance.now() - t1;
    return { openToDiagnostics: round(open), firstHover: round(firstHover, 3), hover: trips(hovers), tokens: trips(tokens), links: round(links) };
  } finally {
    await c.shutdown();
  }
}
