/**
 * Targets that hand the packet to something other than routing: TPROXY (a local socket), SYNPROXY
 * (the kernel answers the handshake), TEE (a copy to another host) and CLUSTERIP (one of several
 * nodes sharing an address).
 */
import { markMask, parseIPv4, parseIPv6, uint } from '../argtypes';
import type { ArgType, ExtensionUse, Problem, TargetSpec, ValueDoc } from '../types';
import { cutText, host, servicePort } from './args';

/** TEE --gateway: one host; the kernel refuses the all-zero address. */
const teeGateway: ArgType = {
  ...host,
  id: 'tee-gateway',
  check: (v, ctx) => {
    const p = host.check(v, ctx);
    if (p) return p;
    const zero = ctx.family === 'ipv4' ? parseIPv4(v) === 0 : parseIPv6(v)?.every((g) => g === 0);
    return zero ? 'the kernel refuses an all-zero gateway: give the address of the host that receives the copies' : undefined;
  },
};

const macAddress: ArgType = {
  id: 'mac',
  label: 'xx:xx:xx:xx:xx:xx',
  check: (v) => {
    if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(v)) return `\`${v}\` is not a MAC address (six hex bytes separated by colons)`;
    return (parseInt(v.split(':')[0]!, 16) & 1) === 0 ? 'the cluster MAC must be a multicast address (lowest bit of the first byte set, e.g. 01:...)' : undefined;
  },
};

const CLUSTERIP_HASHMODES: readonly ValueDoc[] = [
  { name: 'sourceip', summary: 'Spread by client address: one client always reaches the same node.' },
  { name: 'sourceip-sourceport', summary: 'Spread by client address and port.' },
  { name: 'sourceip-sourceport-destport', summary: 'Spread by client address, client port and service port.' },
];

const hashmode: ArgType = {
  id: 'clusterip-hashmode',
  label: 'mode',
  values: CLUSTERIP_HASHMODES,
  check: (v) => (CLUSTERIP_HASHMODES.some((m) => m.name === v) ? undefined : `\`${v}\` is not a hash mode: use ${CLUSTERIP_HASHMODES.map((m) => m.name).join(', ')}`),
};

function clusteripCheck(use: ExtensionUse): Problem[] {
  const out: Problem[] = [
    {
      message:
        'CLUSTERIP cannot be used with iptables-nft (the kernel refuses it from nftables) and Linux 6.3 removed it entirely: use the `cluster` match with a multicast MAC instead',
    },
  ];
  const given = new Set(use.options.map((o) => o.name));
  const all = ['--new', '--hashmode', '--clustermac', '--total-nodes', '--local-node'];
  if (given.size && !all.every((o) => given.has(o))) {
    out.push({ message: `CLUSTERIP needs all of ${all.join(', ')} together (or no option, to join an existing cluster IP)` });
  }
  const local = use.options.find((o) => o.name === '--local-node')?.args[0];
  if (local !== undefined && /^\s*\+?0+$/.test(local)) out.push({ option: '--local-node', argIndex: 0, message: 'node numbers start at 1; the kernel refuses node 0' });
  return out;
}

export const STEERING_TARGETS: readonly TargetSpec[] = [
  {
    kind: 'target',
    name: 'TPROXY',
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    tables: ['mangle'],
    hooks: ['PREROUTING'],
    protocols: ['tcp', 'udp'],
    summary: 'Deliver the packet to a local transparent proxy socket without changing its addresses.',
    doc:
      'Looks for a local socket that owns the packet (an established connection, or a listener with ' +
      '`IP_TRANSPARENT` on `--on-ip`/`--on-port`), attaches the packet to it and applies `--tproxy-mark`; ' +
      'without such a socket the packet is dropped. Unlike REDIRECT the destination address stays intact, so ' +
      'the proxy sees where the client wanted to go.\n\nThe mark only works with policy routing that delivers ' +
      'marked packets locally: `ip rule add fwmark 1 lookup 100` and `ip route add local 0.0.0.0/0 dev lo table ' +
      '100` (`::/0` for IPv6); otherwise the packet is forwarded. Valid only in mangle PREROUTING with ' +
      '`-p tcp` or `-p udp`; add `-m socket --transparent -j MARK` before it for packets of connections the ' +
      'proxy already holds.',
    options: [
      {
        name: '--on-port',
        args: [servicePort],
        required: true,
        summary: 'Port of the proxy\'s listening socket (0: the packet\'s own destination port).',
      },
      {
        name: '--on-ip',
        args: [host],
        summary: 'Address of the proxy\'s listening socket (default: the address of the incoming interface).',
      },
      {
        name: '--tproxy-mark',
        args: [markMask],
        summary: 'Mark `value[/mask]` set on diverted packets, for the `ip rule fwmark` that routes them locally.',
      },
    ],
  },
  {
    kind: 'target',
    name: 'SYNPROXY',
    // SYNs and the handshake's final ACK are consumed (answered or dropped); anything else continues.
    termination: 'depends',
    families: ['ipv4', 'ipv6'],
    hooks: ['INPUT', 'FORWARD'],
    protocols: ['tcp'],
    summary: 'Answer TCP handshakes with SYN cookies before the server sees them (SYN-flood protection).',
    doc:
      'The kernel completes the handshake with the client itself, using SYN cookies, and only then opens the ' +
      'connection to the real server, so spoofed SYN floods never create conntrack entries or reach the ' +
      'service. SYNs and the final ACK are consumed by the target; other packets continue with the next rule.\n\n' +
      'It only works as a set: in raw PREROUTING `-p tcp --syn -j CT --notrack` for the protected port, here ' +
      '`-p tcp --dport N -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY ...`, then `-m conntrack ' +
      '--ctstate INVALID -j DROP`, and `sysctl net.netfilter.nf_conntrack_tcp_loose=0`. The options must match ' +
      'what the server itself would announce (MSS, window scale, SACK, timestamps), or connections perform badly.',
    options: [
      { name: '--mss', args: [uint(0xffffffff, { label: 'mss' })], summary: 'MSS to announce to the client (the server\'s MSS, e.g. 1460).' },
      { name: '--wscale', args: [uint(0xffffffff, { label: 'shift' })], summary: 'Window scale to announce (the server\'s, 0-14).' },
      { name: '--sack-perm', args: [], summary: 'Announce selective ACK support.' },
      { name: '--timestamp', args: [], summary: 'Announce TCP timestamps (needed for window scaling and SACK to be kept).' },
      { name: '--ecn', args: [], summary: 'Announce ECN support.' },
    ],
    check: (use) => {
      const out: Problem[] = [];
      const ws = use.options.find((o) => o.name === '--wscale')?.args[0];
      if (ws !== undefined && Number(ws) > 14) out.push({ severity: 'warning', option: '--wscale', argIndex: 0, message: 'TCP allows window scale 0 to 14; larger values are capped by the peers' });
      const mss = use.options.find((o) => o.name === '--mss')?.args[0];
      if (mss !== undefined && Number(mss) > 65535) out.push({ severity: 'warning', option: '--mss', argIndex: 0, message: 'the MSS is a 16-bit field: this value is cut to its low 16 bits' });
      return out;
    },
  },
  {
    kind: 'target',
    name: 'TEE',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    summary: 'Send a copy of the packet to another host on a local network (mirroring); the original continues.',
    doc:
      'The copy is routed to `--gateway` as the next hop, unchanged (its destination address is not ' +
      'rewritten), so the gateway must be directly reachable and accept packets not addressed to it, like an ' +
      'IDS on a monitor port. The copy is untracked and is not copied again. The original packet goes on to the ' +
      'next rule. Mirroring every packet doubles the load on that link.',
    options: [
      { name: '--gateway', args: [teeGateway], required: true, summary: 'Next hop that receives the copies (one address, directly reachable).' },
      {
        name: '--oif',
        args: [cutText(15, 'interface name', { allowEmpty: true })],
        summary: 'Send the copies out of this interface, whatever the routing table says.',
      },
    ],
  },
  {
    kind: 'target',
    name: 'CLUSTERIP',
    termination: 'depends',
    families: ['ipv4'],
    backend: 'legacy',
    obsolete: 'removed from the kernel in Linux 6.3 and never usable from iptables-nft; use the `cluster` match',
    check: clusteripCheck,
    summary: 'Obsolete: share one IPv4 address among cluster nodes; each node keeps its share of clients.',
    doc:
      'All nodes answer ARP for the shared address with a multicast MAC, so every node receives every packet; ' +
      'a hash of the client decides which node keeps it, the others drop it. Only iptables-legacy could set ' +
      'it up, with a `-d <shared-ip>` rule in INPUT, and Linux 6.3 removed the target. The `cluster` match ' +
      '(`-m cluster --cluster-total-nodes N --cluster-local-node K`) does the same job with nftables.',
    options: [
      { name: '--new', args: [], summary: 'Create the cluster IP (the first rule for an address).' },
      { name: '--hashmode', args: [hashmode], requires: ['--new'], summary: 'What to hash: sourceip, sourceip-sourceport or sourceip-sourceport-destport.' },
      { name: '--clustermac', args: [macAddress], requires: ['--new'], summary: 'Multicast MAC address the cluster answers with.' },
      { name: '--total-nodes', args: [uint(16, { label: 'n' })], requires: ['--new'], summary: 'Number of nodes in the cluster (at most 16).' },
      { name: '--local-node', args: [uint(16, { label: 'n' })], requires: ['--new'], summary: 'This node\'s number (1 to total).' },
      { name: '--hash-init', args: [uint(0xffffffff, { label: 'seed' })], requires: ['--new'], summary: 'Seed of the hash; the same on every node.' },
    ],
  },
];
