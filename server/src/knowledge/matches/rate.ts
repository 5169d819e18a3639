/**
 * Matches that count: per-key rate limits (hashlimit), concurrent connections (connlimit), byte
 * quotas (quota), rate estimators (rateest), address lists with timestamps (recent), sampling
 * (statistic) and accounting objects (nfacct). Options follow the libxt_ files of iptables 1.8.9
 * of the same names; overflow limits follow the kernel's checkentry functions.
 */
import { hostArg, prefixLength, prefixOrMask, procName, scanUnsigned, uint, uint64 } from '../argtypes';
import type { ArgType, ExtensionUse, MatchSpec, OptionSpec, Problem } from '../types';

// ---------------------------------------------------------------------------------------------
// hashlimit

const U32 = 0xffffffffn;
/** HZ * CREDITS_PER_JIFFY / XT_HASHLIMIT_SCALE_v2 of a kernel with HZ 250 or 1000. */
const CREDIT_FACTOR = 137438953n;

/** atoll(): leading blanks, a sign, digits; 0 when there are none. Wrapped to 64 bits. */
function atoll(s: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/.exec(s);
  if (!m) return 0n;
  const v = BigInt(m[2]!);
  return BigInt.asUintN(64, m[1] === '-' ? -v : v);
}

export interface HashlimitRate {
  /** The kernel's `avg`: microseconds per packet (packets) or a cost (bytes). */
  readonly avg: bigint;
  readonly bytes: boolean;
  /** Seconds in the unit (1, 60, 3600, 86400), or 15 for byte rates. */
  readonly mult: bigint;
}

/** libxt_hashlimit parse_bytes then parse_rate (revision 3). Returns the rate or a message. */
export function parseHashlimitRate(v: string): HashlimitRate | string {
  const at = v.indexOf('b/s');
  if (at > 0) {
    const r = atoll(v);
    if (r !== 0n) {
      const c = v[at - 1];
      const factor = c === 'm' ? 1048576n : c === 'k' ? 1024n : 1n;
      const bytes = BigInt.asUintN(64, r * factor);
      const r32 = BigInt.asUintN(32, bytes >> 4n);
      const cost = r32 === U32 ? 0n : U32 / (r32 + 1n);
      if (cost <= 1n) return `\`${v}\` is too high a byte rate for the kernel to count`;
      return { avg: cost, bytes: true, mult: 15n };
    }
  }
  let mult = 1n;
  const slash = v.indexOf('/');
  if (slash >= 0) {
    const unit = v.slice(slash + 1).toLowerCase();
    const found = unit === '' ? undefined : ([['second', 1n], ['minute', 60n], ['hour', 3600n], ['day', 86400n]] as const).find(([w]) => w.startsWith(unit));
    if (!found) return `\`${v}\` is not a rate: write \`N/sec\`, \`N/min\`, \`N/hour\`, \`N/day\` or a byte rate such as \`512kb/s\``;
    mult = found[1];
  }
  const r = atoll(v);
  if (r === 0n) return `\`${v}\` is not a rate: it must start with a positive number`;
  const avg = (1000000n * mult) / r;
  if (avg === 0n) return `\`${v}\` is too fast: at most 1000000 per second (per unit) can be expressed`;
  return { avg, bytes: false, mult };
}

const hashlimitRate: ArgType = {
  id: 'hashlimit-rate',
  label: 'N/sec|N/min|N/hour|N/day|Nkb/s',
  check: (v) => {
    const r = parseHashlimitRate(v);
    return typeof r === 'string' ? r : undefined;
  },
};

/** libxt_hashlimit parse_burst: a number from 1, optionally followed by `k` or `m` (the rest is ignored). */
function parseBurst(v: string): bigint | string {
  const r = scanUnsigned(v);
  if (!r || r.value < 1n) return `\`${v}\` is not a burst size from 1 to 1000000 (or a byte size such as \`400kb\`)`;
  if (r.rest === '' && r.value > 1000000n) return `a burst of ${r.value} is above 1000000`;
  const factor = r.rest[0] === 'm' ? 1048576n : r.rest[0] === 'k' ? 1024n : 1n;
  return BigInt.asUintN(64, r.value * factor);
}

const burstArg: ArgType = {
  id: 'hashlimit-burst',
  label: 'number[kb|mb]',
  check: (v) => {
    const r = parseBurst(v);
    return typeof r === 'string' ? r : undefined;
  },
  warn: (v) => {
    const r = scanUnsigned(v);
    return r && r.rest !== '' && !/^[km]/.test(r.rest) ? `\`${r.rest}\` after the number is ignored` : undefined;
  },
};

const hashlimitModes: ArgType = {
  id: 'hashlimit-mode',
  label: 'srcip|dstip|srcport|dstport[,...]',
  list: true,
  values: [
    { name: 'srcip', summary: 'One bucket per source address (or network, see --hashlimit-srcmask).' },
    { name: 'dstip', summary: 'One bucket per destination address.' },
    { name: 'srcport', summary: 'One bucket per source port.' },
    { name: 'dstport', summary: 'One bucket per destination port.' },
  ],
  check: (v) => {
    for (const t of v.split(/[,|]/).filter((x) => x !== '')) {
      if (!['srcip', 'dstip', 'srcport', 'dstport'].includes(t)) return `\`${t}\` is not one of srcip, dstip, srcport, dstport`;
    }
    return undefined;
  },
};

const rateInterval: ArgType = {
  id: 'hashlimit-interval',
  label: 'seconds',
  check: (v) => (atoll(v) > 0n && atoll(v) < 2n ** 31n ? undefined : `\`${v}\` is not a number of seconds above 0`),
};

function arg(use: ExtensionUse, name: string): string | undefined {
  return use.options.find((o) => o.name === name)?.args[0];
}

/** libxt_hashlimit's final check and the kernel's overflow checks (hashlimit_mt_check_common). */
function hashlimitCheck(use: ExtensionUse): Problem[] {
  const rateOpt = use.options.find((o) => o.name === '--hashlimit-upto' || o.name === '--hashlimit-above');
  if (!rateOpt) return [];
  const rate = parseHashlimitRate(rateOpt.args[0] ?? '');
  if (typeof rate === 'string') return [];
  const burstText = arg(use, '--hashlimit-burst');
  const burst = burstText !== undefined ? parseBurst(burstText) : 5n;
  if (typeof burst === 'string') return [];
  const rateMatch = use.options.some((o) => o.name === '--hashlimit-rate-match');
  if (rate.bytes) {
    if (burstText !== undefined) {
      const perCost = ((U32 / rate.avg) - 1n) << 4n;
      if (burst < perCost) return [{ option: '--hashlimit-burst', message: `with a byte rate the burst cannot be smaller than ${perCost} bytes` }];
    }
    return [];
  }
  if (burst > 1000000n) return [{ option: '--hashlimit-burst', message: `a burst of ${burst} packets is above 1000000` }];
  if (rateMatch) {
    if (rate.avg / rate.mult === 0n) return [{ option: rateOpt.name, message: 'with --hashlimit-rate-match this rate rounds down to zero per second; the kernel refuses it' }];
    return [];
  }
  const credits = (x: bigint) => BigInt.asUintN(64, x * CREDIT_FACTOR);
  if (credits(BigInt.asUintN(64, rate.avg * burst)) < credits(rate.avg)) {
    return [{ option: '--hashlimit-burst', message: 'this rate and burst overflow the kernel\'s credit counter (the kernel answers "Numerical result out of range"): use a faster rate or a smaller burst' }];
  }
  return [];
}

function rateOption(name: string, what: string, other: string, aliases?: string[]): OptionSpec {
  return {
    name,
    ...(aliases ? { aliases } : {}),
    args: [hashlimitRate],
    negatable: true,
    excludes: [other],
    summary: `Match while a bucket stays ${what} this rate (\`N/sec\`, \`N/min\`... or bytes \`Nkb/s\`).`,
  };
}

// ---------------------------------------------------------------------------------------------
// rateest

const RATE_SUFFIXES: readonly string[] = ['bit', 'Kibit', 'kbit', 'Mibit', 'mbit', 'Gibit', 'gbit', 'Tibit', 'tbit', 'Bps', 'KiBps', 'KBps', 'MiBps', 'MBps', 'GiBps', 'GBps', 'TiBps', 'TBps'];

/** strtod's longest valid prefix: returns the rest, or undefined when no number was read. */
function strtodRest(s: string): string | undefined {
  const m = /^[ \t\n\v\f\r]*[+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)/i.exec(s);
  return m ? s.slice(m[0].length) : undefined;
}

const rateestBps: ArgType = {
  id: 'rateest-bps',
  label: 'rate',
  check: (v) => {
    const rest = strtodRest(v);
    if (rest === undefined) return `\`${v}\` is not a rate such as \`8bit\`, \`5kbit\` or \`1MBps\``;
    if (rest === '' || RATE_SUFFIXES.some((s) => s.toLowerCase() === rest.toLowerCase())) return undefined;
    return `\`${rest}\` is not a rate unit: use bit, kbit, mbit, gbit, Bps, KBps, MBps... (a plain number is bytes per second)`;
  },
};

const rateestPps: ArgType = uint(0xffffffff, { label: 'packets', what: 'a packet rate' });

const estimatorName: ArgType = {
  id: 'rateest-name',
  label: 'name',
  check: (v) => (v === '' ? 'expected the name of a RATEEST estimator' : undefined),
  warn: (v) => (v.length > 15 ? `only the first 15 characters of \`${v}\` are kept` : undefined),
};

function rateestCheck(use: ExtensionUse): Problem[] {
  const has = (n: string) => use.options.some((o) => o.name === n);
  const out: Problem[] = [];
  if (!has('--rateest')) out.push({ message: '-m rateest needs --rateest (or --rateest1) naming the estimator to read' });
  if (!['--rateest-bps', '--rateest-pps', '--rateest-bps1', '--rateest-pps1'].some(has)) out.push({ message: '-m rateest needs a quantity to compare: --rateest-bps or --rateest-pps (or their 1/2 forms)' });
  if (!['--rateest-lt', '--rateest-gt', '--rateest-eq'].some(has)) out.push({ message: '-m rateest needs a comparison: --rateest-lt, --rateest-gt or --rateest-eq' });
  return out;
}

function rateestValue(name: string, type: ArgType, what: string, aliases?: string[]): OptionSpec {
  return {
    name,
    ...(aliases ? { aliases } : {}),
    args: [type],
    lastArgOptional: true,
    summary: `Compare ${what}.`,
    doc: 'The value is optional: without it the estimator is compared with the other estimator (relative mode) or with 0.',
  };
}

// ---------------------------------------------------------------------------------------------
// recent

function recentCheck(use: ExtensionUse): Problem[] {
  const has = (n: string) => use.options.some((o) => o.name === n);
  const out: Problem[] = [];
  const adding = use.options.find((o) => o.name === '--set' || o.name === '--remove');
  if (adding) {
    for (const mod of ['--seconds', '--hitcount', '--rttl', '--reap']) {
      if (has(mod)) out.push({ option: mod, message: `${mod} only applies to --rcheck and --update; with ${adding.name} the kernel refuses the rule` });
    }
  }
  const hc = arg(use, '--hitcount');
  const n = hc !== undefined ? scanUnsigned(hc) : undefined;
  if (n && n.rest === '' && n.value > 255n) {
    out.push({ option: '--hitcount', message: `a hitcount of ${n.value} is more than the 255 timestamps the kernel keeps per address; Linux 6.1 (Debian 12) and older refuse the rule, and it could never be reached` });
  }
  return out;
}

function recentOp(name: string, what: string): OptionSpec {
  return {
    name,
    args: [],
    negatable: true,
    excludes: ['--set', '--rcheck', '--update', '--remove'].filter((x) => x !== name),
    summary: what,
  };
}

// ---------------------------------------------------------------------------------------------
// statistic

/** XTTYPE_DOUBLE: the whole word must be a strtod number; min/max 0 and 1 (a NaN slips through). */
const probability: ArgType = {
  id: 'probability',
  label: '0..1',
  check: (v) => {
    if (strtodRest(v) !== '') return `\`${v}\` is not a probability between 0 and 1`;
    const t = v.trim().toLowerCase();
    const x = /nan/.test(t) ? NaN : /inf/.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : /^[+-]?0x/.test(t) ? parseHexFloat(t) : Number(t);
    if (x < 0 || x > 1) return `\`${v}\` is not a probability between 0 and 1`;
    return undefined;
  },
  warn: (v) => (/nan/i.test(v) ? 'NaN is accepted and stored as probability 0: the rule never matches' : undefined),
};

function parseHexFloat(t: string): number {
  const m = /^([+-]?)0x([0-9a-f]*)\.?([0-9a-f]*)(?:p([+-]?\d+))?$/.exec(t);
  if (!m) return NaN;
  const int = m[2] ? parseInt(m[2], 16) : 0;
  const frac = m[3] ? parseInt(m[3], 16) / 16 ** m[3].length : 0;
  const v = (int + frac) * 2 ** Number(m[4] ?? 0);
  return m[1] === '-' ? -v : v;
}

function statisticCheck(use: ExtensionUse): Problem[] {
  const mode = arg(use, '--mode');
  const has = (n: string) => use.options.some((o) => o.name === n);
  if (mode === 'random' && !has('--probability')) return [{ option: '--mode', message: '`--mode random` needs --probability' }];
  if (mode === 'nth' && !has('--every')) return [{ option: '--mode', message: '`--mode nth` needs --every and --packet' }];
  const every = scanUnsigned(arg(use, '--every') ?? '');
  const packet = scanUnsigned(arg(use, '--packet') ?? '');
  if (every && packet && every.rest === '' && packet.rest === '' && packet.value > every.value - 1n) {
    return [{ option: '--packet', message: `--packet must be between 0 and --every minus one (${every.value - 1n})` }];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------

export const RATE_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'hashlimit',
    families: ['ipv4', 'ipv6'],
    needsOneOf: ['--hashlimit-upto', '--hashlimit-above'],
    summary: 'Rate limit per source, destination or port (one token bucket per key).',
    doc:
      'Like `-m limit`, but with a separate bucket for every key picked by `--hashlimit-mode` (for ' +
      'example each source address), so one flooding client cannot use up everyone\'s allowance. ' +
      '`--hashlimit-upto` matches while a bucket is within its rate (accept these); `--hashlimit-above` ' +
      'matches once it is over (drop these). The name creates /proc/net/ipt_hashlimit/NAME; rules that ' +
      'share a name share the buckets.',
    check: hashlimitCheck,
    options: [
      rateOption('--hashlimit-upto', 'within', '--hashlimit-above', ['--hashlimit']),
      rateOption('--hashlimit-above', 'over', '--hashlimit-upto'),
      {
        name: '--hashlimit-burst',
        args: [burstArg],
        summary: 'How many packets (or bytes, with a byte rate) a bucket may take at once (default 5).',
        doc: 'A new key starts with a full bucket, so the first `burst` packets always match `--hashlimit-upto`. With a byte rate, write the burst in bytes (`400kb`).',
      },
      {
        name: '--hashlimit-mode',
        args: [hashlimitModes],
        summary: 'What makes the key: srcip, dstip, srcport, dstport (comma-separated). None: one bucket for all.',
        doc: 'Without a mode every packet shares one bucket, which is just `-m limit` with more memory. `srcip` is the usual choice against a single abusive client; combined keys (`srcip,dstport`) give each client a separate allowance per service.',
      },
      { name: '--hashlimit-srcmask', args: [prefixLength], summary: 'With srcip: group sources by this prefix length (e.g. 24 for /24 networks).' },
      { name: '--hashlimit-dstmask', args: [prefixLength], summary: 'With dstip: group destinations by this prefix length.' },
      {
        name: '--hashlimit-name',
        args: [procName('hashlimit name')],
        required: true,
        summary: 'Name of the bucket table (shown in /proc/net/ipt_hashlimit/).',
        doc: 'Rules with the same name share one table, and the first rule loaded decides its settings; give unrelated limits different names.',
      },
      { name: '--hashlimit-htable-size', args: [uint(0xffffffff, { label: 'buckets', what: 'a size' })], summary: 'Number of hash buckets of the table.' },
      { name: '--hashlimit-htable-max', args: [uint(0xffffffff, { label: 'entries', what: 'a count' })], summary: 'Most keys the table tracks at once.' },
      { name: '--hashlimit-htable-expire', args: [uint(0xffffffff, { min: 1, label: 'ms', what: 'milliseconds' })], summary: 'Milliseconds after which an idle key is forgotten.' },
      { name: '--hashlimit-htable-gcinterval', args: [uint(0xffffffff, { min: 1, label: 'ms', what: 'milliseconds' })], summary: 'Milliseconds between garbage collection runs (default 1000).' },
      { name: '--hashlimit-rate-match', args: [], summary: 'Compare the measured rate of each key with the given rate instead of using token buckets.' },
      { name: '--hashlimit-rate-interval', args: [rateInterval], summary: 'With --hashlimit-rate-match: seconds over which the rate is measured.' },
    ],
  },
  {
    kind: 'match',
    name: 'connlimit',
    families: ['ipv4', 'ipv6'],
    needsOneOf: ['--connlimit-upto', '--connlimit-above'],
    summary: 'Number of concurrent connections per source (or destination) address or network.',
    doc:
      'Counts the conntrack entries that share the packet\'s source address (or network, with ' +
      '`--connlimit-mask`). `-p tcp --syn --dport 22 -m connlimit --connlimit-above 3 -j REJECT` keeps each ' +
      'client to three SSH sessions. Behind NAT many users share one address, so pick limits with that ' +
      'in mind.',
    options: [
      { name: '--connlimit-upto', args: [uint(0xffffffff, { label: 'n', what: 'a connection count' })], negatable: true, excludes: ['--connlimit-above'], summary: 'Match while the count is at most n.' },
      { name: '--connlimit-above', args: [uint(0xffffffff, { label: 'n', what: 'a connection count' })], negatable: true, excludes: ['--connlimit-upto'], summary: 'Match when the count is above n.' },
      { name: '--connlimit-mask', args: [prefixOrMask], summary: 'Count per network of this prefix length instead of per address (default 32 / 128).', doc: 'For IPv6 a client usually owns a whole /64, so `--connlimit-mask 64` stops it from dodging the limit by changing addresses.' },
      { name: '--connlimit-saddr', args: [], excludes: ['--connlimit-daddr'], summary: 'Group by source address (the default).' },
      { name: '--connlimit-daddr', args: [], excludes: ['--connlimit-saddr'], summary: 'Group by destination address.' },
    ],
  },
  {
    kind: 'match',
    name: 'quota',
    families: ['ipv4', 'ipv6'],
    summary: 'Match until a number of bytes has passed through this rule.',
    doc:
      'Each matching packet is subtracted from the quota; once it is used up the match fails. The counter ' +
      'lives in the rule and starts again whenever the rule is reloaded. It is shared by all CPUs and all ' +
      'traffic of the rule; for per-user quotas use one rule per user, or nfacct.',
    options: [{ name: '--quota', args: [uint64({ label: 'bytes', what: 'a byte count' })], negatable: true, required: true, summary: 'The number of bytes to let match.' }],
  },
  {
    kind: 'match',
    name: 'rateest',
    families: ['ipv4', 'ipv6'],
    summary: 'Compare a rate estimator (fed by -j RATEEST) with a value or another estimator.',
    doc:
      'Reads an estimator that a `-j RATEEST --rateest-name NAME` rule keeps up to date, and compares its ' +
      'bit or packet rate: with a fixed value (absolute mode), or with a second estimator (`--rateest2`), ' +
      'optionally as the difference from a value (`--rateest-delta`). The RATEEST rule must be loaded ' +
      'before this one, or the kernel does not find the estimator.',
    check: rateestCheck,
    options: [
      { name: '--rateest', aliases: ['--rateest1'], args: [estimatorName], summary: 'The estimator to read (the first one in relative mode).' },
      { name: '--rateest2', args: [estimatorName], summary: 'A second estimator to compare with (relative mode).' },
      { name: '--rateest-delta', args: [], summary: 'Compare the estimator\'s rate minus the given value instead of the rate itself.' },
      rateestValue('--rateest-bps', rateestBps, 'the bit rate of the (second) estimator, optionally with a value such as `5kbit`', ['--rateest-bps2']),
      rateestValue('--rateest-pps', rateestPps, 'the packet rate of the (second) estimator, optionally with a value', ['--rateest-pps2']),
      rateestValue('--rateest-bps1', rateestBps, 'the bit rate of the first estimator, optionally with a value'),
      rateestValue('--rateest-pps1', rateestPps, 'the packet rate of the first estimator, optionally with a value'),
      { name: '--rateest-lt', args: [], negatable: true, summary: 'Match if the rate is less than the value (or the other estimator).' },
      { name: '--rateest-gt', args: [], negatable: true, summary: 'Match if the rate is greater.' },
      { name: '--rateest-eq', args: [], negatable: true, summary: 'Match if the rates are equal.' },
    ],
  },
  {
    kind: 'match',
    name: 'recent',
    families: ['ipv4', 'ipv6'],
    needsOneOf: ['--set', '--rcheck', '--update', '--remove'],
    summary: 'Remember addresses in a named list and test how often and how recently they were seen.',
    doc:
      'One rule adds the source address to a list (`--set`), later rules test it (`--rcheck`, or ' +
      '`--update` which also refreshes the timestamp) with `--seconds` and `--hitcount`. The classic use is ' +
      'SSH brute-force protection: `--set` on new connections, then `--update --seconds 60 --hitcount 4 -j ' +
      'DROP`. Lists live in /proc/net/xt_recent/NAME and are lost on reboot.',
    check: recentCheck,
    options: [
      recentOp('--set', 'Add (or refresh) the address in the list; always matches.'),
      recentOp('--rcheck', 'Match if the address is in the list.'),
      {
        ...recentOp('--update', 'Like --rcheck, and refresh the address\'s timestamp when it matches.'),
        doc: 'Because each matching packet counts as a new sighting, a client that keeps trying stays blocked for as long as it keeps trying; with --rcheck the block lifts `--seconds` after the first hit.',
      },
      recentOp('--remove', 'Remove the address from the list; matches if it was there.'),
      { name: '--seconds', args: [uint(0xffffffff, { min: 1, label: 'seconds', what: 'seconds' })], summary: 'With --rcheck/--update: only count hits within the last N seconds.' },
      { name: '--reap', args: [], requires: ['--seconds'], summary: 'With --seconds: purge entries older than that (keeps the list small).' },
      { name: '--hitcount', args: [uint(0xffffffff, { label: 'hits', what: 'a hit count' })], summary: 'With --rcheck/--update: match only if the address was seen at least N times.' },
      { name: '--rttl', args: [], excludes: ['--set', '--remove'], summary: 'Also require the same TTL as when the address was added (against spoofed sources).' },
      { name: '--name', args: [procName('list name')], summary: 'The list to use (default DEFAULT).', doc: 'Rules that name the same list share it, which is how a `--set` rule and a later `--update` rule cooperate. Each list holds 100 addresses by default (module parameter ip_list_tot); the oldest are forgotten first.' },
      { name: '--rsource', args: [], summary: 'Use the source address (the default).' },
      { name: '--rdest', args: [], summary: 'Use the destination address.' },
      { name: '--mask', args: [hostArg], summary: 'Mask the address with this netmask (written as an address) before storing and looking it up.' },
    ],
  },
  {
    kind: 'match',
    name: 'statistic',
    families: ['ipv4', 'ipv6'],
    summary: 'Match a random share of packets, or every n-th packet.',
    doc:
      '`--mode random --probability 0.1` matches about one packet in ten; `--mode nth --every 3 --packet 0` ' +
      'matches exactly every third. Useful for sampling logs, spreading load (with the nth counter shared ' +
      'by the rule) or testing with packet loss. Counters are per rule and start again on reload.',
    check: statisticCheck,
    options: [
      {
        name: '--mode',
        args: [{ id: 'statistic-mode', label: 'random|nth', values: [{ name: 'random', summary: 'Each packet matches with the given probability.' }, { name: 'nth', summary: 'Every n-th packet matches.' }], check: (v) => (v === 'random' || v === 'nth' ? undefined : `\`${v}\` is not a mode: use random or nth`) }],
        required: true,
        summary: 'random or nth.',
      },
      { name: '--probability', args: [probability], negatable: true, excludes: ['--every', '--packet'], summary: 'random mode: the chance (0 to 1) that a packet matches.' },
      { name: '--every', args: [uint(0xffffffff, { min: 1, label: 'n', what: 'a count' })], negatable: true, excludes: ['--probability'], requires: ['--packet'], summary: 'nth mode: match one packet in every n.' },
      { name: '--packet', args: [uint(0xffffffff, { label: 'p', what: 'a counter value' })], excludes: ['--probability'], requires: ['--every'], summary: 'nth mode: which one of the n (0 to n-1).' },
    ],
  },
  {
    kind: 'match',
    name: 'nfacct',
    families: ['ipv4', 'ipv6'],
    summary: 'Count matching packets in a named accounting object (always matches).',
    doc:
      'Adds each packet to the counters of an nfacct object, which `nfacct list` shows and which survive ' +
      'rule reloads. The object must exist (`nfacct add NAME`) before the rules load, or the kernel refuses ' +
      'the rule. With a quota set on the object, the match can also stop matching when it runs out.',
    options: [
      {
        name: '--nfacct-name',
        args: [{ id: 'nfacct-name', label: 'name', check: (v) => (v === '' ? 'expected the name of an nfacct object' : v.includes('\n') ? 'the name cannot contain a newline' : undefined), warn: (v) => (v.length > 31 ? `only the first 31 characters of \`${v}\` are used` : undefined) }],
        required: true,
        summary: 'The accounting object to count in.',
      },
    ],
  },
];
