/**
 * How Linux conntrack classifies TCP segments, as typed data and pure functions: which flag
 * combinations it accepts at all, which ctstate a lone segment gets when no connection entry
 * exists, and the TCP conntrack states with their default timeouts.
 *
 * Source: ../shared/reference/conntrack-tcp.md (Linux 6.12.117 line numbers, measured on 6.18.44
 * with iptables-nft and iptables-legacy). Line citations are to that kernel:
 *   P = net/netfilter/nf_conntrack_proto_tcp.c, C = net/netfilter/nf_conntrack_core.c
 */
import type { ValueDoc } from './types';

export const PROTO_TCP_C = 'net/netfilter/nf_conntrack_proto_tcp.c';
export const CORE_C = 'net/netfilter/nf_conntrack_core.c';
export const XT_CONNTRACK_C = 'net/netfilter/xt_conntrack.c';

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

const BIT_OF: Readonly<Record<string, number>> = { FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE: 0 };
const NAMES: readonly [number, string][] = [
  [CWR, 'CWR'],
  [ECE, 'ECE'],
  [URG, 'URG'],
  [ACK, 'ACK'],
  [PSH, 'PSH'],
  [RST, 'RST'],
  [SYN, 'SYN'],
  [FIN, 'FIN'],
];

/** Flags given as header bits, a list of names, or a text like `ACK FIN` / `SYN,ACK` / `FIN+ACK`. */
export type TcpFlagsInput = number | readonly string[] | string;

/** The flags as header bits (FIN=0x01 ... CWR=0x80). Unknown names are ignored; `NONE`/`NULL` is 0. */
export function tcpFlagBits(flags: TcpFlagsInput): number {
  if (typeof flags === 'number') return flags & 0xff;
  const list = typeof flags === 'string' ? flags.split(/[\s,+|]+/) : flags;
  let bits = 0;
  for (const raw of list) {
    const n = raw.trim().toUpperCase();
    if (n === 'ALL') bits |= FIN | SYN | RST | PSH | ACK | URG;
    else bits |= BIT_OF[n] ?? 0;
  }
  return bits;
}

/** `ACK FIN` style text in the kernel's LOG order (CWR ECE URG ACK PSH RST SYN FIN); `NONE` for 0. */
export function tcpFlagText(bits: number): string {
  const out: string[] = [];
  for (const [b, n] of NAMES) if (bits & b) out.push(n);
  return out.length ? out.join(' ') : 'NONE';
}

/**
 * Flag combinations tcp_error() accepts, after PSH, ECE and CWR are masked off
 * (tcp_valid_flags[], P:818-830; mask and check at P:867-870).
 */
export const TCP_VALID_COMBINATIONS: readonly number[] = [
  SYN,
  SYN | URG,
  SYN | ACK,
  RST,
  RST | ACK,
  FIN | ACK,
  FIN | ACK | URG,
  ACK,
  ACK | URG,
];

const VALID = new Uint8Array(64);
for (const c of TCP_VALID_COMBINATIONS) VALID[c] = 1;

/**
 * Whether conntrack accepts this flag combination at all. An invalid combination makes the packet
 * INVALID whether or not a connection entry exists (P:867-870).
 */
export function tcpValidFlags(flags: TcpFlagsInput): boolean {
  return VALID[tcpFlagBits(flags) & ~(PSH | ECE | CWR) & 0x3f] === 1;
}

/** The row of the state table a segment selects (get_conntrack_index, P:275-282). */
export type TcpIndex = 'rst' | 'syn' | 'synack' | 'fin' | 'ack' | 'none';

/** Priority RST > SYN (+ACK = SYNACK) > FIN > ACK > none (P:275-282). */
export function tcpConntrackIndex(flags: TcpFlagsInput): TcpIndex {
  const b = tcpFlagBits(flags);
  if (b & RST) return 'rst';
  if (b & SYN) return b & ACK ? 'synack' : 'syn';
  if (b & FIN) return 'fin';
  if (b & ACK) return 'ack';
  return 'none';
}

export interface CtstateVerdict {
  readonly state: 'NEW' | 'INVALID';
  /** One sentence in plain words. */
  readonly reason: string;
  /** Kernel source lines (Linux 6.12). */
  readonly citation: string;
  /** False when the combination is refused before the state table is even consulted. */
  readonly validCombination: boolean;
  readonly index: TcpIndex;
  /** The flags as the kernel's LOG line writes them. */
  readonly flags: string;
  /** True for FIN / RST / FIN ACK / ACK RST: a late close of a connection conntrack already forgot. */
  readonly lateTeardown: boolean;
}

export interface CtstateOptions {
  /** `net.netfilter.nf_conntrack_tcp_loose`; default true (1), the kernel default (P:1640). */
  readonly loose?: boolean;
}

const NO_ENTRY = 'with no conntrack entry for it';

/**
 * The ctstate `-m conntrack --ctstate` / `-m state` sees for a lone TCP segment that matches no
 * existing conntrack entry, exactly per the reference table (conntrack-tcp.md, "Result table").
 * A packet whose tracker refuses it carries no conntrack, which the match calls INVALID
 * (C:2063; xt_conntrack.c:173-177).
 */
export function ctstateWithoutEntry(flags: TcpFlagsInput, options: CtstateOptions = {}): CtstateVerdict {
  const loose = options.loose ?? true;
  const bits = tcpFlagBits(flags);
  const text = tcpFlagText(bits);
  const index = tcpConntrackIndex(bits);
  const masked = bits & ~(PSH | ECE | CWR) & 0x3f;
  const lateTeardown = masked === FIN + ACK || masked === RST || masked === RST + ACK || masked === FIN + ACK + URG;
  const v = (state: 'NEW' | 'INVALID', reason: string, citation: string, validCombination = true): CtstateVerdict => ({
    state,
    reason,
    citation,
    validCombination,
    index,
    flags: text,
    lateTeardown: lateTeardown && state === 'INVALID',
  });
  if (!VALID[masked]) {
    const what =
      masked === 0
        ? 'no flag at all (a NULL scan)'
        : masked === FIN
          ? 'FIN without ACK (a FIN scan)'
          : (masked & (FIN | URG)) === (FIN | URG) && !(masked & ACK)
            ? 'FIN with URG and no ACK (an XMAS scan)'
            : masked & SYN && masked & FIN
              ? 'SYN together with FIN'
              : masked & SYN && masked & RST
                ? 'SYN together with RST'
                : `the combination ${tcpFlagText(masked)}`;
    return v(
      'INVALID',
      `Conntrack refuses ${what}: it is not a combination real TCP stacks send, so the packet is INVALID whether or not a connection exists.`,
      `${PROTO_TCP_C}:818-830 (tcp_valid_flags), :867-870 (check, PSH/ECE/CWR masked)`,
      false,
    );
  }
  switch (index) {
    case 'syn':
      return v(
        'NEW',
        `A SYN ${NO_ENTRY} opens a connection: conntrack creates an entry in SYN_SENT and the packet is NEW.`,
        `${PROTO_TCP_C}:138 (sNO -> sSS)${bits & (URG | ECE | CWR) ? ', :822 (URG valid with SYN), :867 (ECE/CWR masked)' : ''}`,
      );
    case 'synack':
      return v(
        'INVALID',
        `A SYN ACK ${NO_ENTRY} answers a SYN conntrack never saw, so it cannot start a connection: INVALID.`,
        `${PROTO_TCP_C}:155 (ORIGINAL synack, sNO -> sIV)`,
      );
    case 'rst':
      return v(
        'INVALID',
        `A reset ${NO_ENTRY} closes a connection conntrack no longer knows (usually already removed): INVALID. Harmless late teardown.`,
        `${PROTO_TCP_C}:200 (rst, sNO -> sIV)`,
      );
    case 'fin':
      return v(
        'INVALID',
        `A FIN ${NO_ENTRY} closes a connection conntrack already forgot (closed or timed out): INVALID. FIN outranks ACK when the kernel picks the row. Harmless late teardown.`,
        `${PROTO_TCP_C}:279 (FIN before ACK), :169 (fin, sNO -> sIV)`,
      );
    case 'ack':
      return loose
        ? v(
            'NEW',
            `An ACK ${NO_ENTRY} is picked up mid-stream because nf_conntrack_tcp_loose=1 (the default): conntrack creates an entry and the packet is NEW, as if the connection had just opened. A NEW accept without --syn lets it through.`,
            `${PROTO_TCP_C}:186 (ack, sNO -> sES), :910-932 (pick-up), :1640 (tcp_loose default 1)`,
          )
        : v(
            'INVALID',
            `An ACK ${NO_ENTRY} is not picked up because nf_conntrack_tcp_loose=0: INVALID.`,
            `${PROTO_TCP_C}:186 (ack, sNO -> sES), :907-909 (loose=0: do not pick up)`,
          );
    default:
      // unreachable: 'none' is never a valid combination
      return v('INVALID', 'No flag the state table can use.', `${PROTO_TCP_C}:818-830`, false);
  }
}

/** One TCP conntrack state as `conntrack -L` shows it. */
export interface TcpConntrackStateDoc extends ValueDoc {
  /** Default timeout in seconds. */
  readonly timeout: number;
  /** Sysctl holding the timeout. */
  readonly sysctl: string;
}

const T = 'net.netfilter.nf_conntrack_tcp_timeout_';

/** TCP conntrack states with their default timeouts (tcp_timeouts[], P:61-76). */
export const TCP_CONNTRACK_STATES: readonly TcpConntrackStateDoc[] = [
  {
    name: 'SYN_SENT',
    timeout: 120,
    sysctl: `${T}syn_sent`,
    summary: 'A SYN was seen; no answer yet.',
    doc:
      'The connection is being opened: the first SYN went through, the SYN ACK has not come back. Many ' +
      'entries in SYN_SENT with [UNREPLIED] mean the other side does not answer (filtered, down) or a scan.',
  },
  {
    name: 'SYN_RECV',
    timeout: 60,
    sysctl: `${T}syn_recv`,
    summary: 'The SYN was answered with SYN ACK; the final ACK of the handshake is awaited.',
  },
  {
    name: 'ESTABLISHED',
    timeout: 432000,
    sysctl: `${T}established`,
    summary: 'The handshake completed; data may flow both ways.',
    doc:
      'Each packet restarts the timer. After 5 days of silence (the default) the entry disappears and the ' +
      'next packet of the connection is no longer ESTABLISHED.',
  },
  {
    name: 'FIN_WAIT',
    timeout: 120,
    sysctl: `${T}fin_wait`,
    summary: 'One side sent FIN: the connection is closing.',
  },
  {
    name: 'CLOSE_WAIT',
    timeout: 60,
    sysctl: `${T}close_wait`,
    summary: 'The FIN was acknowledged; the other side has not closed its half yet.',
  },
  {
    name: 'LAST_ACK',
    timeout: 30,
    sysctl: `${T}last_ack`,
    summary: 'Both sides sent FIN; the final ACK is awaited.',
  },
  {
    name: 'TIME_WAIT',
    timeout: 120,
    sysctl: `${T}time_wait`,
    summary: 'The connection closed cleanly; the entry lingers to absorb stragglers.',
    doc: 'After it expires, any late packet of the connection is INVALID (FIN, RST) or NEW (bare ACK with tcp_loose=1).',
  },
  {
    name: 'CLOSE',
    timeout: 10,
    sysctl: `${T}close`,
    summary: 'A RST ended the connection; the entry is about to go.',
  },
  {
    name: 'SYN_SENT2',
    timeout: 120,
    sysctl: `${T}syn_sent`,
    summary: 'Both sides sent SYN at the same time (simultaneous open); shares the SYN_SENT timeout.',
  },
  {
    name: 'NONE',
    timeout: 0,
    sysctl: '',
    summary: 'No state yet (internal: before the first packet is classified).',
  },
];

/** The shorter timeouts conntrack applies in special situations (P:61-76, :1365-1369). */
export const TCP_SPECIAL_TIMEOUTS: readonly TcpConntrackStateDoc[] = [
  {
    name: 'RETRANS',
    timeout: 300,
    sysctl: `${T}max_retrans`,
    summary: 'Used after 3 unacknowledged retransmissions (nf_conntrack_tcp_max_retrans) or a zero window.',
  },
  {
    name: 'UNACK',
    timeout: 300,
    sysctl: `${T}unacknowledged`,
    summary: 'Used while data is unacknowledged, and for a connection picked up mid-stream until a reply is seen.',
  },
];

const STATE_BY_NAME = new Map(TCP_CONNTRACK_STATES.map((s) => [s.name, s]));

export function findTcpConntrackState(name: string): TcpConntrackStateDoc | undefined {
  return STATE_BY_NAME.get(name.toUpperCase());
}

/** Kernel defaults of the per-netns TCP tracker settings (P:1624-1656). */
export const TCP_TRACKER_DEFAULTS = {
  loose: 1,
  beLiberal: 0,
  ignoreInvalidRst: 0,
  maxRetrans: 3,
  citation: `${PROTO_TCP_C}:1624-1656 (nf_conntrack_tcp_init_net), :1640 (tcp_loose=1)`,
} as const;
