/** Small facts about rules that several checks ask: verdicts, state lists, the rule as text. */
import { wordsOf } from '../../model/line-words';
import type { Chain, OptionNode, Rule, Ruleset } from '../../model/ruleset';
import { stateValue } from '../packet-space';
import type { RuleSpace } from '../rule-space';

export const DROPPING = new Set(['DROP', 'REJECT']);

export function isAccept(r: Rule): boolean {
  return r.target?.name === 'ACCEPT';
}

export function isDrop(r: Rule): boolean {
  return !!r.target && DROPPING.has(r.target.name);
}

/** The answer a REJECT rule's `--reject-with` names, in lower case (undefined without one, or for another target). */
export function rejectWith(r: Rule): string | undefined {
  if (r.target?.name !== 'REJECT') return undefined;
  return r.target.options.find((o) => o.name === '--reject-with')?.args[0]?.text.toLowerCase();
}

/** Whether a REJECT rule answers with a TCP reset (`--reject-with tcp-reset`, or its alias tcp-rst). */
export function rejectsWithReset(r: Rule): boolean {
  const w = rejectWith(r);
  return w === 'tcp-reset' || w === 'tcp-rst';
}

/** The verdict of a terminating rule, with its options, for "same effect" comparisons. */
export function verdictKey(r: Rule): string | undefined {
  const t = r.target;
  if (!t) return undefined;
  if (t.kind === 'chain') return t.goto ? `goto ${t.name}` : undefined;
  if (t.spec?.termination !== 'terminating') return undefined;
  return [t.name, ...t.options.map((o) => `${o.name} ${o.args.map((a) => a.text).join(' ')}`).sort()].join(' ');
}

/** An option that matches a connection's state (`--ctstate`, or `--state` of the state module). */
export function namesState(o: OptionNode): boolean {
  return o.name === '--ctstate' || o.name === '--state';
}

/** An option that narrows a rule to some addresses (not negated: `! -s` takes everyone else). */
export function narrowsToAddresses(o: OptionNode): boolean {
  return !o.negated && (o.name === '-s' || o.name === '-d' || o.name === '--src-range' || o.name === '--dst-range');
}

/** The conntrack states a rule's --ctstate/--state option lists (upper case), if it has one. */
export function stateList(r: Rule): { states: string[]; negated: boolean; option: Rule['options'][number] } | undefined {
  const o = r.options.find(namesState);
  if (!o || !o.args[0]) return undefined;
  return { states: o.args[0].text.toUpperCase().split(','), negated: o.negated, option: o };
}

/** Does the rule's decidable space include packets in this state? */
export function admitsState(rsp: RuleSpace, state: Parameters<typeof stateValue>[0]): boolean {
  return rsp.space.boxes.some((b) => !b.get('state') || b.get('state')!.has(stateValue(state)));
}

/** The rule as written, without counters. */
export function ruleText(r: Rule): string {
  return wordsOf(r).map((w) => (w.quoted ? `"${w.text.replace(/(["\\])/g, '\\$1')}"` : w.text)).join(' ');
}

/** The rule's words after `-A CHAIN` (its specification). */
export function ruleSpec(r: Rule): string {
  const words = wordsOf(r);
  const i = words.indexOf(r.command.chain!);
  return words
    .slice(i + 1 + r.command.extra.length)
    .filter((w) => w !== r.tableWord && words[words.indexOf(w) + 1] !== r.tableWord)
    .map((w) => (w.quoted ? `"${w.text.replace(/(["\\])/g, '\\$1')}"` : w.text))
    .join(' ');
}

export function chainOf(rs: Ruleset, r: Rule): Chain | undefined {
  return rs.tables.get(r.table)?.chains.get(r.chain);
}

export function lineRef(r: Rule): string {
  return `line ${r.line + 1}`;
}

/** The policy of a built-in chain when the file states it (`:INPUT DROP`, `-P INPUT DROP`). */
export function statedPolicy(chain: Chain): string | undefined {
  return chain.builtin && chain.policySpan ? chain.policy : undefined;
}
