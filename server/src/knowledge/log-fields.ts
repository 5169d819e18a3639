/**
 * What every field of a kernel LOG line and every column of a conntrack listing means, and pure
 * decoders for the values people cannot read at a glance (MAC=, TOS=/PREC=, TTL=, WINDOW=, ports,
 * TCP flag combinations). Field grammar: net/netfilter/nf_log_syslog.c (Linux 6.12 line numbers as
 * in ../shared/reference/conntrack-tcp.md); explanations are our own.
 */
import { ctstateWithoutEntry, tcpFlagBits, tcpFlagText, type TcpFlagsInput } from './conntrack-tcp';
import type { ValueDoc } from './types';
import { ICMP_TYPES, ICMPV6_TYPES, type IcmpTypeDoc } from './values/icmp';
import { IP_PROTOCOLS, SERVICES } from './values/netbase';

const LOG_C = 'net/netfilter/nf_log_syslog.c';

/** Where in the line a field stands; mirrors the parser's layers without importing the model. */
export type LogFieldLayer = 'interface' | 'link' | 'ip' | 'transport' | 'meta' | 'marker';

export interface LogFieldDoc extends ValueDoc {
  /** Key as printed (`SRC`, `SYN`, `FRAG`, `OPT`); several entries may share a key (see `context`). */
  readonly key: string;
  /** Distinguishes entries with the same key: `udp` LEN, `icmp` ID/SEQ, `tcp` OPT, `flag` ACK. */
  readonly context?: 'ip' | 'tcp' | 'udp' | 'icmp' | 'flag' | 'ipv6';
  readonly layer: LogFieldLayer;
  /** Which packets carry it. */
  readonly packetFamilies?: readonly ('ipv4' | 'ipv6' | 'arp')[];
  /** How to read the value, one or two sentences. */
  readonly read?: string;
  /** Printed only with this LOG option. */
  readonly option?: string;
  readonly citation?: string;
}

function f(key: string, layer: LogFieldLayer, summary: string, rest: Partial<LogFieldDoc> = {}): LogFieldDoc {
  return { name: rest.context ? `${key} (${rest.context})` : key, key, layer, summary, ...rest };
}

/** One entry per field the kernel's LOG target prints. */
export const LOG_FIELDS: readonly LogFieldDoc[] = [
  f('IN', 'interface', 'Interface the packet arrived on; empty for packets the machine itself sends.', {
    read:
      'IN set and OUT empty: the packet is for this machine (INPUT, or PREROUTING before routing). IN and OUT both set: it is being ' +
      'routed through (FORWARD). IN empty: the machine sent it (OUTPUT).',
    citation: `${LOG_C}:123`,
  }),
  f('OUT', 'interface', 'Interface the packet leaves through; empty while it is not routed yet or is for this machine.', {
    read: 'Empty on INPUT and PREROUTING, set on FORWARD, OUTPUT and POSTROUTING.',
    citation: `${LOG_C}:123`,
  }),
  f('PHYSIN', 'interface', 'Bridge port the packet really came in on (IN= names the bridge).', {
    read: 'Only on bridges with br_netfilter: IN=br0 PHYSIN=eth1 means it entered bridge br0 through its port eth1.',
    citation: `${LOG_C}:130-133`,
  }),
  f('PHYSOUT', 'interface', 'Bridge port the packet will leave through (OUT= names the bridge).', { citation: `${LOG_C}:130-133` }),
  f('MAC', 'link', 'The link-layer header, byte by byte: destination MAC, source MAC and EtherType run together.', {
    read:
      'On Ethernet the 14 bytes are 6 of destination MAC, 6 of source MAC, 2 of EtherType (08:00 IPv4, 86:dd IPv6, 08:06 ARP). ' +
      'The source MAC is the previous hop (your router or the neighbour), not the far-away sender. Empty on interfaces without a ' +
      'link header (PPP, tun, WireGuard) and absent on locally sent packets.',
    citation: `${LOG_C}:807`,
  }),
  f('MACSRC', 'link', 'Source MAC address (with --log-macdecode).', { option: '--log-macdecode' }),
  f('MACDST', 'link', 'Destination MAC address (with --log-macdecode).', { option: '--log-macdecode' }),
  f('MACPROTO', 'link', 'EtherType in hex (with --log-macdecode): 0800 IPv4, 86dd IPv6, 0806 ARP.', { option: '--log-macdecode' }),
  f('VPROTO', 'link', 'VLAN tag protocol (8100 for 802.1Q) of a tagged frame.', { option: '--log-macdecode' }),
  f('VID', 'link', 'VLAN id of a tagged frame.', { option: '--log-macdecode' }),
  f('TUNNEL', 'link', 'Outer addresses of a sit (IPv6-in-IPv4) tunnel packet: outer source -> outer destination.'),
  f('ARP', 'link', 'The packet is ARP (logged by arptables or nft in the arp or bridge family).', { packetFamilies: ['arp'] }),
  f('HTYPE', 'link', 'ARP hardware type (1 = Ethernet).', { packetFamilies: ['arp'] }),
  f('PTYPE', 'link', 'ARP protocol type (0x0800 = IPv4).', { packetFamilies: ['arp'] }),
  f('OPCODE', 'link', 'ARP operation: 1 request ("who has"), 2 reply ("is at").', { packetFamilies: ['arp'] }),
  f('IPSRC', 'link', 'Sender IP address inside the ARP message.', { packetFamilies: ['arp'] }),
  f('IPDST', 'link', 'Target IP address inside the ARP message.', { packetFamilies: ['arp'] }),
  f('SRC', 'ip', 'Source IP address of the packet.', {
    read: 'The address the packet claims to come from, after any DNAT/SNAT done before the LOG rule ran.',
    citation: `${LOG_C}:325-359 (IPv4), :561-564 (IPv6)`,
  }),
  f('DST', 'ip', 'Destination IP address of the packet.', { citation: `${LOG_C}:325-359 (IPv4), :561-564 (IPv6)` }),
  f('LEN', 'ip', 'Total length of the IP packet in bytes, headers included.', {
    context: 'ip',
    read: '40 (IPv4) or 60 (IPv6) is a bare TCP segment without data or options: typical of ACK, FIN, RST and scan probes.',
    citation: `${LOG_C}:325-359`,
  }),
  f('TOS', 'ip', 'IPv4 type-of-service bits 1-4 (the precedence bits are in PREC=, the lowest ECN bit is not shown).', {
    packetFamilies: ['ipv4'],
    read: 'Together with PREC= it gives the DSCP code point; 0x00 is ordinary best-effort traffic.',
    citation: `${LOG_C}:325-359`,
  }),
  f('PREC', 'ip', 'IPv4 precedence bits (the top three bits of the TOS byte).', {
    packetFamilies: ['ipv4'],
    read: '0x00 normal; 0xC0 (internetwork control) is what routers and Linux put on ICMP errors and routing protocols.',
    citation: `${LOG_C}:325-359`,
  }),
  f('TTL', 'ip', 'IPv4 time to live: how many more routers the packet may cross.', {
    packetFamilies: ['ipv4'],
    read:
      'Senders start at 64 (Linux, macOS, BSD), 128 (Windows) or 255 (network equipment); the distance to the next of those values ' +
      'is roughly the number of hops the packet travelled.',
    citation: `${LOG_C}:325-359`,
  }),
  f('ID', 'ip', 'IPv4 identification, used to reassemble fragments.', {
    context: 'ip',
    packetFamilies: ['ipv4'],
    read: 'Meaningful only for fragments; with DF many stacks send 0 or a per-connection counter.',
    citation: `${LOG_C}:325-359`,
  }),
  f('CE', 'ip', 'The reserved "evil" bit of the IPv4 fragment field is set; never set by real stacks.', { packetFamilies: ['ipv4'], citation: `${LOG_C}:325-359` }),
  f('DF', 'ip', "Don't Fragment: routers must drop the packet rather than split it (path-MTU discovery).", {
    packetFamilies: ['ipv4'],
    read: 'Normal for TCP from modern systems; scanners often leave it off.',
    citation: `${LOG_C}:325-359`,
  }),
  f('MF', 'ip', 'More Fragments: this is a fragment and more follow.', { packetFamilies: ['ipv4'], citation: `${LOG_C}:325-359` }),
  f('FRAG', 'ip', 'Fragment offset: this packet is a later piece of a fragmented datagram.', {
    read: 'A later fragment has no transport header, so no ports are logged for it. Conntrack normally reassembles before the filter sees packets.',
    citation: `${LOG_C}:325-359`,
  }),
  f('OPT', 'ip', 'IP options (IPv4, hex bytes) or IPv6 extension headers (`OPT ( ... )`), with --log-ip-options.', {
    context: 'ip',
    option: '--log-ip-options',
    read: 'IPv4 options are rare in legitimate traffic (record-route, timestamp, router-alert for IGMP).',
    citation: `${LOG_C}:325-359`,
  }),
  f('TC', 'ip', 'IPv6 traffic class (decimal): DSCP in the top six bits, ECN in the lowest two.', { packetFamilies: ['ipv6'], citation: `${LOG_C}:561-564` }),
  f('HOPLIMIT', 'ip', 'IPv6 hop limit: the IPv6 name for TTL.', {
    packetFamilies: ['ipv6'],
    read: '255 on neighbour discovery (it must never have crossed a router); otherwise starts at 64 or 128 and counts down per hop.',
    citation: `${LOG_C}:561-564`,
  }),
  f('FLOWLBL', 'ip', 'IPv6 flow label (decimal), used by some stacks to keep a flow on one path.', { packetFamilies: ['ipv6'], citation: `${LOG_C}:561-564` }),
  f('PROTO', 'ip', 'Transport protocol: TCP, UDP, UDPLITE, ICMP, ICMPv6, AH, ESP, or a protocol number for anything else.', {
    read: 'A number means the kernel has no decoder for it: 47 is GRE, 50 ESP, 89 OSPF, 112 VRRP, 132 SCTP.',
    citation: `${LOG_C}:195-257, :276-293, :395-455, :480-504, :509`,
  }),
  f('SPT', 'transport', 'Source port.', {
    read: 'Clients pick a high ephemeral port (32768-60999 on Linux, 49152-65535 on Windows); a well-known source port means a server answered.',
    citation: `${LOG_C}:195-257 (TCP), :276-293 (UDP)`,
  }),
  f('DPT', 'transport', 'Destination port: the service the packet is for.', { citation: `${LOG_C}:195-257 (TCP), :276-293 (UDP)` }),
  f('SEQ', 'transport', 'TCP sequence number (with --log-tcp-sequence).', { context: 'tcp', option: '--log-tcp-sequence', citation: `${LOG_C}:195-257` }),
  f('ACK', 'transport', 'TCP acknowledgement number (with --log-tcp-sequence).', { context: 'tcp', option: '--log-tcp-sequence', citation: `${LOG_C}:195-257` }),
  f('WINDOW', 'transport', 'TCP receive window the sender advertises, in bytes before window scaling.', {
    read: 'How much more data the sender can accept right now. 0 means its buffer is full (or, on a RST, nothing: resets usually carry 0).',
    citation: `${LOG_C}:195-257`,
  }),
  f('RES', 'transport', 'TCP reserved header bits; 0x00 in normal traffic.', { citation: `${LOG_C}:195-257` }),
  f('URGP', 'transport', 'TCP urgent pointer; meaningful only with URG, 0 otherwise.', { citation: `${LOG_C}:195-257` }),
  f('OPT', 'transport', 'TCP options as hex bytes (with --log-tcp-options): MSS, window scale, SACK, timestamps.', {
    context: 'tcp',
    option: '--log-tcp-options',
    read: '020405B4 is "MSS 1460", the usual option of a SYN on Ethernet; a SYN with only an MSS option is typical of scanners.',
    citation: `${LOG_C}:195-257`,
  }),
  f('LEN', 'transport', 'UDP length: UDP header (8 bytes) plus payload.', { context: 'udp', read: '8 means an empty datagram, typical of UDP scans.', citation: `${LOG_C}:276-293` }),
  f('TYPE', 'transport', 'ICMP / ICMPv6 message type.', { read: 'ICMP 8 echo request (ping), 0 echo reply, 3 unreachable, 11 time exceeded; ICMPv6 128/129 ping, 133-137 neighbour discovery.', citation: `${LOG_C}:395-455` }),
  f('CODE', 'transport', 'ICMP / ICMPv6 code: the detail within the type (for unreachable: which thing was unreachable).', { citation: `${LOG_C}:395-455` }),
  f('ID', 'transport', 'ICMP echo identifier (ping session).', { context: 'icmp', citation: `${LOG_C}:395-455` }),
  f('SEQ', 'transport', 'ICMP echo sequence number; counts up within one ping session.', { context: 'icmp', citation: `${LOG_C}:395-455` }),
  f('PARAMETER', 'transport', 'ICMP parameter problem: offset of the faulty byte in the original header.', { citation: `${LOG_C}:395-455` }),
  f('GATEWAY', 'transport', 'ICMP redirect: the router the sender is told to use instead.', { citation: `${LOG_C}:395-455` }),
  f('MTU', 'transport', 'ICMP "fragmentation needed" / ICMPv6 "packet too big": the MTU the sender must fall back to.', {
    read: 'Dropping these breaks path-MTU discovery: large transfers hang while small requests work.',
    citation: `${LOG_C}:395-455`,
  }),
  f('POINTER', 'transport', 'ICMPv6 parameter problem: offset of the faulty byte (hex).'),
  f('[', 'marker', 'The original packet an ICMP error is about, as the error quotes it.', {
    read: 'Inside the brackets SRC is the address of this side: the packet we (or the host behind us) sent and that failed.',
    citation: `${LOG_C}:395-455`,
  }),
  f('SPI', 'transport', 'IPsec Security Parameter Index of an AH or ESP packet: identifies the security association.', { citation: `${LOG_C}:480-504` }),
  f('UID', 'meta', 'User id of the local process that sent the packet (with --log-uid).', { option: '--log-uid', citation: `${LOG_C}:178` }),
  f('GID', 'meta', 'Group id of the local process that sent the packet (with --log-uid).', { option: '--log-uid', citation: `${LOG_C}:178` }),
  f('MARK', 'meta', 'Packet mark (fwmark) set by MARK/CONNMARK rules or routing policy, in hex.', { citation: `${LOG_C}:518` }),
  f('ID', 'ip', 'IPv6 fragment identification (hex), shared by all fragments of one packet.', {
    context: 'ipv6',
    packetFamilies: ['ipv6'],
    read: 'Printed with FRAG: when the packet carries a fragment header.',
    citation: `${LOG_C}:561-564`,
  }),
  f('Unknown Ext Hdr', 'ip', 'An IPv6 extension header the kernel cannot walk past: the rest of the packet is not decoded.'),
  f('INCOMPLETE', 'marker', 'The kernel could not read the whole header: the packet is shorter than its header claims (or a later IPv6 fragment).'),
  f('TRUNCATED', 'marker', 'The kernel could not read the IP header at all: a runt or corrupted packet.'),
  f('AE', 'transport', 'Accurate ECN flag (formerly NS), printed by recent kernels.', { context: 'flag' }),
  f('CWR', 'transport', 'Congestion Window Reduced: the sender slowed down after an ECN signal.', { context: 'flag', citation: `${LOG_C}:195-257` }),
  f('ECE', 'transport', 'ECN Echo: the receiver reports congestion (with SYN: offers ECN).', { context: 'flag', citation: `${LOG_C}:195-257` }),
  f('URG', 'transport', 'Urgent data present; almost unused today, typical of XMAS scans.', { context: 'flag', citation: `${LOG_C}:195-257` }),
  f('ACK', 'transport', 'Acknowledgement flag: set on every segment after the opening SYN.', { context: 'flag', citation: `${LOG_C}:195-257` }),
  f('PSH', 'transport', 'Push: deliver the data to the application now; normal on data segments.', { context: 'flag', citation: `${LOG_C}:195-257` }),
  f('RST', 'transport', 'Reset: abort the connection immediately.', { context: 'flag', citation: `${LOG_C}:195-257` }),
  f('SYN', 'transport', 'Synchronise: opens a connection (with ACK: accepts an opening).', { context: 'flag', citation: `${LOG_C}:195-257` }),
  f('FIN', 'transport', 'Finish: the sender has no more data; closes its half of the connection.', { context: 'flag', citation: `${LOG_C}:195-257` }),
];

/** A field as the parser sees it (structurally the model's LogField). */
export interface LogFieldRef {
  readonly key: string;
  readonly kind?: string;
  readonly layer?: string;
}

/** The entry explaining a parsed field; `proto` is the packet's PROTO= (to tell UDP LEN from IP LEN...). */
export function findLogField(field: LogFieldRef, proto?: string): LogFieldDoc | undefined {
  const candidates = LOG_FIELDS.filter((d) => d.key === field.key);
  if (candidates.length <= 1) return candidates[0];
  if (field.kind === 'flag') return candidates.find((d) => d.context === 'flag');
  const transport = field.layer === 'transport';
  if (field.key === 'LEN') return candidates.find((d) => d.context === (transport ? 'udp' : 'ip'));
  if (field.key === 'ID') return candidates.find((d) => d.context === (field.kind === 'colon' ? 'ipv6' : transport ? 'icmp' : 'ip'));
  if (field.key === 'SEQ') return candidates.find((d) => d.context === (proto === 'TCP' ? 'tcp' : 'icmp'));
  if (field.key === 'ACK') return candidates.find((d) => d.context === 'tcp');
  if (field.key === 'OPT') return candidates.find((d) => d.context === (transport ? 'tcp' : 'ip'));
  return candidates[0];
}

// ---------------------------------------------------------------------------------------------
// Conntrack listing columns and flags.

export interface ConntrackFieldDoc extends ValueDoc {
  /** Column key (`src`, `use`) or bracketed flag (`[ASSURED]`) or positional column (`timeout`). */
  readonly key: string;
}

export const CONNTRACK_FIELDS: readonly ConntrackFieldDoc[] = [
  { key: 'event', name: '[NEW] / [UPDATE] / [DESTROY]', summary: 'conntrack -E event: an entry was created, changed state, or removed.', doc: 'DESTROY lines carry no timeout: the entry is gone (closed, expired or flushed).' },
  { key: 'l3', name: 'ipv4 / ipv6', summary: 'Network-layer family of the entry, followed by its number (2 = IPv4, 10 = IPv6).' },
  { key: 'l4', name: 'tcp / udp / icmp ...', summary: 'Transport protocol of the entry, followed by its IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).' },
  {
    key: 'timeout',
    name: 'seconds left',
    summary: 'Seconds until the entry expires if no further packet arrives.',
    doc: 'Every packet of the connection resets it to the timeout of the current state: 432000 (5 days) for an established TCP connection, 120 for SYN_SENT, 30 for an unanswered UDP flow.',
  },
  { key: 'state', name: 'TCP state', summary: 'Where the TCP connection stands in conntrack\'s view: SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE.' },
  {
    key: 'src',
    name: 'src=',
    summary: 'Source address of the tuple.',
    doc: 'The first src/dst/sport/dport group is the original direction (as the first packet went); the second is the reply direction as conntrack expects it. When NAT is involved, the reply tuple shows the translated addresses: a reply destination different from the original source means SNAT/masquerade, a reply source different from the original destination means DNAT.',
  },
  { key: 'dst', name: 'dst=', summary: 'Destination address of the tuple.' },
  { key: 'sport', name: 'sport=', summary: 'Source port of the tuple.' },
  { key: 'dport', name: 'dport=', summary: 'Destination port of the tuple.' },
  { key: 'type', name: 'type=', summary: 'ICMP type of the tuple (8 echo request; the reply tuple expects 0).' },
  { key: 'code', name: 'code=', summary: 'ICMP code of the tuple.' },
  { key: 'id', name: 'id=', summary: 'ICMP echo identifier (in a tuple), or the entry\'s unique id (at the end, with -o id).' },
  { key: 'packets', name: 'packets=', summary: 'Packets seen in this direction (needs nf_conntrack_acct=1).' },
  { key: 'bytes', name: 'bytes=', summary: 'Bytes seen in this direction (needs nf_conntrack_acct=1).' },
  {
    key: 'UNREPLIED',
    name: '[UNREPLIED]',
    summary: 'No packet has come back yet: the other side never answered.',
    doc: 'Many UNREPLIED entries point at scans, a filtered or dead destination, or replies taking another path (asymmetric routing).',
  },
  {
    key: 'ASSURED',
    name: '[ASSURED]',
    summary: 'Traffic has flowed both ways enough that conntrack will not evict this entry when the table is full.',
    doc: 'Entries without ASSURED are the first sacrificed (early drop) when nf_conntrack_max is reached.',
  },
  { key: 'OFFLOAD', name: '[OFFLOAD]', summary: 'The connection is handled by the software flow table (nft flowtable): packets bypass the normal path.' },
  { key: 'HW_OFFLOAD', name: '[HW_OFFLOAD]', summary: 'The connection is offloaded to the network card.' },
  { key: 'mark', name: 'mark=', summary: 'Connection mark (ctmark) set by CONNMARK or `ct mark set`; decimal.' },
  { key: 'secmark', name: 'secmark=', summary: 'Security mark of the connection (SECMARK/CONNSECMARK).' },
  { key: 'secctx', name: 'secctx=', summary: 'SELinux security context of the connection.' },
  { key: 'zone', name: 'zone=', summary: 'Conntrack zone: separates identical tuples of different networks (set with `-j CT --zone`).' },
  { key: 'use', name: 'use=', summary: 'Reference count of the entry inside the kernel; 1 or 2 is normal and carries no meaning for you.' },
  { key: 'helper', name: 'helper=', summary: 'Protocol helper attached to the connection (ftp, sip, tftp...): it watches the payload to open RELATED connections.' },
  { key: 'labels', name: 'labels=', summary: 'Connection labels (connlabel match / `ct label`).' },
];

const CT_FIELD = new Map(CONNTRACK_FIELDS.map((d) => [d.key, d]));

export function findConntrackField(key: string): ConntrackFieldDoc | undefined {
  return CT_FIELD.get(key.replace(/^\[|\]$/g, ''));
}

// ---------------------------------------------------------------------------------------------
// Decoders.

export const ETHER_TYPES: Readonly<Record<string, string>> = {
  '0800': 'IPv4',
  '86dd': 'IPv6',
  '0806': 'ARP',
  '8035': 'RARP',
  '8100': '802.1Q VLAN tag',
  '88a8': '802.1ad QinQ tag',
  '8847': 'MPLS unicast',
  '8848': 'MPLS multicast',
  '8863': 'PPPoE discovery',
  '8864': 'PPPoE session',
  '88cc': 'LLDP',
  '888e': '802.1X (EAPOL)',
  '88e5': 'MACsec',
  '8906': 'FCoE',
};

export type MacKind = 'unicast' | 'multicast' | 'broadcast';

export interface DecodedMac {
  /** `ethernet`: 14 bytes split; `empty`: `MAC=` with nothing; `raw`: another link header. */
  readonly kind: 'ethernet' | 'empty' | 'raw';
  readonly destination?: string;
  readonly source?: string;
  /** EtherType in lower-case hex, `0800`. */
  readonly etherType?: string;
  readonly etherTypeName?: string;
  readonly destinationKind?: MacKind;
  /** What the destination multicast address belongs to (`IPv6 multicast`, `IPv4 multicast`). */
  readonly destinationNote?: string;
  /** Raw bytes for other link headers. */
  readonly bytes?: readonly string[];
  /** Plain-words explanation. */
  readonly text: string;
}

/** Split `MAC=` into destination MAC, source MAC and EtherType. */
export function decodeMac(mac: string): DecodedMac {
  const m = mac.trim();
  if (m === '') return { kind: 'empty', text: 'No link-layer header: the interface has none (PPP, tunnel, WireGuard, loopback on some kernels).' };
  const bytes = m.split(':');
  const hex = bytes.every((b) => /^[0-9a-fA-F]{2}$/.test(b));
  if (!hex || bytes.length !== 14) {
    return { kind: 'raw', bytes, text: `A ${bytes.length}-byte link-layer header that is not plain Ethernet (${hex ? 'another link type' : 'not hex bytes'}).` };
  }
  const destination = bytes.slice(0, 6).join(':').toLowerCase();
  const source = bytes.slice(6, 12).join(':').toLowerCase();
  const etherType = (bytes[12] + bytes[13]).toLowerCase();
  const etherTypeName = ETHER_TYPES[etherType];
  const first = parseInt(bytes[0], 16);
  const destinationKind: MacKind = destination === 'ff:ff:ff:ff:ff:ff' ? 'broadcast' : first & 1 ? 'multicast' : 'unicast';
  const destinationNote = destination.startsWith('33:33:')
    ? 'IPv6 multicast'
    : destination.startsWith('01:00:5e:')
      ? 'IPv4 multicast'
      : destinationKind === 'broadcast'
        ? 'broadcast to the whole segment'
        : undefined;
  const typeText = etherTypeName ? `${etherTypeName} (${etherType})` : `EtherType ${etherType} (not a common one)`;
  return {
    kind: 'ethernet',
    destination,
    source,
    etherType,
    ...(etherTypeName ? { etherTypeName } : {}),
    destinationKind,
    ...(destinationNote ? { destinationNote } : {}),
    text: `Destination MAC ${destination}${destinationNote ? ` (${destinationNote})` : ''}, source MAC ${source} (the previous hop), ${typeText}.`,
  };
}

/** DSCP code point names (RFC 2474, 2597, 3246, 5865, 8622). */
export const DSCP_NAMES: Readonly<Record<number, string>> = {
  0: 'CS0 (best effort)',
  1: 'LE (lower effort)',
  8: 'CS1 (low priority / scavenger)',
  10: 'AF11',
  12: 'AF12',
  14: 'AF13',
  16: 'CS2',
  18: 'AF21',
  20: 'AF22',
  22: 'AF23',
  24: 'CS3',
  26: 'AF31',
  28: 'AF32',
  30: 'AF33',
  32: 'CS4',
  34: 'AF41',
  36: 'AF42',
  38: 'AF43',
  40: 'CS5',
  44: 'VOICE-ADMIT',
  46: 'EF (expedited forwarding: voice)',
  48: 'CS6 (network control)',
  56: 'CS7 (network control)',
};

const PRECEDENCE = ['routine', 'priority', 'immediate', 'flash', 'flash override', 'critical', 'internetwork control', 'network control'];
const ECN = ['Not-ECT (no ECN)', 'ECT(1)', 'ECT(0)', 'CE (congestion experienced)'];

export interface DecodedTos {
  /** 0-63. */
  readonly dscp: number;
  readonly dscpName?: string;
  /** 0-7 from the precedence bits. */
  readonly precedence: number;
  readonly precedenceName: string;
  /** ECN field when fully known (IPv6 TC); IPv4 LOG lines hide the lowest bit. */
  readonly ecn?: number;
  readonly ecnName?: string;
  readonly text: string;
}

/**
 * Decode IPv4 `TOS=` and `PREC=` as logged. The kernel prints `tos & 0x1E` as TOS and `tos & 0xE0`
 * as PREC (nf_log_syslog.c:330), so DSCP = (PREC | TOS) >> 2 is exact, while of the two ECN bits
 * only the upper one (0x02) is visible.
 */
export function decodeTos(tos: number, prec: number): DecodedTos {
  const byte = (tos & 0x1e) | (prec & 0xe0);
  const dscp = byte >> 2;
  const precedence = (prec & 0xe0) >> 5;
  const dscpName = DSCP_NAMES[dscp];
  const ecnBit = (tos & 0x02) !== 0;
  const text =
    `DSCP ${dscp}${dscpName ? ` = ${dscpName}` : legacyTos(tos)}; precedence ${precedence} (${PRECEDENCE[precedence]}). ` +
    (ecnBit ? 'ECN: ECT(0) or CE (the LOG line hides the lowest bit).' : 'ECN: not ECT(0)/CE (the lowest ECN bit is not logged).');
  return { dscp, ...(dscpName ? { dscpName } : {}), precedence, precedenceName: PRECEDENCE[precedence], text };
}

/** RFC 1349 meaning of the old TOS bits, for values that are no DSCP name. */
function legacyTos(tos: number): string {
  const bits: string[] = [];
  if (tos & 0x10) bits.push('minimise delay');
  if (tos & 0x08) bits.push('maximise throughput');
  if (tos & 0x04) bits.push('maximise reliability');
  return bits.length ? ` (no DSCP name; in the old RFC 1349 sense: ${bits.join(', ')})` : ' (no standard name)';
}

/** Decode IPv6 `TC=` (decimal traffic class): DSCP and ECN are both exact. */
export function decodeTrafficClass(tc: number): DecodedTos {
  const dscp = (tc >> 2) & 0x3f;
  const ecn = tc & 3;
  const precedence = dscp >> 3;
  const dscpName = DSCP_NAMES[dscp];
  return {
    dscp,
    ...(dscpName ? { dscpName } : {}),
    precedence,
    precedenceName: PRECEDENCE[precedence],
    ecn,
    ecnName: ECN[ecn],
    text: `DSCP ${dscp}${dscpName ? ` = ${dscpName}` : ' (no standard name)'}; ECN ${ECN[ecn]}.`,
  };
}

export interface DecodedTtl {
  readonly initial: number;
  readonly hops: number;
  /** Who usually starts at that value. */
  readonly likelySender: string;
  readonly text: string;
}

const INITIAL_TTLS: readonly [number, string][] = [
  [32, 'old Windows 9x or some embedded stacks'],
  [64, 'Linux, Android, macOS, iOS, BSD'],
  [128, 'Windows'],
  [255, 'routers, network equipment, Solaris'],
];

/** Guess the initial TTL (the next of 32/64/128/255 at or above the value) and the hop count. */
export function decodeTtl(ttl: number): DecodedTtl | undefined {
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255) return undefined;
  const [initial, likelySender] = INITIAL_TTLS.find(([i]) => ttl <= i)!;
  const hops = initial - ttl;
  return {
    initial,
    hops,
    likelySender,
    text:
      hops === 0
        ? `Sent with TTL ${initial} from the same network segment (no router in between); typical of ${likelySender}.`
        : `Probably sent with TTL ${initial} (${likelySender}) about ${hops} hop${hops === 1 ? '' : 's'} away. A guess: senders can choose any start value.`,
  };
}

/** What a TCP WINDOW= value says. */
export function explainWindow(window: number, flags?: TcpFlagsInput): string {
  const bits = flags === undefined ? 0 : tcpFlagBits(flags);
  if (window === 0) {
    if (bits & 0x04) return 'Window 0 on a reset: normal, a RST carries no window and most stacks put 0 there.';
    return "Window 0: the sender's receive buffer is full and it asks the peer to stop sending for now (or a scanner set it). Persistent zero windows make conntrack shorten the entry's timeout.";
  }
  if (window <= 4096 && bits === 0x02) return `Window ${window} on a SYN: a small fixed value like this is typical of port scanners (nmap uses 1024-4096).`;
  return `The sender can accept ${window} bytes${bits & 0x02 ? '' : ' (before window scaling, so possibly many times more)'}.`;
}

/** Name of a well-known port from /etc/services (netbase), e.g. 443/tcp -> https. */
export function wellKnownPort(port: number, proto = 'tcp'): string | undefined {
  const p = proto.toLowerCase();
  const hit = SERVICES.find((s) => s.port === port && s.proto === p);
  return hit?.name;
}

/** Name of an IP protocol number (6 -> tcp, 47 -> gre). */
export function ipProtocolName(n: number): string | undefined {
  return IP_PROTOCOLS.find((p) => p.number === n && p.name !== 'ip')?.name;
}

/** The ICMP / ICMPv6 type and code as a name (`echo-request`, `port-unreachable`). */
export function icmpTypeDoc(type: number, code: number | undefined, v6 = false): IcmpTypeDoc | undefined {
  const table = v6 ? ICMPV6_TYPES : ICMP_TYPES;
  return (code !== undefined ? table.find((t) => t.type === type && t.code === code) : undefined) ?? table.find((t) => t.type === type && t.code === undefined);
}

export type TcpFlagCategory = 'opening' | 'opening-reply' | 'data' | 'teardown' | 'reset' | 'scan' | 'invalid';

export interface TcpFlagClass {
  readonly category: TcpFlagCategory;
  /** Short name (`SYN`, `FIN ACK`, `XMAS scan`). */
  readonly name: string;
  readonly text: string;
}

/** Classify a TCP flag combination by what it usually means in a log. */
export function classifyTcpFlags(flags: TcpFlagsInput): TcpFlagClass {
  const bits = tcpFlagBits(flags);
  const core = bits & 0x3f; // without ECE/CWR
  const written = tcpFlagText(bits);
  const FIN = 1;
  const SYN = 2;
  const RST = 4;
  const PSH = 8;
  const ACK = 16;
  const URG = 32;
  if (core === 0) return { category: 'scan', name: 'NULL scan', text: 'No flag at all: never sent by a real TCP stack; a NULL scan probing for closed ports.' };
  if (core === (FIN | SYN | RST | PSH | ACK | URG)) return { category: 'scan', name: 'XMAS scan (all flags)', text: 'Every flag set: an impossible combination, sent only by scanners.' };
  if (core === (FIN | PSH | URG)) return { category: 'scan', name: 'XMAS scan', text: 'FIN, PSH and URG without ACK ("lit up like a Christmas tree"): the classic nmap XMAS scan.' };
  if (core === FIN) return { category: 'scan', name: 'FIN scan', text: 'FIN without ACK: real stacks always send FIN together with ACK; this is a FIN scan.' };
  if ((core & (SYN | FIN)) === (SYN | FIN)) return { category: 'scan', name: 'SYN FIN', text: 'SYN and FIN together open and close at once: a scan or an evasion attempt.' };
  if ((core & (SYN | RST)) === (SYN | RST)) return { category: 'scan', name: 'SYN RST', text: 'SYN and RST together: an impossible combination.' };
  if (core === SYN || core === (SYN | URG)) {
    const ecn = (bits & 0xc0) === 0xc0 ? ' ECE and CWR with it offer ECN.' : '';
    return { category: 'opening', name: 'SYN', text: `A connection opening (first packet of the handshake).${ecn}` };
  }
  if ((core & ~PSH) === (SYN | ACK)) return { category: 'opening-reply', name: 'SYN ACK', text: 'The answer to a SYN: the server accepts the connection.' };
  if (core & RST) {
    return { category: 'reset', name: core & ACK ? 'ACK RST' : 'RST', text: 'A reset: the sender aborts the connection (or refuses one to a closed port).' };
  }
  if ((core & (FIN | ACK)) === (FIN | ACK)) {
    return { category: 'teardown', name: written.replace(/^(CWR |ECE )+/, ''), text: 'A graceful close: the sender has no more data (FIN), acknowledging what it received.' };
  }
  if (core & ACK) {
    const push = core & PSH ? 'data pushed to the application' : 'an acknowledgement, keep-alive or data segment';
    return { category: 'data', name: written.replace(/^(CWR |ECE )+/, ''), text: `Mid-connection traffic: ${push}.` };
  }
  return { category: 'invalid', name: written, text: `${written} without ACK is not something a TCP stack sends: a probe or a mangled packet.` };
}

/**
 * Everything we can say about a TCP flag set in a log line: its category and the ctstate it gets
 * when conntrack has no entry for it.
 */
export function explainTcpFlags(flags: TcpFlagsInput, loose = true): { readonly class: TcpFlagClass; readonly withoutEntry: ReturnType<typeof ctstateWithoutEntry> } {
  return { class: classifyTcpFlags(flags), withoutEntry: ctstateWithoutEntry(flags, { loose }) };
}
