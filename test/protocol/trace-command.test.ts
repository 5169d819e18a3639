/** workspace/executeCommand iptablesLens.trace and the code lenses, over stdio. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';

describe('protocol: trace command and code lenses', function () {
  let c: LspClient;
  const uri = fixtureUri('story1.rules');
  before(async () => {
    c = new LspClient();
    const init = await c.initialize();
    assert.deepEqual(((init['capabilities'] as Record<string, unknown>)['executeCommandProvider'] as { commands: string[] }).commands, ['iptablesLens.trace', 'iptablesLens.logSummary']);
    await c.openAndDiagnose(uri, 'iptables', fixture('story1.rules'));
  });
  after(async () => c.shutdown());

  it('traces a packet and returns the report and the rule lines on its path', async function () {
    const r = await c.request<{ markdown: string; lines: number[] }>('workspace/executeCommand', {
      command: 'iptablesLens.trace',
      arguments: [{ uri, packet: 'tcp 199.30.24.209:36879 -> 11.22.33.44:80 flags ACK,FIN in venet0', state: 'auto' }],
    });
    assert.match(r.markdown, /Verdict: DROP/);
    assert.match(r.markdown, /INVALID/);
    assert.deepEqual(r.lines, [5, 6, 7]);
  });

  it('answers a packet it cannot read with the part at fault', async function () {
    const r = await c.request<{ error: string; start: number; end: number }>('workspace/executeCommand', { command: 'iptablesLens.trace', arguments: [{ uri, packet: 'tcp 1.2.3.4:1 -> 5.6.7.8:70000' }] });
    assert.match(r.error, /70000/);
    await assert.rejects(c.request('workspace/executeCommand', { command: 'iptablesLens.nope', arguments: [] }), /unknown command/);
  });

  it('shows which states reach the LOG and DROP rules', async function () {
    const lenses = await c.request<{ range: { start: { line: number } }; command: { title: string } }[]>('textDocument/codeLens', { textDocument: { uri } });
    const log = lenses.find((l) => l.range.start.line === 6)!;
    assert.match(log.command.title, /reached by: NEW, INVALID, UNTRACKED · tcp/);
  });
});
