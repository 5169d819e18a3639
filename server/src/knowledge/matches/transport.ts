/**
 * Transport protocols besides tcp and udp: sctp and dccp (ports, chunk and packet types), and
 * tcpmss (the MSS option of TCP SYNs). Options follow libxt_sctp.c, libxt_dccp.c and
 * libxt_tcpmss.c of iptables 1.8.9.
 */
import { protocolPortRange, servicePortRange, uint, uintRangeRC } from '../argtypes';
import type { ArgType, MatchSpec, OptionSpec, ValueDoc } from '../types';

// ---------------------------------------------------------------------------------------------
// sctp

const sctpPortRange: ArgType = protocolPortRange('sctp');

interface ChunkDoc extends ValueDoc {
  readonly flags: string;
}

const SCTP_CHUNKS: readonly ChunkDoc[] = [
  { name: 'DATA', flags: '----IUBE', summary: 'User data (flags I, U, B, E).' },
  { name: 'INIT', flags: '--------', summary: 'Association setup, first packet.' },
  { name: 'INIT_ACK', flags: '--------', summary: 'Answer to INIT.' },
  { name: 'SACK', flags: '--------', summary: 'Selective acknowledgement.' },
  { name: 'HEARTBEAT', flags: '--------', summary: 'Path liveness probe.' },
  { name: 'HEARTBEAT_ACK', flags: '--------', summary: 'Answer to HEARTBEAT.' },
  { name: 'ABORT', flags: '-------T', summary: 'Association torn down abruptly (flag T).' },
  { name: 'SHUTDOWN', flags: '--------', summary: 'Graceful close, first step.' },
  { name: 'SHUTDOWN_ACK', flags: '--------', summary: 'Answer to SHUTDOWN.' },
  { name: 'ERROR', flags: '--------', summary: 'Operation error report.' },
  { name: 'COOKIE_ECHO', flags: '--------', summary: 'Association setup, third packet.' },
  { name: 'COOKIE_ACK', flags: '--------', summary: 'Association setup, fourth packet.' },
  { name: 'ECN_ECNE', flags: '--------', summary: 'Explicit congestion notification echo.' },
  { name: 'ECN_CWR', flags: '--------', summary: 'Congestion window reduced.' },
  { name: 'SHUTDOWN_COMPLETE', flags: '-------T', summary: 'Graceful close, last packet (flag T).' },
  { name: 'I_DATA', flags: '----IUBE', summary: 'User data with interleaving (flags I, U, B, E).' },
  { name: 'RE_CONFIG', flags: '--------', summary: 'Stream reconfiguration.' },
  { name: 'PAD', flags: '--------', summary: 'Padding for path MTU discovery.' },
  { name: 'ASCONF', flags: '--------', summary: 'Address reconfiguration.' },
  { name: 'ASCONF_ACK', flags: '--------', summary: 'Answer to ASCONF.' },
  { name: 'FORWARD_TSN', flags: '--------', summary: 'Partial reliability: skip ahead.' },
  { name: 'I_FORWARD_TSN', flags: '--------', summary: 'Partial reliability with interleaving.' },
];

const chunkMatchType: ArgType = {
  id: 'sctp-chunk-match',
  label: 'all|any|only',
  values: [
    { name: 'all', summary: 'Every listed chunk type must be present.' },
    { name: 'any', summary: 'At least one listed chunk type must be present.' },
    { name: 'only', summary: 'The packet holds no chunk types besides the listed ones.' },
  ],
  check: (v) => (['all', 'any', 'only'].includes(v.toLowerCase()) ? undefined : `\`${v}\` is not one of all, any, only`),
};

const chunkList: ArgType = {
  id: 'sctp-chunk-list',
  label: 'chunk[:flags][,...]|ALL|NONE',
  values: [...SCTP_CHUNKS, { name: 'ALL', summary: 'Every chunk type.' }, { name: 'NONE', summary: 'No chunk type.' }],
  list: true,
  check: (v) => {
    if (['all', 'none'].includes(v.toLowerCase())) return undefined;
    const withFlags = new Set<string>();
    for (const item of v.split(',').filter((x) => x !== '')) {
      const [name, flags] = item.split(/:(.*)/s) as [string, string | undefined];
      const chunk = SCTP_CHUNKS.find((c) => c.name.toLowerCase() === name.toLowerCase());
      if (!chunk) return `unknown sctp chunk type \`${name}\` (see \`iptables -p sctp -h\`)`;
      if (flags !== undefined && flags !== '') {
        for (const f of flags) {
          if (!chunk.flags.includes(f.toUpperCase())) return `\`${f}\` is not a flag of the ${chunk.name} chunk${/[A-Z]/.test(chunk.flags) ? ` (its flags are ${[...new Set(chunk.flags.replace(/-/g, ''))].join(', ')}; lower case means unset)` : ' (it has none)'}`;
        }
        withFlags.add(chunk.name);
      }
    }
    if (withFlags.size > 4) return 'flags can be matched on at most four chunk types per rule';
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// dccp

const DCCP_TYPES: readonly ValueDoc[] = [
  { name: 'REQUEST', summary: 'Client opens a connection.' },
  { name: 'RESPONSE', summary: 'Server answers a REQUEST.' },
  { name: 'DATA', summary: 'Data only.' },
  { name: 'ACK', summary: 'Acknowledgement only.' },
  { name: 'DATAACK', summary: 'Data with an acknowledgement.' },
  { name: 'CLOSEREQ', summary: 'Server asks the client to close.' },
  { name: 'CLOSE', summary: 'Connection close.' },
  { name: 'RESET', summary: 'Connection reset.' },
  { name: 'SYNC', summary: 'Resynchronise sequence numbers.' },
  { name: 'SYNCACK', summary: 'Answer to SYNC.' },
  { name: 'INVALID', summary: 'Reserved types 10-15.' },
];

const dccpTypeList: ArgType = {
  id: 'dccp-type-list',
  label: 'type[,type...]',
  values: DCCP_TYPES,
  list: true,
  check: (v) => {
    for (const t of v.split(',').filter((x) => x !== '')) {
      if (!DCCP_TYPES.some((d) => d.name.toLowerCase() === t.toLowerCase())) return `unknown DCCP packet type \`${t}\`: use ${DCCP_TYPES.map((d) => d.name).join(', ')}`;
    }
    return undefined;
  },
};

function portOptions(range: ArgType, proto: string): OptionSpec[] {
  return [
    {
      name: '--sport',
      aliases: ['--source-port'],
      args: [range],
      negatable: true,
      summary: `Match the ${proto} source port or a range \`from:to\`.`,
    },
    {
      name: '--dport',
      aliases: ['--destination-port'],
      args: [range],
      negatable: true,
      summary: `Match the ${proto} destination port or a range \`from:to\`.`,
    },
  ];
}

export const TRANSPORT_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'sctp',
    families: ['ipv4', 'ipv6'],
    protocols: ['sctp'],
    summary: 'SCTP ports and chunk types.',
    doc:
      'Loaded by `-p sctp` when one of its options follows. Matches ports like tcp and udp do, and the chunk ' +
      'types inside the packet: `--chunk-types any INIT` finds association setups. SCTP carries telephony ' +
      'signalling (SIGTRAN, Diameter) and WebRTC data channels.',
    options: [
      ...portOptions(sctpPortRange, 'SCTP'),
      {
        name: '--chunk-types',
        args: [chunkMatchType, chunkList],
        negatable: true,
        summary: 'Match chunk types: `all|any|only` then a list such as `INIT,DATA:Be`.',
        doc:
          'The first word says how the list is compared: `all` (every listed type present), `any` (at least ' +
          'one) or `only` (nothing else present). Each type may carry flags after `:`, upper case for set and ' +
          'lower case for clear (DATA has I, U, B, E; ABORT and SHUTDOWN_COMPLETE have T).',
      },
    ],
  },
  {
    kind: 'match',
    name: 'dccp',
    families: ['ipv4', 'ipv6'],
    protocols: ['dccp'],
    summary: 'DCCP ports, packet types and options.',
    doc:
      'Loaded by `-p dccp` when one of its options follows. DCCP is a rarely deployed datagram protocol with ' +
      'congestion control; ports and packet types work as for TCP. Port names are looked up as tcp/udp ' +
      'services, and numbers are read in decimal only.',
    options: [
      ...portOptions(servicePortRange, 'DCCP'),
      { name: '--dccp-types', args: [dccpTypeList], negatable: true, summary: 'Match any of these packet types (REQUEST, RESPONSE, DATA, ACK, ...).' },
      { name: '--dccp-option', args: [uint(255, { min: 1, label: 'number', what: 'a DCCP option number' })], negatable: true, summary: 'Match if the DCCP option with this number is present.' },
    ],
  },
  {
    kind: 'match',
    name: 'tcpmss',
    families: ['ipv4', 'ipv6'],
    protocols: ['tcp'],
    summary: 'The maximum segment size a TCP SYN announces.',
    doc:
      'Looks at the MSS option, which only SYN and SYN/ACK segments carry; other segments never match. Needs ' +
      '`-p tcp`. Typical use: find SYNs announcing an MSS too large for a tunnel and fix them with ' +
      '`-j TCPMSS --clamp-mss-to-pmtu`, or drop SYNs with absurdly small values.',
    options: [
      {
        name: '--mss',
        args: [uintRangeRC(65535, { label: 'value[:value]', what: 'an MSS', ordered: true })],
        negatable: true,
        required: true,
        summary: 'Match an MSS value or a range `from:to`.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'osf',
    families: ['ipv4'],
    protocols: ['tcp'],
    hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
    summary: 'Passive OS fingerprinting of TCP SYNs (which operating system sent it).',
    doc:
      'Compares the options, window and TTL of an arriving SYN with a table of operating system ' +
      'fingerprints. The table is empty until loaded with `nfnl_osf -f pf.os`; until then nothing matches. ' +
      'Needs `-p tcp`; only arriving packets, so PREROUTING, INPUT and FORWARD. Fingerprints are easy to ' +
      'fake: use it for statistics or routing, not for security.',
    options: [
      { name: '--genre', args: [{ id: 'osf-genre', label: 'genre', check: () => undefined, warn: (v) => (v.length > 31 ? `only the first 31 characters of \`${v}\` are compared` : undefined) }], negatable: true, required: true, summary: 'The OS genre to match, as named in the fingerprint file (Linux, Windows, FreeBSD...).' },
      { name: '--ttl', args: [uint(2, { label: '0|1|2', what: 'a TTL check level' })], summary: 'How to use the TTL: 0 compare it with the fingerprint\'s exactly (senders on the LAN), 1 accept a lower one (routed senders), 2 ignore it.' },
      { name: '--log', args: [uint(2, { label: '0|1|2', what: 'a log level' })], summary: 'Log the genres found to the kernel log, even when they are not the one asked for: 0 every match and unknown ones, 1 the first match only, 2 every known match.' },
    ],
  },
];
