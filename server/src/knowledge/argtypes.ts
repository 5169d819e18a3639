/**
 * Argument types shared by many options, with the same acceptance rules as iptables' own parsers
 * (libxtables: xtables_strtoul, xtables_parse_port, xtables_ipparse_multiple,
 * xtables_parse_interface...). Each check returns a message in plain words, or undefined.
 */
import type { ArgContext, ArgType, ValueDoc } from './types';
import { SERVICES } from './values/netbase';
import { ICMP_TYPES, ICMPV6_TYPES, type IcmpTypeDoc } from './values/icmp';

// ---------------------------------------------------------------------------------------------
// Numbers

/**
 * Parse an unsigned integer the way strtoull(base 0) inside xtables_strtoul does: decimal, 0x hex
 * or leading-0 octal, optional leading blanks and `+`. Returns undefined for anything else.
 */
export function parseUnsigned(text: string, base: 0 | 10 | 16 = 0): bigint | undefined {
  const s = text.replace(/^[ \t]+/, '').replace(/^\+/, '');
  if (s === '') return undefined;
  let m: RegExpMatchArray | null;
  if (base === 16) {
    m = /^(?:0x)?([0-9a-f]+)$/i.exec(s);
    return m ? BigInt('0x' + m[1]) : undefined;
  }
  if (base === 10) return /^[0-9]+$/.test(s) ? BigInt(s) : undefined;
  if ((m = /^0x([0-9a-f]+)$/i.exec(s))) return BigInt('0x' + m[1]);
  if (/^0[0-7]*$/.test(s)) return BigInt('0o' + (s.slice(1) || '0'));
  if (/^[1-9][0-9]*$/.test(s)) return BigInt(s);
  return undefined;
}

/** parseUnsigned, then a range check; returns a number or undefined. */
export function parseUintIn(text: string, min: number, max: number, base: 0 | 10 | 16 = 0): number | undefined {
  // nearly every value is a plain decimal numeral: read it as one, with no bigint (a port, a
  // protocol number or a prefix length is checked for every rule that has one)
  if (base !== 16) {
    const d = plainDecimal(text);
    if (d >= 0) return d < min || d > max ? undefined : d;
  }
  const v = parseUnsigned(text, base);
  if (v === undefined || v < BigInt(min) || v > BigInt(max)) return undefined;
  return Number(v);
}

/**
 * The value of a decimal numeral with no blank, sign or leading zero (those parseUnsigned reads by
 * other rules: octal, for one) and at most 15 digits, which a double holds exactly; -1 otherwise.
 */
function plainDecimal(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15 || (n > 1 && text.charCodeAt(0) === 48)) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

export function uint(max: number, opts: { min?: number; label?: string; base?: 0 | 10 | 16; what?: string } = {}): ArgType {
  const min = opts.min ?? 0;
  const what = opts.what ?? 'a number';
  return {
    id: `uint:${min}-${max}`,
    label: opts.label ?? 'value',
    check: (v) => (parseUintIn(v, min, max, opts.base ?? 0) === undefined ? `expected ${what} from ${min} to ${max}, got \`${v}\`` : undefined),
  };
}

/** `a`, `a:b`, `a:`, `:b` where each end is an unsigned number within [min, max] and a <= b. */
export function uintRange(max: number, opts: { min?: number; label?: string; sep?: string; what?: string } = {}): ArgType {
  const min = opts.min ?? 0;
  const sep = opts.sep ?? ':';
  const what = opts.what ?? 'a number';
  return {
    id: `uintrange:${min}-${max}`,
    label: opts.label ?? `value[${sep}value]`,
    check: (v) => {
      const parts = v.split(sep);
      if (parts.length > 2) return `expected ${what} or a range \`from${sep}to\`, got \`${v}\``;
      const lo = parts[0] === '' && parts.length === 2 ? min : parseUintIn(parts[0]!, min, max);
      const hi = parts.length === 1 ? lo : parts[1] === '' ? max : parseUintIn(parts[1]!, min, max);
      if (lo === undefined || hi === undefined) return `expected ${what} from ${min} to ${max} or a range of them, got \`${v}\``;
      if (lo > hi) return `the range \`${v}\` starts above its end`;
      return undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Ports

const SERVICE_NAMES = new Set(SERVICES.map((s) => s.name));

/** Resolve a port number or service name (any protocol, as xtables_getportbyname does). */
export function parsePort(text: string): number | undefined {
  const n = parseUintIn(text, 0, 65535);
  if (n !== undefined) return n;
  const svc = SERVICES.find((s) => s.name === text);
  return svc?.port;
}

function portProblem(v: string): string | undefined {
  if (parsePort(v) !== undefined) return undefined;
  if (/^[0-9]+$/.test(v)) return `port \`${v}\` is out of range: ports are 0 to 65535`;
  if (v === '!') return 'a `!` here is read as the port: write `! --option value` instead';
  return SERVICE_NAMES.has(v) ? undefined : `\`${v}\` is neither a port number nor a service name from /etc/services`;
}

export const port: ArgType = { id: 'port', label: 'port', check: portProblem };

/** Parse `a`, `a:b`, `a:`, `:b`, `:` into [lo, hi]; undefined when malformed. */
export function parsePortRange(text: string): [number, number] | undefined {
  const i = text.indexOf(':');
  if (i < 0) {
    const p = parsePort(text);
    return p === undefined ? undefined : [p, p];
  }
  const a = text.slice(0, i);
  const b = text.slice(i + 1);
  const lo = a === '' ? 0 : parsePort(a);
  const hi = b === '' ? 65535 : parsePort(b);
  if (lo === undefined || hi === undefined) return undefined;
  return [lo, hi];
}

function portRangeType(ordered: boolean): ArgType {
  return {
  id: ordered ? 'port-range' : 'port-range-unordered',
  label: 'port[:port]',
  warn: (v) => {
    const r = parsePortRange(v);
    return r && r[0] > r[1] ? `the port range \`${v}\` starts above its end, so no port is in it: write the lower port first` : undefined;
  },
  check: (v) => {
    const i = v.indexOf(':');
    if (i < 0) return portProblem(v);
    const a = v.slice(0, i);
    const b = v.slice(i + 1);
    const pa = a === '' ? undefined : portProblem(a);
    if (pa) return pa;
    const pb = b === '' ? undefined : portProblem(b);
    if (pb) return pb;
    const r = parsePortRange(v);
    if (ordered && r && r[0] > r[1]) return `the port range \`${v}\` starts above its end (write the lower port first)`;
    return undefined;
  },
  };
}

/** `port[:port]`; iptables refuses a range whose start is above its end (tcp, multiport...). */
export const portRange: ArgType = portRangeType(true);
/** `port[:port]` as libxt_udp reads it: a reversed range is accepted (and matches nothing). */
export const portRangeUnordered: ArgType = portRangeType(false);

/** `-m multiport`: up to 15 ports, a range counting as two. */
export const portList: ArgType = {
  id: 'port-list',
  label: 'port[,port|,port:port]...',
  check: (v) => {
    if (v === '') return 'expected a comma-separated list of ports';
    let count = 0;
    for (const item of v.split(',')) {
      if (item === '') return `empty entry in the port list \`${v}\``;
      const p = portRange.check(item, { family: 'ipv4' });
      if (p) return p;
      count += item.includes(':') ? 2 : 1;
    }
    if (count > 15) return `multiport takes at most 15 ports (a range counts as two); this list has ${count}`;
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// Addresses

/**
 * An IPv4 address as iptables 1.8.9 reads it: first its own numeric form (one to four dot-separated
 * parts of 0-255, decimal, 0x hex or 0-octal, missing trailing parts zero: `10.1` is 10.1.0.0), then
 * what inet_aton accepts (`a`, `a.b`, `a.b.c` with the last part filling the remaining bytes).
 * Returns the address as an unsigned 32-bit number, or undefined.
 */
export function parseIPv4(text: string): number | undefined {
  const quad = plainDottedQuad(text);
  if (quad !== undefined) return quad;
  const parts = text.split('.');
  if (parts.length <= 4 && parts.every((p) => p !== '' && !/\s/.test(p))) {
    const bytes = parts.map((p) => parseUintIn(p, 0, 255));
    if (bytes.every((b) => b !== undefined)) {
      let v = 0;
      for (let i = 0; i < 4; i++) v = v * 256 + (bytes[i] ?? 0);
      return v >>> 0;
    }
    // inet_aton: the last part may span the remaining bytes
    const nums = parts.map((p) => parseUnsigned(p));
    if (nums.every((n) => n !== undefined)) {
      const head = nums.slice(0, -1) as bigint[];
      const last = nums[nums.length - 1]!;
      if (head.every((h) => h <= 255n) && last < 2n ** BigInt(8 * (5 - parts.length))) {
        let v = 0n;
        for (const h of head) v = (v << 8n) | h;
        v = (v << BigInt(8 * (5 - parts.length))) | last;
        return Number(v);
      }
    }
  }
  return undefined;
}

/**
 * The common case, read without splitting or regular expressions: four decimal parts of 0-255
 * without leading zeros (a leading zero would make a part octal). Undefined for anything else,
 * which parseIPv4 then reads the long way.
 */
function plainDottedQuad(text: string): number | undefined {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return undefined;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
      continue;
    }
    if (c < 48 || c > 57) return undefined;
    if (digits > 0 && part === 0) return undefined; // leading zero: octal, the long way
    part = part * 10 + (c - 48);
    if (++digits > 3 || part > 255) return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (v * 256 + part) >>> 0;
}

/** Strict dotted quad as inet_pton reads it: four decimal parts of at most three digits. */
function parseDottedQuadStrict(text: string): number | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return undefined;
  const n = text.split('.').map(Number);
  if (n.some((x) => x > 255)) return undefined;
  return ((n[0]! << 24) | (n[1]! << 16) | (n[2]! << 8) | n[3]!) >>> 0;
}

function hexGroups(part: string): number[] | undefined {
  if (part === '') return [];
  const out: number[] = [];
  for (const g of part.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.push(parseInt(g, 16));
  }
  return out;
}

/** IPv6 text form as inet_pton accepts it (with an optional dotted IPv4 tail). Returns 8 groups. */
export function parseIPv6(text: string): number[] | undefined {
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let body = text;
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseDottedQuadStrict(last);
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const dbl = body.indexOf('::');
  if (dbl >= 0) {
    if (body.indexOf('::', dbl + 1) >= 0) return undefined;
    const head = hexGroups(body.slice(0, dbl));
    const rest = hexGroups(body.slice(dbl + 2));
    if (!head || !rest) return undefined;
    const used = head.length + rest.length + tail.length;
    if (used > 7) return undefined;
    return [...head, ...new Array<number>(8 - used).fill(0), ...rest, ...tail];
  }
  const all = hexGroups(body);
  if (!all) return undefined;
  const res = [...all, ...tail];
  return res.length === 8 ? res : undefined;
}

const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/** One `addr[/mask]` item in the given family; returns a message or undefined. */
export function checkAddress(item: string, family: ArgContext['family']): string | undefined {
  const slash = item.indexOf('/');
  const addr = slash >= 0 ? item.slice(0, slash) : item;
  const mask = slash >= 0 ? item.slice(slash + 1) : undefined;
  if (addr === '') return `missing address before \`/\` in \`${item}\``;
  if (family === 'ipv4') {
    if (parseIPv4(addr) === undefined) {
      if (parseIPv6(addr)) return `\`${addr}\` is an IPv6 address in an IPv4 ruleset (use ip6tables)`;
      if (/^[0-9a-fA-Fx.]+$/.test(addr) && !/[g-wyzG-WYZ]/.test(addr) && /^[0-9]/.test(addr)) return `\`${addr}\` is not a valid IPv4 address`;
      if (!HOSTNAME.test(addr)) return `\`${addr}\` is neither an IPv4 address nor a host name`;
    }
    if (mask !== undefined) {
      if (mask.includes('.')) {
        if (parseIPv4(mask) === undefined) return `\`${mask}\` is not a valid netmask`;
      } else if (parseUintIn(mask, 0, 32) === undefined) return `prefix length \`/${mask}\` is not between 0 and 32`;
    }
  } else {
    if (!parseIPv6(addr)) {
      if (parseIPv4(addr) !== undefined) return `\`${addr}\` is an IPv4 address in an IPv6 ruleset (use iptables)`;
      if (!HOSTNAME.test(addr)) return `\`${addr}\` is neither an IPv6 address nor a host name`;
    }
    if (mask !== undefined) {
      if (mask.includes(':')) {
        if (!parseIPv6(mask)) return `\`${mask}\` is not a valid IPv6 netmask`;
      } else if (parseUintIn(mask, 0, 128) === undefined) return `prefix length \`/${mask}\` is not between 0 and 128`;
    }
  }
  return undefined;
}

/** A host name where an address was expected: accepted, but resolved once when the rules load. */
export function hostnameWarning(item: string, family: ArgContext['family']): string | undefined {
  const slash = item.indexOf('/');
  const addr = slash >= 0 ? item.slice(0, slash) : item;
  const numeric = family === 'ipv4' ? parseIPv4(addr) !== undefined : parseIPv6(addr) !== undefined;
  if (numeric || addr === '') return undefined;
  return `\`${addr}\` is a host name: it is looked up once when the rules load (and the load fails if DNS is down); the rule then holds whatever address was found`;
}

/** `-s`/`-d`: a comma-separated list of `addr[/mask]`. */
export const addressList: ArgType = {
  id: 'address-list',
  label: 'address[/mask][,...]',
  // (a single address, nearly every value: no list of the items)
  check: (v, ctx) => {
    if (v === '') return 'expected an address';
    if (!v.includes(',')) return checkAddress(v, ctx.family);
    for (const item of v.split(',')) {
      const p = checkAddress(item, ctx.family);
      if (p) return p;
    }
    return undefined;
  },
  warn: (v, ctx) => {
    if (!v.includes(',')) return hostnameWarning(v, ctx.family);
    for (const item of v.split(',')) {
      const w = hostnameWarning(item, ctx.family);
      if (w) return w;
    }
    return undefined;
  },
};

/** A single `addr[/mask]`. */
export const address: ArgType = {
  id: 'address',
  label: 'address[/mask]',
  check: (v, ctx) => (v === '' ? 'expected an address' : checkAddress(v, ctx.family)),
  warn: (v, ctx) => hostnameWarning(v, ctx.family),
};

/** A single host address without mask. */
export const hostAddress: ArgType = {
  id: 'host-address',
  label: 'address',
  check: (v, ctx) => {
    if (v.includes('/')) return `expected a single address without a mask, got \`${v}\``;
    return checkAddress(v, ctx.family);
  },
};

/** `from-to` address range (iprange). */
export const addressRange: ArgType = {
  id: 'address-range',
  label: 'address[-address]',
  check: (v, ctx) => {
    const parts = v.split('-');
    if (parts.length > 2 || parts.some((p) => p === '')) return `expected \`from-to\` addresses, got \`${v}\``;
    for (const p of parts) {
      const bad = ctx.family === 'ipv4' ? parseIPv4(p) === undefined : !parseIPv6(p);
      if (bad) return `\`${p}\` is not a valid ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address`;
    }
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// Names and strings

/** Interface names: at most 15 characters (IFNAMSIZ - 1); a trailing `+` matches any suffix. */
export const iface: ArgType = {
  id: 'interface',
  label: 'interface[+]',
  check: (v) => {
    if (v.length > 15) return `interface name \`${v}\` is ${v.length} characters long; the kernel allows at most 15`;
    return undefined;
  },
  warn: (v) => (/[ /]/.test(v) ? `interface name \`${v}\` contains a \`/\` or a space: no interface can have that name, so the rule never matches` : undefined),
};

export function text(maxLength: number, label = 'text', opts: { allowEmpty?: boolean } = {}): ArgType {
  return {
    id: `string:${maxLength}`,
    label,
    check: (v) => {
      if (!opts.allowEmpty && v === '') return `expected a non-empty ${label}`;
      if (Buffer.byteLength(v, 'utf8') > maxLength) return `${label} is ${Buffer.byteLength(v, 'utf8')} bytes long; at most ${maxLength} are allowed`;
      return undefined;
    },
  };
}

/** One of a fixed set of words (names or aliases). */
export function choice(values: readonly ValueDoc[], opts: { ignoreCase?: boolean; label?: string; id?: string } = {}): ArgType {
  const norm = (s: string) => (opts.ignoreCase ? s.toLowerCase() : s);
  const names = new Set(values.flatMap((v) => [v.name, ...(v.aliases ?? [])]).map(norm));
  return {
    id: opts.id ?? `choice:${values.map((v) => v.name).join('|')}`,
    label: opts.label ?? values.map((v) => v.name).join('|'),
    values,
    check: (v) => (names.has(norm(v)) ? undefined : `\`${v}\` is not one of: ${values.map((x) => x.name).join(', ')}`),
  };
}

/** A comma-separated list of words from a fixed set. */
export function choiceList(values: readonly ValueDoc[], opts: { ignoreCase?: boolean; label?: string; id?: string; allowEmpty?: boolean } = {}): ArgType {
  const one = choice(values, opts);
  return {
    id: opts.id ?? `list:${one.id}`,
    label: opts.label ?? `${values[0]?.name ?? 'value'}[,...]`,
    values,
    list: true,
    check: (v, ctx) => {
      if (v === '' && opts.allowEmpty) return undefined;
      for (const item of v.split(',')) {
        if (item === '') return `empty entry in the list \`${v}\``;
        const p = one.check(item, ctx);
        if (p) return p;
      }
      return undefined;
    },
  };
}

/** `value[/mask]` with 32-bit unsigned numbers (marks, connmarks, realms). */
export const markMask: ArgType = {
  id: 'mark-mask',
  label: 'value[/mask]',
  check: (v) => {
    const parts = v.split('/');
    if (parts.length > 2) return `expected \`value[/mask]\`, got \`${v}\``;
    for (const p of parts) {
      if (parseUintIn(p, 0, 0xffffffff) === undefined) return `\`${p}\` is not a 32-bit number (decimal or 0x hex)`;
    }
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// ICMP

/**
 * `--icmp-type` / `--icmpv6-type` as libxt_icmp.h __parse_icmp reads them: a name or any
 * unambiguous case-insensitive prefix of one, or `type[/code]` where each side is a number 0-255
 * (0x hex allowed) and the code may be a range `from:to`.
 */
export function icmpTypeProblem(table: readonly IcmpTypeDoc[], v: string, what: 'ICMP' | 'ICMPv6'): string | undefined {
  const lower = v.toLowerCase();
  const named = table.flatMap((t) => [t.name, ...(t.aliases ?? [])]).filter((n) => n.toLowerCase().startsWith(lower));
  if (named.length > 1) return `\`${v}\` is ambiguous: it could be ${named.slice(0, 4).join(', ')}${named.length > 4 ? '...' : ''}`;
  if (named.length === 1) return undefined;
  const range = (s: string): { lo: bigint; hi: bigint; rest: string } | undefined => {
    const a = scanUnsigned(s);
    if (!a || a.value > 255n) return undefined;
    if (a.rest[0] !== ':') return { lo: a.value, hi: a.value, rest: a.rest };
    const b = scanUnsigned(a.rest.slice(1));
    if (!b || b.value > 255n) return undefined;
    return { lo: a.value, hi: b.value, rest: b.rest };
  };
  const bad = `\`${v}\` is not an ${what} type name or \`type[/code]\` number (see \`${what === 'ICMP' ? 'iptables -p icmp' : 'ip6tables -p icmpv6'} -h\`)`;
  const t = range(v);
  if (!t) return bad;
  if (t.lo !== t.hi) return `${what} type ranges are not supported: give one type (the code after \`/\` may be a range)`;
  if (t.rest === '') return undefined;
  if (t.rest[0] !== '/') return bad;
  const c = range(t.rest.slice(1));
  if (!c || c.rest !== '') return bad;
  return undefined;
}

export const icmpType: ArgType = {
  id: 'icmp-type',
  label: 'type[/code]|name',
  values: ICMP_TYPES,
  check: (v) => icmpTypeProblem(ICMP_TYPES, v, 'ICMP'),
};

export const icmpv6Type: ArgType = {
  id: 'icmpv6-type',
  label: 'type[/code]|name',
  values: ICMPV6_TYPES,
  check: (v) => icmpTypeProblem(ICMPV6_TYPES, v, 'ICMPv6'),
};

// ---------------------------------------------------------------------------------------------
// Rates

const RATE_UNITS = [['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]] as const;

/**
 * `N[/second|/minute|/hour|/day]` as libxt_limit's parse_rate reads it: the count through atoi, the
 * unit as any case-insensitive prefix of second/minute/hour/day. Returns packets per second, or
 * undefined when iptables refuses the text.
 */
export function parseRate(v: string): number | undefined {
  const slash = v.indexOf('/');
  let mult = 1;
  if (slash >= 0) {
    const u = v.slice(slash + 1).toLowerCase();
    if (u === '') return undefined;
    const unit = RATE_UNITS.find(([w]) => w.startsWith(u));
    if (!unit) return undefined;
    mult = unit[1];
  }
  const m = /^[ \t]*[+]?([0-9]+)/.exec(v);
  const count = m ? Number(m[1]) : 0;
  if (count === 0) return undefined;
  return count / mult;
}

export const rate: ArgType = {
  id: 'rate',
  label: 'N[/second|/minute|/hour|/day]',
  check: (v) => {
    const r = parseRate(v);
    if (r === undefined) return `\`${v}\` is not a rate: write a positive number with an optional unit, such as \`30/min\` or \`5/second\``;
    // the kernel keeps the interval between packets in 1/10000 s; it must not round to zero
    if (Math.floor(10000 / r) === 0) return `rate \`${v}\` is too fast: at most 10000 per second can be expressed`;
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// libxtables option types (xtoptions.c) shared by several match modules

/**
 * What `xtables_strtoul(s, &end, ...)` reads from the start of `s`: optional blanks, an optional
 * `+` (a `-` is refused), then a decimal, 0x hex or 0-octal number; the rest is handed back for
 * the caller to inspect. Undefined when no digit could be read.
 */
export function scanUnsigned(s: string): { value: bigint; rest: string } | undefined {
  const m = /^[ \t\n\v\f\r]*\+?/.exec(s)!;
  const body = s.slice(m[0].length);
  if (s.slice(0, m[0].length).trim() === '' && body.startsWith('-')) return undefined;
  let d: RegExpExecArray | null;
  if ((d = /^0[xX]([0-9a-fA-F]+)/.exec(body))) return { value: BigInt('0x' + d[1]), rest: body.slice(d[0].length) };
  if ((d = /^0([0-7]*)/.exec(body))) return { value: d[1] ? BigInt('0o' + d[1]) : 0n, rest: body.slice(d[0].length) };
  if ((d = /^[1-9][0-9]*/.exec(body))) return { value: BigInt(d[0]), rest: body.slice(d[0].length) };
  return undefined;
}

/**
 * XTTYPE_UINT8RC/16RC/32RC/64RC (xtopt_parse_mint): `from[:to]` where either side may be left
 * empty (0 and the type's maximum), at most two parts. libxtables does not compare the ends; some
 * modules do (`ordered`), the others accept a reversed range that then matches nothing.
 * Returns the two ends (equal for a single value) or a message.
 */
export function parseUintRC(v: string, max: bigint, what = 'a number'): [bigint, bigint] | string {
  const vals: bigint[] = [];
  let arg = v;
  for (;;) {
    if (vals.length === 2) return `\`${v}\` has more than two parts: write \`from:to\``;
    let value: bigint;
    let rest: string;
    if (arg === '' || arg[0] === ':') {
      value = vals.length === 1 ? max : 0n;
      rest = arg;
    } else {
      const r = scanUnsigned(arg);
      if (!r || r.value > max) return `\`${arg.split(':')[0]}\` is not ${what} from 0 to ${max}`;
      if (r.rest !== '' && r.rest[0] !== ':') return `unexpected \`${r.rest}\` in \`${v}\``;
      value = r.value;
      rest = r.rest;
    }
    vals.push(value);
    if (rest === '') break;
    arg = rest.slice(1);
  }
  return [vals[0]!, vals[1] ?? vals[0]!];
}

export function uintRangeRC(max: bigint | number, opts: { label?: string; what?: string; ordered?: boolean; id?: string } = {}): ArgType {
  const m = BigInt(max);
  const reversed = (v: string) => {
    const r = parseUintRC(v, m, opts.what);
    return typeof r !== 'string' && r[0] > r[1];
  };
  return {
    id: opts.id ?? `uint-rc:${m}${opts.ordered ? ':ordered' : ''}`,
    label: opts.label ?? 'from[:to]',
    check: (v) => {
      const r = parseUintRC(v, m, opts.what);
      if (typeof r === 'string') return r;
      if (opts.ordered && r[0] > r[1]) return `the range \`${v}\` starts above its end (write the lower value first)`;
      return undefined;
    },
    warn: (v) => (!opts.ordered && reversed(v) ? `the range \`${v}\` starts above its end, so nothing is in it and the match never succeeds (write the lower value first)` : undefined),
  };
}

/**
 * A port as getaddrinfo() resolves it for XTTYPE_PORT / XTTYPE_PORTRC (dccp, ipvs): a decimal
 * number (blanks and a sign allowed, no hex; the value is kept in an int, so it wraps and a
 * negative result is refused), or a tcp/udp service name from /etc/services.
 * Returns the port (0-65535) and whether the written number was above 65535.
 */
export function resolveServicePort(text: string): { port: number; wrapped: boolean } | undefined {
  if (text === '') return undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (m) {
    let v = BigInt(m[2]!);
    const max = 2n ** 64n - 1n;
    if (v > max) v = max;
    if (m[1] === '-' && v !== 0n) v = 2n ** 64n - v;
    const asInt = Number(BigInt.asIntN(32, v));
    if (asInt < 0) return undefined;
    return { port: asInt & 0xffff, wrapped: asInt > 65535 };
  }
  const svc = SERVICES.find((s) => s.name === text && (s.proto === 'tcp' || s.proto === 'udp'));
  return svc ? { port: svc.port, wrapped: false } : undefined;
}

function servicePortProblem(p: string): string | undefined {
  if (resolveServicePort(p)) return undefined;
  if (/^\s*[+-]?[0-9]+$/.test(p)) return `\`${p}\` does not resolve to a port (a negative number or one that fills 32 bits)`;
  return `\`${p}\` is neither a decimal port number nor a tcp/udp service name from /etc/services`;
}

function servicePortWrap(p: string): string | undefined {
  const r = resolveServicePort(p);
  return r?.wrapped ? `port \`${p.trim()}\` is above 65535: only its low 16 bits are kept, so this is port ${r.port}` : undefined;
}

/** XTTYPE_PORT: one port, resolved by getaddrinfo (see resolveServicePort). */
export const servicePort: ArgType = {
  id: 'service-port',
  label: 'port',
  check: servicePortProblem,
  warn: servicePortWrap,
};

/** XTTYPE_PORTRC: `port[:port]`, either side may be empty; the ends are not compared. */
export const servicePortRange: ArgType = {
  id: 'service-port-range',
  label: 'port[:port]',
  check: (v) => {
    const parts = v.split(':');
    if (parts.length > 2) return `\`${v}\` has more than two parts: write \`from:to\``;
    for (const p of parts) if (p !== '') {
      const bad = servicePortProblem(p);
      if (bad) return bad;
    }
    return undefined;
  },
  warn: (v) => {
    const parts = v.split(':');
    for (const p of parts) if (p !== '') {
      const w = servicePortWrap(p);
      if (w) return w;
    }
    const lo = parts[0] ? resolveServicePort(parts[0])?.port : 0;
    const hi = parts.length === 2 ? (parts[1] ? resolveServicePort(parts[1])?.port : 65535) : lo;
    if (lo !== undefined && hi !== undefined && lo > hi) return `the port range \`${v}\` starts above its end, so no port is in it: write the lower port first`;
    return undefined;
  },
};

/**
 * The prefix length of a netmask written as an address (`255.255.255.0`, `ffff:ffff::`): a number
 * of bits, -1 when the mask is not contiguous, undefined when it is not an address of the family.
 * IPv4 masks are read as getaddrinfo(AI_NUMERICHOST) reads them (inet_aton forms included).
 */
export function netmaskBits(mask: string, family: ArgContext['family']): number | undefined {
  let bits: string;
  if (family === 'ipv4') {
    const n = parseIPv4(mask);
    if (n === undefined) return undefined;
    bits = n.toString(2).padStart(32, '0');
  } else {
    const g = parseIPv6(mask);
    if (!g) return undefined;
    bits = g.map((x) => x.toString(2).padStart(16, '0')).join('');
  }
  const ones = bits.indexOf('0') < 0 ? bits.length : bits.indexOf('0');
  return bits.slice(ones).includes('1') ? -1 : ones;
}

function familyBits(ctx: ArgContext): number {
  return ctx.family === 'ipv4' ? 32 : 128;
}

/** XTTYPE_PLEN: a prefix length, or a contiguous netmask in address form (hashlimit masks). */
export const prefixLength: ArgType = {
  id: 'prefix-length',
  label: 'bits|netmask',
  check: (v, ctx) => {
    const max = familyBits(ctx);
    if (parseUintIn(v, 0, max) !== undefined) return undefined;
    const b = netmaskBits(v, ctx.family);
    if (b === undefined) return `\`${v}\` is neither a prefix length from 0 to ${max} nor a netmask`;
    if (b < 0) return `\`${v}\` is not a contiguous netmask, which the kernel refuses here: write a prefix length from 0 to ${max}`;
    return undefined;
  },
};

/**
 * XTTYPE_PLENMASK: a prefix length or a netmask (connlimit). A netmask with holes in it is taken
 * as a full-length mask.
 */
export const prefixOrMask: ArgType = {
  id: 'prefix-or-mask',
  label: 'bits|netmask',
  check: (v, ctx) => {
    const max = familyBits(ctx);
    if (parseUintIn(v, 0, max) !== undefined || netmaskBits(v, ctx.family) !== undefined) return undefined;
    return `\`${v}\` is neither a prefix length from 0 to ${max} nor a netmask`;
  },
  warn: (v, ctx) => {
    if (parseUintIn(v, 0, familyBits(ctx)) !== undefined) return undefined;
    return netmaskBits(v, ctx.family) === -1 ? `\`${v}\` is not a contiguous netmask: iptables silently uses a full /${familyBits(ctx)} mask instead` : undefined;
  },
};

/** XTTYPE_HOST: one address (or a host name resolved once at load time), no mask. */
export const hostArg: ArgType = {
  id: 'host',
  label: 'address',
  check: (v, ctx) => {
    if (v === '') return 'expected an address';
    if (v.includes('/')) return `expected one address without a \`/mask\`, got \`${v}\``;
    return checkAddress(v, ctx.family);
  },
  warn: (v, ctx) => hostnameWarning(v, ctx.family),
};

/** XTTYPE_HOSTMASK: `address[/prefix-length|/netmask]` (ipvs --vaddr, policy --tunnel-src...). */
export const hostMaskArg: ArgType = {
  id: 'host-mask',
  label: 'address[/mask]',
  check: (v, ctx) => {
    const slash = v.indexOf('/');
    const a = slash >= 0 ? v.slice(0, slash) : v;
    if (a === '') return 'expected an address';
    const bad = checkAddress(a, ctx.family);
    if (bad) return bad;
    return slash >= 0 ? prefixOrMask.check(v.slice(slash + 1), ctx) : undefined;
  },
  warn: (v, ctx) => hostnameWarning(v.split('/')[0]!, ctx.family) ?? (v.includes('/') ? prefixOrMask.warn!(v.slice(v.indexOf('/') + 1), ctx) : undefined),
};

/**
 * `value[/mask]` or a name from an iproute2 table (/etc/iproute2/rt_realms, /etc/iproute2/group),
 * as xtables_parse_val_mask reads it. Names are looked up on the machine that loads the rules:
 * the ones Debian ships are accepted silently, others draw a warning.
 */
export function valueMaskOrName(known: readonly ValueDoc[], file: string, opts: { id: string; label?: string }): ArgType {
  return {
    id: opts.id,
    label: opts.label ?? 'value[/mask]|name',
    values: known,
    check: (v) => {
      const a = scanUnsigned(v);
      if (a && a.value <= 0xffffffffn) {
        if (a.rest === '') return undefined;
        if (a.rest[0] === '/') {
          const b = scanUnsigned(a.rest.slice(1));
          if (b && b.value <= 0xffffffffn && b.rest === '') return undefined;
          return `\`${v}\`: the mask after \`/\` must be a 32-bit number`;
        }
      }
      if (a && a.rest[0] === '/') return `\`${v}\` is not \`value[/mask]\` with 32-bit numbers`;
      if (v === '' || /[\s/]/.test(v)) return `\`${v}\` is neither \`value[/mask]\` nor a name from ${file}`;
      return undefined;
    },
    warn: (v) => {
      const a = scanUnsigned(v);
      if (a && (a.rest === '' || a.rest[0] === '/')) return undefined;
      if (known.some((k) => k.name === v)) return undefined;
      return `\`${v}\` is looked up in ${file} when the rules load; iptables refuses the rule if that file has no such name`;
    },
  };
}

/**
 * A name the kernel turns into a file under /proc/net (hashlimit and recent tables): not empty,
 * not `.` or `..`, no `/`.
 */
export function procName(label: string): ArgType {
  return {
    id: `proc-name:${label}`,
    label,
    check: (v) => {
      if (v === '') return `the ${label} cannot be empty`;
      if (v === '.' || v === '..') return `the ${label} cannot be \`${v}\`: it becomes a file name under /proc/net`;
      if (v.includes('/')) return `the ${label} cannot contain \`/\`: it becomes a file name under /proc/net`;
      return undefined;
    },
  };
}

/** XTTYPE_UINT64: a whole 64-bit unsigned number (decimal, 0x hex or 0-octal). */
export function uint64(opts: { label?: string; what?: string; min?: bigint } = {}): ArgType {
  const min = opts.min ?? 0n;
  const what = opts.what ?? 'a number';
  return {
    id: `uint64:${min}`,
    label: opts.label ?? 'value',
    check: (v) => {
      const r = scanUnsigned(v);
      return r && r.rest === '' && r.value >= min && r.value <= 0xffffffffffffffffn ? undefined : `expected ${what} from ${min} to 18446744073709551615, got \`${v}\``;
    },
  };
}

/**
 * xtables_parse_port(port, proto): a number 0-65535 (0x hex and 0-octal allowed) or a service
 * name that /etc/services lists for that protocol (tcp, udp, sctp, dccp...).
 */
export function parseProtocolPort(text: string, proto: string): number | undefined {
  const n = parseUintIn(text, 0, 65535);
  if (n !== undefined) return n;
  return SERVICES.find((s) => s.name === text && s.proto === proto)?.port;
}

/**
 * The `port[:port]` of the tcp, udp and sctp matches (parse_tcp_ports and friends in libxt_tcp.c,
 * libxt_sctp.c): either end may be empty (0 / 65535), each end is a number or a service name that
 * /etc/services lists for `proto`, and a range whose start is above its end is refused.
 */
export function protocolPortRange(proto: string): ArgType {
  return {
    id: `${proto}-port-range`,
    label: 'port[:port]',
    check: (v) => {
      const i = v.indexOf(':');
      const parts = i < 0 ? [v] : [v.slice(0, i), v.slice(i + 1)];
      const ends: number[] = [];
      for (const [k, p] of parts.entries()) {
        if (i >= 0 && p === '') {
          ends.push(k === 0 ? 0 : 65535);
          continue;
        }
        const n = parseProtocolPort(p, proto);
        if (n === undefined) {
          if (p === '!') return 'a `!` here is read as the port: write `! --option value` instead';
          return /^\s*\+?[0-9]+$/.test(p) ? `port \`${p}\` is out of range: ports are 0 to 65535` : `\`${p}\` is neither a port number nor a ${proto} service name listed in /etc/services`;
        }
        ends.push(n);
      }
      if (ends.length === 2 && ends[0]! > ends[1]!) return `the port range \`${v}\` starts above its end (write the lower port first)`;
      return undefined;
    },
  };
}
