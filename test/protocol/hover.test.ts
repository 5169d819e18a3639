/** Hover over stdio on the story files: options, values, modules, targets, chains, rules. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { LspClient, positionOf } from '../support/lsp-client';

type Hover = { contents: { kind: string; value: string }; range: { start: { line: number; character: number } } } | null;

describe('protocol: hover in rules files', function () {
  let c: LspClient;
  const uri = fixtureUri('story1.rules');
  const text = fixture('story1.rules');
  before(async () => {
    c = new LspClient();
    await c.initialize();
    await c.openAndDiagnose(uri, 'iptables', text);
  });
  after(async () => c.shutdown());
  const hoverAt = (needle: string, offset = 1, occurrence = 1) =>
    c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle, offset, occurrence) });

  it('explains --ctstate and its values', async function () {
    const h = await hoverAt('--ctstate', 3);
    assert.equal(h!.contents.kind, 'markdown');
    assert.match(h!.contents.value, /--ctstate/);
    assert.match(h!.contents.value, /INVALID/);
    const v = await hoverAt('RELATED,ESTABLISHED', 10);
    assert.match(v!.contents.value, /ESTABLISHED/);
    assert.match(v!.contents.value, /RELATED/);
  });

  it('explains a match module, a target and the LOG prefix limit', async function () {
    assert.match((await hoverAt('-m limit', 4))!.contents.value, /-m limit/);
    const log = (await hoverAt('-j LOG ', 4))!.contents.value;
    assert.match(log, /kernel log/);
    assert.match(log, /next rule/);
  });

  it('explains a user chain with its uses, and a rule in words', async function () {
    const chain = (await hoverAt(':LOGDROPIN', 2))!.contents.value;
    assert.match(chain, /user-defined chain/);
    assert.match(chain, /Reached from INPUT \(line 6\)/);
    const rule = (await hoverAt('-A INPUT -p tcp', 1))!.contents.value;
    assert.match(rule, /rule 2 of 3/);
    assert.match(rule, /TCP packets in conntrack state NEW, to port 80 \(http\) are accepted/);
  });

  it('decodes values: ports, rates, policies', async function () {
    assert.match((await hoverAt('--dport 80', 8))!.contents.value, /port 80 \(http\)/);
    assert.match((await hoverAt('30/min', 1))!.contents.value, /every 2 s/);
    assert.match((await hoverAt('DROP [0:0]', 1))!.contents.value, /discarded/);
  });

  it('answers null where there is nothing to say', async function () {
    const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 100, character: 0 } });
    assert.equal(h, null);
  });
});
