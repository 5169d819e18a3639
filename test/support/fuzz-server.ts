/**
 * The real language server (server.ts and every adapter in lsp/) run in-process on a fake
 * connection, so the fuzzers can call each handler thousands of times a second exactly as the
 * protocol would, without JSON-RPC in between. The fake records every handler the server
 * registers, every diagnostic it publishes and every error its guard logs: a guard that had to
 * catch something is a bug the fuzzers report, not a success.
 */
import type { Connection } from 'vscode-languageserver/node';
import { startServer } from '../../server/src/server';

export interface Pos {
  line: number;
  character: number;
}
export interface LspRange {
  start: Pos;
  end: Pos;
}

type Handler = (params: unknown, token: unknown, ...rest: unknown[]) => unknown;

const TOKEN = Object.freeze({ isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) });

export class InProcessServer {
  private readonly handlers = new Map<string, Handler>();
  /** Messages the server's guard logged (each one is a handler that threw). */
  readonly errors: string[] = [];
  /** Last diagnostics published per URI. */
  readonly published = new Map<string, { uri: string; version?: number; diagnostics: { range: LspRange; relatedInformation?: { location: { uri: string; range: LspRange } }[] }[] }>();

  constructor(initializationOptions: Record<string, unknown> = { validationDelay: 0 }, capabilities: Record<string, unknown> = DEFAULT_CAPS) {
    const rec =
      (name: string) =>
      (h: Handler): { dispose(): void } => {
        this.handlers.set(name, h);
        return { dispose() {} };
      };
    const fake = new Proxy(
      {
        console: { error: (m: string) => this.errors.push(m), warn() {}, info() {}, log() {} },
        sendDiagnostics: (p: { uri: string; diagnostics: [] }) => {
          this.published.set(p.uri, p);
          return Promise.resolve();
        },
        workspace: { getConfiguration: () => Promise.resolve({}) },
        languages: { semanticTokens: { on: rec('semanticTokens/full'), onDelta: rec('semanticTokens/full/delta'), onRange: rec('semanticTokens/range') } },
        listen() {},
      } as Record<string, unknown>,
      {
        get(target, prop) {
          if (typeof prop === 'string' && prop in target) return target[prop];
          if (typeof prop === 'string' && prop.startsWith('on')) return rec(prop);
          return undefined;
        },
        set(target, prop, value) {
          target[prop as string] = value;
          return true;
        },
      },
    ) as unknown as Connection;
    startServer(fake, 'fuzz');
    this.call('onInitialize', { processId: null, rootUri: null, capabilities, initializationOptions });
    this.call('onInitialized', {});
  }

  /** Call the handler the server registered under `on<Name>` (or a semantic-tokens name). */
  call(name: string, params: unknown): unknown {
    const h = this.handlers.get(name);
    if (!h) throw new Error(`the server registered no ${name} handler`);
    return h(params, TOKEN, undefined, undefined);
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  open(uri: string, languageId: string, text: string, version = 1): void {
    this.call('onDidOpenTextDocument', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, contentChanges: unknown[]): void {
    this.call('onDidChangeTextDocument', { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): void {
    this.call('onDidCloseTextDocument', { textDocument: { uri } });
    this.published.delete(uri);
  }

  /** Take (and clear) what the guard logged since the last call. */
  takeErrors(): string[] {
    return this.errors.splice(0, this.errors.length);
  }
}

export const DEFAULT_CAPS = {
  textDocument: {
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { snippetSupport: true } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

/** Line lengths as an editor counts them: `\r\n`, `\n` and a lone `\r` end a line. */
export function editorLines(text: string): number[] {
  const out: number[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      out.push(i - start);
      start = i + 1;
    } else if (c === 13) {
      out.push(i - start);
      if (text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  out.push(text.length - start);
  return out;
}
