/**
 * Targets that feed state other rules or programs read later: SET (ipset contents), IDLETIMER
 * (idle notifications), LED (an LED trigger) and RATEEST (a rate estimator for -m rateest). The
 * packet continues with the next rule.
 */
import { uint } from '../argtypes';
import type { ArgType, ExtensionUse, Problem, TargetSpec } from '../types';
import { cutText, parseRateestTime, rateestTime, strtoulPrefix } from './args';

const setName: ArgType = {
  id: 'ipset-name',
  label: 'setname',
  check: (v) => {
    if (v === '') return 'expected an ipset name';
    const n = Buffer.byteLength(v, 'utf8');
    return n > 31 ? `ipset names have at most 31 characters; \`${v}\` has ${n}` : undefined;
  },
};

/** libxt_set.h parse_dirs: up to 6 entries, each starting with `src` or `dst`. */
const setFlags: ArgType = {
  id: 'ipset-flags',
  label: 'src|dst[,src|dst...]',
  values: [
    { name: 'src', summary: 'Use the packet\'s source address (or port) for this dimension of the set.' },
    { name: 'dst', summary: 'Use the packet\'s destination address (or port) for this dimension of the set.' },
  ],
  list: true,
  check: (v) => {
    const items = v.split(',');
    if (items.length > 6) return 'a set has at most 6 dimensions: give at most 6 src/dst flags';
    const bad = items.find((i) => !i.startsWith('src') && !i.startsWith('dst'));
    return bad !== undefined ? `\`${bad}\` is not \`src\` or \`dst\`: list one per dimension of the set, e.g. \`src,dst\`` : undefined;
  },
};

function setCheck(use: ExtensionUse): Problem[] {
  const has = (n: string) => use.options.some((o) => o.name === n);
  const out: Problem[] = [];
  if (has('--map-set')) {
    if (!has('--map-mark') && !has('--map-prio') && !has('--map-queue')) {
      out.push({ option: '--map-set', message: '--map-set needs at least one of --map-mark, --map-prio, --map-queue: what should be taken from the set entry?' });
    }
    if (use.table !== 'mangle') out.push({ option: '--map-set', message: `the kernel accepts --map-set only in the mangle table, not in ${use.table}` });
  }
  return out;
}

const LABEL_DOC = 'The timer appears as /sys/class/xt_idletimer/timers/<label>; rules with the same label share one timer.';

/** libxt_RATEEST.c RATEEST_final_check: the interval must round to 1/4 s .. 8 s, the ewmalog to 1..30. */
function rateestCheck(use: ExtensionUse): Problem[] {
  const iv = use.options.find((o) => o.name === '--rateest-interval')?.args[0];
  const ew = use.options.find((o) => o.name === '--rateest-ewmalog')?.args[0];
  const interval = iv === undefined ? undefined : parseRateestTime(iv);
  const ewma = ew === undefined ? undefined : parseRateestTime(ew);
  if (interval === undefined || ewma === undefined) return [];
  let k = 0;
  while (k <= 5 && interval > (1 << k) * 250_000) k++;
  if (k > 5) {
    return [{ option: '--rateest-interval', argIndex: 0, message: 'the interval is too long: the kernel measures every 1/4 s, 1/2 s, 1 s, 2 s, 4 s or 8 s' }];
  }
  let e = 1;
  for (; e < 32; e++) {
    const w = 1 - 1 / 2 ** e;
    if (interval / -Math.log(w) > ewma) break;
  }
  e--;
  if (e === 0 || e >= 31) {
    return [
      {
        option: '--rateest-ewmalog',
        argIndex: 0,
        message: 'the averaging time does not fit the interval: make it larger than the interval (typically 4 to 16 times) but not enormous',
      },
    ];
  }
  return [];
}

export const STATE_TARGETS: readonly TargetSpec[] = [
  {
    kind: 'target',
    name: 'SET',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    needsOneOf: ['--add-set', '--del-set', '--map-set'],
    check: setCheck,
    summary: 'Add the packet\'s address/port to an ipset, remove it, or copy values from a set entry; then continue.',
    doc:
      'Turns rules into dynamic lists: for example add every source that touches a trap port with ' +
      '`--add-set scanners src`, and drop `-m set --match-set scanners src` early in the chain. The flags name ' +
      'which packet field fills each dimension of the set type (`hash:ip,port` needs two). The set must exist ' +
      '(`ipset create`) before the rules are loaded, with the same address family, or the load fails; ' +
      'restore ipsets before iptables at boot.\n\n`--map-set` reads the skbinfo extension of the matching ' +
      'entry and applies it to the packet (mark, tc priority, queue); only in the mangle table, and priority ' +
      'or queue only in OUTPUT, FORWARD and POSTROUTING.',
    options: [
      {
        name: '--add-set',
        args: [setName, setFlags],
        summary: 'Add the packet\'s fields to this set: `--add-set NAME src[,dst...]`.',
      },
      {
        name: '--del-set',
        args: [setName, setFlags],
        summary: 'Remove the packet\'s fields from this set: `--del-set NAME src[,dst...]`.',
      },
      {
        name: '--timeout',
        args: [uint(0xfffffffe, { label: 'seconds' })],
        requires: ['--add-set'],
        summary: 'Lifetime of the added entry in seconds (the set needs `timeout` support); 0 means forever.',
      },
      {
        name: '--exist',
        args: [],
        requires: ['--add-set'],
        summary: 'If the entry already exists, reset its timeout instead of leaving it alone.',
        doc: 'Without it a repeat offender\'s entry still expires at the time set by its first packet.',
      },
      {
        name: '--map-set',
        args: [setName, setFlags],
        summary: 'Look the packet up in this set and copy the entry\'s skbinfo into the packet.',
      },
      { name: '--map-mark', args: [], requires: ['--map-set'], summary: 'Copy the entry\'s skbmark into the packet mark.' },
      { name: '--map-prio', args: [], requires: ['--map-set'], hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'], summary: 'Copy the entry\'s skbprio into the tc priority (OUTPUT, FORWARD, POSTROUTING only).' },
      { name: '--map-queue', args: [], requires: ['--map-set'], hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'], summary: 'Copy the entry\'s skbqueue into the transmit queue (OUTPUT, FORWARD, POSTROUTING only).' },
    ],
  },
  {
    kind: 'target',
    name: 'IDLETIMER',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    summary: 'Restart a named timer on every matching packet; userspace is notified when it runs out (idle detection).',
    doc:
      'Each packet pushes the timer `--timeout` seconds into the future. When no packet has come for that long, ' +
      'the kernel sends a uevent and updates a sysfs file, which power managers use to switch off idle links or ' +
      'radios. ' +
      LABEL_DOC,
    options: [
      { name: '--timeout', args: [uint(2147482, { min: 1, label: 'seconds' })], required: true, summary: 'Seconds without packets before the timer fires (1-2147482).' },
      {
        name: '--label',
        args: [
          {
            ...cutText(27, 'label', { cutBy: 'iptables' }),
            id: 'idletimer-label',
            check: (v) => (v === '' ? 'expected a non-empty label' : v.includes('/') ? 'the label names a sysfs file, so it cannot contain `/`' : undefined),
          },
        ],
        required: true,
        summary: 'Name of the timer (at most 27 characters are kept).',
        doc: LABEL_DOC,
      },
      { name: '--alarm', args: [], summary: 'Use an alarm timer, which also fires (and wakes the system) during suspend.' },
    ],
  },
  {
    kind: 'target',
    name: 'LED',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    summary: 'Flash an LED (via the LED trigger `netfilter-<id>`) for matching packets; then continue.',
    doc:
      'Creates the LED trigger `netfilter-<id>`; attach a LED to it with ' +
      '`echo netfilter-<id> > /sys/class/leds/<led>/trigger`. Useful on routers and embedded boards to show ' +
      'traffic of a kind. The kernel needs LED trigger support (CONFIG_LEDS_TRIGGERS), or the rule fails to load.',
    options: [
      {
        name: '--led-trigger-id',
        args: [{ id: 'led-trigger-id', label: 'name', check: (v) => (Buffer.byteLength(v, 'utf8') > 16 ? `the trigger name has at most 16 characters; \`${v}\` is longer` : undefined) }],
        required: true,
        summary: 'Name of the trigger; the kernel prefixes it with `netfilter-` (at most 16 characters).',
      },
      {
        name: '--led-delay',
        args: [
          {
            id: 'led-delay',
            label: 'ms|inf',
            check: (v) => {
              if (/^inf/i.test(v)) return undefined;
              const r = strtoulPrefix(v);
              return r && r.rest === '' && r.value <= 0xffffffffn ? undefined : `\`${v}\` is not a delay: give milliseconds (0 to 4294967295) or \`inf\``;
            },
          },
        ],
        summary: 'How long the LED stays on after a packet, in milliseconds; `inf` keeps it on for good.',
      },
      { name: '--led-always-blink', args: [], summary: 'Blink off and on for each packet even when the LED is already on.' },
    ],
  },
  {
    kind: 'target',
    name: 'RATEEST',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    check: rateestCheck,
    summary: 'Measure the rate of matching packets into a named estimator that `-m rateest` reads; then continue.',
    doc:
      'Keeps a running average of bytes and packets per second of everything that reaches the rule. Rules ' +
      'elsewhere compare estimators with `-m rateest`, for example to move traffic to a second link once the ' +
      'first is busy. Rules naming the same estimator must give the same interval and averaging time.',
    options: [
      { name: '--rateest-name', args: [cutText(15, 'estimator name')], required: true, summary: 'Name of the estimator (shared by rules that use the same name).' },
      {
        name: '--rateest-interval',
        args: [rateestTime],
        required: true,
        summary: 'How often the rate is sampled: 1/4 s to 8 s, rounded up to a power of two (e.g. `250ms`, `1s`).',
      },
      {
        name: '--rateest-ewmalog',
        args: [rateestTime],
        required: true,
        summary: 'Averaging time constant (longer than the interval): how quickly the estimate follows changes.',
      },
    ],
  },
];
