/**
 * Address translation: DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP (nat table, per connection) and the
 * stateless IPv6 prefix translation DNPT/SNPT (mangle table, per packet). Tables and hooks are the
 * ones the kernel registers (xt_nat.c, xt_MASQUERADE.c, xt_REDIRECT.c, xt_NETMAP.c, ip6t_NPT.c),
 * checked against a real kernel in a network namespace.
 */
import { parseIPv6 } from '../argtypes';
import { protocolNumber } from '../generic';
import type { ExtensionUse, Family, OptionSpec, Problem, TargetSpec } from '../types';
import { hostMask, NAT_PORT_PROTOCOLS, natPorts, natTo, parseNatTo } from './args';

/** libxt_NAT.c: a port needs -p tcp, udp, sctp, dccp (or icmp), read from the rule's -p. */
function portsNeedProtocol(use: ExtensionUse, option: string, hasPorts: (arg: string) => boolean): Problem[] {
  const o = use.options.find((x) => x.name === option);
  const arg = o?.args[0];
  if (arg === undefined) return [];
  const n = use.protocol ? protocolNumber(use.protocol.name) : undefined;
  const portProtocol = n !== undefined && NAT_PORT_PROTOCOLS.has(n);
  // (a -p that allows ports, read in time: nothing to say, whatever the argument holds; the
  // argument is read only when it decides, not for every rule of a kube-proxy file's DNATs)
  if (portProtocol && o!.protocolSeen !== false) return [];
  if (!hasPorts(arg)) return [];
  if (portProtocol) {
    return [
      {
        option,
        message: `-p ${use.protocol!.name} comes after ${option}: iptables checks the protocol while it reads the port, so put -p before -j`,
      },
    ];
  }
  return [
    {
      option,
      argIndex: 0,
      message: `a port needs \`-p tcp\`, \`-p udp\`, \`-p sctp\` or \`-p dccp\` before the target (${use.protocol ? `this rule has -p ${use.protocol.name}` : 'this rule has no -p'}); iptables refuses it otherwise`,
    },
  ];
}

const natToHasPorts = (family: Family) => (arg: string) => parseNatTo(arg, family).ports !== undefined;

const RANDOM: OptionSpec = {
  name: '--random',
  args: [],
  summary: 'Pick the port from the range by a hash that includes a random secret, not the next free one.',
  doc:
    'Makes the translated source port hard to predict (the kernel otherwise keeps the original port when it ' +
    'is free). With a `:port-port` range it spreads connections over the range.',
};

const PERSISTENT: OptionSpec = {
  name: '--persistent',
  args: [],
  summary: 'With an address range, give the same client the same address every time.',
  doc:
    'Without it, each new connection may get any address of the range, which breaks protocols and servers ' +
    'that expect one client to keep one address (FTP data connections, sessions pinned to an IP).',
};

function dnat(): TargetSpec {
  return {
    kind: 'target',
    name: 'DNAT',
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    tables: ['nat'],
    hooks: ['PREROUTING', 'OUTPUT'],
    summary: 'Send a new connection to another destination address and/or port (port forwarding).',
    doc:
      'Rewrites where the connection goes. Only its first packet passes the nat table; conntrack remembers the ' +
      'rewrite for every later packet and undoes it on the replies, so the client never sees the new address. ' +
      'Use PREROUTING for traffic arriving from the network and OUTPUT for connections this host opens itself. ' +
      '\n\nTraps: filter rules run after the rewrite, so FORWARD/INPUT must allow the *new* address and port; ' +
      'the inside server must route its replies back through this host (or add SNAT/MASQUERADE); connections ' +
      'already tracked keep their old mapping until they expire (`conntrack -D` clears them). A port needs ' +
      '`-p tcp`/`udp`/`sctp`/`dccp` written before `-j DNAT`. IPv6 addresses with a port go in brackets: ' +
      '`[2001:db8::1]:8080`.',
    check: (use) => portsNeedProtocol(use, '--to-destination', natToHasPorts(use.family)),
    options: [
      {
        name: '--to-destination',
        args: [natTo({ offset: true })],
        required: true,
        summary: 'New destination: `addr`, `addr-addr`, `addr:port`, `addr-addr:port-port[/base]` (IPv6: `[addr]:port`).',
        doc:
          'An address range spreads connections over several servers; a port range picks a port for each ' +
          'connection. `:port-port/base` shifts the whole range: the original port `base` maps to the first port ' +
          'of the range, `base+1` to the next, and so on. Only numeric addresses are accepted, and only one ' +
          '`--to-destination` per rule.',
      },
      RANDOM,
      PERSISTENT,
    ],
  };
}

function snat(): TargetSpec {
  return {
    kind: 'target',
    name: 'SNAT',
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    tables: ['nat'],
    hooks: ['POSTROUTING', 'INPUT'],
    summary: 'Give a new connection a fixed source address and/or port on its way out.',
    doc:
      'Rewrites where the connection appears to come from; replies come back to that address and conntrack ' +
      'translates them back to the original sender. Use it in POSTROUTING with `-o` for the uplink when the ' +
      'outside address is static; with a dynamic address (DHCP, PPP) use MASQUERADE instead. In INPUT it ' +
      'changes the source that local programs see.\n\nTraps: the address must really belong to this host (or be ' +
      'routed to it), or the replies never arrive; only new connections are translated, existing entries keep ' +
      'their mapping until they expire. A port needs `-p tcp`/`udp`/`sctp`/`dccp` before `-j SNAT`; IPv6 ' +
      'addresses with a port go in brackets.',
    check: (use) => portsNeedProtocol(use, '--to-source', natToHasPorts(use.family)),
    options: [
      {
        name: '--to-source',
        args: [natTo({ offset: true })],
        required: true,
        summary: 'New source: `addr`, `addr-addr`, `addr:port-port` (IPv6: `[addr]:port-port`).',
        doc:
          'With a port range the kernel keeps the original source port when it is free and otherwise picks one ' +
          'from the range. Only numeric addresses, and one `--to-source` per rule.',
      },
      RANDOM,
      {
        name: '--random-fully',
        args: [],
        summary: 'Choose every source port at random (prevents port collisions between many clients).',
        doc: 'Helps when many inside hosts talk to the same outside service and the sequential port choice collides.',
      },
      PERSISTENT,
    ],
  };
}

function masquerade(): TargetSpec {
  return {
    kind: 'target',
    name: 'MASQUERADE',
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    tables: ['nat'],
    hooks: ['POSTROUTING'],
    summary: 'SNAT to whatever address the outgoing interface has right now (dynamic uplinks).',
    doc:
      'Like SNAT, but the source address is looked up on the outgoing interface for every new connection, and ' +
      'the connections are forgotten when the interface goes down, so a new DHCP/PPP address takes over cleanly. ' +
      'Valid only in `nat` POSTROUTING. Always add `-o <uplink>`: without it, traffic between inside networks ' +
      'or to a VPN is masqueraded too. With a static address SNAT is cheaper and keeps connections across ' +
      'link flaps.',
    check: (use) => portsNeedProtocol(use, '--to-ports', () => true),
    options: [
      {
        name: '--to-ports',
        args: [natPorts({ offset: true })],
        summary: 'Source port or range `port[-port]` to use (needs -p tcp/udp/sctp/dccp).',
      },
      RANDOM,
      {
        name: '--random-fully',
        args: [],
        summary: 'Choose every source port at random (prevents port collisions between many clients).',
      },
    ],
  };
}

function redirect(): TargetSpec {
  return {
    kind: 'target',
    name: 'REDIRECT',
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    tables: ['nat'],
    hooks: ['PREROUTING', 'OUTPUT'],
    summary: 'DNAT to this host itself (the address of the incoming interface), e.g. a local proxy port.',
    doc:
      'The connection is delivered to a local socket: in PREROUTING to the primary address of the interface ' +
      'it arrived on, in OUTPUT to the loopback address (127.0.0.1 or ::1). The program listening there sees the ' +
      'original destination only through `SO_ORIGINAL_DST`. Without `--to-ports` the port is kept.\n\nTraps: ' +
      'the INPUT chain must accept the new port; a proxy redirected in OUTPUT must not have its own traffic ' +
      'redirected again (exclude its user with `-m owner ! --uid-owner`).',
    check: (use) => portsNeedProtocol(use, '--to-ports', () => true),
    options: [
      {
        name: '--to-ports',
        args: [natPorts({ offset: false })],
        summary: 'Local port or range `port[-port]` to deliver to (needs -p tcp/udp/sctp/dccp).',
      },
      RANDOM,
    ],
  };
}

function netmap(): TargetSpec {
  return {
    kind: 'target',
    name: 'NETMAP',
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    tables: ['nat'],
    hooks: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
    summary: 'Map a whole network onto another one, host part kept (1:1 NAT of a subnet).',
    doc:
      'The network bits of the address are replaced by those of `--to`, the host bits stay: with ' +
      '`--to 10.9.0.0/24` the host .17 becomes 10.9.0.17. In PREROUTING and OUTPUT it rewrites the ' +
      'destination, in POSTROUTING and INPUT the source. Give the rule a matching `-d` or `-s` of the same ' +
      'size, and a second rule for the other direction of new connections if both sides may open them.',
    options: [
      {
        name: '--to',
        args: [hostMask],
        required: true,
        summary: 'The network to map onto, `address/prefix`.',
        doc: 'Without a mask it is a single host (/32 or /128). Host names are resolved once at load.',
      },
    ],
  };
}

function nptCheck(use: ExtensionUse): Problem[] {
  const out: Problem[] = [];
  for (const name of ['--src-pfx', '--dst-pfx']) {
    const v = use.options.find((o) => o.name === name)?.args[0];
    if (v === undefined) continue;
    const [addr, mask] = v.split('/');
    const len = mask === undefined ? 128 : /^[0-9]+$/.test(mask) ? Number(mask) : maskLength(mask);
    if (len !== undefined && len > 64) {
      out.push({
        option: name,
        argIndex: 0,
        message: `the kernel accepts prefixes of at most /64 for prefix translation; \`${v}\` is /${len}${mask === undefined ? ' (no mask means /128)' : ''}`,
      });
      continue;
    }
    const groups = addr ? parseIPv6(addr) : undefined;
    if (groups && len !== undefined && hasHostBits(groups, len)) {
      out.push({ option: name, argIndex: 0, message: `\`${v}\` has bits set after the /${len}: write the prefix itself, with zeros after it` });
    }
  }
  return out;
}

function maskLength(mask: string): number | undefined {
  const g = parseIPv6(mask);
  if (!g) return undefined;
  let n = 0;
  for (const x of g) {
    for (let b = 15; b >= 0; b--) {
      if (x & (1 << b)) n++;
      else return n;
    }
  }
  return n;
}

function hasHostBits(groups: readonly number[], len: number): boolean {
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, len - i * 16));
    const hostMaskBits = keep === 16 ? 0 : 0xffff >> keep;
    if (groups[i]! & hostMaskBits) return true;
  }
  return false;
}

const NPT_OPTIONS: readonly OptionSpec[] = [
  { name: '--src-pfx', args: [hostMask], required: true, summary: 'The prefix to translate from, `prefix/length` (length at most 64).' },
  { name: '--dst-pfx', args: [hostMask], required: true, summary: 'The prefix to translate to, `prefix/length` (length at most 64).' },
];

const NPT_DOC =
  'Stateless IPv6-to-IPv6 prefix translation (RFC 6296): the prefix is swapped and the interface-identifier ' +
  'part adjusted so checksums stay valid, packet by packet, without conntrack. It therefore needs the mirror ' +
  'rule for the other direction: SNPT on the way out pairs with DNPT on the way in, with the two prefixes ' +
  'swapped. Prefixes are at most /64, with nothing set after the prefix. Conntrack would record the ' +
  'untranslated addresses and then fail to recognise the replies, so exempt these flows from tracking ' +
  '(`-t raw ... -j CT --notrack`). The outside prefix is usually not on any interface: answering neighbour ' +
  'solicitations for it may need `net.ipv6.conf.all.proxy_ndp=1`.';

export const NAT_TARGETS: readonly TargetSpec[] = [
  dnat(),
  snat(),
  masquerade(),
  redirect(),
  netmap(),
  {
    kind: 'target',
    name: 'DNPT',
    termination: 'continue',
    families: ['ipv6'],
    tables: ['mangle'],
    hooks: ['PREROUTING', 'OUTPUT'],
    summary: 'Swap the destination prefix of IPv6 packets (stateless NPTv6, inbound side).',
    doc: NPT_DOC,
    check: nptCheck,
    options: NPT_OPTIONS,
  },
  {
    kind: 'target',
    name: 'SNPT',
    termination: 'continue',
    families: ['ipv6'],
    tables: ['mangle'],
    hooks: ['INPUT', 'POSTROUTING'],
    summary: 'Swap the source prefix of IPv6 packets (stateless NPTv6, outbound side).',
    doc: NPT_DOC,
    check: nptCheck,
    options: NPT_OPTIONS,
  },
];
