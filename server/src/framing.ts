/**
 * A forgiving reader of LSP base-protocol frames (`Content-Length: N\r\n\r\n` + N bytes), placed
 * between the transport and vscode-jsonrpc. vscode-jsonrpc trusts its input: one byte of garbage,
 * a header without a usable Content-Length, or a length that is wrong leaves its reader waiting
 * for a message that never comes, and the server stops answering for good while still running.
 * This stream re-synchronises instead:
 * - bytes before a header block are skipped (and said so on stderr);
 * - a header block is accepted only with one Content-Length of 0..MAX_MESSAGE_BYTES digits;
 * - a body that turns out to contain a header block (raw CR LF cannot occur in JSON, so such a
 *   body was cut short by a wrong length) is dropped and reading resumes at that header;
 * - whole frames are passed on re-framed (Content-Length only), so the reader behind sees only
 *   well-formed frames. Whether a body is valid JSON is left to vscode-jsonrpc, which survives that.
 * Memory stays bounded by the largest legitimate message: skipped bytes are not kept.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Largest message accepted (a 50 MB log opened in an editor travels as one message). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** Longest header block accepted; real ones are under 100 bytes. */
const MAX_HEADER_BYTES = 4096;

/** Where a header block may begin: a header name LSP defines. */
const HEADER_START = /content-(?:length|type)[ \t]*:/gi;
/** A complete header block with a Content-Length, as raw bytes (latin1). */
const HEADER_BLOCK_IN_BODY = /content-length[ \t]*:[ \t]*\d+[ \t]*\r\n(?:[^\r\n]*\r\n){0,8}?\r\n/i;

export interface FrameEvents {
  /** Bytes that were not part of any well-formed frame, and why. */
  onSkip?(bytes: number, why: string): void;
}

export class FrameResync extends Transform {
  /** Bytes not yet understood while looking for a header. */
  private head: Buffer = Buffer.alloc(0);
  /** Body chunks of the current frame, and how many bytes it needs. */
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private need = -1;
  /** The last bytes of the body seen so far, to find a header that straddles two chunks. */
  private bodyTail = '';

  constructor(private readonly events: FrameEvents = {}) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    } catch (e) {
      // never let a framing problem end the stream: drop what we hold and start over
      this.skip(this.head.length + this.bodyBytes, `framing failed (${e instanceof Error ? e.message : String(e)})`);
      this.head = Buffer.alloc(0);
      this.resetBody();
      done();
    }
  }

  private skip(bytes: number, why: string): void {
    if (bytes > 0) this.events.onSkip?.(bytes, why);
  }

  private resetBody(): void {
    this.body = [];
    this.bodyBytes = 0;
    this.need = -1;
    this.bodyTail = '';
  }

  private consume(chunk: Buffer): void {
    let data: Buffer | undefined = chunk;
    while (data && data.length) {
      if (this.need < 0) data = this.readHeader(data);
      else data = this.readBody(data);
    }
  }

  /**
   * Consume header bytes; returns what is left over once a header block is complete. Linear in
   * the bytes held: candidates that cannot end within MAX_HEADER_BYTES are skipped in one step.
   */
  private readHeader(data: Buffer): Buffer | undefined {
    this.head = this.head.length ? Buffer.concat([this.head, data]) : data;
    const text = this.head.toString('latin1');
    let pos = 0;
    for (;;) {
      HEADER_START.lastIndex = pos;
      const m = HEADER_START.exec(text);
      if (!m) {
        // keep a few bytes in case a header name is cut between two chunks
        const from = Math.max(pos, text.length - 32);
        this.skip(from, 'not a protocol message');
        this.head = this.head.subarray(from);
        return undefined;
      }
      const c = m.index;
      const e = text.indexOf('\r\n\r\n', c);
      if (e < 0) {
        if (text.length - c <= MAX_HEADER_BYTES) {
          // wait for the rest of this header
          this.skip(c, 'not a protocol message');
          this.head = this.head.subarray(c);
          return undefined;
        }
        pos = Math.max(c + 1, text.length - MAX_HEADER_BYTES);
        continue;
      }
      if (e - c > MAX_HEADER_BYTES) {
        pos = Math.max(c + 1, e - MAX_HEADER_BYTES);
        continue;
      }
      const length = parseHeaders(text.slice(c, e));
      if (length === undefined) {
        pos = nextCandidate(text, c, e);
        continue;
      }
      this.skip(c, 'not a protocol message (or a header without a valid Content-Length)');
      const rest = this.head.subarray(e + 4);
      this.head = Buffer.alloc(0);
      if (length === 0) {
        // an empty body is no message; read on
        this.skip(e + 4 - c, 'empty message');
        return rest.length ? rest : undefined;
      }
      this.need = length;
      return rest.length ? rest : undefined;
    }
  }

  /** Consume body bytes; returns the bytes after the frame once it is complete. */
  private readBody(data: Buffer): Buffer | undefined {
    const want = this.need - this.bodyBytes;
    const part = data.length > want ? data.subarray(0, want) : data;
    // a header block inside the body means the length was wrong: resume reading at that header
    const window = this.bodyTail + part.toString('latin1');
    const hit = HEADER_BLOCK_IN_BODY.exec(window);
    if (hit) {
      const inPart = hit.index - this.bodyTail.length;
      this.skip(this.bodyBytes + Math.max(0, inPart), 'message shorter than its Content-Length');
      const from = Math.max(0, inPart);
      const restart = Buffer.concat([Buffer.from(window.slice(hit.index, this.bodyTail.length + from), 'latin1'), data.subarray(from)]);
      this.resetBody();
      return restart;
    }
    this.body.push(part);
    this.bodyBytes += part.length;
    this.bodyTail = window.slice(-128);
    if (this.bodyBytes < this.need) return undefined;
    const payload = this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body, this.bodyBytes);
    this.resetBody();
    const after = data.length > want ? data.subarray(want) : undefined;
    if (!looksLikeObject(payload)) {
      // no JSON-RPC message: the length was wrong (too long by a few bytes, say, so the body took
      // the start of the next header). Read these bytes again as if no header had claimed them.
      this.skip(0, 'message that is not a JSON object');
      return after ? Buffer.concat([payload, after]) : payload;
    }
    this.push(Buffer.from(`Content-Length: ${payload.length}\r\n\r\n`, 'ascii'));
    this.push(payload);
    return after;
  }
}

/** The Content-Length of a header block, or undefined when the block is not one LSP can read. */
export function parseHeaders(block: string): number | undefined {
  let length: number | undefined;
  for (const line of block.split('\r\n')) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) return undefined;
    if (m[1]!.toLowerCase() !== 'content-length') continue;
    if (!/^\d{1,12}$/.test(m[2]!)) return undefined;
    const n = Number(m[2]);
    if (n > MAX_MESSAGE_BYTES || (length !== undefined && length !== n)) return undefined;
    length = n;
  }
  return length;
}

/**
 * Where to look for a header after the unreadable block [c, e): after the block, or inside it where
 * a header name is glued to what came before (garbage ending in `content-type:` followed by a real
 * header), but not at a line of the block itself (a block with two Content-Lengths is refused whole).
 */
function nextCandidate(text: string, c: number, e: number): number {
  let from = c + 1;
  for (;;) {
    HEADER_START.lastIndex = from;
    const m = HEADER_START.exec(text);
    if (!m || m.index >= e) return e + 4;
    if (text.charCodeAt(m.index - 1) !== 10 || text.charCodeAt(m.index - 2) !== 13) return m.index;
    from = m.index + 1;
  }
}

const isBlank = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** A JSON-RPC message is a JSON object: `{` ... `}` apart from blanks. (Its validity is vscode-jsonrpc's to judge.) */
function looksLikeObject(body: Buffer): boolean {
  let i = 0;
  let j = body.length - 1;
  while (i <= j && isBlank(body[i]!)) i++;
  while (j >= i && isBlank(body[j]!)) j--;
  return i < j && body[i] === 0x7b && body[j] === 0x7d;
}
