/**
 * The summary's kernel lines that need the parser (analysis/log-kernel-message.ts): counted by
 * what their message is, each distinct message parsed once, and messages tagged with a name the
 * catalogue does not know counted as other without parsing. The summary of the bytes must equal
 * the summary of parsing every line, also with each message damaged at every position, behind
 * every wrapper the byte reader reads, repeated (so that the kept answers are used), with and
 * without a carriage return.
 */
import { strict as assert } from 'node:assert';
import { isUnknownTagged, MessageMemo, outcomeOf } from '../../server/src/analysis/log-kernel-message';
import { summarizeBytes } from '../../server/src/analysis/log-summary';
import { parseLogLine } from '../../server/src/parser/log';
import { parsedSummary } from '../support/log-reference';

/** Wrappers the byte reader reads (classic syslog with and without uptime, RFC 3339). */
const WRAPPERS = ['Nov 20 06:01:03 gw kernel: [812409.020927] ', 'Nov  2 06:01:03 gw kernel: ', '2025-11-20T06:01:23.123456+01:00 fw1 kernel: ', 'Dec 31 23:59:59 h kernel:  [ 5.1]  '];

/** Messages of each outcome, and near misses of each. */
const MESSAGES = [
  'nf_conntrack: table full, dropping packet',
  'nf_conntrack: nf_conntrack: table full, dropping packet',
  'ip_conntrack: table full, dropping packet',
  'nf_conntrack: expectation table full',
  'nf_conntrack: falling back to vmalloc.',
  'nf_conntrack version 0.5.0 (65536 buckets, 262144 max)',
  'net_ratelimit: 12 callbacks suppressed',
  'net_ratelimit: 7 callbacks suppressed',
  'net_ratelimit: N callbacks suppressed',
  'net_ratelimit:5 callbacks suppressed',
  'audit: type=1400 audit(1792920521.677:547): apparmor="DENIED" operation="open"',
  'audit:x',
  'e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx',
  'tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.0.1 sport=22 dport=5000 [ASSURED] mark=0 use=1',
  'ipv4     2 udp      17 29 src=10.0.0.2 dst=8.8.8.8 sport=5353 dport=53 [UNREPLIED] src=8.8.8.8 dst=10.0.0.2 sport=53 dport=5353 mark=0 use=1',
  '[NEW] tcp      6 120 SYN_SENT src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2',
  '[a:b] tcp 6 120 SYN_SENT src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2',
  '/proc/sys/net/netfilter/nf_conntrack_max: 1',
  'net.netfilter.nf_conntrack_max = 262144',
  'constructor 5 src=1',
  'x',
];

/** Each message damaged at each of its first 24 columns, the way real logs get damaged. */
function damaged(m: string): string[] {
  const out = [m];
  for (let i = 0; i < Math.min(24, m.length); i++) {
    for (const ins of [':', ' ', '\t', 'X', 'x', '[', '0']) out.push(m.slice(0, i) + ins + m.slice(i));
    out.push(m.slice(0, i) + m.slice(i + 1), m.slice(0, i));
  }
  return out;
}

describe('log summary: kernel messages, by their text', function () {
  this.timeout(60000);

  it('counts every kernel line the parser decides as the parser does, damaged at every position, repeated, behind every wrapper', function () {
    const lines: string[] = [];
    for (const m of MESSAGES) {
      for (const d of damaged(m)) {
        for (const w of WRAPPERS) lines.push(w + d, w + d, `${w}${d}\r`);
      }
    }
    const text = lines.join('\n');
    const want = parsedSummary(text, { top: 50 });
    // the parser finds each kind here, so the comparison covers each
    assert.ok(want.kernelLines > 1000 && want.conntrackLines > 1000 && want.otherLines > 1000, JSON.stringify(want).slice(0, 300));
    assert.ok(want.suppressedCallbacks > 0);
    assert.deepEqual(summarizeBytes(Buffer.from(text, 'latin1'), {}, 50), want);
  });

  it('tells an unknown tag from a subsystem of the catalogue by the first word', function () {
    const at = (m: string) => isUnknownTagged(Buffer.from(m, 'latin1'), 0, m.length);
    assert.equal(at('audit: type=1400'), true);
    assert.equal(at('foo:bar baz'), true);
    assert.equal(at('nf_conntrack: table full'), false);
    assert.equal(at('nf_conntrack_x: table full'), true);
    assert.equal(at('net_ratelimit:5 callbacks suppressed'), false);
    assert.equal(at('e1000e 0000:00:19.0 eth0: NIC Link is Up'), false, 'the colon is not in the first word');
    assert.equal(at('nf_conntrack version 0.5.0'), false);
    assert.equal(at('[a:b] tcp 6 src=1.2.3.4'), false, 'a bracketed event may come before a conntrack listing');
    assert.equal(at('/proc/x: 1'), false, 'only words starting with a lower-case letter');
    // what it says is what the parser says
    for (const m of ['audit: type=1400', 'foo:bar baz', 'nf_conntrack_x: table full']) {
      assert.equal(parseLogLine(`Nov 20 06:01:03 gw kernel: ${m}`).kind, 'other', m);
    }
  });

  it('keeps one answer per distinct message text', function () {
    const memo = new MessageMemo();
    const b = Buffer.from('xx net_ratelimit: 12 callbacks suppressed|net_ratelimit: 13 callbacks suppressed', 'latin1');
    const first = outcomeOf(parseLogLine('net_ratelimit: 12 callbacks suppressed'))!;
    assert.deepEqual(first, { kind: 'kernel', key: 'net-ratelimit', suppressed: 12 });
    assert.equal(memo.find(b, 3, 41), undefined);
    memo.keep(b, 3, 41, first);
    assert.equal(memo.find(b, 3, 41), first);
    assert.equal(memo.find(b, 42, 80), undefined, 'same length, other text');
    assert.equal(memo.find(b, 3, 40), undefined, 'a shorter text');
  });
});
