/**
 * Findings of checks that look at one command line at a time (or other items found on a line),
 * kept across versions of a document:
 * after an edit that kept the number of lines (see rulesetEdit), only the lines it changed are
 * checked again and the previous version's findings for every other line stay as they were, in
 * line order. A check used this way may read only its line and the ruleset's family and format
 * (an edit with a RulesetEdit keeps both), and reports each finding on its own line.
 */
import { type CommandLine, type Finding, isRule, type Rule, type Ruleset } from '../model/ruleset';
import { rulesetEdit } from '../parser/ruleset-parser';

export class LineFindings<L extends CommandLine, T = Finding> {
  /** The items found in each ruleset checked, for as long as the ruleset is in use. */
  private readonly kept = new WeakMap<Ruleset, readonly T[]>();

  private constructor(
    private readonly all: (rs: Ruleset) => readonly L[],
    private readonly at: (rs: Ruleset, line: number) => L | undefined,
    private readonly check: (line: L, rs: Ruleset, out: T[]) => void,
    /** The line an item is on. */
    private readonly lineOf: (item: T) => number,
  ) {}

  /**
   * A check of every rule (-A, -I, -R lines). What it reports is findings, or (with `lineOf`)
   * anything else that belongs to the line it was found on: the rules a check looks at further.
   */
  static ofRules<T = Finding>(check: (rule: Rule, rs: Ruleset, out: T[]) => void, lineOf: (item: T) => number = findingLine as (item: T) => number): LineFindings<Rule, T> {
    return new LineFindings<Rule, T>(
      (rs) => rs.rules,
      (rs, ln) => {
        const n = rs.lines.get(ln);
        return n?.kind === 'command' && isRule(n) ? n : undefined;
      },
      check,
      lineOf,
    );
  }

  /** The rules `test` picks, in line order, kept for the lines an edit left alone. */
  static rulesWhere(test: (rule: Rule) => boolean): LineFindings<Rule, Rule> {
    return LineFindings.ofRules<Rule>(
      (r, _rs, out) => {
        if (test(r)) out.push(r);
      },
      (r) => r.line,
    );
  }

  /** A check of every command line. */
  static ofCommands(check: (line: CommandLine, rs: Ruleset, out: Finding[]) => void): LineFindings<CommandLine> {
    return new LineFindings<CommandLine>(
      (rs) => rs.commands,
      (rs, ln) => {
        const n = rs.lines.get(ln);
        return n?.kind === 'command' ? n : undefined;
      },
      check,
      findingLine,
    );
  }

  findings(rs: Ruleset): T[] {
    const edit = rulesetEdit(rs, (p) => this.kept.has(p));
    const last = edit && this.kept.get(edit.previous);
    let out: T[];
    if (edit && last) {
      const fresh: T[] = [];
      for (const ln of edit.changed) {
        const l = this.at(rs, ln);
        if (l) this.check(l, rs, fresh);
      }
      const changed = new Set(edit.changed);
      out = [];
      let j = 0;
      for (const f of last) {
        const ln = this.lineOf(f);
        while (j < fresh.length && this.lineOf(fresh[j]!) < ln) out.push(fresh[j++]!);
        if (!changed.has(ln)) out.push(f);
      }
      while (j < fresh.length) out.push(fresh[j++]!);
    } else {
      out = [];
      // (an indexed loop: this one runs once per check over every line, mostly before V8 optimizes
      // it, and for-of there makes an iterator result per line)
      const all = this.all(rs);
      for (let i = 0; i < all.length; i++) this.check(all[i]!, rs, out);
    }
    this.kept.set(rs, out);
    return out.slice();
  }
}

function findingLine(f: Finding): number {
  return f.span.line;
}
