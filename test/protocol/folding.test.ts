/** Folding ranges over stdio. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { withServer } from '../support/lsp-client';

describe('protocol: folding', function () {
  it('folds the table block and runs of a chain\'s rules', async function () {
    await withServer(async (c) => {
      const uri = fixtureUri('story2.rules');
      await c.openAndDiagnose(uri, 'iptables', fixture('story2.rules'));
      const folds = await c.request<{ startLine: number; endLine: number; kind?: string }[]>('textDocument/foldingRange', { textDocument: { uri } });
      assert.ok(folds.some((f) => f.startLine === 0 && f.endLine === 15 && f.kind === 'region'), JSON.stringify(folds));
      assert.ok(folds.some((f) => f.startLine === 4 && f.endLine === 14));
    });
  });
});
