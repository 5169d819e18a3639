/**
 * Matches on facts of this host rather than of the packet: the local socket and its owner
 * (owner, socket, cgroup), the CPU handling the packet, the cluster node it hashes to, and the
 * clock (time). Options follow the libxt_ files of iptables 1.8.9 of the same names.
 */
import { scanUnsigned, uint } from '../argtypes';
import type { ArgType, MatchSpec, Problem } from '../types';

// ---------------------------------------------------------------------------------------------
// owner

/** A user or group name getpwnam/getgrnam could know; iptables looks it up when the rule loads. */
const ACCOUNT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;

/** libxt_owner owner_parse_range: `id`, `id-id` or `id:id`, ids 0 to 4294967294. */
function ownerRange(v: string): [bigint, bigint] | undefined {
  const a = scanUnsigned(v);
  if (!a || a.value > 0xfffffffen) return undefined;
  if (a.rest === '') return [a.value, a.value];
  if (a.rest[0] !== '-' && a.rest[0] !== ':') return undefined;
  const b = scanUnsigned(a.rest.slice(1));
  if (!b || b.value > 0xfffffffen || b.rest !== '') return undefined;
  return [a.value, b.value];
}

function ownerId(kind: 'user' | 'group'): ArgType {
  return {
    id: `owner-${kind}`,
    label: `${kind === 'user' ? 'user' : 'group'}|id[-id]`,
    check: (v) => {
      const r = ownerRange(v);
      if (r) return r[0] > r[1] ? `the ${kind} id range \`${v}\` starts above its end; the kernel refuses it` : undefined;
      if (ACCOUNT_NAME.test(v)) return undefined;
      return `\`${v}\` is neither a ${kind} name nor a numeric id or range \`from-to\` (ids go up to 4294967294)`;
    },
  };
}

function ownerCheck(options: readonly { name: string; negated: boolean }[]): Problem[] {
  const gid = options.findIndex((o) => o.name === '--gid-owner');
  const suppl = options.findIndex((o) => o.name === '--suppl-groups');
  if (suppl >= 0 && (gid < 0 || gid > suppl)) {
    return [{ option: '--suppl-groups', message: '--suppl-groups needs --gid-owner before it: it widens that group test to the supplementary groups' }];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// time

/** strtoul(base 10) at the start of `s`: value (wrapped to 64 bits) and the rest. */
function strtoul10(s: string): { value: bigint; rest: string } {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/.exec(s);
  if (!m) return { value: 0n, rest: s };
  let v = BigInt(m[2]!);
  if (v > 2n ** 64n - 1n) v = 2n ** 64n - 1n;
  if (m[1] === '-') v = BigInt.asUintN(64, -v);
  return { value: v, rest: s.slice(m[0].length) };
}

/** libxt_time time_parse_date: `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]`, 1970 to 2038. */
export function timeDateProblem(v: string): string | undefined {
  const bad = `\`${v}\` is not a date \`YYYY[-MM[-DD[Thh[:mm[:ss]]]]]\` between 1970 and 2038`;
  const seps = ['-', '-', 'T', ':', ':', ''];
  const limits = [[1970n, 2038n], [0n, 12n], [0n, 31n], [0n, 23n], [0n, 59n], [0n, 59n]] as const;
  const f = [1970, 1, 1, 0, 0, 0];
  let s = v;
  for (let i = 0; i < 6; i++) {
    const r = strtoul10(s);
    const [lo, hi] = limits[i]!;
    if ((r.rest !== '' && r.rest[0] !== seps[i]) || r.value < lo || r.value > hi || (i === 5 && r.rest !== '')) return bad;
    f[i] = Number(r.value);
    if (r.rest === '') break;
    s = r.rest.slice(1);
  }
  if (Date.UTC(f[0]!, f[1]! - 1, f[2]!, f[3]!, f[4]!, f[5]!) < 0) return `\`${v}\` falls before 1970-01-01 once the zero month or day is normalised`;
  return undefined;
}

/** libxt_time time_parse_minutes: `hh:mm[:ss]`. Returns seconds since midnight or a message. */
export function timeOfDay(v: string): number | string {
  const bad = `\`${v}\` is not a time of day \`hh:mm[:ss]\` (00:00:00 to 23:59:59)`;
  const h = strtoul10(v);
  if (h.rest[0] !== ':' || h.value > 23n) return bad;
  const m = strtoul10(h.rest.slice(1));
  if ((m.rest !== '' && m.rest[0] !== ':') || m.value > 59n) return bad;
  let sec = 0n;
  if (m.rest !== '') {
    const s = strtoul10(m.rest.slice(1));
    if (s.rest !== '' || s.value > 59n) return bad;
    sec = s.value;
  }
  return Number(h.value * 3600n + m.value * 60n + sec);
}

/** my_strseg: comma-separated segments, each cut to `keep` characters; stops at an empty rest. */
function segments(v: string, keep: number): string[] {
  const out: string[] = [];
  let rest: string | undefined = v;
  while (rest !== undefined && rest !== '') {
    const i: number = rest.indexOf(',');
    out.push((i < 0 ? rest : rest.slice(0, i)).slice(0, keep));
    rest = i < 0 ? undefined : rest.slice(i + 1);
  }
  return out;
}

/** strtoul(base 0) over a whole word; undefined when characters are left over. */
function wholeNumber(s: string): bigint | undefined {
  if (s === '') return 0n;
  const m = /^[ \t\n\v\f\r]*[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[1]!;
  return body.startsWith('0x') || body.startsWith('0X') ? BigInt(body) : body.length > 1 && body[0] === '0' ? BigInt('0o' + body.slice(1)) : BigInt(body);
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const weekdays: ArgType = {
  id: 'weekdays',
  label: 'day[,day...]',
  list: true,
  values: WEEKDAYS.map((d, i) => ({ name: d, summary: `${['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][i]} (also ${i + 1}).` })),
  check: (v) => {
    for (const d of segments(v, 3)) {
      const n = wholeNumber(d);
      if (n !== undefined) {
        if (n === 0n) return d === '' ? `empty day in \`${v}\`` : 'day 0 does not exist: the week runs from 1 (Monday) to 7 (Sunday)';
        continue;
      }
      if (!WEEKDAYS.some((w) => d.slice(0, 2) === w.slice(0, 2))) return `\`${d}\` is not a day: use Mon, Tue, Wed, Thu, Fri, Sat, Sun or 1-7`;
    }
    return undefined;
  },
  warn: (v) => {
    for (const d of segments(v, 3)) {
      const n = wholeNumber(d);
      if (n !== undefined && n > 7n) return `day ${n} does not exist (1 is Monday, 7 is Sunday); iptables accepts it but it never matches`;
    }
    return undefined;
  },
};

const monthdays: ArgType = {
  id: 'monthdays',
  label: 'day[,day...]',
  list: true,
  check: (v) => {
    for (const d of segments(v, 2)) {
      const n = wholeNumber(d);
      if (n === undefined || n > 31n) return `\`${d}\` is not a day of the month (1-31)`;
    }
    return undefined;
  },
  warn: (v) => (segments(v, 2).some((d) => wholeNumber(d) === 0n) ? 'day 0 of the month never comes (and an empty entry counts as 0)' : undefined),
};

const dateArg: ArgType = { id: 'time-date', label: 'YYYY[-MM[-DD[Thh[:mm[:ss]]]]]', check: timeDateProblem };
const timeArg: ArgType = { id: 'time-of-day', label: 'hh:mm[:ss]', check: (v) => { const r = timeOfDay(v); return typeof r === 'string' ? r : undefined; } };

function timeCheck(options: readonly { name: string; args: readonly string[] }[]): Problem[] {
  if (!options.some((o) => o.name === '--contiguous')) return [];
  const startArg = options.find((o) => o.name === '--timestart')?.args[0];
  const stopArg = options.find((o) => o.name === '--timestop')?.args[0];
  const start = startArg !== undefined ? timeOfDay(startArg) : 0;
  const stop = stopArg !== undefined ? timeOfDay(stopArg) : 86399;
  if (typeof start === 'number' && typeof stop === 'number' && start < stop) {
    return [{ option: '--contiguous', message: '--contiguous is for windows that wrap past midnight: --timestop must be earlier than --timestart' }];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// cluster

function clusterCheck(options: readonly { name: string; args: readonly string[] }[]): Problem[] {
  const n = (name: string) => {
    const a = options.find((o) => o.name === name)?.args[0];
    const r = a !== undefined ? scanUnsigned(a) : undefined;
    return r && r.rest === '' ? r.value : undefined;
  };
  const total = n('--cluster-total-nodes');
  const node = n('--cluster-local-node');
  const mask = n('--cluster-local-nodemask');
  if (total === undefined) return [];
  if (node !== undefined && node > total) return [{ option: '--cluster-local-node', message: `node ${node} does not exist in a cluster of ${total}` }];
  if (mask !== undefined && mask >= 1n << total) return [{ option: '--cluster-local-nodemask', message: `the node mask ${mask} names nodes beyond the ${total} of the cluster` }];
  return [];
}

// ---------------------------------------------------------------------------------------------

export const HOST_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'owner',
    families: ['ipv4', 'ipv6'],
    hooks: ['OUTPUT', 'POSTROUTING'],
    needsOneOf: [],
    summary: 'User or group of the local process that sent the packet.',
    doc:
      'Looks at the socket of a locally generated packet: its owner uid, gid, or whether there is a socket at ' +
      'all. Only outgoing packets have one, so the kernel accepts the match in OUTPUT and POSTROUTING only. ' +
      'Typical use: let only the proxy user reach port 80, or route one user\'s traffic through a VPN. Names ' +
      'are looked up when the rules load and stored as numbers.',
    check: (use) => ownerCheck(use.options),
    options: [
      {
        name: '--uid-owner',
        args: [ownerId('user')],
        negatable: true,
        summary: 'Match the socket owner\'s user (name, uid, or range `from-to`).',
        doc: 'A name must exist when the rules load (the load fails otherwise, which matters for users from LDAP or created later by a package); iptables-save then shows the number.',
      },
      { name: '--gid-owner', args: [ownerId('group')], negatable: true, summary: 'Match the socket owner\'s group (name, gid, or range `from-to`).' },
      { name: '--socket-exists', args: [], negatable: true, summary: 'Match if the packet belongs to a local socket (some kernel-generated packets have none).' },
      {
        name: '--suppl-groups',
        args: [],
        summary: 'With --gid-owner: also match the process\'s supplementary groups.',
        doc: 'Must follow --gid-owner on the line.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'socket',
    families: ['ipv4', 'ipv6'],
    hooks: ['PREROUTING', 'INPUT'],
    summary: 'An arriving packet belongs to an existing local socket.',
    doc:
      'Looks up the socket the packet would be delivered to. Its main use is transparent proxying: mark ' +
      'packets of connections the proxy already holds (`-m socket --transparent -j MARK`) so policy routing ' +
      'keeps delivering them locally. Valid in PREROUTING and INPUT.',
    options: [
      { name: '--transparent', args: [], summary: 'Only sockets with the IP_TRANSPARENT option (TPROXY listeners).' },
      { name: '--nowildcard', args: [], summary: 'Ignore sockets bound to 0.0.0.0 or ::; only an exact local address matches.' },
      { name: '--restore-skmark', args: [], summary: 'Copy the socket\'s mark onto the packet when it matches.' },
    ],
  },
  {
    kind: 'match',
    name: 'cgroup',
    families: ['ipv4', 'ipv6'],
    hooks: ['INPUT', 'OUTPUT', 'POSTROUTING'],
    needsOneOf: ['--path', '--cgroup'],
    summary: 'Control group of the local process that owns the socket.',
    doc:
      'Matches local traffic by the cgroup of its socket: `--path` names a cgroup v2 directory (relative to ' +
      'the cgroup2 mount, e.g. `system.slice/nginx.service`), `--cgroup` a net_cls class id (cgroup v1). ' +
      'The path must exist when the rule loads. Only sockets of this host have a cgroup, hence INPUT, ' +
      'OUTPUT and POSTROUTING only.',
    options: [
      { name: '--path', args: [{ id: 'cgroup-path', label: 'path', check: () => undefined }], negatable: true, excludes: ['--cgroup'], summary: 'Match sockets in this cgroup v2 path (and its children).' },
      { name: '--cgroup', args: [uint(0xffffffff, { label: 'classid', what: 'a class id' })], negatable: true, excludes: ['--path'], summary: 'Match the net_cls class id (cgroup v1).' },
    ],
  },
  {
    kind: 'match',
    name: 'cpu',
    families: ['ipv4', 'ipv6'],
    summary: 'The CPU processing the packet.',
    doc:
      'Matches the number of the CPU running the netfilter hook, which with RSS/RPS depends on the flow ' +
      'hash. Used to spread connections over several local servers (one per CPU); the mapping changes if ' +
      'the NIC queue setup changes.',
    options: [{ name: '--cpu', args: [uint(0xffffffff, { label: 'number', what: 'a CPU number' })], negatable: true, required: true, summary: 'Match packets handled by this CPU (counted from 0).' }],
  },
  {
    kind: 'match',
    name: 'cluster',
    families: ['ipv4', 'ipv6'],
    needsOneOf: ['--cluster-local-node', '--cluster-local-nodemask'],
    summary: 'Hash connections over cluster nodes; match those this node handles.',
    doc:
      'For load sharing without a balancer: every node sees all packets (multicast MAC), hashes each ' +
      'connection\'s source address, and accepts only its share. All nodes must use the same total and ' +
      'seed. Needs connection tracking.',
    check: (use) => clusterCheck(use.options),
    options: [
      { name: '--cluster-total-nodes', args: [uint(32, { min: 1, label: 'count', what: 'a node count' })], required: true, summary: 'How many nodes share the traffic (1-32).' },
      { name: '--cluster-local-node', args: [uint(32, { min: 1, label: 'id', what: 'a node id' })], negatable: true, excludes: ['--cluster-local-nodemask'], summary: 'The id of this node (1 to the total).' },
      { name: '--cluster-local-nodemask', args: [uint(32, { min: 1, label: 'mask', what: 'a node mask' })], negatable: true, excludes: ['--cluster-local-node'], summary: 'The nodes this one handles, as a bit mask (bit 0 is node 1).' },
      { name: '--cluster-hash-seed', args: [uint(0xffffffff, { label: 'seed', what: 'a seed' })], required: true, summary: 'Seed of the hash; the same on every node.' },
    ],
  },
  {
    kind: 'match',
    name: 'time',
    families: ['ipv4', 'ipv6'],
    summary: 'Time of day, weekday, day of month, or date range when the packet arrives.',
    doc:
      'Compares the packet\'s arrival time with the given window. Times are UTC unless `--kerneltz` is ' +
      'given (and the kernel\'s idea of the local zone is not updated for daylight saving). A window that ' +
      'wraps past midnight (`--timestart 22:00 --timestop 06:00`) works; add `--contiguous` if it should ' +
      'count as one span for `--weekdays`. Without options it matches always.',
    check: (use) => timeCheck(use.options),
    options: [
      { name: '--datestart', args: [dateArg], summary: 'Match from this date and time on (`YYYY[-MM[-DD[Thh[:mm[:ss]]]]]`).' },
      { name: '--datestop', args: [dateArg], summary: 'Match until this date and time.' },
      { name: '--timestart', args: [timeArg], summary: 'Start of the daily window (`hh:mm[:ss]`).' },
      { name: '--timestop', args: [timeArg], summary: 'End of the daily window (`hh:mm[:ss]`).' },
      { name: '--contiguous', args: [], summary: 'A window past midnight is one span (the weekday is the one it started on).' },
      { name: '--weekdays', args: [weekdays], negatable: true, summary: 'Match on these days: Mon,Tue,... or 1-7.', doc: 'Days are judged in UTC unless --kerneltz is given, so near midnight a local Monday may still be Sunday for the rule.' },
      { name: '--monthdays', args: [monthdays], negatable: true, summary: 'Match on these days of the month (1-31).' },
      { name: '--kerneltz', args: [], excludes: ['--utc'], summary: 'Use the kernel\'s time zone instead of UTC.' },
      { name: '--localtz', args: [], excludes: ['--utc'], deprecated: 'write `--kerneltz`, which means the same', summary: 'Old name of --kerneltz.' },
      { name: '--utc', args: [], excludes: ['--kerneltz', '--localtz'], summary: 'Use UTC (the default).' },
    ],
  },
];
