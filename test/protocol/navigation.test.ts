/** Go to definition, references and rename of user chains over stdio. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { applyEdits, LspClient, positionOf } from '../support/lsp-client';

type Loc = { uri: string; range: { start: { line: number; character: number } } };

describe('protocol: chain navigation and rename', function () {
  let c: LspClient;
  const uri = fixtureUri('story1.rules');
  const text = fixture('story1.rules');
  before(async () => {
    c = new LspClient();
    await c.initialize();
    await c.openAndDiagnose(uri, 'iptables', text);
  });
  after(async () => c.shutdown());

  it('goes from a jump to the chain declaration', async function () {
    const defs = await c.request<Loc[]>('textDocument/definition', { textDocument: { uri }, position: positionOf(text, '-j LOGDROPIN', 5) });
    assert.equal(defs.length, 1);
    assert.deepEqual(defs[0]!.range.start, { line: 2, character: 1 });
  });

  it('finds every use of a chain', async function () {
    const refs = await c.request<Loc[]>('textDocument/references', { textDocument: { uri }, position: positionOf(text, ':LOGDROPIN', 3), context: { includeDeclaration: true } });
    assert.deepEqual(refs.map((r) => r.range.start.line).sort(), [2, 5, 6, 7]);
  });

  it('renames a user chain everywhere, and refuses built-in chains and bad names', async function () {
    const pos = positionOf(text, '-A LOGDROPIN', 4);
    const prep = await c.request<{ placeholder: string }>('textDocument/prepareRename', { textDocument: { uri }, position: pos });
    assert.equal(prep.placeholder, 'LOGDROPIN');
    const edit = await c.request<{ changes: Record<string, { range: Loc['range'] & { end: Loc['range']['start'] }; newText: string }[]> }>('textDocument/rename', { textDocument: { uri }, position: pos, newName: 'LOG_AND_DROP' });
    const renamed = applyEdits(text, edit.changes[uri]! as never);
    assert.equal(renamed, text.replaceAll('LOGDROPIN', 'LOG_AND_DROP'));
    await assert.rejects(c.request('textDocument/prepareRename', { textDocument: { uri }, position: positionOf(text, ':INPUT', 2) }), /built-in/);
    await assert.rejects(c.request('textDocument/rename', { textDocument: { uri }, position: pos, newName: 'ACCEPT' }), /target/);
  });
});
