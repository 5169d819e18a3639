/** Protocol matches: the ones `-p` loads implicitly (tcp, udp, icmp, icmp6...). */
import { choiceList, icmpType, icmpv6Type, protocolPortRange, servicePortRange, uint } from '../argtypes';
import type { ArgType, MatchSpec, OptionSpec } from '../types';
import { TCP_FLAG_WORDS } from '../values/tcp-flags';

const tcpPortRange: ArgType = protocolPortRange('tcp');

const tcpFlagList: ArgType = choiceList(TCP_FLAG_WORDS, { id: 'tcp-flag-list', label: 'flag[,flag...]', ignoreCase: true });

function sport(range: ArgType): OptionSpec {
  return {
    name: '--sport',
    aliases: ['--source-port'],
    args: [range],
    negatable: true,
    summary: 'Match the source port or a range `from:to`.',
    doc: 'The port the packet was sent from. For traffic arriving at a server this is the client\'s ephemeral port, rarely what you want to filter on.',
  };
}

function dport(range: ArgType): OptionSpec {
  return {
    name: '--dport',
    aliases: ['--destination-port'],
    args: [range],
    negatable: true,
    summary: 'Match the destination port or a range `from:to`.',
    doc: 'The port the packet is addressed to: for arriving traffic, the service on this host (80 for HTTP, 22 for SSH).',
  };
}

export const PROTOCOL_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'tcp',
    families: ['ipv4', 'ipv6'],
    protocols: ['tcp'],
    summary: 'TCP ports, flags and options.',
    doc:
      'Loaded automatically by `-p tcp` when one of its options follows. Matches ports, the TCP flags of a ' +
      'single segment (`--tcp-flags`, `--syn`) and the presence of TCP options.',
    options: [
      sport(tcpPortRange),
      dport(tcpPortRange),
      {
        name: '--tcp-flags',
        args: [tcpFlagList, tcpFlagList],
        negatable: true,
        excludes: ['--syn'],
        summary: 'Look at the flags in the first list; those in the second must be set, the rest clear.',
        doc:
          'Two comma-separated lists: the flags to examine, then the ones among them that must be set. ' +
          '`--tcp-flags SYN,ACK,FIN,RST SYN` matches a connection opening; `--tcp-flags ACK,FIN ACK,FIN` ' +
          'matches the FIN of a closing connection. Valid words: FIN SYN RST PSH ACK URG ALL NONE.',
      },
      {
        name: '--syn',
        args: [],
        negatable: true,
        excludes: ['--tcp-flags'],
        summary: 'Only connection openings: SYN set, ACK, RST and FIN clear.',
        doc:
          'Short for `--tcp-flags FIN,SYN,RST,ACK SYN`. Pair it with a NEW accept so that mid-stream packets ' +
          'of forgotten connections (which conntrack calls NEW by default) are not let in.',
      },
      {
        name: '--tcp-option',
        args: [uint(255, { min: 1, label: 'number', what: 'a TCP option number' })],
        negatable: true,
        summary: 'Match if the TCP option with this number is present.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'udp',
    families: ['ipv4', 'ipv6'],
    protocols: ['udp'],
    summary: 'UDP source and destination ports.',
    doc:
      'Loaded automatically by `-p udp` when `--sport` or `--dport` follows. Ports are read in decimal ' +
      '(or as service names); a reversed range is accepted but matches nothing. UDP has no connection ' +
      'handshake, so conntrack calls the first datagram NEW and the first answer makes it ESTABLISHED.',
    options: [sport(servicePortRange), dport(servicePortRange)],
  },
  {
    kind: 'match',
    name: 'icmp',
    families: ['ipv4'],
    protocols: ['icmp'],
    summary: 'ICMP type and code (IPv4).',
    doc: 'Loaded automatically by `-p icmp`. Matches the ICMP type (and optionally code) by name or number.',
    options: [
      {
        name: '--icmp-type',
        args: [icmpType],
        negatable: true,
        required: true,
        summary: 'Match an ICMP type (`echo-request`, `8`, `3/4`...).',
        doc:
          'A name from `iptables -p icmp -h` or a `type[/code]` number. Allow at least `destination-unreachable` ' +
          '(needed for path-MTU discovery) and `time-exceeded` when filtering ICMP.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'icmp6',
    families: ['ipv6'],
    protocols: ['icmpv6', 'ipv6-icmp'],
    summary: 'ICMPv6 type and code.',
    doc:
      'Loaded automatically by `-p icmpv6`. IPv6 cannot work without parts of ICMPv6: neighbour discovery ' +
      '(types 135/136), router advertisements (133/134) and packet-too-big (2) must be allowed.',
    options: [
      {
        name: '--icmpv6-type',
        args: [icmpv6Type],
        negatable: true,
        required: true,
        summary: 'Match an ICMPv6 type (`echo-request`, `128`, `1/3`...).',
      },
    ],
  },
];
