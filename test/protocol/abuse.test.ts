/**
 * Protocol abuse against the real server process over stdio: malformed JSON-RPC, unknown methods,
 * wrong types in params, positions past the end, documents never opened or already closed, edits
 * arriving faster than analysis with $/cancelRequest, a 10 MB line, a million empty lines, 10 000
 * chains jumping in a cycle, a 50 MB log. After each abuse the next valid request must be answered
 * correctly, the process must still be alive, and its memory (VmRSS from /proc) must stay bounded.
 * Tests named "(it …)" are regressions: what the abuse did before the fix.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../support/corpus';
import { makeHostileWorkspace } from '../support/hostile-workspace';
import { LspClient } from '../support/lsp-client';

/** Resident memory the server may never exceed, whatever it is sent (MiB). */
const RSS_LIMIT_MIB = 1536;

const RULES_URI = 'file:///abuse/rules.v4';
const RULES = readFileSync(path.join(PROJECT_ROOT, 'examples', 'web-server.rules'), 'utf8');
const LOG_URI = 'file:///abuse/kern.log';
const LOG = readFileSync(path.join(PROJECT_ROOT, 'examples', 'web-server.log'), 'utf8');

function frame(body: string | Buffer, length?: number | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${length ?? b.length}\r\n\r\n`, 'latin1'), b]);
}

/** Deterministic bytes (xorshift), so a failure replays. */
function noise(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function where(text: string, needle: string, offset = 0): { line: number; character: number } {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} not found`);
  const before = text.slice(0, i + offset);
  return { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
}

type Hover = { contents: { value: string }; range?: unknown } | null;

describe('protocol: abuse (the server never falls over)', function () {
  this.timeout(600_000);
  let c: LspClient;
  let peak = 0;
  let sampler: ReturnType<typeof setInterval> | undefined;

  const sample = () => {
    if (c.exited === null) peak = Math.max(peak, c.memoryMiB());
  };

  before(async function () {
    c = new LspClient();
    await c.initialize();
    await c.openAndDiagnose(RULES_URI, 'iptables', RULES);
    await c.openAndDiagnose(LOG_URI, 'netfilter-log', LOG);
    sampler = setInterval(sample, 100);
    assert.deepEqual(guardErrors(), []);
  });

  after(async function () {
    if (sampler) clearInterval(sampler);
    if (!c) return;
    console.log(`      server peak memory ${Math.max(peak, c.exited === null ? c.memoryMiB('VmHWM') : 0).toFixed(0)} MiB (limit ${RSS_LIMIT_MIB})`);
    await c.shutdown();
    assert.deepEqual(c.garbage, [], 'stdout carried only protocol messages');
  });

  let logMark = 0;
  /** What the server's guard caught since the last call (window/logMessage errors): handlers that threw. */
  function guardErrors(): string[] {
    const out = c.notifications
      .slice(logMark)
      .filter((n) => n.method === 'window/logMessage' && (n.params as { type: number }).type === 1)
      .map((n) => (n.params as { message: string }).message.split('\n').slice(0, 3).join(' | '));
    logMark = c.notifications.length;
    return out;
  }

  /** The next valid requests are answered, and answered right; the process is alive and within its memory. */
  async function stillHealthy(what: string, timeoutMs = 30_000, strict = false): Promise<void> {
    assert.equal(c.exited, null, `${what}: the server exited`);
    const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri: RULES_URI }, position: where(RULES, '--dport', 3) }, timeoutMs);
    assert.match(h?.contents.value ?? '', /--dport/, `${what}: hover on --dport`);
    const lh = await c.request<Hover>('textDocument/hover', { textDocument: { uri: LOG_URI }, position: where(LOG, 'DPT=', 1) }, timeoutMs);
    assert.match(lh?.contents.value ?? '', /port/i, `${what}: hover on a log field`);
    sample();
    const rss = c.memoryMiB();
    assert.ok(rss < RSS_LIMIT_MIB, `${what}: the server holds ${rss.toFixed(0)} MiB`);
    assert.ok(peak < RSS_LIMIT_MIB, `${what}: the server reached ${peak.toFixed(0)} MiB`);
    // valid input must never need the guard; garbage params may (an exception caught is still an answer)
    const caught = guardErrors();
    if (strict) assert.deepEqual(caught, [], `${what}: handlers threw`);
  }

  describe('malformed JSON-RPC', function () {
    const cases: [string, () => Buffer | string][] = [
      ['bytes that are no message at all (it went deaf for good)', () => Buffer.concat([Buffer.from('garbage\0\xff\xfe'), noise(65536, 7)])],
      ['a header block without Content-Length (it went deaf for good)', () => 'X-Junk: 1\r\n\r\n'],
      ['a junk line ending in a blank line (it went deaf for good)', () => 'junk\r\n\r\n'],
      ['a non-numeric Content-Length (it went deaf for good)', () => 'Content-Length: abc\r\n\r\n{}'],
      ['a negative Content-Length (it went deaf for good)', () => 'Content-Length: -5\r\n\r\n'],
      ['a Content-Length of 10^17 (it went deaf for good)', () => 'Content-Length: 99999999999999999\r\n\r\n'],
      ['a Content-Length shorter than the body (it went deaf for good)', () => frame('{"jsonrpc":"2.0","method":"x"}', 10)],
      ['a Content-Length longer than the body (it went deaf for good)', () => frame('{"jsonrpc":"2.0","method":"x"}', 5000)],
      ['a Content-Length one byte too long', () => frame('{"jsonrpc":"2.0","method":"x"}', 31)],
      ['two Content-Length headers that disagree', () => 'Content-Length: 1\r\nContent-Length: 2\r\n\r\n{}'],
      ['a body that is not JSON', () => frame('{this is not json')],
      ['a body that is JSON but no object', () => Buffer.concat([frame('42'), frame('[]'), frame('null'), frame('"x"')])],
      ['a message without jsonrpc, method or id', () => Buffer.concat([frame('{}'), frame('{"id":1}'), frame('{"method":5}'), frame('{"jsonrpc":"2.0","id":{},"method":"textDocument/hover"}')])],
      ['a response to a request it never sent', () => frame('{"jsonrpc":"2.0","id":987654,"result":{"x":1}}')],
      ['an empty body', () => frame('')],
      ['a header cut in two writes', () => 'Content-Len'],
      ['a NUL byte inside a header name', () => 'Content-\0Length: 2\r\n\r\n{}'],
    ];
    for (const [name, bytes] of cases) {
      it(`survives ${name}`, async function () {
        c.writeRaw(bytes());
        await stillHealthy(name);
      });
    }

    it('survives a megabyte of random bytes sent in small pieces', async function () {
      const junk = noise(1 << 20, 42);
      for (let i = 0; i < junk.length; i += 4096) c.writeRaw(junk.subarray(i, i + 4096));
      await stillHealthy('random megabyte');
    });
  });

  describe('unknown methods and wrong types', function () {
    it('answers an unknown request with MethodNotFound and ignores unknown notifications', async function () {
      for (const m of ['foo/bar', 'textDocument/foo', '$/unknownRequest', '']) {
        await assert.rejects(c.request(m, {}), (e: Error & { code?: number }) => e.code === -32601, m);
      }
      c.notify('foo/bar', { x: 1 });
      c.notify('$/unknownNotification', null);
      c.notify('textDocument/didSave', { textDocument: { uri: RULES_URI } });
      await stillHealthy('unknown methods');
    });

    it('answers every request whatever its params (null, numbers, strings, wrong shapes)', async function () {
      const methods = [
        'textDocument/hover', 'textDocument/completion', 'textDocument/documentSymbol', 'textDocument/definition', 'textDocument/references',
        'textDocument/prepareRename', 'textDocument/rename', 'textDocument/foldingRange', 'textDocument/semanticTokens/full', 'textDocument/semanticTokens/range',
        'textDocument/codeAction', 'textDocument/codeLens', 'textDocument/documentLink', 'workspace/executeCommand',
      ];
      const bad: unknown[] = [
        null, 42, 'x', [], [1, 2], {}, { textDocument: null }, { textDocument: 5 }, { textDocument: { uri: 5 } }, { textDocument: { uri: RULES_URI } },
        { textDocument: { uri: RULES_URI }, position: 'a' }, { textDocument: { uri: RULES_URI }, position: { line: 'x', character: null } },
        { textDocument: { uri: RULES_URI }, position: { line: 1.5, character: -3 } }, { textDocument: { uri: LOG_URI }, position: { line: -1, character: 1e308 } },
        { textDocument: { uri: RULES_URI }, range: 7, context: 'x' }, { textDocument: { uri: RULES_URI }, range: { start: { line: 9, character: 0 }, end: { line: 1, character: 0 } }, context: {} },
        { textDocument: { uri: RULES_URI }, position: { line: 3, character: 3 }, newName: 42 }, { textDocument: { uri: RULES_URI }, position: { line: 3, character: 3 }, context: null },
        { command: 'iptablesLens.trace', arguments: 'x' }, { command: 'iptablesLens.trace', arguments: [null] }, { command: 'iptablesLens.trace', arguments: [{ uri: RULES_URI, packet: 42 }] },
        { command: 'iptablesLens.trace', arguments: [{ uri: RULES_URI, packet: 'tcp 1.2.3.4:1 -> 5.6.7.8:22 in eth0', state: { x: 1 } }] }, { command: 'iptablesLens.logSummary', arguments: [{ uri: 5 }] },
        { command: 5 }, { command: 'rm -rf /' },
      ];
      let answered = 0;
      for (const m of methods) {
        for (const p of bad) {
          try {
            await c.request(m, p, 10_000);
          } catch (e) {
            // an error answer is an answer; silence is not
            assert.doesNotMatch(String(e), /got no answer|exited/, `${m} ${JSON.stringify(p)}`);
          }
          answered++;
        }
      }
      assert.equal(answered, methods.length * bad.length);
      await stillHealthy('wrong types');
    });

    it('survives document notifications with wrong types, and they poison no other document (it broke every log hover)', async function () {
      c.notify('textDocument/didOpen', { textDocument: { uri: 'file:///abuse/bad.rules', languageId: 'iptables', version: 1, text: 42 } });
      c.notify('textDocument/didOpen', { textDocument: { uri: 'file:///abuse/bad2.rules', languageId: 'iptables', version: 'x', text: null } });
      c.notify('textDocument/didOpen', { textDocument: { uri: 7, languageId: 5, version: 1, text: '*filter' } });
      c.notify('textDocument/didOpen', { textDocument: null });
      c.notify('textDocument/didOpen', null);
      c.notify('textDocument/didChange', { textDocument: { uri: RULES_URI, version: 'x' }, contentChanges: 'x' });
      c.notify('textDocument/didChange', { textDocument: { uri: 'file:///abuse/bad.rules', version: 2 }, contentChanges: [{ range: 'bad', text: 5 }, { text: null }] });
      c.notify('textDocument/didChange', { textDocument: { uri: 'file:///abuse/bad.rules', version: 3 }, contentChanges: [{ range: { start: { line: 'a', character: {} }, end: null }, text: 'x' }] });
      c.notify('textDocument/didClose', { textDocument: { uri: null } });
      c.notify('textDocument/didClose', 42);
      await stillHealthy('wrong-typed notifications');
      // the log hover explains the line from the open rules files: a bad one must not break that
      const lh = await c.request<Hover>('textDocument/hover', { textDocument: { uri: LOG_URI }, position: where(LOG, 'Blocked', 1) });
      assert.match(lh?.contents.value ?? '', /LOGDROPIN|rules\.v4|line \d+/, 'the log hover still finds the LOG rule');
      const sym = await c.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri: 'file:///abuse/bad.rules' } });
      assert.ok(Array.isArray(sym));
      c.notify('textDocument/didClose', { textDocument: { uri: 'file:///abuse/bad.rules' } });
      c.notify('textDocument/didClose', { textDocument: { uri: 'file:///abuse/bad2.rules' } });
    });
  });

  describe('positions and documents', function () {
    it('answers positions past the end with nothing outside the document (completion echoed them)', async function () {
      const lines = RULES.split('\n');
      const inside = (r: { start: { line: number; character: number }; end: { line: number; character: number } }) =>
        [r.start, r.end].every((p) => p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length);
      for (const position of [
        { line: 1e9, character: 0 },
        { line: 0, character: 1e9 },
        { line: lines.length, character: 0 },
        { line: lines.length - 2, character: 10_000 },
        { line: 2 ** 31 - 1, character: 2 ** 31 - 1 },
      ]) {
        const td = { uri: RULES_URI };
        const h = await c.request<{ range?: Parameters<typeof inside>[0] } | null>('textDocument/hover', { textDocument: td, position });
        if (h?.range) assert.ok(inside(h.range), `hover range at ${JSON.stringify(position)}`);
        const items = await c.request<{ textEdit?: { range: Parameters<typeof inside>[0] } }[] | null>('textDocument/completion', { textDocument: td, position });
        for (const i of items ?? []) if (i.textEdit) assert.ok(inside(i.textEdit.range), `completion range at ${JSON.stringify(position)}`);
        for (const m of ['textDocument/definition', 'textDocument/references']) {
          const locs = await c.request<{ range: Parameters<typeof inside>[0] }[] | null>(m, { textDocument: td, position, context: { includeDeclaration: true } });
          for (const l of locs ?? []) assert.ok(inside(l.range), `${m} at ${JSON.stringify(position)}`);
        }
        await c.request('textDocument/prepareRename', { textDocument: td, position }).catch(() => null);
        await c.request('textDocument/rename', { textDocument: td, position, newName: 'X' }).catch(() => null);
        await c.request('textDocument/codeAction', { textDocument: td, range: { start: position, end: position }, context: { diagnostics: [] } });
        await c.request('textDocument/semanticTokens/range', { textDocument: td, range: { start: position, end: { line: position.line + 5, character: 0 } } });
        await c.request('textDocument/hover', { textDocument: { uri: LOG_URI }, position });
      }
      await stillHealthy('positions past the end', 30_000, true);
    });

    it('answers requests on documents never opened or already closed', async function () {
      const closed = 'file:///abuse/closed.rules';
      await c.openAndDiagnose(closed, 'iptables', RULES);
      c.notify('textDocument/didClose', { textDocument: { uri: closed } });
      c.notify('textDocument/didClose', { textDocument: { uri: closed } });
      c.notify('textDocument/didChange', { textDocument: { uri: closed, version: 9 }, contentChanges: [{ text: 'x' }] });
      for (const uri of [closed, 'file:///abuse/never-opened.rules', 'untitled:Untitled-1', 'not a uri at all', '']) {
        const td = { uri };
        const position = { line: 2, character: 5 };
        assert.equal(await c.request('textDocument/hover', { textDocument: td, position }), null);
        for (const m of ['textDocument/completion', 'textDocument/documentSymbol', 'textDocument/definition', 'textDocument/references', 'textDocument/foldingRange', 'textDocument/codeLens', 'textDocument/documentLink']) {
          const r = await c.request<unknown[] | null>(m, { textDocument: td, position, context: { includeDeclaration: true } });
          assert.ok(r === null || (Array.isArray(r) && r.length === 0), `${m} on ${uri}: ${JSON.stringify(r)}`);
        }
        assert.deepEqual(await c.request('textDocument/codeAction', { textDocument: td, range: { start: position, end: position }, context: { diagnostics: [] } }), []);
        assert.deepEqual(((await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: td })) ?? { data: [] }).data, []);
        await assert.rejects(c.request('workspace/executeCommand', { command: 'iptablesLens.trace', arguments: [{ uri, packet: 'tcp 192.0.2.1:1 -> 192.0.2.2:22 in eth0' }] }), /not an open rules file/);
        await assert.rejects(c.request('workspace/executeCommand', { command: 'iptablesLens.logSummary', arguments: [{ uri }] }));
      }
      await stillHealthy('closed documents', 30_000, true);
    });
  });

  describe('load', function () {
    it('keeps up with edits arriving faster than analysis, cancelled requests never run', async function () {
      // 4000 rules: each version costs a full parse when a request needs it
      const rules = ['*filter', ':INPUT DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]'];
      for (let i = 0; i < 4000; i++) rules.push(`-A INPUT -s 10.${(i >> 8) & 255}.${i & 255}.0/24 -p tcp -m tcp --dport ${1 + (i % 60000)} -m conntrack --ctstate NEW -j ACCEPT`);
      rules.push('COMMIT', '');
      const uri = 'file:///abuse/fast.rules';
      let text = rules.join('\n');
      await c.openAndDiagnose(uri, 'iptables', text);
      const t0 = Date.now();
      const hovers: Promise<unknown>[] = [];
      const edits = 300;
      for (let v = 2; v <= edits + 1; v++) {
        // type one character at the end of line 1 (a comment grows), then ask for a hover and cancel it at once
        c.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line: 1, character: 18 }, end: { line: 1, character: 18 } }, text: 'x' }] });
        text = text.replace(':INPUT DROP [0:0]', ':INPUT DROP [0:0]x');
        const h = c.start('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 40 } }, 120_000);
        if (v <= edits) c.notify('$/cancelRequest', { id: h.id });
        hovers.push(h.result.catch((e: Error & { code?: number }) => (e.code === -32800 ? 'cancelled' : Promise.reject(e))));
      }
      const results = await Promise.all(hovers);
      const cancelled = results.filter((r) => r === 'cancelled').length;
      const last = results[results.length - 1] as Hover;
      assert.match(last?.contents.value ?? '', /--dport|tcp/, 'the last hover answers for the last version');
      const secs = (Date.now() - t0) / 1000;
      console.log(`      ${edits} edits with a cancelled hover each: ${cancelled} cancelled before they ran, all answered in ${secs.toFixed(1)} s`);
      assert.ok(cancelled >= edits * 0.8, `only ${cancelled} of ${edits} cancelled hovers were dropped before running`);
      // the diagnostics that arrive last are for the last version
      const n = await c.waitFor((x) => x.method === 'textDocument/publishDiagnostics' && (x.params as { uri: string; version?: number }).uri === uri && (x.params as { version?: number }).version === edits + 1, 60_000);
      assert.ok(n);
      c.notify('textDocument/didClose', { textDocument: { uri } });
      await stillHealthy('fast edits', 30_000, true);
    });

    it('survives a 10 MB single line (a million findings overflowed the call stack, then every request re-parsed it)', async function () {
      const big = '-A INPUT ' + '-s 192.0.2.1 '.repeat(800_000);
      const uri = 'file:///abuse/one-line.rules';
      const diags = await c.openAndDiagnose(uri, 'iptables', big);
      assert.ok(diags.length > 0 && diags.length <= 200, `${diags.length} diagnostics for one line`);
      for (const m of ['textDocument/documentSymbol', 'textDocument/foldingRange', 'textDocument/semanticTokens/full', 'textDocument/codeLens']) await c.request(m, { textDocument: { uri } }, 60_000);
      await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 9_000_000 } }, 60_000);
      await c.request('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 12 } }, 60_000);
      await c.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } }, context: { diagnostics: [] } }, 60_000);
      c.notify('textDocument/didClose', { textDocument: { uri } });
      await stillHealthy('10 MB rules line', 60_000, true);
    });

    it('survives a 10 MB log line of repeated fields (a million field objects took 2.7 GB)', async function () {
      const uri = 'file:///abuse/one-line.log';
      for (const line of ['IN=eth0 OUT= SRC=192.0.2.1 '.repeat(400_000), 'ipv4 2 tcp 6 431999 ESTABLISHED ' + 'src=192.0.2.1 dst=192.0.2.2 sport=1 dport=2 '.repeat(240_000)]) {
        await c.openAndDiagnose(uri, 'netfilter-log', line);
        for (const m of ['textDocument/documentSymbol', 'textDocument/semanticTokens/full', 'textDocument/documentLink']) await c.request(m, { textDocument: { uri } }, 60_000);
        await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 5_000_000 } }, 60_000);
        await c.request('workspace/executeCommand', { command: 'iptablesLens.logSummary', arguments: [{ uri }] }, 60_000);
        c.notify('textDocument/didClose', { textDocument: { uri } });
        await stillHealthy('10 MB log line', 60_000, true);
      }
    });

    it('survives a million empty lines', async function () {
      const text = '\n'.repeat(1_000_000);
      for (const [uri, lang] of [
        ['file:///abuse/empty.rules', 'iptables'],
        ['file:///abuse/empty.log', 'netfilter-log'],
      ] as const) {
        await c.openAndDiagnose(uri, lang, text);
        const position = { line: 999_999, character: 0 };
        for (const m of ['textDocument/documentSymbol', 'textDocument/foldingRange', 'textDocument/semanticTokens/full', 'textDocument/codeLens', 'textDocument/documentLink']) await c.request(m, { textDocument: { uri } }, 60_000);
        await c.request('textDocument/hover', { textDocument: { uri }, position }, 60_000);
        await c.request('textDocument/completion', { textDocument: { uri }, position }, 60_000);
        await c.request('textDocument/semanticTokens/range', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: position } }, 60_000);
        c.notify('textDocument/didClose', { textDocument: { uri } });
      }
      await stillHealthy('a million empty lines', 30_000, true);
    });

    it('survives 10 000 chains jumping in a cycle', async function () {
      const n = 10_000;
      const lines = ['*filter', ':INPUT ACCEPT [0:0]'];
      for (let i = 0; i < n; i++) lines.push(`:C${i} - [0:0]`);
      lines.push('-A INPUT -j C0');
      for (let i = 0; i < n; i++) lines.push(`-A C${i} -p tcp -m tcp --dport ${1 + (i % 65000)} -j C${(i + 1) % n}`);
      lines.push('COMMIT', '');
      const text = lines.join('\n');
      const uri = 'file:///abuse/cycle.rules';
      const diags = await c.openAndDiagnose(uri, 'iptables', text);
      assert.ok(diags.some((d) => d.code === 'iptables-lens/jump-loop'), 'the loop is reported');
      for (const m of ['textDocument/documentSymbol', 'textDocument/foldingRange', 'textDocument/semanticTokens/full', 'textDocument/codeLens']) await c.request(m, { textDocument: { uri } }, 60_000);
      const refs = await c.request<unknown[]>('textDocument/references', { textDocument: { uri }, position: { line: 2, character: 2 }, context: { includeDeclaration: true } }, 60_000);
      assert.ok(refs.length >= 2);
      const edit = await c.request<{ changes: Record<string, unknown[]> }>('textDocument/rename', { textDocument: { uri }, position: { line: 2, character: 2 }, newName: 'Z0' }, 60_000);
      assert.ok(edit.changes[uri]!.length >= 2);
      const t = await c.request<{ markdown: string }>('workspace/executeCommand', { command: 'iptablesLens.trace', arguments: [{ uri, packet: 'tcp 192.0.2.1:40000 -> 192.0.2.2:5 flags SYN in eth0' }] }, 60_000);
      assert.match(t.markdown, /Verdict/);
      c.notify('textDocument/didClose', { textDocument: { uri } });
      await stillHealthy('10k chain cycle', 30_000, true);
    });

    it('outlines a 50 MB log without holding its parse, four times over without growing (12 s and 800 MB before)', async function () {
      let unit = '';
      for (const l of LOG.split('\n').filter((x) => x.includes('IN='))) unit += l + '\n';
      const text = unit.repeat(Math.ceil((50 << 20) / unit.length));
      const uri = 'file:///abuse/big.log';
      const after: number[] = [];
      for (let round = 0; round < 4; round++) {
        await c.openAndDiagnose(uri, 'netfilter-log', text);
        const lines = text.split('\n').length;
        const sym = await c.request<{ name: string; detail: string }[]>('textDocument/documentSymbol', { textDocument: { uri } }, 120_000);
        assert.ok(sym.length > 0 && sym.some((s) => /lines? logged/.test(s.detail)), 'the outline counts the prefixes');
        for (const m of ['textDocument/semanticTokens/full', 'textDocument/documentLink', 'textDocument/foldingRange']) await c.request(m, { textDocument: { uri } }, 120_000);
        await c.request('textDocument/hover', { textDocument: { uri }, position: { line: lines - 2, character: 60 } }, 60_000);
        await c.request('workspace/executeCommand', { command: 'iptablesLens.logSummary', arguments: [{ uri }] }, 120_000);
        c.notify('textDocument/didClose', { textDocument: { uri } });
        await stillHealthy(`50 MB log, round ${round + 1}`, 60_000, true);
        after.push(c.memoryMiB());
      }
      console.log(`      memory after each round of the 50 MB log: ${after.map((m) => m.toFixed(0)).join(', ')} MiB`);
      // V8 frees lazily, so memory moves between rounds; held documents would make it climb every round
      assert.ok(after[3]! <= Math.max(...after.slice(0, 3)) + 150, `memory grows round after round: ${after.map((m) => m.toFixed(0)).join(', ')} MiB`);
    });
  });

  describe('a hostile workspace, with every call that runs, connects, writes or reads recorded', function () {
    let root = '';
    let ws = '';
    let outside = '';
    let h: LspClient | undefined;

    before(function () {
      ({ root, ws, outside } = makeHostileWorkspace(
        'iptables-lens-hostile-',
        (prefix) => `*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m limit --limit 5/min -j LOG --log-prefix "${prefix}: "\n-A INPUT -j DROP\nCOMMIT\n`,
      ));
    });

    after(async function () {
      await h?.shutdown();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('runs no program, opens no connection, writes no file, and reads only the workspace and the files the user named', async function () {
      const before = readdirSync(root, { recursive: true }).map(String).sort();
      h = new LspClient(['--stdio'], { NODE_OPTIONS: `--require ${path.join(PROJECT_ROOT, 'test', 'support', 'fuzz-sentinel.cjs')}` });
      // what the workspace's settings say: a path out by `..`, a link out, and one absolute file (the user's choice)
      h.configuration = { rulesFiles: ['../outside/unnamed.rules', 'evil.rules', 'linkdir/secret.rules', path.join(outside, 'named.rules')] };
      const wsUri = pathToFileURL(ws).href;
      await h.request('initialize', { processId: process.pid, rootUri: wsUri, workspaceFolders: [{ uri: wsUri, name: 'ws' }], capabilities: { workspace: { configuration: true } } });
      h.notify('initialized', {});
      await new Promise((r) => setTimeout(r, 300));
      const logUri = pathToFileURL(path.join(ws, 'kern.log')).href;
      const line = (prefix: string) => `Jan 27 15:21:36 host kernel: ${prefix}: IN=eth0 OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=40 TTL=50 ID=1 PROTO=TCP SPT=1 DPT=2 WINDOW=0 RES=0x00 SYN URGP=0`;
      const log = ['WS', 'SUB', 'SECRET', 'UNNAMED', 'NAMED'].map(line).join('\n') + '\n';
      await h.openAndDiagnose(logUri, 'netfilter-log', log);
      const links = await h.request<{ target: string }[]>('textDocument/documentLink', { textDocument: { uri: logUri } });
      const targets = links.map((l) => decodeURIComponent(new URL(l.target).pathname).replace(/#.*$/, ''));
      assert.ok(targets.includes(path.join(ws, 'rules.v4')), `links: ${targets.join(', ')}`);
      assert.ok(targets.includes(path.join(outside, 'named.rules')), 'the file the user named is read');
      assert.ok(!targets.some((t) => /secret|unnamed/.test(t)), `links: ${targets.join(', ')}`);
      for (let l = 0; l < 5; l++) {
        await h.request('textDocument/hover', { textDocument: { uri: logUri }, position: { line: l, character: 32 } });
        await h.request('textDocument/definition', { textDocument: { uri: logUri }, position: { line: l, character: 32 } });
      }
      // every rules feature too, and the commands
      const rulesUri = pathToFileURL(path.join(ws, 'rules.v4')).href;
      await h.openAndDiagnose(rulesUri, 'iptables', readFileSync(path.join(ws, 'rules.v4'), 'utf8'));
      const td = { uri: rulesUri };
      for (const [m, p] of [
        ['textDocument/hover', { textDocument: td, position: { line: 2, character: 12 } }],
        ['textDocument/completion', { textDocument: td, position: { line: 2, character: 3 } }],
        ['textDocument/documentSymbol', { textDocument: td }],
        ['textDocument/foldingRange', { textDocument: td }],
        ['textDocument/semanticTokens/full', { textDocument: td }],
        ['textDocument/codeLens', { textDocument: td }],
        ['textDocument/codeAction', { textDocument: td, range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } }, context: { diagnostics: [] } }],
        ['textDocument/references', { textDocument: td, position: { line: 1, character: 2 }, context: { includeDeclaration: true } }],
        ['workspace/executeCommand', { command: 'iptablesLens.trace', arguments: [{ uri: rulesUri, packet: 'tcp 192.0.2.1:1 -> 192.0.2.2:22 flags SYN in eth0' }] }],
        ['workspace/executeCommand', { command: 'iptablesLens.logSummary', arguments: [{ uri: logUri }] }],
      ] as const) await h.request(m, p);
      await h.shutdown();

      const calls = h.stderr.join('').split('\n').filter((l) => l.startsWith('SENTINEL '));
      const bad = calls.filter((l) => !l.startsWith('SENTINEL read:'));
      assert.deepEqual(bad, [], 'the server ran a program, opened a connection or wrote a file');
      const reads = calls.map((l) => l.replace(/^SENTINEL read:\w+(?:\.\w+)? /, '').replace(/^"|"$/g, ''));
      assert.ok(reads.length > 0, 'the sentinel saw the server read the workspace (is it loaded?)');
      // its own code (Node's loader reads the bundle through fs), the workspace, and the file the user named
      const own = path.join(PROJECT_ROOT, 'dist') + path.sep;
      for (const r of reads) assert.ok(r.startsWith(own) || r.startsWith(ws + path.sep) || r === ws || r === path.join(outside, 'named.rules'), `the server read ${r}`);
      assert.deepEqual(readdirSync(root, { recursive: true }).map(String).sort(), before, 'files appeared or vanished');
    });
  });
});
