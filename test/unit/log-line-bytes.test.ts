/**
 * The summary's byte reader of classic syslog LOG lines (analysis/log-line-bytes.ts): on clean
 * lines it reads every LOG line itself, with the fields the parser finds; on lines damaged at
 * every position of the wrapper and the prefix, and with each special word among the fields, the
 * summary it gives (summarizeBytes) equals the one of parsing each line, and it hands the lines it
 * cannot read exactly to the text path instead of guessing.
 */
import { strict as assert } from 'node:assert';
import { generateLog } from '../../bench/gen/logs';
import { FALLBACK, MESSAGE, OTHER, PACKET, SyslogLineReader } from '../../server/src/analysis/log-line-bytes';
import { summarizeBytes } from '../../server/src/analysis/log-summary';
import { parseLogLine } from '../../server/src/parser/log';
import { parsedSummary as reference } from '../support/log-reference';

/** Read every line of an ASCII text with one reader; the answer for each line. */
function readAll(text: string): { kind: number; reader: SyslogLineReader; start: number }[] {
  const b = Buffer.from(text, 'latin1');
  const r = new SyslogLineReader();
  const out: { kind: number; reader: SyslogLineReader; start: number }[] = [];
  let ls = 0;
  while (ls < b.length) {
    let le = b.indexOf(10, ls);
    if (le < 0) le = b.length;
    const kind = r.read(b, ls, le);
    out.push({ kind, reader: Object.assign(new SyslogLineReader(), r), start: ls });
    ls = le + 1;
  }
  return out;
}

const lines = (wrapper: 'syslog' | 'iso' | 'journal-iso', seed: number): string[] =>
  generateLog({ lines: 400, wrapper, seed })
    .split('\n')
    .filter((l) => l !== '');
/** Classic syslog lines, and RFC 3339 ones with every kind of fraction and zone. */
const BASE = [...lines('syslog', 5), ...lines('iso', 6), ...lines('journal-iso', 7)];

describe('log summary: the byte reader of syslog LOG lines', function () {
  it('reads every clean LOG line itself, with the fields the parser finds', function () {
    const text = BASE.join('\n');
    const read = readAll(text);
    let packets = 0;
    read.forEach(({ kind, reader: r, start }, i) => {
      const line = parseLogLine(BASE[i]!, i);
      if (line.kind !== 'packet') {
        assert.notEqual(kind, PACKET, BASE[i]);
        return;
      }
      // ICMP errors quote a packet in [...]: read here too; only OPT (...) and the like are not
      if (/ OPT | INCOMPLETE| Unknown/.test(BASE[i]!)) return;
      assert.equal(kind, PACKET, BASE[i]);
      packets++;
      const slice = (s: number, e: number) => (s < 0 ? undefined : text.slice(s, e));
      assert.equal(text.slice(r.prefixStart, r.prefixEnd), line.prefix.label, BASE[i]);
      assert.equal(r.minute, line.wrapper.timestamp?.minuteKey, BASE[i]);
      assert.equal(slice(r.src, r.srcEnd), line.packet.src, BASE[i]);
      assert.equal(slice(r.dst, r.dstEnd), line.packet.dst, BASE[i]);
      assert.equal(slice(r.proto, r.protoEnd), line.packet.proto, BASE[i]);
      assert.equal(r.dpt < 0 ? undefined : r.dpt, line.packet.dpt, BASE[i]);
      if (line.packet.proto === 'TCP') assert.equal(r.flags & 0x1ff, (line.packet.tcpFlagBits ?? 0) & 0x1ff, BASE[i]);
      assert.ok(start >= 0);
    });
    assert.ok(packets > 900, `only ${packets} of ${BASE.length} lines read as LOG lines`);
  });

  it('counts a kernel line that is no LOG line and no parser matter as other, marks the kernel messages the parser decides, and leaves the rest to the text path', function () {
    const lines = [
      'Nov 20 06:05:53 gw kernel: [812698.433042] E1000E 0000:00:19.0 eth0: NIC Link is Up',
      'Nov 20 06:01:03 gw kernel: [812409.020927] nf_conntrack: table full, dropping packet',
      'Nov 20 06:01:23 gw systemd[1]: Started Session 42 of user admin.',
      '2025-11-20T06:01:23,5 gw kernel: X IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=UDP DPT=1',
      'Nov 20 06:01:23 gw: kernel: X IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=UDP DPT=1',
      'Nov 20 06:01:23 gw kernel: X IN=eth0 OUT= OPT (0204) SRC=1.2.3.4 DST=5.6.7.8 PROTO=UDP DPT=1',
    ];
    assert.deepEqual(
      readAll(lines.join('\n')).map((r) => r.kind),
      [OTHER, MESSAGE, FALLBACK, FALLBACK, FALLBACK, FALLBACK],
    );
    const text = lines.join('\n');
    assert.deepEqual(summarizeBytes(Buffer.from(text, 'latin1'), {}, 25), reference(text));
  });

  it('equals the parsed summary with the wrapper and prefix damaged at every position', function () {
    // each edit at each of the first 70 columns of 30 lines (timestamp, host, tag, uptime, prefix, IN=)
    const edits: ((l: string, i: number) => string)[] = [
      (l, i) => l.slice(0, i) + l.slice(i + 1),
      (l, i) => l.slice(0, i) + ' ' + l.slice(i),
      (l, i) => l.slice(0, i) + '\t' + l.slice(i),
      (l, i) => l.slice(0, i) + ':' + l.slice(i),
      (l, i) => l.slice(0, i) + '.5' + l.slice(i),
      (l, i) => l.slice(0, i) + '[' + l.slice(i),
      (l, i) => l.slice(0, i) + ']' + l.slice(i),
      (l, i) => l.slice(0, i) + '9' + l.slice(i),
      (l, i) => l.slice(0, i) + '\x01' + l.slice(i),
      (l, i) => l.slice(0, i) + 'x' + l.slice(i + 1),
      (l, i) => l.slice(0, i),
      (l, i) => l.slice(0, i) + '\r',
    ];
    const out: string[] = [];
    const logLines = BASE.filter((l) => l.includes(' IN='));
    for (const line of logLines.filter((_, i) => i % 25 === 0)) {
      for (let i = 0; i < Math.min(80, line.length); i++) for (const edit of edits) out.push(edit(line, i));
    }
    const text = out.join('\n');
    const read = readAll(text);
    assert.ok(read.filter((r) => r.kind === PACKET).length > out.length / 3, 'most damaged lines are still read by the byte reader');
    assert.deepEqual(summarizeBytes(Buffer.from(text, 'latin1'), {}, 25), reference(text));
  });

  it('equals the parsed summary with each special word among the fields, and a line without its line feed last', function () {
    const words = [' [SRC=9.9.9.9 DST=8.8.8.8 PROTO=UDP DPT=1] ', ' [SRC=9.9.9.9 [x] ', ' [SRC=9.9.9.9 (x) ', ' [INCOMPLETE ', ' [Unknown ', ' [no end', ' OPT (01) ', ' INCOMPLETE ', ' Unknown ', ' PROTO=TCP ', ' PROTO=TCP SYN ', ' DPT=x ', ' DPT=8 ', ' WINDOW=x ', ' AE ', '\x01', '  ', 'SRC=1.1.1.1', ' DST=fe80::1 '];
    const out: string[] = [];
    for (const line of BASE.filter((l) => l.includes(' IN=')).filter((_, i) => i % 10 === 0)) {
      const fields = line.indexOf(' IN=');
      for (const w of words) {
        for (let i = fields; i < line.length; i += 7) out.push(line.slice(0, i) + w + line.slice(i));
        out.push(line + w);
      }
    }
    const text = out.join('\n');
    assert.deepEqual(summarizeBytes(Buffer.from(text, 'latin1'), {}, 25), reference(text));
  });
});
