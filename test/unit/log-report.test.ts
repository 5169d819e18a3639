/** The log summary report: sparklines over real time, tables, and the rule that wrote each prefix. */
import { strict as assert } from 'node:assert';
import { summarizeText } from '../../server/src/analysis/log-summary';
import { parseLogLine } from '../../server/src/parser/log/index';
import { createRulesDocument } from '../../server/src/service/document';
import { logReportMarkdown, minuteSeries, sparkline } from '../../server/src/service/log-report';
import { fixture } from '../support/fixtures';

describe('log report', function () {
  it('draws silent minutes as gaps', function () {
    const series = minuteSeries([
      { minute: 10, count: 4 },
      { minute: 12, count: 1 },
    ]);
    assert.deepEqual(series, [4, 0, 1]);
    assert.equal(sparkline(series), '█ ▂');
  });

  it('names the rule that wrote each prefix and counts teardown noise', function () {
    const text = fixture('story1.log');
    const summary = summarizeText(text);
    const rules = createRulesDocument('file:///r/story1.rules', 1, fixture('story1.rules'));
    const first = summary.byPrefix[0]!;
    const ex = parseLogLine(text.split('\n')[first.firstLine]!, first.firstLine);
    assert.equal(ex.kind, 'packet');
    const md = logReportMarkdown([{ name: 'story1.log', summary, examples: new Map([[first.prefix, ex as never]]), sources: [{ uri: rules.uri, name: 'story1.rules', ruleset: rules.ruleset }] }]);
    assert.match(md, /\| `Firewall: \*TCP_IN Blocked\*` \| 3 \| 3 \| 3 \| story1\.rules:7 \|/);
    assert.match(md, /Harmless teardown noise:\*\* 3 of 3 TCP lines \(100\.0%\)/);
  });
});
