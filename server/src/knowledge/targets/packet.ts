/**
 * Targets that rewrite header fields of the packet itself: DSCP, TOS, TTL, HL, ECN, TCPMSS,
 * TCPOPTSTRIP, CHECKSUM. The packet continues with the next rule afterwards.
 */
import { uint } from '../argtypes';
import { protocolNumber } from '../generic';
import type { ArgType, ExtensionUse, Problem, TargetSpec, ValueDoc } from '../types';
import { DSCP_CLASSES, findDscpClass } from '../values/dscp';
import { strtoulPrefix, tosMask } from './args';

const u8 = (what: string, min = 0) => uint(255, { min, label: what });

const dscpClass: ArgType = {
  id: 'dscp-class',
  label: 'class',
  values: DSCP_CLASSES,
  check: (v) =>
    findDscpClass(v) ? undefined : `\`${v}\` is not a DiffServ class: use ${DSCP_CLASSES.map((c) => c.name).join(', ')}`,
  warn: (v) => {
    const c = findDscpClass(v);
    return c && c.name.length !== v.length ? `iptables reads only the start of \`${v}\`: this is class ${c.name} (DSCP ${c.dscp})` : undefined;
  },
};

const TCP_OPTION_NAMES: readonly (ValueDoc & { kind: number })[] = [
  { name: 'wscale', kind: 3, summary: 'Window scale (3): without it the receive window stays at 64 KiB.' },
  { name: 'mss', kind: 2, summary: 'Maximum segment size (2).' },
  { name: 'sack-permitted', kind: 4, summary: 'SACK permitted (4): stops the peers from negotiating selective ACKs.' },
  { name: 'sack', kind: 5, summary: 'Selective ACK blocks (5).' },
  { name: 'timestamp', kind: 8, summary: 'Timestamps (8): also disables PAWS and RTT measurement.' },
  { name: 'md5', kind: 19, summary: 'TCP MD5 signature (19), used by BGP sessions.' },
];

/** libxt_TCPOPTSTRIP.c parse_list: names (exact case) or numbers 2-255, no repeats. */
const tcpOptionList: ArgType = {
  id: 'tcp-option-list',
  label: 'option[,option...]',
  values: TCP_OPTION_NAMES,
  list: true,
  check: (v) => {
    const seen = new Set<number>();
    for (const item of v.split(',')) {
      let kind = TCP_OPTION_NAMES.find((o) => o.name === item)?.kind;
      if (kind === undefined) {
        const r = strtoulPrefix(item);
        if (!r || r.rest !== '' || r.value > 255n) {
          return `\`${item}\` is not a TCP option: use a number 2-255 or ${TCP_OPTION_NAMES.map((o) => o.name).join(', ')} (lower case)`;
        }
        kind = Number(r.value);
      }
      if (kind < 2) return 'TCP options 0 (end of list) and 1 (no-op) cannot be stripped';
      if (seen.has(kind)) return `TCP option \`${item}\` is listed twice`;
      seen.add(kind);
    }
    return undefined;
  },
};

function ecnCheck(use: ExtensionUse): Problem[] {
  const tcpOps = use.options.filter((o) => o.name === '--ecn-tcp-remove' || o.name === '--ecn-tcp-cwr' || o.name === '--ecn-tcp-ece');
  if (!tcpOps.length) return [];
  const p = use.protocol;
  if (p && !p.negated && protocolNumber(p.name) === 6) return [];
  return [
    {
      option: tcpOps[0]!.name,
      message: `the kernel refuses ${tcpOps[0]!.name} unless the rule has \`-p tcp\`: the ECE/CWR bits are in the TCP header`,
    },
  ];
}

function tcpmssCheck(use: ExtensionUse): Problem[] {
  if (use.otherMatches.includes('tcp')) return [];
  return [
    {
      severity: 'warning',
      message:
        'TCPMSS only matters for SYN packets: match them (`-m tcp --tcp-flags SYN,RST SYN`). iptables-legacy ' +
        'refuses the rule without such a match; iptables-nft accepts it and the target then looks at every packet',
    },
  ];
}

const TTL_DOC_TRAPS =
  'Traps: raising the value hides routing loops from the loop protection it exists for; a router still ' +
  'decrements forwarded packets after mangle, and a packet whose value reaches 0 is dropped. Setting it on ' +
  'outgoing traffic is a common way to make tethering or NAT invisible, and an equally common cause of ' +
  'traceroute looking broken.';

/** TCPMSS --set-mss: at most 65535 minus the IP header (20 for IPv4, 40 for IPv6). */
const mssValue: ArgType = {
  id: 'tcpmss-mss',
  label: 'mss',
  check: (v, ctx) => uint(ctx.family === 'ipv4' ? 65515 : 65495, { label: 'mss', what: 'an MSS' }).check(v, ctx),
};

function tcpmss(): TargetSpec {
  return {
    kind: 'target',
    name: 'TCPMSS',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    protocols: ['tcp'],
    needsOneOf: [],
    check: tcpmssCheck,
    summary: 'Lower the MSS option of TCP SYN packets (fixes stalls behind PPPoE, VPNs, tunnels); then continue.',
    doc:
      'When a link on the path has a smaller MTU and ICMP "fragmentation needed" is blocked somewhere, ' +
      'connections open but hang as soon as full-size data flows. Rewriting the MSS that both ends announce in ' +
      'their SYNs keeps segments small enough. The MSS is only ever lowered, never raised. Usual form, on the ' +
      'router: `-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`.\n\n' +
      '`--clamp-mss-to-pmtu` needs the outgoing route, so the kernel accepts it only in FORWARD, OUTPUT and ' +
      'POSTROUTING.',
    options: [
      {
        name: '--set-mss',
        args: [mssValue],
        summary: 'Lower the MSS to this value (IPv4 at most 65515, IPv6 at most 65495).',
      },
      {
        name: '--clamp-mss-to-pmtu',
        args: [],
        hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'],
        summary: 'Lower the MSS to the path MTU minus the IP and TCP headers (FORWARD, OUTPUT, POSTROUTING only).',
      },
    ],
  };
}

export const PACKET_TARGETS: readonly TargetSpec[] = [
  {
    kind: 'target',
    name: 'DSCP',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    tables: ['mangle'],
    needsOneOf: ['--set-dscp', '--set-dscp-class'],
    summary: 'Set the DiffServ code point (the 6 QoS bits of the TOS/traffic-class byte); then continue.',
    doc:
      'Routers and switches that honour DiffServ queue the packet by this value; the two ECN bits of the byte ' +
      'are left alone. Marking only helps where the next hops trust it, and many ISPs reset it at their edge. ' +
      'Match it later with `-m dscp`.',
    options: [
      {
        name: '--set-dscp',
        args: [uint(0x3f, { label: 'value', what: 'a DSCP value' })],
        excludes: ['--set-dscp-class'],
        summary: 'DSCP value 0-63 (decimal or 0x hex).',
      },
      {
        name: '--set-dscp-class',
        args: [dscpClass],
        excludes: ['--set-dscp'],
        summary: 'DSCP by class name: EF, AF11-AF43, CS0-CS7, BE (iptables-save prints the number).',
      },
    ],
  },
  {
    kind: 'target',
    name: 'TOS',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    tables: ['mangle'],
    needsOneOf: ['--set-tos', '--and-tos', '--or-tos', '--xor-tos'],
    summary: 'Change bits of the IPv4 TOS / IPv6 traffic-class byte with value/mask; then continue.',
    doc:
      'New byte = (old AND NOT mask) XOR value. A plain number uses mask 0xff and therefore also overwrites the ' +
      'two ECN bits (the low ones), which can break ECN: prefer `value/0xfc`, or DSCP for DiffServ markings. ' +
      'The names (Minimize-Delay...) come from the obsolete RFC 1349 meaning of the byte and imply mask 0x3f.',
    options: [
      {
        name: '--set-tos',
        args: [tosMask],
        excludes: ['--and-tos', '--or-tos', '--xor-tos'],
        summary: 'Set the bits given by mask to value: `value[/mask]` (0-255) or a TOS name.',
      },
      { name: '--and-tos', args: [u8('bits')], excludes: ['--set-tos', '--or-tos', '--xor-tos'], summary: 'Keep only the TOS bits that are set in the value.' },
      { name: '--or-tos', args: [u8('bits')], excludes: ['--set-tos', '--and-tos', '--xor-tos'], summary: 'Set the bits of the value in the TOS byte.' },
      { name: '--xor-tos', args: [u8('bits')], excludes: ['--set-tos', '--and-tos', '--or-tos'], summary: 'Flip the bits of the value in the TOS byte.' },
    ],
  },
  {
    kind: 'target',
    name: 'TTL',
    termination: 'continue',
    families: ['ipv4'],
    tables: ['mangle'],
    needsOneOf: ['--ttl-set', '--ttl-dec', '--ttl-inc'],
    summary: 'Set, lower or raise the IPv4 time-to-live; then continue.',
    doc: 'Rewrites the TTL field (and fixes the header checksum). ' + TTL_DOC_TRAPS + ' IPv6 uses HL.',
    options: [
      { name: '--ttl-set', args: [u8('ttl')], excludes: ['--ttl-dec', '--ttl-inc'], summary: 'Set the TTL to this value (0-255).' },
      { name: '--ttl-dec', args: [u8('n', 1)], excludes: ['--ttl-set', '--ttl-inc'], summary: 'Lower the TTL by this amount (1-255); it stops at 0.' },
      { name: '--ttl-inc', args: [u8('n', 1)], excludes: ['--ttl-set', '--ttl-dec'], summary: 'Raise the TTL by this amount (1-255); it stops at 255.' },
    ],
  },
  {
    kind: 'target',
    name: 'HL',
    termination: 'continue',
    families: ['ipv6'],
    tables: ['mangle'],
    needsOneOf: ['--hl-set', '--hl-dec', '--hl-inc'],
    summary: 'Set, lower or raise the IPv6 hop limit; then continue.',
    doc: 'The IPv6 counterpart of TTL. ' + TTL_DOC_TRAPS,
    options: [
      { name: '--hl-set', args: [u8('hops')], excludes: ['--hl-dec', '--hl-inc'], summary: 'Set the hop limit to this value (0-255).' },
      { name: '--hl-dec', args: [u8('n', 1)], excludes: ['--hl-set', '--hl-inc'], summary: 'Lower the hop limit by this amount (1-255); it stops at 0.' },
      { name: '--hl-inc', args: [u8('n', 1)], excludes: ['--hl-set', '--hl-dec'], summary: 'Raise the hop limit by this amount (1-255); it stops at 255.' },
    ],
  },
  {
    kind: 'target',
    name: 'ECN',
    termination: 'continue',
    families: ['ipv4'],
    tables: ['mangle'],
    needsOneOf: [],
    check: ecnCheck,
    summary: 'Change ECN bits: strip ECN negotiation from TCP, or set the IP ECN field; then continue.',
    doc:
      'Explicit Congestion Notification lets routers signal congestion instead of dropping. `--ecn-tcp-remove` ' +
      'clears ECE and CWR in the TCP header, so connections through a path with broken ECN handling are set up ' +
      'without it; it needs `-p tcp` and is usually applied to SYN packets only. IPv4 only.',
    options: [
      {
        name: '--ecn-tcp-remove',
        args: [],
        excludes: ['--ecn-tcp-cwr', '--ecn-tcp-ece'],
        summary: 'Clear the ECE and CWR bits of the TCP header (needs -p tcp).',
      },
      { name: '--ecn-tcp-cwr', args: [uint(1, { label: '0|1' })], excludes: ['--ecn-tcp-remove'], summary: 'Set (1) or clear (0) the TCP CWR bit (needs -p tcp).' },
      { name: '--ecn-tcp-ece', args: [uint(1, { label: '0|1' })], excludes: ['--ecn-tcp-remove'], summary: 'Set (1) or clear (0) the TCP ECE bit (needs -p tcp).' },
      { name: '--ecn-ip-ect', args: [uint(3, { label: '0-3' })], summary: 'Set the two ECN bits of the IP header to this value (0-3).' },
    ],
  },
  tcpmss(),
  {
    kind: 'target',
    name: 'TCPOPTSTRIP',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    tables: ['mangle'],
    protocols: ['tcp'],
    check: (use) =>
      use.options.some((o) => o.name === '--strip-options')
        ? []
        : [{ severity: 'warning', message: 'without --strip-options this rule strips nothing' }],
    summary: 'Remove the listed options from TCP headers (overwritten with no-ops); then continue.',
    doc:
      'Each listed option is replaced by NOP bytes, so the header length stays the same. Stripping options from ' +
      'SYNs prevents the peers from negotiating the feature (window scaling, SACK, timestamps) for the whole ' +
      'connection, at a cost in throughput. Needs `-p tcp`; mangle table only.',
    options: [{ name: '--strip-options', args: [tcpOptionList], summary: 'Options to strip: numbers 2-255 or wscale, mss, sack-permitted, sack, timestamp, md5.' }],
  },
  {
    kind: 'target',
    name: 'CHECKSUM',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    tables: ['mangle'],
    summary: 'Fill in a checksum that was left for hardware offload (old DHCP clients in VMs); then continue.',
    doc:
      'Packets sent through a virtual interface may carry a partial checksum that the (absent) NIC was meant ' +
      'to complete; some old DHCP clients drop such replies. This computes it in software. Restrict it to the ' +
      'traffic that needs it (typically `-o virbr0 -p udp --dport 68` in POSTROUTING): on other packets it only ' +
      'costs CPU. With iptables-legacy the kernel logs once that the target should be avoided.',
    options: [{ name: '--checksum-fill', args: [], required: true, summary: 'Compute the missing checksum (the only option, required).' }],
  },
];
