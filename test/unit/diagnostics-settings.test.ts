/**
 * What diagnose (service/diagnostics.ts) does with the user's severity settings and the inline
 * suppression comments, each on its own and with neither: a finding silenced by a comment for the
 * next line or the file, a severity changed or turned off by its code, and every finding, of
 * whatever kind, given as a diagnostic with its full code and documentation link.
 */
import { strict as assert } from 'node:assert';
import { diagnose, type DiagnosticSettings } from '../../server/src/service/diagnostics';
import { createRulesDocument } from '../../server/src/service/document';

/** Line 2 lacks -p for its --dport (protocol-required, a finding of the parser's); line 3 jumps to a chain that does not exist. */
const BODY = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -m tcp --dport 22 -j ACCEPT', '-A INPUT -j NOWHERE', 'COMMIT'];

function diagnosed(lines: readonly string[], settings?: DiagnosticSettings) {
  const doc = createRulesDocument('file:///settings.rules', 1, lines.join('\n'), 'auto');
  return diagnose(doc.ruleset, doc.lines, settings);
}

function codes(ds: ReturnType<typeof diagnosed>): string[] {
  return ds.map((d) => d.code);
}

describe('diagnostics: settings and suppressions', () => {
  it('gives every finding, with its full code and link, when nothing is set or suppressed', () => {
    const ds = diagnosed(BODY);
    assert.ok(codes(ds).includes('protocol-required'), codes(ds).join(', '));
    assert.ok(codes(ds).includes('undefined-chain'), codes(ds).join(', '));
    for (const d of ds) {
      assert.equal(d.fullCode, `iptables-lens/${d.code}`);
      assert.match(d.docs, /^https?:\/\/\S+/);
      assert.ok(['error', 'warning', 'information', 'hint'].includes(d.severity), d.severity);
    }
    // an empty settings object is no setting
    assert.deepEqual(diagnosed(BODY, { severities: {} }), ds);
  });

  it('silences the next line for the codes a comment names, without any setting', () => {
    const lines = [...BODY];
    lines.splice(2, 0, '# iptables-lens-disable-next-line protocol-required');
    const ds = diagnosed(lines);
    assert.ok(!codes(ds).includes('protocol-required'), codes(ds).join(', '));
    assert.ok(codes(ds).includes('undefined-chain'), 'another code on another line stays');
  });

  it('silences a code in the whole file', () => {
    const ds = diagnosed(['# iptables-lens-disable-file iptables-lens/undefined-chain', ...BODY]);
    assert.ok(!codes(ds).includes('undefined-chain'), codes(ds).join(', '));
    assert.ok(codes(ds).includes('protocol-required'));
  });

  it('changes a severity or turns a code off by setting alone', () => {
    const plain = diagnosed(BODY);
    const was = plain.find((d) => d.code === 'undefined-chain')!.severity;
    const to = was === 'hint' ? 'warning' : 'hint';
    const ds = diagnosed(BODY, { severities: { 'undefined-chain': to, 'protocol-required': 'off' } });
    assert.equal(ds.find((d) => d.code === 'undefined-chain')!.severity, to);
    assert.ok(!codes(ds).includes('protocol-required'), codes(ds).join(', '));
    assert.equal(ds.length, plain.length - plain.filter((d) => d.code === 'protocol-required').length);
    // 'default' leaves the checks' own
    assert.deepEqual(
      diagnosed(BODY, { severities: { 'undefined-chain': 'default' } }).map((d) => [d.code, d.severity]),
      plain.map((d) => [d.code, d.severity]),
    );
  });
});
