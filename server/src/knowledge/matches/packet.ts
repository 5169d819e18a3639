/**
 * Matches on header fields and bytes of the packet itself: length, ttl, tos, dscp, ecn, pkttype,
 * string, u32 and bpf. Options follow the libxt_/libipt_ files of iptables 1.8.9 of the same name.
 */
import { choice, parseUintIn, scanUnsigned, uint, uintRangeRC } from '../argtypes';
import type { ArgType, MatchSpec, OptionSpec, Problem, ValueDoc } from '../types';

// ---------------------------------------------------------------------------------------------
// ttl

function ttlOption(name: string, what: string, negatable: boolean, others: string[]): OptionSpec {
  return {
    name,
    args: [uint(255, { label: 'value', what: 'a TTL' })],
    negatable,
    excludes: others,
    summary: `Match packets whose TTL ${what}.`,
  };
}

// ---------------------------------------------------------------------------------------------
// tos and dscp

const TOS_NAMES: readonly (ValueDoc & { value: number })[] = [
  { name: 'Minimize-Delay', value: 0x10, summary: '0x10: interactive traffic (ssh, telnet).' },
  { name: 'Maximize-Throughput', value: 0x08, summary: '0x08: bulk transfers.' },
  { name: 'Maximize-Reliability', value: 0x04, summary: '0x04: traffic that should not be lost.' },
  { name: 'Minimize-Cost', value: 0x02, summary: '0x02: the cheapest path.' },
  { name: 'Normal-Service', value: 0x00, summary: '0x00: no preference.' },
];

/** XTTYPE_TOSMASK: `value[/mask]` with numbers 0-255, or one of the RFC 1349 names in any case. */
const tosValueMask: ArgType = {
  id: 'tos-value-mask',
  label: 'value[/mask]|name',
  values: TOS_NAMES,
  check: (v) => {
    const a = scanUnsigned(v);
    if (a && a.value <= 255n) {
      if (a.rest === '') return undefined;
      if (a.rest[0] === '/') {
        const b = scanUnsigned(a.rest.slice(1));
        if (b && b.value <= 255n && b.rest === '') return undefined;
      }
      return `\`${v}\` is not \`value[/mask]\` with numbers from 0 to 255`;
    }
    if (TOS_NAMES.some((n) => n.name.toLowerCase() === v.toLowerCase())) return undefined;
    return `\`${v}\` is neither a number from 0 to 255 (with an optional /mask) nor a TOS name (${TOS_NAMES.map((n) => n.name).join(', ')})`;
  },
};

const DSCP_CLASSES: readonly (ValueDoc & { value: number })[] = [
  { name: 'CS0', value: 0x00, summary: 'Class selector 0 (0x00): default, best effort.' },
  { name: 'CS1', value: 0x08, summary: 'Class selector 1 (0x08): lower effort / scavenger.' },
  { name: 'CS2', value: 0x10, summary: 'Class selector 2 (0x10): network management.' },
  { name: 'CS3', value: 0x18, summary: 'Class selector 3 (0x18): broadcast video, signalling.' },
  { name: 'CS4', value: 0x20, summary: 'Class selector 4 (0x20): real-time interactive.' },
  { name: 'CS5', value: 0x28, summary: 'Class selector 5 (0x28): signalling.' },
  { name: 'CS6', value: 0x30, summary: 'Class selector 6 (0x30): network control (routing protocols).' },
  { name: 'CS7', value: 0x38, summary: 'Class selector 7 (0x38): reserved.' },
  { name: 'BE', value: 0x00, summary: 'Best effort (0x00), the same as CS0.' },
  { name: 'AF11', value: 0x0a, summary: 'Assured forwarding class 1, low drop (0x0a).' },
  { name: 'AF12', value: 0x0c, summary: 'Assured forwarding class 1, medium drop (0x0c).' },
  { name: 'AF13', value: 0x0e, summary: 'Assured forwarding class 1, high drop (0x0e).' },
  { name: 'AF21', value: 0x12, summary: 'Assured forwarding class 2, low drop (0x12).' },
  { name: 'AF22', value: 0x14, summary: 'Assured forwarding class 2, medium drop (0x14).' },
  { name: 'AF23', value: 0x16, summary: 'Assured forwarding class 2, high drop (0x16).' },
  { name: 'AF31', value: 0x1a, summary: 'Assured forwarding class 3, low drop (0x1a).' },
  { name: 'AF32', value: 0x1c, summary: 'Assured forwarding class 3, medium drop (0x1c).' },
  { name: 'AF33', value: 0x1e, summary: 'Assured forwarding class 3, high drop (0x1e).' },
  { name: 'AF41', value: 0x22, summary: 'Assured forwarding class 4, low drop (0x22).' },
  { name: 'AF42', value: 0x24, summary: 'Assured forwarding class 4, medium drop (0x24).' },
  { name: 'AF43', value: 0x26, summary: 'Assured forwarding class 4, high drop (0x26).' },
  { name: 'EF', value: 0x2e, summary: 'Expedited forwarding (0x2e): voice.' },
];

/** dscp_helper.c class_to_dscp: the word must start with a class name (any case). */
const dscpClass: ArgType = {
  id: 'dscp-class',
  label: 'class',
  values: DSCP_CLASSES,
  check: (v) => (DSCP_CLASSES.some((c) => v.toUpperCase().startsWith(c.name)) ? undefined : `\`${v}\` is not a DSCP class: use ${DSCP_CLASSES.map((c) => c.name).join(', ')}`),
  warn: (v) => {
    const c = DSCP_CLASSES.find((x) => v.toUpperCase().startsWith(x.name));
    return c && v.length > c.name.length ? `only the start of \`${v}\` is read: this is class ${c.name}` : undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// pkttype

const PACKET_TYPES: readonly ValueDoc[] = [
  { name: 'unicast', aliases: ['host'], summary: 'Addressed to this host\'s link-layer address.' },
  { name: 'broadcast', aliases: ['bcast'], summary: 'Sent to the link-layer broadcast address.' },
  { name: 'multicast', aliases: ['mcast'], summary: 'Sent to a link-layer multicast address.' },
  { name: 'otherhost', summary: 'Addressed to another host\'s link-layer address (promiscuous mode, bridges).' },
];

// ---------------------------------------------------------------------------------------------
// string

/** libxt_string.c parse_hex_string: `text|0a 0d|text`, `\\x` literals outside hex blocks. Returns the pattern length or a message. */
export function hexStringLength(s: string): number | string {
  let i = 0;
  let n = 0;
  let hex = false;
  let literal = false;
  if (s.length === 0) return 'the pattern must contain at least one byte';
  while (i < s.length) {
    if (n >= 128) return 'the pattern is longer than 128 bytes';
    if (s[i] === '\\' && !hex) literal = true;
    else if (s[i] === '\\') return 'a `\\` literal cannot appear inside a `|hex|` block';
    else if (s[i] === '|') {
      if (hex) hex = false;
      else {
        hex = true;
        while (s[i + 1] === ' ') i++;
      }
      if (i + 1 >= s.length) break;
      i++;
    }
    if (literal) {
      if (i + 1 >= s.length) return 'a `\\` at the end of the pattern escapes nothing';
      i += 2;
      literal = false;
    } else if (hex) {
      if (i + 1 >= s.length) return 'odd number of hex digits in a `|hex|` block';
      if (i + 2 >= s.length) return 'a `|hex|` block is not closed with `|`';
      if (!/[0-9a-fA-F]/.test(s[i]!)) return `\`${s[i]}\` is not a hex digit`;
      if (!/[0-9a-fA-F]/.test(s[i + 1]!)) return `\`${s[i + 1]}\` is not a hex digit`;
      i += s[i + 2] === ' ' ? 3 : 2;
    } else i++;
    n++;
  }
  return n;
}

const hexString: ArgType = {
  id: 'hex-string',
  label: 'text|hex bytes|text',
  check: (v) => {
    const r = hexStringLength(v);
    if (typeof r === 'string') return r;
    if (r === 0) return 'the pattern is empty; the kernel refuses to search for nothing';
    return undefined;
  },
};

const plainString: ArgType = {
  id: 'search-string',
  label: 'text',
  check: (v) => {
    const len = Buffer.byteLength(v, 'utf8');
    if (len > 128) return `the pattern is ${len} bytes long; at most 128 are allowed`;
    if (len === 0) return 'the pattern is empty; the kernel refuses to search for nothing';
    return undefined;
  },
};

const ALGOS: readonly ValueDoc[] = [
  { name: 'bm', summary: 'Boyer-Moore: fast for longer patterns; may miss matches split across fragments of a packet.' },
  { name: 'kmp', summary: 'Knuth-Morris-Pratt: steady speed, handles patterns split across packet fragments.' },
];

const algo: ArgType = {
  id: 'string-algo',
  label: 'bm|kmp',
  values: ALGOS,
  check: (v) => (['bm', 'kmp', 'fsm'].includes(v) ? undefined : `\`${v}\` is not a text search algorithm the kernel has: use bm or kmp`),
  warn: (v) => (v === 'fsm' ? 'the fsm algorithm needs the ts_fsm kernel module, which many kernels do not build; use bm or kmp' : undefined),
};

// ---------------------------------------------------------------------------------------------
// u32

/** libxt_u32.c u32_parse: returns a message or undefined. */
export function u32Problem(arg: string): string | undefined {
  let i = 0;
  let state = 0;
  let tests = 0;
  let loc = 0;
  let vals = 0;
  const ws = () => {
    while (i < arg.length && /[ \t\n\v\f\r]/.test(arg[i]!)) i++;
  };
  const num = (): boolean => {
    const r = scanUnsigned(arg.slice(i));
    if (!r || r.value > 0xffffffffn) return false;
    i = arg.length - r.rest.length;
    return true;
  };
  for (;;) {
    ws();
    if (i >= arg.length) {
      if (state === 0) return 'the test ends after a location: add `=value`';
      if (vals === 0) return 'the test ends without a value after `=`';
      return tests + 1 > 10 ? 'at most 10 tests can be joined with `&&`' : undefined;
    }
    const c = arg[i]!;
    if (state === 0) {
      if (c === '=') {
        if (loc === 0) return `at character ${i}: a location is missing before \`=\``;
        i++;
        state = 1;
        continue;
      }
      if (loc !== 0) {
        if (c === '<' || c === '>') {
          if (arg[i + 1] !== c) return `at character ${i + 1}: expected \`${c}${c}\``;
          i++;
        } else if (c !== '&' && c !== '@') return `at character ${i}: expected an operator (&, <<, >>, @) or \`=\``;
        i++;
      }
      if (!num()) return `at character ${i}: expected a number from 0 to 0xffffffff`;
      if (++loc > 10) return 'a location can hold at most 10 numbers and operators';
    } else if (c === '&') {
      if (arg[i + 1] !== '&') return `at character ${i + 1}: expected \`&&\``;
      if (vals === 0) return `at character ${i}: a value is missing before \`&&\``;
      if (++tests > 10) return 'at most 10 tests can be joined with `&&`';
      i += 2;
      state = 0;
      loc = 0;
      vals = 0;
    } else {
      if (vals > 0) {
        if (c !== ',') return `at character ${i}: expected \`,\` or \`&&\``;
        i++;
      }
      if (!num()) return `at character ${i}: expected a number from 0 to 0xffffffff`;
      ws();
      if (arg[i] === ':') {
        i++;
        if (!num()) return `at character ${i}: expected a number from 0 to 0xffffffff`;
      }
      if (++vals > 10) return 'a test can compare with at most 10 values or ranges';
    }
  }
}

const u32Expr: ArgType = { id: 'u32-expr', label: 'tests', check: (v) => u32Problem(v) };

// ---------------------------------------------------------------------------------------------
// bpf

const BPF_CODES = new Set([
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x54, 0x5c, 0x44, 0x4c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84,
  0x20, 0x28, 0x30, 0x80, 0x40, 0x48, 0x50, 0x00, 0x60, 0x81, 0xb1, 0x01, 0x61, 0x02, 0x03, 0x07, 0x87, 0x06, 0x16,
  0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d,
]);

/** sscanf("%u")-style decimal (sign allowed, value wrapped to `bits`). */
function scanDecimal(text: string, bits: number): number {
  const m = /^\s*([+-]?)(\d+)/.exec(text)!;
  let v = BigInt(m[2]!);
  if (m[1] === '-') v = -v;
  return Number(BigInt.asUintN(bits, v));
}

/**
 * libxt_bpf.c bpf_parse_string plus the kernel's classic BPF checks (bpf_check_classic): the
 * instruction count, each `code jt jf k` quadruple, known opcodes, jumps inside the program, no
 * division by a zero constant, scratch memory 0-15, and a return as the last instruction.
 */
export function bpfProblem(prog: string): string | undefined {
  const head = /^\s*([+-]?\d+),/.exec(prog);
  if (!head) return 'the program must start with the instruction count and a comma, e.g. `4,48 0 0 9,...`';
  const len = scanDecimal(head[1]!, 16);
  if (len === 0) return 'the instruction count is zero';
  if (len > 64) return `the program has ${len} instructions; at most 64 are allowed`;
  const insns: { code: number; jt: number; jf: number; k: number }[] = [];
  let pos = prog.indexOf(',');
  while (pos >= 0 && pos + 1 < prog.length) {
    const token = prog.slice(pos + 1);
    if (insns.length >= len) return `the program has more instructions than its count (${len}) says`;
    const m = /^\s*([+-]?\d+)\s+([+-]?\d+)\s+([+-]?\d+)\s+([+-]?\d+)/.exec(token);
    if (!m) return `instruction ${insns.length} is not four numbers \`code jt jf k\``;
    insns.push({ code: scanDecimal(m[1]!, 16), jt: scanDecimal(m[2]!, 8), jf: scanDecimal(m[3]!, 8), k: scanDecimal(m[4]!, 32) });
    pos = prog.indexOf(',', pos + 1);
  }
  if (insns.length !== len) return `the program has ${insns.length} instruction${insns.length === 1 ? '' : 's'}, fewer than its count (${len}) says`;
  for (const [pc, ins] of insns.entries()) {
    if (!BPF_CODES.has(ins.code)) return `instruction ${pc}: opcode ${ins.code} is not a classic BPF instruction the kernel accepts`;
    if ((ins.code === 0x34 || ins.code === 0x94) && ins.k === 0) return `instruction ${pc} divides by zero`;
    if ((ins.code === 0x64 || ins.code === 0x74) && ins.k >= 32) return `instruction ${pc} shifts by ${ins.k} bits (at most 31)`;
    if ([0x60, 0x61, 0x02, 0x03].includes(ins.code) && ins.k >= 16) return `instruction ${pc} uses scratch memory slot ${ins.k} (there are 16: 0-15)`;
    if (ins.code === 0x05 && ins.k >= len - pc - 1) return `instruction ${pc} jumps past the end of the program`;
    if ((ins.code & 0x07) === 0x05 && ins.code !== 0x05 && (pc + ins.jt + 1 >= len || pc + ins.jf + 1 >= len)) return `instruction ${pc} jumps past the end of the program`;
  }
  const last = insns[insns.length - 1]!.code;
  if (last !== 0x06 && last !== 0x16) return 'the last instruction must return (opcode 6 or 22)';
  return undefined;
}

const bpfBytecode: ArgType = { id: 'bpf-bytecode', label: '"count,code jt jf k,..."', check: (v) => bpfProblem(v) };

const pinnedPath: ArgType = {
  id: 'bpf-pinned-path',
  label: 'path',
  check: (v) => (v === '' ? 'expected the path of a pinned BPF object' : undefined),
};

// ---------------------------------------------------------------------------------------------

export const PACKET_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'length',
    families: ['ipv4', 'ipv6'],
    summary: 'Length of the packet (layer 3), a value or range.',
    doc:
      'Compares the length of the IP packet: for IPv4 the whole packet with its header, for IPv6 the payload ' +
      'after the fixed 40-byte header. Handy against oversized ICMP or against floods of tiny packets. A ' +
      'range written the wrong way round (`500:100`) is accepted and matches nothing.',
    options: [
      {
        name: '--length',
        args: [uintRangeRC(65535, { label: 'length[:length]', what: 'a length' })],
        negatable: true,
        required: true,
        summary: 'Match a length or a range `from:to` (either end may be left out).',
      },
    ],
  },
  {
    kind: 'match',
    name: 'ttl',
    families: ['ipv4'],
    needsOneOf: ['--ttl-eq', '--ttl-lt', '--ttl-gt'],
    summary: 'IPv4 time-to-live.',
    doc:
      'Compares the TTL field. Senders start at 64, 128 or 255 and every router takes one off, so the value ' +
      'hints at the sender\'s OS and distance; `--ttl-lt 2` catches traceroute probes about to expire. One ' +
      'comparison per `-m ttl`. For IPv6 use `-m hl`.',
    options: [
      { ...ttlOption('--ttl-eq', 'equals the value', true, ['--ttl-lt', '--ttl-gt']), aliases: ['--ttl'], doc: '`! --ttl-eq` matches every other TTL. The short `--ttl` means the same.' },
      ttlOption('--ttl-lt', 'is below the value', false, ['--ttl-eq', '--ttl-gt']),
      ttlOption('--ttl-gt', 'is above the value', false, ['--ttl-eq', '--ttl-lt']),
    ],
  },
  {
    kind: 'match',
    name: 'tos',
    families: ['ipv4', 'ipv6'],
    summary: 'The old Type of Service byte (IPv4) or traffic class (IPv6).',
    doc:
      'Compares the whole TOS / traffic class byte under a mask. The RFC 1349 names only look at the low six ' +
      'bits (mask 0x3f); numbers without a mask compare all eight. Today that byte holds DSCP and ECN, so ' +
      '`-m dscp` is usually what you want.',
    options: [
      {
        name: '--tos',
        args: [tosValueMask],
        negatable: true,
        required: true,
        summary: 'Match `value[/mask]` or a name (Minimize-Delay, Maximize-Throughput, ...).',
      },
    ],
  },
  {
    kind: 'match',
    name: 'dscp',
    families: ['ipv4', 'ipv6'],
    needsOneOf: ['--dscp', '--dscp-class'],
    summary: 'DiffServ code point (the high six bits of TOS / traffic class).',
    doc:
      'Matches the DSCP marking a sender or an upstream router put on the packet, by number (0-63) or class ' +
      'name (EF for voice, AF classes, CS0-CS7). Markings from outside your network can be anything, so do ' +
      'not trust them for security decisions.',
    options: [
      { name: '--dscp', args: [uint(63, { label: 'value', what: 'a DSCP value' })], negatable: true, excludes: ['--dscp-class'], summary: 'Match a DSCP value from 0 to 63 (0x00-0x3f).' },
      { name: '--dscp-class', args: [dscpClass], negatable: true, excludes: ['--dscp'], summary: 'Match a DiffServ class by name: BE, EF, AF11-AF43, CS0-CS7.' },
    ],
  },
  {
    kind: 'match',
    name: 'ecn',
    families: ['ipv4', 'ipv6'],
    needsOneOf: [],
    summary: 'Explicit Congestion Notification bits (IP ECT/CE, TCP ECE/CWR).',
    doc:
      'Matches the ECN codepoint of the IP header (0 not ECN-capable, 1 and 2 ECN-capable, 3 congestion ' +
      'experienced) or the ECE and CWR flags of TCP. The TCP flags need `-p tcp`.',
    check: (use) => {
      const tcpFlags = use.options.find((o) => o.name === '--ecn-tcp-cwr' || o.name === '--ecn-tcp-ece');
      if (!tcpFlags) return [];
      if (use.protocol && !use.protocol.negated && use.protocol.name === 'tcp') return [];
      return [{ option: tcpFlags.name, message: `${tcpFlags.name} looks at TCP flags, so the kernel wants \`-p tcp\` in the rule` }];
    },
    options: [
      { name: '--ecn-tcp-cwr', args: [], negatable: true, summary: 'Match TCP segments with the CWR (congestion window reduced) flag.' },
      { name: '--ecn-tcp-ece', args: [], negatable: true, summary: 'Match TCP segments with the ECE (ECN echo) flag.' },
      { name: '--ecn-ip-ect', args: [uint(3, { label: '0-3', what: 'an ECN codepoint' })], negatable: true, summary: 'Match the ECN field of the IP header (0-3; 3 means congestion experienced).' },
    ],
  },
  {
    kind: 'match',
    name: 'pkttype',
    families: ['ipv4', 'ipv6'],
    summary: 'Link-layer packet type: unicast, broadcast, multicast, otherhost.',
    doc:
      'Looks at how the packet was addressed on the link, not at its IP address. `--pkt-type broadcast` or ' +
      '`multicast` is a cheap way to drop or skip logging of LAN noise (DHCP, mDNS, NetBIOS). Locally sent ' +
      'packets are classified from their destination address.',
    options: [
      {
        name: '--pkt-type',
        args: [choice(PACKET_TYPES, { ignoreCase: true, id: 'pkt-type' })],
        negatable: true,
        required: true,
        summary: 'Match unicast, broadcast, multicast or otherhost.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'string',
    families: ['ipv4', 'ipv6'],
    needsOneOf: ['--string', '--hex-string'],
    summary: 'Search the packet\'s bytes for a text or byte pattern.',
    doc:
      'Scans each packet on its own (not the reassembled stream) for the pattern, between offsets `--from` ' +
      'and `--to` counted from the start of the IP header. A pattern split over two packets is never found, ' +
      'TLS hides everything inside it, and scanning every packet costs CPU: use it for narrow cases such as ' +
      'dropping a known request string, with `--to` limiting the search.',
    check: (use) => {
      const from = use.options.find((o) => o.name === '--from')?.args[0];
      const to = use.options.find((o) => o.name === '--to')?.args[0];
      const f = from !== undefined ? parseUintIn(from, 0, 65535) : 0;
      const t = to !== undefined ? parseUintIn(to, 0, 65535) : 65535;
      if (f !== undefined && t !== undefined && f > t) return [{ option: '--to', message: `--from ${f} is past --to ${t}; the kernel refuses the rule` } as Problem];
      return [];
    },
    options: [
      { name: '--algo', args: [algo], required: true, summary: 'The search algorithm: `bm` (Boyer-Moore) or `kmp` (Knuth-Morris-Pratt).' },
      { name: '--from', args: [uint(65535, { label: 'offset', what: 'an offset' })], summary: 'Start searching at this byte offset (default 0).', doc: 'Offsets count from the start of the IP header, not from the payload: for TCP add the IP and TCP header lengths (usually 20 + 20 or 32 bytes).' },
      { name: '--to', args: [uint(65535, { label: 'offset', what: 'an offset' })], summary: 'Stop searching at this byte offset (default 65535).' },
      { name: '--string', args: [plainString], negatable: true, excludes: ['--hex-string'], summary: 'The text to search for (at most 128 bytes).' },
      {
        name: '--hex-string',
        args: [hexString],
        negatable: true,
        excludes: ['--string'],
        summary: 'A pattern with bytes in hex between bars, e.g. `"GET |0d0a|"`.',
        doc: 'Text outside `|...|` is taken literally; inside, pairs of hex digits (spaces allowed) give one byte each.',
      },
      { name: '--icase', args: [], summary: 'Ignore case when comparing.' },
    ],
  },
  {
    kind: 'match',
    name: 'u32',
    families: ['ipv4', 'ipv6'],
    summary: 'Compare 32-bit words anywhere in the packet (a tiny expression language).',
    doc:
      'Each test reads four bytes at a location, optionally shifts, masks or follows offsets (`@`), and ' +
      'compares the result with values or ranges; tests are joined with `&&`. Powerful for header fields ' +
      'no other match reads, but hard to review: put a comment next to every u32 rule.',
    options: [
      {
        name: '--u32',
        args: [u32Expr],
        negatable: true,
        required: true,
        summary: 'The tests, e.g. `"0>>22&0x3C@12>>26&0x3C@0=0x0:0xff"`.',
        doc: 'Location: numbers joined by `&` (mask), `<<`, `>>` (shift) and `@` (move forward by the value). Then `=` and values or `from:to` ranges separated by `,`. At most 10 tests, 10 location steps and 10 values each.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'bpf',
    families: ['ipv4', 'ipv6'],
    needsOneOf: ['--bytecode', '--object-pinned'],
    summary: 'Run a classic BPF program (or a pinned eBPF object) on the packet.',
    doc:
      'Matches when the program returns non-zero. `--bytecode` takes the output of `nfbpf_compile` (a count ' +
      'then `code jt jf k` quadruples, at most 64), which lets a tcpdump-style filter decide. The program ' +
      'sees the packet from the IP header on. Hard to read: keep the source filter in a comment.',
    options: [
      {
        name: '--bytecode',
        args: [bpfBytecode],
        excludes: ['--object-pinned'],
        summary: 'The compiled program: `"count,code jt jf k,code jt jf k,..."`.',
      },
      {
        name: '--object-pinned',
        args: [pinnedPath],
        excludes: ['--bytecode'],
        summary: 'Path of an eBPF program pinned in the BPF filesystem (/sys/fs/bpf/...).',
        doc: 'The object must exist when the rule is loaded; iptables refuses the rule otherwise.',
      },
    ],
  },
];
