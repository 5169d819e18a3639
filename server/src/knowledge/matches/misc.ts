/** Frequently used general matches: limit, multiport, comment, mark. */
import { markMask, parseProtocolPort, parseUintIn, rate, uint } from '../argtypes';
import { SERVICES } from '../values/netbase';

/** Every protocol multiport works with; a service name must be listed for the rule's -p. */
const MULTIPORT_PROTOCOLS = ['tcp', 'udp', 'udplite', 'sctp', 'dccp'];

function multiportItems(v: string): { lo: string; hi?: string }[] {
  return v.split(',').map((item) => {
    const i = item.indexOf(':');
    return i < 0 ? { lo: item } : { lo: item.slice(0, i), hi: item.slice(i + 1) };
  });
}

/** A port as one of the protocols multiport takes would read it (the -p is checked later). */
function anyMultiportPort(p: string): number | undefined {
  return parseUintIn(p, 0, 65535) ?? SERVICES.find((s) => s.name === p && MULTIPORT_PROTOCOLS.includes(s.proto))?.port;
}

/**
 * libxt_multiport parse_multi_ports_v1: up to 15 ports, `from:to` ranges counting as two; both
 * ends of a range must be given and the start must be below the end.
 */
const multiportList: ArgType = {
  id: 'multiport-list',
  label: 'port[,port|,port:port]...',
  check: (v) => {
    let count = 0;
    for (const { lo, hi } of multiportItems(v)) {
      for (const p of hi === undefined ? [lo] : [lo, hi]) {
        if (p === '') return `empty port in \`${v}\` (both ends of a range must be written)`;
        if (anyMultiportPort(p) === undefined) {
          return /^\s*\+?[0-9]+$/.test(p) ? `port \`${p}\` is out of range: ports are 0 to 65535` : `\`${p}\` is neither a port number nor a service name from /etc/services`;
        }
      }
      if (hi !== undefined && anyMultiportPort(lo)! >= anyMultiportPort(hi)!) return `the range \`${lo}:${hi}\` must start below its end`;
      count += hi === undefined ? 1 : 2;
    }
    if (count > 15) return `multiport takes at most 15 ports (a range counts as two); this list has ${count}`;
    return undefined;
  },
};

/** Service names are looked up for the rule's protocol (xtables_parse_port(name, proto)). */
function multiportNames(use: { protocol?: { name: string }; options: readonly { name: string; args: readonly string[] }[] }): Problem[] {
  const proto = use.protocol?.name;
  if (!proto || !MULTIPORT_PROTOCOLS.includes(proto)) return [];
  const out: Problem[] = [];
  for (const o of use.options) {
    for (const { lo, hi } of multiportItems(o.args[0] ?? '')) {
      for (const p of hi === undefined ? [lo] : [lo, hi]) {
        if (p !== '' && anyMultiportPort(p) !== undefined && parseProtocolPort(p, proto) === undefined) {
          out.push({ option: o.name, argIndex: 0, message: `\`${p}\` is not a ${proto} service in /etc/services, so iptables cannot resolve it for \`-p ${proto}\`; write the port number` });
        }
      }
    }
  }
  return out;
}
import type { ArgType, MatchSpec, Problem } from '../types';

/**
 * The comment text: iptables accepts any length but the kernel keeps 255 bytes (XT_MAX_COMMENT_LEN
 * is 256 with the terminating NUL), cutting the rest silently.
 */
const comment: ArgType = {
  id: 'comment-text',
  label: 'comment',
  check: () => undefined,
  warn: (v) => (Buffer.byteLength(v, 'utf8') > 255 ? `the comment is ${Buffer.byteLength(v, 'utf8')} bytes long; the kernel keeps only the first 255` : undefined),
};

export const MISC_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'limit',
    families: ['ipv4', 'ipv6'],
    summary: 'Match at most a given rate (token bucket); typical in front of LOG.',
    doc:
      'Matches until the burst is used up, then at most `--limit` times per unit; the rest do not match and ' +
      'continue to the next rule. In front of LOG it keeps the log readable; it is one counter for all ' +
      'packets, so a flood from one host eats the budget of everyone (use hashlimit for per-source limits).',
    options: [
      {
        name: '--limit',
        args: [rate],
        summary: 'Average rate, e.g. `30/min` (default 3/hour).',
      },
      {
        name: '--limit-burst',
        args: [uint(10000, { label: 'number', what: 'a burst size' })],
        summary: 'How many packets may match at once before the rate applies (default 5).',
      },
    ],
  },
  {
    kind: 'match',
    name: 'multiport',
    families: ['ipv4', 'ipv6'],
    protocols: ['tcp', 'udp', 'udplite', 'sctp', 'dccp'],
    needsOneOf: ['--sports', '--dports', '--ports'],
    summary: 'Match up to 15 ports or ranges in one rule.',
    doc: 'A comma-separated list of ports and `from:to` ranges (a range counts as two of the fifteen). Needs `-p tcp`, `udp`, `udplite`, `sctp` or `dccp`.',
    check: (use) => [
      ...(use.options.filter((o) => ['--sports', '--dports', '--ports'].includes(o.name)).length > 1
        ? [{ message: 'multiport takes only one of --sports, --dports and --ports per match; add a second `-m multiport` for the other' }]
        : []),
      ...multiportNames(use),
    ],
    options: [
      {
        name: '--sports',
        aliases: ['--source-ports'],
        args: [multiportList],
        negatable: true,
        summary: 'Match if the source port is in the list.',
      },
      {
        name: '--dports',
        aliases: ['--destination-ports'],
        args: [multiportList],
        negatable: true,
        summary: 'Match if the destination port is in the list.',
      },
      {
        name: '--ports',
        args: [multiportList],
        negatable: true,
        summary: 'Match if either the source or the destination port is in the list.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'comment',
    families: ['ipv4', 'ipv6'],
    summary: 'Attach a comment to the rule (always matches).',
    doc: 'Stored with the rule in the kernel and shown by iptables-save; it never affects which packets match.',
    options: [
      {
        name: '--comment',
        args: [comment],
        required: true,
        summary: 'The comment text (at most 255 bytes).',
      },
    ],
  },
  {
    kind: 'match',
    name: 'mark',
    families: ['ipv4', 'ipv6'],
    summary: 'Match the packet mark (set by MARK, CONNMARK --restore-mark, tc...).',
    doc: 'The mark lives only inside this host; it is not on the wire. `value/mask` compares only the masked bits.',
    options: [
      {
        name: '--mark',
        args: [markMask],
        negatable: true,
        required: true,
        summary: 'Match `value[/mask]`.',
      },
    ],
  },
];
