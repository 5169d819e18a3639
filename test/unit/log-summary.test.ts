/**
 * analysis/log-summary.ts: counts by prefix, flag set, inferred ctstate, protocol, top talkers and
 * ports, lines per minute, teardown noise; the raw-line fast path and the parsed-document path
 * must agree; throughput stays far from per-line regex territory.
 */
import { strict as assert } from 'node:assert';
import { summarizeBytes, summarizeDocument, summarizeLines, summarizeText } from '../../server/src/analysis/log-summary';
import { parseLogDocument } from '../../server/src/parser/log';
import { parsedLinesSummary } from '../support/log-reference';

const W = 'Jan 27 15:21:36 host kernel: [1229124.817624] ';
const P = 'Firewall: *TCP_IN Blocked* ';
const tcp = (src: string, dpt: number, flags: string, minute = '15:21:36') =>
  `Jan 27 ${minute} host kernel: [1229124.817624] ${P}IN=venet0 OUT= MAC= SRC=${src} DST=192.0.2.10 LEN=40 TOS=0x00 PREC=0x00 TTL=115 ID=3144 DF PROTO=TCP SPT=36879 DPT=${dpt} WINDOW=510 RES=0x00 ${flags}${flags ? ' ' : ''}URGP=0 `;

const LOG = [
  tcp('198.51.100.1', 80, 'ACK FIN'),
  tcp('198.51.100.1', 80, 'ACK RST'),
  tcp('198.51.100.2', 80, 'RST', '15:22:01'),
  tcp('198.51.100.3', 443, 'ACK PSH', '15:22:59'),
  tcp('198.51.100.3', 443, 'SYN', '15:23:00'),
  tcp('198.51.100.4', 22, 'URG PSH FIN', '15:23:00'),
  `${W}[UFW BLOCK] IN=eth0 OUT= MAC=00:00:5e:00:53:01:00:00:5e:00:53:02:08:00 SRC=203.0.113.9 DST=192.0.2.10 LEN=28 TOS=0x00 PREC=0x00 TTL=50 ID=54985 PROTO=UDP SPT=44318 DPT=53 LEN=8 `,
  `${W}[UFW BLOCK] IN=eth0 OUT= MAC= SRC=203.0.113.9 DST=192.0.2.10 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=4 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.10 DST=203.0.113.9 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=5 PROTO=TCP SPT=1 DPT=9999 WINDOW=0 RES=0x00 SYN URGP=0 ] `,
  'Jan 27 15:24:00 host kernel: nf_conntrack: table full, dropping packet',
  'Jan 27 15:24:05 host kernel: net_ratelimit: 17 callbacks suppressed',
  'tcp      6 431999 ESTABLISHED src=192.0.2.5 dst=192.0.2.35 sport=1031 dport=23 src=192.0.2.35 dst=192.0.2.5 sport=23 dport=1031 [ASSURED] use=1',
  'net.netfilter.nf_conntrack_max = 262144',
  'Jan 27 15:24:06 host sshd[1]: Accepted publickey for root',
  '',
].join('\n');

describe('log summary', function () {
  const s = summarizeText(LOG);

  it('counts lines by kind', function () {
    assert.deepEqual(
      [s.lines, s.packetLines, s.kernelLines, s.conntrackLines, s.sysctlLines, s.otherLines, s.blankLines],
      [13, 8, 2, 1, 1, 1, 0],
      'the final line break ends the last line; it does not start an empty one',
    );
  });

  it('counts by prefix, with per-prefix ctstate and teardown noise', function () {
    assert.deepEqual(
      s.byPrefix.map((p) => [p.prefix, p.count, p.new, p.invalid, p.teardownNoise]),
      [
        ['Firewall: *TCP_IN Blocked*', 6, 2, 4, 3],
        ['[UFW BLOCK]', 2, 0, 0, 0],
      ],
    );
  });

  it('counts flag sets, inferred ctstate, protocols; the ICMP-quoted packet is not counted', function () {
    assert.deepEqual(
      s.byFlags.map((e) => [e.key, e.count]),
      [
        ['ACK FIN', 1],
        ['ACK PSH', 1],
        ['ACK RST', 1],
        ['RST', 1],
        ['SYN', 1],
        ['URG PSH FIN', 1],
      ],
    );
    assert.deepEqual(s.byCtstate, [
      { key: 'INVALID', count: 4 },
      { key: 'NEW', count: 2 },
    ]);
    assert.equal(s.tcpLines, 6);
    assert.equal(s.teardownNoise, 3);
    assert.deepEqual(s.byProtocol, [
      { key: 'TCP', count: 6 },
      { key: 'ICMP', count: 1 },
      { key: 'UDP', count: 1 },
    ]);
  });

  it('top sources, destinations and destination ports', function () {
    assert.deepEqual(s.topSources.slice(0, 3), [
      { key: '198.51.100.1', count: 2 },
      { key: '198.51.100.3', count: 2 },
      { key: '203.0.113.9', count: 2 },
    ]);
    assert.deepEqual(s.topDestinations, [{ key: '192.0.2.10', count: 8 }]);
    assert.deepEqual(s.topDestinationPorts.slice(0, 3), [
      { key: '80/tcp', count: 3 },
      { key: '443/tcp', count: 2 },
      { key: '22/tcp', count: 1 },
    ]);
    assert.ok(s.topDestinationPorts.some((e) => e.key === '53/udp'));
    assert.ok(!s.topDestinationPorts.some((e) => e.key === '9999/tcp'), 'the quoted packet of the ICMP error is not a destination');
  });

  it('first line of each prefix', function () {
    assert.deepEqual(
      s.byPrefix.map((p) => p.firstLine),
      [0, 6],
    );
  });

  it('lines per minute per prefix, first and last minute', function () {
    const fw = s.byPrefix[0];
    assert.deepEqual(
      fw.perMinute.map((m) => [m.label, m.count]),
      [
        ['Jan 27 15:21', 2],
        ['Jan 27 15:22', 2],
        ['Jan 27 15:23', 2],
      ],
    );
    assert.equal(s.firstMinute, 'Jan 27 15:21');
    assert.equal(s.lastMinute, 'Jan 27 15:23');
  });

  it('lines per minute in any order: a minute that comes back after a later one is counted with its own', function () {
    const at = (t: string) => `Jan 27 ${t}:05 fw kernel: X IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53`;
    const times = ['10:01', '10:00', '10:01', '10:03', '10:00', '10:03', '09:59', '10:02'];
    const want = [
      ['Jan 27 09:59', 1],
      ['Jan 27 10:00', 2],
      ['Jan 27 10:01', 2],
      ['Jan 27 10:02', 1],
      ['Jan 27 10:03', 2],
    ];
    const text = times.map(at).join('\n');
    for (const got of [summarizeText(text), summarizeBytes(Buffer.from(text))]) {
      assert.deepEqual(
        got.byPrefix[0]!.perMinute.map((m) => [m.label, m.count]),
        want,
      );
      assert.equal(got.firstMinute, 'Jan 27 09:59');
      assert.equal(got.lastMinute, 'Jan 27 10:03');
    }
    // in time order nothing is sorted, and the same counts come out
    const sorted = [...times].sort().map(at).join('\n');
    assert.deepEqual(
      summarizeText(sorted).byPrefix[0]!.perMinute.map((m) => [m.label, m.count]),
      want,
    );
  });

  it('lines per minute labelled right when the minutes lie years apart (syslog without a year beside RFC 3339)', function () {
    const text = [
      'Jan 27 10:01:05 fw kernel: X IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53',
      '2025-11-20T08:42:25.123456+01:00 fw kernel: X IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53',
      'Jan 27 10:02:05 fw kernel: Y IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53',
      '2025-11-20T08:43:01Z fw kernel: Y IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53',
      '2025-11-20T08:42:59Z fw kernel: Y IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53',
    ].join('\n');
    for (const got of [summarizeText(text), summarizeBytes(Buffer.from(text))]) {
      assert.deepEqual(
        got.byPrefix.map((p) => [p.prefix, p.perMinute.map((m) => [m.label, m.count])]),
        [
          [
            'Y',
            [
              ['Jan 27 10:02', 1],
              ['2025-11-20 08:42', 1],
              ['2025-11-20 08:43', 1],
            ],
          ],
          [
            'X',
            [
              ['Jan 27 10:01', 1],
              ['2025-11-20 08:42', 1],
            ],
          ],
        ],
      );
      assert.equal(got.firstMinute, 'Jan 27 10:01');
      assert.equal(got.lastMinute, '2025-11-20 08:43');
    }
  });

  it('kernel messages, suppressed callbacks and conntrack states', function () {
    assert.deepEqual(s.kernelMessages, [
      { key: 'conntrack-table-full', count: 1 },
      { key: 'net-ratelimit', count: 1 },
    ]);
    assert.equal(s.suppressedCallbacks, 17);
    assert.deepEqual(s.conntrackStates, [{ key: 'ESTABLISHED', count: 1 }]);
  });

  it('loose=0 turns mid-stream ACKs into INVALID', function () {
    const strict = summarizeText(LOG, { loose: false });
    assert.deepEqual(strict.byCtstate, [
      { key: 'INVALID', count: 5 },
      { key: 'NEW', count: 1 },
    ]);
  });

  it('the raw-line fast path, the stream of lines and the parsed document agree', function () {
    const lines = LOG.split('\n').slice(0, -1);
    const viaLines = summarizeLines(lines);
    assert.deepEqual(viaLines, s);
    const viaDoc = summarizeDocument(parseLogDocument(LOG.slice(0, -1)));
    assert.deepEqual(viaDoc, s);
    assert.deepEqual(parsedLinesSummary(lines, { top: 10 }), s);
    // a mixed syslog: the fast path skips most non-firewall lines without parsing them
    const mixed = [
      ...lines,
      'Jan 27 15:24:07 host kernel: [1.0] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex',
      '-- Boot 0123456789abcdef --',
      '   ',
      'Jan 27 15:24:08 host CRON[5]: (root) CMD (run-parts /etc/cron.hourly)',
      '    [NEW] tcp      6 120 SYN_SENT src=10.0.2.4 dst=10.0.2.15 sport=46216 dport=2222 [UNREPLIED] src=10.0.2.15 dst=10.0.2.4 sport=2222 dport=46216',
      'sysctl -w net.netfilter.nf_conntrack_max=1',
      '/proc/sys/net/netfilter/nf_conntrack_max = 1',
      'Jan 27 15:24:09 host kernel: ',
    ];
    const fast = summarizeLines(mixed);
    assert.deepEqual(fast, parsedLinesSummary(mixed, { top: 10 }));
    assert.deepEqual([fast.otherLines, fast.blankLines, fast.conntrackLines, fast.sysctlLines], [5, 1, 2, 3]);
  });

  it('odd lines do not disturb it', function () {
    const odd = summarizeLines(['IN=', 'IN= OUT=', 'x IN=eth0 OUT= PROTO=TCP WINDOW=', 'IN=a OUT= SRC=1 DST=2 PROTO=TCP SPT=1 DPT=2 WINDOW=1 RES=0x00', '\r', '   ']);
    assert.equal(odd.lines, 6);
    assert.equal(odd.blankLines, 2);
  });

  it('throughput: 200k lines well under a few seconds (no per-line regex or quadratic work)', function () {
    this.timeout(30000);
    const base = LOG.split('\n').slice(0, 8);
    const lines: string[] = [];
    for (let i = 0; i < 200000; i++) lines.push(base[i % base.length]);
    const text = lines.join('\n');
    summarizeText(text.slice(0, 100000)); // warm up
    const t0 = process.hrtime.bigint();
    const r = summarizeText(text);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`      200000 lines in ${ms.toFixed(0)} ms (${Math.round(200000 / (ms / 1000))} lines/s)`);
    assert.equal(r.packetLines, 200000);
    assert.ok(ms < 6000, `${ms.toFixed(0)} ms`);
  });
});
