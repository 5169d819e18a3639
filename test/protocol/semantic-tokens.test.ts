/** Semantic tokens over stdio: user-chain jumps and targets are told apart. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';

describe('protocol: semantic tokens', function () {
  it('encodes tokens with the advertised legend', async function () {
    const c = new LspClient();
    try {
      const init = await c.initialize();
      const legend = ((init['capabilities'] as Record<string, unknown>)['semanticTokensProvider'] as { legend: { tokenTypes: string[] } }).legend;
      const uri = fixtureUri('story1.rules');
      const text = fixture('story1.rules');
      await c.openAndDiagnose(uri, 'iptables', text);
      const r = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
      assert.equal(r.data.length % 5, 0);
      // decode
      const toks: { line: number; start: number; len: number; type: string }[] = [];
      let line = 0;
      let start = 0;
      for (let i = 0; i < r.data.length; i += 5) {
        line += r.data[i]!;
        start = r.data[i]! === 0 ? start + r.data[i + 1]! : r.data[i + 1]!;
        toks.push({ line, start, len: r.data[i + 2]!, type: legend.tokenTypes[r.data[i + 3]!]! });
      }
      const lines = text.split('\n');
      const word = (t: (typeof toks)[number]) => lines[t.line]!.slice(t.start, t.start + t.len);
      const jump = toks.find((t) => t.line === 5 && word(t) === 'LOGDROPIN')!;
      const accept = toks.find((t) => t.line === 3 && word(t) === 'ACCEPT')!;
      assert.equal(jump.type, 'class', 'a jump to a user chain is a class');
      assert.equal(accept.type, 'function', 'a target is a function');
      assert.equal(toks.find((t) => word(t) === 'filter')!.type, 'namespace');
      const range = await c.request<{ data: number[] }>('textDocument/semanticTokens/range', { textDocument: { uri }, range: { start: { line: 5, character: 0 }, end: { line: 5, character: 20 } } });
      assert.ok(range.data.length > 0 && range.data.length < r.data.length);
    } finally {
      await c.shutdown();
    }
  });
});
