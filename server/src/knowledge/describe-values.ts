/**
 * Decoders that turn an option value into plain words: an address into its network and size, a
 * port into its service, a rate into an interval. Used by hover and by the rule explainer.
 */
import { parseIPv4, parseIPv6, parsePortRange, parseRate, parseUnsigned } from './argtypes';
import type { Family } from './types';
import { SERVICES } from './values/netbase';

/**
 * A whole number with its digits grouped by thousands (`16,777,216`), as toLocaleString('en-US')
 * writes it, without the locale machinery: its first use loads the ICU data, some 16 ms that a
 * check reporting its budget paid in the middle of a cold open.
 */
export function groupedDigits(n: number): string {
  const digits = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let k = 0; k < digits.length; k++) {
    if (k > 0 && (digits.length - k) % 3 === 0) out += ',';
    out += digits[k];
  }
  return n <= -1 ? `-${out}` : out;
}

function ipv4ToText(v: number): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

function ipv6ToText(g: number[]): string {
  // compress the longest run of zero groups (RFC 5952)
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function pow2Text(bits: number): string {
  const n = 2n ** BigInt(bits);
  return n < 10n ** 15n ? groupedDigits(Number(n)) : `2^${bits}`;
}

/** `10.1.2.3/8` -> "network 10.0.0.0/8 (10.0.0.0 – 10.255.255.255, 16,777,216 addresses)". */
export function describeAddress(item: string, family: Family): string {
  const [addr = '', mask] = item.split('/');
  if (family === 'ipv4') {
    const a = parseIPv4(addr);
    if (a === undefined) return `host name \`${addr}\`, resolved once when the rules are loaded`;
    let prefix: number | undefined = 32;
    let maskv = 0xffffffff;
    if (mask !== undefined) {
      if (mask.includes('.')) {
        const m = parseIPv4(mask);
        if (m === undefined) return item;
        maskv = m;
        const inv = ~m >>> 0;
        prefix = (inv & (inv + 1)) === 0 ? 32 - Math.log2(inv + 1) : undefined;
      } else {
        prefix = Number(parseUnsigned(mask) ?? 32n);
        maskv = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      }
    }
    const net = (a & maskv) >>> 0;
    if (prefix === 32) return `the single address ${ipv4ToText(a)}`;
    if (prefix === undefined) return `addresses whose bits under mask ${mask} equal ${ipv4ToText(net)} (a non-contiguous mask)`;
    if (prefix === 0) return 'every IPv4 address (/0)';
    const last = (net | (~maskv >>> 0)) >>> 0;
    const moved = net !== a ? ` (iptables keeps only the network part: ${ipv4ToText(net)}/${prefix})` : '';
    return `network ${ipv4ToText(net)}/${prefix}: ${ipv4ToText(net)} – ${ipv4ToText(last)}, ${pow2Text(32 - prefix)} addresses${moved}`;
  }
  const g = parseIPv6(addr);
  if (!g) return `host name \`${addr}\`, resolved once when the rules are loaded`;
  const prefix = mask === undefined ? 128 : Number(parseUnsigned(mask) ?? 128n);
  if (prefix >= 128) return `the single address ${ipv6ToText(g)}`;
  if (prefix === 0) return 'every IPv6 address (/0)';
  const net = g.map((x, i) => {
    const bits = Math.max(0, Math.min(16, prefix - i * 16));
    return bits === 0 ? 0 : x & ((0xffff << (16 - bits)) & 0xffff);
  });
  return `network ${ipv6ToText(net)}/${prefix} (${pow2Text(128 - prefix)} addresses)`;
}

export function serviceName(port: number, proto?: string): string | undefined {
  const s = SERVICES.find((x) => x.port === port && (!proto || x.proto === proto)) ?? SERVICES.find((x) => x.port === port);
  return s?.name;
}

/** `80` -> "port 80 (http)", `1024:65535` -> "ports 1024 to 65535 (64,512 ports)". */
export function describePorts(text: string, proto?: string): string {
  return text
    .split(',')
    .map((item) => {
      const r = parsePortRange(item);
      if (!r) return `\`${item}\``;
      if (r[0] === r[1]) {
        const n = serviceName(r[0], proto);
        return `port ${r[0]}${n ? ` (${n})` : ''}`;
      }
      if (r[0] > r[1]) return `the empty range ${r[0]}:${r[1]}`;
      if (r[0] === 0 && r[1] === 65535) return 'any port';
      return `ports ${r[0]} to ${r[1]} (${groupedDigits(r[1] - r[0] + 1)} ports)`;
    })
    .join(', ');
}

/** `30/min` -> "30 per minute: on average one packet every 2 s". */
export function describeRate(text: string): string {
  const r = parseRate(text);
  if (r === undefined) return `\`${text}\``;
  const every = 1 / r;
  const interval = every >= 3600 ? `${+(every / 3600).toFixed(2)} h` : every >= 60 ? `${+(every / 60).toFixed(2)} min` : every >= 1 ? `${+every.toFixed(2)} s` : `${+(every * 1000).toFixed(1)} ms`;
  return `${text}: on average one packet every ${interval}`;
}

/** `0x10/0xff` -> "mark 0x10 (16), comparing bits 0xff". */
export function describeMark(text: string): string {
  const [v = '', m] = text.split('/');
  const val = parseUnsigned(v);
  const mask = m === undefined ? undefined : parseUnsigned(m);
  if (val === undefined) return `\`${text}\``;
  const hex = (x: bigint) => `0x${x.toString(16)}`;
  return `value ${hex(val)} (${val})${mask !== undefined ? `, comparing only the bits of mask ${hex(mask)}` : ''}`;
}
