/**
 * knowledge/conntrack-tcp.ts against ../shared/reference/conntrack-tcp.md: the "lone TCP segment,
 * no existing entry" table row by row, the valid flag combinations, the state timeouts, and the
 * measured results (ctstate_results_*.tsv beside the reference, read in place).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  ctstateWithoutEntry,
  findTcpConntrackState,
  TCP_CONNTRACK_STATES,
  TCP_SPECIAL_TIMEOUTS,
  TCP_TRACKER_DEFAULTS,
  TCP_VALID_COMBINATIONS,
  tcpConntrackIndex,
  tcpFlagBits,
  tcpFlagText,
  tcpValidFlags,
} from '../../server/src/knowledge/conntrack-tcp';
import { CONNTRACK_SYSCTLS, findSysctl } from '../../server/src/knowledge/sysctls';
import { SHARED, skipOrFail } from '../support/corpus';

interface Row {
  readonly row: string;
  readonly sets: readonly string[];
  readonly loose1: 'NEW' | 'INVALID';
  readonly loose0: 'NEW' | 'INVALID';
  /** Line numbers the reference gives for the row. */
  readonly cites: readonly string[];
  readonly valid: boolean;
}

/** The reference table, one entry per row, flags as a LOG line writes them. */
const TABLE: readonly Row[] = [
  { row: 'SYN', sets: ['SYN'], loose1: 'NEW', loose0: 'NEW', cites: [':138'], valid: true },
  { row: 'SYN URG / CWR ECE SYN', sets: ['URG SYN', 'CWR ECE SYN'], loose1: 'NEW', loose0: 'NEW', cites: [':138'], valid: true },
  { row: 'SYN ACK', sets: ['ACK SYN'], loose1: 'INVALID', loose0: 'INVALID', cites: [':155'], valid: true },
  { row: 'ACK / ACK PSH / ACK URG', sets: ['ACK', 'ACK PSH', 'URG ACK'], loose1: 'NEW', loose0: 'INVALID', cites: [':186'], valid: true },
  { row: 'FIN', sets: ['FIN'], loose1: 'INVALID', loose0: 'INVALID', cites: [':818-830'], valid: false },
  { row: 'FIN ACK (also ACK PSH FIN)', sets: ['ACK FIN', 'ACK PSH FIN'], loose1: 'INVALID', loose0: 'INVALID', cites: [':279', ':169'], valid: true },
  { row: 'RST / ACK RST', sets: ['RST', 'ACK RST'], loose1: 'INVALID', loose0: 'INVALID', cites: [':200'], valid: true },
  { row: '(none) NULL scan', sets: [''], loose1: 'INVALID', loose0: 'INVALID', cites: [':818-830'], valid: false },
  {
    row: 'URG PSH FIN (XMAS), SYN FIN, SYN RST, PSH, all six flags',
    sets: ['URG PSH FIN', 'SYN FIN', 'RST SYN', 'PSH', 'URG ACK PSH RST SYN FIN'],
    loose1: 'INVALID',
    loose0: 'INVALID',
    cites: [':818-830'],
    valid: false,
  },
];

describe('conntrack-tcp: no-entry ctstate, the reference table row by row', function () {
  for (const r of TABLE) {
    it(r.row, function () {
      for (const flags of r.sets) {
        const v1 = ctstateWithoutEntry(flags);
        const v1b = ctstateWithoutEntry(flags, { loose: true });
        const v0 = ctstateWithoutEntry(flags, { loose: false });
        assert.equal(v1.state, r.loose1, `${flags || 'NONE'} loose=1`);
        assert.equal(v1b.state, r.loose1, `${flags || 'NONE'} explicit loose=1`);
        assert.equal(v0.state, r.loose0, `${flags || 'NONE'} loose=0`);
        assert.equal(v1.validCombination, r.valid, `${flags || 'NONE'} validity`);
        assert.equal(tcpValidFlags(flags), r.valid);
        for (const c of r.cites) assert.ok(v1.citation.includes(c), `${flags}: citation ${v1.citation} lacks ${c}`);
        assert.match(v1.citation, /nf_conntrack_proto_tcp\.c/);
        assert.ok(v1.reason.length > 20);
      }
    });
  }

  it('the ACK row depends on the loose sysctl and says so', function () {
    assert.match(ctstateWithoutEntry('ACK PSH').reason, /nf_conntrack_tcp_loose=1/);
    assert.match(ctstateWithoutEntry('ACK PSH', { loose: false }).reason, /nf_conntrack_tcp_loose=0/);
    assert.match(ctstateWithoutEntry('ACK', { loose: false }).citation, /:907-909/);
  });

  it('late teardown is flagged for FIN ACK and resets, not for scans', function () {
    for (const f of ['ACK FIN', 'ACK PSH FIN', 'RST', 'ACK RST']) assert.equal(ctstateWithoutEntry(f).lateTeardown, true, f);
    for (const f of ['FIN', 'URG PSH FIN', '', 'SYN', 'ACK', 'ACK SYN']) assert.equal(ctstateWithoutEntry(f).lateTeardown, false, f || 'NONE');
  });

  it('accepts flags as bits, lists and text in any separator', function () {
    assert.equal(tcpFlagBits(['ACK', 'FIN']), 0x11);
    assert.equal(tcpFlagBits('SYN,ACK'), 0x12);
    assert.equal(tcpFlagBits('FIN+ACK'), 0x11);
    assert.equal(tcpFlagBits('ALL'), 0x3f);
    assert.equal(tcpFlagBits('NONE'), 0);
    assert.equal(tcpFlagBits(0x1ff), 0xff);
    assert.equal(tcpFlagText(0x11), 'ACK FIN');
    assert.equal(tcpFlagText(0), 'NONE');
    assert.equal(ctstateWithoutEntry(0x11).flags, 'ACK FIN');
  });

  it('picks the state-table row by priority RST > SYN(+ACK) > FIN > ACK > none', function () {
    assert.equal(tcpConntrackIndex('ACK RST SYN FIN'), 'rst');
    assert.equal(tcpConntrackIndex('ACK SYN FIN'), 'synack');
    assert.equal(tcpConntrackIndex('SYN FIN'), 'syn');
    assert.equal(tcpConntrackIndex('ACK FIN'), 'fin');
    assert.equal(tcpConntrackIndex('ACK PSH'), 'ack');
    assert.equal(tcpConntrackIndex('PSH'), 'none');
  });

  it('valid combinations are exactly the nine of tcp_valid_flags, with PSH/ECE/CWR masked', function () {
    assert.equal(TCP_VALID_COMBINATIONS.length, 9);
    let valid = 0;
    for (let b = 0; b < 256; b++) if (tcpValidFlags(b)) valid++;
    assert.equal(valid, 9 * 8, 'every valid core combination, with any of PSH/ECE/CWR');
    assert.equal(tcpValidFlags('CWR ECE ACK PSH'), true);
  });
});

describe('conntrack-tcp: states and timeouts', function () {
  const expected: [string, number, string][] = [
    ['SYN_SENT', 120, 'syn_sent'],
    ['SYN_RECV', 60, 'syn_recv'],
    ['ESTABLISHED', 432000, 'established'],
    ['FIN_WAIT', 120, 'fin_wait'],
    ['CLOSE_WAIT', 60, 'close_wait'],
    ['LAST_ACK', 30, 'last_ack'],
    ['TIME_WAIT', 120, 'time_wait'],
    ['CLOSE', 10, 'close'],
    ['SYN_SENT2', 120, 'syn_sent'],
  ];
  for (const [name, timeout, key] of expected) {
    it(`${name}: ${timeout} s, net.netfilter.nf_conntrack_tcp_timeout_${key}`, function () {
      const s = findTcpConntrackState(name)!;
      assert.equal(s.timeout, timeout);
      assert.equal(s.sysctl, `net.netfilter.nf_conntrack_tcp_timeout_${key}`);
      const sys = findSysctl(s.sysctl)!;
      assert.equal(sys.default, timeout, 'the sysctl entry agrees');
    });
  }
  it('RETRANS and UNACK are 300 s; tracker defaults as in nf_conntrack_tcp_init_net', function () {
    assert.deepEqual(TCP_SPECIAL_TIMEOUTS.map((s) => [s.name, s.timeout]), [
      ['RETRANS', 300],
      ['UNACK', 300],
    ]);
    assert.deepEqual([TCP_TRACKER_DEFAULTS.loose, TCP_TRACKER_DEFAULTS.beLiberal, TCP_TRACKER_DEFAULTS.ignoreInvalidRst, TCP_TRACKER_DEFAULTS.maxRetrans], [1, 0, 0, 3]);
    assert.equal(TCP_CONNTRACK_STATES.filter((s) => s.timeout > 0).length, 9);
  });
  it('sysctls: defaults, old names, every entry documented', function () {
    assert.equal(findSysctl('net.netfilter.nf_conntrack_tcp_loose')!.default, 1);
    assert.equal(findSysctl('net.netfilter.nf_conntrack_tcp_be_liberal')!.default, 0);
    assert.equal(findSysctl('net.ipv4.netfilter.ip_conntrack_max')!.name, 'net.netfilter.nf_conntrack_max');
    assert.equal(findSysctl('/proc/sys/net/netfilter/nf_conntrack_max')!.name, 'net.netfilter.nf_conntrack_max');
    for (const s of CONNTRACK_SYSCTLS) {
      assert.ok(s.summary.length > 10 && s.citation.length > 5, s.name);
      assert.ok(s.name.startsWith('net.netfilter.nf_conntrack_'), s.name);
    }
  });
});

describe('conntrack-tcp: agrees with the measured kernel results', function () {
  for (const backend of ['nft', 'legacy']) {
    it(`ctstate_results_${backend}.tsv`, function () {
      const file = path.join(SHARED, 'reference', `ctstate_results_${backend}.tsv`);
      if (!existsSync(file)) return skipOrFail(this, `${file} not found`);
      const rows = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#') && !l.startsWith('flags\t'));
      assert.ok(rows.length >= 15);
      for (const r of rows) {
        const [flags, loose1, loose0] = r.split('\t');
        const set = flags === 'NONE' ? '' : flags;
        assert.equal(ctstateWithoutEntry(set).state, loose1, `${flags} loose=1`);
        assert.equal(ctstateWithoutEntry(set, { loose: false }).state, loose0, `${flags} loose=0`);
      }
    });
  }
});
