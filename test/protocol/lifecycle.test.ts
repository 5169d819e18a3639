/** The server binary: command line, initialize handshake, capabilities, clean shutdown. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { LspClient, SERVER_JS } from '../support/lsp-client';

describe('protocol: server lifecycle', function () {
  it('prints help and version, and refuses to start without a transport', function () {
    const help = spawnSync(process.execPath, [SERVER_JS, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--stdio/);
    const ver = spawnSync(process.execPath, [SERVER_JS, '--version'], { encoding: 'utf8' });
    assert.equal(ver.status, 0);
    assert.match(ver.stdout.trim(), /^\d+\.\d+\.\d+/);
    const none = spawnSync(process.execPath, [SERVER_JS], { encoding: 'utf8', timeout: 30000 });
    assert.equal(none.status, 2);
    assert.equal(none.stdout, '', 'nothing on stdout without a transport');
    assert.match(none.stderr, /choose a transport/);
  });

  it('answers initialize with every advertised feature and shuts down cleanly', async function () {
    const c = new LspClient();
    try {
      const r = await c.initialize();
      const caps = r['capabilities'] as Record<string, unknown>;
      for (const k of ['hoverProvider', 'completionProvider', 'documentSymbolProvider', 'definitionProvider', 'referencesProvider', 'renameProvider', 'foldingRangeProvider', 'semanticTokensProvider', 'codeActionProvider', 'textDocumentSync']) {
        assert.ok(caps[k], `capability ${k}`);
      }
      assert.deepEqual((r['serverInfo'] as { name: string }).name, 'iptables-lens');
    } finally {
      await c.shutdown();
    }
    assert.equal(c.exited, 0, 'exit after shutdown returns 0');
    assert.deepEqual(c.garbage, [], 'stdout carried only protocol messages');
  });
});
