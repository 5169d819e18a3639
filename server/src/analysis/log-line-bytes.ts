/**
 * The summary's reading of the commonest firewall log lines straight from the file's bytes:
 *
 *   Mmm dd hh:mm:ss HOST kernel: [UPTIME] PREFIX IN=eth0 OUT= MAC=... SRC=... DST=... PROTO=TCP ...
 *   2025-11-20T08:42:25.123456+01:00 HOST kernel: PREFIX IN=eth0 OUT= ...
 *
 * (classic syslog as rsyslog and syslog-ng write kern.log, and the RFC 3339 timestamps of
 * Debian's rsyslog and `journalctl -o short-iso`). Nothing is decoded: the timestamp,
 * host and tag are checked byte by byte, the prefix is located, and the kernel's fields are read
 * for what the summary counts. The reading is exact only for lines of exactly this shape; at the
 * first byte that could make the general reader (parser/log/wrapper.ts, prefix.ts and the
 * summary's text path) decide otherwise, `read` answers FALLBACK and the caller reads the line as
 * text. So every result equals the text path's (test/unit/log-summary-fast.test.ts compares them
 * on the corpus and on damaged logs).
 *
 * The bytes must be ASCII (the caller checks each piece once): then byte offsets are character
 * offsets and any text sliced out is the same in Latin-1 and UTF-8.
 */
import { minuteKeyOf } from '../model/log';
import * as prefixParser from '../parser/log/prefix';
import * as scan from '../parser/log/scan';

// local bindings: resolved once, not through a module getter on every line
const { notInInterfaceName } = prefixParser;
const { clockValue, digitPair, monthOf } = scan;

/** The line is not of the shape read here: read it as text. */
export const FALLBACK = 0;
/** A syslog line of the kernel that is not a LOG line and needs no parser: count it as other. */
export const OTHER = 1;
/** A LOG line: its fields are in the reader's public offsets. */
export const PACKET = 2;
/**
 * A kernel line without `IN=` whose message, [message, messageEnd), starts with a lower-case
 * letter, `[` or `/`: the parser decides what it is (conntrack listing, kernel message, other),
 * from the message alone (log-kernel-message.ts).
 */
export const MESSAGE = 3;

/**
 * Field texts this long or longer go to the full parser: it stops reading after MAX_FIELDS (400)
 * fields, which needs at least that many characters; shorter ones cannot reach the limit.
 */
export const MAX_FAST_FIELDS_TEXT = 400;

const SPACE = 0x20;
const TAB = 0x09;

export class SyslogLineReader {
  /** The minute key of the line's timestamp (syslog carries no year: year 0). */
  minute = -1;
  /** The prefix without surrounding blanks: [prefixStart, prefixEnd), empty when equal. */
  prefixStart = 0;
  prefixEnd = 0;
  src = -1;
  srcEnd = -1;
  dst = -1;
  dstEnd = -1;
  proto = -1;
  protoEnd = -1;
  dpt = -1;
  window = false;
  flags = 0;
  /** The message of a MESSAGE line: after the wrapper and its blanks, without a final `\r`. */
  message = -1;
  messageEnd = -1;

  /** `viewOf` read four bytes at a time. */
  private viewOf: Uint8Array | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** Offset of the next tab at or after the last line read (-1: none left) in `tabsOf`. */
  private tabsOf: Uint8Array | undefined;
  private nextTab = -1;
  private tabFrom = 0;

  /**
   * Get ready for the lines of buffer b. Optional (read() does it when it meets another buffer),
   * but a caller with many buffers should call it before the first line of each: then read()
   * never takes its new-buffer path, and V8 does not have to throw away the code it optimised
   * for read() when that path comes up for the first time with the second buffer.
   */
  begin(b: Uint8Array): void {
    this.viewFor(b);
    this.tabsOf = b;
    this.tabFrom = 0;
    this.nextTab = b.indexOf(TAB);
  }

  /**
   * Read the line b[start, end) (without its line feed). Lines must come in increasing order
   * within one buffer: the position of the next tab is remembered between them.
   */
  read(b: Uint8Array, start: number, end: number): number {
    if (end > start && b[end - 1] === 0x0d) end--;
    const body = this.wrapper(b, start, end);
    if (body < 0) return FALLBACK;
    // the first `IN=` of the body: the text reader's findIn takes it when its value is an
    // interface name followed by blanks and `OUT=`; every other case is its to decide
    const at = this.inAt(b, body, end);
    if (at < 0) {
      // not a LOG line: conntrack listings, kernel messages and sysctls start with a bracket, a
      // slash or a lower-case letter and need the parser; the rest is just counted
      let p = body;
      while (p < end && (b[p] === SPACE || b[p] === TAB)) p++;
      if (p >= end) return FALLBACK;
      const c = b[p];
      if (c === 0x5b || c === 0x2f || (c >= 0x61 && c <= 0x7a)) {
        this.message = p;
        this.messageEnd = end;
        return MESSAGE;
      }
      return OTHER;
    }
    if (end - at >= MAX_FAST_FIELDS_TEXT || !interfaceThenOut(b, at + 3, end)) return FALLBACK;
    if (this.tabBefore(b, start, end)) return FALLBACK;
    // the prefix: between the wrapper and IN=, blanks trimmed; control characters at its ends
    // are trimmed by String.trim() on the text path: left to it
    let ps = body;
    let pe = at;
    while (ps < pe && b[ps] === SPACE) ps++;
    while (pe > ps && b[pe - 1] === SPACE) pe--;
    if (pe > ps && (b[ps] < 0x20 || b[pe - 1] < 0x20 || b[ps] === 0x7f || b[pe - 1] === 0x7f)) return FALLBACK;
    this.prefixStart = ps;
    this.prefixEnd = pe;
    return this.fields(b, at, end) ? PACKET : FALLBACK;
  }

  /** The view of `b` four bytes at a time. */
  private viewFor(b: Uint8Array): DataView {
    if (this.viewOf !== b) {
      this.viewOf = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    return this.view;
  }

  /**
   * The first `IN=` in b[from, end), or -1: found by its `=`, four bytes at a time (t flags each
   * byte equal to `=`, the lowest flag exactly), then the two bytes before it.
   */
  private inAt(b: Uint8Array, from: number, end: number): number {
    const view = this.viewFor(b);
    let q = from + 2;
    while (q < end) {
      let eq: number;
      if (q + 4 <= end) {
        const v = view.getInt32(q, true) ^ 0x3d3d3d3d;
        const t = (v - 0x01010101) & ~v & 0x80808080;
        if (t === 0) {
          q += 4;
          continue;
        }
        eq = q + firstFlagged(t);
      } else if (b[q] === 0x3d) eq = q;
      else {
        q++;
        continue;
      }
      if (b[eq - 1] === 0x4e && b[eq - 2] === 0x49) return eq - 2;
      q = eq + 1;
    }
    return -1;
  }

  /** Whether a tab lies in b[start, end): such lines have words the text path splits otherwise. */
  private tabBefore(b: Uint8Array, start: number, end: number): boolean {
    if (this.tabsOf !== b || this.tabFrom > start) {
      this.tabsOf = b;
      this.nextTab = b.indexOf(TAB, start);
    } else if (this.nextTab >= 0 && this.nextTab < start) this.nextTab = b.indexOf(TAB, start);
    this.tabFrom = start;
    return this.nextTab >= 0 && this.nextTab < end;
  }

  /**
   * `TIMESTAMP HOST kernel: [UPTIME] ` at start, exactly as parser/log/wrapper.ts reads it, the
   * timestamp classic (`Mmm dd hh:mm:ss[.frac]`) or RFC 3339 (`yyyy-mm-ddThh:mm:ss[.frac][zone]`),
   * one space between the parts, a host that is not itself a tag. Returns where the body starts,
   * or -1 for any other shape.
   */
  private wrapper(b: Uint8Array, start: number, end: number): number {
    if (start + 30 > end) return -1;
    const c = b[start];
    let p = c >= 0x30 && c <= 0x39 ? this.iso(b, start) : this.bsd(b, start);
    if (p < 0 || b[p] !== SPACE) return -1;
    // HOST: one word that does not end in a colon (that would be a tag), then ` kernel: `
    const host = ++p;
    while (p < end && b[p] !== SPACE) {
      if (b[p] === TAB) return -1;
      p++;
    }
    if (p === host || p + 9 > end || b[p - 1] === 0x3a) return -1;
    if (b[p + 1] !== 0x6b || b[p + 2] !== 0x65 || b[p + 3] !== 0x72 || b[p + 4] !== 0x6e || b[p + 5] !== 0x65 || b[p + 6] !== 0x6c || b[p + 7] !== 0x3a || b[p + 8] !== SPACE) return -1;
    p += 9;
    while (p < end && (b[p] === SPACE || b[p] === TAB)) p++;
    // `[ 123.456]`: the kernel's uptime, when there is one
    if (p < end && b[p] === 0x5b) {
      let u = p + 1;
      while (u < end && (b[u] === SPACE || b[u] === TAB)) u++;
      const digits = u;
      while (u < end && b[u] >= 0x30 && b[u] <= 0x39) u++;
      let ok = u > digits;
      if (ok && u < end && b[u] === 0x2e) {
        const f = ++u;
        while (u < end && b[u] >= 0x30 && b[u] <= 0x39) u++;
        ok = u > f;
      }
      if (ok && u < end && b[u] === 0x5d) {
        p = u + 1;
        while (p < end && (b[p] === SPACE || b[p] === TAB)) p++;
      }
    }
    return p;
  }

  /** `Mmm dd hh:mm:ss[.frac]` at p (the day padded with a space or not): its end, or -1. Sets the minute. */
  private bsd(b: Uint8Array, p: number): number {
    const month = monthOf(b[p], b[p + 1], b[p + 2]);
    if (month === 0 || b[p + 3] !== SPACE) return -1;
    let q = p + 4;
    q += b[q] === SPACE ? 1 : 0; // (no branch of its own: a log reaching day 1 late would throw away code optimised without it)
    const d0 = b[q] - 0x30;
    if (d0 < 0 || d0 > 9) return -1;
    let day = d0;
    q++;
    const d1 = b[q] - 0x30;
    if (d1 >= 0 && d1 <= 9) {
      day = day * 10 + d1;
      q++;
    }
    if (b[q] !== SPACE || day < 1 || day > 31) return -1;
    const clock = clockOf(b, q + 1);
    if (clock < 0) return -1;
    this.minute = minuteKeyOf(0, month, day, Math.floor(clock / 3600), Math.floor(clock / 60) % 60);
    return fractionEnd(b, q + 9);
  }

  /**
   * `yyyy-mm-dd[T ]hh:mm:ss[.frac][Z|+hh:mm|+hhmm]` at p: its end, or -1 (also for dmesg's
   * `,frac`, which the text reader takes for a line without host). Sets the minute.
   */
  private iso(b: Uint8Array, p: number): number {
    if (b[p + 4] !== 0x2d || b[p + 7] !== 0x2d || (b[p + 10] !== 0x54 && b[p + 10] !== SPACE)) return -1;
    const century = twoDigits(b, p);
    const year = twoDigits(b, p + 2);
    const month = twoDigits(b, p + 5);
    const day = twoDigits(b, p + 8);
    const clock = clockOf(b, p + 11);
    if (century < 0 || year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || clock < 0) return -1;
    if (b[p + 19] === 0x2c) return -1;
    let q = fractionEnd(b, p + 19);
    const z = b[q];
    if (z === 0x5a) q++;
    else if (z === 0x2b || z === 0x2d) {
      // an offset the text reader cannot read leaves the timestamp ending before its sign
      let r = q + 3;
      if (b[r] === 0x3a) r++;
      if (twoDigits(b, q + 1) >= 0 && twoDigits(b, r) >= 0) q = r + 2;
    }
    this.minute = minuteKeyOf(century * 100 + year, month, day, Math.floor(clock / 3600), Math.floor(clock / 60) % 60);
    return q;
  }

  /**
   * The fields the summary counts, words split at spaces (the line has no tab): the last SRC=,
   * DST=, PROTO= and valid DPT=, whether a valid WINDOW= is there, the TCP flag words after a
   * PROTO=TCP; the packet an ICMP error quotes in `[...]` is skipped. False, for the text path's
   * word reader to decide, on a second `[`, brackets or parentheses, `INCOMPLETE` or `Unknown`
   * inside the quote, and on the words `OPT`, `INCOMPLETE` and `Unknown`.
   */
  private fields(b: Uint8Array, at: number, end: number): boolean {
    const view = this.viewFor(b);
    const lim = b.length;
    this.src = this.srcEnd = this.dst = this.dstEnd = this.proto = this.protoEnd = this.dpt = -1;
    this.window = false;
    let flags = 0;
    let tcp = false;
    let quoted = false;
    let p = at;
    while (p < end) {
      const c = b[p];
      if (c === SPACE) {
        p++;
        continue;
      }
      const ws = p;
      // the end of the word: the line ends at a line feed or carriage return (or the end of the
      // buffer), so the first byte up to SPACE finds it; a control character inside a word does
      // not end it
      let we = ws + 1;
      // four bytes at a time: t flags each byte below 0x21 (the bytes are ASCII), the lowest flag
      // exactly (a borrow only runs upwards from a flagged byte)
      for (;;) {
        if (we + 4 > lim) {
          while (b[we] > SPACE) we++;
          break;
        }
        const v = view.getInt32(we, true);
        const t = (v - 0x21212121) & ~v & 0x80808080;
        if (t !== 0) {
          we += firstFlagged(t);
          break;
        }
        we += 4;
      }
      if (we < end && b[we] !== SPACE) while (we < end && b[we] !== SPACE) we++;
      // the space after the word is passed here, not by another turn of the loop
      p = we + 1;
      const len = we - ws;
      switch (c) {
        case 0x53: // SRC=
          if (len >= 4 && b[ws + 3] === 0x3d && b[ws + 1] === 0x52 && b[ws + 2] === 0x43) {
            this.src = ws + 4;
            this.srcEnd = we;
            continue;
          }
          break;
        case 0x44: // DST= DPT=
          if (len >= 4 && b[ws + 3] === 0x3d && b[ws + 2] === 0x54) {
            const k = b[ws + 1];
            if (k === 0x53) {
              this.dst = ws + 4;
              this.dstEnd = we;
            } else if (k === 0x50) {
              const n = uintOf(b, ws + 4, we);
              if (n >= 0) this.dpt = n;
            }
            continue;
          }
          break;
        case 0x50: // PROTO=
          if (len >= 6 && b[ws + 5] === 0x3d && b[ws + 1] === 0x52 && b[ws + 2] === 0x4f && b[ws + 3] === 0x54 && b[ws + 4] === 0x4f) {
            this.proto = ws + 6;
            this.protoEnd = we;
            tcp = len === 9 && b[ws + 6] === 0x54 && b[ws + 7] === 0x43 && b[ws + 8] === 0x50;
            if (tcp) flags = 0;
            continue;
          }
          break;
        case 0x57: // WINDOW=
          if (len >= 7 && b[ws + 6] === 0x3d && b[ws + 1] === 0x49 && b[ws + 2] === 0x4e && b[ws + 3] === 0x44 && b[ws + 4] === 0x4f && b[ws + 5] === 0x57) {
            if (uintOf(b, ws + 7, we) >= 0) this.window = true;
            continue;
          }
          break;
        case 0x5b: {
          // `[`: the packet an ICMP error quotes, up to the first `]`; nothing in it is counted
          if (quoted) return false;
          quoted = true;
          let close = ws + 1;
          for (; close < end; close++) {
            const d = b[close];
            if (d === 0x5d) break;
            if (d === 0x5b || d === 0x28 || d === 0x29) return false;
            if (d === 0x49 && close + 10 <= end && sameAscii(b, close, 'INCOMPLETE')) return false;
            if (d === 0x55 && close + 7 <= end && sameAscii(b, close, 'Unknown')) return false;
          }
          p = close + 1;
          continue;
        }
        case 0x4f: // OPT
          if (len === 3 && b[ws + 1] === 0x50 && b[ws + 2] === 0x54) return false;
          break;
        case 0x49: // INCOMPLETE
          if (len === 10 && sameAscii(b, ws, 'INCOMPLETE')) return false;
          break;
        case 0x55: // Unknown
          if (len === 7 && sameAscii(b, ws, 'Unknown')) return false;
          break;
      }
      if (tcp && (len === 3 || len === 2)) flags |= flagBit(b, ws, len);
    }
    this.flags = flags;
    return true;
  }
}

/**
 * After `IN=` at v: an interface name as findIn accepts it (at most 15 characters, none of the
 * characters it refuses), blanks, then `OUT=`.
 */
function interfaceThenOut(b: Uint8Array, v: number, end: number): boolean {
  let e = v;
  for (; e < end; e++) {
    const c = b[e];
    if (c === SPACE || c === TAB) break;
    if (notInInterfaceName(c)) return false;
  }
  if (e - v > 15) return false;
  while (e < end && (b[e] === SPACE || b[e] === TAB)) e++;
  return e + 4 <= end && b[e] === 0x4f && b[e + 1] === 0x55 && b[e + 2] === 0x54 && b[e + 3] === 0x3d;
}

/**
 * Of four bytes read little-endian, the index (0-3) of the first one flagged in t (a flag is bit 7
 * of its byte, and t is not 0).
 */
function firstFlagged(t: number): number {
  return (31 - Math.clz32(t & -t)) >> 3;
}

/** `hh:mm:ss` at p as seconds of the day, or -1 (scan.ts clockAt for bytes). */
function clockOf(b: Uint8Array, p: number): number {
  if (b[p + 2] !== 0x3a || b[p + 5] !== 0x3a) return -1;
  return clockValue(twoDigits(b, p), twoDigits(b, p + 3), twoDigits(b, p + 6));
}

/** After the seconds at p: the end of a `.123` or `,123` fraction, or p when there is none. */
function fractionEnd(b: Uint8Array, p: number): number {
  const c = b[p];
  if (c !== 0x2e && c !== 0x2c) return p;
  let q = p + 1;
  while (b[q] >= 0x30 && b[q] <= 0x39) q++;
  return q > p + 1 ? q : p;
}

function twoDigits(b: Uint8Array, p: number): number {
  return digitPair(b[p], b[p + 1]);
}

/** Unsigned decimal in b[s, e) (1 to 15 digits), or -1. */
function uintOf(b: Uint8Array, s: number, e: number): number {
  if (s >= e || e - s > 15) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Whether b holds the ASCII text `t` at s. */
export function sameAscii(b: Uint8Array, s: number, t: string): boolean {
  for (let i = 0; i < t.length; i++) if (b[s + i] !== t.charCodeAt(i)) return false;
  return true;
}

/** Header bit of the TCP flag word of length 2 or 3 at s, or 0. */
function flagBit(b: Uint8Array, s: number, len: number): number {
  return flagWordBit(len, b[s], b[s + 1], b[s + 2]);
}

/**
 * Header bit of the TCP flag word of `len` characters whose first codes are x, y, z (`ACK`, `SYN`...,
 * `AE` for the accurate-ECN bit 0x100), or 0: for the byte reader and the summary's text path.
 */
export function flagWordBit(len: number, x: number, y: number, z: number): number {
  if (len === 2) return x === 0x41 && y === 0x45 ? 0x100 : 0; // AE
  if (len !== 3) return 0;
  switch (x) {
    case 0x41: // ACK
      return y === 0x43 && z === 0x4b ? 0x10 : 0;
    case 0x50: // PSH
      return y === 0x53 && z === 0x48 ? 0x08 : 0;
    case 0x52: // RST
      return y === 0x53 && z === 0x54 ? 0x04 : 0;
    case 0x53: // SYN
      return y === 0x59 && z === 0x4e ? 0x02 : 0;
    case 0x46: // FIN
      return y === 0x49 && z === 0x4e ? 0x01 : 0;
    case 0x55: // URG
      return y === 0x52 && z === 0x47 ? 0x20 : 0;
    case 0x45: // ECE
      return y === 0x43 && z === 0x45 ? 0x40 : 0;
    case 0x43: // CWR
      return y === 0x57 && z === 0x52 ? 0x80 : 0;
    default:
      return 0;
  }
}

/** The dotted quad in b[s, e) as a signed 32-bit integer, or NaN when it is not exactly one. */
export function ipv4Of(b: Uint8Array, s: number, e: number): number {
  if (e - s < 7 || e - s > 15) return NaN;
  let ip = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c === 0x2e) {
      if (digits === 0 || ++dots > 3) return NaN;
      ip = (ip << 8) | part;
      part = 0;
      digits = 0;
    } else {
      const d = c - 0x30;
      if (d < 0 || d > 9 || ++digits > 3) return NaN;
      part = part * 10 + d;
      if (part > 255) return NaN;
    }
  }
  if (dots !== 3 || digits === 0) return NaN;
  return (ip << 8) | part;
}
