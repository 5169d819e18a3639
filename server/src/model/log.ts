/**
 * The parsed form of one line of a firewall log (language `netfilter-log`): a kernel LOG-target
 * line, a conntrack listing or event line, a kernel conntrack message, a conntrack sysctl line, or
 * anything else. Every node keeps the exact range of the text it came from (0-based line, UTF-16
 * offsets within the line), like the rules model in ruleset.ts.
 *
 * Lines are independent: each one is parsed from its own text alone (parser/log/line.ts), so hover
 * on one line of a huge file never needs the rest of the file.
 */
import type { Span } from './ruleset';

export type { Span } from './ruleset';

/** A piece of the line as written. */
export interface Token {
  readonly text: string;
  readonly span: Span;
}

/** A piece of the line that holds a number (`value` is NaN when the text is not a number). */
export interface NumberToken extends Token {
  readonly value: number;
}

export type NoteSeverity = 'error' | 'warning' | 'info';

/**
 * Something odd about a line: cut short, unknown field, garbage between fields, bad value...
 * `code` is stable (`log/<name>`), so the language server can turn notes into diagnostics.
 */
export interface LogNote {
  readonly code: string;
  readonly severity: NoteSeverity;
  readonly message: string;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// The wrapper: what syslog, journald, dmesg... put in front of the kernel's text.

export type WrapperKind =
  /** Nothing in front: the kernel's text as LOG printed it (or a conntrack listing). */
  | 'bare'
  /** `[1229124.817624] ...` (dmesg) or `<4>[1229124.817624] ...` (dmesg -r, /dev/kmsg). */
  | 'dmesg'
  /** `[Sat Jan 27 15:21:36 2024] ...` (dmesg -T). */
  | 'dmesg-human'
  /** `kern  :warn  : [1229124.817624] ...` (dmesg -x). */
  | 'dmesg-decoded'
  /** `Jan 27 15:21:36 host kernel: ...` (classic syslog, journalctl short; also with fractions: short-precise). */
  | 'syslog'
  /** `2024-01-27T15:21:36.817624+01:00 host kernel: ...` (rsyslog RFC 3339, journalctl short-iso). */
  | 'iso'
  /** `<4>1 2024-01-27T15:21:36Z host kernel - - - ...` (RFC 5424). */
  | 'rfc5424'
  /** `[1229124.817624] host kernel: ...` (journalctl short-monotonic). */
  | 'journal-monotonic'
  /** `kernel: ...` with no time and no host (pasted from a web page). */
  | 'tag-only';

export type TimestampStyle = 'bsd' | 'iso' | 'dmesg-human';

/** A wall-clock time as written in the wrapper. */
export interface Timestamp extends Token {
  readonly style: TimestampStyle;
  /** Absent for classic syslog, which does not write the year. */
  readonly year?: number;
  /** 1-12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Digits after the decimal point of the seconds, as written (`817624`). */
  readonly fraction?: string;
  /** Offset from UTC in minutes when the text gives one (`Z` = 0). */
  readonly utcOffsetMinutes?: number;
  /**
   * A number that grows with time and is equal for two stamps of the same minute (year taken as 0
   * when not written): group lines per minute with it, show it with `formatMinuteKey`.
   */
  readonly minuteKey: number;
}

export interface Wrapper {
  readonly kind: WrapperKind;
  /** From the start of the line to the start of the message (the prefix or the listing). */
  readonly span: Span;
  /** `<4>`: syslog priority or kernel log level. */
  readonly priority?: NumberToken;
  readonly timestamp?: Timestamp;
  readonly host?: Token;
  /** The program name without `:` and pid (`kernel`), for syslog-style wrappers. */
  readonly tag?: Token;
  readonly pid?: NumberToken;
  /** Seconds since boot (`[1229124.817624]`), from dmesg or after `kernel:`. */
  readonly uptime?: NumberToken;
  /** dmesg -x facility and level (`kern`, `warn`). */
  readonly facility?: Token;
  readonly level?: Token;
}

// ---------------------------------------------------------------------------------------------
// Kernel LOG-target lines.

/** Which part of the packet a field describes. */
export type FieldLayer = 'interface' | 'link' | 'ip' | 'transport' | 'meta' | 'marker';

export type FieldKind =
  /** `KEY=value` (value may be empty: `OUT=`). */
  | 'pair'
  /** A bare word: `DF`, `SYN`, `TRUNCATED`. */
  | 'flag'
  /** `FRAG:123`, `ID:0000abcd`. */
  | 'colon'
  /** `OPT (...)`, `INCOMPLETE [65535 bytes]`: a keyword and a bracketed value. */
  | 'group';

/** One field of the line: the key, the value and where each stands. */
export interface LogField {
  readonly key: string;
  readonly value: string;
  readonly keySpan: Span;
  /** For a flag: an empty span at the end of the key. */
  readonly valueSpan: Span;
  /** Key and value together. */
  readonly span: Span;
  readonly kind: FieldKind;
  readonly layer: FieldLayer;
  /** Inside `[...]`: the original packet quoted by an ICMP error. */
  readonly nested: boolean;
  /** The kernel never prints this key in this place (`URGn=0`, typing errors, other tools). */
  readonly unknown?: boolean;
}

export type TcpFlagName = 'AE' | 'CWR' | 'ECE' | 'URG' | 'ACK' | 'PSH' | 'RST' | 'SYN' | 'FIN';

/** The order in which the kernel prints TCP flags (nf_log_syslog.c, tcp header dump). */
export const TCP_FLAG_ORDER: readonly TcpFlagName[] = ['AE', 'CWR', 'ECE', 'URG', 'ACK', 'PSH', 'RST', 'SYN', 'FIN'];

/** The header bit of each flag (FIN = 0x01 ... CWR = 0x80; AE is bit 8 of the flag word). */
export const TCP_FLAG_BIT: Readonly<Record<TcpFlagName, number>> = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  AE: 0x100,
};

export type PacketFamily = 'ipv4' | 'ipv6' | 'arp' | 'unknown';

/** The packet a LOG line describes, decoded from its fields. Absent fields were not in the line. */
export interface LogPacket {
  family: PacketFamily;
  in?: string;
  out?: string;
  physIn?: string;
  physOut?: string;
  /** `MAC=` as written: destination MAC, source MAC and EtherType run together (or another link header). */
  mac?: string;
  /** `--log-macdecode` fields. */
  macSrc?: string;
  macDst?: string;
  macProto?: string;
  vlanProto?: string;
  vlanId?: number;
  /** `TUNNEL=a->b` for sit tunnels. */
  tunnel?: string;
  src?: string;
  dst?: string;
  /** IP total length (IPv4) or payload plus header (IPv6). */
  len?: number;
  /** IPv4 TOS byte without the precedence bits, as logged (`TOS=0x10` -> 16). */
  tos?: number;
  /** IPv4 precedence bits, as logged (`PREC=0xE0` -> 224). */
  prec?: number;
  /** IPv6 traffic class. */
  tc?: number;
  ttl?: number;
  hopLimit?: number;
  /** IPv4 identification. */
  id?: number;
  ce?: boolean;
  df?: boolean;
  mf?: boolean;
  /** IPv4 fragment offset (`FRAG:`), IPv6 fragment offset from the fragment header. */
  fragOffset?: number;
  /** IP options as hex (IPv4), or the IPv6 extension-header summary inside `OPT ( ... )`. */
  ipOptions?: string;
  flowLabel?: number;
  /** `PROTO=` as written: `TCP`, `UDP`, `UDPLITE`, `ICMP`, `ICMPv6`, `AH`, `ESP` or a number. */
  proto?: string;
  /** IP protocol number (from the name or the number). */
  protoNumber?: number;
  spt?: number;
  dpt?: number;
  seq?: number;
  ack?: number;
  window?: number;
  /** TCP reserved bits, as logged. */
  res?: number;
  /** TCP flags in the order written. */
  tcpFlags?: TcpFlagName[];
  /** The same flags as header bits (TCP_FLAG_BIT). */
  tcpFlagBits?: number;
  urgp?: number;
  /** TCP options as hex. */
  tcpOptions?: string;
  /** UDP length (header plus data). */
  udpLen?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  icmpSeq?: number;
  icmpParameter?: number;
  icmpGateway?: string;
  icmpMtu?: number;
  /** ICMPv6 parameter problem pointer (hex as logged). */
  icmpPointer?: string;
  /** The packet an ICMP error quotes (`[SRC=... ]`). */
  inner?: LogPacket;
  spi?: number;
  uid?: number;
  gid?: number;
  mark?: number;
  /** ARP fields. */
  arpHType?: number;
  arpPType?: number;
  arpOpcode?: number;
  arpMacSrc?: string;
  arpIpSrc?: string;
  arpMacDst?: string;
  arpIpDst?: string;
  /** `INCOMPLETE [N bytes]`: the kernel could not read the whole header. */
  incompleteBytes?: number;
  /** `TRUNCATED`: the kernel could not read the header at all. */
  truncated?: boolean;
}

/** What a known log-prefix convention says about the line. */
export interface PrefixInfo {
  readonly style: 'plain' | 'ufw' | 'shorewall' | 'openwrt' | 'suse';
  /** UFW BLOCK, Shorewall DROP, OpenWrt REJECT... */
  readonly action?: string;
  /** Shorewall chain (`net2fw`), OpenWrt zone (`src wan`). */
  readonly chain?: string;
}

export interface LogPrefix extends Token {
  /** The prefix without surrounding blanks: the name to group lines by. */
  readonly label: string;
  readonly info: PrefixInfo;
}

export interface PacketLine {
  readonly kind: 'packet';
  readonly line: number;
  /** The whole line (without the line break). */
  readonly span: Span;
  readonly wrapper: Wrapper;
  /** Whatever stands between the wrapper and `IN=`, exactly as written (may be empty). */
  readonly prefix: LogPrefix;
  /** Every field in the order written, nested ones included (`nested: true`). */
  readonly fields: readonly LogField[];
  readonly packet: LogPacket;
  readonly notes: readonly LogNote[];
}

/** The LOG-line entry of the issue: a kernel LOG-target line. */
export type LogEntry = PacketLine;

// ---------------------------------------------------------------------------------------------
// Conntrack listings: `conntrack -L`, `conntrack -E`, `/proc/net/nf_conntrack`.

export interface ConntrackTuple {
  readonly span: Span;
  readonly src?: string;
  readonly dst?: string;
  readonly sport?: number;
  readonly dport?: number;
  /** ICMP tuples. */
  readonly type?: number;
  readonly code?: number;
  readonly id?: number;
  /** Accounting (`nf_conntrack_acct=1`). */
  readonly packets?: number;
  readonly bytes?: number;
  readonly fields: readonly LogField[];
}

export interface ConntrackLine {
  readonly kind: 'conntrack';
  readonly line: number;
  readonly span: Span;
  readonly wrapper: Wrapper;
  /** `[NEW]`, `[UPDATE]`, `[DESTROY]` from `conntrack -E` (text without brackets). */
  readonly event?: Token;
  /** `ipv4` / `ipv6` and 2 / 10 (in /proc/net/nf_conntrack and `-o extended`). */
  readonly l3?: Token;
  readonly l3Number?: NumberToken;
  readonly l4: Token;
  readonly l4Number?: NumberToken;
  /** Seconds left before the entry expires. */
  readonly timeout?: NumberToken;
  /** Protocol state (TCP: SYN_SENT ... TIME_WAIT; also SCTP and DCCP states). */
  readonly state?: Token;
  readonly original?: ConntrackTuple;
  readonly reply?: ConntrackTuple;
  /** Bracketed status words in order: UNREPLIED, ASSURED, OFFLOAD, HW_OFFLOAD... */
  readonly flags: readonly Token[];
  readonly unreplied: boolean;
  readonly assured: boolean;
  readonly mark?: number;
  readonly zone?: number;
  readonly secctx?: string;
  readonly use?: number;
  readonly id?: number;
  readonly helper?: string;
  readonly labels?: string;
  /** Every `key=value` in order (tuple fields included). */
  readonly fields: readonly LogField[];
  readonly notes: readonly LogNote[];
}

/** The conntrack entry of the issue. */
export type ConntrackEntry = ConntrackLine;

// ---------------------------------------------------------------------------------------------
// Kernel messages about conntrack, sysctl lines, everything else.

export interface KernelMessage {
  readonly kind: 'kernel';
  readonly line: number;
  readonly span: Span;
  readonly wrapper: Wrapper;
  /** Key of the message in knowledge/kernel-messages.ts (`conntrack-table-full`, `net-ratelimit`...). */
  readonly id: string;
  /** The message text after the wrapper. */
  readonly message: Token;
  /** `net_ratelimit: N callbacks suppressed`: N (NaN when written as a placeholder). */
  readonly count?: NumberToken;
  readonly notes: readonly LogNote[];
}

export interface SysctlLine {
  readonly kind: 'sysctl';
  readonly line: number;
  readonly span: Span;
  /** Full name as written (`net.netfilter.nf_conntrack_max`). */
  readonly name: Token;
  /** `=` with its blanks. */
  readonly separator?: Token;
  readonly value?: Token;
  /** `net.ipv4.netfilter.ip_conntrack_*`: the name of kernels before 2.6.20 era nf_conntrack. */
  readonly legacy: boolean;
  readonly notes: readonly LogNote[];
}

export interface OtherLine {
  readonly kind: 'other';
  readonly line: number;
  readonly span: Span;
  /** The wrapper, when the line has a recognisable one (syslog lines of other programs). */
  readonly wrapper?: Wrapper;
  readonly blank: boolean;
  /** What the line is when we know (`conntrack summary`, `journal boot marker`...). */
  readonly what?: string;
}

export type LogLine = PacketLine | ConntrackLine | KernelMessage | SysctlLine | OtherLine;

export interface LogDocument {
  readonly lines: readonly LogLine[];
  readonly lineCount: number;
  /** Counts per kind. */
  readonly counts: Readonly<Record<LogLine['kind'], number>>;
}

/** Render a `Timestamp.minuteKey` as `2024-01-27 15:21` (or `Jan 27 15:21` without a year). */
export function formatMinuteKey(key: number): string {
  const minute = key % 60;
  let rest = Math.floor(key / 60);
  const hour = rest % 24;
  rest = Math.floor(rest / 24);
  const day = (rest % 31) + 1;
  rest = Math.floor(rest / 31);
  const month = (rest % 12) + 1;
  const year = Math.floor(rest / 12);
  const hhmm = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  if (year === 0) return `${MONTHS[month - 1]} ${String(day).padStart(2, ' ')} ${hhmm}`;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} ${hhmm}`;
}

export function minuteKeyOf(year: number, month: number, day: number, hour: number, minute: number): number {
  return (((year * 12 + (month - 1)) * 31 + (day - 1)) * 24 + hour) * 60 + minute;
}

export const MONTHS: readonly string[] = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The field of a line under a position, if any (for hover). */
export function fieldAt(fields: readonly LogField[], character: number): LogField | undefined {
  for (const f of fields) if (character >= f.span.start && character <= f.span.end) return f;
  return undefined;
}
