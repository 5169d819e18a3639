/** Diagnostics over stdio: codes, documentation links, settings and inline suppression. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';
import { editOneLine, generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';

describe('protocol: diagnostics', function () {
  let c: LspClient;
  beforeEach(async () => {
    c = new LspClient();
    await c.initialize();
  });
  afterEach(async () => c.shutdown());

  it('reports what iptables-restore would refuse, each with a stable code and a docs link', async function () {
    const diags = await c.openAndDiagnose(fixtureUri('broken.rules'), 'iptables', fixture('broken.rules'));
    const byCode = (code: string) => diags.filter((d) => d.code === `iptables-lens/${code}`);
    assert.equal(byCode('invalid-argument').length, 2, 'port 99999 and state BOGUS');
    assert.equal(byCode('unknown-option').length, 1);
    assert.equal(byCode('protocol-required').length, 1);
    assert.equal(byCode('missing-commit').length, 1);
    assert.equal(byCode('undefined-chain').length, 2);
    const port = byCode('invalid-argument').find((d) => d.message.includes('99999'))!;
    assert.deepEqual(port.range, { start: { line: 3, character: 24 }, end: { line: 3, character: 29 } });
    for (const d of diags) {
      assert.equal(d.source, 'iptables-lens');
      assert.match(d.codeDescription!.href, /docs\/checks\.md#[a-z-]+$/);
    }
  });

  it('carries each finding\'s related lines and tags over: a redundant rule is faded and points at the rule that decides first', async function () {
    const text = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 22 -s 10.0.0.0/8 -j ACCEPT', 'COMMIT', ''].join('\n');
    const diags = await c.openAndDiagnose('file:///tmp/redundant.rules', 'iptables', text);
    const d = diags.find((x) => x.code === 'iptables-lens/redundant-rule');
    assert.ok(d, JSON.stringify(diags));
    assert.equal(d.range.start.line, 3);
    assert.deepEqual(d.tags, [1], 'DiagnosticTag.Unnecessary');
    assert.deepEqual(d.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]), [['file:///tmp/redundant.rules', 2]]);
  });

  it('gives no error on a valid story file', async function () {
    const diags = await c.openAndDiagnose(fixtureUri('story1.rules'), 'iptables', fixture('story1.rules'));
    assert.deepEqual(diags.filter((d) => d.severity === 1), []);
  });

  it('honours per-code settings and inline suppression comments', async function () {
    c.configuration = { diagnostics: { 'undefined-chain': 'off', 'iptables-lens/invalid-argument': 'warning' } };
    c.notify('workspace/didChangeConfiguration', { settings: {} });
    await new Promise((r) => setTimeout(r, 200));
    const text = fixture('broken.rules').replace('-A INPUT -p udp -m tcp', '# iptables-lens-disable-next-line protocol-required\n-A INPUT -p udp -m tcp');
    const diags = await c.openAndDiagnose('file:///tmp/suppressed.rules', 'iptables', text);
    assert.equal(diags.filter((d) => d.code === 'iptables-lens/undefined-chain').length, 0, 'turned off by setting');
    assert.equal(diags.filter((d) => d.code === 'iptables-lens/protocol-required').length, 0, 'silenced by comment');
    const inv = diags.filter((d) => d.code === 'iptables-lens/invalid-argument');
    assert.equal(inv.length, 2);
    assert.ok(inv.every((d) => d.severity === 2), 'severity lowered to warning');
  });

  it('a configuration change that changes no setting of ours re-publishes nothing; one that does re-publishes at once', async function () {
    const uri = 'file:///tmp/settings.rules';
    await c.openAndDiagnose(uri, 'iptables', fixture('broken.rules'));
    const mark = c.notifications.length;
    c.notify('workspace/didChangeConfiguration', { settings: {} });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(c.notifications.slice(mark).filter((n) => n.method === 'textDocument/publishDiagnostics').length, 0, 'same settings: nothing redone ' + JSON.stringify(c.notifications.slice(mark)).slice(0, 400));
    c.configuration = { diagnostics: { 'undefined-chain': 'off' } };
    c.notify('workspace/didChangeConfiguration', { settings: {} });
    const n = await c.waitFor((x) => c.notifications.indexOf(x) >= mark && x.method === 'textDocument/publishDiagnostics' && (x.params as { uri: string }).uri === uri);
    assert.ok(!(n.params as { diagnostics: { code: string }[] }).diagnostics.some((d) => d.code === 'iptables-lens/undefined-chain'));
  });

  it('re-checks after an edit and clears diagnostics on close', async function () {
    const uri = 'file:///tmp/edit.rules';
    await c.openAndDiagnose(uri, 'iptables', '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
    const mark = c.notifications.length;
    c.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 1, character: 12 }, end: { line: 1, character: 18 } }, text: 'NOPE' }] });
    const n = await c.waitFor((x) => c.notifications.indexOf(x) >= mark && x.method === 'textDocument/publishDiagnostics' && (x.params as { version?: number }).version === 2);
    const diags = (n.params as { diagnostics: { code: string }[] }).diagnostics;
    assert.deepEqual(diags.map((d) => d.code), ['iptables-lens/undefined-chain']);
    const mark2 = c.notifications.length;
    c.notify('textDocument/didClose', { textDocument: { uri } });
    const closed = await c.waitFor((x) => c.notifications.indexOf(x) >= mark2 && x.method === 'textDocument/publishDiagnostics');
    assert.deepEqual((closed.params as { diagnostics: unknown[] }).diagnostics, []);
  });

  it('after each edit of a big file, publishes what opening the edited text afresh publishes', async function () {
    this.timeout(120_000);
    // (the server reads each version with the previous one: unchanged lines, compiled rules and
    // per-chain results are reused; the result must not depend on it)
    const rng = new Rng(0xed17);
    for (const kind of ['firewall', 'docker'] as const) {
      const lines = generateRuleset({ kind, family: 'ipv4', rules: 1200, seed: 5 }).text.split('\n');
      const uri = `file:///tmp/edited-${kind}.rules`;
      await c.openAndDiagnose(uri, 'iptables', lines.join('\n'));
      for (let v = 2; v <= 7; v++) {
        const e = editOneLine(lines, rng);
        // every other edit swaps in a rule that covers others or is covered
        const text = v % 2 ? e.text : lines[e.line]!.replace(/ -j \S+.*$/, ' -j DROP');
        const published = await c.replaceLineAndDiagnose(uri, v, e.line, lines[e.line]!.length, text, 60_000);
        lines[e.line] = text;
        const freshUri = `file:///tmp/fresh-${kind}-${v}.rules`;
        const fresh = await c.openAndDiagnose(freshUri, 'iptables', lines.join('\n'));
        // (related information names the document it points into)
        assert.equal(JSON.stringify(published), JSON.stringify(fresh).split(freshUri).join(uri), `${kind}, version ${v}: line ${e.line + 1} -> ${text}`);
      }
    }
  });

  it('answers a hover sent while a big file it just opened is analysed, before publishing that file\'s diagnostics', async function () {
    this.timeout(120_000);
    // (20 000 Docker-like rules: half a second of analysis or more, done in slices of 15 ms with
    // the requests that came meanwhile answered between them)
    const text = generateRuleset({ kind: 'docker', family: 'ipv4', rules: 20_000, seed: 31 }).text;
    const uri = 'file:///tmp/opened-big.rules';
    const diagnosed = c.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri, 100_000);
    c.open(uri, 'iptables', text, 1);
    const line = text.split('\n').findIndex((l) => l.startsWith('-A FORWARD '));
    const hover = c.start<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 1 } }, 100_000);
    const answer = await hover.result;
    const published = await diagnosed;
    assert.match(answer?.contents.value ?? '', /append/i, 'the hover explains -A');
    const at = (what: string) => c.arrivals.indexOf(what);
    assert.ok(at(`#${hover.id}`) < at('textDocument/publishDiagnostics'), `arrivals: ${c.arrivals.join(' ')}`);
    assert.ok((published.params as { diagnostics: unknown[] }).diagnostics.length > 0);
  });

  it('an edit that comes while a big file is analysed: only the edited version\'s diagnostics are published, as opening its text afresh publishes them', async function () {
    this.timeout(120_000);
    const lines = generateRuleset({ kind: 'firewall', family: 'ipv4', rules: 20_000, seed: 32 }).text.split('\n');
    const uri = 'file:///tmp/edited-while-analysed.rules';
    const ofUri = (n: { method: string; params: unknown }) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri;
    const second = c.waitFor((n) => ofUri(n) && (n.params as { version?: number }).version === 2, 100_000);
    c.open(uri, 'iptables', lines.join('\n'), 1);
    // (a hover first: answered between slices of version 1's analysis, so the edit surely comes during it)
    await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }, 100_000);
    const e = editOneLine(lines, new Rng(33));
    c.replaceLine(uri, 2, e.line, lines[e.line]!.length, e.text);
    lines[e.line] = e.text;
    const published = (await second).params as { diagnostics: unknown[] };
    assert.deepEqual(
      c.notifications.filter(ofUri).map((n) => (n.params as { version?: number }).version),
      [2],
      'version 1 was still being analysed when version 2 came: its diagnostics are not published',
    );
    const freshUri = 'file:///tmp/edited-while-analysed-fresh.rules';
    const fresh = await c.openAndDiagnose(freshUri, 'iptables', lines.join('\n'));
    assert.equal(JSON.stringify(published.diagnostics), JSON.stringify(fresh).split(freshUri).join(uri));
  });

  it('after bursts of edits (lines added and removed, several changes in one message), publishes what opening the text afresh publishes', async function () {
    this.timeout(120_000);
    // (the server makes a version's lines from the last version it read and the edits sent since;
    // the result must be the text's)
    const rng = new Rng(0xb125);
    const lines = generateRuleset({ kind: 'firewall', family: 'ipv4', rules: 800, seed: 9 }).text.split('\n');
    const uri = 'file:///tmp/bursts.rules';
    await c.openAndDiagnose(uri, 'iptables', lines.join('\n'));
    let version = 1;
    type Change = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };
    const apply = (ch: Change) => {
      const { start, end } = ch.range;
      const head = lines[start.line]!.slice(0, start.character);
      const tail = lines[end.line]!.slice(end.character);
      lines.splice(start.line, end.line - start.line + 1, ...(head + ch.text + tail).split('\n'));
    };
    const rule = () => `-A INPUT -p tcp --dport ${rng.int(1, 65535)} -j ${rng.int(0, 1) ? 'ACCEPT' : 'DROP'}`;
    const someLine = () => rng.int(3, lines.length - 4);
    for (let burst = 0; burst < 5; burst++) {
      const mark = c.notifications.length;
      const messages = rng.int(2, 5);
      for (let m = 0; m < messages; m++) {
        const changes: Change[] = [];
        for (let k = rng.int(1, 3); k > 0; k--) {
          const at = someLine();
          const kind = rng.int(0, 3);
          const ch: Change =
            kind === 0
              ? { range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, text: `${rule()}\n` } // a line added
              : kind === 1
                ? { range: { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } }, text: '' } // a line removed
                : kind === 2
                  ? { range: { start: { line: at, character: 0 }, end: { line: at, character: lines[at]!.length } }, text: rule() }
                  : { range: { start: { line: at, character: lines[at]!.length }, end: { line: at + 1, character: 3 } }, text: ' -m comment --comment x\n-A ' };
          apply(ch);
          changes.push(ch);
        }
        c.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: changes });
      }
      const last = version;
      const n = await c.waitFor((x) => c.notifications.indexOf(x) >= mark && x.method === 'textDocument/publishDiagnostics' && (x.params as { uri: string; version?: number }).uri === uri && (x.params as { version?: number }).version === last, 60_000);
      const published = (n.params as { diagnostics: unknown[] }).diagnostics;
      const freshUri = `file:///tmp/bursts-fresh-${burst}.rules`;
      const fresh = await c.openAndDiagnose(freshUri, 'iptables', lines.join('\n'));
      assert.equal(JSON.stringify(published), JSON.stringify(fresh).split(freshUri).join(uri), `burst ${burst}, version ${last}`);
    }
  });
});
