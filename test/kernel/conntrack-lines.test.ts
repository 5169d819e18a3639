/**
 * Real conntrack listings and sysctls, produced by the running kernel and conntrack-tools in a
 * throwaway namespace pair, must parse completely: `conntrack -L` (plain, `-o extended`,
 * `-o id`), /proc/net/nf_conntrack, `conntrack -E` events, and `sysctl -a` conntrack lines.
 * Needs root and network namespaces (skips with the reason otherwise, fails under CI). Only the
 * addresses of our own veth pair are used.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { findSysctl } from '../../server/src/knowledge/sysctls';
import type { ConntrackLine, LogLine, SysctlLine } from '../../server/src/model/log';
import { parseLogLine } from '../../server/src/parser/log';
import { nsExec, restore, useNamespacePair } from '../support/netns';
import { openTcpConnection, sendIcmp, sendUdp, type TcpConnection } from '../support/packets';

function parseAll(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => parseLogLine(l, i));
}

function assertConntrack(lines: LogLine[], what: string): ConntrackLine[] {
  assert.ok(lines.length > 0, `${what}: no lines`);
  for (const l of lines) {
    assert.equal(l.kind, 'conntrack', `${what}: line ${l.line}`);
    assert.deepEqual(
      (l as ConntrackLine).notes.filter((n) => n.severity !== 'info'),
      [],
      what,
    );
  }
  return lines as ConntrackLine[];
}

describe('kernel: conntrack listings and sysctls parse completely', function () {
  this.timeout(60000);
  let conn: TcpConnection | undefined;
  let events = '';
  // registered before the pair's own after hook, so the connection ends before its namespaces go
  after(async function () {
    await conn?.dispose();
  });
  const ctx = useNamespacePair({ tag: 'ctl' });

  before(async function () {
    const { a, b } = ctx.pair;
    const rules = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT\nCOMMIT\n';
    for (const family of ['ipv4', 'ipv6'] as const) assert.ok(restore(b.ns, rules, { family }).ok);
    nsExec(b.ns, ['sysctl', '-qw', 'net.netfilter.nf_conntrack_acct=1']);
    // conntrack -E in B while traffic flows
    const ev = spawn('ip', ['netns', 'exec', b.ns, 'timeout', '4', 'conntrack', '-E'], { stdio: ['ignore', 'pipe', 'ignore'] });
    ev.stdout.on('data', (d: Buffer) => (events += d.toString()));
    const evDone = new Promise((r) => ev.on('exit', r));
    await new Promise((r) => setTimeout(r, 500));
    conn = await openTcpConnection(a, b);
    sendUdp(a, { dst: b.ip4, sport: 42000, dport: 42001 });
    sendUdp(a, { dst: b.ip6, sport: 42000, dport: 42001 });
    sendIcmp(a, { dst: b.ip4 });
    sendIcmp(a, { dst: b.ip6 });
    await evDone;
  });

  it('conntrack -L, -o extended, -o id', function () {
    const b = ctx.pair.b;
    for (const args of [['-L'], ['-L', '-o', 'extended'], ['-L', '-o', 'id'], ['-L', '-f', 'ipv6']]) {
      const r = nsExec(b.ns, ['conntrack', ...args]);
      const lines = assertConntrack(parseAll(r.stdout), `conntrack ${args.join(' ')}`);
      const summary = parseAll(r.stderr).filter((l) => l.kind !== 'other' || !l.blank);
      for (const s of summary) assert.equal(s.kind === 'other' && s.what, 'conntrack summary', r.stderr);
      const tcp = lines.find((l) => l.l4.text === 'tcp' && l.original?.dport === conn!.serverPort);
      if (args.includes('ipv6')) continue;
      assert.ok(tcp, `the TCP connection in: ${r.stdout}`);
      assert.deepEqual([tcp.state?.text, tcp.assured, tcp.original?.src, tcp.reply?.src], ['ESTABLISHED', true, conn!.clientAddr, conn!.serverAddr]);
      assert.ok((tcp.timeout?.value ?? 0) > 400000);
      assert.ok((tcp.original?.packets ?? 0) >= 1, 'accounting counters');
      if (args.includes('extended')) assert.deepEqual([tcp.l3?.text, tcp.l3Number?.value], ['ipv4', 2]);
      if (args.includes('id')) assert.ok((tcp.id ?? 0) > 0, 'entry id');
      const udp = lines.find((l) => l.l4.text === 'udp');
      assert.ok(udp && udp.unreplied, 'the unanswered UDP flow');
      const icmp = lines.find((l) => l.l4.text === 'icmp');
      assert.ok(icmp && icmp.original?.type === 8 && icmp.reply?.type === 0);
    }
  });

  it('/proc/net/nf_conntrack', function () {
    const r = nsExec(ctx.pair.b.ns, ['cat', '/proc/net/nf_conntrack']);
    if (r.status !== 0) return this.skip(); // kernels without CONFIG_NF_CONNTRACK_PROCFS
    const lines = assertConntrack(parseAll(r.stdout), '/proc/net/nf_conntrack');
    assert.ok(lines.every((l) => l.l3 && l.l3Number));
    assert.ok(lines.some((l) => l.l3?.text === 'ipv6' && l.l3Number?.value === 10));
  });

  it('conntrack -E events', function () {
    const lines = assertConntrack(parseAll(events), 'conntrack -E');
    const kinds = new Set(lines.map((l) => l.event?.text));
    assert.ok(kinds.has('NEW') && kinds.has('UPDATE'), `events: ${[...kinds].join(', ')}`);
  });

  it('sysctl -a: every conntrack sysctl line parses, every one of them is known', function () {
    const r = nsExec(ctx.pair.b.ns, ['sysctl', '-a']);
    const lines = r.stdout.split('\n').filter((l) => l.includes('conntrack'));
    assert.ok(lines.length > 20);
    const unknown: string[] = [];
    for (const text of lines) {
      const l = parseLogLine(text) as SysctlLine;
      assert.equal(l.kind, 'sysctl', text);
      assert.equal(text.slice(l.name.span.start, l.name.span.end), l.name.text);
      if (!findSysctl(l.name.text)) unknown.push(l.name.text);
      assert.deepEqual(l.notes.filter((n) => n.severity !== 'info'), [], text);
    }
    assert.deepEqual(unknown, []);
  });
});
