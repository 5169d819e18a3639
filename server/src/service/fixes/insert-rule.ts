/**
 * Where and how to add a rule so that it runs right before a given rule of the same chain,
 * touching no other line: in an iptables-save file (or any chain built only by -A in file order)
 * a new `-A` line goes directly above that rule's line; in a command list where -I/-R/-D reorder
 * the chain, a `-I CHAIN N` line goes after the last command that edits the chain, with N the
 * rule's final position.
 */
import type { Rule, Ruleset } from '../../model/ruleset';
import type { RulesDocument } from '../document';
import { insertLineAfter, insertLineBefore, type TextEdit } from '../text-edits';

function appendOnly(rs: Ruleset, table: string, chain: string): boolean {
  let last = -1;
  for (const c of rs.commands) {
    if (c.table !== table || c.chain !== chain || !c.command) continue;
    if (c.command.spec.letter !== 'A' && c.command.spec.letter !== 'N' && c.command.spec.letter !== 'P') return false;
    if (c.line < last) return false;
    last = c.line;
  }
  return true;
}

/** The prefix a new line needs to look like its neighbours (`[0:0] ` when the file keeps counters). */
function counterPrefix(before: Rule): string {
  return before.counters ? '[0:0] ' : '';
}

/** Edits that add `spec` (the rule without `-A CHAIN`) right before `before` in its chain. */
export function insertBeforeRule(doc: RulesDocument, before: Rule, specs: readonly string[]): TextEdit[] {
  const rs = doc.ruleset;
  const table = before.table;
  const chain = before.chain;
  const tOpt = rs.format === 'commands' && table !== 'filter' ? `-t ${table} ` : '';
  if (appendOnly(rs, table, chain)) {
    return [insertLineBefore(before.line, specs.map((s) => `${counterPrefix(before)}${tOpt}-A ${chain} ${s}`).join('\n'))];
  }
  const final = rs.tables.get(table)?.chains.get(chain);
  const pos = final ? final.rules.indexOf(before) + 1 : 1;
  let lastLine = before.line;
  for (const c of rs.commands) if (c.table === table && c.chain === chain && c.line > lastLine) lastLine = c.line;
  return [insertLineAfter(doc, lastLine, specs.map((s, i) => `${tOpt}-I ${chain} ${pos + i} ${s}`).join('\n'))];
}
