/**
 * Compiles each rule into conditions over the packet space: one condition per option, with the
 * exact set of packets that satisfy it, or an explanation of why the packet alone cannot decide it
 * (rate limits, recent lists, ipsets, owner of an incoming packet...). The checks use the exact
 * part to reason about coverage and reachability; the tracer tests a concrete packet against each
 * condition in order and reports the first that fails.
 */
import { parseIPv4, parseIPv6, parsePortRange, parseUintIn, parseUnsigned } from '../knowledge/argtypes';
import { protocolNumber } from '../knowledge/generic';
import { TCP_FLAG_BITS } from '../knowledge/values/tcp-flags';
import { findDscpClass } from '../knowledge/values/dscp';
import { findIcmpName, ICMP_TYPES, ICMPV6_TYPES } from '../knowledge/values/icmp';
import type { MatchNode, OptionNode, Rule, Ruleset } from '../model/ruleset';
import { documentOf, previousLine, type RulesetEdit, rulesetEdit } from '../parser/ruleset-parser';
import { Box, boxIntersect, type Dim, domain, ifaceSet, ISet, Space, type SpaceEnv, STATES } from './packet-space';

export interface Condition {
  /** The option (or module) the condition comes from. */
  readonly option?: OptionNode;
  readonly match?: MatchNode;
  /** Plain words: "destination port 80", "conntrack state NEW". */
  readonly describe: string;
  /** The packets that satisfy the condition; absent when undecidable. */
  readonly space?: Space;
  /** Why the packet alone cannot decide the condition. */
  readonly opaque?: string;
  /** Undecidable, but assumed to match for tracing (limit under its rate); said so. */
  readonly assumeMatch?: boolean;
  /**
   * For a condition with no compact space (opaque to the checks) that one concrete packet still
   * decides: the tracer asks this instead of forking.
   */
  readonly holds?: (point: ReadonlyMap<Dim, bigint>) => boolean;
  /**
   * Packets for which `space` is only an upper bound (the condition may or may not hold for
   * them): the rule is then not exact, and the tracer forks on such a packet.
   */
  readonly unknown?: Space;
}

/**
 * What a rule's option list compiles to. It names no rule: every node with that list (the same
 * line, its node made again by an edit) shares it, and a node an edit replaced is not kept alive
 * by it.
 */
export interface RuleSpace {
  readonly conditions: readonly Condition[];
  /** The packets every decidable condition accepts. */
  readonly space: Space;
  /** True when every condition is decidable: the rule matches exactly `space`. */
  readonly exact: boolean;
}

/**
 * The environment rules are compiled in: the family alone (interface names have values of their
 * own, see ifaceSet), one object per family so that whatever is kept by environment holds across
 * every version of every document of that family.
 */
const ENVS: Readonly<Record<SpaceEnv['family'], SpaceEnv>> = { ipv4: { family: 'ipv4' }, ipv6: { family: 'ipv6' } };

export function spaceEnv(rs: Ruleset): SpaceEnv {
  return ENVS[rs.family];
}

/**
 * What compiling a rule gave, by environment and the rule's option list: a line left unchanged by
 * an edit keeps its parsed options (parseRuleset's `previous`), so its compiled space is reused as
 * long as the environment (the family) is the same, by every node with that list.
 */
const COMPILED = new WeakMap<SpaceEnv, WeakMap<readonly OptionNode[], RuleSpace>>();

function dimSet(env: SpaceEnv, d: Dim, s: ISet, negated: boolean, within?: readonly [bigint, bigint]): Space {
  const [lo, hi] = within ?? domain(env, d);
  // (a set inside the bounds, as nearly every one is: itself, without a set of the bounds made to cut it)
  const inside = !negated && (s.rangeCount === 0 || (s.first()! >= lo && s.last()! <= hi));
  const set = inside ? s : negated ? s.complement(lo, hi) : s.intersect(ISet.of(lo, hi));
  return Space.box(Box.of(d, set));
}

/** An address or network as an interval (contiguous masks only). */
function addressInterval(env: SpaceEnv, item: string): [bigint, bigint] | undefined {
  // (the text before the first slash and the one up to the next, as split('/') gives them)
  const slash = item.indexOf('/');
  const addr = slash < 0 ? item : item.slice(0, slash);
  const next = slash < 0 ? -1 : item.indexOf('/', slash + 1);
  const mask = slash < 0 ? undefined : item.slice(slash + 1, next < 0 ? item.length : next);
  const bits = env.family === 'ipv4' ? 32 : 128;
  // an IPv4 address with a prefix length, the common case, in plain numbers: two BigInts made, not
  // one per step of the arithmetic below (a blocklist compiles tens of thousands of them)
  if (bits === 32 && (mask === undefined || /^(?:0|[1-9]\d?)$/.test(mask))) {
    const v = parseIPv4(addr);
    const prefix = mask === undefined ? 32 : Number(mask);
    if (v !== undefined && prefix <= 32) {
      const hostBits = 2 ** (32 - prefix);
      const net = v - (v % hostBits);
      const lo = BigInt(net);
      return [lo, hostBits === 1 ? lo : BigInt(net + hostBits - 1)];
    }
  }
  let value: bigint;
  if (env.family === 'ipv4') {
    const v = parseIPv4(addr);
    if (v === undefined) return undefined;
    value = BigInt(v);
  } else {
    const g = parseIPv6(addr);
    if (!g) return undefined;
    value = g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n);
  }
  let prefix = bits;
  if (mask !== undefined) {
    if (mask.includes('.') || mask.includes(':')) {
      const m = env.family === 'ipv4' ? parseIPv4(mask) : undefined;
      if (m === undefined) return undefined;
      const inv = ~m >>> 0;
      if ((inv & (inv + 1)) !== 0) return undefined; // non-contiguous
      prefix = 32 - Math.log2(inv + 1);
    } else {
      const p = parseUintIn(mask, 0, bits);
      if (p === undefined) return undefined;
      prefix = p;
    }
  }
  const host = (1n << BigInt(bits - prefix)) - 1n;
  const net = value & ~host & ((1n << BigInt(bits)) - 1n);
  // (a host address is one value: one number for both ends, kept with the rule, not two equal ones)
  return [net, host === 0n ? net : net | host];
}

function addressCondition(env: SpaceEnv, d: 'src' | 'dst', text: string, negated: boolean): Space | string {
  if (!text.includes(',')) {
    // (one address or network: its interval is the set)
    const r = addressInterval(env, text);
    return r ? dimSet(env, d, ISet.of(r[0], r[1]), negated) : `\`${text}\` is a host name or uses a non-contiguous mask`;
  }
  const ranges: [bigint, bigint][] = [];
  for (const item of text.split(',')) {
    const r = addressInterval(env, item);
    if (!r) return `\`${item}\` is a host name or uses a non-contiguous mask`;
    ranges.push(r);
  }
  return dimSet(env, d, ISet.fromRanges(ranges), negated);
}

function portSet(text: string): ISet | undefined {
  const ranges: [bigint, bigint][] = [];
  for (const item of text.split(',')) {
    const r = parsePortRange(item);
    if (!r) return undefined;
    ranges.push([BigInt(r[0]), BigInt(r[1])]);
  }
  return ISet.fromRanges(ranges);
}

function flagMask(list: string): number {
  let m = 0;
  for (const f of list.split(',')) m |= TCP_FLAG_BITS[f.toUpperCase()] ?? 0;
  return m;
}

/**
 * Every flag byte v (0-255) with (v & mask) == comp, compared as the kernel does (xt_tcpudp.c):
 * a comp with a flag outside the mask (`--tcp-flags SYN,RST ACK`) matches no packet at all.
 */
export function flagSet(mask: number, comp: number): ISet {
  const vals: bigint[] = [];
  for (let v = 0; v < 256; v++) if ((v & mask) === comp) vals.push(BigInt(v));
  return ISet.fromValues(vals);
}

/** Every 32-bit x with (x & mask) == value, when that is a manageable number of intervals. */
function maskedSet(value: bigint, mask: bigint, bits: number): ISet | undefined {
  // the free bits below the lowest set mask bit form one interval per combination of higher free bits
  const full = (1n << BigInt(bits)) - 1n;
  let low = 0;
  while (low < bits && ((mask >> BigInt(low)) & 1n) === 0n) low++;
  const higherFree: number[] = [];
  for (let b = low; b < bits; b++) if (((mask >> BigInt(b)) & 1n) === 0n) higherFree.push(b);
  if (higherFree.length > 10) return undefined;
  const base = value & mask & full;
  const span = (1n << BigInt(low)) - 1n;
  const ranges: [bigint, bigint][] = [];
  for (let k = 0; k < 1 << higherFree.length; k++) {
    let v = base;
    higherFree.forEach((b, i) => {
      if ((k >> i) & 1) v |= 1n << BigInt(b);
    });
    ranges.push([v, v | span]);
  }
  return ISet.fromRanges(ranges);
}

function icmpSet(env: SpaceEnv, text: string): ISet | undefined {
  const table = env.family === 'ipv4' ? ICMP_TYPES : ICMPV6_TYPES;
  if (text === 'any') return ISet.of(0n, 65535n);
  const named = findIcmpName(table, text);
  if (named) {
    const t = BigInt(named.type);
    return named.code === undefined ? ISet.of(t * 256n, t * 256n + 255n) : ISet.point(t * 256n + BigInt(named.code));
  }
  const [ts, cs] = text.split('/');
  const t = ts === undefined ? undefined : parseUintIn(ts, 0, 255, 10);
  if (t === undefined) return undefined;
  // IPv4 type 255 is how libxt_icmp stores `any`: ip_tables.c matches every type and code with it
  if (t === 255 && env.family === 'ipv4') return ISet.of(0n, 65535n);
  if (cs === undefined) return ISet.of(BigInt(t) * 256n, BigInt(t) * 256n + 255n);
  const c = parseUintIn(cs, 0, 255, 10);
  return c === undefined ? undefined : ISet.point(BigInt(t) * 256n + BigInt(c));
}

const TOS_NAMES: Readonly<Record<string, number>> = { 'minimize-delay': 0x10, 'maximize-throughput': 0x08, 'maximize-reliability': 0x04, 'minimize-cost': 0x02, 'normal-service': 0x00 };

const OPAQUE_MODULE_REASON: Record<string, string> = {
  recent: 'depends on the recent list, which the kernel fills at run time',
  hashlimit: 'depends on per-flow rate counters',
  connlimit: 'depends on how many connections exist',
  connbytes: 'depends on the bytes and packets the connection has carried',
  statistic: 'picks packets at random or by count',
  set: 'depends on the contents of an ipset',
  string: 'depends on the packet payload',
  u32: 'depends on raw packet bytes',
  bpf: 'depends on a BPF program',
  owner: 'depends on the local socket owner',
  socket: 'depends on the local sockets',
  addrtype: 'depends on which addresses this host owns',
  quota: 'depends on how much traffic has passed already',
  time: 'depends on the clock',
  connmark: 'depends on the connection mark set earlier',
  connlabel: 'depends on the connection labels',
  helper: 'depends on the conntrack helper of the connection',
  policy: 'depends on IPsec policy',
  physdev: 'depends on bridge ports',
  mac: 'depends on the source MAC address',
  rpfilter: 'depends on the routing table',
  cgroup: 'depends on the sending process\'s cgroup',
  cpu: 'depends on the CPU handling the packet',
  cluster: 'depends on cluster node hashing',
  devgroup: 'depends on interface groups',
  pkttype: 'depends on the link-layer packet type',
  realm: 'depends on the routing realm',
  nfacct: 'counts into an accounting object',
  osf: 'depends on passive OS fingerprinting',
  ipvs: 'depends on IPVS state',
  rateest: 'depends on rate estimators',
  esp: 'depends on the ESP SPI',
  ah: 'depends on the AH SPI',
  ecn: 'depends on ECN bits',
  tcpmss: 'depends on the TCP MSS option',
};

/** What a condition says apart from the option it comes from. */
type ConditionBody = Omit<Condition, 'option' | 'match'>;

/**
 * A condition whose body is shared: a big ruleset repeats `-p tcp`, `-m conntrack --ctstate NEW`
 * or `! -i docker0` thousands of times, and each such option then holds its option and match and
 * one shared body (and space) instead of a copy of every field.
 */
class SharedCondition implements Condition {
  constructor(
    readonly option: OptionNode,
    readonly match: MatchNode | undefined,
    private readonly body: ConditionBody,
  ) {}
  get describe(): string {
    return this.body.describe;
  }
  get space(): Space | undefined {
    return this.body.space;
  }
  get opaque(): string | undefined {
    return this.body.opaque;
  }
  get assumeMatch(): boolean | undefined {
    return this.body.assumeMatch;
  }
  get holds(): ((point: ReadonlyMap<Dim, bigint>) => boolean) | undefined {
    return this.body.holds;
  }
  get unknown(): Space | undefined {
    return this.body.unknown;
  }
}

/**
 * A condition that is exactly a set of packets (nearly every option of a rule: an address, a
 * port, a state), whose shared body is its space alone. Its words are made again from the option
 * when something asks for them (a trace, a hover): held, they were a string and a body object on
 * each condition, most of them never read (11 MB on the firewall-like 100k file).
 */
class ExactCondition implements Condition {
  constructor(
    readonly option: OptionNode,
    readonly match: MatchNode | undefined,
    readonly space: Space,
    private readonly env: SpaceEnv,
  ) {}
  get describe(): string {
    return conditionFor(this.env, this.option, true)?.describe ?? this.option.name;
  }
}

/** Whether the condition says no more than its space (so that its body can be the space alone). */
function onlySpace(c: Condition): c is Condition & { readonly space: Space } {
  return c.space !== undefined && c.opaque === undefined && c.assumeMatch === undefined && c.holds === undefined && c.unknown === undefined;
}

/**
 * Shared bodies, per environment, found by what decides a condition: the option's module, name,
 * negation and argument texts, one level of maps per word. The parser shares the string of every
 * repeated word, so a lookup hashes no new string and builds no key (a key string per option was
 * 30 MB and a third of a second on a 100k-rule file). A body of null: the option is no condition.
 */
interface BodyNode {
  body?: ConditionBody | Space | null;
  /**
   * The condition last made from this body: the parser shares an option node between the lines
   * that have it at the same place, and their rules then share its condition too.
   */
  last?: SharedCondition | ExactCondition;
  next?: Map<string, BodyNode>;
}
interface SharedBodies {
  readonly env: SpaceEnv;
  readonly root: BodyNode;
  nodes: number;
  /** The bodies of the document opened last before this one was made, to read from while they last (see borrowed). */
  readonly from?: WeakRef<SharedBodies>;
}

/**
 * The shared bodies of each document (parser documentOf), held by all its versions: the lines an
 * edit brings find the bodies the rest of the document made, and they go with the document. Held
 * per family for good, they kept every body ever made and, through `last`, the option and match
 * nodes of documents long closed (121 MB after the firewall-like 100k file was dropped); written
 * by every document, one left open kept those of every document opened and closed beside it (a
 * document only reads another's, see borrowed). A body a rule uses stays alive through its
 * condition, wherever the bodies go.
 */
const BY_DOCUMENT = new WeakMap<object, SharedBodies>();
/** Nodes past which the shared bodies of a document start again from nothing. */
const MAX_SHARED = 200_000;

/** The bodies made last for a document, held weakly (see borrowed). */
let newest: WeakRef<SharedBodies> | undefined;

function newBodies(env: SpaceEnv, from?: WeakRef<SharedBodies>): SharedBodies {
  return { env, root: {}, nodes: 0, from };
}

/** The shared bodies of the document `rs` belongs to (new ones when it changed family). */
function documentBodies(rs: Ruleset, env: SpaceEnv): () => SharedBodies {
  const doc = documentOf(rs);
  return () => {
    let shared = BY_DOCUMENT.get(doc);
    if (!shared || shared.env !== env || shared.nodes >= MAX_SHARED) {
      BY_DOCUMENT.set(doc, (shared = newBodies(env, newest)));
      newest = new WeakRef(shared);
    }
    return shared;
  };
}

/**
 * Shared bodies for rules compiled outside any version's analysis (compileRule), held weakly: a
 * WeakRef read keeps its target to the end of the job, so they serve one burst of compiling and
 * keep nothing of any document afterwards.
 */
const FOR_JOB = new WeakMap<SpaceEnv, WeakRef<SharedBodies>>();

function jobBodies(env: SpaceEnv): SharedBodies {
  let shared = FOR_JOB.get(env)?.deref();
  if (!shared || shared.nodes >= MAX_SHARED) FOR_JOB.set(env, new WeakRef((shared = newBodies(env))));
  return shared;
}

/**
 * The body another document's bodies hold for `o`, when the document opened before this one's
 * bodies were made is still in memory (open, or closed and not collected yet): a file opened
 * twice (a diff beside the file, a file closed and opened again) then shares the packet spaces of
 * its options with the other copy instead of making them all again. Only read: what this document
 * compiles goes into its own bodies, so the other document keeps nothing of it; the bodies it
 * takes stay alive through its own conditions once the other document is gone.
 */
function borrowed(shared: SharedBodies, o: OptionNode): ConditionBody | Space | null | undefined {
  const other = shared.from?.deref();
  if (!other || other.env !== shared.env) return undefined;
  return bodyNode(other, o, false)?.body;
}

/** The node of `o` in `shared`: made on the way (`make`), or undefined where a node is missing. */
function bodyNode(shared: SharedBodies, o: OptionNode, make: true): BodyNode;
function bodyNode(shared: SharedBodies, o: OptionNode, make: false): BodyNode | undefined;
function bodyNode(shared: SharedBodies, o: OptionNode, make: boolean): BodyNode | undefined {
  // (who reads the option, the module and option names, the negation, then each argument: the
  // words of the line)
  let n = step(shared, step(shared, step(shared, shared.root, o.owner, make), o.match ? o.match.name : '', make), o.name, make);
  n = step(shared, n, o.negated ? '!' : '', make);
  for (const w of o.args) n = step(shared, n, w.text, make);
  return n;
}

/**
 * The node under `n` for `word`: made when there is none and `make` says so, else undefined (a
 * function of its own, not a closure per option).
 */
function step(shared: SharedBodies, n: BodyNode | undefined, word: string, make: boolean): BodyNode | undefined {
  if (!n) return undefined;
  let next = n.next;
  if (!next) {
    if (!make) return undefined;
    next = n.next = new Map();
  }
  let c = next.get(word);
  if (!c && make) {
    next.set(word, (c = {}));
    shared.nodes++;
  }
  return c;
}

function conditionOf(env: SpaceEnv, shared: SharedBodies, o: OptionNode): Condition | undefined {
  // (--ctproto also reads the other options of its match; only generic and match options are conditions)
  if (o.name === '--ctproto') return conditionFor(env, o);
  if (o.owner !== 'generic' && o.owner !== 'match') return undefined;
  // (a comment is no condition, and its text differs from rule to rule: no node for each)
  if (o.match?.name === 'comment') return undefined;
  const node = bodyNode(shared, o, true);
  const hit = node.body !== undefined ? node.body : (node.body = borrowed(shared, o));
  if (hit === null) return undefined;
  if (hit !== undefined) {
    const last = node.last;
    if (last && last.option === o) return last;
    return (node.last = hit instanceof Space ? new ExactCondition(o, o.match, hit, env) : new SharedCondition(o, o.match, hit));
  }
  const c = conditionFor(env, o);
  if (!c) {
    node.body = null;
    return undefined;
  }
  // (every condition of an option held the same way, the first one too)
  if (onlySpace(c)) {
    node.body = c.space;
    return (node.last = new ExactCondition(o, o.match, c.space, env));
  }
  const { option: _option, match: _match, ...body } = c;
  node.body = body;
  return (node.last = new SharedCondition(o, o.match, body));
}

/**
 * The condition an option sets, undefined when it sets none. `wordsOnly`: only its `describe` is
 * wanted (an exact condition makes its words again when asked: see ExactCondition), and what it
 * would cost to work out its packets is not spent (a trace's ready steps ask for the words of
 * 100 000 conditions: sets of BigInts made and thrown away, 180 MB on the Docker-like 100k file).
 */
export function conditionFor(env: SpaceEnv, o: OptionNode, wordsOnly = false): Condition | undefined {
  const a = (i = 0) => o.args[i]?.text ?? '';
  const neg = o.negated;
  const not = (s: string) => (neg ? `not ${s}` : s);
  // (built field by field, not by spreading: this runs for every option of every rule)
  const base = o.match ? { option: o, match: o.match } : { option: o };
  const exact = (describe: string, spaceOf: () => Space | undefined): Condition => {
    const c: { option: OptionNode; match?: MatchNode; describe: string; space?: Space; opaque?: string } = o.match ? { option: o, match: o.match, describe } : { option: o, describe };
    if (wordsOnly) return c;
    const space = spaceOf();
    if (space) c.space = space;
    else c.opaque = `cannot read \`${o.args.map((x) => x.text).join(' ')}\``;
    return c;
  };
  if (o.owner === 'generic') {
    switch (o.name) {
      case '-p': {
        const n = protocolNumber(a());
        if (n === undefined) return exact(not(`protocol ${a()}`), () => undefined);
        if (n === 0) return neg ? { ...base, describe: 'no protocol', space: Space.NONE } : undefined;
        return exact(not(`protocol ${a()}`), () => dimSet(env, 'proto', ISet.point(BigInt(n)), neg));
      }
      case '-s':
      case '-d': {
        const what = `${o.name === '-s' ? 'source' : 'destination'} ${a()}`;
        if (wordsOnly) return { ...base, describe: not(what) };
        const r = addressCondition(env, o.name === '-s' ? 'src' : 'dst', a(), neg);
        return typeof r === 'string' ? { ...base, describe: not(what), opaque: r } : exact(not(what), () => r);
      }
      case '-i':
      case '-o':
        return exact(not(`${o.name === '-i' ? 'incoming' : 'outgoing'} interface ${a()}`), () => dimSet(env, o.name === '-i' ? 'iif' : 'oif', ifaceSet(a()), neg));
      case '-f':
        return exact(neg ? 'not a later fragment' : 'a later fragment', () => dimSet(env, 'frag', ISet.point(1n), neg));
      default:
        return undefined;
    }
  }
  if (o.owner !== 'match' || !o.match) return undefined;
  const m = o.match.name;
  const ports = (d: 'sport' | 'dport', what: string) =>
    exact(not(`${what} ${a()}`), () => {
      const s = portSet(a());
      return s ? dimSet(env, d, s, neg, [0n, 65535n]) : undefined;
    });
  switch (`${m} ${o.name}`) {
    case 'tcp --sport':
    case 'udp --sport':
    case 'udplite --sport':
    case 'sctp --sport':
    case 'dccp --sport':
    case 'multiport --sports':
      return ports('sport', 'source port');
    case 'tcp --dport':
    case 'udp --dport':
    case 'udplite --dport':
    case 'sctp --dport':
    case 'dccp --dport':
    case 'multiport --dports':
      return ports('dport', 'destination port');
    case 'multiport --ports': {
      const s = portSet(a());
      if (!s) return exact(not(`port ${a()}`), () => undefined);
      const either = Space.box(Box.of('sport', s)).union(Space.box(Box.of('dport', s)));
      const space = neg ? Space.box(Box.from([['sport', s.complement(0n, 65535n)], ['dport', s.complement(0n, 65535n)]])) : either;
      return exact(not(`source or destination port ${a()}`), () => space);
    }
    case 'tcp --tcp-flags': {
      const mask = flagMask(a(0));
      const comp = flagMask(a(1));
      return exact(not(`TCP flags ${a(1) || 'NONE'} set among ${a(0)}`), () => dimSet(env, 'flags', flagSet(mask, comp), neg, [0n, 255n]));
    }
    case 'tcp --syn':
      return exact(neg ? 'not a connection opening (SYN)' : 'a connection opening (SYN without ACK, RST, FIN)', () => dimSet(env, 'flags', flagSet(0x17, 0x02), neg, [0n, 255n]));
    case 'icmp --icmp-type':
    case 'icmp6 --icmpv6-type': {
      return exact(not(`ICMP type ${a()}`), () => {
        const s = icmpSet(env, a());
        return s ? dimSet(env, 'icmp', s, neg, [0n, 65535n]) : undefined;
      });
    }
    case 'conntrack --ctstate':
    case 'state --state': {
      const names = a().toUpperCase().split(',');
      if (names.some((n) => n === 'SNAT' || n === 'DNAT')) return { ...base, describe: not(`conntrack state ${a()}`), opaque: 'SNAT and DNAT depend on the NAT done to the connection' };
      const vals = names.map((n) => STATES.indexOf(n as never)).filter((i) => i >= 0).map(BigInt);
      return exact(not(`conntrack state ${names.join(' or ')}`), () => dimSet(env, 'state', ISet.fromValues(vals), neg));
    }
    case 'conntrack --ctproto': {
      // xt_conntrack.c: a packet with no entry (INVALID, UNTRACKED, or in raw before conntrack
      // looked) passes the match only through its --ctstate, whatever --ctproto says; with an
      // entry it is the entry's protocol: the packet's own, except for an ICMP error RELATED to
      // a connection of another protocol, which the packet alone does not tell
      const n = protocolNumber(a());
      const describe = not(`conntrack protocol ${a()}`);
      if (n === undefined) return exact(describe, () => undefined);
      const states = (names: readonly string[]) => Space.box(Box.of('state', ISet.fromValues(names.map((x) => BigInt(STATES.indexOf(x as never))))));
      const hasState = o.match.options.some((x) => x.name === '--ctstate');
      const tracked = states(['NEW', 'ESTABLISHED', 'RELATED']).intersect(env, dimSet(env, 'proto', ISet.point(BigInt(n)), neg));
      const icmpRelated = states(['RELATED']).intersect(env, dimSet(env, 'proto', ISet.fromValues([1n, 58n]), false));
      const space = (hasState ? states(['INVALID', 'UNTRACKED']).union(tracked) : tracked).union(icmpRelated);
      return { ...base, describe, space, unknown: icmpRelated, opaque: 'for an ICMP error, the protocol of the connection it is RELATED to' };
    }
    case 'comment --comment':
      return undefined;
    case 'limit --limit':
    case 'limit --limit-burst':
      return o.name === '--limit' ? { ...base, describe: `under the rate ${a()}`, opaque: 'depends on how many packets matched recently', assumeMatch: true } : undefined;
    case 'mark --mark': {
      const [v = '', mk] = a().split('/');
      const val = parseUnsigned(v);
      const mask = mk === undefined ? 0xffffffffn : parseUnsigned(mk);
      const describe = not(`packet mark ${a()}`);
      if (val === undefined || mask === undefined) return exact(describe, () => undefined);
      // xt_mark compares (mark & mask) == value as given: a value with bits outside the mask never matches
      const s = val & ~mask & 0xffffffffn ? ISet.EMPTY : maskedSet(val, mask, 32);
      if (s) return exact(describe, () => dimSet(env, 'mark', s, neg));
      return { ...base, describe, opaque: 'mark mask too sparse to reason about', holds: (pt) => (((pt.get('mark') ?? 0n) & mask) === val) !== neg };
    }
    case 'length --length': {
      const [lo, hi] = a().split(':');
      const l = parseUnsigned(lo ?? '') ?? 0n;
      const h = hi === undefined ? l : hi === '' ? 65535n : (parseUnsigned(hi) ?? 65535n);
      return exact(not(`length ${a()}`), () => dimSet(env, 'len', ISet.of(l, h), neg));
    }
    case 'ttl --ttl-eq':
    case 'hl --hl-eq':
      return exact(not(`TTL ${a()}`), () => dimSet(env, 'ttl', ISet.point(BigInt(parseUintIn(a(), 0, 255) ?? 0)), neg));
    case 'ttl --ttl-gt':
    case 'hl --hl-gt':
      return exact(`TTL above ${a()}`, () => dimSet(env, 'ttl', ISet.of(BigInt((parseUintIn(a(), 0, 255) ?? 0) + 1), 255n), false));
    case 'ttl --ttl-lt':
    case 'hl --hl-lt':
      return exact(`TTL below ${a()}`, () => dimSet(env, 'ttl', ISet.of(0n, BigInt((parseUintIn(a(), 0, 255) ?? 0) - 1)), false));
    case 'dscp --dscp':
    case 'dscp --dscp-class': {
      const d = o.name === '--dscp' ? parseUintIn(a(), 0, 63) : findDscpClass(a())?.dscp;
      return exact(not(`DSCP ${a()}`), () => d === undefined ? undefined : dimSet(env, 'tos', ISet.of(BigInt(d * 4), BigInt(d * 4 + 3)), neg));
    }
    case 'tos --tos': {
      // xt_tos compares (tos & mask) == value; a number without a mask compares all eight bits, a
      // name (Minimize-Delay...) the low six (libxtables' XTTYPE_TOSMASK)
      const named = TOS_NAMES[a().toLowerCase()];
      const [v = '', m] = a().split('/');
      const val = named ?? parseUintIn(v, 0, 255);
      const mask = named !== undefined ? 0x3f : m === undefined ? 0xff : parseUintIn(m, 0, 255);
      if (val === undefined || mask === undefined) return exact(not(`TOS ${a()}`), () => undefined);
      const vals: bigint[] = [];
      for (let t = 0; t < 256; t++) if ((t & mask) === val) vals.push(BigInt(t));
      return exact(not(`TOS ${a()}`), () => dimSet(env, 'tos', ISet.fromValues(vals), neg));
    }
    case 'iprange --src-range':
    case 'iprange --dst-range': {
      const [x = '', y] = a().split('-');
      const lo = addressInterval(env, x);
      const hi = addressInterval(env, y ?? x);
      const d: Dim = o.name === '--src-range' ? 'src' : 'dst';
      return exact(not(`${d === 'src' ? 'source' : 'destination'} in ${a()}`), () => lo && hi ? dimSet(env, d, ISet.of(lo[0], hi[1]), neg) : undefined);
    }
  }
  const reason = OPAQUE_MODULE_REASON[m] ?? `the ${m} match is not modelled`;
  return { ...base, describe: not(`${m} ${o.name}${o.args.length ? ' ' + o.args.map((x) => x.text).join(' ') : ''}`), opaque: reason };
}

/**
 * iptables loads a rule with address lists (`-s a,b -d c`) as one kernel rule per (source,
 * destination) pair, sources outer (add_entry in iptables/xtables.c): for such a rule, the address
 * conditions of each pair in kernel order, keyed by the `-s`/`-d` option they replace; undefined
 * for a rule with single addresses (or with one iptables would resolve by name).
 */
export function addressExpansions(env: SpaceEnv, rule: Rule): Map<OptionNode, Space>[] | undefined {
  const lists = (['-s', '-d'] as const).map((flag) => {
    const o = rule.options.find((x) => x.owner === 'generic' && x.name === flag && !x.negated);
    const items = o?.args[0]?.text.split(',') ?? [];
    const spaces = items.map((it) => {
      const r = addressInterval(env, it);
      return r ? dimSet(env, flag === '-s' ? 'src' : 'dst', ISet.fromRanges([r]), false) : undefined;
    });
    return { o, spaces };
  });
  const [src, dst] = lists as [(typeof lists)[0], (typeof lists)[0]];
  if (src.spaces.length <= 1 && dst.spaces.length <= 1) return undefined;
  if (lists.some((l) => l.spaces.some((x) => !x))) return undefined;
  const out: Map<OptionNode, Space>[] = [];
  for (const s of src.spaces.length ? src.spaces : [undefined]) {
    for (const d of dst.spaces.length ? dst.spaces : [undefined]) {
      const m = new Map<OptionNode, Space>();
      if (s) m.set(src.o!, s);
      if (d) m.set(dst.o!, d);
      out.push(m);
    }
  }
  return out;
}

/**
 * The packets every decided condition accepts. Nearly every condition is one box (one dimension
 * restricted): their intersection is then built box by box with the same boxIntersect the
 * pairwise intersection from the whole space uses, without the spaces in between.
 */
function conditionsSpace(env: SpaceEnv, conditions: readonly Condition[]): Space {
  let single = true;
  let any = false;
  for (const c of conditions) {
    if (!c.space) continue;
    any = true;
    if (c.space.boxCount !== 1 || c.space.approximate) single = false;
  }
  if (!any) return Space.ALL;
  if (!single) {
    let space = Space.ALL;
    for (const c of conditions) if (c.space) space = space.intersect(env, c.space);
    return space;
  }
  // from the first condition's box, not from the full box (a copy of it per dimension); a rule
  // with one such condition (most of a blocklist, half of a kube-proxy file) has its space
  let box: Box | undefined;
  let only: Space | undefined;
  for (const c of conditions) {
    if (!c.space) continue;
    if (box === undefined) {
      box = c.space.boxAt(0);
      only = c.space;
      continue;
    }
    only = undefined;
    const next = boxIntersect(env, box, c.space.boxAt(0));
    if (!next) return new Space([]);
    box = next;
  }
  return only ?? new Space([box!]);
}

export function compileRule(env: SpaceEnv, rule: Rule): RuleSpace {
  return compileIn(compiledOf(env), env, rule, jobBodies);
}

/** The memo of compiled rules of an environment (see COMPILED). */
function compiledOf(env: SpaceEnv): WeakMap<readonly OptionNode[], RuleSpace> {
  let byOptions = COMPILED.get(env);
  if (!byOptions) COMPILED.set(env, (byOptions = new WeakMap()));
  return byOptions;
}

/**
 * `previous`: for a rule of a version read from an earlier one, what the earlier version's node of
 * the same line (moved or not) compiled to, when it has one.
 */
function compileIn(byOptions: WeakMap<readonly OptionNode[], RuleSpace>, env: SpaceEnv, rule: Rule, bodies: (env: SpaceEnv) => SharedBodies, previous?: (rule: Rule) => RuleSpace | undefined): RuleSpace {
  const hit = byOptions.get(rule.options);
  if (hit) return hit;
  // a line of the same text as its line before, read again (an edit that made its block again):
  // its options are another list, which compiled to this (the same object: what the analysis keeps
  // by compiled conditions is found again for the rules, and names no line, or is said again of
  // the rules it is found for: see checks/shadowed.ts). A line an edit only moved keeps its list.
  const was = previous?.(rule);
  if (was) {
    byOptions.set(rule.options, was);
    return was;
  }
  const found: Condition[] = [];
  const shared = bodies(env);
  for (const o of rule.options) {
    const c = conditionOf(env, shared, o);
    if (c) found.push(c);
  }
  for (const m of rule.matches) {
    if (!m.spec && !m.options.length) found.push({ match: m, describe: `unknown match ${m.name}`, opaque: 'unknown module' });
  }
  // kept for as long as the rule: at its size (a list grown by push keeps room for about 16 more,
  // some 130 bytes a rule)
  const conditions = found.slice();
  let exactAll = true;
  for (const c of conditions) if (!c.space || c.unknown) exactAll = false;
  const space = conditionsSpace(env, conditions);
  const exact = exactAll && !space.approximate;
  const made: RuleSpace = { conditions, space, exact };
  byOptions.set(rule.options, made);
  return made;
}

/** Each rule of a ruleset compiled, by rule. */
export interface CompiledRules {
  get(rule: Rule): RuleSpace;
}

/**
 * The rules of a ruleset compiled when first asked for, through compileRule's memo: a rule whose
 * line an edit left alone keeps its option list, so every version of a document finds it compiled.
 * No map per version: the memo is the only index (a map of every rule per version, and layers of
 * the rules each edit changed, kept 3.5 MB more on a 100k-rule file and cost a second lookup per
 * question). What is compiled anew shares bodies with the rest of its document.
 */
export function compileRuleset(rs: Ruleset): { env: SpaceEnv; rules: CompiledRules } {
  const known = COMPILERS.get(rs);
  if (known) return known;
  const env = spaceEnv(rs);
  const byOptions = compiledOf(env);
  const bodies = documentBodies(rs, env);
  // (found when a rule first is not compiled yet; the version itself held weakly: the compiled
  // rules live as long as this version's analysis, which must not keep the one before alive)
  let edit: { readonly previous: WeakRef<Ruleset>; readonly shift: RulesetEdit['shift']; readonly changed: ReadonlySet<number> } | undefined | null = null;
  const made = { env, rules: { get: (rule: Rule) => compileIn(byOptions, env, rule, bodies, previous) } };
  COMPILERS.set(rs, made);
  return made;

  /**
   * What the previous version's node of a rule's line (see RulesetEdit) compiled to: kept for it,
   * or found for it the same way in its version (an analysis that did not ask for the rule, as
   * for a chain whose lines only moved, left its list unknown to the memo).
   */
  function previous(rule: Rule): RuleSpace | undefined {
    if (edit === null) {
      const e = rulesetEdit(rs);
      edit = e && { previous: new WeakRef(e.previous), shift: e.shift, changed: new Set(e.changed) };
    }
    if (!edit || edit.changed.has(rule.line) || rs.lines.get(rule.line) !== rule) return undefined;
    const before = edit.previous.deref();
    const n = before?.lines.get(previousLine(edit, rule.line));
    if (n?.kind !== 'command') return undefined;
    return byOptions.get(n.options) ?? (spaceEnv(before!) === env ? compileRuleset(before!).rules.get(n as Rule) : undefined);
  }
}

/** The compiler of each version (one per version: what its `previous` finds is kept in the memo). */
const COMPILERS = new WeakMap<Ruleset, { env: SpaceEnv; rules: CompiledRules }>();
