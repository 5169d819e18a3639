/**
 * The line classifier: one line of a firewall log in, one LogLine out. Needs nothing but the
 * line itself (hover on one line of a 50 MB file parses that line only), never throws, and keeps
 * every range. Order of the checks:
 *   blank -> wrapper -> `IN=` (kernel LOG line) -> conntrack listing -> kernel message -> sysctl -> other.
 */
import type { LogDocument, LogField, LogLine, LogNote, LogPacket, LogPrefix, OtherLine, PacketLine, Span, Wrapper } from '../../model/log';
import { looksLikeConntrack, parseConntrackLine } from './conntrack';
import { parseKernelMessage, parseSysctlLine } from './kernel';
import { parsePacketFields } from './packet';
import { findIn, makePrefix } from './prefix';
import * as scan from './scan';
import { parseWrapper, WrapperScan } from './wrapper';

// local bindings: resolved once, not through a module getter on every call (hot loops)
const { isBlank, span } = scan;

const shared = new WrapperScan();

/** Parse one line (without its line break; a trailing `\r` is ignored). */
export function parseLogLine(text: string, lineNo = 0): LogLine {
  try {
    return classify(text, lineNo);
  } catch (e) {
    // never reached in practice; a parser bug must not take the server down with it
    return { kind: 'other', line: lineNo, span: span(lineNo, 0, text.length), blank: false, what: `unparsed (${e instanceof Error ? e.message : String(e)})` };
  }
}

function classify(text: string, lineNo: number): LogLine {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 0x0d) end--;
  let first = 0;
  while (first < end && isBlank(text.charCodeAt(first))) first++;
  if (first >= end) return { kind: 'other', line: lineNo, span: span(lineNo, 0, end), blank: true };

  const lineText = end === text.length ? text : text.slice(0, end);
  const wrapper: Wrapper = parseWrapper(lineText, lineNo, shared);
  const body = wrapper.span.end;

  const at = findIn(lineText, body, end);
  if (at >= 0) {
    const prefix = makePrefix(lineText, lineNo, body, at);
    const parsed = parsePacketFields(lineText, lineNo, at, end);
    const notes = parsed.notes;
    if (prefix.text.length > 0 && !isBlank(prefix.text.charCodeAt(prefix.text.length - 1)) && prefix.info.style === 'plain' && prefix.label.length > 0) {
      const last = prefix.text.charCodeAt(prefix.text.length - 1);
      if (last !== 0x3a && last !== 0x29 && last !== 0x5d) {
        notes.push({
          code: 'log/prefix-glued',
          severity: 'info',
          message: 'The log prefix runs straight into `IN=`: end `--log-prefix` with a space (or `: `) so the two stay apart.',
          span: prefix.span,
        });
      }
    }
    return new Packet(lineNo, span(lineNo, 0, end), wrapper, prefix, parsed.packet, notes, lineText, at, end, parsed.fields);
  }

  if (looksLikeConntrack(lineText, body, end)) return parseConntrackLine(lineText, lineNo, body, end, wrapper);

  const kernel = parseKernelMessage(lineText, lineNo, body, end, wrapper);
  if (kernel) return kernel;

  if (wrapper.kind === 'bare') {
    const sysctl = parseSysctlLine(lineText, lineNo, body, end);
    if (sysctl) return sysctl;
  }
  return other(lineText, lineNo, body, end, wrapper);
}

/**
 * A LOG line whose field list is kept only while someone uses it: a parsed document holds
 * hundreds of thousands of lines, and their fields were more than half of its memory. The list
 * is rebuilt from the line's own text (same scan, same result) the first time it is asked for
 * after parsing; the packet and the notes are kept.
 */
class Packet implements PacketLine {
  readonly kind = 'packet' as const;
  private cached: readonly LogField[] | undefined;

  constructor(
    readonly line: number,
    readonly span: Span,
    readonly wrapper: Wrapper,
    readonly prefix: LogPrefix,
    readonly packet: LogPacket,
    readonly notes: readonly LogNote[],
    private readonly text: string,
    private readonly at: number,
    private readonly end: number,
    fields: readonly LogField[],
  ) {
    // a single line parsed for hover keeps its fields; documents drop them (see parseLogDocument)
    this.cached = fields;
  }

  get fields(): readonly LogField[] {
    return (this.cached ??= parsePacketFields(this.text, this.line, this.at, this.end).fields);
  }

  /** Let go of the field list (it is rebuilt on demand). */
  release(): void {
    this.cached = undefined;
  }

  toJSON(): PacketLine {
    const { kind, line, span: sp, wrapper, prefix, fields, packet, notes } = this;
    return { kind, line, span: sp, wrapper, prefix, fields, packet, notes };
  }
}

function other(text: string, lineNo: number, body: number, end: number, wrapper: Wrapper): OtherLine {
  let what: string | undefined;
  if (text.startsWith('-- ', body) && (text.includes('Logs begin', body) || text.includes('Boot ', body) || text.includes('No entries', body))) what = 'journal marker';
  else if (text.startsWith('conntrack v', body) && text.includes('flow entries', body)) what = 'conntrack summary';
  else if (text.charCodeAt(body) === 0x23) what = 'comment';
  else if (wrapper.tag) what = `message from ${wrapper.tag.text}`;
  // built without object spread: other lines are the bulk of a mixed syslog
  const o: { -readonly [K in keyof OtherLine]: OtherLine[K] } = { kind: 'other', line: lineNo, span: span(lineNo, 0, end), blank: false };
  if (wrapper.kind !== 'bare') o.wrapper = wrapper;
  if (what) o.what = what;
  return o;
}

/**
 * Parse a whole document line by line (for summaries and the outline). Lines end where an editor
 * ends them: at `\n`, `\r\n` or a lone `\r` (a stray carriage return in a log must not shift every
 * later line number against the editor's). Like an editor, a text ending in a line break has an
 * empty last line, so line numbers and lineCount match the editor's.
 */
export function parseLogDocument(text: string): LogDocument {
  const lines: LogLine[] = [];
  const counts = { packet: 0, conntrack: 0, kernel: 0, sysctl: 0, other: 0 };
  for (const l of parseLogLines(text)) {
    // keep the packet, let the field list be rebuilt on demand (see Packet)
    if (l instanceof Packet) l.release();
    lines.push(l);
    counts[l.kind]++;
  }
  return { lines, lineCount: lines.length, counts };
}

/**
 * The lines of a document parsed one at a time, as parseLogDocument splits them, keeping none:
 * for a pass over a log too large to hold parsed in memory (the outline of a 50 MB log).
 */
export function* parseLogLines(text: string): Generator<LogLine> {
  let start = 0;
  let n = 0;
  let cr = text.indexOf('\r');
  for (;;) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
    // a carriage return not followed by \n ends the line on its own
    let next = nl + 1;
    if (cr >= 0 && cr < nl && text.charCodeAt(cr + 1) !== 10) {
      nl = cr;
      next = cr + 1;
    }
    yield parseLogLine(text.slice(start, nl), n);
    n++;
    if (nl >= text.length) return;
    start = next;
  }
}

/** Iterate the lines of a text as [start, end) offsets without splitting it (end excludes `\r`). */
export function* lineOffsets(text: string): Generator<[number, number, number]> {
  let start = 0;
  let n = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    yield [n, start, end];
    n++;
    start = nl + 1;
  }
}
