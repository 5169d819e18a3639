/**
 * `iptables-lens logs`: the summary of whole log files as the command line prints it, read a piece
 * at a time, with the rule that wrote each prefix found in the rules files given.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateLog } from '../../bench/gen/logs';
import { runLogs } from '../../cli/src/commands/logs';
import { summarizeBytes } from '../../server/src/analysis/log-summary';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runLogs(
    args,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code: code as number, out, err };
}

describe('cli: iptables-lens logs', function () {
  let dir = '';
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'lens-logs-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the summary with the LOG rule of each prefix and the teardown noise', function () {
    const r = run(['--rules', path.join(EXAMPLES, 'web-server.rules'), path.join(EXAMPLES, 'web-server.log')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /4 lines: 4 LOG lines/);
    assert.match(r.out, /3 of 4 TCP lines \(75\.0%\) are late FIN or RST packets/);
    assert.match(r.out, /\| Firewall: \*TCP_IN Blocked\* \| 4 \| 3 \| 3 \| web-server\.rules:\d+ \|/);
  });

  it('--json gives the summary of the whole file, read in pieces, with its examples found again late in it', function () {
    // a log longer than the reading buffer, with a prefix first seen near its end and a line
    // longer than a megabyte (the examples' buffer) in between
    const lines = generateLog({ lines: 30_000, wrapper: 'mixed', seed: 12 }).split('\n');
    lines.splice(20_000, 0, `Jan  1 00:00:00 h kernel: ${'x'.repeat(1_500_000)}`);
    lines.splice(lines.length - 3, 0, 'Jan  1 00:00:01 h kernel: LATE-PREFIX IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=TCP SPT=1 DPT=2 WINDOW=1 RES=0x00 FIN URGP=0');
    const file = path.join(dir, 'big.log');
    writeFileSync(file, lines.join('\n'));
    const r = run(['--json', file]);
    assert.equal(r.code, 0, r.err);
    const [got] = JSON.parse(r.out) as { file: string }[];
    assert.deepEqual({ ...got, file: undefined }, { ...JSON.parse(JSON.stringify(summarizeBytes(readFileSync(file)))), file: undefined });
    const text = run(['--rules', path.join(EXAMPLES, 'web-server.rules'), file]);
    assert.match(text.out, /\| LATE-PREFIX \| 1 \| 1 \| 0 \|/);
  });

  it('says which file it cannot read, and how to call it', function () {
    const r = run([path.join(dir, 'missing.log')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read .*missing\.log/);
    assert.equal(run([]).code, 2);
    assert.match(run(['--frobnicate', 'x']).err, /unknown option --frobnicate/);
  });
});
