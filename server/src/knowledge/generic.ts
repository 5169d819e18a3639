/**
 * The options every rule can use without `-m` (iptables' own parser, xshared.c), and the commands
 * (-A, -I, -N...).
 */
import { addressList, iface, parseUintIn, uint } from './argtypes';
import type { ArgType, OptionSpec, ValueDoc } from './types';
import { IP_PROTOCOLS } from './values/netbase';

/** Protocol names iptables knows without /etc/protocols (xtables_chain_protos). */
export const BUILTIN_PROTOCOLS: readonly { name: string; number: number; summary: string }[] = [
  { name: 'tcp', number: 6, summary: 'TCP: connections with handshake, ports and flags.' },
  { name: 'udp', number: 17, summary: 'UDP: datagrams with ports (DNS, NTP, VPNs, QUIC).' },
  { name: 'udplite', number: 136, summary: 'UDP-Lite: UDP with partial checksums.' },
  { name: 'icmp', number: 1, summary: 'ICMP for IPv4: ping, unreachable, time exceeded...' },
  { name: 'icmpv6', number: 58, summary: 'ICMPv6: ping, neighbour discovery, packet too big...' },
  { name: 'ipv6-icmp', number: 58, summary: 'ICMPv6 (the /etc/protocols name).' },
  { name: 'esp', number: 50, summary: 'IPsec Encapsulating Security Payload.' },
  { name: 'ah', number: 51, summary: 'IPsec Authentication Header.' },
  { name: 'sctp', number: 132, summary: 'SCTP: message-oriented transport with ports.' },
  { name: 'mh', number: 135, summary: 'Mobile IPv6 mobility header.' },
  { name: 'ipv6-mh', number: 135, summary: 'Mobile IPv6 mobility header.' },
  { name: 'gre', number: 47, summary: 'GRE tunnels (PPTP, many site-to-site tunnels).' },
  { name: 'all', number: 0, summary: 'Any protocol (the same as leaving -p out).' },
];

/**
 * The numbers of the -p values asked for so far (null: no protocol), up to MAX_KNOWN_VALUES: a
 * file names a handful of protocols on thousands of rules, and each check asks again.
 */
const KNOWN_VALUES = new Map<string, number | null>();
const MAX_KNOWN_VALUES = 1024;

/** Resolve a `-p` value to a protocol number, as iptables does (case-insensitive names). */
export function protocolNumber(value: string): number | undefined {
  const known = KNOWN_VALUES.get(value);
  if (known !== undefined) return known ?? undefined;
  const n = resolveProtocol(value);
  if (KNOWN_VALUES.size < MAX_KNOWN_VALUES) KNOWN_VALUES.set(value, n ?? null);
  return n;
}

function resolveProtocol(value: string): number | undefined {
  const n = parseUintIn(value, 0, 255);
  if (n !== undefined) return n;
  const lower = value.toLowerCase();
  const b = BUILTIN_PROTOCOLS.find((p) => p.name === lower);
  if (b) return b.number;
  const p = IP_PROTOCOLS.find((e) => e.name === lower || e.aliases.some((a) => a.toLowerCase() === lower));
  return p?.number;
}

/** The name iptables-save prints for a protocol number (its canonical -p form). */
export function protocolName(value: string): string {
  const n = protocolNumber(value);
  if (n === undefined) return value.toLowerCase();
  if (n === 0) return 'all';
  const b = BUILTIN_PROTOCOLS.find((p) => p.number === n);
  if (b) return n === 58 ? 'ipv6-icmp' : n === 135 ? 'mh' : b.name;
  return IP_PROTOCOLS.find((p) => p.number === n)?.name ?? String(n);
}

const PROTOCOL_VALUES: readonly ValueDoc[] = [
  ...BUILTIN_PROTOCOLS.map((p) => ({ name: p.name, summary: `${p.summary} (protocol ${p.number})` })),
  ...IP_PROTOCOLS.filter((p) => !BUILTIN_PROTOCOLS.some((b) => b.name === p.name)).map((p) => ({
    name: p.name,
    summary: `IP protocol ${p.number}${p.aliases[0] ? ` (${p.aliases[0]})` : ''}.`,
  })),
];

export const protocolArg: ArgType = {
  id: 'protocol',
  label: 'protocol',
  values: PROTOCOL_VALUES,
  check: (v) => {
    if (v === '!') return 'a `!` after -p is read as the protocol name: write `! -p tcp` instead';
    return protocolNumber(v) === undefined ? `unknown protocol \`${v}\`: use a name from /etc/protocols or a number 0-255` : undefined;
  },
};

const chainOrTarget: ArgType = {
  id: 'target',
  label: 'target',
  check: (v) => (v === '' ? 'expected a target or chain name' : undefined),
};

const matchName: ArgType = {
  id: 'match',
  label: 'match',
  check: (v) => (v === '' ? 'expected a match module name' : undefined),
};

export const GENERIC_OPTIONS: readonly OptionSpec[] = [
  {
    name: '-p',
    aliases: ['--protocol'],
    args: [protocolArg],
    negatable: true,
    summary: 'Match the IP protocol (tcp, udp, icmp, a number, or all).',
    doc:
      'Restricts the rule to one IP protocol. Naming `tcp`, `udp`, `icmp` and friends also lets the options ' +
      'of the protocol\'s match (`--dport`, `--tcp-flags`, `--icmp-type`) be used without `-m`.',
  },
  {
    name: '-s',
    aliases: ['--source', '--src'],
    args: [addressList],
    negatable: true,
    summary: 'Match the source address (address[/mask], comma-separated list allowed).',
    doc:
      'Matches the packet\'s source address against an address or network. A comma-separated list is ' +
      'expanded into one rule per address when loaded. Host names are resolved once, at load time.',
  },
  {
    name: '-d',
    aliases: ['--destination', '--dst'],
    args: [addressList],
    negatable: true,
    summary: 'Match the destination address (address[/mask], comma-separated list allowed).',
    doc:
      'Matches the packet\'s destination address against an address or network. A comma-separated list ' +
      'is expanded into one rule per address when loaded.',
  },
  {
    name: '-i',
    aliases: ['--in-interface'],
    args: [iface],
    negatable: true,
    summary: 'Match the interface the packet arrived on (`+` at the end matches any suffix).',
    doc:
      'Only meaningful where packets have an incoming interface: PREROUTING, INPUT and FORWARD. ' +
      '`eth+` matches every interface whose name starts with `eth`.',
  },
  {
    name: '-o',
    aliases: ['--out-interface'],
    args: [iface],
    negatable: true,
    summary: 'Match the interface the packet will leave on (`+` at the end matches any suffix).',
    doc: 'Only meaningful where the outgoing interface is known: FORWARD, OUTPUT and POSTROUTING.',
  },
  {
    name: '-f',
    aliases: ['--fragment'],
    args: [],
    negatable: true,
    families: ['ipv4'],
    summary: 'Match second and later fragments of a fragmented IPv4 packet.',
    doc:
      'Later fragments carry no ports or TCP flags, so port rules never match them. Conntrack normally ' +
      'reassembles packets before filter sees them, which makes this option rarely useful.',
  },
  {
    name: '-j',
    aliases: ['--jump'],
    args: [chainOrTarget],
    summary: 'What to do with a matching packet: a target (ACCEPT, DROP, LOG...) or a user chain.',
    doc:
      'Jumping to a user chain runs its rules; when the packet falls off its end (or hits RETURN) it comes ' +
      'back to the next rule here.',
  },
  {
    name: '-g',
    aliases: ['--goto'],
    args: [chainOrTarget],
    summary: 'Continue in a user chain without coming back here.',
    doc:
      'Like `-j CHAIN`, but a RETURN (or the end of that chain) goes back to the chain that called this one, ' +
      'not to the next rule here.',
  },
  {
    name: '-m',
    aliases: ['--match'],
    args: [matchName],
    multi: true,
    summary: 'Load a match module (conntrack, multiport, limit...), whose options follow.',
  },
  {
    name: '-c',
    aliases: ['--set-counters'],
    args: [uint(2 ** 53 - 1, { label: 'packets', what: 'a packet count' }), uint(2 ** 53 - 1, { label: 'bytes', what: 'a byte count' })],
    summary: 'Preset this rule\'s packet and byte counters.',
  },
  {
    name: '-4',
    aliases: ['--ipv4'],
    args: [],
    summary: 'This line is for IPv4 only; ip6tables-restore skips it.',
  },
  {
    name: '-6',
    aliases: ['--ipv6'],
    args: [],
    summary: 'This line is for IPv6 only; iptables-restore skips it.',
  },
  {
    name: '-w',
    aliases: ['--wait'],
    args: [uint(2 ** 31 - 1, { label: 'seconds', what: 'seconds' })],
    lastArgOptional: true,
    summary: 'Wait for the xtables lock (ignored inside a restore file).',
  },
  {
    name: '-W',
    aliases: ['--wait-interval'],
    args: [uint(2 ** 31 - 1, { label: 'usecs', what: 'microseconds' })],
    summary: 'How often to retry the xtables lock (ignored inside a restore file).',
  },
  { name: '-v', aliases: ['--verbose'], args: [], multi: true, summary: 'Verbose output (no effect on the rule).' },
  { name: '-n', aliases: ['--numeric'], args: [], summary: 'Numeric output (no effect on the rule).' },
  { name: '-x', aliases: ['--exact'], args: [], summary: 'Exact counters in listings (no effect on the rule).' },
  { name: '--line-numbers', args: [], summary: 'Line numbers in listings (no effect on the rule).' },
  { name: '--modprobe', args: [{ id: 'path', label: 'command', check: () => undefined }], summary: 'Command used to load kernel modules.' },
];

export type CommandLetter = 'A' | 'C' | 'D' | 'I' | 'R' | 'L' | 'S' | 'F' | 'Z' | 'N' | 'X' | 'P' | 'E';

export interface CommandSpec extends ValueDoc {
  readonly letter: CommandLetter;
  readonly long: string;
  /** What follows the command: the chain and extra words. */
  readonly chain: 'required' | 'optional' | 'none';
  /** Extra positional words after the chain. */
  readonly extra: readonly { readonly label: string; readonly kind: 'rulenum' | 'target' | 'chain'; readonly optional: boolean }[];
  /** Whether a rule specification (matches, target) follows. */
  readonly takesRule: boolean;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    letter: 'A', long: '--append', name: '-A', chain: 'required', extra: [], takesRule: true,
    summary: 'Append a rule to the end of a chain.',
  },
  {
    letter: 'I', long: '--insert', name: '-I', chain: 'required', extra: [{ label: 'rulenum', kind: 'rulenum', optional: true }], takesRule: true,
    summary: 'Insert a rule at a position (default 1: the top of the chain).',
  },
  {
    letter: 'D', long: '--delete', name: '-D', chain: 'required', extra: [{ label: 'rulenum', kind: 'rulenum', optional: true }], takesRule: true,
    summary: 'Delete a rule by position or by its exact specification.',
  },
  {
    letter: 'R', long: '--replace', name: '-R', chain: 'required', extra: [{ label: 'rulenum', kind: 'rulenum', optional: false }], takesRule: true,
    summary: 'Replace the rule at a position.',
  },
  {
    letter: 'C', long: '--check', name: '-C', chain: 'required', extra: [], takesRule: true,
    summary: 'Check whether a rule exists (no change).',
  },
  {
    letter: 'L', long: '--list', name: '-L', chain: 'optional', extra: [{ label: 'rulenum', kind: 'rulenum', optional: true }], takesRule: false,
    summary: 'List rules (prints; changes nothing).',
  },
  {
    letter: 'S', long: '--list-rules', name: '-S', chain: 'optional', extra: [{ label: 'rulenum', kind: 'rulenum', optional: true }], takesRule: false,
    summary: 'Print rules in command form (changes nothing).',
  },
  {
    letter: 'F', long: '--flush', name: '-F', chain: 'optional', extra: [], takesRule: false,
    summary: 'Delete every rule of a chain (or of every chain in the table).',
  },
  {
    letter: 'Z', long: '--zero', name: '-Z', chain: 'optional', extra: [{ label: 'rulenum', kind: 'rulenum', optional: true }], takesRule: false,
    summary: 'Reset packet and byte counters.',
  },
  {
    letter: 'N', long: '--new-chain', name: '-N', chain: 'required', extra: [], takesRule: false,
    summary: 'Create a user-defined chain.',
  },
  {
    letter: 'X', long: '--delete-chain', name: '-X', chain: 'optional', extra: [], takesRule: false,
    summary: 'Delete an empty, unreferenced user chain (or all of them).',
  },
  {
    letter: 'P', long: '--policy', name: '-P', chain: 'required', extra: [{ label: 'target', kind: 'target', optional: false }], takesRule: false,
    summary: 'Set the policy (ACCEPT or DROP) of a built-in chain.',
  },
  {
    letter: 'E', long: '--rename-chain', name: '-E', chain: 'required', extra: [{ label: 'new-name', kind: 'chain', optional: false }], takesRule: false,
    summary: 'Rename a user-defined chain.',
  },
];

export function findCommand(word: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === word || c.long === word);
}

export function findGenericOption(word: string): OptionSpec | undefined {
  return GENERIC_OPTIONS.find((o) => o.name === word || o.aliases?.includes(word));
}
