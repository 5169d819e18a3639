/**
 * Targets that label packets or connections for later decisions: MARK, CONNMARK, HMARK, CLASSIFY,
 * SECMARK and CONNSECMARK. All of them let the packet continue with the next rule.
 */
import { markMask, uint } from '../argtypes';
import type { ExtensionUse, OptionSpec, Problem, TargetSpec, ValueDoc } from '../types';
import { classId, cutText, prefixList, prefixMask } from './args';

const u32 = uint(0xffffffff, { label: 'bits', what: 'a 32-bit number' });

const MARK_OPS = ['--set-xmark', '--set-mark', '--and-mark', '--or-mark', '--xor-mark'];
const others = (all: readonly string[], me: string) => all.filter((x) => x !== me);

const MARK_OPTIONS: readonly OptionSpec[] = [
  {
    name: '--set-xmark',
    args: [markMask],
    excludes: others(MARK_OPS, '--set-xmark'),
    summary: 'Clear the bits in mask, then XOR in value (iptables-save writes every MARK this way).',
    doc: 'New mark = (mark AND NOT mask) XOR value. Without `/mask` all 32 bits are replaced.',
  },
  {
    name: '--set-mark',
    args: [markMask],
    excludes: others(MARK_OPS, '--set-mark'),
    summary: 'Clear the bits in mask, then OR in value; without a mask, replace the whole mark.',
    doc:
      'New mark = (mark AND NOT mask) OR value. Use a mask when several tools share the mark (one bit range ' +
      'per purpose): `--set-mark 0x100/0xff00` leaves the low byte alone.',
  },
  { name: '--and-mark', args: [u32], excludes: others(MARK_OPS, '--and-mark'), summary: 'Keep only the mark bits that are set in the value.' },
  { name: '--or-mark', args: [u32], excludes: others(MARK_OPS, '--or-mark'), summary: 'Set the bits of the value in the mark.' },
  { name: '--xor-mark', args: [u32], excludes: others(MARK_OPS, '--xor-mark'), summary: 'Flip the bits of the value in the mark.' },
];

const CONNMARK_OPS = ['--set-xmark', '--set-mark', '--and-mark', '--or-mark', '--xor-mark', '--save-mark', '--restore-mark'];

const HMARK_TUPLE: readonly ValueDoc[] = [
  { name: 'ct', summary: 'Hash the conntrack original-direction tuple (same result for both directions).' },
  { name: 'src', summary: 'Include the source address (masked by --hmark-src-prefix).' },
  { name: 'dst', summary: 'Include the destination address (masked by --hmark-dst-prefix).' },
  { name: 'sport', summary: 'Include the source port.' },
  { name: 'dport', summary: 'Include the destination port.' },
  { name: 'proto', summary: 'Include the layer-4 protocol number.' },
  { name: 'spi', summary: 'Include the IPsec SPI (ESP/AH) instead of ports.' },
];

/** libxt_HMARK.c HMARK_check: which packet fields `--hmark-tuple` turns on, by option they imply. */
function hmarkImplied(use: ExtensionUse): Set<string> {
  const on = new Set(use.options.map((o) => o.name));
  const tuple = use.options.find((o) => o.name === '--hmark-tuple')?.args[0];
  for (const item of tuple?.split(',') ?? []) {
    const t = HMARK_TUPLE.find((x) => x.name.startsWith(item.toLowerCase()) && item !== '');
    if (t?.name === 'sport') on.add('--hmark-sport-mask');
    if (t?.name === 'dport') on.add('--hmark-dport-mask');
    if (t?.name === 'spi') on.add('--hmark-spi-mask');
    if (t?.name === 'src') on.add('--hmark-src-prefix');
    if (t?.name === 'dst') on.add('--hmark-dst-prefix');
    if (t?.name === 'proto') on.add('--hmark-proto-mask');
    if (t?.name === 'ct') on.add('ct');
  }
  return on;
}

function hmarkCheck(use: ExtensionUse): Problem[] {
  const on = hmarkImplied(use);
  const out: Problem[] = [];
  if (on.has('--hmark-spi-mask') && (on.has('--hmark-sport-mask') || on.has('--hmark-dport-mask'))) {
    out.push({ message: 'HMARK cannot hash the IPsec SPI and ports at the same time: drop spi or the port masks (from --hmark-tuple or the --hmark-*-mask options)' });
  } else if (on.has('--hmark-spi') && (on.has('--hmark-sport') || on.has('--hmark-dport'))) {
    out.push({ message: 'the kernel refuses --hmark-spi together with --hmark-sport/--hmark-dport: they share one field' });
  }
  const fields = ['--hmark-src-prefix', '--hmark-dst-prefix', '--hmark-spi-mask', '--hmark-sport-mask', '--hmark-dport-mask', '--hmark-proto-mask', '--hmark-sport', '--hmark-dport', '--hmark-spi', 'ct'];
  if (!fields.some((f) => on.has(f))) {
    out.push({ message: 'HMARK needs something to hash: give --hmark-tuple (for example `src,dst,sport,dport,proto`) or one of the --hmark-*-prefix/-mask options' });
  }
  return out;
}

const SELCTX_DOC =
  'The SELinux policy decides what the label means (which domains may send or receive such packets). The ' +
  'rule fails to load when SELinux is disabled or the context is unknown to the loaded policy.';

export const MARKING_TARGETS: readonly TargetSpec[] = [
  {
    kind: 'target',
    name: 'MARK',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    needsOneOf: MARK_OPS,
    summary: 'Set the packet\'s firewall mark (fwmark) for policy routing, tc or later rules; then continue.',
    doc:
      'The mark is a 32-bit number carried with the packet inside this host only; it is never sent on the wire. ' +
      '`ip rule add fwmark ...`, tc filters and `-m mark` read it. It belongs to one packet: to treat a whole ' +
      'connection alike, copy it into the connection with `CONNMARK --save-mark` and back with ' +
      '`--restore-mark`.\n\nWhere it takes effect: set in mangle PREROUTING (or OUTPUT, which triggers a ' +
      're-route) to influence routing; a mark set in POSTROUTING comes too late for routing but still counts ' +
      'for tc. Use a mask when other software (VPNs, Kubernetes, firewalld) also uses mark bits.',
    options: MARK_OPTIONS,
  },
  {
    kind: 'target',
    name: 'CONNMARK',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    needsOneOf: CONNMARK_OPS,
    summary: 'Set the connection\'s mark in conntrack, or copy marks between packet and connection; then continue.',
    doc:
      'The connection mark lives in the conntrack entry, so every later packet of the connection, in both ' +
      'directions, can get it back. The classic pair: in mangle PREROUTING `-j CONNMARK --restore-mark` first, ' +
      'then mark the still-unmarked packets (`-m mark --mark 0`) and `-j CONNMARK --save-mark`. `-m connmark` ' +
      'matches it directly.\n\nMasks: with `--save-mark` the connection gets (ctmark AND NOT ctmask) XOR (mark ' +
      'AND nfmask); `--restore-mark` does the reverse. Keep the masks equal to the bits you own when other ' +
      'software shares the mark.',
    options: [
      {
        name: '--set-xmark',
        args: [markMask],
        excludes: others(CONNMARK_OPS, '--set-xmark'),
        summary: 'Clear the mask bits of the connection mark, then XOR in value.',
      },
      {
        name: '--set-mark',
        args: [markMask],
        excludes: others(CONNMARK_OPS, '--set-mark'),
        summary: 'Clear the mask bits of the connection mark, then OR in value; without a mask, replace it.',
      },
      { name: '--and-mark', args: [u32], excludes: others(CONNMARK_OPS, '--and-mark'), summary: 'Keep only the connection-mark bits set in the value.' },
      { name: '--or-mark', args: [u32], excludes: others(CONNMARK_OPS, '--or-mark'), summary: 'Set the bits of the value in the connection mark.' },
      { name: '--xor-mark', args: [u32], excludes: others(CONNMARK_OPS, '--xor-mark'), summary: 'Flip the bits of the value in the connection mark.' },
      {
        name: '--save-mark',
        args: [],
        excludes: others(CONNMARK_OPS, '--save-mark'),
        summary: 'Copy the packet mark into the connection mark (bits chosen by --nfmask/--ctmask).',
      },
      {
        name: '--restore-mark',
        args: [],
        excludes: others(CONNMARK_OPS, '--restore-mark'),
        summary: 'Copy the connection mark into the packet mark (bits chosen by --ctmask/--nfmask).',
        doc: 'Usually the first rule of mangle PREROUTING and OUTPUT, so later packets of a marked connection are routed like the first.',
      },
      { name: '--nfmask', args: [u32], excludes: ['--mask'], summary: 'Which packet-mark bits take part in save/restore (default all).' },
      { name: '--ctmask', args: [u32], excludes: ['--mask'], summary: 'Which connection-mark bits take part in save/restore (default all).' },
      { name: '--mask', args: [u32], excludes: ['--nfmask', '--ctmask'], summary: 'Sets --nfmask and --ctmask to the same value.' },
      {
        name: '--left-shift-mark',
        args: [uint(31, { label: 'bits', what: 'a shift (the kernel refuses 32)' })],
        summary: 'Shift the copied value left by this many bits (0-31), to move it into another bit range.',
      },
      {
        name: '--right-shift-mark',
        args: [uint(31, { label: 'bits', what: 'a shift (the kernel refuses 32)' })],
        summary: 'Shift the copied value right by this many bits (0-31).',
      },
    ],
  },
  {
    kind: 'target',
    name: 'HMARK',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    check: hmarkCheck,
    summary: 'Set the mark to a hash of addresses/ports modulo N (plus offset): spread flows over N paths.',
    doc:
      'mark = offset + hash(selected fields) mod `--hmark-mod`. The hash is the same for both directions of a ' +
      'flow, so with `ip rule fwmark` it pins each flow to one of N routes, links or servers. Prefixes let whole ' +
      'subnets hash alike. `--hmark-rnd` seeds the hash: use the same value on every box that must agree. The ' +
      'mark replaces the whole packet mark; fragments without ports hash on addresses only.',
    options: [
      {
        name: '--hmark-tuple',
        args: [prefixList(HMARK_TUPLE, 'ct|src|dst|sport|dport|proto|spi[,...]')],
        summary: 'Fields to hash: a list of ct, src, dst, sport, dport, proto, spi (abbreviations allowed).',
      },
      { name: '--hmark-src-prefix', args: [prefixMask], summary: 'Hash only this many leading bits of the source address (length or netmask).' },
      { name: '--hmark-dst-prefix', args: [prefixMask], summary: 'Hash only this many leading bits of the destination address.' },
      { name: '--hmark-sport-mask', args: [uint(0xffff, { label: 'mask' })], summary: 'Mask applied to the source port before hashing.' },
      { name: '--hmark-dport-mask', args: [uint(0xffff, { label: 'mask' })], summary: 'Mask applied to the destination port before hashing.' },
      { name: '--hmark-spi-mask', args: [u32], summary: 'Mask applied to the IPsec SPI before hashing (not together with port masks).' },
      { name: '--hmark-proto-mask', args: [uint(0xffff, { label: 'mask' })], summary: 'Mask applied to the protocol number before hashing.' },
      { name: '--hmark-sport', args: [uint(0xffff, { label: 'port' })], summary: 'Hash this fixed source port instead of the packet\'s.' },
      { name: '--hmark-dport', args: [uint(0xffff, { label: 'port' })], summary: 'Hash this fixed destination port instead of the packet\'s.' },
      { name: '--hmark-spi', args: [u32], summary: 'Hash this fixed SPI instead of the packet\'s.' },
      { name: '--hmark-rnd', args: [u32], required: true, summary: 'Random seed of the hash (required).' },
      { name: '--hmark-mod', args: [uint(0xffffffff, { min: 1, label: 'N' })], required: true, summary: 'Number of buckets N: the hash is taken modulo N (required, at least 1).' },
      { name: '--hmark-offset', args: [u32], summary: 'Added to the bucket number, so marks run from offset to offset+N-1.' },
    ],
  },
  {
    kind: 'target',
    name: 'CLASSIFY',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'],
    summary: 'Put the packet into a tc class (sets skb->priority to major:minor); then continue.',
    doc:
      'A classful qdisc on the outgoing interface (HTB, HFSC, PRIO...) sends the packet to the class ' +
      '`major:minor` without needing tc filters. Both numbers are hexadecimal, as in tc: `1:10` is class 1:10 ' +
      'of qdisc 1:. If no such class exists on the outgoing interface the qdisc falls back to its default. Only ' +
      'valid where the outgoing interface is known or about to be: FORWARD, OUTPUT and POSTROUTING.',
    options: [{ name: '--set-class', args: [classId], required: true, summary: 'The class, `major:minor` in hexadecimal (as tc writes it).' }],
  },
  {
    kind: 'target',
    name: 'SECMARK',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    tables: ['mangle', 'security'],
    summary: 'Label the packet with an SELinux security context for MAC policy; then continue.',
    doc:
      'Sets the packet\'s security mark from a context such as `system_u:object_r:http_packet_t:s0`. ' +
      SELCTX_DOC +
      ' Labels are per packet: use CONNSECMARK to give a whole connection the label of its first packet.',
    options: [
      {
        name: '--selctx',
        args: [cutText(255, 'security context', { cutBy: 'iptables' })],
        required: true,
        summary: 'SELinux context to put on the packet.',
      },
    ],
  },
  {
    kind: 'target',
    name: 'CONNSECMARK',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    tables: ['mangle', 'security'],
    needsOneOf: ['--save', '--restore'],
    summary: 'Copy the SELinux packet label to the connection (--save) or back (--restore); then continue.',
    doc:
      '`--save` stores the packet\'s security mark in the conntrack entry if the connection has none yet; ' +
      '`--restore` gives an unlabelled packet the connection\'s label. Used with SECMARK so that every packet ' +
      'of a connection, replies included, carries the label of the first one.',
    options: [
      { name: '--save', args: [], excludes: ['--restore'], summary: 'Packet label to connection (only when the connection has none).' },
      { name: '--restore', args: [], excludes: ['--save'], summary: 'Connection label to packet (only when the packet has none).' },
    ],
  },
];
