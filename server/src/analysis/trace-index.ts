/**
 * What the tracer keeps per chain between traces, so that a trace through a 10 000-rule chain does
 * not evaluate every rule: an index of the rules by the conditions they start with.
 *
 * The tracer reports for each rule it passes the first condition the packet fails. Many rules
 * start with plain conditions, each a set of values of one dimension the packet alone decides
 * (`-d 10.96.0.1/32`, `! -i br-1a2b`, `-p tcp`, `--dport 80`...): the first of those the packet
 * is outside of is the one reported, whatever the rest of the rule says, and the rule's step is
 * then always the same. So:
 * - rules whose first condition is an aligned block of values (an address prefix, one port, one
 *   protocol) are filed by that block; for a packet, one look-up per block size in use finds the
 *   rules whose block holds its value, and every other such rule fails its first condition: its
 *   ready-made step is added without looking at the rule;
 * - the rules found, and the rules filed nowhere, are first checked against their plain
 *   conditions only (one set membership each, no strings built); only when the packet passes all
 *   of them is the rule evaluated in full, as without the index.
 * The steps are built once per chain, rule and failing condition, and shared by every trace of
 * the same analysis (steps are read-only).
 */
import type { Chain, Table } from '../model/ruleset';
import type { AnalysisContext } from './context';
import type { Dim, ISet } from './packet-space';
import type { Condition, RuleSpace } from './rule-space';
import type { TraceStep } from './tracer';

/** Chains shorter than this are simply walked rule by rule. */
const MIN_INDEXED = 16;

/** The rules whose first condition is an aligned block of values of one dimension. */
interface Blocks {
  readonly dim: Dim;
  /** By log2 of the block size: block start -> positions (ascending). */
  readonly bySize: Map<bigint, Map<bigint, number[]>>;
}

export class TraceChainIndex {
  /** Positions (ascending) of compiled rules that must be looked at for any packet. */
  private readonly always: number[] = [];
  private readonly blocks: Blocks[] = [];
  /**
   * The plain conditions each rule starts with (up to its first other one: see plainCount), as
   * flat lists: those of the rule at pos are plainDim/plainSet[plainStart[pos]...]. A plain
   * condition is decided by one dimension of the packet alone: the packet passes it iff its value
   * there is in the set.
   */
  private readonly plainStart: number[] = [];
  private readonly plainDim: Dim[] = [];
  private readonly plainSet: ISet[] = [];
  /** Per position, the step of the rule when the packet fails its first condition, built when first needed. */
  private readonly missedFirst: (TraceStep | undefined)[] = [];
  /** The same when it fails its j-th condition (j > 0). */
  private readonly missedLater: (TraceStep | undefined)[][] = [];

  constructor(
    readonly table: Table,
    readonly chain: Chain,
    private readonly spaces: readonly (RuleSpace | undefined)[],
    private readonly makeMissed: (table: Table, chain: Chain, pos: number, reason: string) => TraceStep,
  ) {
    const byDim = new Map<Dim, Blocks>();
    for (let pos = 0; pos < spaces.length; pos++) {
      this.plainStart.push(this.plainDim.length);
      const rsp = spaces[pos];
      if (!rsp) continue; // not compiled: the tracer passes over it without a step
      for (const c of rsp.conditions) {
        const one = plainOf(c);
        if (!one) break;
        this.plainDim.push(one[0]);
        this.plainSet.push(one[1]);
      }
      const block = this.plainDim.length > this.plainStart[pos]! ? alignedBlock(this.plainSet[this.plainStart[pos]!]!) : undefined;
      if (!block) {
        this.always.push(pos);
        continue;
      }
      const dim = this.plainDim[this.plainStart[pos]!]!;
      let b = byDim.get(dim);
      if (!b) {
        b = { dim, bySize: new Map() };
        byDim.set(dim, b);
        this.blocks.push(b);
      }
      let m = b.bySize.get(block.bits);
      if (!m) b.bySize.set(block.bits, (m = new Map()));
      const l = m.get(block.start);
      if (l) l.push(pos);
      else m.set(block.start, [pos]);
    }
    this.plainStart.push(this.plainDim.length);
  }

  /**
   * Positions, ascending, from `from` on, of the rules whose first condition this point does not
   * certainly fail (those must be looked at); every other compiled rule fails its first condition.
   */
  candidates(point: ReadonlyMap<Dim, bigint>, from: number): number[] {
    const hits: number[] = [];
    for (const b of this.blocks) {
      const v = point.get(b.dim);
      if (v === undefined) {
        // (a point has every dimension; were one missing, look at every rule filed under it)
        for (const m of b.bySize.values()) for (const l of m.values()) for (const p of l) if (p >= from) hits.push(p);
        continue;
      }
      for (const [bits, m] of b.bySize) {
        const l = m.get((v >> bits) << bits);
        if (l) for (const p of l) if (p >= from) hits.push(p);
      }
    }
    hits.sort((a, b) => a - b);
    // merged with the rules always looked at (both ascending, no position in both)
    const out: number[] = [];
    const always = this.always;
    let i = 0;
    while (i < always.length && always[i]! < from) i++;
    let h = 0;
    while (i < always.length || h < hits.length) {
      if (h >= hits.length || (i < always.length && always[i]! < hits[h]!)) out.push(always[i++]!);
      else out.push(hits[h++]!);
    }
    return out;
  }

  /** The compiled rule at `pos` (undefined: the tracer passes over it). */
  compiled(pos: number): RuleSpace | undefined {
    return this.spaces[pos];
  }

  /** Appends the steps of the compiled rules at positions from..to-1, each failing its first condition. */
  pushMissedFirst(steps: TraceStep[], from: number, to: number): void {
    for (let p = from; p < to; p++) if (this.spaces[p]) steps.push(this.missedStep(p, 0));
  }

  /**
   * The step of the rule at `pos` if the point fails one of the plain conditions it starts with
   * (the first it fails), else undefined: then the rule has to be evaluated in full.
   */
  missed(pos: number, point: ReadonlyMap<Dim, bigint>): TraceStep | undefined {
    const start = this.plainStart[pos]!;
    const end = this.plainStart[pos + 1]!;
    for (let k = start; k < end; k++) {
      const v = point.get(this.plainDim[k]!);
      if (v === undefined) return undefined;
      if (!this.plainSet[k]!.has(v)) return this.missedStep(pos, k - start);
    }
    return undefined;
  }

  private missedStep(pos: number, j: number): TraceStep {
    if (j === 0) return (this.missedFirst[pos] ??= this.makeMissed(this.table, this.chain, pos, `not ${this.spaces[pos]!.conditions[0]!.describe}`));
    const at = (this.missedLater[pos] ??= []);
    return (at[j] ??= this.makeMissed(this.table, this.chain, pos, `not ${this.spaces[pos]!.conditions[j]!.describe}`));
  }
}

/**
 * A condition the packet alone decides on one dimension (its dimension and set), as the tracer
 * evaluates it: an exact space of one box restricting one dimension.
 */
function plainOf(c: Condition): [Dim, ISet] | undefined {
  if (!c.space || c.unknown || c.space.boxes.length !== 1) return undefined;
  const box = c.space.boxes[0]!;
  if (box.size !== 1) return undefined;
  for (const e of box) return e;
  return undefined;
}

/** The set as an aligned block of 2^bits values from start (an address prefix, one port), if it is one. */
export function alignedBlock(set: ISet): { bits: bigint; start: bigint } | undefined {
  if (set.ranges.length !== 1) return undefined;
  const [lo, hi] = set.ranges[0]!;
  if (lo === hi) return { bits: 0n, start: lo };
  const size = hi - lo + 1n;
  if (size <= 0n || (size & (size - 1n)) !== 0n) return undefined;
  let bits = 0n;
  while (1n << bits < size) bits++;
  if ((lo >> bits) << bits !== lo) return undefined;
  return { bits, start: lo };
}

const INDEXES = new WeakMap<AnalysisContext, WeakMap<Chain, TraceChainIndex>>();

/**
 * The index of a chain for traces over this analysis (one per document version), built the first
 * time a trace enters the chain; undefined for a short chain.
 */
export function traceChainIndex(
  ctx: AnalysisContext,
  table: Table,
  chain: Chain,
  makeMissed: (table: Table, chain: Chain, pos: number, reason: string) => TraceStep,
): TraceChainIndex | undefined {
  if (chain.rules.length < MIN_INDEXED) return undefined;
  let perChain = INDEXES.get(ctx);
  if (!perChain) INDEXES.set(ctx, (perChain = new WeakMap()));
  let idx = perChain.get(chain);
  if (!idx || idx.table !== table) {
    idx = new TraceChainIndex(table, chain, chain.rules.map((r) => ctx.compiled.get(r)), makeMissed);
    perChain.set(chain, idx);
  }
  return idx;
}
