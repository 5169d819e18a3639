/**
 * Which ctstate the kernel gives a lone TCP segment that belongs to no conntrack entry, for
 * nf_conntrack_tcp_loose=1 (the default) and 0: every row of the table "lone TCP segment, no
 * existing entry" in ../shared/reference/conntrack-tcp.md, measured on the running kernel.
 *
 * A sends one crafted segment per flag set to its own port on B; B counts it with one
 * `-m conntrack --ctstate S` rule per state and then drops it (so B never answers and no entry is
 * ever confirmed). All segments of one run go out in one batch; counters tell them apart by port.
 * Runs for IPv4 and IPv6, nft and legacy backends.
 *
 * server/src/knowledge/conntrack-tcp.ts `ctstateWithoutEntry(flags, {loose})` must give the
 * kernel's answer for every flag set, in every run.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ctstateWithoutEntry } from '../../server/src/knowledge/conntrack-tcp';
import { SHARED } from '../support/corpus';
import {
  type Backend,
  conntrackFlush,
  type Family,
  resetTables,
  restore,
  ruleCounters,
  setSysctl,
  useNamespacePair,
  waitUntil,
  zeroCounters,
} from '../support/netns';
import { sendPackets, type TcpFlag } from '../support/packets';

type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';
const STATES: readonly CtState[] = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'];

interface Row {
  /** The first column of the reference table, as written there. */
  readonly row: string;
  readonly flagSets: readonly (readonly TcpFlag[])[];
  readonly loose1: CtState;
  readonly loose0: CtState;
}

/** The reference table (conntrack-tcp.md, "lone TCP segment, no existing entry"). */
const TABLE: readonly Row[] = [
  { row: 'SYN', flagSets: [['SYN']], loose1: 'NEW', loose0: 'NEW' },
  { row: 'SYN URG / CWR ECE SYN', flagSets: [['SYN', 'URG'], ['CWR', 'ECE', 'SYN']], loose1: 'NEW', loose0: 'NEW' },
  { row: 'SYN ACK', flagSets: [['SYN', 'ACK']], loose1: 'INVALID', loose0: 'INVALID' },
  { row: 'ACK / ACK PSH / ACK URG', flagSets: [['ACK'], ['ACK', 'PSH'], ['ACK', 'URG']], loose1: 'NEW', loose0: 'INVALID' },
  { row: 'FIN', flagSets: [['FIN']], loose1: 'INVALID', loose0: 'INVALID' },
  { row: 'FIN ACK (also ACK PSH FIN)', flagSets: [['FIN', 'ACK'], ['ACK', 'PSH', 'FIN']], loose1: 'INVALID', loose0: 'INVALID' },
  { row: 'RST / ACK RST', flagSets: [['RST'], ['ACK', 'RST']], loose1: 'INVALID', loose0: 'INVALID' },
  { row: '(none) NULL scan', flagSets: [[]], loose1: 'INVALID', loose0: 'INVALID' },
  {
    row: 'URG PSH FIN (XMAS), SYN FIN, SYN RST, PSH, all six flags',
    flagSets: [['URG', 'PSH', 'FIN'], ['SYN', 'FIN'], ['SYN', 'RST'], ['PSH'], ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG']],
    loose1: 'INVALID',
    loose0: 'INVALID',
  },
];

const PROBES = TABLE.flatMap((r) => r.flagSets);
const BASE_PORT = 30000;
const label = (flags: readonly string[]) => (flags.length ? flags.join(' ') : '(none)');

interface Run {
  readonly backend: Backend;
  readonly family: Family;
  readonly loose: 0 | 1;
}
const RUNS: Run[] = (['nft', 'legacy'] as const).flatMap((backend) =>
  (['ipv4', 'ipv6'] as const).flatMap((family) => ([1, 0] as const).map((loose) => ({ backend, family, loose }))),
);
const runName = (r: Run) => `${r.backend}/${r.family}/loose=${r.loose}`;

function rulesFor(): string {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]'];
  PROBES.forEach((_, i) => {
    for (const s of STATES) lines.push(`-A INPUT -i vB -p tcp --dport ${BASE_PORT + i} -m conntrack --ctstate ${s}`);
  });
  lines.push('-A INPUT -i vB -p tcp -j DROP', 'COMMIT', '');
  return lines.join('\n');
}

describe('kernel: ctstate of a lone TCP segment with no conntrack entry (conntrack-tcp.md table)', function () {
  const ctx = useNamespacePair({ tag: 'ct', legacy: true });
  /** run name -> probe index -> the states whose rule counted the segment */
  const seen = new Map<string, string[][]>();

  before(function () {
    this.timeout(60_000);
    const { a, b } = ctx.pair;
    const t0 = Date.now();
    for (const backend of ['nft', 'legacy'] as const) {
      const other: Backend = backend === 'nft' ? 'legacy' : 'nft';
      for (const family of ['ipv4', 'ipv6'] as const) {
        resetTables(b.ns, { family, backend: other });
        const r = restore(b.ns, rulesFor(), { family, backend });
        assert.ok(r.ok, `loading the counting rules failed: ${r.stderr}`);
      }
      for (const family of ['ipv4', 'ipv6'] as const) {
        for (const loose of [1, 0] as const) {
          const run: Run = { backend, family, loose };
          setSysctl(b.ns, 'net.netfilter.nf_conntrack_tcp_loose', loose);
          conntrackFlush(b.ns);
          zeroCounters(b.ns, { family, backend });
          const dst = family === 'ipv6' ? b.ip6 : b.ip4;
          sendPackets(
            a,
            PROBES.map((flags, i) => ({
              proto: 'tcp' as const,
              dst,
              sport: 41000 + i + 100 * loose,
              dport: BASE_PORT + i,
              flags,
              seq: 1000 + i,
              ack: flags.includes('ACK') ? 5000 : 0,
            })),
          );
          let counters = ruleCounters(b.ns, { family, backend, table: 'filter' });
          const dropped = () => counters.find((c) => c.chain === 'INPUT' && c.rule === '-A INPUT -i vB -p tcp -j DROP')?.packets ?? 0;
          const arrived = waitUntil(() => {
            counters = ruleCounters(b.ns, { family, backend, table: 'filter' });
            return dropped() >= PROBES.length;
          });
          assert.ok(arrived, `${runName(run)}: only ${dropped()} of ${PROBES.length} segments reached B`);
          const input = counters.filter((c) => c.chain === 'INPUT');
          seen.set(
            runName(run),
            PROBES.map((_, i) => STATES.filter((_s, k) => input[i * STATES.length + k]!.packets > 0)),
          );
        }
      }
      for (const family of ['ipv4', 'ipv6'] as const) resetTables(b.ns, { family, backend });
    }
    setSysctl(b.ns, 'net.netfilter.nf_conntrack_tcp_loose', 1);
    console.log(`      measured ${PROBES.length} flag sets x ${RUNS.length} runs in ${Date.now() - t0} ms`);
  });

  for (const row of TABLE) {
    it(`${row.row}: loose=1 ${row.loose1}, loose=0 ${row.loose0}`, function () {
      const wrong: string[] = [];
      for (const run of RUNS) {
        const want = run.loose === 1 ? row.loose1 : row.loose0;
        for (const flags of row.flagSets) {
          const got = seen.get(runName(run))![PROBES.indexOf(flags)]!;
          if (got.length !== 1 || got[0] !== want) wrong.push(`${runName(run)} ${label(flags)}: kernel ${got.join('+') || 'no state rule'}, table ${want}`);
        }
      }
      assert.deepEqual(wrong, []);
    });
  }

  it('the table encoded here is the one in conntrack-tcp.md', function () {
    const file = path.join(SHARED, 'reference', 'conntrack-tcp.md');
    if (!existsSync(file)) this.skip();
    const md = readFileSync(file, 'utf8');
    const start = md.indexOf('### Result table: lone TCP segment, no existing entry');
    assert.ok(start >= 0, 'table heading not found in conntrack-tcp.md');
    const after = md.slice(start).split('\n').slice(1);
    const end = after.findIndex((l) => !l.startsWith('|'));
    const rows = after
      .slice(0, end < 0 ? after.length : end)
      .filter((l) => !l.startsWith('|---') && !l.startsWith('| flags'))
      .map((l) => l.split('|').map((c) => c.trim().replace(/\*\*/g, '')))
      .map((c) => ({ row: c[1]!, loose1: c[2]!, loose0: c[3]! }));
    assert.deepEqual(rows, TABLE.map(({ row, loose1, loose0 }) => ({ row, loose1, loose0 })));
  });

  it('knowledge/conntrack-tcp.ts ctstateWithoutEntry() gives the kernel\'s answer for every flag set and run', function () {
    const wrong: string[] = [];
    for (const run of RUNS) {
      const kernel = seen.get(runName(run))!;
      PROBES.forEach((flags, i) => {
        const ours = ctstateWithoutEntry(flags, { loose: run.loose === 1 }).state;
        if (ours !== kernel[i]!.join('+')) wrong.push(`${runName(run)} ${label(flags)}: kernel ${kernel[i]!.join('+')}, ctstateWithoutEntry ${ours}`);
      });
    }
    assert.deepEqual(wrong, []);
  });
});
