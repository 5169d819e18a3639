/** Quick fixes over stdio for syntax-level findings: each edits only what it names. */
import { strict as assert } from 'node:assert';
import { applyEdits, type Diagnostic, LspClient } from '../support/lsp-client';
import { generateRuleset } from '../../bench/gen/rulesets';

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

  it('while a big file just opened is analysed, a light-bulb request gets no action at once, and one the user invokes waits for the fixes', async function () {
    this.timeout(120_000);
    const text = generateRuleset({ kind: 'firewall', family: 'ipv4', rules: 20_000, seed: 41 }).text;
    const ask = (uri: string, d: Diagnostic, triggerKind: 1 | 2) =>
      c.start<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [], triggerKind } }, 100_000);
    const titles = (as: Action[]) => as.map((a) => a.title).sort();
    // the fixes at a finding, asked once the file's diagnostics are out
    const diags = await c.openAndDiagnose('file:///tmp/bulb-0.rules', 'iptables', text);
    const d = diags.find((x) => x.severity !== 1)!;
    const expected = titles(await ask('file:///tmp/bulb-0.rules', d, 1).result);
    assert.ok(expected.length > 0, `actions at ${d.code}`);
    // automatic (triggerKind 2), sent with the open: nothing, before the diagnostics
    const published = (uri: string) => c.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri, 100_000);
    const bulb = published('file:///tmp/bulb-1.rules');
    c.open('file:///tmp/bulb-1.rules', 'iptables', text, 1);
    const automatic = ask('file:///tmp/bulb-1.rules', d, 2);
    assert.deepEqual(await automatic.result, []);
    await bulb;
    assert.ok(c.arrivals.indexOf(`#${automatic.id}`) < c.arrivals.lastIndexOf('textDocument/publishDiagnostics'), c.arrivals.join(' '));
    // invoked (triggerKind 1), sent with the open: the same fixes as once the diagnostics are out
    const invokedOpen = published('file:///tmp/bulb-2.rules');
    c.open('file:///tmp/bulb-2.rules', 'iptables', text, 1);
    assert.deepEqual(titles(await ask('file:///tmp/bulb-2.rules', d, 1).result), expected);
    await invokedOpen;
    // and automatic, once they are out: the fixes
    assert.deepEqual(titles(await ask('file:///tmp/bulb-1.rules', d, 2).result), expected);
  });

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
