import type { ValueDoc } from '../types';

/** An ICMP type name as iptables accepts it, with its numeric type and (for sub-types) code. */
export interface IcmpTypeDoc extends ValueDoc {
  readonly type: number;
  /** Absent: any code of the type matches. */
  readonly code?: number;
}

/** ICMP (IPv4) names known to `-m icmp --icmp-type`; numbers from RFC 792 and later RFCs. */
export const ICMP_TYPES: readonly IcmpTypeDoc[] = [
  { name: 'any', type: 255, summary: 'Any ICMP type (255 is iptables\' wildcard).' },
  { name: 'echo-reply', aliases: ['pong'], type: 0, summary: 'Answer to a ping.' },
  {
    name: 'destination-unreachable',
    type: 3,
    summary: 'A router or host could not deliver a packet; the code says why.',
    doc: 'Needed for path-MTU discovery (code 4, fragmentation needed): dropping these breaks large transfers through tunnels.',
  },
  { name: 'network-unreachable', type: 3, code: 0, summary: 'No route to the destination network.' },
  { name: 'host-unreachable', type: 3, code: 1, summary: 'The destination host did not answer ARP or is down.' },
  { name: 'protocol-unreachable', type: 3, code: 2, summary: 'The destination does not speak that IP protocol.' },
  { name: 'port-unreachable', type: 3, code: 3, summary: 'Nothing listens on that UDP port (or a REJECT sent it).' },
  {
    name: 'fragmentation-needed',
    type: 3,
    code: 4,
    summary: 'Packet too big and DF set: the sender must lower its MTU (path-MTU discovery).',
  },
  { name: 'source-route-failed', type: 3, code: 5, summary: 'A source route could not be followed.' },
  { name: 'network-unknown', type: 3, code: 6, summary: 'The destination network is unknown.' },
  { name: 'host-unknown', type: 3, code: 7, summary: 'The destination host is unknown.' },
  { name: 'network-prohibited', type: 3, code: 9, summary: 'Access to the network is administratively prohibited.' },
  { name: 'host-prohibited', type: 3, code: 10, summary: 'Access to the host is administratively prohibited.' },
  { name: 'TOS-network-unreachable', type: 3, code: 11, summary: 'Network unreachable for this type of service.' },
  { name: 'TOS-host-unreachable', type: 3, code: 12, summary: 'Host unreachable for this type of service.' },
  {
    name: 'communication-prohibited',
    type: 3,
    code: 13,
    summary: 'A filter refused the packet (what `REJECT --reject-with icmp-admin-prohibited` sends).',
  },
  { name: 'host-precedence-violation', type: 3, code: 14, summary: 'The precedence is not allowed for this host.' },
  { name: 'precedence-cutoff', type: 3, code: 15, summary: 'The precedence is below the network\'s cut-off.' },
  { name: 'source-quench', type: 4, summary: 'Old congestion signal, deprecated by RFC 6633.' },
  { name: 'redirect', type: 5, summary: 'A router tells the sender to use a better gateway.' },
  { name: 'network-redirect', type: 5, code: 0, summary: 'Redirect for a whole network.' },
  { name: 'host-redirect', type: 5, code: 1, summary: 'Redirect for one host.' },
  { name: 'TOS-network-redirect', type: 5, code: 2, summary: 'Redirect for a network and type of service.' },
  { name: 'TOS-host-redirect', type: 5, code: 3, summary: 'Redirect for a host and type of service.' },
  { name: 'echo-request', aliases: ['ping'], type: 8, summary: 'A ping.' },
  { name: 'router-advertisement', type: 9, summary: 'A router announces itself (IRDP).' },
  { name: 'router-solicitation', type: 10, summary: 'A host asks routers to announce themselves.' },
  {
    name: 'time-exceeded',
    aliases: ['ttl-exceeded'],
    type: 11,
    summary: 'The TTL ran out in transit (what traceroute listens for) or reassembly timed out.',
  },
  { name: 'ttl-zero-during-transit', type: 11, code: 0, summary: 'TTL reached zero at a router.' },
  { name: 'ttl-zero-during-reassembly', type: 11, code: 1, summary: 'Fragments did not all arrive in time.' },
  { name: 'parameter-problem', type: 12, summary: 'The IP header was malformed.' },
  { name: 'ip-header-bad', type: 12, code: 0, summary: 'A header field is wrong.' },
  { name: 'required-option-missing', type: 12, code: 1, summary: 'A required IP option is missing.' },
  { name: 'timestamp-request', type: 13, summary: 'Asks for the peer\'s clock.' },
  { name: 'timestamp-reply', type: 14, summary: 'Answer with the peer\'s clock.' },
  { name: 'address-mask-request', type: 17, summary: 'Asks for the subnet mask (obsolete).' },
  { name: 'address-mask-reply', type: 18, summary: 'Answer with the subnet mask (obsolete).' },
];

/** ICMPv6 names known to `-m icmp6 --icmpv6-type`; numbers from RFC 4443 and RFC 4861. */
export const ICMPV6_TYPES: readonly IcmpTypeDoc[] = [
  { name: 'destination-unreachable', type: 1, summary: 'The packet could not be delivered; the code says why.' },
  { name: 'no-route', type: 1, code: 0, summary: 'No route to the destination.' },
  { name: 'communication-prohibited', type: 1, code: 1, summary: 'A filter refused the packet.' },
  { name: 'beyond-scope', type: 1, code: 2, summary: 'The destination is beyond the scope of the source address.' },
  { name: 'address-unreachable', type: 1, code: 3, summary: 'The destination address did not answer neighbour discovery.' },
  { name: 'port-unreachable', type: 1, code: 4, summary: 'Nothing listens on that port.' },
  { name: 'failed-policy', type: 1, code: 5, summary: 'The source address failed an ingress/egress policy.' },
  { name: 'reject-route', type: 1, code: 6, summary: 'A reject route covers the destination.' },
  {
    name: 'packet-too-big',
    type: 2,
    summary: 'The packet exceeds a link MTU; IPv6 routers never fragment, so dropping this breaks connections.',
  },
  { name: 'time-exceeded', aliases: ['ttl-exceeded'], type: 3, summary: 'The hop limit ran out or reassembly timed out.' },
  { name: 'ttl-zero-during-transit', type: 3, code: 0, summary: 'Hop limit reached zero at a router.' },
  { name: 'ttl-zero-during-reassembly', type: 3, code: 1, summary: 'Fragments did not all arrive in time.' },
  { name: 'parameter-problem', type: 4, summary: 'A header could not be processed.' },
  { name: 'bad-header', type: 4, code: 0, summary: 'A header field is wrong.' },
  { name: 'unknown-header-type', type: 4, code: 1, summary: 'An unknown next-header type was met.' },
  { name: 'unknown-option', type: 4, code: 2, summary: 'An unknown IPv6 option was met.' },
  { name: 'echo-request', aliases: ['ping'], type: 128, summary: 'A ping.' },
  { name: 'echo-reply', aliases: ['pong'], type: 129, summary: 'Answer to a ping.' },
  { name: 'router-solicitation', type: 133, summary: 'A host asks routers to announce themselves (needed for SLAAC).' },
  { name: 'router-advertisement', type: 134, summary: 'A router announces prefixes and itself (needed for SLAAC).' },
  {
    name: 'neighbour-solicitation',
    aliases: ['neighbor-solicitation'],
    type: 135,
    summary: 'IPv6\'s ARP request: dropping it cuts the host off its link.',
  },
  {
    name: 'neighbour-advertisement',
    aliases: ['neighbor-advertisement'],
    type: 136,
    summary: 'IPv6\'s ARP reply: dropping it cuts the host off its link.',
  },
  { name: 'redirect', type: 137, summary: 'A router points the sender to a better first hop.' },
];

/** Find an ICMP name (or alias) in one of the tables. */
export function findIcmpName(table: readonly IcmpTypeDoc[], name: string): IcmpTypeDoc | undefined {
  const lower = name.toLowerCase();
  return table.find((t) => t.name.toLowerCase() === lower || t.aliases?.some((a) => a.toLowerCase() === lower));
}
