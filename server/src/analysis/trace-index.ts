/**
 * What the tracer keeps per chain between traces, so that a trace through a 10 000-rule chain does
 * not evaluate every rule: an index of the rules by the conditions they start with.
 *
 * The tracer reports for each rule it passes the first condition the packet fails. Many rules
 * start with plain conditions, each a set of values of one dimension the packet alone decides
 * (`-d 10.96.0.1/32`, `! -i br-1a2b`, `-p tcp`, `--dport 80`...): the first of those the packet
 * is outside of is the one reported, whatever the rest of the rule says, and the rule's step is
 * then always the same. So:
 * - rules that start with plain conditions, one of which is an aligned block of values (an
 *   address prefix, one port, one protocol), are filed by the first such block (a protocol only
 *   when there is no other); for a packet, one look-up per block size in use finds the rules whose
 *   block holds its value, and every other such rule fails that condition or an earlier plain
 *   one: its step (ready-made when it is the filed one) is added after a few numeric comparisons,
 *   without evaluating the rule;
 * - the rules found, and the rules filed nowhere, are first checked against their plain
 *   conditions only (one set membership each, no strings built); only when the packet passes all
 *   of them is the rule evaluated in full, as without the index.
 * The steps are built once per chain, rule and failing condition, and shared by every trace of
 * the same analysis (steps are read-only).
 */
import type { Chain, Rule, Ruleset, Table } from '../model/ruleset';
import { documentOf } from '../parser/ruleset-parser';
import type { AnalysisContext } from './context';
import type { Dim, ISet, SpaceEnv } from './packet-space';
import type { Condition, RuleSpace } from './rule-space';
import { ascending } from './rule-index';
import type { TraceStep } from './tracer';

/** The step of the rule at `pos` of a chain (0-based), the packet failing its condition `failed`. */
export type MakeMissed = (tableName: string, chain: Chain, pos: number, failed: Condition) => TraceStep;

/** Chains shorter than this are simply walked rule by rule. */
const MIN_INDEXED = 16;

/** A rule is filed by one of its first this many plain conditions (the position fits in a byte). */
const MAX_FILED_AT = 32;

/** The rules filed by a condition that is an aligned block of values of one dimension. */
interface Blocks {
  readonly dim: Dim;
  /**
   * By log2 of the block size: block start -> positions (ascending), the position itself for a
   * block of one rule (a list of one for each of the 83 000 addresses of a blocklist was 3 MB). A
   * start is a number when the whole block fits in a double's integers (addresses of IPv4, ports,
   * protocols, marks...), a BigInt otherwise (IPv6 blocks that reach past 2^53): no BigInt
   * arithmetic for the former.
   */
  readonly bySize: Map<number, Map<number | bigint, Filed>>;
}

/** The positions of the rules filed under one block: one position, or several (ascending). */
type Filed = number | number[];

/** Push the positions of `f` from `from` on onto `out`. */
function pushFiled(f: Filed, from: number, out: number[]): void {
  if (typeof f === 'number') {
    if (f >= from) out.push(f);
    return;
  }
  for (const p of f) if (p >= from) out.push(p);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The key a block of 2^bits values holding v is filed under (see Blocks.bySize). */
export function blockKey(v: bigint, bits: number): number | bigint {
  if (v <= MAX_SAFE) {
    const size = 2 ** bits;
    const start = Math.floor(Number(v) / size) * size;
    if (start + (size - 1) <= Number.MAX_SAFE_INTEGER) return start;
  }
  const b = BigInt(bits);
  return (v >> b) << b;
}

/** (plainOf's result without a tuple per condition: the dimension and set of the last one found.) */
let plainDimFound: Dim | undefined;
let plainSetFound: ISet | undefined;

/** What indexing a chain's rules builds: read-only once the chain is indexed whole. */
interface Built {
  /** Positions (ascending) of compiled rules that must be looked at for any packet. */
  readonly always: number[];
  readonly blocks: Blocks[];
  /**
   * The plain conditions each rule starts with (up to the first that is not plain: see plainOf), as
   * flat lists: those of the rule at pos are plainSet[plainStart[pos]...] (and their dimensions
   * dims[plainDimId[...]]). A plain condition is decided by one dimension of the packet alone: the
   * packet passes it iff its value there is in the set.
   *
   * The lists of numbers are typed arrays (their bytes outside the JavaScript heap), with room to
   * grow while the chain is indexed a slice at a time (see withRoom) and cut to their size once it is
   * indexed whole (see compacted): about 400 000 plain conditions in the Docker-like 100k file's
   * long chains, kept as long as the chains are. Grown as plain arrays, they were 44 MB of garbage
   * on the heap per preparation of that file.
   */
  readonly plainStart: Int32Array;
  readonly plainSet: ISet[];
  /**
   * The same sets as doubles, for the sets whose values all fit in a double's integers: the ranges
   * of plain condition k are rangeVals[rangeFrom[k]...rangeTo[k]) as lo, hi pairs (rangeFrom -1:
   * too large, tested as a BigInt set). Kept side by side in flat arrays, a trace checking the
   * 50 000 rules of a chain reads them in order instead of following each rule's sets and BigInts.
   */
  rangeFrom: Int32Array;
  rangeTo: Int32Array;
  rangeVals: Float64Array;
  /** The dimensions of the plain conditions (plainDimId[k] is the index here of plain condition k's). */
  readonly dims: Dim[];
  plainDimId: Uint8Array;
  /** How many values rangeVals holds (its length is its room while the chain is being indexed). */
  valCount: number;
  /** The compiled rules by position, as far as built. */
  readonly spaces: (RuleSpace | undefined)[];
  /**
   * Per position, 1 + which of its plain conditions a rule is filed under (0: not filed). A packet
   * outside that block fails the rule at that condition or at an earlier one.
   */
  readonly filed: Uint8Array;
}

/**
 * What indexing a chain built that names no rule or line of one version: all a later version's
 * index of the chain needs when that version's chain holds rules compiled to the same spaces,
 * position by position (see movedFrom).
 */
interface IndexCore {
  readonly tableName: string;
  readonly env: SpaceEnv;
  readonly parts: Built;
  readonly built: number;
  readonly last: Blocks | undefined;
}

export class TraceChainIndex {
  /** What indexing the rules built (see Built): shared with an index made from this one (see the constructor). */
  private parts: Built;
  /** The point the numeric values below are of, and its values by dimension (NaN: past 2^53 or absent). */
  private numPoint: ReadonlyMap<Dim, bigint> | undefined;
  private readonly numVals: number[] = [];
  /** Per position, the step of the rule when the packet fails its first condition, built when first needed. */
  private readonly missedFirst: (TraceStep | undefined)[] = [];
  /** The same when it fails its j-th condition (j > 0). */
  private readonly missedLater: (TraceStep | undefined)[][] = [];

  /** How many positions are indexed so far (see build), and the block list the last one went to. */
  private built = 0;
  private last: Blocks | undefined;
  /** Positions up to which prepareSteps has built the ready steps (or left them to traces: see the constructor). */
  private prepared = 0;

  /**
   * `env`: the environment the rules were compiled in (a rule's compiled space follows from its
   * option list and the environment alone: see rule-space.ts COMPILED). The index holds nothing of
   * one version but the chain (no table, no compiled-rules map), so the next version that still
   * has the chain object can take it (see LATEST).
   */
  constructor(
    readonly tableName: string,
    readonly chain: Chain,
    readonly env: SpaceEnv,
    private readonly makeMissed: MakeMissed,
    /**
     * The core of a complete index of the chain this one is, in an earlier version (see
     * movedFrom: moved by lines put in or taken out, or read again, its rules compiled to the same
     * spaces position by position): what was built is shared. The steps, which name
     * rules and lines, are made again as traces need them: making them ahead for every chain
     * below a line put in was 70 ms of the server's idle work per edit (Docker-like 100k).
     */
    from?: IndexCore,
  ) {
    this.moved = from !== undefined;
    if (from) {
      this.parts = from.parts;
      this.built = from.built;
      this.last = from.last;
      this.prepared = from.built;
      return;
    }
    const n = chain.rules.length;
    // (room for two plain conditions a rule to start with: see withRoom)
    const room = Math.max(16, 2 * n);
    this.parts = {
      always: [],
      blocks: [],
      plainStart: new Int32Array(n + 1),
      plainSet: [],
      rangeFrom: new Int32Array(room),
      rangeTo: new Int32Array(room),
      rangeVals: new Float64Array(2 * room),
      valCount: 0,
      dims: [],
      plainDimId: new Uint8Array(room),
      spaces: new Array<RuleSpace | undefined>(n),
      filed: new Uint8Array(n),
    };
  }

  /** Made from the index of this chain in an earlier version (see the constructor). */
  readonly moved: boolean;

  /** What this index built, without the chain or steps of its version (see IndexCore). */
  core(): IndexCore {
    return { tableName: this.tableName, env: this.env, parts: this.parts, built: this.built, last: this.last };
  }

  /** True once every rule is indexed: only then may a trace use the index. */
  get complete(): boolean {
    return this.built === this.chain.rules.length;
  }

  /**
   * Indexes the rules from the last one indexed up to position `until` (excluded), so that the
   * server can build a long chain's index a slice at a time while idle; a trace builds the rest.
   */
  build(compiledOf: (r: Rule) => RuleSpace | undefined, until = this.chain.rules.length): void {
    const rules = this.chain.rules;
    const n = rules.length;
    const end = Math.min(until, n);
    const builtBefore = this.built;
    const plainStart = this.parts.plainStart;
    const plainSet = this.parts.plainSet;
    const dims = this.parts.dims;
    // (one loop over up to 100 000 rules: no tuples, iterators or BigInt arithmetic per rule)
    let last = this.last;
    for (let pos = this.built; pos < end; pos++) {
      plainStart[pos] = plainSet.length;
      const rsp = compiledOf(rules[pos]!);
      this.parts.spaces[pos] = rsp;
      if (!rsp) continue; // not compiled: the tracer passes over it without a step
      const conds = rsp.conditions;
      for (let k = 0; k < conds.length; k++) {
        if (!plainOf(conds[k]!)) break;
        this.addNumeric(plainSet.push(plainSetFound!) - 1, plainDimFound!, plainSetFound!);
      }
      // filed by the first of its plain conditions that is an aligned block, a protocol only when
      // there is nothing else: a chain has few protocols and many addresses and ports (a DNAT rule
      // of Docker's `! -i br-X -p tcp --dport 8080` by its port, not by the protocol half the
      // chain shares). Filed by its first condition, a rule that is not a candidate has a
      // ready-made step; filed by a later one, a few numeric comparisons find its step.
      const first = plainStart[pos]!;
      let at = -1;
      let block: { bits: number; key: number | bigint } | undefined;
      // (read after addNumeric, which may have given it more room)
      const plainDimId = this.parts.plainDimId;
      for (let k = first; k < plainSet.length && k - first < MAX_FILED_AT; k++) {
        const b = alignedBlock(plainSet[k]!);
        if (!b || (block && dims[plainDimId[k]!] === 'proto')) continue;
        block = b;
        at = k;
        if (dims[plainDimId[k]!] !== 'proto') break;
      }
      if (!block) {
        this.parts.always.push(pos);
        continue;
      }
      const dim = dims[plainDimId[at]!]!;
      let b = last?.dim === dim ? last : this.parts.blocks.find((x) => x.dim === dim);
      if (!b) {
        b = { dim, bySize: new Map() };
        this.parts.blocks.push(b);
      }
      last = b;
      let m = b.bySize.get(block.bits);
      if (!m) b.bySize.set(block.bits, (m = new Map()));
      const l = m.get(block.key);
      if (l === undefined) m.set(block.key, pos);
      else if (typeof l === 'number') m.set(block.key, [l, pos]);
      else l.push(pos);
      this.parts.filed[pos] = at - first + 1;
    }
    this.last = last;
    if (end > this.built) this.built = end;
    plainStart[this.built] = plainSet.length;
    // (once, by the call that indexed the last rules: an index made from a complete one is compacted already)
    if (end === n && builtBefore < n) this.parts = compacted(this.parts);
  }

  /** Files plain condition k (the last pushed onto plainSet), on dimension `dim` with set `set`, in the lists of numbers. */
  private addNumeric(k: number, dim: Dim, set: ISet): void {
    const p = this.parts;
    if (k >= p.rangeFrom.length) {
      p.rangeFrom = withRoom(p.rangeFrom, k + 1);
      p.rangeTo = withRoom(p.rangeTo, k + 1);
      p.plainDimId = withRoom(p.plainDimId, k + 1);
    }
    let d = p.dims.indexOf(dim);
    if (d < 0) d = p.dims.push(dim) - 1;
    // (a chain's conditions are on a few of the dimensions: their numbers fit a byte)
    p.plainDimId[k] = d;
    // (a set of one range read by its ends: its list of ranges is made anew at each ask, two
    // arrays for each of the 400 000 plain conditions of the Docker-like 100k file's long chains)
    const last = set.last();
    if (last !== undefined && last > MAX_SAFE) {
      p.rangeFrom[k] = -1;
      p.rangeTo[k] = -1;
      return;
    }
    let v = p.valCount;
    const count = 2 * set.rangeCount;
    if (v + count > p.rangeVals.length) p.rangeVals = withRoom(p.rangeVals, v + count);
    const vals = p.rangeVals;
    p.rangeFrom[k] = v;
    if (count === 2) {
      vals[v++] = Number(set.first()!);
      vals[v++] = Number(last!);
    } else
      for (const [lo, hi] of set.ranges) {
        vals[v++] = Number(lo);
        vals[v++] = Number(hi);
      }
    p.rangeTo[k] = v;
    p.valCount = v;
  }

  /**
   * Positions, ascending, from `from` on, of the rules whose filed condition this point does not
   * certainly fail, and of those filed nowhere (those must be looked at); every other compiled
   * rule fails the condition it is filed under or an earlier one (see pushMissed).
   */
  candidates(point: ReadonlyMap<Dim, bigint>, from: number): number[] {
    const hits: number[] = [];
    for (const b of this.parts.blocks) {
      const v = point.get(b.dim);
      if (v === undefined) {
        // (a point has every dimension; were one missing, look at every rule filed under it)
        for (const m of b.bySize.values()) for (const l of m.values()) pushFiled(l, from, hits);
        continue;
      }
      for (const [bits, m] of b.bySize) {
        const l = m.get(blockKey(v, bits));
        // (0 is a position too)
        if (l !== undefined) pushFiled(l, from, hits);
      }
    }
    ascending(hits);
    // merged with the rules always looked at (both ascending, no position in both)
    const out: number[] = [];
    const always = this.parts.always;
    let i = 0;
    while (i < always.length && always[i]! < from) i++;
    let h = 0;
    while (i < always.length || h < hits.length) {
      if (h >= hits.length || (i < always.length && always[i]! < hits[h]!)) out.push(always[i++]!);
      else out.push(hits[h++]!);
    }
    return out;
  }

  /**
   * Builds ahead of any trace the steps of the rules (at positions from..to-1, as far as indexed)
   * failing the condition they are filed under (the steps a trace passing over them shares), so
   * that the first trace does not.
   */
  prepareSteps(from = 0, to = this.built): void {
    const end = Math.min(to, this.built);
    // (positions below `prepared` have their steps already: an index kept from an earlier version)
    for (let p = Math.max(from, this.prepared); p < end; p++) if (this.parts.filed[p]) this.missedStep(p, this.parts.filed[p]! - 1);
    if (from <= this.prepared && end > this.prepared) this.prepared = end;
  }

  /** True once every rule is indexed and has its ready step (nothing left for traceIndexJobs). */
  get ready(): boolean {
    return this.complete && this.prepared === this.built;
  }

  /** The compiled rule at `pos` (undefined: the tracer passes over it). */
  compiled(pos: number): RuleSpace | undefined {
    return this.parts.spaces[pos];
  }

  /**
   * Appends the steps of the compiled rules at positions from..to-1, none of them a candidate for
   * this point: each fails the condition it is filed under or an earlier one. Returns `to`, or the
   * first position whose step cannot be settled here (then the caller evaluates that rule).
   */
  pushMissed(steps: TraceStep[], from: number, to: number, point: ReadonlyMap<Dim, bigint>): number {
    for (let p = from; p < to; p++) {
      if (!this.parts.spaces[p]) continue;
      const at = this.parts.filed[p]!;
      if (at === 1) steps.push(this.missedStep(p, 0));
      else {
        const step = this.missed(p, point);
        if (!step) return p;
        steps.push(step);
      }
    }
    return to;
  }

  /**
   * The step of the rule at `pos` if the point fails one of the plain conditions it starts with
   * (the first it fails), else undefined: then the rule has to be evaluated in full.
   */
  missed(pos: number, point: ReadonlyMap<Dim, bigint>): TraceStep | undefined {
    const { plainStart, dims, rangeVals: rv, plainDimId, rangeFrom, rangeTo, plainSet } = this.parts;
    const start = plainStart[pos]!;
    const end = plainStart[pos + 1]!;
    if (start === end) return undefined;
    const vals = this.numVals;
    if (point !== this.numPoint) {
      this.numPoint = point;
      for (let d = 0; d < dims.length; d++) {
        const v = point.get(dims[d]!);
        vals[d] = v !== undefined && v <= MAX_SAFE ? Number(v) : NaN;
      }
    }
    for (let k = start; k < end; k++) {
      const x = vals[plainDimId[k]!]!;
      const from = rangeFrom[k]!;
      let inside = false;
      if (from < 0 || x !== x) {
        // a set or a value past 2^53 (IPv6 addresses): the BigInt set itself
        const v = point.get(dims[plainDimId[k]!]!);
        if (v === undefined) return undefined;
        inside = plainSet[k]!.has(v);
      } else {
        const to = rangeTo[k]!;
        for (let r = from; r < to; r += 2) {
          if (x >= rv[r]! && x <= rv[r + 1]!) {
            inside = true;
            break;
          }
        }
      }
      if (!inside) return this.missedStep(pos, k - start);
    }
    return undefined;
  }

  private missedStep(pos: number, j: number): TraceStep {
    if (j === 0) return (this.missedFirst[pos] ??= this.makeMissed(this.tableName, this.chain, pos, this.parts.spaces[pos]!.conditions[0]!));
    // (at the rule's number of conditions: an empty list given its j-th entry grows room for 16
    // more, 170 bytes for each of the 37 000 rules of the Docker-like 100k file with such a step)
    const conditions = this.parts.spaces[pos]!.conditions;
    const at = (this.missedLater[pos] ??= new Array<TraceStep | undefined>(conditions.length));
    return (at[j] ??= this.makeMissed(this.tableName, this.chain, pos, conditions[j]!));
  }
}

/**
 * The parts of a chain indexed whole: its lists of numbers cut to their size, the others too.
 */
function compacted(p: Built): Built {
  const conds = p.plainSet.length;
  return {
    ...p,
    always: p.always.slice(),
    plainSet: p.plainSet.slice(),
    rangeFrom: p.rangeFrom.slice(0, conds),
    rangeTo: p.rangeTo.slice(0, conds),
    rangeVals: p.rangeVals.slice(0, p.valCount),
    plainDimId: p.plainDimId.slice(0, conds),
  };
}

/** A typed list with room for at least `need` entries: `a` itself, or a copy of it with twice as much room. */
function withRoom<T extends Int32Array | Float64Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, 2 * a.length));
  b.set(a);
  return b;
}

/**
 * A condition the packet alone decides on one dimension (its dimension and set), as the tracer
 * evaluates it: an exact space of one box restricting one dimension. Its dimension and set are
 * left in plainDimFound and plainSetFound.
 */
function plainOf(c: Condition): boolean {
  if (!c.space || c.unknown || c.space.boxCount !== 1) return false;
  const box = c.space.boxAt(0);
  if (box.size !== 1) return false;
  plainDimFound = box.dimAt(0);
  plainSetFound = box.setAt(0);
  return true;
}

/**
 * The set as an aligned block of 2^bits values (an address prefix, one port), if it is one: its
 * size's log2 and its key in Blocks.bySize (as blockKey gives it for any value in the block).
 */
export function alignedBlock(set: ISet): { bits: number; key: number | bigint } | undefined {
  if (set.rangeCount !== 1) return undefined;
  // (by its ends: see addNumeric)
  const lo = set.first()!;
  const hi = set.last()!;
  if (hi <= MAX_SAFE) {
    // in doubles, where every integer up to 2^53 is exact
    const l = Number(lo);
    const size = Number(hi) - l + 1;
    if (size <= 0) return undefined;
    const bits = Math.round(Math.log2(size));
    if (2 ** bits !== size || l % size !== 0) return undefined;
    return { bits, key: l };
  }
  const size = hi - lo + 1n;
  if (size <= 0n || (size & (size - 1n)) !== 0n) return undefined;
  let bits = 0n;
  while (1n << bits < size) bits++;
  if ((lo >> bits) << bits !== lo) return undefined;
  return { bits: Number(bits), key: lo };
}

/**
 * The chains of a ruleset that get an index, each with a job that builds its index and its ready
 * steps (see traceChainIndex), for a caller that prepares traces ahead of time, one job at a time:
 * a job indexes `slice` rules of a chain.
 */
export function traceIndexJobs(ctx: AnalysisContext, makeMissed: MakeMissed, slice = JOB_RULES): (() => void)[] {
  const jobs: (() => void)[] = [];
  const compiledOf = (r: Rule) => ctx.compiled.get(r);
  const latest: Prepared = new Map();
  for (const table of ctx.rs.tables.values()) {
    for (const chain of table.chains.values()) {
      const n = chain.rules.length;
      if (n < MIN_INDEXED) continue;
      const idx = indexOf(ctx, table, chain, makeMissed);
      latest.set(chainKey(table.name, chain.name), idx);
      // (the index of a chain an edit left alone is the one the jobs of the version before built)
      if (idx.ready) continue;
      for (let from = 0; from < n; from += slice) {
        const to = from + slice;
        jobs.push(() => {
          idx.build(compiledOf, to);
          idx.prepareSteps(from, to);
        });
      }
    }
  }
  LATEST.set(documentOf(ctx.rs), latest);
  return jobs;
}

/** The rules a job of traceIndexJobs indexes (a few ms each, so that requests need not wait). */
const JOB_RULES = 4096;

/** The indexes of each analysis (version), by chain. */
const INDEXES = new WeakMap<AnalysisContext, WeakMap<Chain, TraceChainIndex>>();

/**
 * Per document, the indexes of the chains of the version traceIndexJobs last prepared (the one
 * the server published diagnostics for), to be found again by the next version: a chain an edit
 * did not touch is the same object there (with the same rule nodes, whose lines and compiled
 * spaces are those of the version before), so its index is not built again after each keystroke
 * (at 100 000 rules, 60 ms of work after every edit). Only that version's chains: an index kept
 * with its chain for as long as the chain lived stayed alive with every old chain a kept walk holds.
 */
const LATEST = new WeakMap<object, Prepared>();

/**
 * The indexes of a version's long chains, by table and chain name (see chainKey): only those, not
 * the version's tables. Once a newer version is analysed, the index of a chain that version does
 * not have (the same object) keeps only its core (see releaseReplaced).
 */
type Prepared = Map<string, TraceChainIndex | IndexCore>;

function chainKey(table: string, chain: string): string {
  return `${table}\0${chain}`;
}

function indexOf(ctx: AnalysisContext, table: Table, chain: Chain, makeMissed: MakeMissed): TraceChainIndex {
  let perChain = INDEXES.get(ctx);
  if (!perChain) INDEXES.set(ctx, (perChain = new WeakMap()));
  let idx = perChain.get(chain);
  if (!idx || idx.tableName !== table.name) {
    const kept = LATEST.get(documentOf(ctx.rs))?.get(chainKey(table.name, chain.name));
    idx =
      kept instanceof TraceChainIndex && kept.chain === chain && kept.env === ctx.env
        ? kept
        : new TraceChainIndex(table.name, chain, ctx.env, makeMissed, kept && movedFrom(ctx, kept instanceof TraceChainIndex ? kept.core() : kept, chain));
    perChain.set(chain, idx);
  }
  return idx;
}

/**
 * The core of a complete index, among those last prepared, of the chain of `chain`'s name in the
 * same table, when `chain` holds rules compiled to the same spaces position by position (what the
 * index was built from alone): `chain` is that chain moved by lines put in or taken out above or
 * inside it (none of its rules), or read again with the tables built anew.
 */
function movedFrom(ctx: AnalysisContext, core: IndexCore, chain: Chain): IndexCore | undefined {
  const now = chain.rules;
  if (core.env !== ctx.env || core.built !== now.length || core.parts.spaces.length !== now.length) return undefined;
  const spaces = core.parts.spaces;
  for (let i = 0; i < now.length; i++) if (spaces[i] !== ctx.compiled.get(now[i]!)) return undefined;
  return core;
}

/**
 * For a version `rs` just analysed: the prepared index of each chain `rs` does not have (the same
 * object) gives up its chain and steps and keeps its core. A line put in near the top of a file
 * replaces every long chain below it, and until the server prepares the new version (while idle,
 * which a run of quick edits leaves no time for), the previous version's chains stayed alive
 * with every line node they held (25-50 MB of the bench's 100k-rule files).
 */
export function releaseReplaced(rs: Ruleset): void {
  const latest = LATEST.get(documentOf(rs));
  if (!latest) return;
  for (const [key, v] of latest) if (v instanceof TraceChainIndex && rs.tables.get(v.tableName)?.chains.get(v.chain.name) !== v.chain) latest.set(key, v.core());
}

/**
 * The index of a chain for traces over this analysis, built (or finished, after the jobs above)
 * the first time a trace enters the chain unless an earlier version built it; undefined for a
 * short chain.
 */
export function traceChainIndex(ctx: AnalysisContext, table: Table, chain: Chain, makeMissed: MakeMissed): TraceChainIndex | undefined {
  if (chain.rules.length < MIN_INDEXED) return undefined;
  const idx = indexOf(ctx, table, chain, makeMissed);
  if (!idx.complete) idx.build((r) => ctx.compiled.get(r));
  return idx;
}
