/** Diagnostics over stdio: codes, documentation links, settings and inline suppression. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';

describe('protocol: diagnostics', function () {
  let c: LspClient;
  beforeEach(async () => {
    c = new LspClient();
    await c.initialize();
  });
  afterEach(async () => c.shutdown());

  it('reports what iptables-restore would refuse, each with a stable code and a docs link', async function () {
    const diags = await c.openAndDiagnose(fixtureUri('broken.rules'), 'iptables', fixture('broken.rules'));
    const byCode = (code: string) => diags.filter((d) => d.code === `iptables-lens/${code}`);
    assert.equal(byCode('invalid-argument').length, 2, 'port 99999 and state BOGUS');
    assert.equal(byCode('unknown-option').length, 1);
    assert.equal(byCode('protocol-required').length, 1);
    assert.equal(byCode('missing-commit').length, 1);
    assert.equal(byCode('undefined-chain').length, 2);
    const port = byCode('invalid-argument').find((d) => d.message.includes('99999'))!;
    assert.deepEqual(port.range, { start: { line: 3, character: 24 }, end: { line: 3, character: 29 } });
    for (const d of diags) {
      assert.equal(d.source, 'iptables-lens');
      assert.match(d.codeDescription!.href, /docs\/checks\.md#[a-z-]+$/);
    }
  });

  it('gives no error on a valid story file', async function () {
    const diags = await c.openAndDiagnose(fixtureUri('story1.rules'), 'iptables', fixture('story1.rules'));
    assert.deepEqual(diags.filter((d) => d.severity === 1), []);
  });

  it('honours per-code settings and inline suppression comments', async function () {
    c.configuration = { diagnostics: { 'undefined-chain': 'off', 'iptables-lens/invalid-argument': 'warning' } };
    c.notify('workspace/didChangeConfiguration', { settings: {} });
    await new Promise((r) => setTimeout(r, 200));
    const text = fixture('broken.rules').replace('-A INPUT -p udp -m tcp', '# iptables-lens-disable-next-line protocol-required\n-A INPUT -p udp -m tcp');
    const diags = await c.openAndDiagnose('file:///tmp/suppressed.rules', 'iptables', text);
    assert.equal(diags.filter((d) => d.code === 'iptables-lens/undefined-chain').length, 0, 'turned off by setting');
    assert.equal(diags.filter((d) => d.code === 'iptables-lens/protocol-required').length, 0, 'silenced by comment');
    const inv = diags.filter((d) => d.code === 'iptables-lens/invalid-argument');
    assert.equal(inv.length, 2);
    assert.ok(inv.every((d) => d.severity === 2), 'severity lowered to warning');
  });

  it('re-checks after an edit and clears diagnostics on close', async function () {
    const uri = 'file:///tmp/edit.rules';
    await c.openAndDiagnose(uri, 'iptables', '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
    const mark = c.notifications.length;
    c.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 1, character: 12 }, end: { line: 1, character: 18 } }, text: 'NOPE' }] });
    const n = await c.waitFor((x) => c.notifications.indexOf(x) >= mark && x.method === 'textDocument/publishDiagnostics' && (x.params as { version?: number }).version === 2);
    const diags = (n.params as { diagnostics: { code: string }[] }).diagnostics;
    assert.deepEqual(diags.map((d) => d.code), ['iptables-lens/undefined-chain']);
    const mark2 = c.notifications.length;
    c.notify('textDocument/didClose', { textDocument: { uri } });
    const closed = await c.waitFor((x) => c.notifications.indexOf(x) >= mark2 && x.method === 'textDocument/publishDiagnostics');
    assert.deepEqual((closed.params as { diagnostics: unknown[] }).diagnostics, []);
  });
});
