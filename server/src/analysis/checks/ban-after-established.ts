/**
 * iptables-lens/ban-after-established (story 4): a DROP or REJECT narrowed to some addresses,
 * placed after a rule that accepts ESTABLISHED packets. Packets of connections that already exist
 * are accepted before the ban is looked at, so the banned host keeps every connection it had.
 */
import { type Hook, HOOKS } from '../../knowledge/types';
import { type Chain, type Finding, isRule, type MovedLines, movedLine, type Rule, type Ruleset, spanAt, type Table } from '../../model/ruleset';
import { rulesetEdit } from '../../parser/ruleset-parser';
import { analysisContext, envKey, TAKEN_ONLY } from '../context';
import { ruleMoveOf } from '../moved-rule';
import { type MovedItems, PerChainMemo } from '../memo';
import { NO_ITEMS } from '../positioned';
import { ISet, Space, type SpaceEnv, stateValue } from '../packet-space';
import { isAccept, isDrop, lineRef, namesState, narrowsToAddresses } from './rule-facts';

export interface BanData {
  readonly acceptLine: number;
}

/** A ban and the earlier accept of ESTABLISHED packets that takes some of its packets first. */
interface LateBan {
  readonly ban: Rule;
  readonly accept: Rule;
}

/** Each table's late bans in chain order, worked out again only for the chains an edit changed (see PerChainMemo). */
const PER_CHAIN = new PerChainMemo<LateBan>();

/**
 * A late ban of a chain whose rules an edit only moved: the same two rules, the nodes of the lines
 * theirs moved to in `rs`.
 */
function movedBans(rs: Ruleset): MovedItems<LateBan> {
  const at = (r: Rule, lines: MovedLines): Rule => {
    const n = ruleMovedTo(rs, r, lines);
    if (!n) throw new Error(`no rule on line ${movedLine(lines, r.line)}, though the line of ${lineRef(r)} only moved`);
    return n;
  };
  return { move: (b, lines) => ({ ban: at(b.ban, lines), accept: at(b.accept, lines) }) };
}

/** The rule node of `rs` on the line that rule `r`'s line moved to by `lines` (undefined when that line holds no rule). */
function ruleMovedTo(rs: Ruleset, r: Rule, lines: MovedLines): Rule | undefined {
  const n = rs.lines.get(movedLine(lines, r.line));
  return n?.kind === 'command' && isRule(n) ? n : undefined;
}

/**
 * The late bans found in each chain worked out, by the environment they were found in: a chain
 * one line put in or taken out of starts from those of its previous version (see carried).
 */
const FOUND = new WeakMap<SpaceEnv, WeakMap<Chain, readonly LateBan[]>>();

/** Chains whose late bans were carried from their previous version's (for tests). */
export const banStats = { carried: 0 };

export function checkBanAfterEstablished(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  const est = Space.ALL.restrict(ctx.env, 'state', ISet.point(stateValue('ESTABLISHED')));
  const moved = movedBans(rs);
  let found = FOUND.get(ctx.env);
  if (!found) FOUND.set(ctx.env, (found = new WeakMap()));
  const kept = found;
  // (the version this one was read from, when alive: see carried)
  const edit = rulesetEdit(rs);
  for (const table of rs.tables.values()) {
    for (const { ban, accept } of PER_CHAIN.items(table, envKey(ctx.env), lateBansOf, moved)) {
      // are established packets of the banned addresses really all taken before the ban?
      // what of the ban's packets still reaches it (the arrivals there, within its conditions)
      const res = ctx.reach(table.name, ban.chain as Hook, est, 'established', TAKEN_ONLY);
      const stillReach = res?.taken.get(ban) ?? Space.NONE;
      out.push({
        code: 'ban-after-established',
        severity: 'warning',
        message:
          `this ${ban.target!.name} comes after ${lineRef(accept)}, which accepts ESTABLISHED packets: connections the banned host already has ` +
          `${stillReach.empty ? 'keep working' : 'partly keep working'}, because their packets are accepted before this rule is reached. ` +
          'Move the ban above the ESTABLISHED accept (and, for TCP, reject with tcp-reset so the peer learns at once).',
        span: spanAt(ban.line, ban.target!.nameWord),
        related: [{ span: accept.span, message: 'accepts packets of existing connections first' }],
        data: { acceptLine: accept.line } satisfies BanData,
      });
    }
    keepMoved(table);
  }
  return out;

  /** lateBans, kept by chain; those of the previous version's chain when the edit could not change them (see carried). */
  function lateBansOf(chain: Chain): readonly LateBan[] {
    if (!chain.builtin) return NO_ITEMS;
    const moved = carried(chain);
    if (moved) banStats.carried++;
    const bans = moved ?? lateBans(chain);
    kept.set(chain, bans);
    return bans;
  }

  /**
   * The late bans of the previous version's chain of the same name, on their rules' new lines,
   * when the edit only moved the chain's rules or put in or took out one rule that cannot change
   * them: one that is no ban, and no accept naming a state put in. The 28 000 rules of a
   * Docker-like nat POSTROUTING or 12 000 of its FORWARD (half of whose accepts name no state)
   * were gone through again for each line put into or taken out of them, 5-11 ms of the first such
   * edits. Undefined when that is not so, or the previous chain was not worked out.
   */
  function carried(chain: Chain): readonly LateBan[] | undefined {
    const m = rs.tables.get(chain.table)?.moved;
    const was = edit?.previous.tables.get(chain.table)?.chains.get(chain.name);
    const before = was && was !== chain && m ? kept.get(was) : undefined;
    if (!before) return undefined;
    const did = ruleMoveOf(rs, edit!, chain, was!);
    if (!did) return undefined;
    if (did.kind !== 'same') {
      // (lateBans reads only bans and accepts that name a state: an accept put in may pair with a
      // ban below it; one taken out changes only the bans it was the accept of, whose pair then
      // names a line that is gone, and the chain is worked out again: see onNewLines)
      const r = did.kind === 'put' ? chain.rules[did.at]! : was!.rules[did.at]!;
      if (isDrop(r) && r.options.some(narrowsToAddresses)) return undefined;
      if (did.kind === 'put' && isAccept(r) && r.options.some(namesState)) return undefined;
    }
    return onNewLines(before, m!.lines, chain.name);
  }

  /**
   * The built-in chains of `table` the edit only moved (see Table.moved) keep the late bans of
   * their previous version's chain, on their new lines, as if worked out (PerChainMemo moved those
   * without working the chain out): a line put into one of them by a later edit starts from them
   * (see carried). Without this, the nat POSTROUTING of the Docker-like file, moved by each line put
   * into the filter table above it, was gone through whole at the first line put into it.
   */
  function keepMoved(table: Table): void {
    const m = table.moved;
    const from = m?.from.deref();
    if (!m || !from || edit?.previous.tables.get(table.name) !== from) return;
    for (const hook of HOOKS) {
      if (m.chains.has(hook)) continue;
      const c = table.chains.get(hook);
      if (!c?.builtin || kept.has(c)) continue;
      const was = from.chains.get(hook);
      const before = was && kept.get(was);
      const now = before && onNewLines(before, m.lines, hook);
      if (now) kept.set(c, now);
    }
  }

  /** Late bans of chain `chain` of the previous version, with the nodes their lines moved to by `lines` (undefined when one is not a rule of the chain there). */
  function onNewLines(before: readonly LateBan[], lines: MovedLines, chain: string): readonly LateBan[] | undefined {
    if (!before.length) return before;
    const at = (r: Rule): Rule | undefined => {
      const n = ruleMovedTo(rs, r, lines);
      return n?.chain === chain ? n : undefined;
    };
    const out: LateBan[] = [];
    for (const b of before) {
      const ban = at(b.ban);
      const accept = at(b.accept);
      if (!ban || !accept) return undefined;
      out.push({ ban, accept });
    }
    return out;
  }

  /** The bans of a built-in chain placed after an accept of ESTABLISHED packets that meets them. */
  function lateBans(chain: Chain): readonly LateBan[] {
    const found: LateBan[] = [];
    // the accepts that name a state, met so far: a ban looks for its accept among them, not among
    // every earlier rule of a long chain. Told by their options, and compiled only when a ban
    // looks (a condition comes from an option: the options say it may hold one): a Docker host's
    // FORWARD holds 3 000 such accepts and no ban, and each line put into it compiled them all
    const stateAccepts: Rule[] = [];
    for (const ban of chain.rules) {
      if (isAccept(ban)) {
        if (ban.options.some(namesState)) stateAccepts.push(ban);
        continue;
      }
      if (!isDrop(ban) || !ban.options.some(narrowsToAddresses)) continue;
      const bsp = ctx.compiled.get(ban);
      if (!bsp) continue;
      if (!bsp.conditions.some((c) => c.option !== undefined && narrowsToAddresses(c.option))) continue;
      const banEst = bsp.space.intersect(ctx.env, est);
      if (banEst.empty) continue; // the ban itself is for NEW packets only: deliberate
      const accept = stateAccepts.find((a) => {
        const asp = ctx.compiled.get(a);
        return asp !== undefined && asp.conditions.some((c) => c.option !== undefined && namesState(c.option)) && asp.space.meets(ctx.env, banEst);
      });
      if (accept) found.push({ ban, accept });
    }
    return found.length ? found : NO_ITEMS;
  }
}

