/**
 * Argument types only targets use, each following the parser of the iptables 1.8.9 extension that
 * reads it (libxt_NAT.c parse_to/parse_ports, xtoptions.c XTTYPE_HOST/HOSTMASK/PLENMASK/TOSMASK/
 * UINT16RC, libxt_CLASSIFY.c, libxt_RATEEST.c...). Shared number and address parsing comes from
 * ../argtypes; what lives here is specific to one or a few targets.
 */
import { parseIPv4, parseIPv6, parsePort, parseUintIn } from '../argtypes';
import type { ArgContext, ArgType, Family, ValueDoc } from '../types';
import { SERVICES } from '../values/netbase';

// ---------------------------------------------------------------------------------------------
// strtoul with an end pointer

/**
 * What `xtables_strtoul(s, &end, ...)` reads from the start of `s`: optional blanks, an optional
 * `+` (a `-` is refused), then a decimal, 0x hex or 0-octal number; the rest is returned for the
 * caller to inspect. Undefined when no digit could be read.
 */
export function strtoulPrefix(s: string): { value: bigint; rest: string } | undefined {
  let i = 0;
  while (i < s.length && /\s/.test(s[i]!)) i++;
  if (s[i] === '-') return undefined;
  if (s[i] === '+') i++;
  const body = s.slice(i);
  let m: RegExpExecArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)/.exec(body))) return { value: BigInt('0x' + m[1]), rest: body.slice(m[0].length) };
  if ((m = /^0([0-7]*)/.exec(body))) return { value: m[1] ? BigInt('0o' + m[1]) : 0n, rest: body.slice(m[0].length) };
  if ((m = /^[1-9][0-9]*/.exec(body))) return { value: BigInt(m[0]), rest: body.slice(m[0].length) };
  return undefined;
}

/** strtoulPrefix within [min, max]; undefined when no number or out of range (strtoui fails). */
function strtouiPrefix(s: string, min: number, max: number): { value: number; rest: string } | undefined {
  const r = strtoulPrefix(s);
  if (!r || r.value < BigInt(min) || r.value > BigInt(max)) return undefined;
  return { value: Number(r.value), rest: r.rest };
}

// ---------------------------------------------------------------------------------------------
// NAT: --to-destination, --to-source, --to-ports

/** getservbyname(name, NULL): a service name from /etc/services, any protocol; numbers are not names. */
function serviceByName(name: string): number | undefined {
  return SERVICES.find((x) => x.name === name)?.port;
}

/** Which NAT target reads the ports: decides whether a `/base` port offset is accepted. */
export interface NatPortRules {
  /** `a-b/base` shifted port maps (DNAT revision 2, SNAT, MASQUERADE); REDIRECT refuses them. */
  readonly offset: boolean;
}

/** libxt_NAT.c parse_ports: `port`, `port-port`, `port-port/base`; returns a problem or undefined. */
export function natPortsProblem(arg: string, rules: NatPortRules): string | undefined {
  let first = strtouiPrefix(arg, 0, 65535);
  if (!first) {
    const svc = serviceByName(arg);
    if (svc === undefined) {
      return /^\s*[0-9]+$/.test(arg) ? `port \`${arg}\` is out of range: ports are 0 to 65535` : `\`${arg}\` is neither a port number nor a service name from /etc/services`;
    }
    first = { value: svc, rest: '' };
  }
  const r1 = first.rest;
  if (r1 === '') return undefined;
  if (r1[0] === ':') return `write a port range with a dash here (\`${arg.replace(':', '-')}\`), not a colon`;
  if (r1[0] !== '-') return `unexpected \`${r1}\` after the port (a range is \`from-to\`, and a service name cannot start one)`;
  const second = strtouiPrefix(r1.slice(1), 0, 65535);
  if (!second) return `\`${r1.slice(1)}\` is not a port number from 0 to 65535 (service names are not allowed as the end of a range)`;
  if (second.value < first.value) return `the port range \`${arg}\` ends below its start`;
  const r2 = second.rest;
  if (r2 === '') return undefined;
  if (r2[0] !== '/') return `unexpected \`${r2}\` after the port range`;
  if (!rules.offset) return 'this target cannot shift a port range: a `/base` port offset is only accepted by DNAT, SNAT and MASQUERADE';
  const base = r2.slice(1);
  if (strtouiPrefix(base, 1, 65535) === undefined && serviceByName(base) === undefined) {
    return `\`${base}\` is not a base port from 1 to 65535 or a service name`;
  }
  return undefined;
}

/** Strict dotted quad as inet_pton(AF_INET) reads it (no leading zeros, no short forms). */
export function inetPton4(text: string): boolean {
  return /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/.test(text);
}

function inetPton(text: string, family: Family): boolean {
  return family === 'ipv4' ? inetPton4(text) : parseIPv6(text) !== undefined;
}

/** The parts of a `--to-destination`/`--to-source` value as libxt_NAT.c parse_to splits them. */
export interface NatTo {
  readonly addresses?: readonly [string, string];
  readonly ports?: string;
  readonly problem?: string;
}

export function parseNatTo(arg: string, family: Family): NatTo {
  let addrPart: string;
  let ports: string | undefined;
  let colonAt: number;
  const lb = arg.indexOf('[');
  if (lb < 0) {
    colonAt = arg.indexOf(':');
    if (colonAt >= 0 && arg.indexOf(':', colonAt + 1) >= 0) colonAt = -1; // an IPv6 address
    addrPart = colonAt >= 0 ? arg.slice(0, colonAt) : arg;
    if (colonAt >= 0) ports = arg.slice(colonAt + 1);
  } else {
    const rb = arg.indexOf(']', lb + 1);
    if (family === 'ipv4') return { problem: 'IPv4 addresses are written without brackets: `1.2.3.4:80`' };
    if (rb < 0) return { problem: `missing \`]\` in \`${arg}\`: write \`[address]:port\`` };
    addrPart = arg.slice(lb + 1, rb);
    colonAt = arg.indexOf(':', rb + 1);
    if (colonAt >= 0) ports = arg.slice(colonAt + 1);
  }
  // `:port` or `[]:port`: ports only, the address stays as it is
  if (ports !== undefined && (colonAt === 0 || colonAt === 2)) return { ports };
  const dash = addrPart.indexOf('-');
  const lo = dash >= 0 ? addrPart.slice(0, dash) : addrPart;
  const hi = dash >= 0 ? addrPart.slice(dash + 1) : addrPart;
  const fam = family === 'ipv4' ? 'IPv4' : 'IPv6';
  for (const a of dash >= 0 ? [lo, hi] : [lo]) {
    if (!inetPton(a, family)) {
      if (family === 'ipv4' && parseIPv6(a)) return { problem: `\`${a}\` is an IPv6 address in an IPv4 ruleset (use ip6tables)` };
      if (family === 'ipv6' && inetPton4(a)) return { problem: `\`${a}\` is an IPv4 address in an IPv6 ruleset (use iptables)` };
      if (family === 'ipv6' && /^[0-9a-fA-F:]+:[0-9]+$/.test(arg) && ports === undefined && lb < 0) {
        return { problem: `\`${a}\` is not an IPv6 address; to give a port, write \`[address]:port\`` };
      }
      return { problem: `\`${a}\` is not a numeric ${fam} address (host names are not accepted here)` };
    }
  }
  return { addresses: [lo, hi], ...(ports !== undefined ? { ports } : {}) };
}

function ipv4Number(a: string): number {
  return parseIPv4(a) ?? 0;
}

function ipv6Compare(a: string, b: string): number {
  const x = parseIPv6(a)!;
  const y = parseIPv6(b)!;
  for (let i = 0; i < 8; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** `--to-destination` / `--to-source`: `[addr[-addr]][:port[-port[/base]]]`, IPv6 in brackets with ports. */
export function natTo(rules: NatPortRules): ArgType {
  return {
    id: rules.offset ? 'nat-to-offset' : 'nat-to',
    label: 'address[-address][:port[-port]]',
    check: (v: string, ctx: ArgContext) => {
      if (v === '') return 'expected an address, an address range or `:port`';
      const r = parseNatTo(v, ctx.family);
      if (r.problem) return r.problem;
      if (r.ports !== undefined) return natPortsProblem(r.ports, rules);
      return undefined;
    },
    warn: (v: string, ctx: ArgContext) => {
      const r = parseNatTo(v, ctx.family);
      if (!r.addresses) return undefined;
      const [lo, hi] = r.addresses;
      const reversed = ctx.family === 'ipv4' ? ipv4Number(lo) > ipv4Number(hi) : ipv6Compare(lo, hi) > 0;
      return reversed ? `the address range \`${lo}-${hi}\` starts above its end: write the lower address first` : undefined;
    },
  };
}

/** `--to-ports` of MASQUERADE and REDIRECT: `port[-port]` (and `/base` where allowed). */
export function natPorts(rules: NatPortRules): ArgType {
  return {
    id: rules.offset ? 'nat-ports-offset' : 'nat-ports',
    label: 'port[-port]',
    check: (v) => natPortsProblem(v, rules),
  };
}

/** Protocols with ports as libxt_NAT.c sees them (tcp, udp, sctp, dccp and, oddly, icmp). */
export const NAT_PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132, 33, 1]);

// ---------------------------------------------------------------------------------------------
// Hosts and masks (XTTYPE_HOST, XTTYPE_HOSTMASK, XTTYPE_PLENMASK)

const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

function isNumericHost(a: string, family: Family): boolean {
  return family === 'ipv4' ? parseIPv4(a) !== undefined : parseIPv6(a) !== undefined;
}

/** One host (getaddrinfo in the rule's family): a numeric address or a host name. */
function hostProblem(a: string, family: Family): string | undefined {
  if (a === '') return 'expected an address';
  if (isNumericHost(a, family)) return undefined;
  if (family === 'ipv4' && parseIPv6(a)) return `\`${a}\` is an IPv6 address in an IPv4 ruleset (use ip6tables)`;
  if (family === 'ipv6' && parseIPv4(a) !== undefined) return `\`${a}\` is an IPv4 address in an IPv6 ruleset (use iptables)`;
  if (family === 'ipv4' && /^[0-9.]+$/.test(a)) return `\`${a}\` is not a valid IPv4 address`;
  if (!HOSTNAME.test(a) || /^[0-9]+$/.test(a)) return `\`${a}\` is neither an address nor a host name`;
  return undefined;
}

function hostnameNote(a: string, family: Family): string | undefined {
  if (a === '' || isNumericHost(a, family) || hostProblem(a, family)) return undefined;
  return `\`${a}\` is a host name: it is resolved once when the rule is loaded (the load fails if it does not resolve or resolves to several addresses)`;
}

/** XTTYPE_PLEN(MASK): a prefix length, or a netmask written as an address of the family. */
export function prefixMaskProblem(m: string, family: Family): string | undefined {
  const bits = family === 'ipv4' ? 32 : 128;
  if (parseUintIn(m, 0, bits) !== undefined) return undefined;
  // getaddrinfo(AI_NUMERICHOST) takes a netmask in address form (inet_aton forms for IPv4)
  if (family === 'ipv4' ? parseIPv4(m) !== undefined : parseIPv6(m) !== undefined) return undefined;
  return `\`${m}\` is neither a prefix length from 0 to ${bits} nor a netmask`;
}

/** XTTYPE_HOST: one address or host name, no mask. */
export const host: ArgType = {
  id: 'host',
  label: 'address',
  check: (v, ctx) => (v.includes('/') ? `expected one address without a mask, got \`${v}\`` : hostProblem(v, ctx.family)),
  warn: (v, ctx) => hostnameNote(v, ctx.family),
};

/** XTTYPE_HOSTMASK: `address[/prefix-length|/netmask]`. */
export const hostMask: ArgType = {
  id: 'host-mask',
  label: 'address[/mask]',
  check: (v, ctx) => {
    const slash = v.indexOf('/');
    const a = slash >= 0 ? v.slice(0, slash) : v;
    return hostProblem(a, ctx.family) ?? (slash >= 0 ? prefixMaskProblem(v.slice(slash + 1), ctx.family) : undefined);
  },
  warn: (v, ctx) => hostnameNote(v.split('/')[0]!, ctx.family),
};

/** XTTYPE_PLENMASK: a prefix length or a netmask. */
export const prefixMask: ArgType = {
  id: 'prefix-mask',
  label: 'length|netmask',
  check: (v, ctx) => prefixMaskProblem(v, ctx.family),
};

/**
 * A port for XTTYPE_PORT (TPROXY --on-port), resolved by getaddrinfo: a decimal number (leading
 * blanks and `+` allowed, no hex) or a service name. Numbers above 65535 are accepted and wrap.
 */
export const servicePort: ArgType = {
  id: 'service-port',
  label: 'port',
  check: (v) => {
    if (/^\s*\+?[0-9]+$/.test(v)) return undefined;
    if (parsePort(v) !== undefined && !/^[\s+-]*[0-9]/.test(v)) return undefined;
    return `\`${v}\` is neither a decimal port number nor a service name from /etc/services`;
  },
  warn: (v) => {
    if (!/^\s*\+?[0-9]+$/.test(v)) return undefined;
    const n = BigInt(v.replace(/[\s+]/g, ''));
    return n > 65535n ? `port ${n} is above 65535: the kernel keeps only 16 bits, so this is port ${n % 65536n}` : undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// Numbers in special shapes

/** XTTYPE_UINT16RC as NFQUEUE --queue-balance reads it: `first:last`, either side may be empty. */
export const queueRange: ArgType = {
  id: 'queue-range',
  label: 'first:last',
  check: (v) => {
    const parts: number[] = [];
    let rest = v;
    for (;;) {
      if (parts.length === 2) return `\`${v}\` has too many parts: write \`first:last\``;
      if (rest === '' || rest[0] === ':') {
        parts.push(parts.length === 1 ? 65535 : 0);
      } else {
        const r = strtoulPrefix(rest);
        if (!r || r.value > 65535n) return `\`${rest.split(':')[0]}\` is not a queue number from 0 to 65535`;
        if (r.rest !== '' && r.rest[0] !== ':') return `unexpected \`${r.rest}\` in \`${v}\``;
        parts.push(Number(r.value));
        rest = r.rest;
      }
      if (rest === '' || rest[0] !== ':') break;
      rest = rest.slice(1);
      if (rest === '' && parts.length === 1) {
        parts.push(65535);
        break;
      }
    }
    if (parts.length !== 2) return `\`${v}\` is not a range: write \`first:last\`, for example \`0:3\``;
    const [lo, hi] = parts as [number, number];
    if (lo >= hi) return `the first queue (${lo}) must be below the last (${hi})`;
    if (hi - lo + 1 > 65535) return 'the range holds 65536 queues, which the kernel cannot count (it keeps the number in 16 bits): shorten it';
    return undefined;
  },
};

const TOS_NAMES: readonly (ValueDoc & { value: number })[] = [
  { name: 'Minimize-Delay', value: 0x10, summary: '0x10: interactive traffic (ssh, telnet).' },
  { name: 'Maximize-Throughput', value: 0x08, summary: '0x08: bulk transfers (ftp-data).' },
  { name: 'Maximize-Reliability', value: 0x04, summary: '0x04: traffic that should not be dropped.' },
  { name: 'Minimize-Cost', value: 0x02, summary: '0x02: cheapest path.' },
  { name: 'Normal-Service', value: 0x00, summary: '0x00: no preference.' },
];

/** XTTYPE_TOSMASK: `value[/mask]` (0-255 each) or one of the RFC 1349 names, any case. */
export const tosMask: ArgType = {
  id: 'tos-mask',
  label: 'value[/mask]|name',
  values: TOS_NAMES,
  check: (v) => {
    const first = strtouiPrefix(v, 0, 255);
    if (first) {
      if (first.rest === '') return undefined;
      if (first.rest[0] === '/') {
        const m = strtouiPrefix(first.rest.slice(1), 0, 255);
        if (m && m.rest === '') return undefined;
      }
      return `\`${v}\` is not \`value[/mask]\` with numbers from 0 to 255`;
    }
    if (TOS_NAMES.some((n) => n.name.toLowerCase() === v.toLowerCase())) return undefined;
    return `\`${v}\` is neither a number from 0 to 255 (with an optional /mask) nor a TOS name (${TOS_NAMES.map((n) => n.name).join(', ')})`;
  },
};

/**
 * sscanf("%x") on the start of `s`: blanks, an optional sign, an optional 0x, hex digits. glibc
 * also takes a bare `0x` (as 0).
 */
function scanHex(s: string): { value: bigint; rest: string } | undefined {
  const m = /^\s*([+-]?)(0[xX])?([0-9a-fA-F]*)/.exec(s);
  if (!m || (m[3] === '' && !m[2])) return undefined;
  const mag = BigInt('0x' + (m[3] || '0'));
  return { value: m[1] === '-' ? -mag : mag, rest: s.slice(m[0].length) };
}

/** CLASSIFY --set-class: `major:minor` in hexadecimal, as sscanf("%x:%x") reads it. */
export const classId: ArgType = {
  id: 'class-id',
  label: 'major:minor',
  check: (v) => {
    const a = scanHex(v);
    if (a && a.rest[0] === ':' && scanHex(a.rest.slice(1))) return undefined;
    return `\`${v}\` is not a traffic-control class \`major:minor\` (two hexadecimal numbers, for example \`1:10\`)`;
  },
  warn: (v) => {
    const a = scanHex(v);
    const b = a && scanHex(a.rest.slice(1));
    if (!a || !b) return undefined;
    if (a.value < 0n || b.value < 0n || a.value > 0xffffn || b.value > 0xffffn) {
      return `tc class numbers are 16-bit hexadecimal (0 to ffff); \`${v}\` is cut to fit, so the packet lands in a class you did not name`;
    }
    if (b.rest !== '') return `\`${b.rest}\` after the class is ignored`;
    return undefined;
  },
};

/**
 * libxt_RATEEST.c RATEEST_get_time: a number (strtod) with an optional unit s/sec/secs, ms/msec/msecs
 * or us/usec/usecs, any case; without a unit the number is microseconds. Returns microseconds as
 * the kernel's `unsigned int` would hold them, or undefined.
 */
export function parseRateestTime(v: string): number | undefined {
  const m = /^\s*([+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan))(.*)$/i.exec(v);
  if (!m) return undefined;
  let t = Number(m[1]!.toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity').replace(/^[+-]?nan$/, 'NaN'));
  const unit = m[2]!.toLowerCase();
  if (unit === '') t *= 1;
  else if (['s', 'sec', 'secs'].includes(unit)) t *= 1_000_000;
  else if (['ms', 'msec', 'msecs'].includes(unit)) t *= 1_000;
  else if (['us', 'usec', 'usecs'].includes(unit)) t *= 1;
  else return undefined;
  // double to unsigned int: negative and huge values wrap or saturate to something huge
  if (!Number.isFinite(t) || t < 0 || t >= 2 ** 32) return 2 ** 32 - 1;
  return Math.floor(t);
}

export const rateestTime: ArgType = {
  id: 'rateest-time',
  label: 'time[s|ms|us]',
  check: (v) => (parseRateestTime(v) === undefined ? `\`${v}\` is not a time: write a number with s, ms or us, for example \`250ms\`` : undefined),
};

/** A comma-separated list of words, each a case-insensitive prefix of one of `names` (HMARK --hmark-tuple). */
export function prefixList(values: readonly ValueDoc[], label: string): ArgType {
  return {
    id: `prefix-list:${values.map((x) => x.name).join('|')}`,
    label,
    values,
    list: true,
    check: (v) => {
      if (v === '' || v.endsWith(',')) return `expected a comma-separated list without gaps, such as \`${values.slice(0, 2).map((x) => x.name).join(',')}\``;
      for (const item of v.split(',')) {
        if (item === '') return `empty entry in the list \`${v}\``;
        if (!values.some((x) => x.name.toLowerCase().startsWith(item.toLowerCase()))) {
          return `\`${item}\` is not one of: ${values.map((x) => x.name).join(', ')}`;
        }
      }
      return undefined;
    },
  };
}

/** A string iptables copies into a fixed-size field: only emptiness and newlines are refused. */
export function cutText(max: number, label: string, opts: { allowEmpty?: boolean; newline?: boolean; cutBy?: string } = {}): ArgType {
  return {
    id: `cut-string:${max}`,
    label,
    check: (v) => {
      if (!opts.allowEmpty && v === '') return `expected a non-empty ${label}`;
      if (opts.newline === false && v.includes('\n')) return `a newline is not allowed in the ${label}`;
      return undefined;
    },
    warn: (v) => {
      const n = Buffer.byteLength(v, 'utf8');
      return n > max ? `the ${label} is ${n} bytes long; ${opts.cutBy ?? 'iptables'} keeps only the first ${max}` : undefined;
    },
  };
}
