/**
 * Regression tests for what the fuzzers found, each named after the input that broke something.
 * The fuzzers themselves run in fuzz-parsers, fuzz-features and fuzz-fixes; these pin the
 * minimal counterexamples so a fix cannot quietly come undone.
 */
import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { findings } from '../support/analyse';
import { MAX_FIELDS } from '../../server/src/parser/log/field';
import { parseLogDocument, parseLogLine } from '../../server/src/parser/log/index';
import { MAX_RESTORE_WORDS } from '../../server/src/parser/ruleset-parser';
import { createRulesDocument } from '../../server/src/service/document';
import { editorLines, InProcessServer } from '../support/fuzz-server';

function bestOf(n: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

describe('fuzz regressions', function () {
  it('a stray carriage return in a log ends a line there, as in the editor', function () {
    for (const text of ['a\rb', 'IN=eth0 OUT= SRC=192.0.2.1\rDST=192.0.2.2', 'x\r', '\r\r\n\r', 'a\r\nb\rc\n']) {
      const doc = parseLogDocument(text);
      assert.equal(doc.lineCount, editorLines(text).length, JSON.stringify(text));
      doc.lines.forEach((l, i) => {
        assert.equal(l.line, i);
        assert.ok(l.span.end <= editorLines(text)[i]!, `line ${i} of ${JSON.stringify(text)} ends past the editor's line`);
      });
    }
  });

  it('completion, hover and rename past the end of the document answer nothing outside it', function () {
    const server = new InProcessServer();
    server.open('file:///p.rules', 'iptables', '');
    server.open('file:///q.rules', 'iptables', '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
    for (const [uri, position] of [
      ['file:///p.rules', { line: 1, character: 0 }],
      ['file:///p.rules', { line: 0, character: 200018001 }],
      ['file:///q.rules', { line: 1, character: 9999 }],
      ['file:///q.rules', { line: 99, character: 0 }],
    ] as const) {
      const items = server.call('onCompletion', { textDocument: { uri }, position }) as { textEdit: { range: { start: { line: number; character: number }; end: { line: number; character: number } } } }[];
      const lines = uri === 'file:///p.rules' ? [0] : editorLines('*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
      for (const i of items) {
        const r = i.textEdit.range;
        assert.ok(r.end.line < lines.length && r.end.character <= lines[r.end.line]!, `completion range ${JSON.stringify(r)} at ${JSON.stringify(position)}`);
      }
      const h = server.call('onHover', { textDocument: { uri }, position }) as { range: { end: { line: number; character: number } } } | null;
      if (h) assert.ok(h.range.end.line < lines.length && h.range.end.character <= lines[h.range.end.line]!);
      server.call('onRenameRequest', { textDocument: { uri }, position, newName: 'X' });
    }
    assert.deepEqual(server.takeErrors(), []);
  });

  it('a line that loads the same match module hundreds of times parses in linear time', function () {
    const rule = '-A INPUT -p tcp -m conntrack --ctstate NEW -m multiport --dports 80,443 -j ACCEPT';
    const make = (n: number) => '*filter\n:INPUT ACCEPT [0:0]\n' + Array.from({ length: n }, () => rule).join(' ') + '\nCOMMIT\n';
    const small = bestOf(3, () => createRulesDocument('file:///a.rules', 1, make(200)));
    const big = bestOf(3, () => createRulesDocument('file:///a.rules', 1, make(1600)));
    // 8 times the input: linear is ~8x; the quadratic parser took ~50x (2 s for 64 KB)
    assert.ok(big < 25 * small + 50, `200 copies: ${small.toFixed(1)} ms, 1600 copies: ${big.toFixed(1)} ms`);
    // and the same abbreviation ambiguity is still reported, naming a bounded number of options
    const doc = createRulesDocument('file:///a.rules', 1, '-A INPUT ' + '-m conntrack '.repeat(300) + '--ct NEW -j ACCEPT');
    const amb = doc.ruleset.findings.find((f) => /ambiguous abbreviation/.test(f.message));
    assert.ok(amb, 'the ambiguous --ct is reported');
    assert.ok(amb!.message.length < 2000, `message of ${amb!.message.length} characters`);
  });

  it(`a restore line of more than ${MAX_RESTORE_WORDS} words is refused, as iptables-restore does`, function () {
    const line = (groups: number, extra: string) => `-A INPUT ${Array.from({ length: groups }, () => '-m comment --comment x').join(' ')} ${extra}-j ACCEPT`;
    const ok = `*filter\n${line(61, '-p tcp --syn ')}\nCOMMIT\n`; // 251 words: iptables-restore 1.8.9 --test accepts it
    const bad = `*filter\n${line(62, '')}\nCOMMIT\n`; // 252 words: "Parser cannot handle more arguments"
    assert.equal(ok.split('\n')[1]!.split(' ').length, 251);
    assert.equal(bad.split('\n')[1]!.split(' ').length, 252);
    const tooMany = (t: string) => createRulesDocument('file:///a.rules', 1, t).ruleset.findings.filter((f) => /Parser cannot handle more arguments/.test(f.message));
    assert.deepEqual(tooMany(ok), []);
    assert.equal(tooMany(bad).length, 1);
    assert.equal(tooMany(bad)[0]!.severity, 'error');
    // iptables -S commands are run one by one by a shell: no such limit
    assert.deepEqual(tooMany(line(62, '')), []);
  });

  it('a jump cycle through 10 000 chains is reported, not lost to a stack overflow with every other diagnostic', function () {
    const n = 10_000;
    const lines = ['*filter', ':INPUT ACCEPT [0:0]'];
    for (let i = 0; i < n; i++) lines.push(`:C${i} - [0:0]`);
    lines.push('-A INPUT -j C0');
    for (let i = 0; i < n; i++) lines.push(`-A C${i} -j C${(i + 1) % n}`);
    lines.push('-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', '');
    const all = findings(lines.join('\n'));
    const loop = all.filter((f) => f.code === 'jump-loop');
    assert.equal(loop.length, 1);
    assert.ok(loop[0]!.message.length < 400, 'the message names a few chains, not 10 000');
    assert.ok(all.some((f) => f.code !== 'jump-loop'), 'the other checks still report');
  });

  it('a 10 MB log line of repeated fields is read up to the field cap (a million field objects took 2.7 GB)', function () {
    for (const text of ['IN=eth0 OUT= SRC=192.0.2.1 '.repeat(400_000), 'ipv4 2 tcp 6 431999 ESTABLISHED ' + 'src=192.0.2.1 dst=192.0.2.2 '.repeat(400_000)]) {
      const t0 = performance.now();
      const l = parseLogLine(text, 0) as { fields?: unknown[]; notes?: { code: string }[] };
      assert.ok(performance.now() - t0 < 2000, `${(performance.now() - t0).toFixed(0)} ms`);
      assert.ok(l.fields && l.fields.length <= MAX_FIELDS + 1, `${l.fields?.length} fields`);
      // said so, or counted among the problems beyond the cap on notes
      assert.ok(l.notes?.some((n) => n.code === 'log/too-many-fields' || n.code === 'log/too-many-problems'));
    }
  });

  it('the outline of a log with a lone carriage return stays inside its lines', function () {
    const server = new InProcessServer();
    const text = 'Jan 27 15:21:36 host kernel: DROP IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=TCP SPT=1 DPT=2 \r\r\nnext';
    server.open('file:///cr.log', 'netfilter-log', text);
    const syms = server.call('onDocumentSymbol', { textDocument: { uri: 'file:///cr.log' } }) as { range: { end: { line: number; character: number } } }[];
    const lens = editorLines(text);
    for (const s of syms) assert.ok(s.range.end.character <= lens[s.range.end.line]!, JSON.stringify(s.range));
    assert.deepEqual(server.takeErrors(), []);
  });

  it('a file whose URI has a malformed %-escape still gets every feature', function () {
    const server = new InProcessServer();
    const uri = 'file:///tmp/100%.rules';
    server.open(uri, 'iptables', '*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
    const h = server.call('onHover', { textDocument: { uri }, position: { line: 1, character: 20 } }) as { contents: { value: string } } | null;
    assert.match(h?.contents.value ?? '', /--dport/);
    assert.ok((server.published.get(uri)?.diagnostics ?? []).length >= 0);
    assert.deepEqual(server.takeErrors(), []);
  });

  it('a didOpen whose text is not a string opens an empty document and breaks no log hover', function () {
    const server = new InProcessServer();
    server.open('file:///ok.rules', 'iptables', '*filter\n:LOGDROP - [0:0]\n-A INPUT -j LOGDROP\n-A LOGDROP -j LOG --log-prefix "DROP: "\nCOMMIT\n');
    server.call('onDidOpenTextDocument', { textDocument: { uri: 'file:///bad.rules', languageId: 'iptables', version: 1, text: 42 } });
    server.call('onDidChangeTextDocument', { textDocument: { uri: 'file:///bad.rules', version: 2 }, contentChanges: [{ range: 'x', text: 5 }] });
    const log = 'Jan 27 15:21:36 host kernel: DROP: IN=eth0 OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=40 TTL=50 ID=1 PROTO=TCP SPT=1 DPT=2 WINDOW=0 RES=0x00 SYN URGP=0';
    server.open('file:///k.log', 'netfilter-log', log);
    const h = server.call('onHover', { textDocument: { uri: 'file:///k.log' }, position: { line: 0, character: log.indexOf('DROP:') + 1 } }) as { contents: { value: string } } | null;
    assert.match(h?.contents.value ?? '', /ok\.rules/, 'the log hover still finds the LOG rule in ok.rules');
    assert.deepEqual(server.takeErrors(), []);
  });

  it('a chain line with no name (":") still gets a named outline entry (VS Code refused the whole outline)', function () {
    const server = new InProcessServer();
    for (const [uri, text] of [
      ['file:///colon.rules', '*filter\n:\n:INPUT ACCEPT [0:0]\nCOMMIT\n'],
      ['file:///notable.rules', '-t "" -A INPUT -j ACCEPT\n'],
    ] as const) {
      server.open(uri, 'iptables', text);
      const walk = (syms: { name: string; children?: unknown[] }[]): void => {
        for (const s of syms) {
          assert.ok(s.name, `a symbol without a name in ${uri}`);
          walk((s.children ?? []) as { name: string }[]);
        }
      };
      walk(server.call('onDocumentSymbol', { textDocument: { uri } }) as { name: string }[]);
    }
    assert.deepEqual(server.takeErrors(), []);
  });

  it('moving a ban that is the last line, without a final newline, edits nothing past the end (it deleted up to a line that does not exist)', function () {
    const server = new InProcessServer();
    const uri = 'file:///ban.rules';
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -s 192.0.2.7/32 -j DROP';
    server.open(uri, 'iptables', text);
    const lens = editorLines(text);
    const acts = server.call('onCodeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } }, context: { diagnostics: [] } }) as {
      title: string;
      edit: { changes: Record<string, { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]> };
    }[];
    const move = acts.find((a) => /^Move this DROP above/.test(a.title));
    assert.ok(move, `no move among ${acts.map((a) => a.title).join(', ')}`);
    for (const e of move!.edit.changes[uri]!) for (const p of [e.range.start, e.range.end]) assert.ok(p.line < lens.length && p.character <= lens[p.line]!, JSON.stringify(e.range));
    const after = TextDocument.applyEdits(TextDocument.create(uri, 'iptables', 1, text), move!.edit.changes[uri]!);
    assert.equal(after, '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 192.0.2.7/32 -j DROP\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  });
});
