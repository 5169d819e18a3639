/**
 * What each rule takes in a walk (ReachResult.taken), with the takes of the rules of a run of bans
 * worked out when the map is first read. A walk through a blocklist that records what every rule
 * takes made a box and a space for each of thousands of bans, and the checks that ask for such
 * walks read them only when the walk went to its end: one that stopped at the work limit (an edit
 * among the first rules of the firewall-like 100k file's 83 000 bans walks to the limit again) is
 * read for `complete` alone. The entries come in the order the walk recorded them, runs included,
 * and what a rule takes is unioned over its visits, as if each had been added as the walk went.
 */
import type { Rule } from '../model/ruleset';
import { type RunVisit, takenInRun } from './ban-runs';
import { Space } from './packet-space';

export class TakenMap implements ReadonlyMap<Rule, Space> {
  private readonly map = new Map<Rule, Space>();
  /**
   * From the first run visit on, what was recorded in order (a rule and what it took, or a run
   * visit with the test of the rules whose takes are recorded), until the map is read.
   */
  private log: (readonly [Rule, Space] | { readonly visit: RunVisit; readonly takes: (r: Rule) => boolean })[] | undefined;

  /** What rule `r` took, added to what it took before. */
  add(r: Rule, took: Space): void {
    if (this.log !== undefined) this.log.push([r, took]);
    else this.union(r, took);
  }

  /** What the rules of a run visit take, each for which `takes` says true, added in their order. */
  addRun(visit: RunVisit, takes: (r: Rule) => boolean): void {
    if (visit.upTo > 0) (this.log ??= []).push({ visit, takes });
  }

  private union(r: Rule, took: Space): void {
    const had = this.map.get(r);
    this.map.set(r, (had ?? Space.NONE).union(took));
  }

  /** The map, with what was left for later added. */
  private settled(): Map<Rule, Space> {
    const log = this.log;
    if (log === undefined) return this.map;
    this.log = undefined;
    for (const e of log) {
      if (Array.isArray(e)) {
        this.union(e[0], e[1]);
        continue;
      }
      const { visit, takes } = e as { readonly visit: RunVisit; readonly takes: (r: Rule) => boolean };
      for (let k = 0; k < visit.upTo; k++) {
        const r = visit.rules[visit.run.start + k]!;
        if (takes(r)) this.union(r, takenInRun(visit, k));
      }
    }
    return this.map;
  }

  get size(): number {
    return this.settled().size;
  }

  get(r: Rule): Space | undefined {
    return this.settled().get(r);
  }

  has(r: Rule): boolean {
    return this.settled().has(r);
  }

  forEach(f: (took: Space, r: Rule, map: ReadonlyMap<Rule, Space>) => void, thisArg?: unknown): void {
    for (const [r, took] of this.settled()) f.call(thisArg, took, r, this);
  }

  entries(): MapIterator<[Rule, Space]> {
    return this.settled().entries();
  }

  keys(): MapIterator<Rule> {
    return this.settled().keys();
  }

  values(): MapIterator<Space> {
    return this.settled().values();
  }

  [Symbol.iterator](): MapIterator<[Rule, Space]> {
    return this.settled()[Symbol.iterator]();
  }
}
