/**
 * A concrete packet for the tracer: from the short text form people type, or from a LOG line.
 *
 *   tcp 199.30.24.209:36879 -> 11.22.33.44:80 flags ACK,FIN in venet0
 *   udp [2001:db8::1]:5353 -> [ff02::fb]:5353 in eth0
 *   icmp 10.0.0.1 -> 10.0.0.2 type 8 out eth1
 *
 * Parts after the addresses, in any order: `flags F[,F...]`, `in IF`, `out IF`, `type T[/C]`,
 * `len N`, `ttl N`, `tos N`, `mark N`, `frag`.
 */
import { parseIPv4, parseIPv6, parseUintIn } from '../knowledge/argtypes';
import { protocolName, protocolNumber } from '../knowledge/generic';
import type { LogPacket } from '../model/log';
import { type Dim, ifaceValue, NO_FLAGS, NO_ICMP, NO_PORT } from './packet-space';

export const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;

export interface Packet {
  readonly family: 'ipv4' | 'ipv6';
  /** Incoming interface ('' or absent: none, a locally generated packet). */
  readonly iif?: string;
  readonly oif?: string;
  readonly src: string;
  readonly dst: string;
  readonly proto: number;
  readonly sport?: number;
  readonly dport?: number;
  /** TCP flag bits (FIN 0x01 ... CWR 0x80). */
  readonly flags?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly len?: number;
  readonly ttl?: number;
  readonly tos?: number;
  readonly mark?: number;
  /** A second or later fragment. */
  readonly frag?: boolean;
}

export interface PacketParseError {
  readonly error: string;
  /** Character range in the input the message is about. */
  readonly start: number;
  readonly end: number;
}

const PORTED = new Set([6, 17, 132, 33, 136]);

function addrValue(family: 'ipv4' | 'ipv6', text: string): bigint | undefined {
  if (family === 'ipv4') {
    const v = parseIPv4(text);
    return v === undefined ? undefined : BigInt(v);
  }
  const g = parseIPv6(text);
  return g ? g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n) : undefined;
}

/** The packet as a point of the packet space, with its conntrack state. */
export function packetPoint(p: Packet, state: number): Map<Dim, bigint> {
  const m = new Map<Dim, bigint>();
  m.set('proto', BigInt(p.proto));
  m.set('src', addrValue(p.family, p.src) ?? 0n);
  m.set('dst', addrValue(p.family, p.dst) ?? 0n);
  const ported = PORTED.has(p.proto);
  m.set('sport', ported && p.sport !== undefined ? BigInt(p.sport) : NO_PORT);
  m.set('dport', ported && p.dport !== undefined ? BigInt(p.dport) : NO_PORT);
  m.set('iif', ifaceValue(p.iif ?? ''));
  m.set('oif', ifaceValue(p.oif ?? ''));
  m.set('state', BigInt(state));
  m.set('flags', p.proto === 6 ? BigInt(p.flags ?? 0) : NO_FLAGS);
  m.set('icmp', (p.proto === 1 || p.proto === 58) && p.icmpType !== undefined ? BigInt(p.icmpType * 256 + (p.icmpCode ?? 0)) : NO_ICMP);
  m.set('frag', p.frag ? 1n : 0n);
  m.set('len', BigInt(p.len ?? 60));
  m.set('ttl', BigInt(p.ttl ?? 64));
  m.set('tos', BigInt(p.tos ?? 0));
  m.set('mark', BigInt(p.mark ?? 0));
  return m;
}

export function flagNames(bits: number): string {
  const order = ['CWR', 'ECE', 'URG', 'ACK', 'PSH', 'RST', 'SYN', 'FIN'];
  const names = order.filter((f) => bits & (1 << TCP_FLAG_NAMES.indexOf(f as never)));
  return names.length ? names.join(' ') : 'no flags';
}

export function describePacket(p: Packet): string {
  const ep = (a: string, port?: number) => (port === undefined ? a : p.family === 'ipv6' ? `[${a}]:${port}` : `${a}:${port}`);
  const parts = [`${protocolName(String(p.proto))} ${ep(p.src, p.sport)} -> ${ep(p.dst, p.dport)}`];
  if (p.proto === 6) parts.push(`flags ${flagNames(p.flags ?? 0).replace(/ /g, ',')}`);
  if (p.icmpType !== undefined) parts.push(`type ${p.icmpType}${p.icmpCode !== undefined ? `/${p.icmpCode}` : ''}`);
  if (p.iif) parts.push(`in ${p.iif}`);
  if (p.oif) parts.push(`out ${p.oif}`);
  return parts.join(' ');
}

/** Read the short text form; errors name the part that could not be read. */
export function parsePacketSpec(text: string): Packet | PacketParseError {
  const tokens: { t: string; start: number; end: number }[] = [];
  for (const m of text.matchAll(/\S+/g)) tokens.push({ t: m[0], start: m.index!, end: m.index! + m[0].length });
  const fail = (error: string, tok?: { start: number; end: number }): PacketParseError => ({ error, start: tok?.start ?? 0, end: tok?.end ?? text.length });
  if (tokens.length < 4) return fail('expected `PROTO SRC[:PORT] -> DST[:PORT]`, for example `tcp 192.0.2.1:40000 -> 198.51.100.2:80 flags SYN in eth0`');
  const [pt, st, arrow, dt] = tokens as [(typeof tokens)[0], (typeof tokens)[0], (typeof tokens)[0], (typeof tokens)[0]];
  const proto = protocolNumber(pt.t);
  if (proto === undefined || proto === 0) return fail(`unknown protocol \`${pt.t}\`: use tcp, udp, icmp, icmpv6, a name from /etc/protocols or a number`, pt);
  if (arrow.t !== '->') return fail(`expected \`->\` between the source and the destination, found \`${arrow.t}\``, arrow);
  const endpoint = (tok: (typeof tokens)[0], what: string): { addr: string; port?: number; family: 'ipv4' | 'ipv6' } | PacketParseError => {
    let addr = tok.t;
    let port: string | undefined;
    const br = /^\[([^\]]+)\](?::(.*))?$/.exec(addr);
    if (br) {
      addr = br[1]!;
      port = br[2];
    } else if ((addr.match(/:/g) ?? []).length === 1) {
      [addr, port] = addr.split(':') as [string, string];
    }
    const family = parseIPv4(addr) !== undefined && !addr.includes(':') ? 'ipv4' : parseIPv6(addr) ? 'ipv6' : undefined;
    if (!family) return fail(`the ${what} \`${addr}\` is not an IPv4 or IPv6 address (write IPv6 with a port as [addr]:port)`, tok);
    if (port === undefined) return { addr, family };
    const n = parseUintIn(port, 0, 65535, 10);
    if (n === undefined) return fail(`the ${what} port \`${port}\` is not a number from 0 to 65535`, tok);
    return { addr, port: n, family };
  };
  const s = endpoint(st, 'source');
  if ('error' in s) return s;
  const d = endpoint(dt, 'destination');
  if ('error' in d) return d;
  if (s.family !== d.family) return fail('the source and the destination are not of the same family (IPv4 and IPv6 mixed)', dt);
  let packet: { -readonly [K in keyof Packet]: Packet[K] } = { family: s.family, src: s.addr, dst: d.addr, proto };
  if (s.port !== undefined) packet.sport = s.port;
  if (d.port !== undefined) packet.dport = d.port;
  if (PORTED.has(proto) && (s.port === undefined || d.port === undefined)) {
    return fail(`${pt.t} needs ports on both ends: \`${st.t}:PORT -> ${dt.t}:PORT\``, s.port === undefined ? st : dt);
  }
  for (let i = 4; i < tokens.length; i++) {
    const k = tokens[i]!;
    const next = tokens[i + 1];
    const need = (what: string): string | PacketParseError => (next ? (i++, next.t) : fail(`\`${k.t}\` needs ${what} after it`, k));
    switch (k.t.toLowerCase()) {
      case 'flags': {
        const v = need('a list such as ACK,FIN');
        if (typeof v !== 'string') return v;
        let bits = 0;
        for (const f of v.toUpperCase().split(/[,+]/)) {
          if (f === 'NONE' || f === '') continue;
          const b = TCP_FLAG_NAMES.indexOf(f as never);
          if (b < 0) return fail(`\`${f}\` is not a TCP flag (FIN SYN RST PSH ACK URG ECE CWR)`, next);
          bits |= 1 << b;
        }
        packet = { ...packet, flags: bits };
        break;
      }
      case 'in':
      case 'out': {
        const v = need('an interface name');
        if (typeof v !== 'string') return v;
        packet = k.t.toLowerCase() === 'in' ? { ...packet, iif: v } : { ...packet, oif: v };
        break;
      }
      case 'type': {
        const v = need('an ICMP type such as 8 or 3/4');
        if (typeof v !== 'string') return v;
        const [t, c] = v.split('/');
        const tn = parseUintIn(t ?? '', 0, 255, 10);
        const cn = c === undefined ? undefined : parseUintIn(c, 0, 255, 10);
        if (tn === undefined || (c !== undefined && cn === undefined)) return fail(`\`${v}\` is not an ICMP type[/code]`, next);
        packet = { ...packet, icmpType: tn, ...(cn !== undefined ? { icmpCode: cn } : {}) };
        break;
      }
      case 'len':
      case 'ttl':
      case 'tos':
      case 'mark': {
        const v = need('a number');
        if (typeof v !== 'string') return v;
        const max = k.t === 'len' ? 65535 : k.t === 'mark' ? 0xffffffff : 255;
        const n = parseUintIn(v, 0, max);
        if (n === undefined) return fail(`\`${v}\` is not a valid ${k.t}`, next);
        packet = { ...packet, [k.t.toLowerCase()]: n };
        break;
      }
      case 'frag':
        packet = { ...packet, frag: true };
        break;
      default:
        return fail(`\`${k.t}\` is not understood here: expected flags, in, out, type, len, ttl, tos, mark or frag`, k);
    }
  }
  if (proto === 6 && packet.flags === undefined) packet = { ...packet, flags: 0x02 };
  return packet;
}

/** The packet a LOG line describes; undefined when the line lacks what a trace needs. */
export function packetFromLog(p: LogPacket): Packet | undefined {
  if ((p.family !== 'ipv4' && p.family !== 'ipv6') || !p.src || !p.dst) return undefined;
  const proto = p.protoNumber ?? (p.proto ? protocolNumber(p.proto.toLowerCase()) : undefined);
  if (proto === undefined) return undefined;
  const out: { -readonly [K in keyof Packet]: Packet[K] } = { family: p.family, src: p.src, dst: p.dst, proto };
  if (p.in) out.iif = p.in;
  if (p.out) out.oif = p.out;
  if (p.spt !== undefined) out.sport = p.spt;
  if (p.dpt !== undefined) out.dport = p.dpt;
  if (p.tcpFlagBits !== undefined) out.flags = p.tcpFlagBits & 0xff;
  if (p.icmpType !== undefined) out.icmpType = p.icmpType;
  if (p.icmpCode !== undefined) out.icmpCode = p.icmpCode;
  if (p.len !== undefined) out.len = p.len;
  const ttl = p.ttl ?? p.hopLimit;
  if (ttl !== undefined) out.ttl = ttl;
  const tos = p.family === 'ipv4' ? (p.tos ?? 0) | (p.prec ?? 0) : p.tc;
  if (tos !== undefined) out.tos = tos;
  if (p.mark !== undefined) out.mark = p.mark;
  if (p.fragOffset) out.frag = true;
  return out;
}
