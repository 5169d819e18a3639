/** Document symbols (outline) over stdio. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';

type Sym = { name: string; kind: number; children?: Sym[] };

describe('protocol: document symbols', function () {
  it('lists tables, chains and rules in a hierarchy', async function () {
    const c = new LspClient();
    try {
      await c.initialize();
      const uri = fixtureUri('story1.rules');
      await c.openAndDiagnose(uri, 'iptables', fixture('story1.rules'));
      const syms = await c.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
      assert.equal(syms.length, 1);
      assert.equal(syms[0]!.name, '*filter');
      assert.deepEqual(syms[0]!.children!.map((s) => s.name), ['INPUT', 'LOGDROPIN']);
      assert.equal(syms[0]!.children![0]!.children!.length, 3);
      assert.equal(syms[0]!.children![1]!.children!.length, 2);
    } finally {
      await c.shutdown();
    }
  });

  it('falls back to a flat list for clients without hierarchy', async function () {
    const c = new LspClient();
    try {
      await c.initialize({});
      const uri = fixtureUri('story4.rules');
      await c.openAndDiagnose(uri, 'iptables', fixture('story4.rules'));
      const syms = await c.request<{ name: string; containerName?: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
      assert.ok(syms.some((s) => s.name === 'INPUT'));
      assert.ok(syms.some((s) => s.containerName === 'OUTPUT'));
    } finally {
      await c.shutdown();
    }
  });
});
