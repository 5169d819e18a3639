/**
 * Which chains of a table can bring a packet to a rule that a walk's caller reads (see reach's
 * `ahead`): a chain can when one of its rules is such a rule, or jumps or goes to a chain that can.
 * A walk that only records what some rules take (the REJECTs, for the checks of what they answer)
 * can end where none of them lies ahead; a kube-proxy FORWARD chain meets its service REJECTs in
 * KUBE-SERVICES, then 450 DROPs of KUBE-EXTERNAL-SERVICES that cannot change what they took.
 *
 * Each chain's answer is worked out when first asked for, and every answer given is kept in
 * `consulted`: a walk that ended early depends on them, and its memo asks them again of the chains
 * an edit changed (see context.ts sameWalk).
 */
import type { Chain, Rule, Table } from '../model/ruleset';

export class RulesAhead {
  /** By chain name, whether a packet sent there can meet a wanted rule: every answer given. */
  readonly consulted = new Map<string, boolean>();
  private readonly last = new Map<Chain, number>();
  /** Chains whose answer is being worked out (a chain on a way back to itself). */
  private readonly busy = new Set<string>();

  constructor(
    private readonly table: Table,
    private readonly wanted: (r: Rule) => boolean,
  ) {}

  /** The position of the last rule of `chain` from which a wanted rule can be met (-1: none). */
  lastIn(chain: Chain): number {
    let at = this.last.get(chain);
    if (at !== undefined) return at;
    at = -1;
    const rules = chain.rules;
    // (from the end: the last such rule is what is asked, and the chains jumped to before it need no look)
    for (let i = rules.length - 1; i >= 0; i--) {
      const r = rules[i]!;
      if (this.wanted(r) || (r.target?.kind === 'chain' && this.leadsTo(r.target.name))) {
        at = i;
        break;
      }
    }
    this.last.set(chain, at);
    return at;
  }

  /**
   * Whether a packet sent to the chain named `name` can meet a wanted rule. A missing or built-in
   * chain is not walked into (see reach): no. A chain met again on the way from itself (a loop,
   * which the kernel refuses) counts as yes, which only lets a walk go on.
   */
  leadsTo(name: string): boolean {
    const known = this.consulted.get(name);
    if (known !== undefined) return known;
    if (this.busy.has(name)) return true;
    const c = this.table.chains.get(name);
    let yes = false;
    if (c && !c.builtin) {
      this.busy.add(name);
      yes = this.lastIn(c) >= 0;
      this.busy.delete(name);
    }
    this.consulted.set(name, yes);
    return yes;
  }
}
