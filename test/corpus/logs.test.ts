/**
 * Conformance with real log lines: every line of ../shared/corpus/logs/** is read in place.
 * - Log files (psad captures, kernel messages): a firewall line must yield all its fields (every
 *   character after IN= belongs to a field, no warning), any other line must be recognised as
 *   what it is (kernel message, conntrack, sysctl) or as not a firewall line; a line that is
 *   neither fails the test.
 * - logstash spec files are Ruby: the sample messages of their `let(:message)` blocks are
 *   extracted (SOURCE.md documents them) and must parse as firewall lines with the fields the
 *   spec expects; the Ruby itself is not log text.
 * - Grok pattern files are pattern definitions: every line must be recognised as not a firewall
 *   line (they mention IN=, SRC=... but are no log lines).
 * - psad: the capturing ruleset logged conntrack-INVALID packets with "DROP INVALID" and the rest
 *   with "DROP" (SOURCE.md); our no-entry ctstate inference must agree line by line.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { summarizeLines } from '../../server/src/analysis/log-summary';
import { ctstateWithoutEntry } from '../../server/src/knowledge/conntrack-tcp';
import type { LogLine, PacketLine } from '../../server/src/model/log';
import { parseLogLine } from '../../server/src/parser/log';
import { CORPUS, corpusAvailable, skipOrFail } from '../support/corpus';
import { parsedLinesSummary } from '../support/log-reference';

const LOGS = path.join(CORPUS, 'logs');

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = path.join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

function linesOf(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Problems with a firewall line: characters after IN= no field covers, warnings. */
function fieldProblems(text: string, l: PacketLine): string[] {
  const problems: string[] = [];
  const covered = new Uint8Array(text.length);
  for (const f of l.fields) for (let i = f.span.start; i < f.span.end; i++) covered[i] = 1;
  const from = l.prefix.span.end;
  let end = text.length;
  while (end > from && text[end - 1] === ' ') end--;
  for (let i = from; i < end; i++) {
    if (text[i] !== ' ' && !covered[i]) {
      problems.push(`not covered by a field at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
      break;
    }
  }
  for (const n of l.notes) if (n.severity !== 'info') problems.push(`${n.code}: ${n.message}`);
  // the fields the kernel always prints are decoded
  const p = l.packet;
  if (p.src === undefined || p.dst === undefined || p.proto === undefined) problems.push('SRC/DST/PROTO not decoded');
  if ((p.proto === 'TCP' || p.proto === 'UDP') && (p.spt === undefined || p.dpt === undefined)) problems.push('ports not decoded');
  return problems;
}

/** The sample messages of a logstash spec: the string literals of each `let(:message) do ... end` block, joined. */
function specMessages(file: string): { line: number; text: string }[] {
  const src = linesOf(file);
  const out: { line: number; text: string }[] = [];
  for (let i = 0; i < src.length; i++) {
    if (!/let\(:message\)\s+do/.test(src[i])) continue;
    let text = '';
    let j = i + 1;
    for (; j < src.length && !/^\s*end\s*$/.test(src[j]); j++) {
      for (const m of src[j].matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)) text += m[1] ?? m[2];
    }
    out.push({ line: i + 1, text });
    i = j;
  }
  return out;
}

describe('conformance: real firewall log lines (../shared/corpus/logs)', function () {
  before(function () {
    if (!corpusAvailable()) skipOrFail(this, `corpus not found at ${CORPUS}`);
  });

  it('every line of every log file is a firewall line with all its fields, or recognised as something else', function () {
    const files = walk(LOGS).filter((f) => !f.endsWith('.md') && !f.endsWith('.rb') && !path.basename(f).startsWith('patterns-'));
    assert.ok(files.length >= 9, `log files found: ${files.length}`);
    const failures: string[] = [];
    const kinds: Record<string, number> = {};
    let total = 0;
    for (const file of files) {
      linesOf(file).forEach((text, i) => {
        total++;
        const l: LogLine = parseLogLine(text, i);
        kinds[l.kind] = (kinds[l.kind] ?? 0) + 1;
        const where = `${path.relative(LOGS, file)}:${i + 1}`;
        if (l.kind === 'packet') {
          for (const p of fieldProblems(text, l)) failures.push(`${where}: ${p}`);
        } else if (l.kind === 'other') {
          // a line mentioning the kernel's fields but not parsed as one is a miss
          if (/\bIN=\S* OUT=/.test(text)) failures.push(`${where}: looks like a LOG line but was not recognised`);
          else if (!l.blank && !l.what) failures.push(`${where}: neither a firewall line nor a recognised other line: ${text.slice(0, 80)}`);
        } else if ('notes' in l) {
          for (const n of l.notes) if (n.severity !== 'info') failures.push(`${where}: ${n.code}: ${n.message}`);
        }
      });
    }
    console.log(`      ${total} lines in ${files.length} files: ${JSON.stringify(kinds)}`);
    assert.deepEqual(failures.slice(0, 20), []);
  });

  it('kernel-messages: every line is the table-full message or its rate-limit companion', function () {
    const dir = path.join(LOGS, 'kernel-messages');
    for (const file of walk(dir).filter((f) => f.endsWith('.log'))) {
      for (const [i, text] of linesOf(file).entries()) {
        const l = parseLogLine(text, i);
        assert.equal(l.kind, 'kernel', `${file}:${i + 1}`);
        assert.ok(l.kind === 'kernel' && (l.id === 'conntrack-table-full' || l.id === 'net-ratelimit'), text);
      }
    }
  });

  it('psad captures: "DROP INVALID" lines are exactly the TCP lines our no-entry inference calls INVALID', function () {
    const dir = path.join(LOGS, 'psad');
    let checked = 0;
    for (const file of walk(dir).filter((f) => !f.endsWith('.md'))) {
      for (const [i, text] of linesOf(file).entries()) {
        const l = parseLogLine(text, i);
        if (l.kind !== 'packet' || l.packet.proto !== 'TCP' || !l.prefix.label.startsWith('DROP')) continue;
        const inferred = ctstateWithoutEntry(l.packet.tcpFlagBits ?? 0).state;
        const logged = l.prefix.label === 'DROP INVALID' ? 'INVALID' : 'NEW';
        assert.equal(inferred, logged, `${path.basename(file)}:${i + 1} flags ${l.packet.tcpFlags?.join(' ') || 'NONE'}`);
        checked++;
      }
    }
    assert.ok(checked > 1500, `TCP lines checked: ${checked}`);
  });

  it('logstash specs: every sample message parses with the fields the spec expects', function () {
    const specs = walk(LOGS).filter((f) => f.endsWith('.rb'));
    assert.ok(specs.length >= 2);
    let n = 0;
    for (const file of specs) {
      for (const m of specMessages(file)) {
        n++;
        const where = `${path.basename(file)}:${m.line}`;
        const l = parseLogLine(m.text, 0);
        assert.equal(l.kind, 'packet', `${where}: ${m.text}`);
        const pl = l as PacketLine;
        assert.deepEqual(fieldProblems(m.text, pl), [], where);
        // the addresses and ports the spec's expectations name are the ones we decode
        const src = readFileSync(file, 'utf8');
        for (const key of ['SRC', 'DST', 'SPT', 'DPT', 'TTL', 'LEN']) {
          const f = pl.fields.find((x) => x.key === key && !x.nested);
          if (f) assert.ok(src.includes(f.value), `${where}: ${key}=${f.value} not among the spec's expectations`);
        }
        if (pl.packet.mac) {
          const [dst, srcMac] = [pl.packet.mac.slice(0, 17), pl.packet.mac.slice(18, 35)];
          assert.ok(src.includes(dst) && src.includes(srcMac), `${where}: MACs`);
        }
      }
    }
    assert.ok(n >= 6, `sample messages: ${n}`);
  });

  it('the summary reads the corpus the same through its fast path and through the parser', function () {
    const files = walk(LOGS).filter((f) => !f.endsWith('.md') && !f.endsWith('.rb'));
    const lines = files.flatMap(linesOf);
    const fast = summarizeLines(lines, {}, 50);
    assert.deepEqual(fast, parsedLinesSummary(lines, { top: 50 }));
    assert.equal(fast.packetLines, 2520);
    assert.ok(fast.teardownNoise === 0 && fast.byCtstate.length === 2, JSON.stringify(fast.byCtstate));
  });

  it('grok pattern files: no line passes for a firewall line', function () {
    const files = walk(LOGS).filter((f) => path.basename(f).startsWith('patterns-'));
    assert.ok(files.length >= 2);
    for (const file of files) {
      for (const [i, text] of linesOf(file).entries()) {
        const l = parseLogLine(text, i);
        assert.equal(l.kind, 'other', `${path.basename(file)}:${i + 1}: ${text.slice(0, 60)}`);
      }
    }
  });
});
