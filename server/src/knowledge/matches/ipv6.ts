/**
 * ip6tables-only matches on the IPv6 header and its extension headers: hl, dst, hbh, frag, rt,
 * srh, mh, ipv6header, eui64. Option tables follow extensions/libip6t_*.c of iptables 1.8.9.
 */
import { hostMaskArg, parseIPv6, parseUnsigned, uint, uintRangeRC } from '../argtypes';
import type { ArgType, MatchSpec, OptionSpec, Problem, ValueDoc } from '../types';
import { IP_PROTOCOLS } from '../values/netbase';

const IPV6: MatchSpec['families'] = ['ipv6'];

// ---------------------------------------------------------------------------------------------
// hl

function hlOption(name: string, what: string, negatable: boolean, others: string[]): OptionSpec {
  return {
    name,
    args: [uint(255, { label: 'value', what: 'a hop limit' })],
    negatable,
    excludes: others,
    summary: `Match packets whose hop limit ${what}.`,
  };
}

// ---------------------------------------------------------------------------------------------
// dst / hbh option lists

/** strtoul(base 0) on a whole word as libip6t_dst/hbh's parse_opts_num reads it. */
function optsNumber(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const v = parseUnsigned(m[2]!);
  if (v === undefined || v > 2n ** 64n - 1n) return undefined;
  return m[1] === '-' ? (2n ** 64n - v) % 2n ** 64n : v;
}

/** `type[:length][,type[:length]...]`: at most 16 entries, and `0` (Pad1) cannot take a length. */
function optionList(header: string): ArgType {
  return {
    id: `ipv6-opts:${header}`,
    label: 'type[:length][,...]',
    check: (v) => {
      const items = v.split(',');
      if (items.length > 16) return `at most 16 options can be listed; this list has ${items.length}`;
      for (let i = 0; i < items.length; i++) {
        const [type, len, extra] = items[i]!.split(':');
        if (extra !== undefined) return `\`${items[i]}\` has more than one \`:\`: write \`type:length\``;
        const t = optsNumber(type!);
        if (t === undefined) return `\`${type}\` is not an option type number`;
        if (len !== undefined) {
          if (i === 15) return 'the 16th option cannot carry a length';
          if ((t & 0xffn) === 0n) return 'option type 0 (Pad1) is a single byte and has no length to match';
          if (optsNumber(len) === undefined) return `\`${len}\` is not a length number`;
        }
      }
      return undefined;
    },
    warn: (v) => {
      for (const item of v.split(',')) {
        for (const n of item.split(':')) {
          const x = optsNumber(n);
          if (x !== undefined && x > 255n) return `\`${n}\` is above 255: only its low 8 bits are used (${x & 0xffn})`;
        }
      }
      return undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ipv6header

const HEADER_WORDS: readonly (ValueDoc & { number: number })[] = [
  { name: 'hop-by-hop', aliases: ['hop', '0'], number: 0, summary: 'Hop-by-hop options header (next header 0).' },
  { name: 'dst', aliases: ['60'], number: 60, summary: 'Destination options header (60).' },
  { name: 'route', aliases: ['43'], number: 43, summary: 'Routing header (43).' },
  { name: 'frag', aliases: ['44'], number: 44, summary: 'Fragment header (44).' },
  { name: 'auth', aliases: ['51'], number: 51, summary: 'IPsec Authentication Header (51).' },
  { name: 'esp', aliases: ['50'], number: 50, summary: 'IPsec ESP header (50).' },
  { name: 'none', aliases: ['59'], number: 59, summary: 'No next header (59).' },
  { name: 'protocol', aliases: ['prot', '255'], number: 255, summary: 'Any upper-layer protocol header (TCP, UDP, ICMPv6...).' },
];
const HEADER_NUMBERS = new Set(HEADER_WORDS.map((h) => h.number));

/** How libip6t_ipv6header reads one word: /etc/protocols first (exact case), then its own names. */
function headerNumber(word: string): number | string {
  const p = IP_PROTOCOLS.find((e) => e.name === word || e.aliases.includes(word));
  const n = p ? p.number : HEADER_WORDS.find((h) => h.name === word || h.aliases?.includes(word))?.number;
  if (n === undefined) return `unknown header \`${word}\`: use ${HEADER_WORDS.map((h) => h.name).join(', ')}`;
  if (!HEADER_NUMBERS.has(n)) return `\`${word}\` (protocol ${n}) is not an IPv6 extension header this match knows; use ${HEADER_WORDS.map((h) => h.name).join(', ')}`;
  return n;
}

const headerList: ArgType = {
  id: 'ipv6-header-list',
  label: 'header[,header...]',
  values: HEADER_WORDS,
  list: true,
  check: (v) => {
    const words = v.split(',').filter((w) => w !== '');
    if (words.length === 0) return 'name at least one header';
    for (const w of words) {
      const n = headerNumber(w);
      if (typeof n === 'string') return n;
    }
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// mh

const MH_TYPES: readonly (ValueDoc & { number: number })[] = [
  { name: 'binding-refresh-request', aliases: ['brr'], number: 0, summary: 'Type 0: the correspondent asks the mobile node to refresh its binding.' },
  { name: 'home-test-init', aliases: ['hoti'], number: 1, summary: 'Type 1: return-routability test through the home agent, first step.' },
  { name: 'careof-test-init', aliases: ['coti'], number: 2, summary: 'Type 2: return-routability test from the care-of address, first step.' },
  { name: 'home-test', aliases: ['hot'], number: 3, summary: 'Type 3: answer to home-test-init.' },
  { name: 'careof-test', aliases: ['cot'], number: 4, summary: 'Type 4: answer to careof-test-init.' },
  { name: 'binding-update', aliases: ['bu'], number: 5, summary: 'Type 5: the mobile node announces its current care-of address.' },
  { name: 'binding-acknowledgement', aliases: ['ba'], number: 6, summary: 'Type 6: answer to a binding update.' },
  { name: 'binding-error', aliases: ['be'], number: 7, summary: 'Type 7: a binding-related error.' },
];

/** libip6t_mh name_to_type: any case-insensitive prefix of a name (an exact one wins), or 0-255. */
function mhType(word: string): number | undefined {
  const all = MH_TYPES.flatMap((t) => [t.name, ...(t.aliases ?? [])].map((n) => ({ n, t: t.number })));
  const lw = word.toLowerCase();
  const prefixed = all.filter((x) => x.n.startsWith(lw));
  if (prefixed.length) return (prefixed.find((x) => x.n.length === lw.length) ?? prefixed[0]!).t;
  const m = /^[ \t]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(word);
  const n = m ? parseUnsigned(m[1]!) : undefined;
  return n !== undefined && n <= 255n ? Number(n) : undefined;
}

const mhTypeRange: ArgType = {
  id: 'mh-type-range',
  label: 'type[:type]',
  values: MH_TYPES,
  check: (v) => {
    const i = v.indexOf(':');
    if (i < 0) return mhType(v) === undefined ? `\`${v}\` is not a mobility header type name or number 0-255` : undefined;
    const a = v.slice(0, i);
    const b = v.slice(i + 1);
    const lo = a === '' ? 0 : mhType(a);
    const hi = b === '' ? 255 : mhType(b);
    if (lo === undefined) return `\`${a}\` is not a mobility header type name or number 0-255`;
    if (hi === undefined) return `\`${b}\` is not a mobility header type name or number 0-255`;
    if (lo > hi) return `the type range \`${v}\` starts above its end`;
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// rt

const rtAddresses: ArgType = {
  id: 'rt0-addresses',
  label: 'address[,address...]',
  check: (v) => {
    const items = v.split(',');
    if (items.length > 16) return `at most 16 addresses can be listed; this list has ${items.length}`;
    for (const a of items) if (!parseIPv6(a)) return `\`${a}\` is not a numeric IPv6 address (host names are not resolved here)`;
    return undefined;
  },
};

/** The order-dependent checks libip6t_rt makes while reading the options. */
function rtCheck(options: readonly { name: string; negated: boolean; args: readonly string[] }[]): Problem[] {
  let type0 = false;
  let addrs = false;
  const out: Problem[] = [];
  for (const o of options) {
    if (o.name === '--rt-type') type0 = !o.negated && parseUnsigned(o.args[0] ?? '') === 0n;
    if ((o.name === '--rt-0-res' || o.name === '--rt-0-addrs') && !type0) {
      out.push({ option: o.name, message: `${o.name} needs \`--rt-type 0\` (not negated) before it: it looks inside type 0 routing headers only` });
    }
    if (o.name === '--rt-0-addrs') addrs = true;
    if (o.name === '--rt-0-not-strict' && !addrs) out.push({ option: o.name, message: '--rt-0-not-strict needs --rt-0-addrs before it' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// srh

function srhNumber(name: string, what: string, max: number, field: string): OptionSpec {
  return {
    name,
    args: [uint(max, { label: 'value', what: `a ${field}` })],
    negatable: true,
    summary: `Match the segment routing header whose ${what}.`,
  };
}

function srhSid(name: string, which: string): OptionSpec {
  return {
    name,
    args: [hostMaskArg],
    negatable: true,
    summary: `Match the ${which} segment (address[/mask]) of the segment routing header.`,
  };
}

// ---------------------------------------------------------------------------------------------

export const IPV6_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'hl',
    families: IPV6,
    needsOneOf: ['--hl-eq', '--hl-lt', '--hl-gt'],
    summary: 'IPv6 hop limit (the IPv6 TTL).',
    doc:
      'Compares the hop limit field of the IPv6 header. Hosts start at 64 or 255 and every router takes one ' +
      'off, so the value says how far away the sender is. Neighbour discovery and router advertisements must ' +
      'arrive with 255: `-m hl --hl-eq 255` is the usual sanity check that they were not routed. Only one ' +
      'comparison per `-m hl`.',
    options: [
      { ...hlOption('--hl-eq', 'equals the value', true, ['--hl-lt', '--hl-gt']), aliases: ['--hl'], doc: '`! --hl-eq` matches every other hop limit. The short `--hl` means the same.' },
      hlOption('--hl-lt', 'is below the value', false, ['--hl-eq', '--hl-gt']),
      hlOption('--hl-gt', 'is above the value', false, ['--hl-eq', '--hl-lt']),
    ],
  },
  {
    kind: 'match',
    name: 'dst',
    families: IPV6,
    summary: 'IPv6 Destination Options extension header.',
    doc:
      'Matches packets that carry a Destination Options header, optionally by its length and by the options ' +
      'inside. Without options it matches any packet that has the header. Such headers are rare in normal ' +
      'traffic, which makes them a common thing to drop at the border.',
    options: [
      { name: '--dst-len', args: [uint(0xffffffff, { label: 'length', what: 'a header length' })], negatable: true, summary: 'Match the header length field (in 8-byte units, not counting the first 8 bytes).' },
      {
        name: '--dst-opts',
        args: [optionList('dst')],
        summary: 'Match these option types (and lengths) in this order: `type[:length],...`.',
        doc: 'Each entry is an option type number, optionally with `:length`. Up to 16 entries.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'hbh',
    families: IPV6,
    summary: 'IPv6 Hop-by-Hop Options extension header.',
    doc:
      'Matches packets with a Hop-by-Hop Options header, optionally by length and contents. Every router on ' +
      'the path must look at this header, which is why it has been used to load routers; MLD and the router ' +
      'alert option travel in it, so dropping it wholesale breaks multicast listener discovery.',
    options: [
      { name: '--hbh-len', args: [uint(0xffffffff, { label: 'length', what: 'a header length' })], negatable: true, summary: 'Match the header length field (in 8-byte units, not counting the first 8 bytes).' },
      {
        name: '--hbh-opts',
        args: [optionList('hbh')],
        summary: 'Match these option types (and lengths) in this order: `type[:length],...`.',
        doc: 'Each entry is an option type number, optionally with `:length` (5 is router alert). Up to 16 entries.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'frag',
    families: IPV6,
    summary: 'IPv6 Fragment header: identification, first/more/last fragment.',
    doc:
      'Matches packets carrying a Fragment header. With connection tracking loaded the kernel reassembles ' +
      'IPv6 fragments before most rules see them (only raw PREROUTING and OUTPUT see the pieces), so this ' +
      'match mostly matters in the raw table or without conntrack.',
    options: [
      { name: '--fragid', args: [uintRangeRC(0xffffffff, { label: 'id[:id]', what: 'a fragment identification' })], negatable: true, summary: 'Match the identification field, or a range `from:to`.' },
      { name: '--fraglen', args: [uint(0xffffffff, { label: 'length', what: 'a length' })], negatable: true, summary: 'Match the header length field (current kernels ignore it).' },
      { name: '--fragres', args: [], summary: 'Match if the reserved fields are not zero.' },
      { name: '--fragfirst', args: [], summary: 'Match the first fragment (offset 0).' },
      { name: '--fragmore', args: [], excludes: ['--fraglast'], summary: 'Match fragments with more fragments following (M flag set).' },
      { name: '--fraglast', args: [], excludes: ['--fragmore'], summary: 'Match the last fragment (M flag clear).' },
    ],
  },
  {
    kind: 'match',
    name: 'rt',
    families: IPV6,
    summary: 'IPv6 Routing header: type, segments left, length, type 0 addresses.',
    doc:
      'Matches packets with a Routing header. Type 0 routing headers were deprecated by RFC 5095 because they ' +
      'allowed traffic amplification; `-m rt --rt-type 0 -j DROP` is the classic rule against them. Segment ' +
      'routing (type 4) has its own match, `-m srh`.',
    check: (use) => rtCheck(use.options),
    options: [
      { name: '--rt-type', args: [uint(0xffffffff, { label: 'type', what: 'a routing type' })], negatable: true, summary: 'Match the routing type (0, 2 for Mobile IPv6, 4 for segment routing).' },
      { name: '--rt-segsleft', args: [uintRangeRC(0xffffffff, { label: 'num[:num]', what: 'a count' })], negatable: true, summary: 'Match the number of segments left, or a range.' },
      { name: '--rt-len', args: [uint(0xffffffff, { label: 'length', what: 'a length' })], negatable: true, summary: 'Match the header length field.' },
      { name: '--rt-0-res', args: [], summary: 'Type 0 only: match if the reserved field is set (needs `--rt-type 0` first).' },
      { name: '--rt-0-addrs', args: [rtAddresses], summary: 'Type 0 only: match these addresses, in order (needs `--rt-type 0` first).' },
      { name: '--rt-0-not-strict', args: [], summary: 'With --rt-0-addrs: the listed addresses may be a subset, not the whole list.' },
    ],
  },
  {
    kind: 'match',
    name: 'srh',
    families: IPV6,
    summary: 'IPv6 Segment Routing Header (routing type 4) fields.',
    doc:
      'Matches packets with a segment routing header (SRv6) by its next header, length, segments left, last ' +
      'entry, tag, and by the previous, next and last segment identifiers. Without options it matches any ' +
      'packet carrying such a header.',
    options: [
      { name: '--srh-next-hdr', args: [uint(255, { label: 'protocol', what: 'a next-header number' })], negatable: true, summary: 'Match the next header number after the SRH.' },
      srhNumber('--srh-hdr-len-eq', 'length equals the value', 255, 'header length'),
      srhNumber('--srh-hdr-len-gt', 'length is above the value', 255, 'header length'),
      srhNumber('--srh-hdr-len-lt', 'length is below the value', 255, 'header length'),
      srhNumber('--srh-segs-left-eq', 'segments-left field equals the value', 255, 'count'),
      srhNumber('--srh-segs-left-gt', 'segments-left field is above the value', 255, 'count'),
      srhNumber('--srh-segs-left-lt', 'segments-left field is below the value', 255, 'count'),
      srhNumber('--srh-last-entry-eq', 'last-entry index equals the value', 255, 'index'),
      srhNumber('--srh-last-entry-gt', 'last-entry index is above the value', 255, 'index'),
      srhNumber('--srh-last-entry-lt', 'last-entry index is below the value', 255, 'index'),
      srhNumber('--srh-tag', 'tag equals the value', 65535, 'tag'),
      srhSid('--srh-psid', 'previous'),
      srhSid('--srh-nsid', 'next'),
      srhSid('--srh-lsid', 'last'),
    ],
  },
  {
    kind: 'match',
    name: 'mh',
    families: IPV6,
    protocols: ['mh'],
    summary: 'Mobile IPv6 mobility header type.',
    doc:
      'Matches Mobile IPv6 signalling (binding updates, return-routability tests...) by message type. Needs ' +
      '`-p mh` (also written `-p mobility-header` or `-p 135`); without `--mh-type` it matches every ' +
      'mobility message.',
    options: [
      {
        name: '--mh-type',
        args: [mhTypeRange],
        negatable: true,
        summary: 'Match a mobility message type by name or number, or a range `from:to`.',
        doc: 'Names may be shortened (`bu` is binding-update). `ip6tables -p mh -h` lists them.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'ipv6header',
    families: IPV6,
    summary: 'Which IPv6 extension headers the packet carries.',
    doc:
      'Walks the chain of IPv6 extension headers and compares the set found with the list given. By default ' +
      'the packet must carry exactly those headers and no others; with `--soft` it matches when any of them ' +
      'is present. Use it to drop packets with unexpected extension headers before they reach services.',
    options: [
      {
        name: '--header',
        args: [headerList],
        negatable: true,
        required: true,
        summary: 'The headers to look for: hop-by-hop, dst, route, frag, auth, esp, none, protocol.',
        doc: '`protocol` stands for any upper-layer header (TCP, UDP, ICMPv6...). Names from /etc/protocols such as `ipv6-frag` work too.',
      },
      { name: '--soft', args: [], summary: 'Match if any listed header is present, instead of exactly the listed set.' },
    ],
  },
  {
    kind: 'match',
    name: 'eui64',
    families: IPV6,
    hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
    summary: 'Source address built from the sender\'s MAC (EUI-64 interface identifier).',
    doc:
      'Matches when the low 64 bits of the IPv6 source address are the modified EUI-64 identifier derived ' +
      'from the Ethernet source address, that is, when the sender configured its address from its MAC. ' +
      'Addresses from privacy extensions, DHCPv6 or manual setup do not match. Only for packets that arrived ' +
      'over Ethernet, so the kernel allows it in PREROUTING, INPUT and FORWARD only.',
    options: [],
  },
];
