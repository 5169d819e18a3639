/**
 * Hover in firewall logs over stdio, in a workspace with the story files: every story-1 line names
 * the LOGDROPIN rule that wrote it and why ESTABLISHED and NEW did not take it; MAC, conntrack
 * listings, kernel messages and sysctls are explained.
 */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { LspClient, positionOf } from '../support/lsp-client';

type Hover = { contents: { value: string } } | null;

describe('protocol: hover in firewall logs', function () {
  let c: LspClient;
  const logUri = fixtureUri('story1.log');
  const log = fixture('story1.log');
  before(async () => {
    c = new LspClient();
    await c.initialize();
    await c.openAndDiagnose(fixtureUri('story1.rules'), 'iptables', fixture('story1.rules'));
    await c.openAndDiagnose(logUri, 'netfilter-log', log);
  });
  after(async () => c.shutdown());
  const hoverAt = (uri: string, line: number, character: number) => c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line, character } });

  for (const [i, flags] of [[0, 'ACK FIN'], [1, 'ACK RST'], [2, 'RST']] as const) {
    it(`story 1 line ${i + 1} (${flags}): names the LOG rule and why the accepts did not take it`, async function () {
      const h = (await hoverAt(logUri, i, 60))!.contents.value;
      assert.match(h, /Logged by\*\* story1\.rules line 7 \(LOGDROPIN\)/);
      assert.match(h, /line 4 \(INPUT #1 -j ACCEPT\): did not match: not conntrack state RELATED or ESTABLISHED/);
      assert.match(h, /line 5 \(INPUT #2 -j ACCEPT\): did not match: not conntrack state NEW/);
      assert.match(h, /line 6 \(INPUT #3 -j LOGDROPIN\): matched/);
      assert.match(h, /\*\*INVALID\*\*/);
      assert.match(h, /no entry\*\*/);
      assert.match(h, /late teardown noise/);
    });
  }

  it('explains a flag and a port', async function () {
    const ack = positionOf(log, ' ACK FIN', 1);
    assert.match((await hoverAt(logUri, ack.line, ack.character + 1))!.contents.value, /ACK FIN[\s\S]*INVALID/);
    const dpt = positionOf(log, 'DPT=80', 1);
    assert.match((await hoverAt(logUri, dpt.line, dpt.character))!.contents.value, /http/);
  });

  it('splits MAC into destination, source and EtherType', async function () {
    const text = fixture('story2.log');
    const uri = fixtureUri('story2.log');
    await c.openAndDiagnose(uri, 'netfilter-log', text);
    const h = (await hoverAt(uri, 0, text.indexOf('MAC=') + 5))!.contents.value;
    assert.match(h, /destination: `f2:3c:91:26:1e:1f`/);
    assert.match(h, /source: `84:78:ac:0d:8f:41`/);
    assert.match(h, /EtherType: `0800` = IPv4/);
  });

  it('explains a conntrack listing: ASSURED and the seconds left', async function () {
    const text = 'tcp      6 431999 ESTABLISHED src=192.168.1.5 dst=192.168.1.35 sport=1031 dport=23 src=192.168.1.35 dst=192.168.1.5 sport=23 dport=1031 [ASSURED] use=1\n';
    const uri = 'file:///tmp/conntrack.log';
    await c.openAndDiagnose(uri, 'netfilter-log', text);
    assert.match((await hoverAt(uri, 0, text.indexOf('[ASSURED]') + 2))!.contents.value, /will not evict this entry/);
    const t = (await hoverAt(uri, 0, text.indexOf('431999') + 2))!.contents.value;
    assert.match(t, /seconds left/);
    assert.match(t, /5 days/);
    assert.match(t, /nf_conntrack_tcp_timeout_established/);
  });

  it('explains the table-full message and conntrack sysctls', async function () {
    const text = 'Jan 28 03:12:44 web1 kernel: [2231001.000001] nf_conntrack: table full, dropping packet\nnet.netfilter.nf_conntrack_max = 65536\n';
    const uri = 'file:///tmp/kernel.log';
    await c.openAndDiagnose(uri, 'netfilter-log', text);
    const full = (await hoverAt(uri, 0, 60))!.contents.value;
    assert.match(full, /nf_conntrack_max/);
    const max = (await hoverAt(uri, 1, 10))!.contents.value;
    assert.match(max, /Default/);
    assert.match(max, /here: 65536/);
  });

  it('goes from a log prefix to the LOG rule, and links it', async function () {
    const defs = await c.request<{ uri: string; range: { start: { line: number } } }[]>('textDocument/definition', { textDocument: { uri: logUri }, position: { line: 0, character: 50 } });
    assert.equal(defs.length, 1);
    assert.equal(defs[0]!.uri, fixtureUri('story1.rules'));
    assert.equal(defs[0]!.range.start.line, 6);
    const links = await c.request<{ target: string }[]>('textDocument/documentLink', { textDocument: { uri: logUri } });
    assert.equal(links.length, 3);
    assert.ok(links[0]!.target.endsWith('story1.rules#L7'));
  });

  it('lists the prefixes with counts in the outline, and summarises the log', async function () {
    const syms = await c.request<{ name: string; detail: string }[]>('textDocument/documentSymbol', { textDocument: { uri: logUri } });
    assert.equal(syms[0]!.name, 'Firewall: *TCP_IN Blocked*');
    assert.match(syms[0]!.detail, /^3 lines/);
    const r = await c.request<{ markdown: string }>('workspace/executeCommand', { command: 'iptablesLens.logSummary', arguments: [{ uri: logUri }] });
    assert.match(r.markdown, /Harmless teardown noise:\*\* 3 of 3/);
    assert.match(r.markdown, /story1\.rules:7/);
  });
});
