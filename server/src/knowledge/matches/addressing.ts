/**
 * Matches on where a packet comes from or goes to beyond -s/-d/-i/-o: addrtype, iprange, set,
 * mac, physdev, devgroup, realm and rpfilter. Options follow the libxt_/libipt_ files of iptables
 * 1.8.9 of the same names; hook restrictions were checked against a running kernel.
 */
import { iface, parseIPv6, parseUintIn, uint64, valueMaskOrName } from '../argtypes';
import type { ArgType, MatchSpec, OptionSpec, Problem, ValueDoc } from '../types';

const BOTH: MatchSpec['families'] = ['ipv4', 'ipv6'];

// ---------------------------------------------------------------------------------------------
// addrtype

const ADDR_TYPES: readonly ValueDoc[] = [
  { name: 'UNSPEC', summary: 'No address type (0.0.0.0, ::).' },
  { name: 'UNICAST', summary: 'An ordinary address reached through a gateway or link.' },
  { name: 'LOCAL', summary: 'An address of this host (on any interface, including 127.0.0.0/8).' },
  { name: 'BROADCAST', summary: 'A broadcast address (IPv4 only).' },
  { name: 'ANYCAST', summary: 'An anycast address.' },
  { name: 'MULTICAST', summary: 'A multicast address (224.0.0.0/4, ff00::/8).' },
  { name: 'BLACKHOLE', summary: 'Routed to a blackhole route (IPv4 only).' },
  { name: 'UNREACHABLE', summary: 'Routed to an unreachable route.' },
  { name: 'PROHIBIT', summary: 'Routed to a prohibit route (IPv4 only).' },
  { name: 'THROW', summary: 'Routed to a throw route (IPv4 only).' },
  { name: 'NAT', summary: 'A NAT route type, unused by current kernels (IPv4 only).' },
  { name: 'XRESOLVE', summary: 'An external-resolver route type, unused (IPv4 only).' },
];
const V4_ONLY_TYPES = new Set(['BROADCAST', 'BLACKHOLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE']);

/** libxt_addrtype parse_type: any case-insensitive prefix of a type name (the first one wins). */
function addrType(word: string): string | undefined {
  if (word === '') return undefined;
  return ADDR_TYPES.find((t) => t.name.startsWith(word.toUpperCase()))?.name;
}

const addrTypeList: ArgType = {
  id: 'addrtype-list',
  label: 'type[,type...]',
  values: ADDR_TYPES,
  list: true,
  check: (v, ctx) => {
    for (const w of v.split(',')) {
      const t = addrType(w);
      if (!t) return `\`${w}\` is not an address type: use ${ADDR_TYPES.map((x) => x.name).join(', ')}`;
      if (ctx.family === 'ipv6' && V4_ONLY_TYPES.has(t)) return `${t} does not exist for IPv6 routes; the kernel refuses it in ip6tables`;
    }
    return undefined;
  },
  warn: (v) => {
    for (const w of v.split(',')) {
      const t = addrType(w);
      if (t && t !== w.toUpperCase()) return `\`${w}\` is read as ${t} (the first type it starts); write the full name`;
    }
    return undefined;
  },
};

function addrTypeOption(name: string, which: string): OptionSpec {
  return {
    name,
    args: [addrTypeList],
    negatable: true,
    summary: `Match if the ${which} address has one of these types (LOCAL, UNICAST, BROADCAST...).`,
    doc: `The kernel looks the ${which} address up in the routing table and compares the route type.`,
  };
}

// ---------------------------------------------------------------------------------------------
// iprange

/** xtables_numeric_to_ipaddr: one to four dot-separated numbers 0-255, missing ones are zero. */
function ipv4Numeric(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const b = i < parts.length ? parseUintIn(parts[i]!, 0, 255) : 0;
    if (b === undefined) return undefined;
    v = v * 256 + b;
  }
  return v;
}

function ipKey(text: string, family: 'ipv4' | 'ipv6'): bigint | undefined {
  if (family === 'ipv4') {
    const n = ipv4Numeric(text);
    return n === undefined ? undefined : BigInt(n);
  }
  const g = parseIPv6(text);
  return g ? g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n) : undefined;
}

const ipRange: ArgType = {
  id: 'ip-range',
  label: 'from[-to]',
  check: (v, ctx) => {
    const dash = v.indexOf('-');
    const parts = dash < 0 ? [v] : [v.slice(0, dash), v.slice(dash + 1)];
    for (const p of parts) {
      if (ipKey(p, ctx.family) === undefined) {
        return `\`${p}\` is not a numeric ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address (iprange takes no host names or masks)`;
      }
    }
    return undefined;
  },
  warn: (v, ctx) => {
    const dash = v.indexOf('-');
    if (dash < 0) return undefined;
    const a = ipKey(v.slice(0, dash), ctx.family);
    const b = ipKey(v.slice(dash + 1), ctx.family);
    return a !== undefined && b !== undefined && a > b ? `the range \`${v}\` starts above its end, so it matches no address (write the lower address first)` : undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// mac

/** XTTYPE_ETHERMAC: six parts of at most two hex digits separated by `:` (empty parts are 0). */
const macAddress: ArgType = {
  id: 'mac-address',
  label: 'xx:xx:xx:xx:xx:xx',
  check: (v) => {
    const parts = v.split(':');
    const ok = parts.length === 6 && parts.every((p) => p === '' || (p.length <= 2 && /^[ \t\n\v\f\r]*[+-]?[0-9a-fA-F]+$/.test(p)));
    return ok ? undefined : `\`${v}\` is not a MAC address: write six hex bytes separated by colons, e.g. 00:11:22:33:44:55`;
  },
};

// ---------------------------------------------------------------------------------------------
// set

const setName: ArgType = {
  id: 'ipset-name',
  label: 'setname',
  check: (v) => (v.length > 31 ? `set name \`${v}\` is ${v.length} characters long; ipset names have at most 31` : v === '' ? 'expected a set name' : undefined),
};

const setFlags: ArgType = {
  id: 'ipset-flags',
  label: 'src|dst[,src|dst...]',
  values: [
    { name: 'src', summary: 'Look up the source address (or port) for this dimension of the set.' },
    { name: 'dst', summary: 'Look up the destination address (or port) for this dimension of the set.' },
  ],
  list: true,
  check: (v) => {
    const items = v.split(',');
    if (items.length > 6) return `at most 6 src/dst flags can be given; this list has ${items.length}`;
    for (const f of items) if (!f.startsWith('src') && !f.startsWith('dst')) return `\`${f}\` is not \`src\` or \`dst\``;
    return undefined;
  },
};

const counter: ArgType = uint64({ label: 'value', what: 'a counter value' });

function counterOption(name: string, what: string, negatable: boolean, group: string[]): OptionSpec {
  return {
    name,
    args: [counter],
    negatable,
    excludes: group.filter((g) => g !== name),
    summary: `Match if the element's ${what}.`,
    doc: 'Needs a set created with the `counters` option; the element must match first.',
  };
}

const PACKET_OPTS = ['--packets-eq', '--packets-lt', '--packets-gt'];
const BYTE_OPTS = ['--bytes-eq', '--bytes-lt', '--bytes-gt'];

function matchSetOption(name: string, deprecated?: string): OptionSpec {
  return {
    name,
    args: [setName, setFlags],
    negatable: true,
    excludes: [name === '--match-set' ? '--set' : '--match-set'],
    summary: 'Match if the packet\'s addresses/ports (picked by the flags) are in the ipset.',
    doc:
      'The flags say, for each dimension of the set, whether to use the source or the destination: ' +
      '`src` for a `hash:ip` set of bad sources, `dst,dst` for a `hash:ip,port` set of services. The set ' +
      'must exist (`ipset create`) before the rules load, and its family must match the table\'s.',
    ...(deprecated ? { deprecated } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// physdev

function physdevCheck(use: Parameters<NonNullable<MatchSpec['check']>>[0]): Problem[] {
  const out = use.options.find((o) => o.name === '--physdev-out' || o.name === '--physdev-is-out');
  const bridged = use.options.find((o) => o.name === '--physdev-is-bridged' && !o.negated);
  if (out && !bridged && use.hook === 'OUTPUT') {
    return [{ option: out.name, message: `${out.name} in OUTPUT needs \`--physdev-is-bridged\` too: for locally sent packets the bridge port is not chosen yet, and the kernel refuses the rule` }];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------

export const ADDRESSING_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'addrtype',
    families: BOTH,
    needsOneOf: ['--src-type', '--dst-type'],
    summary: 'Classify source or destination by routing type: LOCAL, BROADCAST, MULTICAST...',
    doc:
      'Asks the routing table what kind of address the packet carries. `--dst-type LOCAL` means "addressed ' +
      'to one of this host\'s addresses", which is how Docker and kube-proxy catch traffic for published ' +
      'ports without listing addresses. `--limit-iface-in`/`out` restrict the lookup to the interface the ' +
      'packet uses.',
    options: [
      addrTypeOption('--src-type', 'source'),
      addrTypeOption('--dst-type', 'destination'),
      {
        name: '--limit-iface-in',
        args: [],
        excludes: ['--limit-iface-out'],
        hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
        summary: 'Only consider addresses of the incoming interface.',
      },
      {
        name: '--limit-iface-out',
        args: [],
        excludes: ['--limit-iface-in'],
        hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'],
        summary: 'Only consider addresses of the outgoing interface.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'iprange',
    families: BOTH,
    needsOneOf: [],
    summary: 'Source or destination inside an arbitrary address range `from-to`.',
    doc:
      'For ranges that are not a single CIDR block, such as a DHCP pool `192.168.1.100-192.168.1.199`. Both ' +
      'ends are included. Only numeric addresses; for many ranges an ipset (`-m set`) scales better.',
    options: [
      { name: '--src-range', args: [ipRange], negatable: true, summary: 'Match a source address between `from` and `to` (inclusive).' },
      { name: '--dst-range', args: [ipRange], negatable: true, summary: 'Match a destination address between `from` and `to` (inclusive).' },
    ],
  },
  {
    kind: 'match',
    name: 'set',
    families: BOTH,
    needsOneOf: ['--match-set', '--set'],
    summary: 'Look the packet up in an ipset (address lists, networks, address/port pairs...).',
    doc:
      'Tests membership in a set maintained with the `ipset` tool: one rule can then stand for thousands of ' +
      'addresses, and the set can change without touching the rules. The set must exist before the rules ' +
      'load, so restore ipsets first at boot. With counters-enabled sets, the counter options compare the ' +
      'matched element\'s packet and byte counts.',
    options: [
      matchSetOption('--match-set'),
      matchSetOption('--set', 'write `--match-set`; iptables warns that `--set` is deprecated'),
      { name: '--return-nomatch', args: [], multi: true, summary: 'Also match elements stored with the `nomatch` flag (for hash:net exceptions).', doc: 'Normally a `nomatch` entry carves an exception out of a larger network in the set; with this option the rule matches exactly those exceptions instead.' },
      { name: '--update-counters', args: [], negatable: true, multi: true, summary: '`! --update-counters`: do not count this lookup in the element\'s counters.' },
      { name: '--update-subcounters', args: [], negatable: true, multi: true, summary: '`! --update-subcounters`: do not count this lookup in the counters of list:set members.' },
      counterOption('--packets-eq', 'packet counter equals the value', true, PACKET_OPTS),
      counterOption('--packets-lt', 'packet counter is below the value', false, PACKET_OPTS),
      counterOption('--packets-gt', 'packet counter is above the value', false, PACKET_OPTS),
      counterOption('--bytes-eq', 'byte counter equals the value', true, BYTE_OPTS),
      counterOption('--bytes-lt', 'byte counter is below the value', false, BYTE_OPTS),
      counterOption('--bytes-gt', 'byte counter is above the value', false, BYTE_OPTS),
    ],
  },
  {
    kind: 'match',
    name: 'mac',
    families: BOTH,
    hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
    summary: 'Source MAC address of an arriving Ethernet frame.',
    doc:
      'Matches the Ethernet source address. Only the last hop is visible (a routed packet carries the ' +
      'router\'s MAC), MACs are trivial to forge, and outgoing packets have none yet, so the kernel allows it ' +
      'in PREROUTING, INPUT and FORWARD only.',
    options: [
      { name: '--mac-source', args: [macAddress], negatable: true, required: true, summary: 'Match this source MAC, written `xx:xx:xx:xx:xx:xx`.' },
    ],
  },
  {
    kind: 'match',
    name: 'physdev',
    families: BOTH,
    needsOneOf: [],
    summary: 'Bridge ports a bridged packet enters or leaves by.',
    doc:
      'On a Linux bridge with `br_netfilter` loaded (`net.bridge.bridge-nf-call-iptables=1`), bridged ' +
      'frames pass through iptables and `-i`/`-o` only show the bridge; physdev shows the actual port. ' +
      'Without br_netfilter nothing bridged reaches iptables and these tests never match.',
    check: physdevCheck,
    options: [
      { name: '--physdev-in', args: [iface], negatable: true, summary: 'Match the bridge port the frame arrived on (`+` suffix as wildcard).' },
      { name: '--physdev-out', args: [iface], negatable: true, summary: 'Match the bridge port the frame will leave by (`+` suffix as wildcard).', doc: 'The port is only known in FORWARD and POSTROUTING for bridged frames; in OUTPUT the kernel refuses it unless --physdev-is-bridged is given too.' },
      { name: '--physdev-is-in', args: [], negatable: true, summary: 'Match if the packet entered through a bridge port.' },
      { name: '--physdev-is-out', args: [], negatable: true, summary: 'Match if the packet will leave through a bridge port.' },
      { name: '--physdev-is-bridged', args: [], negatable: true, summary: 'Match if the packet is being bridged rather than routed.' },
    ],
  },
  {
    kind: 'match',
    name: 'devgroup',
    families: BOTH,
    needsOneOf: [],
    summary: 'Interface group (`ip link set DEV group N`) of the incoming or outgoing interface.',
    doc:
      'Matches the group number of the interface, so that one rule covers every interface of a group, for ' +
      'example all customer-facing ports. Names come from /etc/iproute2/group. The incoming group is known ' +
      'in PREROUTING, INPUT and FORWARD, the outgoing one in FORWARD, OUTPUT and POSTROUTING.',
    options: [
      {
        name: '--src-group',
        args: [valueMaskOrName([{ name: 'default', summary: 'Group 0, every interface\'s group unless set.' }], '/etc/iproute2/group', { id: 'devgroup' })],
        negatable: true,
        hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
        summary: 'Match the group of the incoming interface (`value[/mask]` or a name).',
      },
      {
        name: '--dst-group',
        args: [valueMaskOrName([{ name: 'default', summary: 'Group 0, every interface\'s group unless set.' }], '/etc/iproute2/group', { id: 'devgroup' })],
        negatable: true,
        hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'],
        summary: 'Match the group of the outgoing interface (`value[/mask]` or a name).',
      },
    ],
  },
  {
    kind: 'match',
    name: 'realm',
    families: ['ipv4'],
    hooks: ['INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
    summary: 'Routing realm of the route the packet took (IPv4).',
    doc:
      'Routes can carry a realm (`ip route add ... realm N`, or set by BGP daemons); this matches it. The ' +
      'route is chosen after PREROUTING, so the kernel refuses the match there. Names come from ' +
      '/etc/iproute2/rt_realms.',
    options: [
      {
        name: '--realm',
        args: [valueMaskOrName([{ name: 'cosmos', summary: 'Realm 0, the default.' }], '/etc/iproute2/rt_realms', { id: 'realm' })],
        negatable: true,
        required: true,
        summary: 'Match the realm, as `value[/mask]` or a name.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'rpfilter',
    families: BOTH,
    tables: ['raw', 'mangle'],
    hooks: ['PREROUTING'],
    summary: 'Reverse-path filter: would the reply to this source leave by the interface it came in on?',
    doc:
      'Looks up the route back to the source address. Without options it matches packets that pass the ' +
      'check, so the usual rule is `-t raw -A PREROUTING -m rpfilter --invert -j DROP` to drop spoofed ' +
      'sources. Works for IPv6, where the rp_filter sysctl does not exist. Valid only in raw and mangle ' +
      'PREROUTING.',
    options: [
      { name: '--loose', args: [], summary: 'Accept a route back through any interface, not only the one the packet came in on.' },
      { name: '--validmark', args: [], summary: 'Use the packet mark in the reverse route lookup (for policy routing by mark).' },
      { name: '--accept-local', args: [], summary: 'Let packets with a local source address pass the check.' },
      { name: '--invert', args: [], summary: 'Match packets that fail the check (the ones to drop).' },
    ],
  },
];
