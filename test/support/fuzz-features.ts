/**
 * Drives every language feature of the in-process server on one document at fuzzed positions and
 * checks each answer: no exception, nothing caught by the guard, the time budget, and every range
 * inside the document. Used by the fuzz suites and by `npm run fuzz`.
 */
import { ResponseError } from 'vscode-languageserver/node';
import { TOKEN_MODIFIERS, TOKEN_TYPES } from '../../server/src/service/semantic-tokens';
import { checkRange, checkSemanticTokens, contains, FuzzFailure, Lines, type Tally, timed } from './fuzz-check';
import type { InProcessServer, LspRange } from './fuzz-server';

export interface Probe {
  readonly line: number;
  readonly ch: number;
  /** Picks a new chain name, a packet, a range width. */
  readonly pick: number;
  readonly flag: boolean;
}

const NEW_NAMES = ['RENAMED', 'x', '', ' ', 'a b', 'INPUT', 'ACCEPT', '-bad', 'é', 'A'.repeat(40), '"q"', 'ok_chain-1', '\0', 'DROP', 'f\u202e'];

const PACKETS = [
  'tcp 192.0.2.1:40000 -> 198.51.100.2:80 flags SYN in eth0',
  'tcp 192.0.2.1:40000 -> 198.51.100.2:22 flags ACK in eth0',
  'udp 10.0.0.1:53 -> 10.0.0.2:5353 in lo',
  'icmp 192.0.2.1 -> 192.0.2.2 type 8/0 in eth0 out eth1',
  'icmpv6 [2001:db8::1] -> [2001:db8::2] type 128',
  'tcp [2001:db8::1]:1 -> [2001:db8::2]:443 flags SYN,ACK out eth0',
  'tcp 1.2.3.4:1 -> 5.6.7.8:2 flags FIN,SYN,RST,PSH,ACK,URG,ECE,CWR in a out b len 65535 ttl 255 tos 255 mark 4294967295 frag',
  'gre 10.0.0.1 -> 10.0.0.2 in tun0',
  '47 10.0.0.1 -> 10.0.0.2 out tun0',
  'sctp 10.0.0.1:1 -> 10.0.0.2:2',
  'tcp 1.2.3.4 -> 5.6.7.8',
  'tcp 1.2.3.4:99999 -> 5.6.7.8:1',
  'udp 300.1.1.1:1 -> 1.1.1.1:1',
  'tcp 1.2.3.4:1 -> ::1:2',
  'x',
  '',
  'tcp 1.2.3.4:1 -> 5.6.7.8:2 flags',
  'tcp 1.2.3.4:1 -> 5.6.7.8:2 flags BOGUS',
  'tcp 1.2.3.4:1 -> 5.6.7.8:2 mark 0xffffffffff',
  'udp 10.0.0.1:1 -> 10.0.0.2:2 in ' + 'x'.repeat(300),
];

const STATES = [undefined, 'NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'auto', 'bogus', 42];

const isError = (r: unknown) => r instanceof ResponseError;

function checkEdits(edits: readonly { range: LspRange; newText: string }[], lines: Lines, what: string): void {
  for (const e of edits) {
    checkRange(e.range, lines, what);
    if (typeof e.newText !== 'string') throw new FuzzFailure(`${what}: newText is not a string`);
  }
  const sorted = [...edits].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1]!.range.end;
    const s = sorted[i]!.range.start;
    if (s.line < p.line || (s.line === p.line && s.character < p.character)) throw new FuzzFailure(`${what}: edits overlap at ${s.line}:${s.character}`);
  }
}

interface DocSymbol {
  range: LspRange;
  selectionRange: LspRange;
  children?: DocSymbol[];
  name: string;
}

function checkSymbols(syms: DocSymbol[], lines: Lines, what: string): void {
  for (const s of syms) {
    if (typeof s.name !== 'string' || s.name.length === 0) throw new FuzzFailure(`${what}: symbol with an empty name (VS Code refuses the whole outline)`);
    checkRange(s.range, lines, `${what} range`);
    checkRange(s.selectionRange, lines, `${what} selectionRange`);
    if (!contains(s.range, s.selectionRange)) throw new FuzzFailure(`${what}: selectionRange ${JSON.stringify(s.selectionRange)} is not inside range ${JSON.stringify(s.range)} (VS Code refuses the outline)`);
    checkSymbols(s.children ?? [], lines, what);
  }
}

export class FeatureDriver {
  /** Texts of the documents the server has open, by URI (to check cross-document locations). */
  readonly texts = new Map<string, Lines>();
  private readonly languages = new Map<string, string>();
  private n = 0;

  constructor(
    readonly server: InProcessServer,
    readonly tally: Tally,
  ) {}

  private guardClean(what: string): void {
    const errs = this.server.takeErrors();
    if (errs.length) throw new FuzzFailure(`${what}: the server's guard caught an exception:\n${errs[0]}`);
  }

  /** One call: timed, and the guard must have had nothing to catch. */
  call<T>(feature: string, chars: number, name: string, params: unknown, again?: () => unknown): T {
    let out: unknown;
    try {
      out = timed(this.tally, feature, chars, () => this.server.call(name, params), again);
    } catch (e) {
      if (e instanceof FuzzFailure) throw e;
      throw new FuzzFailure(`${feature} threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    this.guardClean(feature);
    return out as T;
  }

  private checkPublished(uri: string, lines: Lines): void {
    const p = this.server.published.get(uri);
    if (!p) throw new FuzzFailure(`no diagnostics published for ${uri}`);
    for (const d of p.diagnostics) {
      checkRange(d.range, lines, 'diagnostic');
      for (const r of d.relatedInformation ?? []) checkRange(r.location.range, this.texts.get(r.location.uri) ?? lines, 'diagnostic relatedInformation');
    }
  }

  open(languageId: string, text: string, ext: string): string {
    const uri = `file:///fuzz/${++this.n}/doc${ext}`;
    const lines = new Lines(text);
    this.texts.set(uri, lines);
    this.languages.set(uri, languageId);
    this.call('open+diagnostics', text.length, 'onDidOpenTextDocument', { textDocument: { uri, languageId, version: 1, text } });
    this.checkPublished(uri, lines);
    return uri;
  }

  close(uri: string): void {
    this.server.close(uri);
    this.texts.delete(uri);
    this.languages.delete(uri);
    this.guardClean('close');
  }

  /** An incremental edit; `text` is what the document holds afterwards (computed by the caller). */
  change(uri: string, version: number, range: LspRange | undefined, insert: string, after: string): void {
    const lines = new Lines(after);
    this.texts.set(uri, lines);
    // an edit applied twice is another edit: re-time the same work on a scratch document instead
    const scratch = () => {
      this.server.open('file:///fuzz/scratch', this.languages.get(uri) ?? 'iptables', after);
      this.server.close('file:///fuzz/scratch');
    };
    this.call('change+diagnostics', after.length, 'onDidChangeTextDocument', { textDocument: { uri, version }, contentChanges: [range ? { range, text: insert } : { text: insert }] }, scratch);
    this.checkPublished(uri, lines);
  }

  private pos(lines: Lines, p: Probe): { line: number; character: number } {
    const line = p.line % (lines.count + 2);
    const len = lines.lengths[line] ?? 0;
    return { line, character: p.ch % (len + 4) };
  }

  /** The whole-document features, then every position feature at each probe. */
  rules(uri: string, probes: readonly Probe[]): void {
    const lines = this.texts.get(uri)!;
    const size = lines.text.length;
    const td = { uri };
    const syms = this.call<DocSymbol[]>('documentSymbol', size, 'onDocumentSymbol', { textDocument: td });
    checkSymbols(syms, lines, 'documentSymbol');
    for (const f of this.call<{ startLine: number; endLine: number }[]>('foldingRange', size, 'onFoldingRanges', { textDocument: td })) {
      if (!(f.startLine >= 0 && f.startLine <= f.endLine && f.endLine < lines.count)) throw new FuzzFailure(`foldingRange ${f.startLine}-${f.endLine} outside 0..${lines.count - 1}`);
    }
    const full = this.call<{ resultId?: string; data: number[] }>('semanticTokens', size, 'semanticTokens/full', { textDocument: td });
    checkSemanticTokens(full.data, lines, TOKEN_TYPES.length, TOKEN_MODIFIERS.length, 'semanticTokens');
    // a delta from that result (same version: no edit), and from one the server never gave (the whole array)
    const delta = this.call<{ edits?: { start: number; deleteCount: number; data?: number[] }[]; data?: number[] }>('semanticTokens/full/delta', size, 'semanticTokens/full/delta', { textDocument: td, previousResultId: full.resultId ?? '' });
    // (a document read as rules gets a result id; one that is not gets the whole array again)
    if (full.resultId !== undefined ? !delta.edits || delta.edits.length > 0 : JSON.stringify(delta.data) !== JSON.stringify(full.data)) {
      throw new FuzzFailure(`semanticTokens/full/delta of an unchanged version: ${JSON.stringify(delta).slice(0, 200)}`);
    }
    const stale = this.call<{ data?: number[] }>('semanticTokens/full/delta', size, 'semanticTokens/full/delta', { textDocument: td, previousResultId: 'never given' });
    if (JSON.stringify(stale.data) !== JSON.stringify(full.data)) throw new FuzzFailure('semanticTokens/full/delta from an unknown result is not the whole array');
    for (const l of this.call<{ range: LspRange }[]>('codeLens', size, 'onCodeLens', { textDocument: td })) checkRange(l.range, lines, 'codeLens');
    const whole = { start: { line: 0, character: 0 }, end: { line: lines.count - 1, character: lines.lengths[lines.count - 1]! } };
    this.codeActions(uri, whole, lines, size);

    for (const p of probes) {
      const position = this.pos(lines, p);
      const h = this.call<{ range: LspRange; contents: { value: string } } | null>('hover', size, 'onHover', { textDocument: td, position });
      if (h) {
        checkRange(h.range, lines, 'hover');
        if (typeof h.contents?.value !== 'string' || !h.contents.value) throw new FuzzFailure('hover with empty contents');
      }
      for (const c of this.call<{ label: string; textEdit: { range: LspRange } }[]>('completion', size, 'onCompletion', { textDocument: td, position })) {
        checkRange(c.textEdit.range, lines, `completion ${c.label}`);
        if (c.textEdit.range.start.line !== position.line || c.textEdit.range.end.line !== position.line) throw new FuzzFailure(`completion ${c.label} replaces another line than the cursor's`);
      }
      for (const l of this.call<{ uri: string; range: LspRange }[]>('definition', size, 'onDefinition', { textDocument: td, position })) checkRange(l.range, this.texts.get(l.uri) ?? lines, 'definition');
      for (const l of this.call<{ uri: string; range: LspRange }[]>('references', size, 'onReferences', { textDocument: td, position, context: { includeDeclaration: p.flag } }))
        checkRange(l.range, lines, 'references');
      const pr = this.call<{ range: LspRange } | null | ResponseError>('prepareRename', size, 'onPrepareRename', { textDocument: td, position });
      if (pr && !isError(pr)) checkRange((pr as { range: LspRange }).range, lines, 'prepareRename');
      const rn = this.call<{ changes: Record<string, { range: LspRange; newText: string }[]> } | null | ResponseError>('rename', size, 'onRenameRequest', {
        textDocument: td,
        position,
        newName: NEW_NAMES[p.pick % NEW_NAMES.length],
      });
      if (rn && !isError(rn)) for (const [u, edits] of Object.entries((rn as { changes: Record<string, { range: LspRange; newText: string }[]> }).changes)) checkEdits(edits, this.texts.get(u) ?? lines, 'rename');
      const endLine = Math.min(position.line + (p.pick % 40), lines.count + 3);
      const range = { start: position, end: { line: endLine, character: p.pick % 7 } };
      const part = this.call<{ data: number[] }>('semanticTokens/range', size, 'semanticTokens/range', { textDocument: td, range });
      checkSemanticTokens(part.data, lines, TOKEN_TYPES.length, TOKEN_MODIFIERS.length, 'semanticTokens/range');
      this.codeActions(uri, range, lines, size);
      this.trace(uri, p, lines);
    }
  }

  private codeActions(uri: string, range: LspRange, lines: Lines, size: number): void {
    const acts = this.call<{ edit?: { changes: Record<string, { range: LspRange; newText: string }[]> }; diagnostics?: { range: LspRange }[] }[]>('codeAction', size, 'onCodeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: [] },
    });
    for (const a of acts) {
      for (const [u, edits] of Object.entries(a.edit?.changes ?? {})) {
        if (u !== uri) throw new FuzzFailure(`codeAction edits another document (${u})`);
        checkEdits(edits, lines, 'codeAction');
      }
      for (const d of a.diagnostics ?? []) checkRange(d.range, lines, 'codeAction diagnostic');
    }
  }

  private trace(uri: string, p: Probe, lines: Lines): void {
    const packet = PACKETS[p.pick % PACKETS.length]!;
    const state = STATES[(p.pick >> 5) % STATES.length];
    const r = this.call<{ lines?: number[]; error?: string; start?: number; end?: number } | ResponseError>('trace', lines.text.length, 'onExecuteCommand', {
      command: 'iptablesLens.trace',
      arguments: [{ uri, packet, ...(state !== undefined ? { state } : {}) }],
    });
    if (isError(r)) return;
    const t = r as { lines?: number[]; error?: string; start?: number; end?: number };
    if (t.error !== undefined) {
      if (!(t.start! >= 0 && t.start! <= t.end! && t.end! <= packet.length)) throw new FuzzFailure(`trace error range ${t.start}-${t.end} outside the packet text`);
      return;
    }
    for (const l of t.lines ?? []) if (!(l >= 0 && l < lines.count)) throw new FuzzFailure(`trace highlights line ${l} of ${lines.count}`);
  }

  log(uri: string, probes: readonly Probe[]): void {
    const lines = this.texts.get(uri)!;
    const size = lines.text.length;
    const td = { uri };
    checkSymbols(this.call<DocSymbol[]>('log documentSymbol', size, 'onDocumentSymbol', { textDocument: td }), lines, 'log documentSymbol');
    const full = this.call<{ data: number[] }>('log semanticTokens', size, 'semanticTokens/full', { textDocument: td });
    checkSemanticTokens(full.data, lines, TOKEN_TYPES.length, TOKEN_MODIFIERS.length, 'log semanticTokens');
    for (const l of this.call<{ range: LspRange; target: string }[]>('log documentLinks', size, 'onDocumentLinks', { textDocument: td })) {
      checkRange(l.range, lines, 'documentLink');
      if (typeof l.target !== 'string' || !l.target.startsWith('file:')) throw new FuzzFailure(`documentLink target ${l.target}`);
    }
    const sum = this.call<{ markdown?: string } | ResponseError>('log summary', size, 'onExecuteCommand', { command: 'iptablesLens.logSummary', arguments: [{ uri }] });
    if (!isError(sum) && typeof (sum as { markdown?: string }).markdown !== 'string') throw new FuzzFailure('logSummary without markdown');
    for (const p of probes) {
      const position = this.pos(lines, p);
      const h = this.call<{ range: LspRange; contents: { value: string } } | null>('log hover', size, 'onHover', { textDocument: td, position });
      if (h) checkRange(h.range, lines, 'log hover');
      for (const l of this.call<{ uri: string; range: LspRange }[]>('log definition', size, 'onDefinition', { textDocument: td, position })) {
        const target = this.texts.get(l.uri);
        if (!target) throw new FuzzFailure(`log definition points at ${l.uri}, which is not open`);
        checkRange(l.range, target, 'log definition');
      }
      const endLine = Math.min(position.line + (p.pick % 40), lines.count + 3);
      const part = this.call<{ data: number[] }>('log semanticTokens/range', size, 'semanticTokens/range', { textDocument: td, range: { start: position, end: { line: endLine, character: 0 } } });
      checkSemanticTokens(part.data, lines, TOKEN_TYPES.length, TOKEN_MODIFIERS.length, 'log semanticTokens/range');
      // rules-only features must answer a log with nothing, quickly
      this.call('log completion', size, 'onCompletion', { textDocument: td, position });
      this.call('log codeAction', size, 'onCodeAction', { textDocument: td, range: { start: position, end: position }, context: { diagnostics: [] } });
    }
  }
}
