/**
 * IPsec: the esp, ah and ipcomp header matches and the policy match, which asks whether a packet
 * was (or will be) handled by an IPsec policy. Options follow libxt_esp.c, libipt_ah.c,
 * libip6t_ah.c, libxt_ipcomp.c and libxt_policy.c of iptables 1.8.9.
 */
import { choice, hostMaskArg, uint, uintRangeRC } from '../argtypes';
import { protocolArg, protocolNumber } from '../generic';
import type { ArgType, MatchSpec, OptionSpec, Problem } from '../types';

const spiRange = (name: string): ArgType => uintRangeRC(0xffffffff, { label: 'spi[:spi]', what: 'an SPI', id: `spi-range:${name}` });

function spiOption(name: string, header: string): OptionSpec {
  return {
    name,
    args: [spiRange(name)],
    negatable: true,
    summary: `Match the Security Parameters Index of the ${header} header, or a range \`from:to\`.`,
    doc:
      'The SPI names the security association on the receiving side. It is chosen by the peer at key ' +
      'exchange and changes on every rekey, so rules on a fixed SPI stop matching after the next rekey ' +
      'unless the SAs are keyed manually.',
  };
}

// ---------------------------------------------------------------------------------------------
// policy

const POLICY_DIRS = [
  { name: 'in', summary: 'Look at the policy that decapsulated the packet (PREROUTING, INPUT, FORWARD).' },
  { name: 'out', summary: 'Look at the policy that will encapsulate the packet (FORWARD, OUTPUT, POSTROUTING).' },
];
const POLICY_KINDS = [
  { name: 'ipsec', summary: 'The packet is (or will be) handled by IPsec.' },
  { name: 'none', summary: 'The packet is not handled by IPsec.' },
];
const POLICY_MODES = [
  { name: 'tunnel', summary: 'Tunnel mode: the whole IP packet is wrapped in a new one.' },
  { name: 'transport', summary: 'Transport mode: only the payload is protected.' },
];

const ipsecProtocol: ArgType = {
  id: 'ipsec-protocol',
  label: 'ah|esp|ipcomp',
  values: [
    { name: 'esp', summary: 'Encapsulating Security Payload (50).' },
    { name: 'ah', summary: 'Authentication Header (51).' },
    { name: 'ipcomp', summary: 'IP payload compression (108).' },
  ],
  check: (v, ctx) => {
    const p = protocolArg.check(v, ctx);
    if (p) return p;
    return [50, 51, 108].includes(protocolNumber(v)!) ? undefined : `--proto takes ah, esp or ipcomp (50, 51, 108), not \`${v}\``;
  },
};

const ELEMENT_OPTIONS = ['--reqid', '--spi', '--tunnel-src', '--tunnel-dst', '--proto', '--mode'];

/** libxt_policy's per-element and final checks, and the kernel's direction/hook check. */
function policyCheck(use: Parameters<NonNullable<MatchSpec['check']>>[0]): Problem[] {
  const out: Problem[] = [];
  const dir = use.options.find((o) => o.name === '--dir')?.args[0];
  const none = use.options.find((o) => o.name === '--pol')?.args[0] === 'none';
  const strict = use.options.some((o) => o.name === '--strict');
  const nexts = use.options.filter((o) => o.name === '--next').length;
  if (none && strict) out.push({ option: '--strict', message: '`--pol none` describes packets without IPsec, so there is no policy for --strict to compare' });
  if (none && nexts > 0) out.push({ option: '--next', message: '`--pol none` cannot be followed by policy elements (--next)' });
  if (nexts >= 4) out.push({ option: '--next', message: 'at most four policy elements (three --next) can be matched' });
  // split into elements at --next
  const elements: { name: string; negated: boolean; args: readonly string[] }[][] = [[]];
  for (const o of use.options) {
    if (o.name === '--next') elements.push([]);
    else if (ELEMENT_OPTIONS.includes(o.name)) elements[elements.length - 1]!.push(o);
  }
  elements.forEach((el, i) => {
    const seen = new Set<string>();
    for (const o of el) {
      if (seen.has(o.name)) out.push({ option: o.name, message: `${o.name} is given twice in policy element ${i + 1}; separate elements with --next` });
      seen.add(o.name);
    }
    if (strict && el.length === 0 && !(none && i === 0)) {
      out.push({ option: i > 0 ? '--next' : '--strict', message: `policy element ${i + 1} is empty: with --strict each element needs at least one of ${ELEMENT_OPTIONS.join(', ')}` });
    }
    const mode = el.find((o) => o.name === '--mode');
    const tunnel = mode ? (mode.args[0] === 'tunnel') !== mode.negated : false;
    const addr = el.find((o) => o.name === '--tunnel-src' || o.name === '--tunnel-dst');
    if (addr && !tunnel) out.push({ option: addr.name, message: `${addr.name} only makes sense in tunnel mode: add \`--mode tunnel\` to the same element` });
  });
  if (use.hook && dir === 'in' && (use.hook === 'OUTPUT' || use.hook === 'POSTROUTING')) {
    out.push({ option: '--dir', message: `\`--dir in\` looks at how an arriving packet was decapsulated; the kernel refuses it in ${use.hook}` });
  }
  if (use.hook && dir === 'out' && (use.hook === 'PREROUTING' || use.hook === 'INPUT')) {
    out.push({ option: '--dir', message: `\`--dir out\` looks at the policy a leaving packet will get, which is not known yet in ${use.hook}; the kernel refuses it` });
  }
  return out;
}

export const IPSEC_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'esp',
    families: ['ipv4', 'ipv6'],
    protocols: ['esp'],
    summary: 'IPsec ESP packets, by SPI.',
    doc:
      'Matches the SPI of an ESP packet. Needs `-p esp`. To let IPsec through a firewall you usually need ' +
      '`-p esp`, `-p udp --dport 4500` (NAT traversal) and `-p udp --dport 500` (IKE); the SPI itself is ' +
      'rarely worth filtering on.',
    options: [spiOption('--espspi', 'ESP')],
  },
  {
    kind: 'match',
    name: 'ah',
    families: ['ipv4'],
    protocols: ['ah'],
    summary: 'IPsec Authentication Header, by SPI (IPv4).',
    doc: 'Matches the SPI of an AH packet. Needs `-p ah`. AH cannot cross NAT, so it is mostly seen between fixed gateways.',
    options: [spiOption('--ahspi', 'AH')],
  },
  {
    kind: 'match',
    name: 'ah',
    families: ['ipv6'],
    summary: 'IPsec Authentication Header, by SPI, length and reserved field (IPv6).',
    doc:
      'Matches packets carrying an AH extension header anywhere in the IPv6 header chain; unlike the IPv4 ' +
      'version it does not need `-p ah`. Without options it matches any packet with an AH header.',
    options: [
      spiOption('--ahspi', 'AH'),
      { name: '--ahlen', args: [uint(0xffffffff, { label: 'length', what: 'a header length' })], negatable: true, summary: 'Match the AH payload length field.' },
      { name: '--ahres', args: [], summary: 'Match if the reserved field is not zero.' },
    ],
  },
  {
    kind: 'match',
    name: 'ipcomp',
    families: ['ipv4', 'ipv6'],
    protocols: ['ipcomp'],
    summary: 'IP payload compression (IPComp) packets, by CPI.',
    doc:
      'Matches the compression parameter index of IPComp packets, which IPsec peers may use alongside ESP. ' +
      'Needs `-p ipcomp` (protocol 108).',
    options: [
      { ...spiOption('--ipcompspi', 'IPComp'), summary: 'Match the compression parameter index (CPI), or a range `from:to`.', doc: 'The CPI plays the role of the SPI for IPComp.' },
      { name: '--compres', args: [], summary: 'Match if the reserved field is not zero.' },
    ],
  },
  {
    kind: 'match',
    name: 'policy',
    families: ['ipv4', 'ipv6'],
    summary: 'Was the packet decapsulated by IPsec, or will it be encapsulated?',
    doc:
      'Asks the IPsec (xfrm) layer about the packet. `--dir in --pol ipsec` matches packets that arrived ' +
      'inside an IPsec tunnel and were decrypted, the usual way to accept VPN traffic only when it really came ' +
      'through the tunnel; `--dir out --pol ipsec` matches packets that will be encrypted on the way out. ' +
      '`--pol none` matches the opposite. The element options (`--reqid`, `--proto`, `--mode`...) narrow ' +
      'which policy; `--strict` with `--next` describes the whole stack of transforms in order.',
    check: policyCheck,
    options: [
      {
        name: '--dir',
        args: [choice(POLICY_DIRS, { id: 'policy-dir' })],
        required: true,
        summary: 'Which policy to look at: `in` (decapsulation) or `out` (encapsulation).',
        doc: '`in` is valid in PREROUTING, INPUT and FORWARD; `out` in FORWARD, OUTPUT and POSTROUTING.',
      },
      { name: '--pol', args: [choice(POLICY_KINDS, { id: 'policy-pol' })], summary: 'Match packets handled by IPsec (`ipsec`, the default) or not (`none`).' },
      { name: '--strict', args: [], summary: 'The policy must be exactly the listed elements, in order; otherwise any one element matching is enough.' },
      { name: '--reqid', args: [uint(0xffffffff, { label: 'id', what: 'a request id' })], negatable: true, multi: true, summary: 'Match the reqid of the policy (set in the IPsec configuration).' },
      { name: '--spi', args: [uint(0xffffffff, { label: 'spi', what: 'an SPI' })], negatable: true, multi: true, summary: 'Match the SPI of the security association.' },
      { name: '--proto', args: [ipsecProtocol], negatable: true, multi: true, summary: 'Match the IPsec protocol: ah, esp or ipcomp.' },
      { name: '--mode', args: [choice(POLICY_MODES, { id: 'policy-mode' })], negatable: true, multi: true, summary: 'Match tunnel or transport mode.' },
      { name: '--tunnel-src', args: [hostMaskArg], negatable: true, multi: true, summary: 'Tunnel mode: match the outer source address (address[/mask]).' },
      { name: '--tunnel-dst', args: [hostMaskArg], negatable: true, multi: true, summary: 'Tunnel mode: match the outer destination address (address[/mask]).' },
      { name: '--next', args: [], multi: true, requires: ['--strict'], summary: 'Start the next policy element (only with --strict).' },
    ],
  },
];
