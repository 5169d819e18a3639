/**
 * The wrapper of a log line: whatever syslog, journald, dmesg or RFC 5424 put in front of the
 * kernel's own text. `scanWrapper` records offsets in a reusable record (no allocation, used by
 * the summary's fast path over millions of lines); `parseWrapper` turns the same scan into
 * model tokens for one line.
 *
 * Shapes recognised (all optional, tried in this order):
 *   <4>1 2024-01-27T15:21:36.1Z host kernel - - - MSG      RFC 5424 (priority optional)
 *   <4>[1229124.817624] MSG                                 dmesg -r, /dev/kmsg style
 *   [1229124.817624] MSG        [ 5.1] MSG                  dmesg
 *   [1229124.817624] host kernel: MSG                       journalctl -o short-monotonic
 *   [Sat Jan 27 15:21:36 2024] MSG                          dmesg -T
 *   kern  :warn  : [1229124.817624] MSG                     dmesg -x
 *   Jan 27 15:21:36[.123456] host kernel: [ 123.4] MSG      syslog, journalctl short / short-precise
 *   2024-01-27T15:21:36[.1][+01:00|+0100|Z] host kernel: MSG   rsyslog RFC 3339, journalctl short-iso
 *   kernel: MSG                                             tag only
 */
import { minuteKeyOf, type Timestamp, type TimestampStyle, type Wrapper, type WrapperKind } from '../../model/log';
import * as scan from './scan';

// local bindings: resolved once, not through a module getter on every call (hot loops)
const { clockAt, COLON, DASH, DOT, GT, isBlank, isDigit, isLower, isUpper, LBRACKET, LT, monthAt, numberToken, parseDecimal, parseUint, PLUS, RBRACKET, skipBlanks, SPACE, span, startsWithAt, token, twoDigits } = scan;

/**
 * End of the word at p: the next space before end. Native search, because the wrapper is scanned on
 * every line of a log (the summary's fast path); wrapper words are separated by spaces, not tabs.
 */
function wordEnd(text: string, p: number, end: number): number {
  const e = text.indexOf(' ', p);
  return e < 0 || e > end ? end : e;
}


/** Offsets found by scanWrapper; -1 means absent. Reused between lines. */
export class WrapperScan {
  kind: WrapperKind = 'bare';
  bodyStart = 0;
  priStart = -1;
  priEnd = -1;
  tsStart = -1;
  tsEnd = -1;
  tsStyle: TimestampStyle = 'bsd';
  year = 0;
  month = 0;
  day = 0;
  hour = 0;
  minute = 0;
  second = 0;
  fracStart = -1;
  fracEnd = -1;
  utcOffset = NaN;
  hostStart = -1;
  hostEnd = -1;
  tagStart = -1;
  tagEnd = -1;
  pidStart = -1;
  pidEnd = -1;
  upStart = -1;
  upEnd = -1;
  facStart = -1;
  facEnd = -1;
  lvlStart = -1;
  lvlEnd = -1;
  /** The last classic syslog time without fraction (`Mar 15 20:55:15`) and its decoded parts. */
  lastBsd = '';
  lastMonth = 0;
  lastDay = 0;
  lastHour = 0;
  lastMinuteOfHour = 0;
  lastSecond = 0;
  /** ` host kernel: ` of the last syslog line and the offsets of host and tag in it (see withHost). */
  mid = '';
  midHost = 0;
  midHostEnd = 0;
  midTag = 0;
  midTagEnd = 0;

  reset(start: number): void {
    this.kind = 'bare';
    this.bodyStart = start;
    this.priStart = this.priEnd = this.tsStart = this.tsEnd = -1;
    this.fracStart = this.fracEnd = this.hostStart = this.hostEnd = -1;
    this.tagStart = this.tagEnd = this.pidStart = this.pidEnd = -1;
    this.upStart = this.upEnd = this.facStart = this.facEnd = this.lvlStart = this.lvlEnd = -1;
    this.year = this.month = this.day = this.hour = this.minute = this.second = 0;
    this.utcOffset = NaN;
  }

  /** Minute key of the timestamp, or -1 when the line has no wall-clock time. */
  get minuteKey(): number {
    return this.tsStart < 0 ? -1 : minuteKeyOf(this.year, this.month, this.day, this.hour, this.minute);
  }
}

/**
 * `[ 123.456]` at pos: digits (possibly after blanks), a dot, digits, `]`. Sets upStart/upEnd to
 * the number and returns the offset after `]`, or -1.
 */
function uptimeAt(text: string, pos: number, end: number, s: WrapperScan): number {
  if (pos >= end || text.charCodeAt(pos) !== LBRACKET) return -1;
  let p = skipBlanks(text, pos + 1, end);
  const numStart = p;
  while (p < end && isDigit(text.charCodeAt(p))) p++;
  if (p === numStart) return -1;
  if (p < end && text.charCodeAt(p) === DOT) {
    p++;
    const f = p;
    while (p < end && isDigit(text.charCodeAt(p))) p++;
    if (p === f) return -1;
  }
  const numEnd = p;
  if (p >= end || text.charCodeAt(p) !== RBRACKET) return -1;
  s.upStart = numStart;
  s.upEnd = numEnd;
  return p + 1;
}

/**
 * A syslog tag at [pos, wEnd): `kernel:`, `kernel[0]:`, `ulogd:` or any `name[pid]:`. Other words
 * ending in a colon are left alone: they may be a log prefix (`iptables: IN=...`).
 */
function tagAt(text: string, pos: number, wEnd: number, s: WrapperScan): boolean {
  if (wEnd - pos < 2 || text.charCodeAt(wEnd - 1) !== COLON) return false;
  let nameEnd = wEnd - 1;
  let pidStart = -1;
  let pidEnd = -1;
  if (text.charCodeAt(nameEnd - 1) === RBRACKET) {
    let q = nameEnd - 2;
    while (q > pos && isDigit(text.charCodeAt(q))) q--;
    if (text.charCodeAt(q) !== LBRACKET || q === nameEnd - 2 || q === pos) return false;
    pidStart = q + 1;
    pidEnd = nameEnd - 1;
    nameEnd = q;
  }
  if (pidStart < 0) {
    const len = nameEnd - pos;
    const known =
      (len === 6 && startsWithAt(text, pos, nameEnd, 'kernel')) || (len === 5 && startsWithAt(text, pos, nameEnd, 'ulogd'));
    if (!known) return false;
  } else {
    for (let i = pos; i < nameEnd; i++) {
      const c = text.charCodeAt(i);
      if (isBlank(c) || c === COLON || c === LBRACKET) return false;
    }
  }
  s.tagStart = pos;
  s.tagEnd = nameEnd;
  s.pidStart = pidStart;
  s.pidEnd = pidEnd;
  return true;
}

/** After a host (or at the start): an optional tag, then an optional `[ 123.456]`. Returns the body start. */
function afterHost(text: string, pos: number, end: number, s: WrapperScan): number {
  let p = skipBlanks(text, pos, end);
  // `kernel:[123.456]`: some syslog daemons glue the uptime to the tag
  if (text.charCodeAt(p + 7) === LBRACKET && startsWithAt(text, p, end, 'kernel:')) {
    const up = uptimeAt(text, p + 7, end, s);
    if (up >= 0) {
      s.tagStart = p;
      s.tagEnd = p + 6;
      return skipBlanks(text, up, end);
    }
  }
  const w = wordEnd(text, p, end);
  if (tagAt(text, p, w, s)) {
    p = skipBlanks(text, w, end);
    const up = uptimeAt(text, p, end, s);
    if (up >= 0) p = skipBlanks(text, up, end);
  }
  return p;
}

/** Fractional seconds and UTC offset after `hh:mm:ss` at p; returns the end of the timestamp. */
function fractionAndZone(text: string, p: number, end: number, s: WrapperScan, zone: boolean): number {
  if (p < end && (text.charCodeAt(p) === DOT || text.charCodeAt(p) === 0x2c)) {
    const f = p + 1;
    let q = f;
    while (q < end && isDigit(text.charCodeAt(q))) q++;
    if (q > f) {
      s.fracStart = f;
      s.fracEnd = q;
      p = q;
    }
  }
  if (!zone || p >= end) return p;
  const c = text.charCodeAt(p);
  if (c === 0x5a) {
    s.utcOffset = 0;
    return p + 1;
  }
  if (c === PLUS || c === DASH) {
    const sign = c === PLUS ? 1 : -1;
    const hh = twoDigits(text, p + 1);
    if (hh < 0) return p;
    let q = p + 3;
    if (q < end && text.charCodeAt(q) === COLON) q++;
    const mm = twoDigits(text, q);
    if (mm < 0) return p;
    s.utcOffset = sign * (hh * 60 + mm);
    return q + 2;
  }
  return p;
}

function setClock(s: WrapperScan, secondsOfDay: number): void {
  s.hour = Math.floor(secondsOfDay / 3600);
  s.minute = Math.floor(secondsOfDay / 60) % 60;
  s.second = secondsOfDay % 60;
}

/** `yyyy-mm-dd[T ]hh:mm:ss...` at p; returns the end of the timestamp or -1. */
function isoAt(text: string, p: number, end: number, s: WrapperScan): number {
  if (p + 19 > end) return -1;
  if (text.charCodeAt(p + 4) !== DASH || text.charCodeAt(p + 7) !== DASH) return -1;
  const sep = text.charCodeAt(p + 10);
  if (sep !== 0x54 && sep !== SPACE) return -1;
  const y = parseUint(text, p, p + 4);
  const mo = twoDigits(text, p + 5);
  const d = twoDigits(text, p + 8);
  const clock = clockAt(text, p + 11, end);
  if (Number.isNaN(y) || mo < 1 || mo > 12 || d < 1 || d > 31 || clock < 0) return -1;
  s.year = y;
  s.month = mo;
  s.day = d;
  setClock(s, clock);
  s.tsStyle = 'iso';
  s.tsStart = p;
  s.tsEnd = fractionAndZone(text, p + 19, end, s, true);
  return s.tsEnd;
}

/** `Mmm dd hh:mm:ss[.frac]` (day padded with a blank or not) at p; returns the end or -1. */
function bsdAt(text: string, p: number, end: number, s: WrapperScan): number {
  const mo = monthAt(text, p, end);
  if (mo === 0 || p + 3 >= end || text.charCodeAt(p + 3) !== SPACE) return -1;
  let q = p + 4;
  if (q < end && text.charCodeAt(q) === SPACE) q++;
  const dStart = q;
  while (q < end && isDigit(text.charCodeAt(q)) && q - dStart < 2) q++;
  if (q === dStart || q >= end || text.charCodeAt(q) !== SPACE) return -1;
  const d = parseUint(text, dStart, q);
  const clock = clockAt(text, q + 1, end);
  if (d < 1 || d > 31 || clock < 0) return -1;
  s.month = mo;
  s.day = d;
  setClock(s, clock);
  s.tsStyle = 'bsd';
  s.tsStart = p;
  s.tsEnd = fractionAndZone(text, q + 9, end, s, false);
  return s.tsEnd;
}

/** `[Sat Jan 27 15:21:36 2024]` at p; returns the offset after `]` or -1. */
function humanDmesgAt(text: string, p: number, end: number, s: WrapperScan): number {
  if (p + 26 > end || text.charCodeAt(p) !== LBRACKET || text.charCodeAt(p + 4) !== SPACE) return -1;
  const q = bsdAt(text, p + 5, end, s);
  if (q < 0 || q + 6 > end || text.charCodeAt(q) !== SPACE) return -1;
  const y = parseUint(text, q + 1, q + 5);
  if (Number.isNaN(y) || text.charCodeAt(q + 5) !== RBRACKET) return -1;
  s.year = y;
  s.tsStyle = 'dmesg-human';
  s.tsStart = p + 1;
  s.tsEnd = q + 5;
  return q + 6;
}

/** Scan the wrapper of the line text[start, end). Never fails: an unknown shape is 'bare'. */
export function scanWrapper(text: string, start: number, end: number, s: WrapperScan): void {
  s.reset(start);
  let p = start;
  if (p >= end) return;
  let c = text.charCodeAt(p);

  // <PRI>: syslog priority (RFC 5424) or kernel level (dmesg -r)
  if (c === LT) {
    let q = p + 1;
    while (q < end && q - p <= 4 && isDigit(text.charCodeAt(q))) q++;
    if (q > p + 1 && q < end && text.charCodeAt(q) === GT) {
      s.priStart = p + 1;
      s.priEnd = q;
      p = q + 1;
      c = text.charCodeAt(p);
      // RFC 5424: VERSION SP TIMESTAMP SP HOST SP APP SP PROCID SP MSGID SP SD [SP MSG]
      if (isDigit(c) && p + 1 < end && text.charCodeAt(p + 1) === SPACE) {
        if (rfc5424(text, p + 2, end, s)) return;
      }
    }
  }

  if (c === LBRACKET) {
    const up = uptimeAt(text, p, end, s);
    if (up >= 0) {
      s.kind = 'dmesg';
      const body = skipBlanks(text, up, end);
      s.bodyStart = body;
      // journalctl -o short-monotonic: `[ 123.456] host kernel: MSG`
      const hEnd = wordEnd(text, body, end);
      if (hEnd > body && hEnd < end) {
        const t = skipBlanks(text, hEnd, end);
        const tEnd = wordEnd(text, t, end);
        if (tagAt(text, t, tEnd, s)) {
          s.kind = 'journal-monotonic';
          s.hostStart = body;
          s.hostEnd = hEnd;
          s.bodyStart = skipBlanks(text, tEnd, end);
        }
      }
      return;
    }
    const human = humanDmesgAt(text, p, end, s);
    if (human >= 0) {
      s.kind = 'dmesg-human';
      s.bodyStart = skipBlanks(text, human, end);
      return;
    }
    s.tsStart = s.tsEnd = -1;
    s.year = 0;
  }

  // Mmm dd hh:mm:ss host [tag:] [[uptime]] MSG
  if (isUpperMonthStart(c)) {
    // Lines of a busy log share their second: reuse the previous line's decoded time when the
    // text is the same (native comparison instead of parsing it again).
    const last = s.lastBsd;
    let q: number;
    if (last !== '' && text.startsWith(last, p) && (p + last.length >= end || text.charCodeAt(p + last.length) === SPACE)) {
      s.month = s.lastMonth;
      s.day = s.lastDay;
      s.hour = s.lastHour;
      s.minute = s.lastMinuteOfHour;
      s.second = s.lastSecond;
      s.tsStyle = 'bsd';
      s.tsStart = p;
      s.tsEnd = q = p + last.length;
    } else {
      q = bsdAt(text, p, end, s);
      if (q >= 0 && s.fracStart < 0) {
        s.lastBsd = text.slice(p, q);
        s.lastMonth = s.month;
        s.lastDay = s.day;
        s.lastHour = s.hour;
        s.lastMinuteOfHour = s.minute;
        s.lastSecond = s.second;
      }
    }
    if (q >= 0) {
      s.kind = 'syslog';
      withHost(text, q, end, s);
      return;
    }
    s.tsStart = s.tsEnd = -1;
  }

  // yyyy-mm-ddThh:mm:ss host [tag:] MSG
  if (isDigit(c)) {
    const q = isoAt(text, p, end, s);
    if (q >= 0) {
      // dmesg --time-format iso writes a comma before the fraction and no host
      if (s.fracStart > 0 && text.charCodeAt(s.fracStart - 1) === 0x2c) {
        s.kind = 'dmesg';
        s.bodyStart = skipBlanks(text, q, end);
        return;
      }
      s.kind = 'iso';
      withHost(text, q, end, s);
      return;
    }
    s.tsStart = s.tsEnd = -1;
    s.year = 0;
    s.fracStart = s.fracEnd = -1;
    s.utcOffset = NaN;
    // journalctl -o short-unix: `1706368896.817624 host kernel: MSG`
    const u = unixAt(text, p, end, s);
    if (u >= 0) {
      s.kind = 'iso';
      withHost(text, u, end, s);
      return;
    }
  }

  // journalctl -o short-full: `Sat 2024-01-27 15:21:36 CET host kernel: MSG`
  if (isUpper(c) && p + 4 < end && text.charCodeAt(p + 3) === SPACE && isDigit(text.charCodeAt(p + 4))) {
    let q = isoAt(text, p + 4, end, s);
    if (q >= 0 && q < end && text.charCodeAt(q) === SPACE) {
      // the time zone name (CET, UTC, +03)
      const z = wordEnd(text, q + 1, end);
      if (z - q - 1 <= 6) q = z;
      s.kind = 'iso';
      withHost(text, q, end, s);
      return;
    }
    s.tsStart = s.tsEnd = -1;
    s.year = 0;
    s.fracStart = s.fracEnd = -1;
    s.utcOffset = NaN;
  }

  // dmesg -x: `kern  :warn  : [123.4] MSG`
  if (isLower(c)) {
    const f = wordEndBefore(text, p, end, COLON);
    if (f > p) {
      let q = skipBlanks(text, f, end);
      if (q < end && text.charCodeAt(q) === COLON) {
        q = skipBlanks(text, q + 1, end);
        const l = wordEndBefore(text, q, end, COLON);
        let r = skipBlanks(text, l, end);
        if (l > q && r < end && text.charCodeAt(r) === COLON) {
          r = skipBlanks(text, r + 1, end);
          s.facStart = p;
          s.facEnd = f;
          s.lvlStart = q;
          s.lvlEnd = l;
          s.kind = 'dmesg-decoded';
          const up = uptimeAt(text, r, end, s);
          s.bodyStart = up >= 0 ? skipBlanks(text, up, end) : r;
          return;
        }
      }
    }
    // `kernel: MSG`
    const w = wordEnd(text, p, end);
    if (tagAt(text, p, w, s)) {
      s.kind = 'tag-only';
      let b = skipBlanks(text, w, end);
      const up = uptimeAt(text, b, end, s);
      if (up >= 0) b = skipBlanks(text, up, end);
      s.bodyStart = b;
      return;
    }
  }
  if (s.priStart >= 0) {
    s.kind = 'dmesg';
    s.bodyStart = p;
  }
}

/** `1706368896.817624` (seconds since 1970, UTC) at p followed by a blank; returns its end or -1. */
function unixAt(text: string, p: number, end: number, s: WrapperScan): number {
  let q = p;
  while (q < end && isDigit(text.charCodeAt(q))) q++;
  if (q - p < 9 || q - p > 11) return -1;
  let e = q;
  if (e < end && text.charCodeAt(e) === DOT) {
    e++;
    const f = e;
    while (e < end && isDigit(text.charCodeAt(e))) e++;
    if (e === f) return -1;
    s.fracStart = f;
    s.fracEnd = e;
  }
  if (e >= end || text.charCodeAt(e) !== SPACE) {
    s.fracStart = s.fracEnd = -1;
    return -1;
  }
  const d = new Date(parseUint(text, p, q) * 1000);
  s.year = d.getUTCFullYear();
  s.month = d.getUTCMonth() + 1;
  s.day = d.getUTCDate();
  s.hour = d.getUTCHours();
  s.minute = d.getUTCMinutes();
  s.second = d.getUTCSeconds();
  s.utcOffset = 0;
  s.tsStyle = 'iso';
  s.tsStart = p;
  s.tsEnd = e;
  return e;
}

function isUpperMonthStart(c: number): boolean {
  return c === 0x4a || c === 0x46 || c === 0x4d || c === 0x41 || c === 0x53 || c === 0x4f || c === 0x4e || c === 0x44;
}

/** End of a run of lowercase letters starting at p (stops before `stop`, a blank or anything else). */
function wordEndBefore(text: string, p: number, end: number, stop: number): number {
  let q = p;
  while (q < end) {
    const c = text.charCodeAt(q);
    if (c === stop || !isLower(c)) break;
    q++;
  }
  return q;
}

/** After a syslog or ISO timestamp: blanks, host (unless the next word is already a tag), tag... */
function withHost(text: string, q: number, end: number, s: WrapperScan): void {
  // Consecutive lines of a log nearly always share ` host kernel: `: compare it in one go with
  // the previous line's (native comparison) instead of scanning it word by word.
  const mid = s.mid;
  if (mid !== '' && text.startsWith(mid, q)) {
    s.hostStart = q + s.midHost;
    s.hostEnd = q + s.midHostEnd;
    s.tagStart = q + s.midTag;
    s.tagEnd = q + s.midTagEnd;
    // exactly what afterHost does after `kernel:`: blanks, an optional uptime, blanks
    let p = skipBlanks(text, q + mid.length, end);
    const up = uptimeAt(text, p, end, s);
    if (up >= 0) p = skipBlanks(text, up, end);
    s.bodyStart = p;
    return;
  }
  const h = skipBlanks(text, q, end);
  const hEnd = wordEnd(text, h, end);
  if (tagAt(text, h, hEnd, s)) {
    s.bodyStart = afterHost(text, h, end, s);
    return;
  }
  if (hEnd > h) {
    s.hostStart = h;
    s.hostEnd = hEnd;
  }
  s.bodyStart = afterHost(text, hEnd, end, s);
  // remember ` host kernel: ` (up to the uptime or the message) for the next line; lines of other
  // programs in between (sshd[123]:) do not replace it
  if (s.hostStart >= 0 && s.tagStart >= 0 && s.pidStart < 0 && s.tagEnd + 1 < end && text.charCodeAt(s.tagEnd) === COLON && text.charCodeAt(s.tagEnd + 1) === SPACE) {
    const midEnd = s.tagEnd + 2;
    s.mid = text.slice(q, midEnd);
    s.midHost = s.hostStart - q;
    s.midHostEnd = s.hostEnd - q;
    s.midTag = s.tagStart - q;
    s.midTagEnd = s.tagEnd - q;
  }
}

function rfc5424(text: string, p: number, end: number, s: WrapperScan): boolean {
  // TIMESTAMP
  let q: number;
  if (p < end && text.charCodeAt(p) === DASH) q = p + 1;
  else {
    q = isoAt(text, p, end, s);
    if (q < 0) return false;
  }
  if (q >= end || text.charCodeAt(q) !== SPACE) return false;
  // HOST APP PROCID MSGID
  const words: number[] = [];
  let r = q + 1;
  for (let i = 0; i < 4; i++) {
    const e = wordEnd(text, r, end);
    if (e === r) return false;
    words.push(r, e);
    r = e;
    if (r >= end || text.charCodeAt(r) !== SPACE) {
      if (i < 3) return false;
    } else r++;
  }
  const nil = (a: number, b: number) => b - a === 1 && text.charCodeAt(a) === DASH;
  if (!nil(words[0], words[1])) {
    s.hostStart = words[0];
    s.hostEnd = words[1];
  }
  if (!nil(words[2], words[3])) {
    s.tagStart = words[2];
    s.tagEnd = words[3];
  }
  if (!nil(words[4], words[5])) {
    s.pidStart = words[4];
    s.pidEnd = words[5];
  }
  // STRUCTURED-DATA: `-` or one or more `[id param="..."]`
  if (r < end && text.charCodeAt(r) === DASH) r++;
  else {
    while (r < end && text.charCodeAt(r) === LBRACKET) {
      let inQuote = false;
      r++;
      while (r < end) {
        const c = text.charCodeAt(r);
        if (c === 0x5c) r++;
        else if (c === 0x22) inQuote = !inQuote;
        else if (c === RBRACKET && !inQuote) break;
        r++;
      }
      r++;
    }
  }
  r = Math.min(r, end);
  // an optional BOM before MSG
  r = skipBlanks(text, r, end);
  if (r < end && text.charCodeAt(r) === 0xfeff) r++;
  s.kind = 'rfc5424';
  s.bodyStart = r;
  return true;
}

/** The wrapper of one line as model tokens. `text` is the line alone (offsets are columns). */
export function parseWrapper(text: string, lineNo: number, s: WrapperScan = new WrapperScan()): Wrapper {
  scanWrapper(text, 0, text.length, s);
  const w: {
    -readonly [K in keyof Wrapper]: Wrapper[K];
  } = { kind: s.kind, span: span(lineNo, 0, s.bodyStart) };
  if (s.priStart >= 0) w.priority = numberToken(text, lineNo, s.priStart, s.priEnd, parseUint(text, s.priStart, s.priEnd));
  if (s.tsStart >= 0) {
    const ts: { -readonly [K in keyof Timestamp]: Timestamp[K] } = {
      text: text.slice(s.tsStart, s.tsEnd),
      span: span(lineNo, s.tsStart, s.tsEnd),
      style: s.tsStyle,
      month: s.month,
      day: s.day,
      hour: s.hour,
      minute: s.minute,
      second: s.second,
      minuteKey: s.minuteKey,
    };
    if (s.tsStyle !== 'bsd') ts.year = s.year;
    if (s.fracStart >= 0) ts.fraction = text.slice(s.fracStart, s.fracEnd);
    if (!Number.isNaN(s.utcOffset)) ts.utcOffsetMinutes = s.utcOffset;
    w.timestamp = ts;
  }
  if (s.hostStart >= 0) w.host = token(text, lineNo, s.hostStart, s.hostEnd);
  if (s.tagStart >= 0) w.tag = token(text, lineNo, s.tagStart, s.tagEnd);
  if (s.pidStart >= 0) w.pid = numberToken(text, lineNo, s.pidStart, s.pidEnd, parseUint(text, s.pidStart, s.pidEnd));
  if (s.upStart >= 0) w.uptime = numberToken(text, lineNo, s.upStart, s.upEnd, parseDecimal(text, s.upStart, s.upEnd));
  if (s.facStart >= 0) w.facility = token(text, lineNo, s.facStart, s.facEnd);
  if (s.lvlStart >= 0) w.level = token(text, lineNo, s.lvlStart, s.lvlEnd);
  return w;
}
