/**
 * Findings of checks that look at one command line at a time, kept across versions of a document:
 * after an edit that kept the number of lines (see rulesetEdit), only the lines it changed are
 * checked again and the previous version's findings for every other line stay as they were, in
 * line order. A check used this way may read only its line and the ruleset's family and format
 * (an edit with a RulesetEdit keeps both), and reports each finding on its own line.
 */
import { type CommandLine, type Finding, isRule, type Rule, type Ruleset } from '../model/ruleset';
import { rulesetEdit } from '../parser/ruleset-parser';

export class LineFindings<L extends CommandLine> {
  /** The findings of each ruleset checked, for as long as the ruleset is in use. */
  private readonly kept = new WeakMap<Ruleset, readonly Finding[]>();

  private constructor(
    private readonly all: (rs: Ruleset) => readonly L[],
    private readonly at: (rs: Ruleset, line: number) => L | undefined,
    private readonly check: (line: L, rs: Ruleset, out: Finding[]) => void,
  ) {}

  /** A check of every rule (-A, -I, -R lines). */
  static ofRules(check: (rule: Rule, rs: Ruleset, out: Finding[]) => void): LineFindings<Rule> {
    return new LineFindings<Rule>((rs) => rs.rules, (rs, ln) => {
      const n = rs.lines[ln];
      return n?.kind === 'command' && isRule(n) ? n : undefined;
    }, check);
  }

  /** A check of every command line. */
  static ofCommands(check: (line: CommandLine, rs: Ruleset, out: Finding[]) => void): LineFindings<CommandLine> {
    return new LineFindings<CommandLine>((rs) => rs.commands, (rs, ln) => {
      const n = rs.lines[ln];
      return n?.kind === 'command' ? n : undefined;
    }, check);
  }

  findings(rs: Ruleset): Finding[] {
    const edit = rulesetEdit(rs, (p) => this.kept.has(p));
    const last = edit && this.kept.get(edit.previous);
    let out: Finding[];
    if (edit && last) {
      const fresh: Finding[] = [];
      for (const ln of edit.changed) {
        const l = this.at(rs, ln);
        if (l) this.check(l, rs, fresh);
      }
      const changed = new Set(edit.changed);
      out = [];
      let j = 0;
      for (const f of last) {
        const ln = f.span.line;
        while (j < fresh.length && fresh[j]!.span.line < ln) out.push(fresh[j++]!);
        if (!changed.has(ln)) out.push(f);
      }
      while (j < fresh.length) out.push(fresh[j++]!);
    } else {
      out = [];
      for (const l of this.all(rs)) this.check(l, rs, out);
    }
    this.kept.set(rs, out);
    return out.slice();
  }
}
