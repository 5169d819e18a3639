/** Finding rules and words of a document again from the facts a finding carries. */
import type { Rule, Span } from '../../model/ruleset';
import type { RulesDocument } from '../document';

export function ruleAtLine(doc: RulesDocument, line: number): Rule | undefined {
  return doc.ruleset.rules.find((r) => r.line === line);
}

/** The rule whose span contains the finding's span. */
export function ruleAt(doc: RulesDocument, s: Span): Rule | undefined {
  return doc.ruleset.rules.find((r) => r.line === s.line);
}

/** A value as it must be written in a rules file: quoted when it holds blanks or quotes. */
export function quoteWord(v: string): string {
  return v === '' || /[\s"\\]/.test(v) ? `"${v.replace(/(["\\])/g, '\\$1')}"` : v;
}

/** Whether the chain's rules come from -A lines in file order (so a new line can go right there). */
export function appendOnlyChain(doc: RulesDocument, table: string, chain: string): boolean {
  let last = -1;
  for (const c of doc.ruleset.commands) {
    if (c.table !== table || c.chain !== chain || !c.command) continue;
    if (!['A', 'N', 'P'].includes(c.command.spec.letter) || c.line < last) return false;
    last = c.line;
  }
  return true;
}
