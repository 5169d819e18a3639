/**
 * The summary's raw-byte fast path (summarizeBytes, summarizeText, push/flush) against the
 * straightforward reference: cut the text at line breaks, parse every line with parseLogLine and
 * count the parsed lines (LogSummarizer.addParsed). They must give the same summary, field for
 * field, on the real logs of the corpus and on generated logs in every wrapper, with mangled
 * lines, CRLF line ends, blank lines and non-ASCII bytes mixed in.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { generateLog, type LogWrapper } from '../../bench/gen/logs';
import { Rng } from '../../bench/gen/rng';
import { LogSummarizer, type LogSummary, summarizeBytes, summarizeReader, summarizeText } from '../../server/src/analysis/log-summary';
import { CORPUS, corpusAvailable, skipOrFail } from '../support/corpus';
import { parsedSummary } from '../support/log-reference';

/** The corpus's logs, beside the project (test/support/corpus.ts). */
const LOGS = path.join(CORPUS, 'logs');

/** The reference: one parsed line at a time (test/support/log-reference.ts). */
const reference = (text: string, loose = true): LogSummary => parsedSummary(text, { loose });

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/**
 * Words the summary's one-pass reading of a LOG line treats specially or hands to the word-by-word
 * reader (`[`, `OPT`, `INCOMPLETE`, `Unknown`), keys glued to other text or without `=`, and
 * repeated fields: the last one must win, as in the parser.
 */
const READER_WORDS = [' OPT (0204ffff) ', ' OPT (SRC=6.6.6.6 DPT=9 SYN) ', ' OPT ', ' INCOMPLETE [65535 bytes] ', ' INCOMPLETE ', ' Unknown ', ' Unknown Ext Hdr 99 ', ' [SRC=9.9.9.9 DST=8.8.8.8 PROTO=UDP DPT=1] ', 'xSRC=7.7.7.7 ', ' SRCX=1.2.3.4 ', ' SRC ', ' DST ', ' SRC=5.5.5.5 ', ' DST=2001:db8::1 ', ' DPT=x ', ' DPT=7 ', ' PROTO=TCPX ', ' PROTO=TCP FIN ', ' PROTO= ', ' WINDOW=x ', ' WINDOW= ', ' AE ', ' CWR ECE ', ' (', ' x[y '];

/** Damage a line the way real logs get damaged, or leave it alone. */
function mangle(line: string, rng: Rng): string {
  switch (rng.int(0, 15)) {
    case 0: // cut anywhere (a rotated or truncated file)
      return line.slice(0, rng.int(0, line.length));
    case 1: {
      // a character dropped
      const i = rng.int(0, Math.max(0, line.length - 1));
      return line.slice(0, i) + line.slice(i + 1);
    }
    case 2: {
      // a token inserted at a random place
      const i = rng.int(0, line.length);
      const tok = rng.pick(['IN=', ' IN=eth0 OUT= ', 'SRC=', ' DST=10.0.0.1 ', 'PROTO=TCP', ' WINDOW=0 ', ' SYN ', ' URGP=0', ' DPT=99999 ', 'RES=0x00 ', '=', '  ', '\t', ' ACK FIN ', 'PROTO=UDP SPT=1 DPT=2 ', '[', ']', ':', 'é', 'IN=x OUT=y SRC=1.2.3.4 DST=::1 PROTO=ICMP ', ...READER_WORDS]);
      return line.slice(0, i) + tok + line.slice(i);
    }
    case 3:
      return `${line}\r`;
    case 4:
      return rng.pick(['', ' ', '\t', '\r', '  \r', 'IN=', 'IN= OUT=', 'x IN=eth0 OUT= PROTO=TCP WINDOW=', '-- Boot 0123 --', 'nf_conntrack: table full, dropping packet', 'net.netfilter.nf_conntrack_max = 1', '[NEW] tcp 6 120 SYN_SENT src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2']);
    case 5: {
      // a field's value replaced by something odd
      const keys = ['SRC=', 'DST=', 'PROTO=', 'DPT=', 'WINDOW=', 'IN='];
      const k = rng.pick(keys);
      const at = line.indexOf(k);
      if (at < 0) return line;
      const v = rng.pick(['', '999.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', 'fe80::1', 'tcp', 'TCPX', '65536', '-1', '00080', 'x'.repeat(20), 'UDPLITE']);
      const e = line.indexOf(' ', at);
      return line.slice(0, at + k.length) + v + (e < 0 ? '' : line.slice(e));
    }
    case 6: // a prefix glued to IN=, or odd prefix blanks
      return line.replace(' IN=', rng.pick(['IN=', '\tIN=', '  IN=', ':IN=', ' x IN=']));
    default:
      return line;
  }
}

describe('log summary: fast path equals the per-line parser', function () {
  this.timeout(120000);

  it('on the corpus logs', function () {
    if (!corpusAvailable()) return skipOrFail(this, `the shared corpus is not at ${CORPUS}`);
    const found = files(LOGS).filter((f) => !f.endsWith('.md'));
    assert.ok(found.length >= 10, `corpus logs in ${LOGS}: ${found.length}`);
    for (const f of found) {
      const bytes = readFileSync(f);
      const want = reference(bytes.toString('utf8'));
      assert.deepEqual(summarizeBytes(bytes, {}, 25), want, f);
      assert.deepEqual(summarizeText(bytes.toString('utf8'), {}, 25), want, f);
    }
  });

  const wrappers: LogWrapper[] = ['syslog', 'journal', 'iso', 'journal-iso', 'dmesg', 'dmesg-t', 'mixed'];
  for (const wrapper of wrappers) {
    it(`on generated ${wrapper} logs, clean and mangled, LF and CRLF`, function () {
      const clean = generateLog({ lines: 3000, wrapper, seed: wrapper.length * 101 });
      const rng = new Rng(wrapper.length * 7 + 1);
      const mangled = clean
        .split('\n')
        .map((l) => (rng.chance(0.3) ? mangle(l, rng) : l))
        .join('\n');
      const crlf = clean.replace(/\n/g, '\r\n');
      for (const [name, text] of [
        ['clean', clean],
        ['mangled', mangled],
        ['crlf', crlf],
        ['no final line break', clean.slice(0, -1)],
      ] as const) {
        for (const loose of [true, false]) {
          const want = reference(text, loose);
          assert.ok(want.packetLines > 0 || name !== 'clean');
          assert.deepEqual(summarizeBytes(Buffer.from(text, 'utf8'), { loose }, 25), want, `${wrapper} ${name} loose=${loose}: summarizeBytes`);
          assert.deepEqual(summarizeText(text, { loose }, 25), want, `${wrapper} ${name} loose=${loose}: summarizeText`);
        }
        // a stream cut into random pieces (inside lines, inside CRLF) gives the same
        const s = new LogSummarizer();
        let at = 0;
        while (at < text.length) {
          const n = rng.int(1, 5000);
          s.push(text.slice(at, at + n));
          at += n;
        }
        s.flush();
        assert.deepEqual(s.result(25), reference(text), `${wrapper} ${name}: push in pieces`);
      }
    });
  }

  it('on LOG lines with each special or repeated word before, among and after the fields', function () {
    const base = generateLog({ lines: 300, wrapper: 'mixed', seed: 7 })
      .split('\n')
      .filter((l) => l.includes(' IN='));
    assert.ok(base.length > 100);
    const out: string[] = [];
    for (const word of READER_WORDS) {
      for (const line of base) {
        const proto = line.indexOf(' PROTO=');
        const dst = line.indexOf(' DST=');
        out.push(line + word, line.trimEnd() + word);
        if (proto > 0) out.push(line.slice(0, proto) + word + line.slice(proto));
        if (dst > 0) out.push(line.slice(0, dst) + word + line.slice(dst));
      }
    }
    const text = out.join('\n');
    for (const loose of [true, false]) assert.deepEqual(summarizeBytes(Buffer.from(text, 'utf8'), { loose }, 25), reference(text, loose), `loose=${loose}`);
    assert.deepEqual(summarizeText(text, {}, 25), reference(text));
  });

  it('top sources: the n most frequent IPv4 addresses, ties by address (as unsigned), against a full sort', function () {
    for (let seed = 1; seed <= 30; seed++) {
      const rng = new Rng(seed);
      // a small pool, so that counts tie; addresses above 128.0.0.0 are negative as int32
      const pool = Array.from({ length: rng.int(1, 60) }, () => [rng.int(0, 255), rng.int(0, 255), rng.int(0, 3), rng.int(0, 255)].join('.'));
      const counts = new Map<string, number>();
      const lines: string[] = [];
      for (let i = rng.int(0, 400); i > 0; i--) {
        const a = rng.pick(pool);
        counts.set(a, (counts.get(a) ?? 0) + 1);
        lines.push(`Jan  1 00:00:00 h kernel: X IN=eth0 OUT= SRC=${a} DST=10.0.0.1 PROTO=UDP SPT=1 DPT=2`);
      }
      const num = (a: string) => a.split('.').reduce((v, o) => v * 256 + Number(o), 0);
      const all = [...counts].sort((x, y) => y[1] - x[1] || num(x[0]) - num(y[0])).map(([key, count]) => ({ key, count }));
      for (const n of [1, 2, 5, 10, 100]) {
        const s = new LogSummarizer();
        s.push(lines.join('\n'));
        s.flush();
        assert.deepEqual(s.result(n).topSources, all.slice(0, n), `seed ${seed} top ${n}`);
      }
    }
  });

  it('on random mangling of every line, many seeds', function () {
    const base = generateLog({ lines: 400, wrapper: 'mixed', seed: 99 }).split('\n');
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new Rng(seed);
      const text = base.map((l) => mangle(mangle(l, rng), rng)).join('\n');
      assert.deepEqual(summarizeBytes(Buffer.from(text, 'utf8'), {}, 25), reference(text), `seed ${seed}`);
    }
  });

  it('read piece by piece into a reused buffer (summarizeReader): any read sizes, lines longer than the buffer, characters cut at its end', function () {
    const base = generateLog({ lines: 300, wrapper: 'mixed', seed: 31 }).split('\n');
    for (let seed = 1; seed <= 12; seed++) {
      const rng = new Rng(seed);
      // damaged lines, non-ASCII ones, a few very long ones, with or without a final line feed
      const lines = base.map((l) => mangle(l, rng));
      for (let k = 0; k < 3; k++) lines.splice(rng.int(0, lines.length), 0, `${rng.pick(base)} ${'é€x'.repeat(rng.int(50, 400))}`);
      const text = lines.join('\n') + (seed % 2 ? '\n' : '');
      const bytes = Buffer.from(text, 'utf8');
      const bufferSize = rng.pick([64, 257, 1000, 4096, 1 << 16]);
      let at = 0;
      const read = (b: Buffer, off: number, len: number) => {
        const n = Math.min(len, bytes.length - at, rng.int(1, 3 * bufferSize));
        bytes.copy(b, off, at, at + n);
        at += n;
        return n;
      };
      assert.deepEqual(summarizeReader(read, {}, 25, bufferSize), reference(text), `seed ${seed}, buffer ${bufferSize}`);
    }
  });
});
