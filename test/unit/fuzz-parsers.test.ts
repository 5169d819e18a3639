/**
 * Property-based fuzzing of every parser (rules and log), the checks, the log summary, the packet
 * spec reader and the tracer: fixtures, examples and the shared corpus broken by mutations (bytes
 * flipped, lines cut, quotes unbalanced, options duplicated, huge numbers, unicode, CRLF, BOM,
 * NUL, very long lines) must parse without throwing, within a time proportional to their size,
 * and every span in the result must lie inside its line. Fixed seeds; `npm run fuzz` scales up.
 */
import fc from 'fast-check';
import { trace } from '../../server/src/analysis/tracer';
import { parsePacketSpec, type Packet } from '../../server/src/analysis/packet';
import { summarizeText } from '../../server/src/analysis/log-summary';
import { parseLogDocument, parseLogLine } from '../../server/src/parser/log/index';
import { tokenizeLine } from '../../server/src/parser/tokenizer';
import { diagnose } from '../../server/src/service/diagnostics';
import { createRulesDocument } from '../../server/src/service/document';
import { FuzzFailure, Lines, Tally, timed } from '../support/fuzz-check';
import { buildDoc, docSpecArb, NASTY_CHARS, NASTY_WORDS } from '../support/fuzz-mutate';
import { check, record, runs } from '../support/fuzz-run';
import { loadSeeds } from '../support/fuzz-seeds';

/** Every object in `root` that looks like a span ({line, start, end} integers) lies inside `lines`. */
function spansInside(root: unknown, lines: Lines, what: string, onlyLine?: number): number {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  let n = 0;
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof Map) {
      for (const x of v.values()) stack.push(x);
      continue;
    }
    const o = v as Record<string, unknown>;
    if (Number.isInteger(o['line']) && Number.isInteger(o['start']) && Number.isInteger(o['end'])) {
      n++;
      const line = o['line'] as number;
      const start = o['start'] as number;
      const end = o['end'] as number;
      const endLine = Number.isInteger(o['endLine']) ? (o['endLine'] as number) : line;
      if (onlyLine !== undefined && line !== onlyLine) throw new FuzzFailure(`${what}: span on line ${line}, expected ${onlyLine}: ${JSON.stringify({ line, start, end })}`);
      if (line < 0 || endLine >= lines.count || endLine < line) throw new FuzzFailure(`${what}: span lines ${line}-${endLine} outside 0..${lines.count - 1}`);
      if (start < 0 || start > lines.lengths[line]! || end > lines.lengths[endLine]! || (endLine === line && end < start))
        throw new FuzzFailure(`${what}: span ${line}:${start}-${endLine}:${end} outside the line (length ${lines.lengths[line]})`);
    }
    for (const x of Array.isArray(v) ? v : Object.values(o)) if (x && typeof x === 'object') stack.push(x);
  }
  return n;
}

const ipv4 = fc.oneof(fc.ipV4(), fc.constantFrom('0.0.0.0', '255.255.255.255', '127.0.0.1', '192.0.2.1', '10.1.2.3'));
const ipv6 = fc.oneof(fc.ipV6(), fc.constantFrom('::', '::1', 'fe80::1', '2001:db8::1', 'ff02::1'));
const iface = fc.oneof(fc.constantFrom('', 'eth0', 'lo', 'docker0', 'veth+', 'wg0', 'br-1234567890ab'), fc.string({ maxLength: 20 }));

const packetArb: fc.Arbitrary<Packet> = fc.oneof(
  fc.record({ family: fc.constant('ipv4' as const), src: ipv4, dst: ipv4 }),
  fc.record({ family: fc.constant('ipv6' as const), src: ipv6, dst: ipv6 }),
).chain((base) =>
  fc.record(
    {
      family: fc.constant(base.family),
      src: fc.constant(base.src),
      dst: fc.constant(base.dst),
      proto: fc.oneof(fc.constantFrom(6, 17, 1, 58, 132, 47, 50, 51, 136), fc.integer({ min: 0, max: 255 })),
      sport: fc.integer({ min: 0, max: 65535 }),
      dport: fc.integer({ min: 0, max: 65535 }),
      flags: fc.integer({ min: 0, max: 255 }),
      iif: iface,
      oif: iface,
      icmpType: fc.integer({ min: 0, max: 255 }),
      icmpCode: fc.integer({ min: 0, max: 255 }),
      len: fc.integer({ min: 0, max: 65535 }),
      ttl: fc.integer({ min: 0, max: 255 }),
      tos: fc.integer({ min: 0, max: 255 }),
      mark: fc.integer({ min: 0, max: 0xffffffff }),
      frag: fc.boolean(),
    },
    { requiredKeys: ['family', 'src', 'dst', 'proto'] },
  ),
);

describe('fuzz: parsers, checks, summary and tracer', function () {
  this.timeout(0);
  const seeds = loadSeeds();
  const tally = new Tally();
  let t0 = Date.now();
  before(function () {
    t0 = Date.now();
  });

  after(function () {
    record('parsers', tally.total, tally.documents, (Date.now() - t0) / 1000, tally.report('fuzz parsers', (Date.now() - t0) / 1000));
  });

  it(`reads broken rules files (${seeds.rules.length} seeds${seeds.fromCorpus ? ', corpus included' : ', corpus missing'})`, function () {
    check(fc.record({ doc: docSpecArb(), family: fc.constantFrom('auto', 'ipv4', 'ipv6'), name: fc.constantFrom('a.rules', 'rules.v6', 'x') }), runs(700), 1, (c) => {
      const { text } = buildDoc(c.doc, seeds.rules, seeds.logs);
      tally.documents++;
      const lines = new Lines(text);
      const doc = timed(tally, 'parseRuleset', text.length, () => createRulesDocument(`file:///f/${c.name}`, 1, text, c.family as 'auto'));
      if (doc.lines.length !== lines.count) throw new FuzzFailure(`the parser sees ${doc.lines.length} lines, an editor ${lines.count}`);
      spansInside(doc.ruleset, lines, 'ruleset');
      const diags = timed(tally, 'diagnose (every check)', text.length, () => diagnose(doc.ruleset, doc.lines));
      spansInside(diags, lines, 'diagnostics');
    });
  });

  it('splits any line into words inside it, in order', function () {
    const line = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.array(fc.oneof(fc.constantFrom(...NASTY_WORDS), fc.constantFrom(...NASTY_CHARS)), { maxLength: 40 }).map((a) => a.join(' ')),
    );
    check(line, runs(2000), 2, (text) => {
      const t = timed(tally, 'tokenizeLine', text.length, () => tokenizeLine(text));
      let prev = 0;
      for (const w of t.words) {
        if (w.start < prev || w.end < w.start || w.end > text.length) throw new FuzzFailure(`word ${JSON.stringify(w)} out of order or outside ${text.length}`);
        prev = w.end;
      }
    });
  });

  it(`reads broken logs line by line and whole (${seeds.logs.length} seeds)`, function () {
    check(docSpecArb(), runs(500), 3, (spec) => {
      const { text } = buildDoc(spec, seeds.logs, seeds.rules);
      tally.documents++;
      const lines = new Lines(text);
      const doc = timed(tally, 'parseLogDocument', text.length, () => parseLogDocument(text));
      if (doc.lineCount !== lines.count) throw new FuzzFailure(`parseLogDocument counts ${doc.lineCount} lines, an editor ${lines.count}`);
      spansInside(doc, lines, 'log document');
      // line by line, as hover reads a line of a huge log
      const raw = text.split(/\r\n|\r|\n/);
      raw.forEach((l, i) => {
        const parsed = timed(tally, 'parseLogLine', l.length, () => parseLogLine(l, i));
        spansInside(parsed, lines, 'log line', i);
      });
      timed(tally, 'summarizeText', text.length, () => summarizeText(text));
    });
  });

  it('reads any packet spec without throwing, and says where it is wrong', function () {
    const spec = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.array(fc.oneof(fc.constantFrom('tcp', 'udp', 'icmp', 'icmpv6', '->', 'flags', 'SYN,ACK', 'in', 'out', 'type', '3/4', 'len', 'ttl', 'mark', 'frag', '1.2.3.4:5', '[::1]:80', '::1', '99999', '0x10'), fc.ipV4(), fc.ipV6()), { maxLength: 12 }).map((a) => a.join(' ')),
    );
    check(spec, runs(2000), 4, (text) => {
      const p = timed(tally, 'parsePacketSpec', text.length, () => parsePacketSpec(text));
      if ('error' in p && !(p.start >= 0 && p.start <= p.end && p.end <= text.length)) throw new FuzzFailure(`error range ${p.start}-${p.end} outside ${text.length}`);
    });
  });

  it('traces random packets through broken rulesets', function () {
    check(fc.record({ doc: docSpecArb(4, 80), packets: fc.array(packetArb, { minLength: 1, maxLength: 4 }), state: fc.constantFrom('auto', 'NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'), loose: fc.boolean() }), runs(250), 5, (c) => {
      const { text } = buildDoc(c.doc, seeds.rules, seeds.logs);
      tally.documents++;
      const lines = new Lines(text);
      const doc = createRulesDocument('file:///t.rules', 1, text);
      for (const p of c.packets) {
        const t = timed(tally, 'trace', text.length, () => trace(doc.ruleset, p, { state: c.state as 'auto', loose: c.loose }));
        for (const b of t.branches) for (const s of b.steps) if (s.line !== undefined && !(s.line >= 0 && s.line < lines.count)) throw new FuzzFailure(`trace step on line ${s.line} of ${lines.count}`);
      }
    });
  });
});
