/** Quick fixes over stdio for syntax-level findings: each edits only what it names. */
import { strict as assert } from 'node:assert';
import { applyEdits, type Diagnostic, LspClient } from '../support/lsp-client';

type Action = { title: string; kind: string; edit: { changes: Record<string, { range: Diagnostic['range']; newText: string }[]> }; isPreferred?: boolean };

async function fixAll(c: LspClient, uri: string, text: string, code: string): Promise<string> {
  const diags = await c.openAndDiagnose(uri, 'iptables', text);
  const d = diags.find((x) => x.code === `iptables-lens/${code}`);
  assert.ok(d, `a ${code} diagnostic`);
  const actions = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d!.range, context: { diagnostics: [d] } });
  const a = actions.find((x) => x.isPreferred);
  assert.ok(a, `a preferred fix among ${actions.map((x) => x.title).join(', ')}`);
  return applyEdits(text, a!.edit.changes[uri]!);
}

describe('protocol: quick fixes for syntax findings', function () {
  let c: LspClient;
  beforeEach(async () => {
    c = new LspClient();
    await c.initialize();
  });
  afterEach(async () => c.shutdown());

  it('adds a missing COMMIT', async function () {
    const out = await fixAll(c, 'file:///tmp/a.rules', '*filter\n-A INPUT -j ACCEPT\n', 'missing-commit');
    assert.equal(out, '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
  });

  it('converts CRLF line endings without touching content', async function () {
    const text = '*filter\r\n-A INPUT -j ACCEPT\r\nCOMMIT\r\n';
    const out = await fixAll(c, 'file:///tmp/b.rules', text, 'carriage-return');
    assert.equal(out, '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
  });

  it('loads the missing module for an option', async function () {
    const out = await fixAll(c, 'file:///tmp/c.rules', '*filter\n-A INPUT --ctstate NEW -j ACCEPT\nCOMMIT\n', 'unknown-option');
    assert.equal(out, '*filter\n-A INPUT -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n');
  });

  it('upper-cases a lower-case target', async function () {
    const out = await fixAll(c, 'file:///tmp/d.rules', '*filter\n-A INPUT -j drop\nCOMMIT\n', 'undefined-chain');
    assert.equal(out, '*filter\n-A INPUT -j DROP\nCOMMIT\n');
  });

  it('offers to silence a warning on its line', async function () {
    const text = '*filter\n-A INPUT -m comment --comment "x -j ACCEPT\nCOMMIT\n';
    const diags = await c.openAndDiagnose('file:///tmp/e.rules', 'iptables', text);
    const d = diags.find((x) => x.code === 'iptables-lens/unterminated-quote')!;
    const actions = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri: 'file:///tmp/e.rules' }, range: d.range, context: { diagnostics: [d] } });
    const silence = actions.find((a) => a.title.startsWith('Silence'))!;
    assert.equal(applyEdits(text, silence.edit.changes['file:///tmp/e.rules']!), '*filter\n# iptables-lens-disable-next-line unterminated-quote\n-A INPUT -m comment --comment "x -j ACCEPT\nCOMMIT\n');
  });
});
