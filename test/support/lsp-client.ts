/**
 * A minimal LSP client for protocol tests: starts the built server (dist/server.js --stdio) as a
 * real child process, frames JSON-RPC by hand (so the tests also check the server's framing), and
 * records every notification. Everything the server writes to stdout must be protocol; anything
 * else makes the test fail.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from './corpus';

export const SERVER_JS = path.join(PROJECT_ROOT, 'dist', 'server.js');

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  method: string;
}

export interface Notification {
  method: string;
  params: unknown;
}

export class LspClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  /**
   * Chunks come after `buffer` until `need` bytes are there: a big answer (the outline of a
   * 100k-rule file is 10 MB) arrives in 64 KB chunks, and joining each to all before it copied
   * hundreds of megabytes, which the timings of the benchmark's round trips counted as the server's.
   */
  private later: Buffer[] = [];
  private laterBytes = 0;
  /** Bytes the message being read takes in all (-1: not known yet). */
  private need = -1;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  readonly notifications: Notification[] = [];
  /** Every message from the server in the order it came: `#id` for an answer, the method for a notification or request. */
  readonly arrivals: string[] = [];
  private readonly waiters: { pred: (n: Notification) => boolean; resolve: (n: Notification) => void }[] = [];
  readonly stderr: string[] = [];
  /** Bytes on stdout that were not a well-formed message. */
  readonly garbage: string[] = [];
  exited: number | null = null;

  /** `env`: extra environment for the server process (NODE_OPTIONS for a --require, say). */
  constructor(args: string[] = ['--stdio'], env?: Record<string, string>) {
    if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run \`npm run build\` first`);
    this.proc = spawn(process.execPath, [SERVER_JS, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
    this.proc.stdout.on('data', (d: Buffer) => this.onData(d));
    this.proc.stderr.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.proc.on('exit', (code) => {
      this.exited = code ?? -1;
      for (const p of this.pending.values()) p.reject(new Error(`server exited (${code}) before answering ${p.method}`));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private onData(d: Buffer): void {
    this.later.push(d);
    this.laterBytes += d.length;
    if (this.need >= 0 && this.buffer.length + this.laterBytes < this.need) return;
    this.buffer = Buffer.concat([this.buffer, ...this.later]);
    this.later = [];
    this.laterBytes = 0;
    this.need = -1;
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const m = /Content-Length: (\d+)/i.exec(header);
      if (!m || !header.startsWith('Content-')) {
        this.garbage.push(header);
        this.buffer = this.buffer.subarray(headerEnd + 4);
        continue;
      }
      const len = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + len) {
        this.need = headerEnd + 4 + len;
        return;
      }
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + len);
      this.onMessage(JSON.parse(body) as Record<string, unknown>);
    }
  }

  private onMessage(msg: Record<string, unknown>): void {
    this.arrivals.push('method' in msg ? (msg['method'] as string) : `#${String(msg['id'])}`);
    if ('id' in msg && ('result' in msg || 'error' in msg)) {
      const p = this.pending.get(msg['id'] as number);
      if (!p) return;
      this.pending.delete(msg['id'] as number);
      if (msg['error']) {
        const e = msg['error'] as { message: string; code: number };
        const err = new Error(`${p.method}: ${e.message}`) as Error & { code?: number };
        err.code = e.code;
        p.reject(err);
      } else p.resolve(msg['result']);
      return;
    }
    if ('id' in msg && 'method' in msg) {
      // a request from the server (workspace/configuration, registerCapability...): answer simply
      const method = msg['method'] as string;
      let result: unknown = null;
      if (method === 'workspace/configuration') {
        const items = ((msg['params'] as { items?: unknown[] })?.items ?? []) as unknown[];
        result = items.map(() => this.configuration);
      }
      this.write({ jsonrpc: '2.0', id: msg['id'], result });
      return;
    }
    const n = { method: msg['method'] as string, params: msg['params'] };
    this.notifications.push(n);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.pred(n)) {
        this.waiters[i]!.resolve(n);
        this.waiters.splice(i, 1);
      }
    }
  }

  /** What the client answers to workspace/configuration for `iptablesLens`. */
  configuration: Record<string, unknown> = {};

  writeRaw(data: string | Buffer): void {
    this.proc.stdin.write(data);
  }

  private write(msg: unknown): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  request<T = unknown>(method: string, params: unknown, timeoutMs = 10000): Promise<T> {
    return this.start<T>(method, params, timeoutMs).result;
  }

  /** Send a request and return its id with the answer, so a test can cancel it ($/cancelRequest). */
  start<T = unknown>(method: string, params: unknown, timeoutMs = 10000): { id: number; result: Promise<T> } {
    const id = this.nextId++;
    const result = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
    return { id, result };
  }

  /** The server process's resident memory in MiB (VmRSS from /proc), or its peak (VmHWM). */
  memoryMiB(which: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
    const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    return Number(new RegExp(`${which}:\\s+(\\d+)`).exec(status)![1]) / 1024;
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  waitFor(pred: (n: Notification) => boolean, timeoutMs = 10000): Promise<Notification> {
    const found = this.notifications.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('notification did not arrive in time')), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n);
        },
      });
    });
  }

  async initialize(capabilities: Record<string, unknown> = DEFAULT_CAPABILITIES, initializationOptions?: unknown): Promise<Record<string, unknown>> {
    const r = await this.request<Record<string, unknown>>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities,
      ...(initializationOptions ? { initializationOptions } : {}),
    });
    this.notify('initialized', {});
    return r;
  }

  open(uri: string, languageId: string, text: string, version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  /** Open and wait for the first diagnostics of that version. */
  async openAndDiagnose(uri: string, languageId: string, text: string, version = 1): Promise<Diagnostic[]> {
    const mark = this.notifications.length;
    this.open(uri, languageId, text, version);
    const n = await this.waitFor((x, i = this.notifications.indexOf(x)) => i >= mark && x.method === 'textDocument/publishDiagnostics' && (x.params as { uri: string }).uri === uri);
    return (n.params as { diagnostics: Diagnostic[] }).diagnostics;
  }

  /** Replace the whole of line `line` (now `oldLength` characters long) with `text`, as version `version`. */
  replaceLine(uri: string, version: number, line: number, oldLength: number, text: string): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: oldLength } }, text }] });
  }

  /** replaceLine, then wait for the diagnostics of that version. */
  async replaceLineAndDiagnose(uri: string, version: number, line: number, oldLength: number, text: string, timeoutMs = 30000): Promise<Diagnostic[]> {
    const mark = this.notifications.length;
    this.replaceLine(uri, version, line, oldLength, text);
    const n = await this.waitFor((x) => this.notifications.indexOf(x) >= mark && x.method === 'textDocument/publishDiagnostics' && (x.params as { uri: string }).uri === uri && (x.params as { version?: number }).version === version, timeoutMs);
    return (n.params as { diagnostics: Diagnostic[] }).diagnostics;
  }

  async shutdown(): Promise<void> {
    if (this.exited !== null) return;
    try {
      await this.request('shutdown', null, 5000);
      this.notify('exit', null);
    } catch {
      /* fall through to kill */
    }
    await new Promise<void>((resolve) => {
      if (this.exited !== null) return resolve();
      const t = setTimeout(() => {
        this.proc.kill('SIGKILL');
        resolve();
      }, 3000);
      this.proc.on('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
  codeDescription?: { href: string };
  source?: string;
  tags?: number[];
  relatedInformation?: { location: { uri: string; range: Diagnostic['range'] }; message: string }[];
}

export const DEFAULT_CAPABILITIES = {
  workspace: { configuration: true },
  textDocument: {
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { snippetSupport: true } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
  },
};

/** Position of the first occurrence of `needle` (plus `offset` characters) in `text`. */
export function positionOf(text: string, needle: string, offset = 0, occurrence = 1): { line: number; character: number } {
  let from = 0;
  let idx = -1;
  for (let i = 0; i < occurrence; i++) {
    idx = text.indexOf(needle, from);
    if (idx < 0) throw new Error(`\`${needle}\` not found`);
    from = idx + 1;
  }
  const before = text.slice(0, idx + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

/** Apply LSP text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: { range: Diagnostic['range']; newText: string }[]): string {
  const lines = text.split('\n');
  const offsetOf = (p: { line: number; character: number }) => {
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i]!.length + 1;
    return o + p.character;
  };
  const sorted = [...edits].sort((a, b) => offsetOf(b.range.start) - offsetOf(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetOf(e.range.start)) + e.newText + out.slice(offsetOf(e.range.end));
  return out;
}

/**
 * Start the server, initialize it (with `capabilities`, the usual ones by default), run `use` with
 * the client and the initialize result, and shut the server down whether or not `use` threw.
 */
export async function withServer<T>(use: (c: LspClient, init: Record<string, unknown>) => Promise<T>, capabilities?: Record<string, unknown>): Promise<T> {
  const c = new LspClient();
  try {
    return await use(c, await c.initialize(capabilities));
  } finally {
    await c.shutdown();
  }
}
