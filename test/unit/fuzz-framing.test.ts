/**
 * The stdin framer (server/src/framing.ts) under fuzzing: valid JSON-RPC messages interleaved
 * with garbage bytes, header blocks without a usable Content-Length (missing, non-numeric,
 * negative, absurdly large), frames whose Content-Length is too short or too long, empty frames,
 * all cut into chunks at random boundaries. Every valid message must come out whole and in
 * order, and nothing the framer emits may be a malformed frame.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { FrameResync, MAX_MESSAGE_BYTES, parseHeaders } from '../../server/src/framing';
import { check, record, runs } from '../support/fuzz-run';

class Collect extends FrameResync {
  readonly out: Buffer[] = [];
  skipped = 0;
  constructor() {
    super({ onSkip: (n) => (this.skipped += n) });
  }
  override push(chunk: unknown): boolean {
    if (chunk !== null) this.out.push(chunk as Buffer);
    return true;
  }
  feed(chunks: readonly Buffer[]): Buffer[] {
    for (const c of chunks) this._transform(c, 'buffer' as BufferEncoding, (e) => assert.ifError(e));
    return strictFrames(Buffer.concat(this.out));
  }
}

/** Parse frames strictly: anything not a frame is a failure of the framer. */
function strictFrames(data: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at);
    assert.ok(end > at, `the framer emitted bytes that are not a frame at ${at}`);
    const m = /^Content-Length: (\d+)$/.exec(data.subarray(at, end).toString('latin1'));
    assert.ok(m, `the framer emitted a header it should have re-framed: ${data.subarray(at, end).toString('latin1')}`);
    const n = Number(m![1]);
    assert.ok(end + 4 + n <= data.length, 'the framer emitted a frame shorter than its length');
    frames.push(data.subarray(end + 4, end + 4 + n));
    at = end + 4 + n;
  }
  return frames;
}

const frame = (body: Buffer | string, length?: number | string) => {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${length ?? b.length}\r\n\r\n`, 'latin1'), b]);
};

/** Text that cannot contain a header name (so it cannot hide a real header's start). */
const safeText = fc.string({ unit: fc.constantFrom(...'abcdefghijkmnopqrsuvwxyz{}[]":, 0123456789\t\r\n'.split('')), maxLength: 40 });
const safeBytes = fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a.map((x) => (x === 0x43 || x === 0x63 ? 0x41 : x))));

const message = fc
  .record({ id: fc.nat(), method: fc.constantFrom('textDocument/hover', 'initialize', '$/cancelRequest', 'x'), params: fc.jsonValue({ maxDepth: 3 }) })
  .map((m) => JSON.stringify({ jsonrpc: '2.0', ...m }));

type Noise = { k: 'bytes'; b: Buffer } | { k: 'header'; h: string } | { k: 'short'; body: string; cut: number } | { k: 'long'; body: string; extra: number } | { k: 'empty' } | { k: 'badjson'; body: string };

const noise: fc.Arbitrary<Noise> = fc.oneof(
  safeBytes.map((b) => ({ k: 'bytes' as const, b })),
  fc
    .constantFrom('Content-Length: abc', 'Content-Length: -5', 'Content-Length:', `Content-Length: ${MAX_MESSAGE_BYTES + 1}`, 'Content-Length: 99999999999999999', 'X-Junk: 1', 'junk', 'Content-Type: text/plain', 'Content-Length: 1\r\nContent-Length: 2', 'Content-Length 12')
    .map((h) => ({ k: 'header' as const, h })),
  fc.record({ k: fc.constant('short' as const), body: safeText, cut: fc.nat(40) }),
  fc.record({ k: fc.constant('long' as const), body: safeText, extra: fc.integer({ min: 1, max: 5000 }) }),
  fc.constant({ k: 'empty' as const }),
  fc.record({ k: fc.constant('badjson' as const), body: safeText }),
);

function noiseBytes(n: Noise): Buffer {
  switch (n.k) {
    case 'bytes':
      return n.b;
    case 'header':
      return Buffer.from(`${n.h}\r\n\r\n`, 'latin1');
    case 'short':
      return frame(n.body, Math.min(n.cut, Buffer.byteLength(n.body)));
    case 'long':
      return frame(n.body, Buffer.byteLength(n.body) + n.extra);
    case 'empty':
      return frame('');
    case 'badjson':
      return frame(n.body);
  }
}

describe('fuzz: the stdin framer re-synchronises after any damage', function () {
  this.timeout(0);
  let cases = 0;
  let messages = 0;
  let t0 = Date.now();
  before(function () {
    t0 = Date.now();
  });
  after(function () {
    const secs = (Date.now() - t0) / 1000;
    record('framing', cases, cases, secs, `      fuzz framing: ${cases.toLocaleString('en-US')} streams, ${messages.toLocaleString('en-US')} messages recovered whole in ${secs.toFixed(1)} s`);
  });

  it('parses header blocks as LSP defines them', function () {
    assert.equal(parseHeaders('Content-Length: 12'), 12);
    assert.equal(parseHeaders('content-length:12'), 12);
    assert.equal(parseHeaders('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: 3'), 3);
    for (const bad of ['Content-Length: abc', 'Content-Length: -1', 'Content-Length: 1.5', 'X: 1', 'junk', `Content-Length: ${MAX_MESSAGE_BYTES + 1}`, 'Content-Length: 1\r\nContent-Length: 2', 'Content-Length: 1\r\nbroken'])
      assert.equal(parseHeaders(bad), undefined, bad);
  });

  it('passes every valid message through whatever comes between them, cut anywhere', function () {
    const stream = fc.record({
      items: fc.array(fc.tuple(fc.array(noise, { maxLength: 2 }), message), { minLength: 1, maxLength: 6 }),
      cuts: fc.array(fc.nat(), { maxLength: 12 }),
    });
    check(stream, runs(3000), 40, ({ items, cuts }) => {
      cases++;
      const parts: Buffer[] = [];
      const expect: string[] = [];
      for (const [ns, m] of items) {
        for (const n of ns) parts.push(noiseBytes(n));
        parts.push(frame(m));
        expect.push(m);
      }
      const all = Buffer.concat(parts);
      const at = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const c of [...at, all.length]) {
        if (c > prev) chunks.push(all.subarray(prev, c));
        prev = c;
      }
      const out = new Collect().feed(chunks).map((b) => b.toString('utf8'));
      // every valid message, whole, in order (bodies of damaged frames may come out too: vscode-jsonrpc drops those)
      let j = 0;
      for (const m of expect) {
        while (j < out.length && out[j] !== m) j++;
        assert.ok(j < out.length, `message lost: ${m}\nstream: ${JSON.stringify(all.toString('latin1'))}\nout: ${JSON.stringify(out)}`);
        j++;
        messages++;
      }
    });
  });

  it('keeps memory bounded on a flood of garbage and passes a 60 MB message in linear time', function () {
    const c = new Collect();
    const junk = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 64; i++) c._transform(junk, 'buffer' as BufferEncoding, () => {});
    assert.ok(c.skipped >= 63 * (1 << 20), `skipped ${c.skipped}`);
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'x', params: { text: 'a'.repeat(60 << 20) } }));
    const whole = frame(body);
    const t = Date.now();
    const d = new Collect();
    for (let i = 0; i < whole.length; i += 65536) d._transform(whole.subarray(i, i + 65536), 'buffer' as BufferEncoding, () => {});
    const frames = strictFrames(Buffer.concat(d.out));
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.length, body.length);
    assert.ok(Date.now() - t < 5000, `${Date.now() - t} ms for 60 MB`);
  });
});
