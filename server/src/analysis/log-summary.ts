/**
 * A summary of a firewall log: how many lines per log prefix, per TCP flag set, per inferred
 * conntrack state, per protocol; the top sources, destinations and destination ports; lines per
 * minute per prefix; and how many lines are harmless teardown noise (a late FIN or RST of a
 * connection conntrack already forgot, which is INVALID and falls through to the LOG rule).
 *
 * The inferred ctstate is the one the kernel gives a TCP segment that matches no conntrack entry
 * (knowledge/conntrack-tcp.ts). For logged-and-dropped packets that is almost always the right
 * explanation: a packet of a tracked connection would have been ESTABLISHED and accepted.
 *
 * Two ways in, same result on every line, mangled ones included (test/unit/log-summary-fast.test.ts
 * compares them on the corpus and on generated, damaged logs):
 * - raw bytes: `summarizeReader(read)` for a file read a piece at a time into one buffer (the
 *   fastest, and what `iptables-lens logs` does), `summarizeBytes(bytes)` for contents in memory:
 *   classic syslog and RFC 3339 kernel lines are read from the bytes without decoding
 *   (log-line-bytes.ts, compared with the parser by test/unit/log-line-bytes.test.ts), the kernel
 *   messages among them parsed once per distinct text (log-kernel-message.ts), every other line
 *   as text, as below.
 * - raw text: `summarizeText`,
 *   `summarizeLines`, or `LogSummarizer.push(chunk)`/`flush()`/`addLine(line)` for streams. Lines
 *   are read in place, no regular expressions, no string per line: the wrapper by the parser's own
 *   scanner, the packet's words by native searches for their ends, IPv4 addresses counted by
 *   value; ordinary syslog lines are counted without parsing. Only conntrack, kernel-message and
 *   sysctl lines, and LOG lines of a shape the fast reading does not mirror (tabs, a second `[`,
 *   `INCOMPLETE`...), go through the full parser.
 * - parsed lines: `LogSummarizer.addParsed(line)`, `summarizeDocument(doc)`.
 */
import { Buffer, isAscii } from 'node:buffer';
import { ctstateWithoutEntry } from '../knowledge/conntrack-tcp';
import { tcpFlagText } from '../knowledge/conntrack-tcp';
import type { LogDocument, LogLine } from '../model/log';
import { formatMinuteKey } from '../model/log';
import * as lineParser from '../parser/log/line';
import * as prefixParser from '../parser/log/prefix';
import * as scanHelpers from '../parser/log/scan';
import * as wrapperParser from '../parser/log/wrapper';
import { isUnknownTagged, MessageMemo, type MessageOutcome, outcomeOf } from './log-kernel-message';
import * as lineBytes from './log-line-bytes';
import { SortedCounter } from './sorted-counter';

// local bindings: resolved once, not through a module getter on every line
const { parseLogLine } = lineParser;
const { findIn } = prefixParser;
const { WrapperScan, scanWrapper } = wrapperParser;
const { parseUint } = scanHelpers;
const { FALLBACK, flagWordBit, ipv4Of, MAX_FAST_FIELDS_TEXT, MESSAGE, OTHER, sameAscii, SyslogLineReader } = lineBytes;


export interface LogSummaryOptions {
  /** `net.netfilter.nf_conntrack_tcp_loose` assumed for the ctstate inference (default true, the kernel default). */
  readonly loose?: boolean;
}

export interface CountEntry {
  readonly key: string;
  readonly count: number;
}

export interface MinuteCount {
  /** Timestamp.minuteKey. */
  readonly minute: number;
  /** `Jan 27 15:21` or `2024-01-27 15:21`. */
  readonly label: string;
  readonly count: number;
}

export interface PrefixSummary {
  /** The prefix without surrounding blanks (`` for lines without one). */
  readonly prefix: string;
  readonly count: number;
  /** TCP lines of this prefix whose flags make them INVALID without an entry / NEW. */
  readonly invalid: number;
  readonly new: number;
  /** Late FIN / RST teardown lines (a subset of `invalid`). */
  readonly teardownNoise: number;
  /** Lines per minute, in time order (empty when the lines carry no wall-clock time). */
  readonly perMinute: readonly MinuteCount[];
  /**
   * 0-based number of the first line with this prefix (its position in the input, or the line
   * number of a parsed line): an example to explain, or to find the rule that wrote it.
   */
  readonly firstLine: number;
}

export interface LogSummary {
  readonly lines: number;
  readonly packetLines: number;
  readonly conntrackLines: number;
  readonly kernelLines: number;
  readonly sysctlLines: number;
  readonly otherLines: number;
  readonly blankLines: number;
  readonly byPrefix: readonly PrefixSummary[];
  /** TCP flag sets as written (`ACK FIN`, `NONE` for no flag). */
  readonly byFlags: readonly CountEntry[];
  /** NEW / INVALID for TCP lines, by the no-entry rule. */
  readonly byCtstate: readonly CountEntry[];
  readonly byProtocol: readonly CountEntry[];
  readonly topSources: readonly CountEntry[];
  readonly topDestinations: readonly CountEntry[];
  /** `443/tcp`. */
  readonly topDestinationPorts: readonly CountEntry[];
  /** Late teardown lines (FIN ACK, RST, ACK RST...: INVALID without an entry, harmless). */
  readonly teardownNoise: number;
  /** TCP lines whose flags were classified. */
  readonly tcpLines: number;
  /** Kernel messages by id (`conntrack-table-full`...). */
  readonly kernelMessages: readonly CountEntry[];
  /** Sum of `net_ratelimit: N callbacks suppressed`. */
  readonly suppressedCallbacks: number;
  /** Conntrack listing lines by TCP state or protocol. */
  readonly conntrackStates: readonly CountEntry[];
  readonly firstMinute?: string;
  readonly lastMinute?: string;
}

interface PrefixStats {
  count: number;
  invalid: number;
  neu: number;
  teardown: number;
  /** Lines per minute (see MinuteCounts). */
  readonly minutes: MinuteCounts;
  firstLine: number;
}

/**
 * Lines per minute key, as two arrays of numbers in the order the minutes first came: a log in
 * time order only ever appends, and a month of log makes hundreds of thousands of (prefix,
 * minute) pairs that are then no objects for the collector to trace. A minute that comes back
 * after a later one is found through an index made the first time that happens.
 */
class MinuteCounts {
  readonly keys: number[] = [];
  readonly counts: number[] = [];
  /** Position of the last minute counted, and the largest minute so far. */
  private last = -1;
  private max = -1;
  private index: Map<number, number> | undefined;

  add(minute: number): void {
    const last = this.last;
    if (last >= 0 && this.keys[last] === minute) {
      this.counts[last]++;
      return;
    }
    let at: number | undefined;
    if (minute > this.max) this.max = minute;
    else {
      if (!this.index) {
        this.index = new Map();
        for (let i = 0; i < this.keys.length; i++) this.index.set(this.keys[i]!, i);
      }
      at = this.index.get(minute);
    }
    if (at === undefined) {
      at = this.keys.length;
      this.keys.push(minute);
      this.counts.push(0);
      this.index?.set(minute, at);
    }
    this.counts[at]++;
    this.last = at;
  }

  /** The minutes and their counts by time, each labelled by `label`. */
  inOrder(label: (minute: number) => string): MinuteCount[] {
    const { keys, counts } = this;
    const out = new Array<MinuteCount>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const minute = keys[i]!;
      out[i] = { minute, label: label(minute), count: counts[i]! };
    }
    // appended in time order unless some minute came back (then the index exists)
    return this.index ? out.sort((a, b) => a.minute - b.minute) : out;
  }
}

/** The widest range of minutes whose labels result() keeps in an array (a year is 535 680 keys). */
const MAX_LABEL_SPAN = 1 << 20;

/** Per flag byte: 1 NEW, 2 INVALID; and whether it is late teardown. */
function ctTables(loose: boolean): { state: Uint8Array; teardown: Uint8Array } {
  const state = new Uint8Array(256);
  const teardown = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    const v = ctstateWithoutEntry(b, { loose });
    state[b] = v.state === 'NEW' ? 1 : 2;
    teardown[b] = v.lateTeardown ? 1 : 0;
  }
  return { state, teardown };
}

const TABLES = { loose: ctTables(true), strict: ctTables(false) };

// interned protocol keys: no allocation for the common ones
const P_TCP = 'TCP';
const P_UDP = 'UDP';
const P_ICMP = 'ICMP';
const P_ICMPV6 = 'ICMPv6';

export class LogSummarizer {
  private lines = 0;
  private packet = 0;
  private conntrack = 0;
  private kernel = 0;
  private sysctl = 0;
  private other = 0;
  private blank = 0;
  private tcp = 0;
  private teardown = 0;
  private suppressed = 0;
  private readonly flagCounts = new Float64Array(512);
  private readonly ctNew = { n: 0 };
  private readonly ctInvalid = { n: 0 };
  private readonly prefixes = new Map<string, PrefixStats>();
  private readonly protocols = new ProtocolTally();
  private readonly sources = new AddrTally();
  private readonly destinations = new AddrTally();
  /** key: port * 4 + (0 tcp, 1 udp, 2 other). */
  private readonly ports = new Map<number, number>();
  /** The same for ports up to 65535 (all real ones): counted in place, no hashing. */
  private readonly portCounts = new Float64Array(65536 * 4);
  private readonly kernelIds = new Map<string, number>();
  private readonly ctStates = new Map<string, number>();
  private minMinute = Infinity;
  private maxMinute = -Infinity;
  private readonly scan: wrapperParser.WrapperScan = new WrapperScan();
  /** What the kernel messages seen so far are, by their text (log-kernel-message.ts). */
  private readonly messages = new MessageMemo();
  /** Reads classic syslog LOG lines of ASCII pieces without decoding them (log-line-bytes.ts). */
  private readonly bytes: lineBytes.SyslogLineReader = new SyslogLineReader();
  /** Last prefix seen: logs come in runs of the same prefix, so most lines reuse the string. */
  private lastPrefix = '';
  private lastPrefixStats: PrefixStats | undefined;
  private readonly state: Uint8Array;
  private readonly teardownTable: Uint8Array;

  constructor(options: LogSummaryOptions = {}) {
    const t = options.loose === false ? TABLES.strict : TABLES.loose;
    this.state = t.state;
    this.teardownTable = t.teardown;
  }

  /** Add one raw line (without its line break). */
  addLine(text: string): void {
    this.addRange(text, 0, text.length);
  }

  /** The text nextIn belongs to, and the offset of its next `IN=` at or after the last line start. */
  private inText = '';
  private inFrom = 0;
  private nextIn = -1;

  /**
   * Add the line text[start, end) in place: chunks are read without cutting them into one string
   * per line. Searches may look past `end` into the following lines; every hit beyond it counts as
   * not found, and the next `IN=` is remembered so that a run of non-firewall lines is crossed once.
   */
  private addRange(text: string, start: number, end: number): void {
    this.lines++;
    if (end > start && text.charCodeAt(end - 1) === 0x0d) end--;
    const s = this.scan;
    scanWrapper(text, start, end, s);
    const body = s.bodyStart;
    if (this.inText !== text || this.inFrom > start || (this.nextIn >= 0 && this.nextIn < start)) {
      this.inText = text;
      this.nextIn = text.indexOf('IN=', start);
    }
    this.inFrom = start;
    // nextIn is the first IN= at or after the line start: also the first after the wrapper,
    // unless it lies inside the wrapper
    const next = this.nextIn;
    const at = next >= 0 && next < end ? (next >= body ? findIn(text, body, end, next) : findIn(text, body, end)) : -1;
    if (at < 0) {
      // Not a LOG line. Only conntrack listings (`[NEW] tcp ...`, `ipv4 2 ...`, `tcp 6 ...`), kernel
      // conntrack messages (`nf_conntrack: ...`) and sysctls (`net.netfilter...`, `sysctl -w`,
      // `/proc/sys/...`) need the full parser; they start with a bracket, a lower-case letter or a
      // slash. Everything else (the bulk of a mixed syslog) is counted without parsing.
      let b = body;
      while (b < end && isBlank(text.charCodeAt(b))) b++;
      const c = b < end ? text.charCodeAt(b) : -1;
      if (c === 0x5b || c === 0x2f || (c >= 0x61 && c <= 0x7a)) {
        const line = parseLogLine(start === 0 && end === text.length ? text : text.slice(start, end));
        this.addOther(line, outcomeOf(line));
      } else if (c < 0 && body === start) this.blank++;
      else this.other++;
      return;
    }
    // Lines the fast reading below does not mirror exactly go through the full parser (see fields()).
    if (end - at >= MAX_FAST_FIELDS_TEXT || !this.fields(text, at, end)) {
      this.lines--;
      this.addParsed(parseLogLine(text.slice(start, end), this.lines));
      return;
    }
    this.packet++;
    // prefix label: text between the wrapper and IN=, without surrounding blanks
    let ps = body;
    let pe = at;
    while (ps < pe && isBlank(text.charCodeAt(ps))) ps++;
    while (pe > ps && isBlank(text.charCodeAt(pe - 1))) pe--;
    const stats = ps === pe ? this.statsFor('', this.lines - 1) : this.prefixAt(text, ps, pe, this.lines - 1);
    const minute = s.tsStart >= 0 ? s.minuteKey : -1;
    const f = this.found;
    if (f.srcEnd > f.src) this.sources.add(text, f.src, f.srcEnd);
    if (f.dstEnd > f.dst) this.destinations.add(text, f.dst, f.dstEnd);
    const proto = f.proto >= 0 ? protoKey(text, f.proto, f.protoEnd) : '';
    const ported = proto === P_TCP || proto === P_UDP || proto === 'UDPLITE';
    this.count(stats, minute, proto, ported ? f.dpt : -1, proto === P_TCP && f.window, f.flags & 0x1ff);
  }

  /** What fields() found on the last line. */
  private readonly found = { src: -1, srcEnd: -1, dst: -1, dstEnd: -1, proto: -1, protoEnd: -1, dpt: -1, window: false, flags: 0 };

  /**
   * Read the kernel's fields of a LOG line, text[at, end), word by word as parser/log/packet.ts
   * does, keeping only what the summary counts: the last SRC=, DST=, PROTO= and valid DPT= of the
   * line's own packet (not of the packet an ICMP error quotes in `[...]`), whether a valid
   * WINDOW= is there, and the TCP flag words that follow a PROTO=TCP. Returns false, to hand the
   * line to the full parser, on what it does not mirror: a second `[`, a quoted packet with
   * brackets, parentheses or `INCOMPLETE`/`Unknown` in it, `INCOMPLETE`, `Unknown Ext Hdr`.
   */
  private fields(text: string, at: number, end: number): boolean {
    // Words end at a blank. With no tab in the line (checked once per chunk while there is none)
    // the end of a word is the next space, found by native search: most of a line is values
    // (MAC=, addresses) that are then never read character by character.
    // (a text equal to the last one but read from an earlier offset is another chunk with the
    // same content: the remembered offsets do not hold for it)
    if (this.blankText !== text || this.blankFrom > at) {
      this.blankText = text;
      this.nextSpace = -1;
      this.nextTab = text.indexOf('\t', at);
    } else if (this.nextTab >= 0 && this.nextTab < at) this.nextTab = text.indexOf('\t', at);
    this.blankFrom = end;
    if (this.nextTab >= 0 && this.nextTab < end) return false;
    if (this.plainFields(text, at, end)) return true;
    const f = this.found;
    f.src = f.srcEnd = f.dst = f.dstEnd = f.proto = f.protoEnd = f.dpt = -1;
    f.window = false;
    f.flags = 0;
    let tcp = false; // the last PROTO= is TCP: flag words count
    let quoted = false;
    // the next space at or after p (text.length when there is none): remembered, so that a run of
    // lines without spaces is crossed once
    let sp = this.nextSpace;
    let p = at;
    while (p < end) {
      let c = text.charCodeAt(p);
      while (c === 0x20) {
        if (++p >= end) {
          this.nextSpace = sp;
          return true;
        }
        c = text.charCodeAt(p);
      }
      if (c === 0x5b) {
        // `[`: the packet an ICMP error quotes, up to the first `]`
        if (quoted) return false;
        quoted = true;
        // (searches stay inside the line: a chunk holds megabytes of following lines)
        let close = p + 1;
        for (; close < end; close++) {
          const d = text.charCodeAt(close);
          if (d === 0x5d) break;
          if (d === 0x5b || d === 0x28 || d === 0x29) return false;
          if (d === 0x49 && text.startsWith('INCOMPLETE', close)) return false;
          if (d === 0x55 && text.startsWith('Unknown', close)) return false;
        }
        p = close + 1;
        continue;
      }
      const ws = p;
      // a key: an upper-case letter, then letters, digits or `_`, then `=`
      let k = ws;
      if (c >= 0x41 && c <= 0x5a) {
        k++;
        while (k < end) {
          const d = text.charCodeAt(k);
          if (!((d >= 0x41 && d <= 0x5a) || (d >= 0x30 && d <= 0x39) || d === 0x5f || (d >= 0x61 && d <= 0x7a))) break;
          k++;
        }
      }
      // the rest of the word: short values are read here, long ones (MAC=, IPv6) by native search
      let we = k;
      let n = 0;
      while (we < end && text.charCodeAt(we) !== 0x20) {
        if (++n === 8) {
          if (sp < we) {
            sp = text.indexOf(' ', we);
            if (sp < 0) sp = text.length;
          }
          we = sp < end ? sp : end;
          break;
        }
        we++;
      }
      p = we;
      const first = c;
      if (k > ws && k < we && text.charCodeAt(k) === 0x3d) {
        // KEY=value
        const klen = k - ws;
        const vs = k + 1;
        if (klen === 3) {
          const b = text.charCodeAt(ws + 1);
          const e = text.charCodeAt(ws + 2);
          if (first === 0x53 && b === 0x52 && e === 0x43) {
            f.src = vs; // SRC
            f.srcEnd = p;
          } else if (first === 0x44 && b === 0x53 && e === 0x54) {
            f.dst = vs; // DST
            f.dstEnd = p;
          } else if (first === 0x44 && b === 0x50 && e === 0x54) {
            const n = parseUint(text, vs, p); // DPT
            if (n === n) f.dpt = n;
          }
        } else if (klen === 5 && first === 0x50 && text.startsWith('PROTO', ws)) {
          f.proto = vs;
          f.protoEnd = p;
          tcp = p - vs === 3 && text.charCodeAt(vs) === 0x54 && text.charCodeAt(vs + 1) === 0x43 && text.charCodeAt(vs + 2) === 0x50;
          if (tcp) f.flags = 0;
        } else if (klen === 6 && first === 0x57 && text.startsWith('WINDOW', ws)) {
          const n = parseUint(text, vs, p);
          if (n === n) f.window = true;
        }
        continue;
      }
      const len = p - ws;
      if (len === 3 && first === 0x4f && text.charCodeAt(ws + 1) === 0x50 && text.charCodeAt(ws + 2) === 0x54) {
        // `OPT (...)`: skipped up to its `)`, as the parser does
        let q = p;
        while (q < end && isBlank(text.charCodeAt(q))) q++;
        if (q < end && text.charCodeAt(q) === 0x28) {
          let close = q + 1;
          while (close < end && text.charCodeAt(close) !== 0x29) close++;
          p = close < end ? close + 1 : end;
        }
        continue;
      }
      if ((len === 10 && first === 0x49 && text.startsWith('INCOMPLETE', ws)) || (len === 7 && first === 0x55 && text.startsWith('Unknown', ws))) return false;
      if (tcp && (len === 3 || len === 2)) f.flags |= flagBit(text, ws, len);
    }
    this.nextSpace = sp;
    return true;
  }

  /**
   * fields() for the common line, in one pass that only splits at spaces: the word reader's
   * result for a line whose words are all read the same way. Returns false, having found nothing
   * certain, at the first word that the word reader treats otherwise (a word starting with `[`,
   * `OPT`, `INCOMPLETE`, `Unknown`): then the word reader reads the line again.
   */
  private plainFields(text: string, at: number, end: number): boolean {
    const f = this.found;
    f.src = f.srcEnd = f.dst = f.dstEnd = f.proto = f.protoEnd = f.dpt = -1;
    f.window = false;
    let flags = 0;
    let tcp = false;
    let p = at;
    while (p < end) {
      const c = text.charCodeAt(p);
      if (c === 0x20) {
        p++;
        continue;
      }
      const ws = p;
      // the end of the word by native search: cheaper than reading even short words (IN=eth0,
      // LEN=60) character by character, and the long ones (MAC=, addresses) are never read here
      let we = text.indexOf(' ', ws + 1);
      if (we < 0 || we > end) we = end;
      p = we;
      const len = we - ws;
      switch (c) {
        case 0x53: // SRC=
          if (len >= 4 && text.charCodeAt(ws + 3) === 0x3d && text.charCodeAt(ws + 1) === 0x52 && text.charCodeAt(ws + 2) === 0x43) {
            f.src = ws + 4;
            f.srcEnd = we;
            continue;
          }
          break;
        case 0x44: // DST= DPT=
          if (len >= 4 && text.charCodeAt(ws + 3) === 0x3d && text.charCodeAt(ws + 2) === 0x54) {
            const b = text.charCodeAt(ws + 1);
            if (b === 0x53) {
              f.dst = ws + 4;
              f.dstEnd = we;
            } else if (b === 0x50) {
              const n = parseUint(text, ws + 4, we);
              if (n === n) f.dpt = n;
            }
            continue;
          }
          break;
        case 0x50: // PROTO=
          if (len >= 6 && text.charCodeAt(ws + 5) === 0x3d && text.startsWith('PROTO', ws)) {
            f.proto = ws + 6;
            f.protoEnd = we;
            tcp = len === 9 && text.charCodeAt(ws + 6) === 0x54 && text.charCodeAt(ws + 7) === 0x43 && text.charCodeAt(ws + 8) === 0x50;
            if (tcp) flags = 0;
            continue;
          }
          break;
        case 0x57: // WINDOW=
          if (len >= 7 && text.charCodeAt(ws + 6) === 0x3d && text.startsWith('WINDOW', ws)) {
            const n = parseUint(text, ws + 7, we);
            if (n === n) f.window = true;
            continue;
          }
          break;
        case 0x5b: // [
          return false;
        case 0x4f: // OPT
          if (len === 3 && text.charCodeAt(ws + 1) === 0x50 && text.charCodeAt(ws + 2) === 0x54) return false;
          break;
        case 0x49: // INCOMPLETE
          if (len === 10 && text.startsWith('INCOMPLETE', ws)) return false;
          break;
        case 0x55: // Unknown
          if (len === 7 && text.startsWith('Unknown', ws)) return false;
          break;
      }
      if (tcp && (len === 3 || len === 2)) flags |= flagBit(text, ws, len);
    }
    f.flags = flags;
    return true;
  }

  /** The text nextTab and nextSpace belong to; the next tab after the last LOG line's start. */
  private blankText = '';
  private blankFrom = 0;
  private nextTab = -1;
  private nextSpace = -1;

  /**
   * The counters of the prefix text[ps, pe) (blanks already trimmed): looked up by length and end
   * characters and compared in place; the label is sliced only the first time it is seen.
   */
  private prefixAt(text: string, ps: number, pe: number, lineNo: number): PrefixStats {
    const len = pe - ps;
    const last = this.lastPrefix;
    if (last.length === len && text.startsWith(last, ps)) return this.statsFor(last, lineNo);
    const a = text.charCodeAt(ps);
    const z = text.charCodeAt(pe - 1);
    // String.trim() removes more than blanks (line feeds, no-break spaces...): let it decide
    if (a <= 0x20 || z <= 0x20 || a >= 0x7f || z >= 0x7f) return this.statsFor(text.slice(ps, pe).trim(), lineNo);
    const bucket = this.prefixBucket(len, a, z);
    for (let i = 0; i < bucket.length; i++) {
      const cand = bucket[i];
      if (cand.label.length === len && text.startsWith(cand.label, ps)) return this.known(cand);
    }
    return this.newPrefix(bucket, text.slice(ps, pe), lineNo);
  }

  /** prefixAt for the prefix b[ps, pe) of an ASCII piece, blanks trimmed, no control character at its ends. */
  private prefixAtBytes(b: Buffer, ps: number, pe: number, lineNo: number): PrefixStats {
    const len = pe - ps;
    if (len === 0) return this.statsFor('', lineNo);
    const last = this.lastPrefix;
    if (last.length === len && sameAscii(b, ps, last)) return this.statsFor(last, lineNo);
    const bucket = this.prefixBucket(len, b[ps], b[pe - 1]);
    for (let i = 0; i < bucket.length; i++) {
      const cand = bucket[i];
      if (cand.label.length === len && sameAscii(b, ps, cand.label)) return this.known(cand);
    }
    return this.newPrefix(bucket, b.toString('latin1', ps, pe), lineNo);
  }

  /** The labels seen so far with this length and these end characters. */
  private prefixBucket(len: number, a: number, z: number): { label: string; stats: PrefixStats }[] {
    const slot = (len * 31 + a * 7 + z) & 255;
    let bucket = this.prefixSlots[slot];
    if (bucket === undefined) bucket = this.prefixSlots[slot] = [];
    return bucket;
  }

  private known(cand: { label: string; stats: PrefixStats }): PrefixStats {
    this.lastPrefix = cand.label;
    this.lastPrefixStats = cand.stats;
    return cand.stats;
  }

  private newPrefix(bucket: { label: string; stats: PrefixStats }[], label: string, lineNo: number): PrefixStats {
    const stats = this.statsFor(label, lineNo);
    if (bucket.length < 16) bucket.push({ label, stats });
    return stats;
  }

  /** The counters of a prefix, made at its first line. */
  private statsFor(prefix: string, lineNo: number): PrefixStats {
    if (prefix === this.lastPrefix && this.lastPrefixStats) return this.lastPrefixStats;
    let ps = this.prefixes.get(prefix);
    if (!ps) {
      ps = { count: 0, invalid: 0, neu: 0, teardown: 0, minutes: new MinuteCounts(), firstLine: lineNo };
      this.prefixes.set(prefix, ps);
    }
    this.lastPrefix = prefix;
    this.lastPrefixStats = ps;
    return ps;
  }

  private readonly prefixSlots: ({ label: string; stats: PrefixStats }[] | undefined)[] = new Array<{ label: string; stats: PrefixStats }[] | undefined>(256);

  /** The unfinished last line of the chunks pushed so far. */
  private rest = '';

  /**
   * Add a chunk of text as it arrives (a stream's `data`): complete lines are summarised at once,
   * an unfinished last line waits for the next chunk or for `flush()`.
   */
  push(chunk: string): void {
    let start: number;
    const len = chunk.length;
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      this.rest += chunk;
      return;
    }
    if (this.rest === '') this.addRange(chunk, 0, nl);
    else this.addLine(this.rest + chunk.slice(0, nl));
    this.rest = '';
    start = nl + 1;
    while (start < len) {
      nl = chunk.indexOf('\n', start);
      if (nl < 0) {
        this.rest = chunk.slice(start);
        return;
      }
      this.addRange(chunk, start, nl);
      start = nl + 1;
    }
  }

  /** Summarise the unfinished last line, if any (end of the stream). */
  flush(): void {
    if (this.rest !== '') this.addLine(this.rest);
    this.rest = '';
  }

  /**
   * Add raw file contents in pieces of about 8 MB cut at line breaks (see addPiece). Several times
   * faster than decoding a whole 250 MB file into one string first, and lighter on memory; reading
   * the file piece by piece (summarizeReader) is lighter still.
   */
  addBytes(bytes: Uint8Array): void {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let start = 0;
    while (start < buf.length) {
      let end = Math.min(start + PIECE, buf.length);
      if (end < buf.length) {
        const nl = buf.lastIndexOf(0x0a, end - 1);
        if (nl >= start) end = nl + 1;
        // a line longer than a piece: never cut inside a UTF-8 sequence
        else while (end > start + 1 && (buf[end] & 0xc0) === 0x80) end--;
      }
      this.addPiece(buf.subarray(start, end), end === buf.length || buf[end - 1] === 0x0a);
      start = end;
    }
    this.flush();
  }

  /**
   * One piece of raw file contents. In a pure-ASCII piece of whole lines (nearly every log)
   * classic syslog and RFC 3339 LOG lines are read straight from the bytes (log-line-bytes.ts) and
   * any other line is decoded alone for the text reader; other pieces, and pieces that end inside
   * a line (`wholeLines` false: the text path keeps the rest for the next one), are decoded whole.
   */
  addPiece(piece: Buffer, wholeLines: boolean): void {
    const ascii = isAscii(piece);
    if (ascii && wholeLines && this.rest === '') this.addAsciiLines(piece);
    else this.push(piece.toString(ascii ? 'latin1' : 'utf8'));
  }

  /** The lines of an ASCII piece that ends at a line break or at the end of the input. */
  private addAsciiLines(b: Buffer): void {
    const reader = this.bytes;
    reader.begin(b);
    const n = b.length;
    let ls = 0;
    while (ls < n) {
      let le = b.indexOf(0x0a, ls);
      if (le < 0) le = n;
      const kind = reader.read(b, ls, le);
      if (kind === FALLBACK) this.addLine(b.toString('latin1', ls, le));
      else if (kind === OTHER) {
        this.lines++;
        this.other++;
      } else if (kind === MESSAGE) {
        this.lines++;
        this.addMessage(b, reader.message, reader.messageEnd, ls, le);
      } else {
        this.lines++;
        this.packet++;
        const r = reader;
        const stats = this.prefixAtBytes(b, r.prefixStart, r.prefixEnd, this.lines - 1);
        if (r.srcEnd > r.src) this.sources.addBytes(b, r.src, r.srcEnd);
        if (r.dstEnd > r.dst) this.destinations.addBytes(b, r.dst, r.dstEnd);
        const proto = r.proto >= 0 ? protoKeyBytes(b, r.proto, r.protoEnd) : '';
        const ported = proto === P_TCP || proto === P_UDP || proto === 'UDPLITE';
        this.count(stats, r.minute, proto, ported ? r.dpt : -1, proto === P_TCP && r.window, r.flags & 0x1ff);
      }
      ls = le + 1;
    }
  }

  /** Add a line parsed by parser/log. */
  addParsed(line: LogLine): void {
    this.lines++;
    if (line.kind !== 'packet') {
      this.addOther(line, outcomeOf(line));
      return;
    }
    this.packet++;
    const pk = line.packet;
    const minute = line.wrapper.timestamp ? line.wrapper.timestamp.minuteKey : -1;
    const tcpHeader = pk.proto === 'TCP' && pk.window !== undefined;
    if (pk.src) this.sources.add(pk.src, 0, pk.src.length);
    if (pk.dst) this.destinations.add(pk.dst, 0, pk.dst.length);
    // ports only count for TCP and UDP, as on the fast path
    const ported = pk.proto === 'TCP' || pk.proto === 'UDP' || pk.proto === 'UDPLITE';
    this.count(this.statsFor(line.prefix.label, line.line), minute, pk.proto ?? '', ported ? (pk.dpt ?? -1) : -1, tcpHeader, (pk.tcpFlagBits ?? 0) & 0x1ff);
  }

  addDocument(doc: LogDocument): void {
    for (const l of doc.lines) this.addParsed(l);
  }

  private count(ps: PrefixStats, minute: number, proto: string, dpt: number, tcpHeader: boolean, flags: number): void {
    ps.count++;
    if (minute >= 0) {
      ps.minutes.add(minute);
      if (minute < this.minMinute) this.minMinute = minute;
      if (minute > this.maxMinute) this.maxMinute = minute;
    }
    if (proto !== '') this.protocols.add(proto);
    if (dpt >= 0) {
      const key = dpt * 4 + (proto === P_TCP ? 0 : proto === P_UDP || proto === 'UDPLITE' ? 1 : 2);
      if (key < 65536 * 4) this.portCounts[key]++;
      else this.ports.set(key, (this.ports.get(key) ?? 0) + 1);
    }
    if (tcpHeader) {
      this.tcp++;
      this.flagCounts[flags]++;
      const b = flags & 0xff;
      if (this.state[b] === 1) {
        this.ctNew.n++;
        ps.neu++;
      } else {
        this.ctInvalid.n++;
        ps.invalid++;
      }
      if (this.teardownTable[b]) {
        this.teardown++;
        ps.teardown++;
      }
    }
  }

  /** Count a parsed line by o, its outcomeOf (undefined: a LOG line after all, counted as one). */
  private addOther(line: LogLine, o: MessageOutcome | undefined): void {
    if (o === undefined) {
      this.lines--;
      this.addParsed(line);
      return;
    }
    this.addOutcome(o);
  }

  /**
   * A kernel line the byte reader leaves to the parser (MESSAGE): counted by what its message
   * is, parsed only the first time that message is seen (log-kernel-message.ts).
   */
  private addMessage(b: Buffer, s: number, e: number, ls: number, le: number): void {
    if (isUnknownTagged(b, s, e)) {
      this.other++;
      return;
    }
    const kept = this.messages.find(b, s, e);
    if (kept !== undefined) {
      this.addOutcome(kept);
      return;
    }
    const line = parseLogLine(b.toString('latin1', ls, le), this.lines - 1);
    const o = outcomeOf(line);
    if (o !== undefined) this.messages.keep(b, s, e, o);
    this.addOther(line, o);
  }

  private addOutcome(o: MessageOutcome): void {
    switch (o.kind) {
      case 'conntrack':
        this.conntrack++;
        bump(this.ctStates, o.key);
        return;
      case 'kernel':
        this.kernel++;
        bump(this.kernelIds, o.key);
        this.suppressed += o.suppressed;
        return;
      case 'sysctl':
        this.sysctl++;
        return;
      case 'blank':
        this.blank++;
        return;
      default:
        this.other++;
    }
  }

  result(top = 10): LogSummary {
    const byFlags: CountEntry[] = [];
    for (let b = 0; b < this.flagCounts.length; b++) {
      if (this.flagCounts[b] > 0) byFlags.push({ key: flagName(b), count: this.flagCounts[b] });
    }
    byFlags.sort(byCount);
    // a minute's label is made once for all prefixes (a month of log has tens of thousands),
    // kept by its distance from the first minute
    const first = this.minMinute;
    const span = this.maxMinute - first + 1;
    const labels: (string | undefined)[] = span > 0 && span <= MAX_LABEL_SPAN ? new Array<string | undefined>(span) : [];
    const far = new Map<number, string>();
    const label = (minute: number): string => {
      const at = minute - first;
      if (at < labels.length) return (labels[at] ??= formatMinuteKey(minute));
      let l = far.get(minute);
      if (l === undefined) far.set(minute, (l = formatMinuteKey(minute)));
      return l;
    };
    const byPrefix: PrefixSummary[] = [...this.prefixes].map(([prefix, s]) => ({
      prefix,
      count: s.count,
      invalid: s.invalid,
      new: s.neu,
      teardownNoise: s.teardown,
      firstLine: s.firstLine,
      perMinute: s.minutes.inOrder(label),
    }));
    byPrefix.sort((a, b) => b.count - a.count || (a.prefix < b.prefix ? -1 : 1));
    const portKeys: [number, number][] = [];
    for (let k = 0; k < this.portCounts.length; k++) if (this.portCounts[k] > 0) portKeys.push([k, this.portCounts[k]]);
    portKeys.push(...this.ports);
    // named and sorted by name only where they can make the list: a scan leaves tens of thousands
    portKeys.sort((a, b) => b[1] - a[1]);
    const least = portKeys.length > top && top > 0 ? portKeys[top - 1]![1] : 0;
    const ports: CountEntry[] = [];
    for (const [k, count] of portKeys) {
      if (count < least) break;
      ports.push({ key: `${Math.floor(k / 4)}/${['tcp', 'udp', 'other'][k % 4]}`, count });
    }
    const byCtstate: CountEntry[] = [];
    if (this.ctNew.n) byCtstate.push({ key: 'NEW', count: this.ctNew.n });
    if (this.ctInvalid.n) byCtstate.push({ key: 'INVALID', count: this.ctInvalid.n });
    byCtstate.sort(byCount);
    return {
      lines: this.lines,
      packetLines: this.packet,
      conntrackLines: this.conntrack,
      kernelLines: this.kernel,
      sysctlLines: this.sysctl,
      otherLines: this.other,
      blankLines: this.blank,
      byPrefix,
      byFlags,
      byCtstate,
      byProtocol: entries(this.protocols.map()),
      topSources: this.sources.top(top),
      topDestinations: this.destinations.top(top),
      topDestinationPorts: ports.sort(byCount).slice(0, top),
      teardownNoise: this.teardown,
      tcpLines: this.tcp,
      kernelMessages: entries(this.kernelIds),
      suppressedCallbacks: this.suppressed,
      conntrackStates: entries(this.ctStates),
      ...(this.minMinute !== Infinity ? { firstMinute: formatMinuteKey(this.minMinute), lastMinute: formatMinuteKey(this.maxMinute) } : {}),
    };
  }
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Header bit of a TCP flag word of length len at s, or 0. */
function flagBit(text: string, s: number, len: number): number {
  return flagWordBit(len, text.charCodeAt(s), text.charCodeAt(s + 1), text.charCodeAt(s + 2));
}

function protoKey(text: string, s: number, e: number): string {
  const len = e - s;
  if (len === 3) {
    const a = text.charCodeAt(s);
    if (a === 0x54 && text.charCodeAt(s + 1) === 0x43 && text.charCodeAt(s + 2) === 0x50) return P_TCP;
    if (a === 0x55 && text.charCodeAt(s + 1) === 0x44 && text.charCodeAt(s + 2) === 0x50) return P_UDP;
  } else if (len === 4 && text.startsWith(P_ICMP, s)) return P_ICMP;
  else if (len === 6 && text.startsWith(P_ICMPV6, s)) return P_ICMPV6;
  return text.slice(s, e);
}

/** protoKey for b[s, e) of an ASCII piece. */
function protoKeyBytes(b: Buffer, s: number, e: number): string {
  const len = e - s;
  const a = b[s];
  if (len === 3) {
    if (a === 0x54 && b[s + 1] === 0x43 && b[s + 2] === 0x50) return P_TCP;
    if (a === 0x55 && b[s + 1] === 0x44 && b[s + 2] === 0x50) return P_UDP;
  } else if (len === 4 && sameAscii(b, s, P_ICMP)) return P_ICMP;
  else if (len === 6 && sameAscii(b, s, P_ICMPV6)) return P_ICMPV6;
  return b.toString('latin1', s, e);
}

/** Whether b[a, a + len) and b[c, c + len) hold the same bytes. */
function sameBytes(b: Uint8Array, a: number, c: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (b[a + i] !== b[c + i]) return false;
  return true;
}

function flagName(bits: number): string {
  const t = tcpFlagText(bits & 0xff);
  return bits & 0x100 ? (t === 'NONE' ? 'AE' : `AE ${t}`) : t;
}

/** Counts protocols: the four the kernel names most often in fixed slots, others by name. */
class ProtocolTally {
  private tcp = 0;
  private udp = 0;
  private icmp = 0;
  private icmpv6 = 0;
  private readonly others = new Map<string, number>();

  add(key: string): void {
    if (key === P_TCP) this.tcp++;
    else if (key === P_UDP) this.udp++;
    else if (key === P_ICMP) this.icmp++;
    else if (key === P_ICMPV6) this.icmpv6++;
    else bump(this.others, key);
  }

  map(): Map<string, number> {
    const m = new Map<string, number>();
    const fixed: [string, number][] = [[P_TCP, this.tcp], [P_UDP, this.udp], [P_ICMP, this.icmp], [P_ICMPV6, this.icmpv6]];
    for (const [k, n] of fixed) if (n) m.set(k, n);
    for (const [k, n] of this.others) m.set(k, (m.get(k) ?? 0) + n);
    return m;
  }
}

/**
 * A string counter that remembers the last key: consecutive lines usually share their source or
 * destination, and then counting costs no lookup.
 */
class Tally {
  /**
   * Count per key: numbers, not an object per key (a log of IPv6 scanners has 100k of them). The
   * last key's count is kept aside and written back when another key comes (see settle).
   */
  private readonly counts = new Map<string, number>();
  private lastKey: string | undefined;
  private lastCount = 0;

  add(key: string): void {
    if (key === this.lastKey) {
      this.lastCount++;
      return;
    }
    this.settle();
    this.lastKey = key;
    this.lastCount = (this.counts.get(key) ?? 0) + 1;
  }

  /** Writes the last key's count into the map. */
  private settle(): void {
    if (this.lastKey !== undefined) this.counts.set(this.lastKey, this.lastCount);
  }

  /** add() for the text b[s, e) of an ASCII piece: sliced only when it is not the last key again. */
  addBytes(b: Buffer, s: number, e: number): void {
    const last = this.lastKey;
    if (last !== undefined && last.length === e - s && sameAscii(b, s, last)) this.add(last);
    else this.add(b.toString('latin1', s, e));
  }

  /** The n most frequent keys (count descending, then key), without copying the counts. */
  top(n: number): CountEntry[] {
    this.settle();
    return topN(this.counts, n);
  }
}

/**
 * Counts addresses. IPv4 addresses (nearly all of a typical log) are keyed by their 32-bit value
 * read straight from the line: no string per line, and a log with a million distinct scanners
 * costs a sorted array of integers (sorted-counter.ts). Anything else (IPv6) is counted by its text.
 * Ties in the top list are broken by address order, IPv4 first.
 */
class AddrTally {
  private readonly v4 = new SortedCounter();
  private readonly other = new Tally();

  add(text: string, s: number, e: number): void {
    const ip = ipv4At(text, s, e);
    if (ip === ip) this.v4.add(ip);
    else this.other.add(text.slice(s, e));
  }

  /** The previous address read by addBytes: its buffer, offsets and value (NaN: not IPv4). */
  private lastBytes: Uint8Array | undefined;
  private lastStart = 0;
  private lastEnd = 0;
  private lastIp = NaN;

  /**
   * add() for b[s, e) of an ASCII piece. An address written exactly as the previous one (a busy
   * destination, a scanner's burst) is compared, not parsed again.
   */
  addBytes(b: Buffer, s: number, e: number): void {
    let ip: number;
    if (b === this.lastBytes && e - s === this.lastEnd - this.lastStart && sameBytes(b, s, this.lastStart, e - s)) ip = this.lastIp;
    else {
      ip = ipv4Of(b, s, e);
      this.lastBytes = b;
      this.lastStart = s;
      this.lastEnd = e;
      this.lastIp = ip;
    }
    if (ip === ip) this.v4.add(ip);
    else this.other.addBytes(b, s, e);
  }

  top(n: number): CountEntry[] {
    // the n best IPv4 entries by (count desc, address asc) without sorting the whole map
    const best = this.v4.best(n);
    const v4: CountEntry[] = best.map(([ip, count]) => ({ key: `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`, count }));
    const rest = this.other.top(n);
    // merge: count desc; at equal counts IPv4 before other addresses
    return [...v4, ...rest].sort((a, b) => b.count - a.count || (isV4Key(a.key) === isV4Key(b.key) ? 0 : isV4Key(a.key) ? -1 : 1)).slice(0, n);
  }
}

function isV4Key(k: string): boolean {
  return !k.includes(':');
}

/** The dotted quad in text[s, e) as a signed 32-bit integer, or NaN when it is not exactly one. */
function ipv4At(text: string, s: number, e: number): number {
  if (e - s < 7 || e - s > 15) return NaN;
  // read by the byte reader's ipv4Of from a copy (a code past 255 is no digit and no dot: 0)
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    QUAD[i - s] = c < 256 ? c : 0;
  }
  return ipv4Of(QUAD, 0, e - s);
}

/** ipv4At's copy of the text it reads (at most 15 characters). */
const QUAD = new Uint8Array(15);

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function byCount(a: CountEntry, b: CountEntry): number {
  return b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function entries(m: Map<string, number>): CountEntry[] {
  return [...m].map(([key, count]) => ({ key, count })).sort(byCount);
}

/** The n largest entries without sorting the whole map (maps of distinct addresses get big). */
function topN(counts: Map<string, number>, n: number): CountEntry[] {
  const best: CountEntry[] = [];
  for (const [key, count] of counts) {
    if (best.length < n) {
      best.push({ key, count });
      if (best.length === n) best.sort(byCount);
      continue;
    }
    const last = best[n - 1];
    if (count < last.count || (count === last.count && key > last.key)) continue;
    best[n - 1] = { key, count };
    best.sort(byCount);
  }
  return best.sort(byCount);
}

/** The size of the pieces raw contents are read in. */
const PIECE = 8 << 20;

/**
 * Summarise a file read piece by piece into one reused buffer: `read(buffer, offset, length)`
 * fills buffer[offset...] with the next bytes and returns how many (0 at the end), as
 * `fs.readSync(fd, buffer, offset, length, null)` does. A 250 MB log costs an 8 MB buffer, not a
 * 250 MB one, and no page of it is new after the first piece (about a sixth less CPU than reading
 * it whole). A line longer than the buffer is handed over in parts, never cut inside a character.
 */
export function summarizeReader(read: (buffer: Buffer, offset: number, length: number) => number, options: LogSummaryOptions = {}, top = 10, bufferSize = PIECE): LogSummary {
  const s = new LogSummarizer(options);
  const buf = Buffer.allocUnsafe(Math.max(4, bufferSize));
  let have = 0;
  for (;;) {
    const n = read(buf, have, buf.length - have);
    const end = have + n;
    if (n <= 0) {
      if (end > 0) s.addPiece(buf.subarray(0, end), true);
      break;
    }
    let cut = buf.lastIndexOf(0x0a, end - 1) + 1;
    let whole = true;
    if (cut === 0) {
      if (end < buf.length) {
        have = end; // no line end yet and room left: read on
        continue;
      }
      // a line longer than the buffer: up to the start of its last character, which may be cut
      whole = false;
      cut = end - 1;
      while (cut > 0 && (buf[cut]! & 0xc0) === 0x80) cut--;
      if (cut === 0) cut = end;
    }
    s.addPiece(buf.subarray(0, cut), whole);
    buf.copyWithin(0, cut, end);
    have = end - cut;
  }
  s.flush();
  return s.result(top);
}

/** Summarise a whole text without splitting it into an array first. */
export function summarizeText(text: string, options: LogSummaryOptions = {}, top = 10): LogSummary {
  const s = new LogSummarizer(options);
  s.push(text);
  s.flush();
  return s.result(top);
}

/** Summarise raw file contents (a Buffer from readFileSync): see LogSummarizer.addBytes. */
export function summarizeBytes(bytes: Uint8Array, options: LogSummaryOptions = {}, top = 10): LogSummary {
  const s = new LogSummarizer(options);
  s.addBytes(bytes);
  return s.result(top);
}

/** Summarise a stream of lines (an array, a generator, a readline interface collected...). */
export function summarizeLines(lines: Iterable<string>, options: LogSummaryOptions = {}, top = 10): LogSummary {
  const s = new LogSummarizer(options);
  for (const l of lines) s.addLine(l);
  return s.result(top);
}

/** Summarise a parsed document. */
export function summarizeDocument(doc: LogDocument, options: LogSummaryOptions = {}, top = 10): LogSummary {
  const s = new LogSummarizer(options);
  s.addDocument(doc);
  return s.result(top);
}
