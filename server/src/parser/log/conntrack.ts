/**
 * Conntrack listing lines: `conntrack -L` / `-L -o extended`, `conntrack -E` (`[NEW]`,
 * `[UPDATE]`, `[DESTROY]`), and /proc/net/nf_conntrack (`ipv4     2 tcp      6 ...`).
 *
 *   [EVENT] [l3name l3num] l4name l4num [timeout] [STATE] src= dst= sport= dport= [packets= bytes=]
 *   [UNREPLIED] src= dst= sport= dport= [packets= bytes=] [ASSURED] [mark=] [secctx=] [zone=] [use=] [id=]
 */
import type { ConntrackLine, ConntrackTuple, LogField, LogNote, NumberToken, Token, Wrapper } from '../../model/log';
import { Field, MAX_FIELDS } from './field';
import * as scan from './scan';

// local bindings: resolved once, not through a module getter on every call (hot loops)
const { isDigit, isLower, isUpper, LBRACKET, numberToken, parseUint, RBRACKET, skipBlanks, span, token, wordEnd } = scan;

/** Layer-4 protocol names conntrack prints, with their numbers. */
export const CT_L4: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  udplite: 136,
  icmp: 1,
  icmpv6: 58,
  sctp: 132,
  dccp: 33,
  gre: 47,
  unknown: -1,
};

const CT_L3: Readonly<Record<string, number>> = { ipv4: 2, ipv6: 10 };

/** Whether `name` is one of the table's own names (`in` would also take `constructor`, `toString`...). */
function named(table: Readonly<Record<string, number>>, name: string): boolean {
  return Object.hasOwn(table, name);
}

const TUPLE_KEYS = new Set(['src', 'dst', 'sport', 'dport', 'type', 'code', 'id', 'packets', 'bytes', 'srckey', 'dstkey', 'vtag']);

/** Whether text[p, end) starts like a conntrack listing line (cheap check for the classifier). */
export function looksLikeConntrack(text: string, p: number, end: number): boolean {
  // conntrack -E pads the event: `    [NEW] tcp ...`
  p = skipBlanks(text, p, end);
  if (p < end && text.charCodeAt(p) === LBRACKET) {
    const e = wordEnd(text, p, end);
    if (text.charCodeAt(e - 1) !== RBRACKET) return false;
    p = skipBlanks(text, e, end);
  }
  let w = wordEnd(text, p, end);
  let name = text.slice(p, w);
  if (named(CT_L3, name)) {
    p = skipBlanks(text, wordEnd(text, skipBlanks(text, w, end), end), end);
    w = wordEnd(text, p, end);
    name = text.slice(p, w);
  }
  if (!named(CT_L4, name)) return false;
  const n = skipBlanks(text, w, end);
  if (n >= end || !isDigit(text.charCodeAt(n))) return false;
  return text.indexOf('src=', n) >= 0;
}

export function parseConntrackLine(text: string, line: number, body: number, end: number, wrapper: Wrapper): ConntrackLine {
  const notes: LogNote[] = [];
  const fields: LogField[] = [];
  const flags: Token[] = [];
  let p = skipBlanks(text, body, end);
  let event: Token | undefined;
  let l3: Token | undefined;
  let l3Number: NumberToken | undefined;
  let timeout: NumberToken | undefined;
  let state: Token | undefined;

  // [NEW] / [UPDATE] / [DESTROY]
  if (p < end && text.charCodeAt(p) === LBRACKET) {
    const e = wordEnd(text, p, end);
    if (text.charCodeAt(e - 1) === RBRACKET) {
      event = token(text, line, p + 1, e - 1);
      if (!['NEW', 'UPDATE', 'DESTROY'].includes(event.text)) {
        notes.push({ code: 'log/unknown-event', severity: 'info', message: `\`[${event.text}]\` is not an event conntrack -E prints (NEW, UPDATE, DESTROY).`, span: event.span });
      }
      p = skipBlanks(text, e, end);
    }
  }
  const word = (): [number, number] => {
    const e = wordEnd(text, p, end);
    return [p, e];
  };
  let [ws, we] = word();
  if (named(CT_L3, text.slice(ws, we))) {
    l3 = token(text, line, ws, we);
    p = skipBlanks(text, we, end);
    [ws, we] = word();
    l3Number = numberToken(text, line, ws, we, parseUint(text, ws, we));
    if (l3Number.value !== CT_L3[l3.text]) {
      notes.push({ code: 'log/bad-value', severity: 'warning', message: `${l3.text} is layer-3 protocol ${CT_L3[l3.text]}, not \`${l3Number.text}\`.`, span: l3Number.span });
    }
    p = skipBlanks(text, we, end);
    [ws, we] = word();
  }
  const l4: Token = token(text, line, ws, we);
  p = skipBlanks(text, we, end);
  [ws, we] = word();
  const l4Number: NumberToken = numberToken(text, line, ws, we, parseUint(text, ws, we));
  const expect = named(CT_L4, l4.text) ? CT_L4[l4.text] : undefined;
  if (expect !== undefined && expect >= 0 && l4Number.value !== expect) {
    notes.push({ code: 'log/bad-value', severity: 'warning', message: `${l4.text} is IP protocol ${expect}, not \`${l4Number.text}\`.`, span: l4Number.span });
  }
  p = skipBlanks(text, we, end);
  // timeout (absent in DESTROY events)
  [ws, we] = word();
  if (we > ws && isAllDigits(text, ws, we)) {
    timeout = numberToken(text, line, ws, we, parseUint(text, ws, we));
    p = skipBlanks(text, we, end);
    [ws, we] = word();
  }
  // protocol state: an upper-case word (ESTABLISHED, SYN_SENT, COOKIE_WAIT...)
  if (we > ws && isUpper(text.charCodeAt(ws)) && isStateWord(text, ws, we)) {
    state = token(text, line, ws, we);
    p = skipBlanks(text, we, end);
  }
  if (l4.text === 'tcp' && !state && event?.text !== 'DESTROY') {
    notes.push({ code: 'log/missing-field', severity: 'warning', message: 'A TCP entry always shows its state (ESTABLISHED, TIME_WAIT...) after the timeout.', span: l4.span });
  }

  // key=value pairs and [FLAGS]
  type MutableTuple = { -readonly [K in keyof ConntrackTuple]: ConntrackTuple[K] } & { fields: LogField[]; start: number; end: number };
  const tuples: MutableTuple[] = [];
  let current: MutableTuple | undefined;
  let unreplied = false;
  let assured = false;
  const extra: { mark?: number; zone?: number; secctx?: string; use?: number; id?: number; helper?: string; labels?: string } = {};
  let junkStart = -1;
  let junkEnd = -1;
  const flushJunk = () => {
    if (junkStart < 0) return;
    notes.push({ code: 'log/unexpected-text', severity: 'warning', message: 'This text is not part of a conntrack entry.', span: span(line, junkStart, junkEnd) });
    junkStart = -1;
  };
  while (p < end) {
    p = skipBlanks(text, p, end);
    if (p >= end) break;
    if (fields.length >= MAX_FIELDS) {
      // a conntrack entry has under 30 fields: this line is mangled, and a million fields would fill the memory
      flushJunk();
      notes.push({ code: 'log/too-many-fields', severity: 'warning', message: `More than ${MAX_FIELDS} fields: conntrack never prints that many, so the line is mangled; the rest of it is not read.`, span: span(line, p, end) });
      break;
    }
    if (text.charCodeAt(p) === LBRACKET) {
      // [ASSURED], [UNREPLIED], [OFFLOAD], or [start=... stop=...] (ktimestamp)
      let q = p + 1;
      while (q < end && text.charCodeAt(q) !== RBRACKET) q++;
      if (q >= end) {
        flushJunk();
        notes.push({ code: 'log/cut', severity: 'warning', message: 'A `[` that is never closed: the line was cut.', span: span(line, p, end) });
        break;
      }
      flushJunk();
      const f = token(text, line, p + 1, q);
      flags.push(f);
      if (f.text === 'UNREPLIED') unreplied = true;
      else if (f.text === 'ASSURED') assured = true;
      fields.push(flagField(text, f, line, p, q + 1));
      current = undefined;
      p = q + 1;
      continue;
    }
    const e = wordEnd(text, p, end);
    let eq = p;
    while (eq < e && text.charCodeAt(eq) !== 0x3d) eq++;
    if (eq >= e || eq === p || !isLower(text.charCodeAt(p))) {
      if (junkStart < 0) junkStart = p;
      junkEnd = e;
      p = e;
      continue;
    }
    flushJunk();
    const key = text.slice(p, eq);
    const f = new Field(text, line, key, p, eq, eq + 1, e, 'pair', TUPLE_KEYS.has(key) ? 'ip' : 'meta', false);
    fields.push(f);
    const num = parseUint(text, eq + 1, e);
    if (key === 'src') {
      current = { span: span(line, p, e), fields: [], start: p, end: e };
      tuples.push(current);
    }
    const inTuple = current && TUPLE_KEYS.has(key) && !(key === 'id' && !isIcmp(l4.text));
    if (inTuple && current) {
      current.fields.push(f);
      current.end = e;
      switch (key) {
        case 'src':
          current.src = f.value;
          break;
        case 'dst':
          current.dst = f.value;
          break;
        case 'sport':
          current.sport = num;
          break;
        case 'dport':
          current.dport = num;
          break;
        case 'type':
          current.type = num;
          break;
        case 'code':
          current.code = num;
          break;
        case 'id':
          current.id = num;
          break;
        case 'packets':
          current.packets = num;
          break;
        case 'bytes':
          current.bytes = num;
          break;
      }
    } else {
      current = undefined;
      switch (key) {
        case 'mark':
          extra.mark = num;
          break;
        case 'zone':
          extra.zone = num;
          break;
        case 'secctx':
          extra.secctx = f.value;
          break;
        case 'use':
          extra.use = num;
          break;
        case 'id':
          extra.id = num;
          break;
        case 'helper':
          extra.helper = f.value;
          break;
        case 'labels':
          extra.labels = f.value;
          break;
      }
    }
    p = e;
  }
  flushJunk();
  if (tuples.length > 2) {
    notes.push({ code: 'log/duplicate-field', severity: 'warning', message: 'More than two address tuples: two entries run together?', span: tuples[2].span });
  }
  const finish = (t: MutableTuple | undefined): ConntrackTuple | undefined => {
    if (!t) return undefined;
    const { start, end: tEnd, ...rest } = t;
    return { ...rest, span: span(line, start, tEnd) };
  };
  const original = finish(tuples[0]);
  const reply = finish(tuples[1]);
  if (!original) notes.push({ code: 'log/cut', severity: 'warning', message: 'No `src=` tuple: the line was cut.', span: span(line, p, end) });
  else if (!reply && event?.text !== 'DESTROY') {
    notes.push({ code: 'log/cut', severity: 'warning', message: 'Only one address tuple: the reply direction is missing (line cut?).', span: original.span });
  }
  const out: { -readonly [K in keyof ConntrackLine]: ConntrackLine[K] } = {
    kind: 'conntrack',
    line,
    span: span(line, 0, end),
    wrapper,
    l4,
    l4Number,
    flags,
    unreplied,
    assured,
    fields,
    notes,
  };
  if (event) out.event = event;
  if (l3) out.l3 = l3;
  if (l3Number) out.l3Number = l3Number;
  if (timeout) out.timeout = timeout;
  if (state) out.state = state;
  if (original) out.original = original;
  if (reply) out.reply = reply;
  Object.assign(out, extra);
  return out;
}

function flagField(text: string, f: Token, line: number, start: number, end: number): LogField {
  const field = new Field(text, line, f.text, f.span.start, f.span.end, f.span.end, f.span.end, 'flag', 'meta', false);
  field.spanEnd = end;
  field.spanStart = start;
  return field;
}

function isIcmp(l4: string): boolean {
  return l4 === 'icmp' || l4 === 'icmpv6';
}

function isAllDigits(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return e > s;
}

function isStateWord(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (!isUpper(c) && c !== 0x5f && !isDigit(c)) return false;
  }
  return true;
}
