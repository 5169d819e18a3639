/** Semantic tokens over stdio: user-chain jumps and targets are told apart. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { withServer } from '../support/lsp-client';
import { SemanticTokensBuilder } from 'vscode-languageserver/node';
import { editOneLine, generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { createRulesDocument } from '../../server/src/service/document';
import { semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from '../../server/src/service/semantic-tokens';

/** The tokens of a text (or of some of its lines) as the library's builder encodes them (the reference for the server's own encoder). */
function reference(text: string, from?: number, to?: number): number[] {
  const b = new SemanticTokensBuilder();
  for (const t of semanticTokens(createRulesDocument('file:///tmp/reference.rules', 1, text).ruleset, from, to)) {
    let mods = 0;
    for (const m of t.modifiers) mods |= 1 << TOKEN_MODIFIERS.indexOf(m);
    b.push(t.line, t.start, t.length, TOKEN_TYPES.indexOf(t.type), mods);
  }
  return b.build().data;
}

describe('protocol: semantic tokens', function () {
  it('encodes tokens with the advertised legend', async function () {
    await withServer(async (c, init) => {
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
    });
  });

  it('after edits, the whole file\'s tokens (unchanged lines kept from the last version) are those of the edited text read afresh', async function () {
    this.timeout(60_000);
    await withServer(async (c) => {
      const rng = new Rng(0x7e4);
      for (const kind of ['kube', 'firewall'] as const) {
        const lines = generateRuleset({ kind, family: 'ipv4', rules: 1500, seed: 9 }).text.split('\n');
        const uri = `file:///tmp/tokens-${kind}.rules`;
        await c.openAndDiagnose(uri, 'iptables', lines.join('\n'));
        const first = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
        assert.deepEqual(first.data, reference(lines.join('\n')), `${kind}: as the library encodes them`);
        for (let v = 2; v <= 5; v++) {
          const e = editOneLine(lines, rng);
          // every other edit makes the line a chain declaration's neighbour kind: a jump to a user chain
          const text = v % 2 ? e.text : `${lines[e.line]!.replace(/ -j .*$/, '')} -j ${lines.find((l) => l.startsWith(':') && !/ (ACCEPT|DROP) /.test(l))?.slice(1).split(' ')[0] ?? 'ACCEPT'}`;
          await c.replaceLineAndDiagnose(uri, v, e.line, lines[e.line]!.length, text);
          lines[e.line] = text;
          const now = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
          assert.deepEqual(now.data, reference(lines.join('\n')), `${kind}, version ${v}: line ${e.line + 1} -> ${text}`);
          // the visible lines around the edit, as an editor asks them while scrolling
          const from = Math.max(0, e.line - 30);
          const range = await c.request<{ data: number[] }>('textDocument/semanticTokens/range', { textDocument: { uri }, range: { start: { line: from, character: 0 }, end: { line: e.line + 30, character: 0 } } });
          assert.deepEqual(range.data, reference(lines.join('\n'), from, e.line + 30), `${kind}, version ${v}: lines ${from + 1}-${e.line + 31}`);
        }
      }
    });
  });

  it('answers a delta request with the edit from the last result, which gives the edited text\'s tokens', async function () {
    this.timeout(60_000);
    await withServer(async (c, init) => {
      const provider = (init['capabilities'] as Record<string, unknown>)['semanticTokensProvider'] as { full: { delta?: boolean } };
      assert.equal(provider.full.delta, true);
      const lines = generateRuleset({ kind: 'docker', family: 'ipv4', rules: 1200, seed: 4 }).text.split('\n');
      const uri = 'file:///tmp/tokens-delta.rules';
      await c.openAndDiagnose(uri, 'iptables', lines.join('\n'));
      const first = await c.request<{ resultId: string; data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
      let held = first.data;
      let id = first.resultId;
      const rng = new Rng(0xde17a);
      for (let v = 2; v <= 6; v++) {
        const e = editOneLine(lines, rng);
        await c.replaceLineAndDiagnose(uri, v, e.line, lines[e.line]!.length, e.text);
        lines[e.line] = e.text;
        const d = await c.request<{ resultId: string; edits?: { start: number; deleteCount: number; data?: number[] }[]; data?: number[] }>('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: id });
        assert.ok(d.edits, `version ${v}: an edit, not the whole array`);
        assert.ok(d.edits.reduce((n, x) => n + (x.data?.length ?? 0), 0) < 200, 'a one-line edit changes a few numbers');
        held = [...held];
        for (const x of [...d.edits].sort((a, b) => b.start - a.start)) held.splice(x.start, x.deleteCount, ...(x.data ?? []));
        assert.deepEqual(held, reference(lines.join('\n')), `version ${v}`);
        id = d.resultId;
      }
      // a result the server does not hold: the whole array
      const stale = await c.request<{ data?: number[] }>('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: 'gone' });
      assert.deepEqual(stale.data, reference(lines.join('\n')));
    });
  });
});
