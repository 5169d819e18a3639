/** Completion over stdio, in context. */
import { strict as assert } from 'node:assert';
import { LspClient } from '../support/lsp-client';

type Item = { label: string; kind: number; textEdit?: { newText: string; range: unknown } };

describe('protocol: completion in rules files', function () {
  let c: LspClient;
  let version = 1;
  const uri = 'file:///tmp/completion.rules';
  before(async () => {
    c = new LspClient();
    await c.initialize();
    c.open(uri, 'iptables', '');
  });
  after(async () => c.shutdown());

  const complete = async (text: string, line?: number, character?: number): Promise<string[]> => {
    version++;
    c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    const lines = text.split('\n');
    const l = line ?? lines.length - 1;
    const ch = character ?? lines[l]!.length;
    const r = await c.request<Item[] | { items: Item[] }>('textDocument/completion', { textDocument: { uri }, position: { line: l, character: ch } });
    return (Array.isArray(r) ? r : r.items).map((i) => i.label);
  };
  const head = '*filter\n:INPUT DROP [0:0]\n:LOGDROPIN - [0:0]\n';

  it('offers match modules after -m', async function () {
    const labels = await complete(`${head}-A INPUT -m `);
    assert.ok(labels.includes('conntrack'));
    assert.ok(labels.includes('multiport'));
  });

  it('offers the options of loaded modules, and values of the option being written', async function () {
    const opts = await complete(`${head}-A INPUT -m conntrack `);
    assert.ok(opts.includes('--ctstate'));
    assert.ok(opts.includes('-j'));
    const states = await complete(`${head}-A INPUT -m conntrack --ctstate `);
    assert.deepEqual(states.slice(0, 5).sort(), ['ESTABLISHED', 'INVALID', 'NEW', 'RELATED', 'UNTRACKED']);
    const more = await complete(`${head}-A INPUT -m conntrack --ctstate RELATED,`);
    assert.ok(!more.includes('RELATED'), 'already chosen states are not offered again');
    assert.ok(more.includes('ESTABLISHED'));
  });

  it('offers the protocol match options after -p tcp', async function () {
    const opts = await complete(`${head}-A INPUT -p tcp --`);
    assert.ok(opts.includes('--dport'));
    assert.ok(opts.includes('--syn'));
  });

  it('offers targets valid here and user chains after -j', async function () {
    const t = await complete(`${head}-A INPUT -j `);
    assert.ok(t.includes('ACCEPT') && t.includes('LOG') && t.includes('REJECT') && t.includes('LOGDROPIN'));
    assert.ok(!t.includes('MASQUERADE'), 'nat-only targets are not offered in filter');
    const chains = await complete(`${head}-A `);
    assert.ok(chains.includes('INPUT') && chains.includes('LOGDROPIN') && chains.includes('FORWARD'));
  });

  it('offers table headers and commands at the start of a line', async function () {
    assert.ok((await complete('')).includes('*filter'));
    const inBlock = await complete(`${head}`);
    assert.ok(inBlock.includes('-A') && inBlock.includes('COMMIT'));
  });
});
