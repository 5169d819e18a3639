/**
 * The connection-tracking sysctls an administrator meets in a firewall log's neighbourhood:
 * `sysctl -a | grep conntrack`, /etc/sysctl.d/*.conf, the answers to "table full" and to
 * "pooled connections die overnight". Defaults and meanings from the kernel's
 * Documentation/networking/nf_conntrack-sysctl.rst and nf_conntrack_proto_tcp.c (Linux 6.12, see
 * ../shared/reference/conntrack-tcp.md); explanations in our own words.
 */
import type { ValueDoc } from './types';

export type SysctlType = 'boolean' | 'integer' | 'seconds' | 'enum';

export interface SysctlDoc extends ValueDoc {
  /** Full current name, `net.netfilter.nf_conntrack_max`. */
  readonly name: string;
  readonly type: SysctlType;
  /** Default as the kernel documents it (a number, or words when it depends on memory). */
  readonly default: number | string;
  /** Default rendered for people (`432000 (5 days)`). */
  readonly defaultText?: string;
  /** What raising or lowering it costs. */
  readonly tradeoff?: string;
  /** Read-only (a counter). */
  readonly readonly?: boolean;
  /** Only writable in the initial network namespace. */
  readonly initNetOnly?: boolean;
  /** Where the fact comes from (file:line of Linux 6.12). */
  readonly citation: string;
  /** Older names of the same knob (`net.ipv4.netfilter.ip_conntrack_max`, `net.nf_conntrack_max`). */
  readonly aliases?: readonly string[];
}

const DOC = 'Documentation/networking/nf_conntrack-sysctl.rst';
const TCP = 'net/netfilter/nf_conntrack_proto_tcp.c';

function tcpTimeout(state: string, key: string, seconds: number, human: string, summary: string, doc: string, tradeoff?: string, line?: string): SysctlDoc {
  return {
    name: `net.netfilter.nf_conntrack_tcp_timeout_${key}`,
    aliases: [`net.ipv4.netfilter.ip_conntrack_tcp_timeout_${key}`],
    type: 'seconds',
    default: seconds,
    defaultText: `${seconds} s (${human})`,
    summary,
    doc,
    ...(tradeoff ? { tradeoff } : {}),
    citation: `${DOC}:${line ?? '130-159'}; ${TCP}:61-76 (tcp_timeouts[], state ${state})`,
  };
}

export const CONNTRACK_SYSCTLS: readonly SysctlDoc[] = [
  {
    name: 'net.netfilter.nf_conntrack_max',
    aliases: ['net.nf_conntrack_max', 'net.ipv4.netfilter.ip_conntrack_max', 'net.ipv4.ip_conntrack_max'],
    type: 'integer',
    default: 'nf_conntrack_buckets',
    defaultText: 'equal to nf_conntrack_buckets (memory-dependent)',
    summary: 'How many connections conntrack may track at once.',
    doc:
      'The size limit of the connection table. When it is reached and no unimportant (not yet ASSURED) entry ' +
      'can be evicted, every packet that would start a new connection is dropped and the kernel logs ' +
      '`nf_conntrack: table full, dropping packet`. Compare with `net.netfilter.nf_conntrack_count` to see how ' +
      'close you are.',
    tradeoff:
      'Each entry costs a few hundred bytes of unswappable kernel memory, so a much larger limit is cheap on a ' +
      'server with gigabytes of RAM. Raise `nf_conntrack_buckets` alongside it (about max/4 to max/1) to keep ' +
      'lookups fast. If the table fills because entries linger, shorter timeouts or NOTRACK for busy ports ' +
      'help more than a bigger table.',
    citation: `${DOC} (nf_conntrack_max); net/netfilter/nf_conntrack_core.c:1659-1666 (table full)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_count',
    type: 'integer',
    default: 0,
    readonly: true,
    summary: 'How many connections are tracked right now (read-only).',
    doc: 'The current number of entries. When it reaches `nf_conntrack_max`, new connections start being dropped.',
    citation: `${DOC} (nf_conntrack_count)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_buckets',
    aliases: ['net.ipv4.netfilter.ip_conntrack_buckets'],
    type: 'integer',
    default: 'memory / 16384, between 1024 and 262144',
    summary: 'Size of the hash table that holds the connections.',
    doc:
      'The number of hash buckets conntrack spreads its entries over. The kernel sizes it from the memory ' +
      'of the machine (memory divided by 16384, at least 1024, at most 262144). It can only be changed in the ' +
      'initial network namespace (or with the `hashsize` module parameter).',
    tradeoff: 'More buckets cost a little memory and make lookups faster when the table holds many entries.',
    initNetOnly: true,
    citation: `${DOC} (nf_conntrack_buckets)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_tcp_loose',
    aliases: ['net.ipv4.netfilter.ip_conntrack_tcp_loose'],
    type: 'boolean',
    default: 1,
    summary: 'Pick up TCP connections conntrack did not see open (default on).',
    doc:
      'With 1 (the default), a TCP segment with ACK but without SYN, FIN or RST that matches no entry creates ' +
      'a new entry: the packet is NEW, as if the connection had just started. This lets a firewall rebooted ' +
      'or flushed mid-connection carry on, but it also means a rule that accepts `NEW` TCP without `--syn` ' +
      'accepts mid-stream packets. With 0 such packets are INVALID. FIN, RST and SYN ACK without an entry are ' +
      'INVALID either way.',
    tradeoff:
      'Setting 0 is stricter (only real openings create connections) but every long-lived connection breaks ' +
      'after a conntrack flush, a failover or an expired entry.',
    citation: `${TCP}:907-932 (loose check), :1640 (default 1); net/netfilter/nf_conntrack_standalone.c:770`,
  },
  {
    name: 'net.netfilter.nf_conntrack_tcp_be_liberal',
    aliases: ['net.ipv4.netfilter.ip_conntrack_tcp_be_liberal'],
    type: 'boolean',
    default: 0,
    summary: 'Stop marking out-of-window TCP segments INVALID (except RSTs).',
    doc:
      'Normally conntrack checks that every segment fits the TCP window it has followed, and marks those that ' +
      'do not as INVALID. With 1 only out-of-window RSTs are INVALID; everything else is accepted as part of ' +
      'the connection. Useful behind asymmetric routing, window-scaling middleboxes or offload bugs that ' +
      'make valid traffic look out of window.',
    tradeoff: 'Weakens protection against injected segments; prefer fixing the path when you can.',
    citation: `${DOC}:103-114; net/netfilter/nf_conntrack_standalone.c:778`,
  },
  {
    name: 'net.netfilter.nf_conntrack_tcp_ignore_invalid_rst',
    type: 'boolean',
    default: 0,
    summary: 'Do not mark out-of-window RSTs INVALID.',
    doc:
      'With 1, a RST outside the window no longer makes the packet INVALID. Combine with be_liberal when ' +
      'valid resets are being dropped as INVALID.',
    tradeoff: 'Makes blind reset injection a little easier.',
    citation: `${DOC}:103-114`,
  },
  {
    name: 'net.netfilter.nf_conntrack_tcp_max_retrans',
    aliases: ['net.ipv4.netfilter.ip_conntrack_tcp_max_retrans'],
    type: 'integer',
    default: 3,
    summary: 'Retransmissions without an ACK before the short RETRANS timeout applies.',
    doc:
      'After this many retransmissions of the same data with no acceptable ACK, conntrack shortens the ' +
      "entry's timeout to `nf_conntrack_tcp_timeout_max_retrans` (5 minutes), so dead peers do not hold " +
      'entries for days.',
    citation: `${DOC} (nf_conntrack_tcp_max_retrans); ${TCP}:1624-1656 (per-netns defaults)`,
  },
  tcpTimeout(
    'SYN_SENT',
    'syn_sent',
    120,
    '2 minutes',
    'How long a connection that has only sent its SYN is kept.',
    'An entry in SYN_SENT (a SYN seen, no answer yet; also SYN_SENT2 for simultaneous open) expires after ' +
      'this many seconds. Also the timeout of a brand-new entry.',
    'Lowering it frees entries of SYN floods and scans faster.',
  ),
  tcpTimeout(
    'SYN_RECV',
    'syn_recv',
    60,
    '1 minute',
    'How long a half-open connection (SYN ACK seen) is kept.',
    'An entry in SYN_RECV (the SYN was answered with a SYN ACK, the final ACK not seen yet) expires after this.',
  ),
  tcpTimeout(
    'ESTABLISHED',
    'established',
    432000,
    '5 days',
    'How long an idle established TCP connection is remembered.',
    'Each packet of an ESTABLISHED connection restarts this timer; after this many idle seconds the entry ' +
      'is deleted. The next packet of that connection is then no longer ESTABLISHED: an ACK is NEW (with ' +
      'tcp_loose=1) or INVALID (tcp_loose=0), a FIN or RST is INVALID. Pooled database connections and ' +
      'SSH sessions that sit idle longer than this die, unless the application sends keep-alives more often.',
    'Lowering it (distributions and guides often use 3600, 300 or even 60) keeps the table small on busy ' +
      'servers but silently breaks idle long-lived connections. Make TCP keep-alive intervals shorter than it.',
  ),
  tcpTimeout(
    'FIN_WAIT',
    'fin_wait',
    120,
    '2 minutes',
    'How long a connection is kept after one side sent FIN.',
    'One side has closed (FIN seen). Late packets after the entry has gone are INVALID: harmless noise in the log.',
    'Shortening it frees entries sooner; too short and the last packets of a closing connection become INVALID.',
  ),
  tcpTimeout(
    'CLOSE_WAIT',
    'close_wait',
    60,
    '1 minute',
    'How long a connection is kept after the FIN was acknowledged and the other side has not closed yet.',
    'The FIN was acknowledged; the other side may still send data before its own FIN.',
  ),
  tcpTimeout(
    'LAST_ACK',
    'last_ack',
    30,
    '30 seconds',
    'How long a connection is kept while the final ACK is awaited.',
    'Both sides sent FIN; conntrack waits for the last ACK.',
  ),
  tcpTimeout(
    'TIME_WAIT',
    'time_wait',
    120,
    '2 minutes',
    'How long a closed connection is remembered.',
    'Both FINs were acknowledged. The entry stays a little while to absorb retransmissions; after it expires ' +
      'any late FIN or ACK of that connection is INVALID (or NEW for a bare ACK with tcp_loose=1).',
    'Busy web servers close thousands of connections a second; this and fin_wait/close_wait dominate the ' +
      'table size there, which is why they are the usual first thing to shorten after "table full".',
  ),
  tcpTimeout('CLOSE', 'close', 10, '10 seconds', 'How long a reset connection is remembered.', 'A RST closed the connection; the entry lingers briefly.'),
  {
    name: 'net.netfilter.nf_conntrack_tcp_timeout_max_retrans',
    aliases: ['net.ipv4.netfilter.ip_conntrack_tcp_timeout_max_retrans'],
    type: 'seconds',
    default: 300,
    defaultText: '300 s (5 minutes)',
    summary: 'Timeout of a connection whose data keeps being retransmitted without an ACK.',
    doc: 'Applied once `nf_conntrack_tcp_max_retrans` retransmissions went unacknowledged, or the peer announced a zero window.',
    citation: `${DOC}:130-159; ${TCP}:61-76 (RETRANS)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_tcp_timeout_unacknowledged',
    type: 'seconds',
    default: 300,
    defaultText: '300 s (5 minutes)',
    summary: 'Timeout of a connection with unacknowledged data, or picked up mid-stream and not answered yet.',
    doc:
      'Caps the timeout while sent data waits for an ACK, and for a connection picked up mid-stream ' +
      '(tcp_loose) until a reply is seen; also used after a RST in ESTABLISHED.',
    citation: `${DOC}:130-159; ${TCP}:1365-1369`,
  },
  {
    name: 'net.netfilter.nf_conntrack_udp_timeout',
    aliases: ['net.ipv4.netfilter.ip_conntrack_udp_timeout'],
    type: 'seconds',
    default: 30,
    defaultText: '30 s',
    summary: 'How long a UDP flow seen in one direction only (or once each way) is kept.',
    doc: 'A UDP "connection" that has not become a stream (see udp_timeout_stream) expires this long after its last packet.',
    citation: `${DOC} (nf_conntrack_udp_timeout)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_udp_timeout_stream',
    aliases: ['net.ipv4.netfilter.ip_conntrack_udp_timeout_stream'],
    type: 'seconds',
    default: 120,
    defaultText: '120 s',
    summary: 'How long an ongoing two-way UDP flow (VPN, VoIP, QUIC) is kept.',
    doc: 'Once traffic has flowed both ways repeatedly, the entry is ASSURED and expires after this many idle seconds.',
    tradeoff: 'Idle UDP tunnels shorter-lived than this need keep-alives more often than it.',
    citation: `${DOC} (nf_conntrack_udp_timeout_stream)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_icmp_timeout',
    aliases: ['net.ipv4.netfilter.ip_conntrack_icmp_timeout'],
    type: 'seconds',
    default: 30,
    defaultText: '30 s',
    summary: 'How long an ICMP echo exchange is tracked.',
    doc: 'A ping and its reply form a short-lived entry that expires after this.',
    citation: `${DOC} (nf_conntrack_icmp_timeout)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_icmpv6_timeout',
    type: 'seconds',
    default: 30,
    defaultText: '30 s',
    summary: 'How long an ICMPv6 echo exchange is tracked.',
    doc: 'The IPv6 counterpart of nf_conntrack_icmp_timeout.',
    citation: `${DOC} (nf_conntrack_icmpv6_timeout)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_generic_timeout',
    aliases: ['net.ipv4.netfilter.ip_conntrack_generic_timeout'],
    type: 'seconds',
    default: 600,
    defaultText: '600 s (10 minutes)',
    summary: 'Timeout for protocols conntrack has no special tracker for.',
    doc: 'Applies to IP protocols without their own tracker (anything but TCP, UDP, ICMP, SCTP, DCCP, GRE...).',
    citation: `${DOC} (nf_conntrack_generic_timeout)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_checksum',
    aliases: ['net.ipv4.netfilter.ip_conntrack_checksum'],
    type: 'boolean',
    default: 1,
    summary: 'Verify checksums; packets with bad checksums become INVALID.',
    doc:
      'With 1 (default) conntrack checks the checksum of arriving packets (in PREROUTING) and treats bad ones ' +
      'as INVALID. Some virtual NICs with checksum offload deliver packets whose checksum is not filled in yet.',
    tradeoff: 'Turning it off saves a little CPU and hides offload problems; leave it on unless you know why.',
    citation: `${DOC} (nf_conntrack_checksum); ${TCP}:859-864`,
  },
  {
    name: 'net.netfilter.nf_conntrack_acct',
    type: 'boolean',
    default: 0,
    summary: 'Count packets and bytes per connection.',
    doc: 'With 1, every entry carries packet and byte counters per direction (`packets=` `bytes=` in conntrack -L).',
    tradeoff: 'A little memory and CPU per packet.',
    citation: `${DOC} (nf_conntrack_acct)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_timestamp',
    type: 'boolean',
    default: 0,
    summary: 'Record when each connection started and ended.',
    doc: 'With 1, entries carry start and stop times, shown by `conntrack -L -o ktimestamp` and in events.',
    citation: `${DOC} (nf_conntrack_timestamp)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_events',
    type: 'enum',
    default: 2,
    summary: 'Send connection events to user space (conntrack -E, ulogd): 0 off, 1 on, 2 auto.',
    doc: 'With 2 (default) the kernel only prepares events once a program listens for them.',
    citation: `${DOC} (nf_conntrack_events)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_expect_max',
    type: 'integer',
    default: 'nf_conntrack_buckets / 256',
    summary: 'Size of the table of expected connections (FTP data, SIP media...).',
    doc:
      'Protocol helpers announce connections they expect; this limits how many may be pending. When it is ' +
      'reached the kernel logs `nf_conntrack: expectation table full`.',
    citation: `${DOC} (nf_conntrack_expect_max)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_log_invalid',
    aliases: ['net.ipv4.netfilter.ip_conntrack_log_invalid'],
    type: 'integer',
    default: 0,
    summary: 'Log why packets are INVALID (protocol number, 255 for all).',
    doc:
      'Set to 6 to log invalid TCP packets, 17 for UDP, 1 for ICMP, 255 for every protocol: the kernel then ' +
      'writes a LOG-style line saying why conntrack refused each packet. The best tool to explain unexpected ' +
      'INVALID drops; switch it off again afterwards.',
    citation: `${DOC} (nf_conntrack_log_invalid)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_gre_timeout',
    type: 'seconds',
    default: 30,
    defaultText: '30 s',
    summary: 'How long a GRE flow (PPTP tunnels) seen in one direction is kept.',
    citation: `${DOC} (nf_conntrack_gre_timeout)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_gre_timeout_stream',
    type: 'seconds',
    default: 180,
    defaultText: '180 s',
    summary: 'How long an ongoing two-way GRE flow is kept.',
    citation: `${DOC} (nf_conntrack_gre_timeout_stream)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_frag6_timeout',
    type: 'seconds',
    default: 60,
    defaultText: '60 s',
    summary: 'How long conntrack keeps IPv6 fragments while waiting for the rest of the packet.',
    citation: `${DOC} (nf_conntrack_frag6_timeout)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_frag6_high_thresh',
    type: 'integer',
    default: 'memory-dependent',
    summary: 'Memory (bytes) for IPv6 fragment reassembly; above it new fragments are dropped until the low threshold is reached.',
    citation: `${DOC} (nf_conntrack_frag6_high_thresh)`,
  },
  {
    name: 'net.netfilter.nf_conntrack_frag6_low_thresh',
    type: 'integer',
    default: 'memory-dependent',
    summary: 'Memory (bytes) IPv6 fragment reassembly falls back to after hitting the high threshold.',
    citation: `${DOC} (nf_conntrack_frag6_low_thresh)`,
  },
  ...(
    [
      ['closed', 10, 'after the association was closed'],
      ['cookie_wait', 3, 'while the INIT is waiting for its INIT ACK'],
      ['cookie_echoed', 3, 'while the COOKIE ECHO waits for its COOKIE ACK'],
      ['established', 210, 'while the association is up and idle (older kernels: 5 days)'],
      ['shutdown_sent', 3, 'after a SHUTDOWN was sent'],
      ['shutdown_recd', 3, 'after a SHUTDOWN was received'],
      ['shutdown_ack_sent', 3, 'after the SHUTDOWN ACK was sent'],
      ['heartbeat_sent', 30, 'for a secondary path while its HEARTBEAT is unanswered'],
      ['heartbeat_acked', 210, 'for a secondary path after its HEARTBEAT was answered (removed in newer kernels)'],
    ] as const
  ).map(
    ([key, seconds, when]): SysctlDoc => ({
      name: `net.netfilter.nf_conntrack_sctp_timeout_${key}`,
      type: 'seconds',
      default: seconds,
      defaultText: `${seconds} s`,
      summary: `How long an SCTP association entry is kept ${when}.`,
      citation: `${DOC} (nf_conntrack_sctp_timeout_${key})`,
    }),
  ),
  {
    name: 'net.netfilter.nf_conntrack_helper',
    type: 'boolean',
    default: 0,
    summary: 'Automatic helper assignment by port (removed in Linux 6.0).',
    doc:
      'Older kernels attached FTP, SIP... helpers to connections by port number when this was 1. It is gone ' +
      'in current kernels: attach helpers explicitly with `-t raw -j CT --helper ftp`.',
    citation: `${DOC} (older kernels)`,
  },
];

const BY_NAME = new Map<string, SysctlDoc>();
for (const s of CONNTRACK_SYSCTLS) {
  BY_NAME.set(s.name, s);
  for (const a of s.aliases ?? []) BY_NAME.set(a, s);
}

/**
 * The entry for a sysctl name as written (`net.netfilter.nf_conntrack_max`, the old
 * `net.ipv4.netfilter.ip_conntrack_max`, or a `/proc/sys/...` path).
 */
export function findSysctl(name: string): SysctlDoc | undefined {
  let n = name.trim();
  if (n.startsWith('/proc/sys/')) n = n.slice(10).replace(/\//g, '.');
  return BY_NAME.get(n);
}

/** Whether the name is one of the old `ip_conntrack` spellings. */
export function isLegacySysctlName(name: string): boolean {
  return name.includes('.ip_conntrack_');
}

/** `432000` -> `5 days`, `120` -> `2 minutes`, `45` -> `45 seconds`. */
export function humanSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} hours`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
