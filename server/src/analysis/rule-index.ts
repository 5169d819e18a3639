/**
 * An index of the rules of one chain by the packets they can match, so that a question about a
 * set of packets ("which rules of this chain can meet these packets?") looks at those rules only,
 * not at every rule of a 10 000-rule chain. For each dimension (destination, source, ports,
 * interfaces...) the rules that restrict it are sorted by the hull of their values there, and the
 * rules that do not are listed apart. A question restricted in some dimension is answered from
 * the most selective of its dimensions: the rules whose hull there meets the question's, plus the
 * rules free in that dimension. The answer may hold rules that turn out not to meet the packets
 * (a hull is coarser than a set, and only one dimension is looked at): callers still intersect; the
 * index only leaves out rules that certainly cannot match.
 */
import { type Box, type Dim, domain, type SpaceEnv } from './packet-space';
import type { RuleSpace } from './rule-space';

/** Dimensions indexed, most selective first (the order questions try them in). */
const KEY_DIMS: readonly Dim[] = ['dst', 'src', 'dport', 'sport', 'oif', 'iif', 'icmp', 'mark', 'len', 'ttl', 'tos', 'flags', 'state', 'proto', 'frag'];

interface Keyed {
  /** Rules restricted in this dimension, sorted by lo. */
  readonly lo: bigint[];
  readonly hi: bigint[];
  readonly pos: number[];
  /** maxHi[i]: the highest hi among entries 0..i (ends the backward scan). */
  readonly maxHi: bigint[];
  /** Positions (ascending) of the rules free in this dimension. */
  readonly free: number[];
}

/** The hull of a dimension over some boxes: undefined when some box does not restrict it. */
function hull(env: SpaceEnv, boxes: readonly Box[], d: Dim): [bigint, bigint] | undefined {
  let lo: bigint | undefined;
  let hi: bigint | undefined;
  for (const b of boxes) {
    const s = b.get(d);
    if (!s) return undefined;
    if (s.empty) continue;
    const a = s.ranges[0]![0];
    const z = s.ranges[s.ranges.length - 1]![1];
    if (lo === undefined || a < lo) lo = a;
    if (hi === undefined || z > hi) hi = z;
  }
  if (lo === undefined || hi === undefined) return undefined;
  const [dlo, dhi] = domain(env, d);
  return lo <= dlo && hi >= dhi ? undefined : [lo, hi];
}

/** Chains shorter than this are not indexed: their rules are simply all looked at. */
const MIN_INDEXED = 24;
/** Dimensions indexed per chain: the ones most of its rules restrict. */
const MAX_DIMS = 3;

export class ChainIndex {
  private readonly keyed = new Map<Dim, Keyed>();
  /** Rules that can match some packet, ascending. */
  private readonly all: number[] = [];

  constructor(
    private readonly env: SpaceEnv,
    spaces: readonly (RuleSpace | undefined)[],
  ) {
    const hulls: (Map<Dim, [bigint, bigint]> | undefined)[] = [];
    const count = new Map<Dim, number>();
    spaces.forEach((rsp, pos) => {
      if (rsp && rsp.space.empty) return; // matches no packet: meets nothing
      this.all.push(pos);
      if (spaces.length < MIN_INDEXED) return;
      // a rule we know nothing of (not compiled) is filed as one that matches everything
      const h = new Map<Dim, [bigint, bigint]>();
      if (rsp) {
        for (const d of KEY_DIMS) {
          const x = hull(env, rsp.space.boxes, d);
          if (x) {
            h.set(d, x);
            count.set(d, (count.get(d) ?? 0) + 1);
          }
        }
      }
      hulls[pos] = h;
    });
    if (spaces.length < MIN_INDEXED) return;
    const dims = [...count].sort((a, b) => b[1] - a[1] || KEY_DIMS.indexOf(a[0]) - KEY_DIMS.indexOf(b[0])).slice(0, MAX_DIMS).map(([d]) => d);
    const entries = new Map<Dim, { lo: bigint; hi: bigint; pos: number }[]>();
    const free = new Map<Dim, number[]>();
    for (const d of dims) {
      entries.set(d, []);
      free.set(d, []);
    }
    for (const pos of this.all) {
      const h = hulls[pos]!;
      for (const d of dims) {
        const x = h.get(d);
        if (x) entries.get(d)!.push({ lo: x[0], hi: x[1], pos });
        else free.get(d)!.push(pos);
      }
    }
    for (const d of dims) {
      const l = entries.get(d)!;
      if (!l.length) continue;
      l.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.pos - b.pos));
      const maxHi: bigint[] = [];
      let m = -1n;
      for (const e of l) {
        if (e.hi > m) m = e.hi;
        maxHi.push(m);
      }
      this.keyed.set(d, { lo: l.map((e) => e.lo), hi: l.map((e) => e.hi), pos: l.map((e) => e.pos), maxHi, free: free.get(d)! });
    }
  }

  /**
   * Positions, ascending, of the rules that may match packets of these boxes, from position `from`
   * on. Every rule that can match is among them.
   */
  candidates(boxes: readonly Box[], from = 0): number[] {
    if (this.keyed.size === 0) return from === 0 ? this.all.slice() : this.all.filter((p) => p >= from);
    let best: number[] | undefined;
    let bestFree: number[] | undefined;
    for (const d of KEY_DIMS) {
      const k = this.keyed.get(d);
      if (!k) continue; // no rule restricts it: it cannot narrow anything down
      const q = hull(this.env, boxes, d);
      if (!q) continue;
      const limit = best ? best.length + bestFree!.length : Infinity;
      if (k.free.length >= limit) continue;
      const [qlo, qhi] = q;
      // last entry with lo <= qhi, then backwards while something earlier can still reach qlo
      let a = 0;
      let b = k.lo.length;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (k.lo[mid]! <= qhi) a = mid + 1;
        else b = mid;
      }
      const hits: number[] = [];
      let over = false;
      for (let i = a - 1; i >= 0 && k.maxHi[i]! >= qlo; i--) {
        if (k.hi[i]! >= qlo && k.pos[i]! >= from) {
          hits.push(k.pos[i]!);
          if (hits.length + k.free.length >= limit) {
            over = true;
            break;
          }
        }
      }
      if (over) continue;
      best = hits;
      bestFree = k.free;
      if (hits.length === 0 && k.free.length === 0) break;
    }
    if (!best) return from === 0 ? this.all.slice() : this.all.filter((p) => p >= from);
    const out = best;
    for (const p of bestFree!) if (p >= from) out.push(p);
    out.sort((x, y) => x - y);
    return out;
  }
}
