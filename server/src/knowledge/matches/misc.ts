/** Frequently used general matches: limit, multiport, comment, mark. */
import { markMask, portList, rate, text, uint } from '../argtypes';
import type { MatchSpec } from '../types';

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
        args: [uint(10000, { min: 1, label: 'number', what: 'a burst size' })],
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
    check: (use) =>
      use.options.filter((o) => ['--sports', '--dports', '--ports'].includes(o.name)).length > 1
        ? [{ message: 'multiport takes only one of --sports, --dports and --ports per match; add a second `-m multiport` for the other' }]
        : [],
    options: [
      {
        name: '--sports',
        aliases: ['--source-ports'],
        args: [portList],
        negatable: true,
        summary: 'Match if the source port is in the list.',
      },
      {
        name: '--dports',
        aliases: ['--destination-ports'],
        args: [portList],
        negatable: true,
        summary: 'Match if the destination port is in the list.',
      },
      {
        name: '--ports',
        args: [portList],
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
        args: [text(255, 'comment', { allowEmpty: true })],
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
