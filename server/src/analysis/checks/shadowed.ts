/**
 * iptables-lens/shadowed-rule, redundant-rule and unreachable-rule: rules no packet can reach, or
 * that change nothing, judged over the packet space of the same chain.
 * - unreachable: an earlier rule with no condition at all and a final verdict takes everything;
 * - shadowed: earlier rules with final verdicts cover every packet the rule matches, with another
 *   verdict, so the rule never decides anything;
 * - redundant: the same, but the covering rules give the same verdict; or every packet it takes
 *   would get the same verdict from the rules after it (or the policy) if it were removed.
 * Only rules whose conditions can all be decided from the packet take part (a `-m limit` or
 * `-m recent` rule may or may not match, so it neither covers nor is judged).
 */
import { groupedDigits } from '../../knowledge/describe-values';
import { CodedFinding } from '../codes';
import { type Chain, type Finding, type MovedLines, movedLine, replacedRules, type Rule, type Ruleset, type Severity, type Span, spanAt, type Table } from '../../model/ruleset';
import { previousLine, type RulesetEdit, rulesetEdit } from '../../parser/ruleset-parser';
import { analysisContext } from '../context';
import { ruleMoveOf } from '../moved-rule';
import { envKey, KeptForChain, PerChainMemo, SeqMemo } from '../memo';
import { type Box, boxCorner, cutAlongOneDim, DIMS, type Dim, MIN_RUN, Space, type SpaceEnv } from '../packet-space';
import { verdictKind } from '../reach';
import type { RuleSpace } from '../rule-space';
import { statedPolicy, verdictKey } from './rule-facts';
import { NO_ITEMS, NO_POSITIONED, type Positioned, PositionedBuilder, replaceAt } from '../positioned';
import { ChunkedArray } from '../../model/chunked-array';
import { ruleCountOf } from '../../model/moved-chain';
import { shared } from '../../model/shared';
import { finished, type Steps } from '../steps';

/**
 * What a finding of this check says, by positions in its chain: rendered on the chain's rules (see
 * render), so that a chain whose rules an edit only moved gets the same findings on its rules
 * without being judged again.
 * - unreachable: `by` (one rule) takes every packet before the rule at `at`;
 * - shadowed, redundant: the rules `by` decide every packet of the rule first (with another
 *   verdict, or the same);
 * - below: without the rule, `by` (and the policy, when given) would give its packets the same verdict;
 * - limit: judging stopped at the rule, the chain taking more than `budget` comparisons.
 */
type Verdict =
  | { readonly kind: 'unreachable' | 'shadowed' | 'redundant'; readonly at: number; readonly by: readonly number[] }
  | { readonly kind: 'below'; readonly at: number; readonly by: readonly number[]; readonly policy: string | undefined }
  | { readonly kind: 'limit'; readonly at: number; readonly budget: number };

/**
 * A finding of this check, holding the verdict it was rendered from and its message as the text
 * around the line numbers it names (in private fields: no copy or comparison of findings sees
 * them). After a line put in, every finding below it is said again on its rules' new lines (7 000
 * of the Docker-like file's): from the lines alone (see moved), without reading the rules of a
 * chain the edit only moved. A finding of one class, made by its constructor, cost less than an
 * object literal of one of four shapes given the verdict by defineProperty. Its code, severity and
 * tags follow from the kind of its verdict, and are read from it (three fields fewer on each of
 * the 7 000 findings, and on each of the 3 500 a line put in says again).
 */
class ShadowFinding extends CodedFinding {
  readonly #verdict: Verdict;
  /** The message's text before, between and after the line numbers (one more than `#lines`). */
  readonly #texts: readonly string[];
  /**
   * The lines the message names (counted from 0): the line itself when it names one, as most do (a
   * list of one was 56 bytes more on each of the 3 500 findings a Docker-like line edit moves).
   */
  readonly #lines: number | readonly number[];
  readonly message: string;
  /**
   * Its span (see span), as three numbers: a span object was 48 bytes more on each finding, and on
   * each of the 3 500 a line put in says again on the Docker-like file.
   */
  readonly spanLine: number;
  readonly spanStart: number;
  readonly spanEnd: number;

  constructor(
    texts: readonly string[],
    lines: readonly number[],
    span: Span,
    readonly related: Finding['related'],
    verdict: Verdict,
  ) {
    super();
    this.spanLine = span.line;
    this.spanStart = span.start;
    this.spanEnd = span.end;
    this.#verdict = verdict;
    this.#texts = texts;
    this.#lines = lines.length === 1 ? lines[0]! : lines;
    let m = texts[0]!;
    for (let k = 0; k < lines.length; k++) m += String(lines[k]! + 1) + texts[k + 1]!;
    this.message = m;
  }

  static verdictOf(f: Finding): Verdict {
    return (f as ShadowFinding).#verdict;
  }

  /** The rule's line, the finding's place (a new object each time: callers keep it in what they make). */
  get span(): Span {
    return { line: this.spanLine, start: this.spanStart, end: this.spanEnd };
  }

  get code(): string {
    return KINDS[this.#verdict.kind].code;
  }

  get severity(): Severity {
    return KINDS[this.#verdict.kind].severity;
  }

  get tags(): Finding['tags'] {
    return this.#verdict.kind === 'limit' ? undefined : UNNECESSARY;
  }

  /**
   * Finding `f` with every line it names (its own, the related ones, those in its message) put
   * where `to` takes it, and verdict `v` (the rules' positions in their chain): `f` itself when
   * nothing changes; undefined when `to` has no place for one of its lines (-1).
   */
  static moved(f: Finding, to: (line: number) => number, v: Verdict = verdictOf(f)): Finding | undefined {
    const self = f as ShadowFinding;
    const line = to(self.spanLine);
    if (line < 0) return undefined;
    let changed = line !== self.spanLine || v !== self.#verdict;
    const was = typeof self.#lines === 'number' ? [self.#lines] : self.#lines;
    const lines = was.map(to);
    for (let k = 0; k < lines.length; k++) {
      if (lines[k]! < 0) return undefined;
      if (lines[k] !== was[k]) changed = true;
    }
    if (!changed) return f;
    let related: Finding['related'] = f.related;
    if (related) {
      const moved = related.map((x) => ({ span: spanAt(to(x.span.line), x.span), message: x.message }));
      if (moved.some((x) => x.span.line < 0)) return undefined;
      related = moved;
    }
    return new ShadowFinding(self.#texts, lines, { line, start: self.spanStart, end: self.spanEnd }, related, v);
  }
}

/** The tags of every finding but the limit's: one list, shared (see shared). */
const UNNECESSARY: Finding['tags'] = shared(['unnecessary'] as const);

/** The code and severity of a finding by the kind of its verdict. */
const KINDS: Readonly<Record<Verdict['kind'], { readonly code: string; readonly severity: Severity }>> = {
  limit: { code: 'analysis-limit', severity: 'information' },
  unreachable: { code: 'unreachable-rule', severity: 'warning' },
  shadowed: { code: 'shadowed-rule', severity: 'warning' },
  redundant: { code: 'redundant-rule', severity: 'information' },
  below: { code: 'redundant-rule', severity: 'information' },
};

/**
 * Verdict `v` of a rule now at `at`, the rules it names where `now` puts them. (Made field by
 * field: an object spread, for each finding a line put in or taken out moved, took 1.3 ms of each
 * such edit of the Docker-like 100k file.)
 */
function verdictMoved(v: Verdict, at: number, now: (q: number) => number): Verdict {
  if (v.kind === 'limit') return { kind: 'limit', at, budget: v.budget };
  const by = v.by.map(now);
  return v.kind === 'below' ? { kind: 'below', at, by, policy: v.policy } : { kind: v.kind, at, by };
}

function verdictOf(f: Finding): Verdict {
  return ShadowFinding.verdictOf(f);
}

/**
 * What a related location says of a rule that decides packets first, by its target's name (made
 * once per name, up to MAX_TEXTS names: a goto names a user chain, and the server lives
 * through many files).
 */
const DECIDES_FIRST = new Map<string, string>();
const MAX_TEXTS = 1024;

function decidesFirst(r: Rule): string {
  const name = r.target?.name ?? 'no target';
  let m = DECIDES_FIRST.get(name);
  if (m === undefined) {
    m = `decides these packets first (${name})`;
    if (DECIDES_FIRST.size < MAX_TEXTS) DECIDES_FIRST.set(name, m);
  }
  return m;
}

/**
 * The texts of a message around `count` line numbers: `before`, then the lines joined by `, `,
 * then `after` (one list per kind of message, number of lines and ending, up to MAX_TEXTS).
 */
const TEXTS = new Map<string, readonly string[]>();

function textsAround(before: string, count: number, after: string): readonly string[] {
  const key = `${count}\0${before}\0${after}`;
  let t = TEXTS.get(key);
  if (t === undefined) {
    const made = [before + (count ? 'line ' : '')];
    for (let k = 1; k < count; k++) made.push(', line ');
    if (count) made.push(after);
    else made[0] += after;
    t = shared(made);
    if (TEXTS.size < MAX_TEXTS) TEXTS.set(key, t);
  }
  return t;
}

const NO_LINES: readonly number[] = shared([]);

/** `rules`: the chain's, when the caller has them (a moved chain's are read through a getter). */
function render(chain: Chain, v: Verdict, rules: readonly Rule[] = chain.rules): Finding {
  const r = rules[v.at]!;
  switch (v.kind) {
    case 'limit':
      return new ShadowFinding(
        [
          `Rules that never take effect or change nothing: not checked in ${chain.name} from this rule on. Its rules each overlap thousands of the others, and comparing them takes more work than the analysis allows (${groupedDigits(v.budget)} comparisons); what is reported above this line is exact. The other checks still run.`,
        ],
        NO_LINES,
        r.span,
        undefined,
        v,
      );
    case 'unreachable': {
      const unconditional = rules[v.by[0]!]!;
      return new ShadowFinding(
        textsAround('no packet reaches this rule: ', 1, ` (${unconditional.target?.name}) takes every packet before it`),
        [unconditional.line],
        r.span,
        [{ span: unconditional.span, message: 'this rule takes every packet' }],
        v,
      );
    }
    case 'shadowed':
    case 'redundant': {
      const by = named(v.by).map((p) => rules[p]!);
      const same = v.kind === 'redundant';
      return new ShadowFinding(
        textsAround(same ? 'this rule changes nothing: every packet it matches is already handled the same way by ' : 'this rule never takes effect: every packet it matches is already decided by ', by.length, moreRules(v.by)),
        by.map((e) => e.line),
        r.span,
        by.map((e) => ({ span: e.span, message: decidesFirst(e) })),
        v,
      );
    }
    case 'below': {
      const policy = v.policy === undefined ? '' : v.by.length ? ` and the ${v.policy} policy` : `the ${v.policy} policy`;
      return new ShadowFinding(
        textsAround('this rule changes nothing: without it, every packet it matches would get the same verdict from ', named(v.by).length, moreRules(v.by) + policy),
        named(v.by).map((p) => rules[p]!.line),
        r.span,
        undefined,
        v,
      );
    }
  }
}

/**
 * Rules a finding names by line at most: the others are counted. A rule copied below thousands of
 * `-i br-X -j RETURN` rules that each take some of its packets was said to be decided by every one
 * of their lines, a message of 32 000 characters with as many related places.
 */
const MAX_NAMED = 8;

/** The positions of `by` a finding names by line (see MAX_NAMED). */
function named(by: readonly number[]): readonly number[] {
  return by.length > MAX_NAMED ? by.slice(0, MAX_NAMED) : by;
}

/** How a message goes on after the lines it names, when `by` holds more (see MAX_NAMED). */
function moreRules(by: readonly number[]): string {
  const more = by.length - MAX_NAMED;
  return more > 0 ? ` and ${groupedDigits(more)} more ${more === 1 ? 'rule' : 'rules'}` : '';
}

/** Whether the rules verdict `v` names are the same objects in the two lists of rules. */
function sameRulesAt(a: readonly Rule[], b: readonly Rule[], v: Verdict): boolean {
  if (a[v.at] !== b[v.at]) return false;
  if (v.kind === 'limit') return true;
  for (const q of v.by) if (a[q] !== b[q]) return false;
  return true;
}

/** The rulesets checked (see checkShadowed: what was judged in one is carried to the next version). */
const CHECKED = new WeakSet<Ruleset>();

/**
 * The most rules one chain's questions may look at (each rule asks which earlier rules cover it and
 * which later ones decide the same): realistic chains stay far below; a chain whose every rule
 * overlaps thousands of others (one pair of interface rules per Docker bridge, 8 000 bridges) would
 * take minutes, and stops here with a note.
 */
export const SHADOW_BUDGET = 1_000_000;
let budget = SHADOW_BUDGET;
/** For tests: judge chains with another limit (undefined: back to SHADOW_BUDGET). */
export function setShadowBudget(n: number | undefined): void {
  budget = n ?? SHADOW_BUDGET;
}

/**
 * What was found in a chain, kept for the next version of the document: each rule's finding and the
 * comparisons it took, with the compiled rules they were found for. After an edit that changes a
 * few rules of a long chain (and leaves its length alone), only the rules that can meet a changed
 * rule (before or after the edit) are judged again: a rule's finding depends on the rules that
 * share packets with it and on nothing else. Kept under the chain's first and last compiled rule.
 */
interface ChainRun {
  /** The chain judged, and per position its compiled conditions (or the rule when it did not compile). */
  readonly chain: Chain;
  readonly seq: ChunkedArray<object>;
  readonly policy: string;
  readonly compiled: ChunkedArray<RuleSpace | undefined>;
  /** How many of `compiled` are undefined (see ChainFacts). */
  readonly uncompiled: number;
  readonly keys: ChunkedArray<string | undefined>;
  readonly covering: ChunkedArray<number>;
  /** The findings with the position of the rule each is on. */
  readonly found: Positioned<Finding>;
  /** Per rule, the comparisons judging it took and how it was settled (see tally). */
  readonly tallies: ChunkedArray<number>;
  readonly total: number;
  readonly firstCovering: number;
  readonly firstUnconditional: number;
  /** The comparison budget ran out: the findings depend on the order work was done in. */
  readonly stopped: boolean;
  /** The budget the chain was judged with. */
  readonly budget: number;
  readonly findings: readonly Finding[];
}

/**
 * The last run of each chain, found by the compiled conditions of its first and of its last rule
 * (an edit makes a new chain object; its first or last rule is most often the same), and held as
 * long as the chain it judged (see KeptForChain).
 */
const RUNS = new KeptForChain<ChainRun>();

/** The tallies of a chain not judged yet. */
const NO_TALLIES = ChunkedArray.of<number>([]);

/**
 * How a rule without a finding was settled, one bit per question judgeRule asks of it: COVERED,
 * whether earlier rules cover it, was not asked, or answered at a corner packet of the rule that no
 * earlier covering rule takes; BELOW, whether the rules after it give its packets its verdict
 * anyway, was not asked, or answered at a corner packet that the first later rule to take (or the
 * policy) decides otherwise. Either answer stays as it was after a rule is put in, taken out or
 * changed elsewhere in the chain, as long as that rule holds none of its corner packets (see
 * stillSettled): the corners answer as they did, and the question stops at the same one.
 */
const SETTLED_COVERED = 1;
const SETTLED_BELOW = 2;

/**
 * A rule's tally in a run: the comparisons judging it took, and how it was settled (see
 * SETTLED_COVERED; nothing, for a rule with a finding), in one number (a second list would be
 * 800 KB more on a 100 000-rule file).
 */
function tally(work: number, settled: number): number {
  return work * 4 + settled;
}

/** The comparisons a tally counts. */
function workOf(t: number): number {
  return Math.floor(t / 4);
}

/**
 * The findings of chains shorter than KEPT_FROM, by their compiled rules, policy and budget: an
 * edit in a later block makes their table again from the same rules, and finds them here.
 */
const SHORT_RUNS = new SeqMemo<readonly Verdict[]>();
/** Each table's findings in chain order (see PerChainMemo). */
const PER_CHAIN = new PerChainMemo<Finding>();
/**
 * A finding of a chain whose rules an edit only moved: said again where its lines went, without
 * reading the chain's rules (a moved chain's are made when first read). The finding itself when
 * the lines it names are above the edit (half of a Docker-like file's findings, on average, sit
 * above a line put in, in chains that are new objects because a rule below jumps to them).
 */
function movedFinding(f: Finding, lines: MovedLines, chain: Chain): Finding {
  return ShadowFinding.moved(f, (l) => movedLine(lines, l)) ?? render(chain, verdictOf(f));
}

/** Each of `findings` moved by `to` (see ShadowFinding.moved): the same list when none moved, undefined when one cannot be. */
function allMoved(findings: readonly Finding[], to: (line: number) => number): readonly Finding[] | undefined {
  let out: Finding[] | undefined;
  for (let k = 0; k < findings.length; k++) {
    const f = ShadowFinding.moved(findings[k]!, to);
    if (!f) return undefined;
    if (f !== findings[k]) (out ??= findings.slice())[k] = f;
  }
  return out ?? findings;
}
/**
 * What was found in a chain, by the chain object, one map per environment and budget it was judged
 * with: a record of the three per chain was 1.7 MB on the 35 000 chains of the kube-like 100k file.
 */
const BY_CHAIN = new WeakMap<SpaceEnv, Map<number, WeakMap<Chain, readonly Finding[]>>>();

/** The map of chains judged in `env` with `budget` (made when first asked for). */
function judgedIn(env: SpaceEnv, budget: number): WeakMap<Chain, readonly Finding[]> {
  let byBudget = BY_CHAIN.get(env);
  if (!byBudget) BY_CHAIN.set(env, (byBudget = new Map()));
  let m = byBudget.get(budget);
  if (!m) byBudget.set(budget, (m = new WeakMap()));
  return m;
}

/**
 * What judging one rule of a chain reads besides the rule: the facts of every rule, worked out once
 * per chain. By position, in chunks: the facts after an edit of a few rules of a long chain share
 * the chunks of the others with the last run's (a copy of each list per edit was 1.9 MB on the
 * firewall-like 100k file, kept as long as its version).
 */
interface ChainFacts {
  readonly chain: Chain;
  readonly compiled: ChunkedArray<RuleSpace | undefined>;
  /**
   * How many rules did not compile (their place in `compiled` undefined): kept, so that the facts
   * made from a run's need not go through an 83 000-rule chain to know there is none.
   */
  readonly uncompiled: number;
  /** Per position: the compiled conditions (or the rule when it did not compile). */
  readonly seq: ChunkedArray<object>;
  /** verdictKey of each rule. */
  readonly keys: ChunkedArray<string | undefined>;
  /** 1 for a rule with a final verdict and decidable conditions: it takes every packet it matches. */
  readonly covering: ChunkedArray<number>;
  readonly firstCovering: number;
  /** The first covering rule without conditions: no rule after it is reached (-1: none). */
  readonly firstUnconditional: number;
  readonly policy: string | undefined;
  /** Made from the last run's facts: the positions whose conditions may differ from its (the others are the same). */
  readonly moved?: readonly number[];
}

/**
 * Earlier rules meeting a rule that are cut out of its packets one by one before the union of the
 * rest is asked whether it covers what they left (see coveringRules).
 */
const FIRST_CUTS = 16;
/** Looks in a row for a run to cut at once that find none, after which a rule's covering rules are cut one by one (see cutAlongOneDim). */
const MAX_RUNS = 4;
/** Later rules meeting a rule from which redundancy is first tried on corner packets. */
const CORNERS_FROM = 8;
/** Where candidateCount writes how many rules it looked at (see sameEffectBelow). */
const COUNTED: number[] = [0];

/**
 * Chains shorter than this keep no run (only their findings in SHORT_RUNS, to see them unchanged):
 * after an edit of one of their rules they are judged whole, which costs a few comparisons. A run's facts and lists
 * took about 650 bytes a chain, and a kube-proxy node has tens of thousands of one- and two-rule
 * chains.
 */
const KEPT_FROM = 8;

/**
 * Chains shorter than this that an edit only moved do not carry their run to the new version (the
 * run is kept from KEPT_FROM rules on): after a later edit among their rules they are judged
 * whole, a few thousand comparisons at most. Carrying a run reads the chain's rules, and a
 * kube-proxy node has hundreds of service chains of 8 to 63 endpoints, each carried on every line
 * put in or taken out above it (600 on the kube-like 100k file, 9 ms of each such edit).
 */
const CARRIED_FROM = 64;

/** Changed rules up to which a chain is judged again rule by rule instead of whole. */
const MAX_CHANGED = 16;

/** For tests: the comparisons of the run kept for `chain` (its total, and each rule's), when there is one. */
export function keptRunWork(chain: Chain): { readonly total: number; readonly work: readonly number[] } | undefined {
  const run = RUNS.of(chain);
  return run && { total: run.total, work: run.tallies.toArray().map(workOf) };
}

/**
 * How the last chains were judged (for tests): whole, or only the rules an edit can affect, and
 * the positions of those judged again in the last chain judged in part after a rule was put in or
 * taken out; and how many rules were compared with the previous version's one by one to find such
 * a rule (see movedAt).
 */
export const shadowStats = { whole: 0, partial: 0, rejudged: 0, compared: 0, lastShifted: new Set<number>() as ReadonlySet<number> };

export function checkShadowed(rs: Ruleset): Finding[] {
  return finished(shadowedSteps(rs));
}

/**
 * Chains from this many rules on are judged in steps of their own by shadowedSteps; shorter ones
 * (those of a kube-proxy node's services, a few to a few dozen rules each) a step per
 * RULES_PER_STEP of their rules.
 */
const STEPPED_FROM = 512;
/** Rules judged per step (a few milliseconds of work). */
const RULES_PER_STEP = 1024;

/**
 * checkShadowed in steps. A version analysed from nothing (no version it was read from was
 * checked) has its chains judged first, in order, about RULES_PER_STEP rules a step (a long chain's
 * facts and index a step each before); the pass over every table then finds them judged. A version
 * read from a checked one is checked in one step: only what its edit touched is worked out.
 * Findings are checkShadowed's, whatever is asked between the steps.
 */
export function* shadowedSteps(rs: Ruleset): Steps<Finding[]> {
  const ctx = analysisContext(rs);
  const judged = judgedIn(ctx.env, budget);
  // the version checked last that this one was read from (its chains were judged)
  const edit = rulesetEdit(rs, (p) => CHECKED.has(p));
  const changedLines = edit && new Set(edit.changed);
  if (!edit) {
    // (rules of short chains judged since the last step)
    let since = 0;
    for (const table of rs.tables.values()) {
      const chains = table.chains;
      for (let at = 0; at < chains.size; at++) {
        const c = chains.at(at)!;
        const rules = c.rules;
        if (judged.has(c)) continue;
        if (rules.length < STEPPED_FROM) {
          chainFindings(c);
          since += rules.length;
          if (since >= RULES_PER_STEP) {
            since = 0;
            yield;
          }
          continue;
        }
        // (what chainFindings does for a long chain of a version with no checked one before it;
        // its rules compiled already, in steps too, see findingSteps)
        judged.set(c, yield* judgeChainSteps(c));
        yield;
      }
    }
  }
  // (from the last step on, which goes to the end at once: a version read from this one while
  // its steps are under way finds an earlier checked version, or none)
  CHECKED.add(rs);
  const out: Finding[] = [];
  for (const table of rs.tables.values()) {
    // a table whose lines an edit moved: only the chains it renewed are judged (by PER_CHAIN), and
    // the other long chains (CARRIED_FROM rules or more) carry their runs, for the next edit among
    // their rules
    const moved = table.moved;
    // (by place, the long ones told by the chain a chain left for later is made from, which has
    // its rules: only those are made, see ChainMap.moved)
    if (moved) {
      const chains = table.chains;
      for (let at = 0; at < chains.size; at++) {
        if (ruleCountOf(chains.sourceAt(at)!) < CARRIED_FROM) continue;
        const c = chains.at(at)!;
        if (!moved.chains.has(c.name) && !carriedMoved(c, moved)) chainFindings(c);
      }
    }
    // (the long chains just carried have their findings said of their rules already)
    for (const f of PER_CHAIN.items(table, `${envKey(ctx.env)}/${budget}`, chainFindings, { move: movedFinding, known: (c) => judged.get(c) })) out.push(f);
  }
  return out;

  function chainFindings(chain: Chain): readonly Finding[] {
    const rules = chain.rules;
    const n = rules.length;
    if (n === 0) return [];
    // the same chain object (an edit left it alone): the same rules, compiled to the same spaces
    const same = judged.get(chain);
    if (same) return same;
    // the chain of the version analysed before: when this one's rules are its rules, moved by an
    // edit above them (or made again), what was found there, said of these rules; when one rule
    // was put in or taken out, judged again where that rule meets the others
    const old = edit && previousChain(chain, edit);
    const shifted = old && old.rules.length !== n && n >= KEPT_FROM ? shiftedRun(chain, old, edit) : undefined;
    const carried = !old ? undefined : old.rules.length === n ? movedFindings(chain, old, edit) : shifted?.findings;
    if (carried) {
      judged.set(chain, carried);
      return carried;
    }
    let findings: readonly Finding[];
    if (n < KEPT_FROM) {
      // (kept with the findings: made at its size)
      const key = new Array<unknown>(n + 2);
      for (let i = 0; i < n; i++) key[i] = ctx.compiled.get(rules[i]!)?.conditions ?? rules[i]!;
      key[n] = statedPolicy(chain) ?? '';
      key[n + 1] = budget;
      // (kept as verdicts: the rules it is found for again may be on other lines)
      findings = SHORT_RUNS.get(key, () => judgeChain(chain).map((f) => verdictOf(f))).map((v) => render(chain, v));
    } else findings = judgeChain(chain, shifted?.facts);
    judged.set(chain, findings);
    return findings;
  }

  /** The previous version's chain of the same name and stated policy (another object than `chain`). */
  function previousChain(chain: Chain, e: RulesetEdit): Chain | undefined {
    const old = e.previous.tables.get(chain.table)?.chains.get(chain.name);
    return old && old !== chain && statedPolicy(old) === statedPolicy(chain) ? old : undefined;
  }

  /** Whether rule `r` of this version reads as rule `o` of the previous one (see RulesetEdit: the same line, moved or in a block made again). */
  function corresponds(e: RulesetEdit, r: Rule, o: Rule): boolean {
    return !changedLines!.has(r.line) && previousLine(e, r.line) === o.line;
  }

  /**
   * The line of this version that line `old` of the version `e` was read from is on, for a line
   * read as before (see corresponds: previousLine turned around; the lines an edit put in are
   * among those it changed). Never -1: callers ask only of such lines.
   */
  function lineAfter(e: RulesetEdit, old: number): number {
    return e.shift && old >= e.shift.from - e.shift.by ? old + e.shift.by : old;
  }

  /**
   * The findings and last run of a chain the table's edit only moved (`m`, see Table.moved), from
   * the previous version's chain of the same name, when that was judged: its findings said where
   * their lines went, without reading the chain's rules (a moved chain's are made when first
   * read: 28 000 rules of a Docker-like nat chain were made, and went through, on every line put
   * in or taken out of the filter table above it). False when that chain was not judged.
   */
  function carriedMoved(chain: Chain, m: NonNullable<Table['moved']>): boolean {
    if (judged.get(chain)) return true;
    const was = m.from.deref()?.chains.get(chain.name);
    const found = was && judged.get(was);
    const carried = found && allMoved(found, (l) => movedLine(m.lines, l));
    if (!carried) return false;
    judged.set(chain, carried);
    carryRun(was, chain, carried);
    return true;
  }

  /**
   * The findings of `old` (as many rules) said of this chain's rules, when each reads as the rule
   * of `old` at the same position: what judging this chain would find. Undefined otherwise, or
   * when `old` was not judged.
   */
  function movedFindings(chain: Chain, old: Chain, e: RulesetEdit): readonly Finding[] | undefined {
    // (the lists read once: a moved chain's are getters, and its 28 000 rules were read through
    // them twice each)
    const rules = chain.rules;
    const was = old.rules;
    // (the same rule objects: the findings themselves, which name them)
    let sameRules = true;
    for (let i = 0; i < rules.length; i++) {
      if (rules[i] === was[i]) continue;
      sameRules = false;
      if (!corresponds(e, rules[i]!, was[i]!)) return undefined;
    }
    const found = judged.get(old);
    if (!found) return undefined;
    // (lineAfter has a place for every line: allMoved gives the list)
    const carried = sameRules ? found : allMoved(found, (l) => lineAfter(e, l))!;
    if (rules.length >= KEPT_FROM) carryRun(old, chain, carried);
    return carried;
  }

  /**
   * The findings of a chain whose rules are those of `old` (moved or not, see movedFindings) but
   * for one rule put in or taken out, from the last run of that chain: the rule put in (or the place of the one taken out) and the rules that share packets
   * with it are judged again, every other rule keeps its verdict at its new position. Undefined
   * when that is not the case, or the run is not there; only the chain's facts (its last run's,
   * shifted) when the run stopped at the budget, or this one would come near it (the chain is
   * judged whole then, from those facts).
   */
  function shiftedRun(chain: Chain, old: Chain, e: RulesetEdit): { readonly findings?: readonly Finding[]; readonly facts?: ChainFacts } | undefined {
    const rules = chain.rules;
    const n = rules.length;
    if (Math.abs(old.rules.length - n) !== 1) return undefined;
    const put = n > old.rules.length;
    // p: the position of the rule put in (in this chain) or taken out (in the old one)
    const told = movedAt(chain, old, e, put);
    let p = told ?? 0;
    if (told === undefined) {
      const shorter = Math.min(n, old.rules.length);
      shadowStats.compared += shorter;
      // (the rules above the edit are the same objects: compared as such first)
      while (p < shorter && (rules[p] === old.rules[p] || corresponds(e, rules[p]!, old.rules[p]!))) p++;
      for (let i = p; i < shorter; i++) if (!corresponds(e, put ? rules[i + 1]! : rules[i]!, put ? old.rules[i]! : old.rules[i + 1]!)) return undefined;
    }
    const last = keptRunOf(old);
    if (!last || last.chain !== old || last.policy !== (statedPolicy(chain) ?? '')) return undefined;
    /** An old position's position in this chain (-1: the rule taken out). */
    const now = (q: number) => (q < p ? q : put ? q + 1 : q > p ? q - 1 : -1);
    const facts = shiftedFacts(chain, last, p, put, statedPolicy(chain));
    if (last.budget !== budget || last.stopped) return { facts };
    const lastUnconditional = last.firstUnconditional < 0 ? -1 : now(last.firstUnconditional);
    if (facts.firstUnconditional !== lastUnconditional) return { facts };
    // the rule that changed meets: judged again, with the rules whose verdict names the one taken out
    const changed = put ? facts.compiled.get(p) : last.compiled.get(p);
    if (!changed) return { facts };
    // (the facts' list is the last run's with the rule's place put in or taken out, when every rule
    // of the run compiled: see shiftedFacts)
    const index = ctx.index(chain, { spaces: facts.compiled, seq: facts.seq, ...(last.uncompiled === 0 ? { shiftedFrom: { seq: last.seq, at: p, put } } : {}) });
    // the tallies: the kept ones moved (the last run's list with the rule's place put in or taken
    // out, and its total: the run was judged to its end), the rules judged again counted anew
    const moved = put ? last.tallies.splice(p, p, [0]) : last.tallies.splice(p, p + 1, []);
    let total = last.total - (put ? 0 : workOf(last.tallies.get(p)!));
    const covers = (put ? facts.covering.get(p) : last.covering.get(p)) === 1;
    const verdicts = last.found.items.map((f) => verdictOf(f));
    // the rules found covered, by their positions now (see coverStands)
    const covered = new Set<number>();
    for (const v of verdicts) if (v.kind === 'shadowed' || v.kind === 'redundant') covered.add(now(v.at));
    const again = new Set<number>(put ? [p] : []);
    for (const q of index.candidates(changed.space.boxes)) {
      if (put && q === p) continue;
      // (a rule with a finding is not settled: see tally)
      if (stillSettled(facts.compiled.get(q), moved.get(q)!, put ? q > p : q >= p, changed, covers)) continue;
      if (covered.has(q) && coverStands(q)) continue;
      again.add(q);
    }
    // (a rule found covered by rules that include the one taken out is judged again)
    for (const v of verdicts) if (v.kind !== 'limit' && v.by.some((q) => now(q) < 0)) again.add(now(v.at));
    again.delete(-1);
    const tallyAt: number[] = [];
    const talliesOf: number[] = [];
    const fresh: [number, Finding][] = [];

    /**
     * Whether rule q, found covered in the last run, is covered by the same rules now, so that its
     * finding stands (said on the rules' new lines). Which rules take its packets depends on the
     * covering rules before it only. So it stands when the edit is after it; or when a rule was
     * taken out before it that was not one of those rules (the ones that were are judged again
     * below): a rule that takes none of its packets leaves the others what they took. A rule put
     * in before it takes some of them only when it covers, and meets what the covering rules
     * before it leave of them. A Docker-like nat DOCKER chain has a DNAT rule taken by the 3 210
     * `-i br-X -j RETURN` rules above it: a copy of one of them put in was judged again, 37-46 ms
     * where the code had not been optimized yet.
     */
    function coverStands(q: number): boolean {
      if (q < p || !put || !covers) return true;
      let piece = facts.compiled.get(q)!.space.intersect(ctx.env, changed!.space);
      if (piece.empty) return true;
      for (const t of index.candidates(piece.boxes)) {
        if (t >= p) break;
        if (facts.covering.get(t) !== 1) continue;
        const esp = facts.compiled.get(t)!.space;
        if (!esp.meets(ctx.env, piece)) continue;
        piece = piece.subtract(ctx.env, esp);
        if (piece.approximate) return false;
        if (piece.empty) return true;
      }
      return false;
    }
    for (const i of again) {
      total -= workOf(moved.get(i)!);
      const r = facts.compiled.get(i) ? judgeRule(facts, i) : undefined;
      tallyAt.push(i);
      talliesOf.push(r?.tally ?? 0);
      total += workOf(r?.tally ?? 0);
      if (r?.finding) fresh.push([i, r.finding]);
    }
    if (total > budget / 2) return { facts };
    shadowStats.partial++;
    shadowStats.rejudged += again.size;
    shadowStats.lastShifted = again;
    // the findings kept come in the order of their positions (the last run's: they move by one at
    // most, the place taken out goes), merged with those found again (a few, none at a kept one's
    // position): no pair made per finding and no sort of the 3 500 of the Docker-like DOCKER chain
    fresh.sort((a, b) => a[0] - b[0]);
    const out = new PositionedBuilder<Finding>();
    const after = (l: number) => lineAfter(e, l);
    let f = 0;
    verdicts.forEach((v, k) => {
      const at = now(v.at);
      if (at < 0 || again.has(at)) return;
      for (; f < fresh.length && fresh[f]![0] < at; f++) out.addOne(fresh[f]![0], fresh[f]![1]);
      // (each said where its rules are now, from its lines: one whose positions and lines did not
      // move, as one naming rules above the edit only, is the one found then; half of a long
      // chain's findings, on average, were rendered again on every line put in or taken out of it.
      // lineAfter has a place for every line, so moved gives a finding)
      const w = at === v.at && (v.kind === 'limit' || v.by.every((q) => now(q) === q)) ? v : verdictMoved(v, at, now);
      out.addOne(at, ShadowFinding.moved(last.found.items[k]!, after, w)!);
    });
    for (; f < fresh.length; f++) out.addOne(fresh[f]![0], fresh[f]![1]);
    const found = out.done();
    const findings = found.items;
    const { compiled, uncompiled, seq, keys, covering, firstCovering, firstUnconditional } = facts;
    const run: ChainRun = { chain, seq, policy: statedPolicy(chain) ?? '', compiled, uncompiled, keys, covering, found, tallies: moved.with(tallyAt, talliesOf), total, firstCovering, firstUnconditional, stopped: false, budget, findings };
    RUNS.keep(chain, run, seq.get(0)!, seq.get(n - 1)!);
    return { findings };
  }

  /**
   * Where one rule was put into (`put`) or taken out of `chain`, every other rule reading as the
   * rule of `old` at the same place before or after it, when the moves of its table tell (the table
   * was moved from the previous version's, and no line read again but those of the edit holds a
   * rule of the chain; see ruleMoved): a few binary searches where the rules of a long chain were
   * compared one by one, 83 000 on the firewall-like 100k file's blocklist for each line put in or
   * taken out (in code V8 had not optimized yet, the first edits spent 10-16 ms there). Undefined
   * when they do not tell; the rules are then compared.
   */
  function movedAt(chain: Chain, old: Chain, e: RulesetEdit, put: boolean): number | undefined {
    const did = ruleMoveOf(rs, e, chain, old);
    return did && did.kind === (put ? 'put' : 'taken') ? did.at : undefined;
  }

  /**
   * The last run of `was` (see ChainRun) carried to `chain`, whose rules are its rules moved, with
   * their findings. A moved rule compiles to what its line compiled to (see compileIn): the run's
   * lists are this chain's, unless a rule did not compile (its place holds the rule itself, the
   * previous node). (Its rules are not asked for here: one asked for later finds its line's.)
   */
  function carryRun(was: Chain, chain: Chain, findings: readonly Finding[]): void {
    const last = keptRunOf(was);
    if (!last || last.chain !== was || last.budget !== budget) return;
    // (the rules read only when one did not compile: its place holds the rule)
    const rules = last.uncompiled === 0 ? undefined : chain.rules;
    const { list: compiled, uncompiled } = rules ? compiledOf(rules) : { list: last.compiled, uncompiled: 0 };
    const seq = !rules ? last.seq : ChunkedArray.build<object>(rules.length, (i) => compiled.get(i)?.conditions ?? rules[i]!);
    const found: Positioned<Finding> = findings.length ? { items: findings, at: last.found.at } : NO_POSITIONED;
    RUNS.keep(chain, { ...last, chain, compiled, uncompiled, seq, found, findings }, seq.get(0)!, seq.get(seq.length - 1)!);
  }

  /**
   * Findings made on chain `was` said of `chain`, whose rules at each position read as its rules
   * (the same compiled conditions): the same objects where they name the same rule objects (the
   * same lines and words: after an edit of one rule of a long chain, every finding but those
   * naming it; all of them were rendered again, 3 500 on each edit of the Docker-like file's
   * DOCKER chain), otherwise rendered again from their verdicts (the rules may be on other lines).
   */
  function saidOf(chain: Chain, was: Chain, findings: readonly Finding[]): readonly Finding[] {
    if (was === chain || !findings.length) return findings;
    const rules = chain.rules;
    const before = was.rules;
    const sameName = chain.name === was.name;
    return findings.map((f) => {
      const v = verdictOf(f);
      return sameName && sameRulesAt(rules, before, v) ? f : render(chain, v, rules);
    });
  }

  /**
   * The run this chain holds, or the one kept under the compiled conditions of its first or last
   * rule (see RUNS): this chain's last, or one made for another chain with those rules.
   */
  function keptRunOf(chain: Chain): ChainRun | undefined {
    const own = RUNS.of(chain);
    if (own) return own;
    const conditionsAt = (i: number): object => ctx.compiled.get(chain.rules[i]!)?.conditions ?? chain.rules[i]!;
    return RUNS.find(conditionsAt(0)) ?? RUNS.find(conditionsAt(chain.rules.length - 1));
  }

  /** `given`: the chain's facts, when the caller has them. */
  function judgeChain(chain: Chain, given?: ChainFacts): readonly Finding[] {
    return finished(judgeChainSteps(chain, given));
  }

  /** judgeChain in steps: a chain judged whole stops after every RULES_PER_STEP rules. */
  function* judgeChainSteps(chain: Chain, given?: ChainFacts): Steps<readonly Finding[]> {
    const rules = chain.rules;
    const n = rules.length;
    const policy = statedPolicy(chain);
    // the last run of this chain, when it was judged with the same policy and budget
    const kept = keptRunOf(chain);
    const prev = kept && kept.policy === (policy ?? '') && kept.budget === budget ? kept : undefined;
    const facts = given ?? (prev && patchedFacts(chain, prev, policy)) ?? freshFacts(chain, policy);
    const { compiled, seq, keys, covering, firstCovering, firstUnconditional } = facts;
    // the positions whose conditions are not the last run's (up to one past MAX_CHANGED; from the
    // rules that moved, when the facts were patched from that run)
    let changed: number[] | undefined;
    if (prev && prev.seq.length === n) {
      changed = [];
      if (facts.moved) {
        for (const i of facts.moved) if (prev.seq.get(i) !== seq.get(i)) changed.push(i);
      } else changed = prev.seq.differences(seq, MAX_CHANGED);
      if (!changed.length) return saidOf(chain, prev.chain, prev.findings);
    }

    // the rules to judge again: all of them, or those that can share packets with a changed rule
    let again: Set<number> | undefined;
    /** Every changed rule has the facts it had (a comment added): no judgement changes, only spans. */
    let respanOnly = false;
    if (prev && changed && prev.firstUnconditional === firstUnconditional) {
      // a rule that did not compile meets everything: then judge the chain whole
      if (changed.length <= MAX_CHANGED && changed.every((d) => compiled.get(d) && prev.compiled.get(d))) {
        const alike = new Set(changed.filter((d) => sameFacts(prev, facts, d)));
        respanOnly = alike.size === changed.length;
        // (a chain judged to the end with room to spare; or, with nothing but spans changed, one
        // that stopped at the budget: each rule's work is the same, so it stops at the same rule)
        if (respanOnly || (!prev.stopped && prev.total <= budget / 2)) again = rulesToJudgeAgain(chain, prev, facts, changed, alike);
      }
    }

    // (made below: the kept ones patched, or fresh ones; the findings are few, the rules of a
    // blocklist many: a list of each rule's finding, copied per edit, was 660 KB for 83 000 rules)
    let found: Positioned<Finding> = NO_POSITIONED;
    let tallies = NO_TALLIES;
    let total = 0;
    let stopped = false;
    if (again) {
      // every other rule keeps its finding and its tally
      const tallyAt: number[] = [];
      const talliesOf: number[] = [];
      total = prev!.total;
      stopped = prev!.stopped;
      // where the last run stopped: the rules after it were not judged, the one there holds the note
      const stoppedAt = stopped ? positionOfLimit(prev!) : n;
      const fresh = new Map<number, readonly Finding[]>();
      for (const i of again) {
        if (i === stoppedAt) fresh.set(i, [limitAt(chain, i)]);
        if (i >= stoppedAt) continue;
        total -= workOf(prev!.tallies.get(i)!);
        const r = judgeRule(facts, i);
        fresh.set(i, r.finding ? [r.finding] : NO_ITEMS);
        tallyAt.push(i);
        talliesOf.push(r.tally);
        total += workOf(r.tally);
      }
      tallies = prev!.tallies.with(tallyAt, talliesOf);
      // (the comparisons a rule needs depend a little on the chain's index, which the edit may
      // have changed: half the budget away from it, that cannot decide whether the chain is
      // judged to the end; nearer, the chain is judged whole, in order, as a cold analysis does)
      if (!respanOnly && total > budget / 2) again = undefined;
      else {
        shadowStats.partial++;
        shadowStats.rejudged += again.size;
        found = replaceAt(prev!.chain === chain ? prev!.found : { items: saidOf(chain, prev!.chain, prev!.found.items), at: prev!.found.at }, fresh);
      }
    }
    if (!again) {
      shadowStats.whole++;
      total = 0;
      stopped = false;
      const out = new PositionedBuilder<Finding>();
      const took = new Array<number>(n).fill(0);
      if (n >= STEPPED_FROM) {
        // (a long chain's facts, then its index, each a step of its own)
        yield;
        ctx.index(chain, { spaces: compiled, seq });
        yield;
      }
      for (let i = 0; i < n; i++) {
        if (!compiled.get(i)) continue;
        if (total > budget) {
          // every rule of this chain meets thousands of others: say where the check stopped
          out.addOne(i, limitAt(chain, i));
          stopped = true;
          break;
        }
        const r = judgeRule(facts, i);
        if (r.finding) out.addOne(i, r.finding);
        took[i] = r.tally;
        total += workOf(r.tally);
        if (i % RULES_PER_STEP === RULES_PER_STEP - 1) yield;
      }
      found = out.done();
      tallies = ChunkedArray.of(took);
    }
    const findings = found.items;
    if (n >= KEPT_FROM) {
      const run: ChainRun = { chain, seq, policy: policy ?? '', compiled, uncompiled: facts.uncompiled, keys, covering, found, tallies, total, firstCovering, firstUnconditional, stopped, budget, findings };
      RUNS.keep(chain, run, seq.get(0)!, seq.get(n - 1)!);
    }
    return findings;
  }

  /** Whether a rule takes every packet it matches: a final verdict and decidable conditions. */
  function covers(r: Rule, rsp: RuleSpace | undefined, key: string | undefined): boolean {
    return !!rsp && key !== undefined && verdictKind(r) !== 'jump' && rsp.exact;
  }

  /** The chain's first covering rule, and its first covering rule without conditions (-1: none). */
  function firsts(covering: ChunkedArray<number>, compiled: ChunkedArray<RuleSpace | undefined>): { firstCovering: number; firstUnconditional: number } {
    let firstCovering = -1;
    for (let i = 0; i < covering.length; i++) {
      if (!covering.get(i)) continue;
      if (firstCovering < 0) firstCovering = i;
      if (compiled.get(i)!.conditions.length === 0) return { firstCovering, firstUnconditional: i };
    }
    return { firstCovering, firstUnconditional: -1 };
  }

  /** The facts of each rule of a chain on its own. */
  function freshFacts(chain: Chain, policy: string | undefined): ChainFacts {
    const rules = chain.rules;
    const n = rules.length;
    const { list: compiled, uncompiled } = compiledOf(rules);
    const seq = ChunkedArray.build<object>(n, (i) => compiled.get(i)?.conditions ?? rules[i]!);
    const keys = ChunkedArray.build(n, (i) => verdictKey(rules[i]!));
    const covering = ChunkedArray.build(n, (i) => (covers(rules[i]!, compiled.get(i), keys.get(i)) ? 1 : 0));
    return { chain, compiled, uncompiled, seq, keys, covering, ...firsts(covering, compiled), policy };
  }

  /** What each of the rules compiled to, and how many did not compile. */
  function compiledOf(rules: readonly Rule[]): { readonly list: ChunkedArray<RuleSpace | undefined>; readonly uncompiled: number } {
    let uncompiled = 0;
    const list = ChunkedArray.build(rules.length, (i) => {
      const c = ctx.compiled.get(rules[i]!) as RuleSpace | undefined;
      if (!c) uncompiled++;
      return c;
    });
    return { list, uncompiled };
  }

  /**
   * The facts of a chain whose rules are those of the last run's chain with one put in at `p`
   * (`put`) or taken out from there: its lists with that position put in or taken out (a moved rule
   * compiles to what its line compiled to, see compileIn), unless some rule of the run did not
   * compile (its place holds that rule: made afresh then).
   */
  function shiftedFacts(chain: Chain, last: ChainRun, p: number, put: boolean, policy: string | undefined): ChainFacts {
    if (last.uncompiled > 0) return freshFacts(chain, policy);
    const r = put ? chain.rules[p]! : undefined;
    const rsp = r && ctx.compiled.get(r);
    if (put && !rsp) return freshFacts(chain, policy);
    const key = r && verdictKey(r);
    /** `list` with `x` put in at p, or with p taken out. */
    const spliced = <T>(list: ChunkedArray<T>, x: () => T): ChunkedArray<T> => (put ? list.splice(p, p, [x()]) : list.splice(p, p + 1, []));
    const compiled = spliced(last.compiled, () => rsp);
    const covering = spliced(last.covering, () => (covers(r!, rsp, key) ? 1 : 0));
    return { chain, compiled, uncompiled: 0, seq: spliced(last.seq, () => rsp!.conditions), keys: spliced(last.keys, () => key), covering, ...shiftedFirsts(last, p, put, covering, compiled), policy };
  }

  /**
   * firsts() of the lists of shiftedFacts, from the last run's: the rule put in at p may come
   * first, the others move by one; the chain is gone through (from p) only when the rule taken out
   * was one of them (an 83 000-rule blocklist was gone through on every line put in or taken out).
   */
  function shiftedFirsts(last: ChainRun, p: number, put: boolean, covering: ChunkedArray<number>, compiled: ChunkedArray<RuleSpace | undefined>): { firstCovering: number; firstUnconditional: number } {
    // (a rule's place, not the rule: `covers` of the check judges a rule)
    const coveringAt = (i: number) => covering.get(i) === 1;
    const unconditional = (i: number) => covering.get(i) === 1 && compiled.get(i)!.conditions.length === 0;
    if (put) {
      const moved = (q: number) => (q >= p ? q + 1 : q);
      const first = (q: number, test: (i: number) => boolean) => (test(p) && (q < 0 || p <= q) ? p : q < 0 ? -1 : moved(q));
      return { firstCovering: first(last.firstCovering, coveringAt), firstUnconditional: first(last.firstUnconditional, unconditional) };
    }
    /** The first position from `from` up to `to` that `test` holds for (-1: none). */
    const scan = (from: number, to: number, test: (i: number) => boolean): number => {
      for (let i = from; i < to; i++) if (test(i)) return i;
      return -1;
    };
    // (the rule taken out was the first: the next one, from its place on; a first covering rule
    // comes at the latest where the first unconditional one is)
    const lastUnconditional = last.firstUnconditional;
    const firstUnconditional = lastUnconditional < p ? lastUnconditional : lastUnconditional > p ? lastUnconditional - 1 : scan(p, covering.length, unconditional);
    const lastCovering = last.firstCovering;
    const firstCovering = lastCovering < p ? lastCovering : lastCovering > p ? lastCovering - 1 : scan(p, firstUnconditional < 0 ? covering.length : firstUnconditional + 1, coveringAt);
    return { firstCovering, firstUnconditional };
  }

  /**
   * The facts of a chain from those of its last run, when as many rules as then and at most
   * MAX_CHANGED of them other objects: the facts of the others are the same.
   */
  function patchedFacts(chain: Chain, prev: ChainRun, policy: string | undefined): ChainFacts | undefined {
    const rules = chain.rules;
    if (prev.chain.rules.length !== rules.length) return undefined;
    // (from the positions an in-place edit replaced, when the chain knows them)
    const moved = replacedRules(chain, prev.chain, MAX_CHANGED);
    if (!moved) return undefined;
    // (the lists of the last run with these positions replaced: the other chunks are shared)
    const spaces: (RuleSpace | undefined)[] = [];
    const conditions: object[] = [];
    const verdicts: (string | undefined)[] = [];
    const covered: number[] = [];
    // the first covering rules stay where they were unless a moved rule changed whether it
    // covers, or whether it has conditions (a look through the whole chain otherwise)
    let sameFirsts = true;
    let uncompiled = prev.uncompiled;
    for (const i of moved) {
      const r = rules[i]!;
      const rsp = ctx.compiled.get(r) as RuleSpace | undefined;
      if (!prev.compiled.get(i)) uncompiled--;
      if (!rsp) uncompiled++;
      const key = verdictKey(r);
      const c = covers(r, rsp, key) ? 1 : 0;
      spaces.push(rsp);
      conditions.push(rsp?.conditions ?? r);
      verdicts.push(key);
      covered.push(c);
      if (c !== prev.covering.get(i) || (c === 1 && (rsp!.conditions.length === 0) !== (prev.compiled.get(i)!.conditions.length === 0))) sameFirsts = false;
    }
    const compiled = prev.compiled.with(moved, spaces);
    const seq = prev.seq.with(moved, conditions);
    const keys = prev.keys.with(moved, verdicts);
    const covering = prev.covering.with(moved, covered);
    const first = sameFirsts ? { firstCovering: prev.firstCovering, firstUnconditional: prev.firstUnconditional } : firsts(covering, compiled);
    return { chain, compiled, uncompiled, seq, keys, covering, ...first, policy, moved };
  }

  /**
   * The rules whose findings an edit of the `changed` positions can change: those, and the rules
   * that can share packets with a changed rule before or after the edit; for a changed rule with
   * the facts it had (`alike`), only the rules whose findings point at it.
   */
  function rulesToJudgeAgain(chain: Chain, prev: ChainRun, facts: ChainFacts, changed: readonly number[], alike: ReadonlySet<number>): Set<number> {
    const index = ctx.index(chain, { spaces: facts.compiled, seq: facts.seq });
    const again = new Set(changed);
    const respanned = new Set<number>();
    for (const d of changed) {
      if (alike.has(d)) {
        respanned.add(prev.chain.rules[d]!.line);
        continue;
      }
      // (the rule as it is and as it was: each may have decided or now decide other rules)
      const now = facts.compiled.get(d)!;
      const was = prev.compiled.get(d)!;
      const covers = facts.covering.get(d) === 1;
      const covered = prev.covering.get(d) === 1;
      const meets = (q: number) => !again.has(q) && (!stillSettled(facts.compiled.get(q), prev.tallies.get(q)!, q > d, now, covers) || !stillSettled(facts.compiled.get(q), prev.tallies.get(q)!, q > d, was, covered));
      for (const q of index.candidates(now.space.boxes)) if (meets(q)) again.add(q);
      for (const q of index.candidates(was.space.boxes)) if (meets(q)) again.add(q);
    }
    if (respanned.size) {
      for (let k = 0; k < prev.found.items.length; k++) {
        const related = prev.found.items[k]!.related;
        if (related && related.some((x) => respanned.has(x.span.line))) again.add(prev.found.at[k]!);
      }
    }
    return again;
  }

  /**
   * Whether a rule that was not found anything on in the last run (compiled to `space`, its tally
   * then `t`, after the rule edited when `after`) is judged as it was then after `edited` was put in,
   * taken out or changed (`covers`: whether it covers): see SETTLED_COVERED. The rules after it ask
   * whether it covers them, those before it whether it decides their packets as they do. (The
   * comparisons judging it might take now can differ by a few: the lists the index gives may or may
   * not hold the edited rule. They are kept as they were, within the margin judgeChain leaves.)
   */
  function stillSettled(space: RuleSpace | undefined, t: number, after: boolean, edited: RuleSpace, covers: boolean): boolean {
    if (!space) return true; // (not compiled: not judged)
    if (!(t & (after ? SETTLED_COVERED : SETTLED_BELOW))) return false;
    if (after && !covers) return true;
    return !edited.space.holdsCornerOf(ctx.env, space.space, CORNER_BOXES);
  }

  /** The note on rule i of a chain whose judging stopped there at the budget. */
  function limitAt(chain: Chain, i: number): Finding {
    return render(chain, { kind: 'limit', at: i, budget });
  }

  /**
   * Whether rule d has the facts it had in the last run: what judging any rule reads of it (its
   * line, which messages name, its compiled space held alike, exactness, number of conditions,
   * verdict, whether it covers), all but its words and span.
   */
  function sameFacts(prev: ChainRun, facts: ChainFacts, d: number): boolean {
    const was = prev.compiled.get(d)!;
    const now = facts.compiled.get(d)!;
    return prev.chain.rules[d]!.line === facts.chain.rules[d]!.line && was.exact === now.exact && was.conditions.length === now.conditions.length && prev.keys.get(d) === facts.keys.get(d) && prev.covering.get(d) === facts.covering.get(d) && was.space.sameAs(now.space);
  }

  /** The finding of rule i of a chain (unreachable, shadowed or redundant), and the comparisons it took. */
  function judgeRule(facts: ChainFacts, i: number): { finding: Finding | undefined; tally: number } {
    const { chain, compiled, keys, covering, firstCovering, firstUnconditional, policy } = facts;
    const rules = chain.rules;
    const rsp = compiled.get(i)!;
    if (firstUnconditional >= 0 && i > firstUnconditional) return { finding: render(chain, { kind: 'unreachable', at: i, by: [firstUnconditional] }), tally: 0 };
    // the earlier rules that cover a rule are among those that meet it: the chain's index finds
    // them without going through every earlier rule (a 50 000-line blocklist stays linear)
    const index = ctx.index(chain, { spaces: compiled, seq: facts.seq });
    let work = 0;
    // (see SETTLED_COVERED: each question not asked, or answered at a corner)
    let settled = 0;
    const key = keys.get(i);
    const by = rsp.exact && !rsp.space.empty && firstCovering >= 0 && firstCovering < i ? coveringRules(rsp.space) : ((settled |= SETTLED_COVERED), undefined);
    if (by) return { finding: render(chain, { kind: by.every((p) => verdictKey(rules[p]!) === key) ? 'redundant' : 'shadowed', at: i, by }), tally: tally(work, 0) };
    if (covering.get(i) === 1 && rsp.conditions.length > 0) {
      // (an unconditional final DROP that repeats the policy is a deliberate style: not flagged)
      const below = sameEffectBelow(rsp.space, key!);
      if (below) return { finding: render(chain, { kind: 'below', at: i, by: below.used, policy: below.policy }), tally: tally(work, 0) };
    } else settled |= SETTLED_BELOW;
    return { finding: undefined, tally: tally(work, settled) };

    /**
     * The earlier covering rules that take packets of `space`, in order, when together they take
     * all of it (exactly: undefined when they do not, or when what is left of it, or their union,
     * is too many pieces to be exact). A rule takes the packets no rule before it took: one that
     * meets the space only where earlier ones already decided is not named (a second
     * `-i docker0 -j RETURN` is redundant with the first, not shadowed by the thousands of
     * `! -i br-X ... -j DNAT` rules between them, which meet it and see none of its packets).
     */
    function coveringRules(space: Space): number[] | undefined {
      // a corner of the rule's packets that no earlier rule takes proves it is not covered; most
      // rules are settled this way with a look at the few rules that contain that one packet
      for (const w of corners(ctx.env, space)) {
        const cands = index.candidatesAt(w);
        work += cands.length;
        const hit = cands.some((p) => p < i && covering.get(p) === 1 && compiled.get(p)!.space.contains(ctx.env, w));
        if (!hit) {
          settled |= SETTLED_COVERED;
          return undefined;
        }
      }
      const meeting: number[] = [];
      const cands = index.candidates(space.boxes);
      work += cands.length;
      for (const p of cands) {
        if (p >= i) break;
        if (covering.get(p) === 1 && compiled.get(p)!.space.meets(ctx.env, space)) meeting.push(p);
      }
      // each in turn takes what meets it of what the ones before it left, until nothing is left.
      // Past the first few, whether the rest take all that is left is asked of their union
      // first: a rule they do not cover then costs one union (the merge of boxes that differ in
      // one dimension), not a cut for each of them, each cut a pass over the holes the ones
      // before it left in what is left. Runs of rules that share no packet, told apart along one
      // dimension, are cut at once where their union is one box or cuts one (see cutAlongOneDim:
      // thousands of `-i br-X -j RETURN` above a DNAT rule, or of replies to every other bridge
      // above a copy of a FORWARD accept)
      const by: number[] = [];
      let left = space;
      let asked = false;
      // (a look that finds no run reads up to MIN_RUN rules after it: a few such looks in a row
      // at most, and a few again after each run found, which takes MIN_RUN rules or more, so that
      // runs broken up by other rules are each found)
      let runsLeft = MAX_RUNS;
      const cutAt = (k: number) => compiled.get(meeting[k]!)!.space;
      for (let k = 0; k < meeting.length; k++) {
        const run = runsLeft > 0 && meeting.length - k >= MIN_RUN ? cutAlongOneDim(ctx.env, left, cutAt, k, meeting.length) : undefined;
        if (!run) runsLeft--;
        else {
          runsLeft = MAX_RUNS;
          for (let j = k; j < run.end; j++) if (run.took[j - k]) by.push(meeting[j]!);
          left = run.left;
          // (as after a cut: what is left past the cap of boxes is not exact)
          if (left.approximate) return undefined;
          if (left.empty) return by.slice();
          k = run.end - 1;
          continue;
        }
        if (!asked && k >= FIRST_CUTS) {
          asked = true;
          if (!coveredBy(meeting.slice(k), left)) return undefined;
        }
        const esp = cutAt(k);
        if (!esp.meets(ctx.env, left)) continue;
        by.push(meeting[k]!);
        left = left.subtract(ctx.env, esp);
        if (left.approximate) return undefined;
        // (a copy at its length: the finding keeps it, and a list pushed to keeps room for 17)
        if (left.empty) return by.slice();
      }
      return undefined;
    }

    /** Whether the rules at `positions` together take every packet of `space` (their union exact). */
    function coveredBy(positions: readonly number[], space: Space): boolean {
      const union = Space.unionAll(positions.map((p) => compiled.get(p)!.space));
      return !union.approximate && union.covers(ctx.env, space);
    }

    /** Would the packets of `space` get verdict `key` from the rules after i (then the policy) anyway? */
    function sameEffectBelow(space: Space, key: string): { readonly used: readonly number[]; readonly policy?: string } | undefined {
      // the later rules that can meet these packets (the others would let them pass untouched),
      // counted first: the corners below settle most rules without the list
      // (the work counted is what is read: the count looks at the rules keyed in the dimensions
      // it tries only, the list below is made of all of them. Counted as the list's length
      // whether or not it was made, the later rules of a Docker host's FORWARD chain, thousands
      // of `-o br-X` rules free in `iif`, were counted in full for each of its `-i br-X` accepts,
      // which the corners settle: judging stopped at the budget on its 326th rule of 12 846)
      const meeting = index.candidateCount(space.boxes, i + 1, COUNTED);
      work += COUNTED[0]! + 1;
      if (meeting > CORNERS_FROM) {
        // A corner packet of the space is decided by the first later rule that takes it (or by the
        // policy): when that rule gives another verdict, or may not match, the rule is not redundant.
        // When many later rules meet the packets, this settles most rules with a look at the few
        // that contain one packet, before the subtraction below cuts the space into pieces around
        // every one of them.
        for (const w of corners(ctx.env, space)) {
          const cands = index.candidatesAt(w, i + 1);
          work += cands.length;
          let decided = false;
          let otherwise = false;
          for (const p of cands) {
            const lsp = compiled.get(p);
            if (!lsp) otherwise = true;
            else if (!lsp.space.contains(ctx.env, w)) continue;
            else if (!lsp.exact || keys.get(p) !== key) otherwise = true;
            else decided = true;
            break;
          }
          if (otherwise || (!decided && key !== policy)) {
            settled |= SETTLED_BELOW;
            return undefined;
          }
        }
      }
      let s = space;
      const used: number[] = [];
      work += meeting;
      for (const p of index.candidates(space.boxes, i + 1)) {
        if (s.empty) break;
        const lsp = compiled.get(p);
        if (!lsp) return undefined;
        if (!s.meets(ctx.env, lsp.space)) continue;
        if (!lsp.exact || keys.get(p) !== key) return undefined; // someone else would see or decide them
        s = s.subtract(ctx.env, lsp.space);
        used.push(p);
        if (s.approximate) return undefined;
      }
      if (s.empty) return { used: used.slice() };
      if (policy && key === policy) return { used: used.slice(), policy };
      return undefined;
    }
  }
}

/**
 * The lowest and highest packet of the first boxes of a space, as points, one at a time: the first
 * settles most rules, and each is a map of every dimension. Every point is the same map, filled
 * anew: each is read before the next is asked for, and nothing keeps one (a map of fifteen
 * dimensions per corner of every rule was 80 MB of garbage over the Docker-like 100k cold open).
 */
function* corners(env: SpaceEnv, space: Space): Generator<ReadonlyMap<Dim, bigint>> {
  for (let k = 0; k < space.boxCount && k < CORNER_BOXES; k++) {
    yield corner(env, space.boxAt(k), false);
    yield corner(env, space.boxAt(k), true);
  }
}

/** The boxes of a rule whose corner packets corners() gives: its first ones. */
const CORNER_BOXES = 4;

/** The lowest (or highest) packet of a box, written into POINT. */
function corner(env: SpaceEnv, b: Box, highest: boolean): ReadonlyMap<Dim, bigint> {
  for (const d of DIMS) POINT.set(d, boxCorner(env, b, d, highest));
  return POINT;
}

/** The point corner() fills (with every dimension, in DIMS order, from its first use on). */
const POINT = new Map<Dim, bigint>();

/** Where the run stopped at its budget: the position of its limit note (-1: it did not stop). */
function positionOfLimit(run: ChainRun): number {
  for (let k = 0; k < run.found.items.length; k++) if (run.found.items[k]!.code === 'analysis-limit') return run.found.at[k]!;
  return -1;
}
