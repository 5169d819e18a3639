/**
 * The fields of a kernel LOG line, from `IN=` to the end: every `KEY=value`, bare word (`DF`,
 * `SYN`), `FRAG:n`, `OPT (...)`, `INCOMPLETE [n bytes]` and the nested `[...]` original packet of
 * an ICMP error, each with its ranges, decoded into a LogPacket.
 *
 * The grammar follows the kernel's printer, net/netfilter/nf_log_syslog.c (line numbers of Linux
 * 6.12, see ../shared/reference/conntrack-tcp.md "LOG line grammar"):
 *   IN=%s OUT=%s [PHYSIN=%s] [PHYSOUT=%s]                          :123, :130-133
 *   MAC=dst:src:type | MACSRC= MACDST= [VPROTO= VID=] MACPROTO=      :807 (macdecode variant beside it)
 *   IPv4: SRC= DST= LEN= TOS=0x%02X PREC=0x%02X TTL= ID= [CE] [DF] [MF] [FRAG:%u] [OPT (hex)]   :325-359
 *   IPv6: SRC= DST= LEN= TC= HOPLIMIT= FLOWLBL= [OPT ( ext headers )]                         :561-564
 *   TCP:  PROTO=TCP SPT= DPT= [SEQ= ACK=] WINDOW= RES=0x%02x [flags] URGP= [OPT (hex)]         :195-257
 *   UDP:  PROTO=UDP|UDPLITE SPT= DPT= LEN=                                                      :276-293
 *   ICMP: PROTO=ICMP|ICMPv6 TYPE= CODE= [ID= SEQ= | PARAMETER= | GATEWAY= | POINTER=] [[...]] [MTU=]  :395-455
 *   AH/ESP: PROTO=AH|ESP SPI=0x%x                                                               :480-504
 *   other: PROTO=<number>                                                                        :509
 *   UID= GID= (:178)   MARK=0x%x (:518)
 * Every field is followed by a blank. The scan is one pass over the characters, never backtracks,
 * and never throws: text that does not fit becomes a note.
 */
import type { FieldKind, FieldLayer, LogField, LogNote, LogPacket, NoteSeverity, Span, TcpFlagName } from '../../model/log';
import { Field, MAX_FIELDS } from './field';
import { TCP_FLAG_BIT, TCP_FLAG_ORDER } from '../../model/log';
import * as scan from './scan';

// local bindings: resolved once, not through a module getter on every call (hot loops)
const { COLON, EQUALS, isBlank, isDigit, isUpper, LBRACKET, LPAREN, parseHex, parseUint, RBRACKET, RPAREN, skipBlanks } = scan;

/** IP protocol numbers of the names the kernel prints after `PROTO=`. */
export const PROTO_NUMBERS: Readonly<Record<string, number>> = {
  TCP: 6,
  UDP: 17,
  UDPLITE: 136,
  ICMP: 1,
  ICMPv6: 58,
  AH: 51,
  ESP: 50,
};

const LAYER: Readonly<Record<string, FieldLayer>> = {
  IN: 'interface',
  OUT: 'interface',
  PHYSIN: 'interface',
  PHYSOUT: 'interface',
  MAC: 'link',
  MACSRC: 'link',
  MACDST: 'link',
  MACPROTO: 'link',
  VPROTO: 'link',
  VID: 'link',
  TUNNEL: 'link',
  ARP: 'link',
  HTYPE: 'link',
  PTYPE: 'link',
  OPCODE: 'link',
  IPSRC: 'link',
  IPDST: 'link',
  SRC: 'ip',
  DST: 'ip',
  TOS: 'ip',
  PREC: 'ip',
  TTL: 'ip',
  CE: 'ip',
  DF: 'ip',
  MF: 'ip',
  FRAG: 'ip',
  TC: 'ip',
  HOPLIMIT: 'ip',
  FLOWLBL: 'ip',
  PROTO: 'ip',
  UID: 'meta',
  GID: 'meta',
  MARK: 'meta',
  INCOMPLETE: 'marker',
  TRUNCATED: 'marker',
};

const INTERNED = new Map<string, string>(
  [
    ...Object.keys(LAYER),
    'LEN', 'ID', 'SPT', 'DPT', 'SEQ', 'ACK', 'WINDOW', 'RES', 'URGP', 'TYPE', 'CODE', 'PARAMETER', 'GATEWAY', 'MTU', 'POINTER', 'SPI',
  ].map((k) => [k, k]),
);

function isFlagWord(w: string): w is TcpFlagName {
  switch (w) {
    case 'AE':
    case 'CWR':
    case 'ECE':
    case 'URG':
    case 'ACK':
    case 'PSH':
    case 'RST':
    case 'SYN':
    case 'FIN':
      return true;
    default:
      return false;
  }
}

/** Where the scan of one packet level is. */
const enum Phase {
  Interface = 0,
  Ip = 1,
  Transport = 2,
  Arp = 3,
}

class Level {
  phase = Phase.Interface;
  readonly seen = new Set<string>();
  lastFlag = -1;
  constructor(readonly packet: LogPacket, readonly nested: boolean) {}
}

export interface PacketParse {
  readonly fields: LogField[];
  readonly packet: LogPacket;
  readonly notes: LogNote[];
}

/** At most this many notes per line; the rest are summed up in one more. */
const MAX_NOTES = 50;

class Scanner {
  readonly fields: LogField[] = [];
  readonly notes: LogNote[] = [];
  /** Start and end of a run of text that fits no field, reported as one note. */
  private junkStart = -1;
  private junkEnd = -1;

  constructor(
    readonly text: string,
    readonly line: number,
    readonly end: number,
  ) {}

  span(start: number, end: number): Span {
    return { line: this.line, start, end };
  }

  /** Notes beyond the cap are only counted: a mangled 1 MB line must not produce 100 000 notes. */
  suppressed = 0;
  /** The field cap was reached (and said so once). */
  capped = false;

  note(code: string, severity: NoteSeverity, message: string, start: number, end: number): void {
    if (this.notes.length >= MAX_NOTES) {
      this.suppressed++;
      return;
    }
    this.notes.push({ code, severity, message, span: this.span(start, end) });
  }

  junk(start: number, end: number): void {
    if (this.junkStart < 0) this.junkStart = start;
    this.junkEnd = end;
  }

  flushJunk(): void {
    if (this.junkStart < 0) return;
    const shown = this.text.slice(this.junkStart, Math.min(this.junkEnd, this.junkStart + 40));
    this.note(
      'log/unexpected-text',
      'warning',
      `\`${shown}${this.junkEnd - this.junkStart > 40 ? '…' : ''}\` is not a field the kernel's LOG target prints; the line was probably mangled (two lines run together, or text inserted by another program).`,
      this.junkStart,
      this.junkEnd,
    );
    this.junkStart = this.junkEnd = -1;
  }

  field(kind: FieldKind, key: string, ks: number, ke: number, vs: number, ve: number, lvl: Level, layer: FieldLayer, unknown = false): Field {
    const f = new Field(this.text, this.line, key, ks, ke, vs, ve, kind, layer, lvl.nested, unknown || undefined);
    this.fields.push(f);
    return f;
  }

  /**
   * Scan one packet level from pos. Returns the offset where it stopped: the end of the line, or
   * (nested) the `]` closing the quoted packet.
   */
  scan(pos: number, lvl: Level): number {
    const { text, end } = this;
    while (pos < end) {
      pos = skipBlanks(text, pos, end);
      if (pos >= end) break;
      if (this.fields.length >= MAX_FIELDS) {
        this.flushJunk();
        if (!this.capped) this.note('log/too-many-fields', 'warning', `More than ${MAX_FIELDS} fields: the kernel never prints that many, so the line is mangled; the rest of it is not read.`, pos, end);
        this.capped = true;
        return end;
      }
      const c = text.charCodeAt(pos);
      if (c === RBRACKET && lvl.nested) {
        this.flushJunk();
        return pos;
      }
      if (c === LBRACKET) {
        pos = this.nestedPacket(pos, lvl);
        continue;
      }
      // the word: up to a blank (and, nested, up to `]`)
      let we = pos;
      let eq = -1;
      let colon = -1;
      while (we < end) {
        const d = text.charCodeAt(we);
        if (isBlank(d) || (d === RBRACKET && lvl.nested)) break;
        if (d === EQUALS && eq < 0) eq = we;
        else if (d === COLON && colon < 0 && eq < 0) colon = we;
        we++;
      }
      if (eq > pos && isKeyStart(text, pos, eq)) {
        this.flushJunk();
        this.pair(pos, eq, we, lvl);
        pos = we;
        continue;
      }
      const word = we - pos <= 12 ? text.slice(pos, we) : '';
      if (word === 'OPT') {
        this.flushJunk();
        pos = this.opt(pos, we, lvl);
        continue;
      }
      if (word === 'INCOMPLETE') {
        this.flushJunk();
        pos = this.incomplete(pos, we, lvl);
        continue;
      }
      if (word === 'Unknown' && startsWith(text, skipBlanks(text, we, end), end, 'Ext Hdr')) {
        // IPv6: `Unknown Ext Hdr 255`
        this.flushJunk();
        let p = skipBlanks(text, we, end) + 7;
        p = skipBlanks(text, p, end);
        let q = p;
        while (q < end && isDigit(text.charCodeAt(q))) q++;
        this.field('group', 'Unknown Ext Hdr', pos, pos + 15, p, q, lvl, 'ip');
        // the kernel stops here (no PROTO= follows): nothing is missing after it
        lvl.seen.add('PROTO');
        pos = q;
        continue;
      }
      if (colon > pos && isKeyStart(text, pos, colon) && colon + 1 < we) {
        // FRAG:123, ID:0000abcd
        this.flushJunk();
        const key = text.slice(pos, colon);
        this.field('colon', key, pos, colon, colon + 1, we, lvl, 'ip');
        if (key === 'FRAG') {
          { const n = this.num(parseUint(text, colon + 1, we), colon + 1, we, 'FRAG'); if (n === n) lvl.packet.fragOffset = n; }
        } else if (key !== 'ID') {
          this.note('log/unknown-field', 'warning', `\`${key}:\` is not a field the kernel's LOG target prints.`, pos, we);
        }
        pos = we;
        continue;
      }
      if (word !== '' && this.bare(word, pos, we, lvl)) {
        pos = we;
        continue;
      }
      this.junk(pos, we);
      pos = we;
    }
    this.flushJunk();
    return end;
  }

  /** A bare word: IP flags, TCP flags, markers. */
  bare(word: string, ws: number, we: number, lvl: Level): boolean {
    const p = lvl.packet;
    if (isFlagWord(word) && lvl.phase === Phase.Transport && p.proto === 'TCP') {
      this.flushJunk();
      this.field('flag', word, ws, we, we, we, lvl, 'transport');
      const order = TCP_FLAG_ORDER.indexOf(word);
      if ((p.tcpFlagBits! & TCP_FLAG_BIT[word]) !== 0) {
        this.note('log/duplicate-field', 'warning', `The TCP flag ${word} is written twice.`, ws, we);
      } else if (order < lvl.lastFlag) {
        this.note(
          'log/flag-order',
          'info',
          `The kernel prints TCP flags in the order ${TCP_FLAG_ORDER.slice(1).join(' ')}; \`${word}\` is out of that order, so this line was probably written by hand or by another tool.`,
          ws,
          we,
        );
      }
      lvl.lastFlag = Math.max(lvl.lastFlag, order);
      p.tcpFlags!.push(word);
      p.tcpFlagBits = p.tcpFlagBits! | TCP_FLAG_BIT[word];
      if (lvl.seen.has('URGP')) {
        this.note('log/misplaced-field', 'warning', `TCP flags come before URGP=; \`${word}\` after it is out of place.`, ws, we);
      }
      return true;
    }
    if ((word === 'CE' || word === 'DF' || word === 'MF') && lvl.phase === Phase.Ip) {
      this.flushJunk();
      this.field('flag', word, ws, we, we, we, lvl, 'ip');
      if (word === 'CE') p.ce = true;
      else if (word === 'DF') p.df = true;
      else p.mf = true;
      return true;
    }
    if (word === 'TRUNCATED' || (word === 'ARP' && lvl.phase !== Phase.Transport)) {
      this.flushJunk();
      this.field('flag', word, ws, we, we, we, lvl, word === 'ARP' ? 'link' : 'marker');
      if (word === 'TRUNCATED') p.truncated = true;
      else {
        p.family = 'arp';
        lvl.phase = Phase.Arp;
      }
      return true;
    }
    return false;
  }

  /** `KEY=value`. */
  pair(ks: number, eq: number, ve: number, lvl: Level): void {
    const { text } = this;
    const raw = text.slice(ks, eq);
    // the constant string for a known key: switch compares it by identity, and fields share it
    const key = INTERNED.get(raw) ?? raw;
    const vs = eq + 1;
    const p = lvl.packet;
    let layer: FieldLayer = LAYER[key] ?? 'transport';
    let unknown = false;
    // LEN and ID mean one thing before PROTO= (IP header) and another after it (UDP length, ICMP echo id)
    const seenKey = (key === 'LEN' || key === 'ID') && lvl.phase === Phase.Transport ? `${key}/${key === 'LEN' ? 'udp' : 'icmp'}` : key;
    const dup = lvl.seen.has(seenKey);
    // keys whose meaning depends on where they stand
    switch (key) {
      case 'IN':
      case 'OUT':
      case 'PHYSIN':
      case 'PHYSOUT': {
        const v = text.slice(vs, ve);
        if (key === 'IN') p.in = v;
        else if (key === 'OUT') p.out = v;
        else if (key === 'PHYSIN') p.physIn = v;
        else p.physOut = v;
        break;
      }
      case 'MAC':
        p.mac = text.slice(vs, ve);
        break;
      case 'MACSRC':
      case 'MACDST':
        if (lvl.phase === Phase.Arp) {
          if (key === 'MACSRC') p.arpMacSrc = text.slice(vs, ve);
          else p.arpMacDst = text.slice(vs, ve);
          layer = 'link';
          // the ARP payload repeats MACSRC/MACDST after the header ones
          this.field('pair', key, ks, eq, vs, ve, lvl, layer);
          return;
        }
        if (key === 'MACSRC') p.macSrc = text.slice(vs, ve);
        else p.macDst = text.slice(vs, ve);
        break;
      case 'MACPROTO':
        p.macProto = text.slice(vs, ve);
        break;
      case 'VPROTO':
        p.vlanProto = text.slice(vs, ve);
        break;
      case 'VID':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.vlanId = n; }
        break;
      case 'TUNNEL':
        p.tunnel = text.slice(vs, ve);
        break;
      case 'HTYPE':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.arpHType = n; }
        break;
      case 'PTYPE':
        { const n = this.num(parseHex(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.arpPType = n; }
        break;
      case 'OPCODE':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.arpOpcode = n; }
        break;
      case 'IPSRC':
        p.arpIpSrc = text.slice(vs, ve);
        break;
      case 'IPDST':
        p.arpIpDst = text.slice(vs, ve);
        break;
      case 'SRC':
      case 'DST': {
        const v = text.slice(vs, ve);
        if (key === 'SRC') p.src = v;
        else p.dst = v;
        if (lvl.phase < Phase.Ip) lvl.phase = Phase.Ip;
        if (p.family === 'unknown' || p.family === undefined) p.family = v.includes(':') ? 'ipv6' : v.length > 0 ? 'ipv4' : 'unknown';
        if (!looksLikeAddress(v)) this.note('log/bad-value', 'warning', `\`${v}\` is not an IP address.`, vs, ve);
        break;
      }
      case 'LEN':
        if (lvl.phase === Phase.Transport) {
          layer = 'transport';
          { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.udpLen = n; }
        } else {
          layer = 'ip';
          { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.len = n; }
        }
        break;
      case 'TOS':
        { const n = this.num(parseHex(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.tos = n; }
        break;
      case 'PREC':
        { const n = this.num(parseHex(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.prec = n; }
        break;
      case 'TTL':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.ttl = n; }
        break;
      case 'TC':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.tc = n; }
        if (p.family === 'unknown') p.family = 'ipv6';
        break;
      case 'HOPLIMIT':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.hopLimit = n; }
        break;
      case 'FLOWLBL':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.flowLabel = n; }
        break;
      case 'ID':
        if (lvl.phase === Phase.Transport) {
          layer = 'transport';
          { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.icmpId = n; }
        } else {
          layer = 'ip';
          { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.id = n; }
        }
        break;
      case 'PROTO': {
        const v = text.slice(vs, ve);
        p.proto = v;
        const n = PROTO_NUMBERS[v] ?? parseUint(text, vs, ve);
        if (Number.isNaN(n)) this.note('log/bad-value', 'warning', `\`${v}\` is neither a protocol name the kernel prints nor a protocol number.`, vs, ve);
        else p.protoNumber = n;
        if (v === 'TCP') {
          p.tcpFlags = [];
          p.tcpFlagBits = 0;
        }
        lvl.phase = Phase.Transport;
        break;
      }
      case 'SPT':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.spt = n; }
        break;
      case 'DPT':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.dpt = n; }
        break;
      case 'SEQ':
        if (p.proto === 'TCP') { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.seq = n; }
        else { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.icmpSeq = n; }
        break;
      case 'ACK':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.ack = n; }
        break;
      case 'WINDOW':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.window = n; }
        break;
      case 'RES':
        { const n = this.num(parseHex(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.res = n; }
        break;
      case 'URGP':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.urgp = n; }
        break;
      case 'TYPE':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.icmpType = n; }
        break;
      case 'CODE':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.icmpCode = n; }
        break;
      case 'PARAMETER':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.icmpParameter = n; }
        break;
      case 'GATEWAY':
        p.icmpGateway = text.slice(vs, ve);
        break;
      case 'MTU':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.icmpMtu = n; }
        break;
      case 'POINTER':
        p.icmpPointer = text.slice(vs, ve);
        break;
      case 'SPI':
        { const n = this.num(parseHex(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.spi = n; }
        break;
      case 'UID':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.uid = n; }
        break;
      case 'GID':
        { const n = this.num(parseUint(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.gid = n; }
        break;
      case 'MARK':
        { const n = this.num(parseHex(text, vs, ve), vs, ve, key); if (n === n) lvl.packet.mark = n; }
        break;
      default:
        unknown = true;
        if (this.notes.length >= MAX_NOTES) this.suppressed++;
        else this.note(
          'log/unknown-field',
          'warning',
          `\`${key}=\` is not a field the kernel's LOG target prints${similarKey(key)}.`,
          ks,
          ve,
        );
    }
    if (dup && !unknown) {
      this.note('log/duplicate-field', 'warning', `\`${key}=\` appears twice in the same packet; the line is probably two lines run together.`, ks, ve);
    }
    lvl.seen.add(seenKey);
    this.field('pair', key, ks, eq, vs, ve, lvl, layer, unknown);
  }

  /** The number n, or NaN after a note when the value is not one. */
  num(n: number, vs: number, ve: number, key: string): number {
    if (n === n) return n;
    const v = this.text.slice(vs, Math.min(ve, vs + 40));
    this.note('log/bad-value', 'warning', vs === ve ? `\`${key}=\` has no value.` : `\`${v}\` is not a valid value for ${key}=.`, vs === ve ? vs - key.length - 1 : vs, ve);
    return NaN;
  }

  /** `OPT (HEX)` (IPv4 and TCP options) or `OPT ( ... )` (IPv6 extension headers). */
  opt(ks: number, ke: number, lvl: Level): number {
    const { text, end } = this;
    let p = skipBlanks(text, ke, end);
    if (p >= end || text.charCodeAt(p) !== LPAREN) {
      this.field('group', 'OPT', ks, ke, ke, ke, lvl, lvl.phase === Phase.Transport ? 'transport' : 'ip');
      this.note('log/cut', 'warning', 'OPT without its `(...)`: the line was cut here.', ks, ke);
      return ke;
    }
    const open = p;
    p++;
    let close = p;
    while (close < end && text.charCodeAt(close) !== RPAREN) close++;
    const vs = skipBlanks(text, p, close);
    let ve = close;
    while (ve > vs && isBlank(text.charCodeAt(ve - 1))) ve--;
    if (ve < vs) ve = vs;
    const layer: FieldLayer = lvl.phase === Phase.Transport ? 'transport' : 'ip';
    const f = this.field('group', 'OPT', ks, ke, vs, ve, lvl, layer);
    f.spanEnd = close < end ? close + 1 : end;
    if (close >= end) {
      this.note('log/cut', 'warning', 'The option list `OPT (` is never closed: the line was cut inside it.', open, end);
    }
    const v = f.value;
    if (layer === 'transport') lvl.packet.tcpOptions = v;
    else {
      lvl.packet.ipOptions = v;
      // IPv6: `OPT ( FRAG:1234 INCOMPLETE ID:0000abcd )`
      const fi = v.indexOf('FRAG:');
      if (fi >= 0) {
        let q = fi + 5;
        while (q < v.length && isDigit(v.charCodeAt(q))) q++;
        const n = parseUint(v, fi + 5, q);
        if (!Number.isNaN(n)) lvl.packet.fragOffset = n;
      }
    }
    if (layer === 'transport' || (lvl.packet.family === 'ipv4' && layer === 'ip')) {
      for (let i = vs; i < ve; i++) {
        if (!isHexDigit(text.charCodeAt(i))) {
          this.note('log/bad-value', 'warning', 'IPv4 and TCP options are printed as hexadecimal bytes; this text is not.', vs, ve);
          break;
        }
      }
    }
    return close < end ? close + 1 : end;
  }

  /** `INCOMPLETE [65535 bytes]` (header cut short) or a bare `INCOMPLETE` (IPv6 fragment, more follow). */
  incomplete(ks: number, ke: number, lvl: Level): number {
    const { text, end } = this;
    const p = skipBlanks(text, ke, end);
    if (p < end && text.charCodeAt(p) === LBRACKET) {
      let close = p + 1;
      while (close < end && text.charCodeAt(close) !== RBRACKET && close - p < 40) close++;
      if (close < end && text.charCodeAt(close) === RBRACKET) {
        this.field('group', 'INCOMPLETE', ks, ke, p + 1, close, lvl, 'marker').spanEnd = close + 1;
        let q = p + 1;
        while (q < close && isDigit(text.charCodeAt(q))) q++;
        const n = parseUint(text, p + 1, q);
        if (!Number.isNaN(n)) lvl.packet.incompleteBytes = n;
        return close + 1;
      }
    }
    this.field('flag', 'INCOMPLETE', ks, ke, ke, ke, lvl, 'marker');
    return ke;
  }

  /** `[SRC=... ]`: the original packet an ICMP error quotes. */
  nestedPacket(pos: number, lvl: Level): number {
    const { text, end } = this;
    if (lvl.nested || lvl.packet.inner) {
      // the kernel quotes at most one packet, one level deep
      const close = text.indexOf(']', pos + 1);
      const stop = close < 0 || close > end ? end : close + 1;
      this.junk(pos, stop);
      return stop;
    }
    this.flushJunk();
    if (!(lvl.packet.proto === 'ICMP' || lvl.packet.proto === 'ICMPv6')) {
      this.note('log/misplaced-field', 'warning', 'A quoted packet `[...]` only follows ICMP errors.', pos, pos + 1);
    }
    const inner: LogPacket = { family: 'unknown' };
    lvl.packet.inner = inner;
    const sub = new Level(inner, true);
    const at = this.fields.length;
    const stop = this.scan(pos + 1, sub);
    const group = new Field(text, this.line, '[', pos, pos + 1, pos + 1, stop, 'group', 'marker', false);
    group.spanEnd = stop < end ? stop + 1 : end;
    this.fields.splice(at, 0, group);
    if (stop >= end) {
      this.note('log/cut', 'warning', 'The quoted original packet `[...` is never closed: the line was cut inside it.', pos, end);
      return end;
    }
    missing(this, inner, sub, pos + 1, stop, true);
    return stop + 1;
  }
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isKeyStart(text: string, start: number, end: number): boolean {
  // keys are upper-case letters and digits, starting with a letter (URGP, HOPLIMIT, MACSRC)
  if (!isUpper(text.charCodeAt(start))) return false;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isUpper(c) && !isDigit(c) && c !== 0x5f && !(c >= 0x61 && c <= 0x7a)) return false;
  }
  return true;
}

function startsWith(text: string, pos: number, end: number, s: string): boolean {
  return pos + s.length <= end && text.startsWith(s, pos);
}

function looksLikeAddress(v: string): boolean {
  if (v.length === 0 || v.length > 45) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!(isHexDigit(c) || c === 0x2e || c === COLON || c === 0x25)) return false;
  }
  return true;
}

const KNOWN_KEYS = Object.keys(LAYER).concat(['LEN', 'ID', 'SPT', 'DPT', 'SEQ', 'ACK', 'WINDOW', 'RES', 'URGP', 'TYPE', 'CODE', 'PARAMETER', 'GATEWAY', 'MTU', 'POINTER', 'SPI']);

/** ` (did you mean URGP=?)` for a key one edit away from a real one. */
function similarKey(key: string): string {
  if (key.length > 12) return '';
  for (const k of KNOWN_KEYS) {
    if (Math.abs(k.length - key.length) > 1) continue;
    if (editDistanceAtMostOne(k, key)) return ` (did you mean \`${k}=\`?)`;
  }
  return '';
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (a.length < b.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** What the kernel always prints for this family / protocol, in order. */
function expectedKeys(p: LogPacket, nested: boolean): string[] {
  const keys: string[] = nested ? [] : ['IN', 'OUT'];
  if (p.family === 'arp') return keys;
  if (p.family === 'ipv6') keys.push('SRC', 'DST', 'LEN', 'TC', 'HOPLIMIT', 'FLOWLBL', 'PROTO');
  else keys.push('SRC', 'DST', 'LEN', 'TOS', 'PREC', 'TTL', 'ID', 'PROTO');
  // a later fragment carries no transport header; a short header is reported as INCOMPLETE
  if ((p.fragOffset ?? 0) > 0 || p.incompleteBytes !== undefined || p.truncated) return keys;
  switch (p.proto) {
    case 'TCP':
      keys.push('SPT', 'DPT', 'WINDOW', 'RES', 'URGP');
      break;
    case 'UDP':
    case 'UDPLITE':
      keys.push('SPT', 'DPT', 'LEN/udp');
      break;
    case 'ICMP':
    case 'ICMPv6':
      keys.push('TYPE', 'CODE');
      break;
    case 'AH':
    case 'ESP':
      keys.push('SPI');
      break;
  }
  return keys;
}

function missing(sc: Scanner, p: LogPacket, lvl: Level, start: number, end: number, nested: boolean): void {
  if (p.truncated && !lvl.seen.has('SRC')) return;
  const want = expectedKeys(p, nested);
  let maxSeen = -1;
  const absent: string[] = [];
  for (let i = 0; i < want.length; i++) {
    if (lvl.seen.has(want[i])) maxSeen = i;
    else absent.push(want[i]);
  }
  if (absent.length === 0) return;
  const list = absent.map((k) => `${k.replace(/\/.*/, '')}=`).join(' ');
  const where = nested ? 'The quoted original packet' : 'The line';
  let from = start;
  let lastUnknown = false;
  for (let i = sc.fields.length - 1; i >= 0; i--) {
    if (sc.fields[i].nested === nested) {
      from = sc.fields[i].span.start;
      lastUnknown = sc.fields[i].unknown === true;
      break;
    }
  }
  // a field the kernel never prints in the place of the missing ones: mangled, not cut
  if (lastUnknown) maxSeen = want.length;
  const cut = absent.every((k) => want.indexOf(k) > maxSeen);
  sc.note(
    cut ? 'log/cut' : 'log/missing-field',
    'warning',
    cut
      ? `${where} stops early: the kernel would also have printed ${list}. It was probably cut (a full log buffer, log rotation, or a copy-paste).`
      : `${where} lacks ${list}, which the kernel always prints here.`,
    cut ? from : start,
    end,
  );
}

/**
 * Parse the fields of a LOG line from `start` (the `I` of `IN=`) to `end`. Never throws.
 */
export function parsePacketFields(text: string, line: number, start: number, end: number = text.length): PacketParse {
  const sc = new Scanner(text, line, end);
  const packet: LogPacket = { family: 'unknown' };
  const lvl = new Level(packet, false);
  sc.scan(start, lvl);
  if (packet.family === 'unknown' && packet.tc !== undefined) packet.family = 'ipv6';
  missing(sc, packet, lvl, start, end, false);
  if (packet.in && !lvl.seen.has('MAC') && !lvl.seen.has('MACSRC') && packet.family !== 'arp' && lvl.seen.has('SRC')) {
    sc.note('log/missing-field', 'info', 'IN= is set but there is no MAC=: the kernel prints MAC= for every packet that came in through an interface.', start, start + 3);
  }
  if (sc.suppressed > 0) {
    sc.notes.push({
      code: 'log/too-many-problems',
      severity: 'warning',
      message: `${sc.suppressed} more problems on this line are not listed.`,
      span: sc.span(start, end),
    });
  }
  return { fields: sc.fields, packet, notes: sc.notes };
}
