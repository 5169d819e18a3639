/**
 * Findings of checks that look at one command line at a time (or other items found on a line),
 * kept across versions of a document: after an edit (see rulesetEdit), only the lines it changed
 * are checked again and the previous version's findings for every other line stay as they were,
 * in line order, moved to the line's new number when the edit inserted or deleted lines above it.
 * A check used this way may read only its line and the ruleset's family and format (an edit with a
 * RulesetEdit keeps both), and reports each finding on its own line: every span it holds (its own,
 * related ones, those in its data) is on that line.
 */
import { type CommandLine, type Finding, findingOnLine, isRule, type Rule, type Ruleset } from '../model/ruleset';
import { rulesetEdit } from '../parser/ruleset-parser';
import { finished, type Steps } from './steps';

/** Lines checked per step of a ruleset checked whole (see findingSteps): a few milliseconds. */
const LINES_PER_STEP = 2048;

export class LineFindings<L extends CommandLine, T = Finding> {
  /** The items found in each ruleset checked, for as long as the ruleset is in use. */
  private readonly kept = new WeakMap<Ruleset, readonly T[]>();

  private constructor(
    private readonly all: (rs: Ruleset) => readonly L[],
    private readonly at: (rs: Ruleset, line: number) => L | undefined,
    private readonly check: (line: L, rs: Ruleset, out: T[]) => void,
    /** The line an item is on. */
    private readonly lineOf: (item: T) => number,
    /** The item found on a line as found on the same line's node at line `line` of `rs`. */
    private readonly move: (item: T, line: number, rs: Ruleset) => T,
  ) {}

  /** A check of every rule (-A, -I, -R lines), reporting findings. */
  static ofRules(check: (rule: Rule, rs: Ruleset, out: Finding[]) => void): LineFindings<Rule> {
    return LineFindings.rulesChecked<Finding>(check, findingLine, findingOnLine);
  }

  /** A check of every rule reporting items of any kind, each on its line (`lineOf`), moved to another line by `move`. */
  private static rulesChecked<T>(check: (rule: Rule, rs: Ruleset, out: T[]) => void, lineOf: (item: T) => number, move: (item: T, line: number, rs: Ruleset) => T): LineFindings<Rule, T> {
    return new LineFindings<Rule, T>((rs) => rs.rules, ruleAt, check, lineOf, move);
  }

  /** The rules `test` picks, in line order, kept for the lines an edit left alone. */
  static rulesWhere(test: (rule: Rule) => boolean): LineFindings<Rule, Rule> {
    return LineFindings.rulesChecked<Rule>(
      (r, _rs, out) => {
        if (test(r)) out.push(r);
      },
      (r) => r.line,
      (_r, ln, rs) => ruleAt(rs, ln)!,
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
      findingOnLine,
    );
  }

  findings(rs: Ruleset): T[] {
    return finished(this.findingSteps(rs));
  }

  /** findings() in steps: the lines of a ruleset checked whole, LINES_PER_STEP lines a step. */
  *findingSteps(rs: Ruleset): Steps<T[]> {
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
      const shift = edit.shift;
      out = [];
      let j = 0;
      for (const f of last) {
        const was = this.lineOf(f);
        // the line it is on now: moved down (or up) with the lines below the edit; the lines the
        // edit replaced are changed lines, whatever their number
        const ln = shift && was >= shift.from - shift.by ? was + shift.by : was;
        while (j < fresh.length && this.lineOf(fresh[j]!) < ln) out.push(fresh[j++]!);
        // (a line the edit replaced, whose number after a deletion lands below the edit: changed)
        if (changed.has(ln) || (shift && ln >= shift.from !== was >= shift.from - shift.by)) continue;
        // (an edit that moved lines made a node of its own for each line below it, and for each
        // line of a block it made again: an item names its line's node, or a position on it)
        out.push(shift ? this.move(f, ln, rs) : f);
      }
      while (j < fresh.length) out.push(fresh[j++]!);
    } else {
      out = [];
      // (an indexed loop: this one runs once per check over every line, mostly before V8 optimizes
      // it, and for-of there makes an iterator result per line)
      const all = this.all(rs);
      for (let i = 0; i < all.length; i++) {
        this.check(all[i]!, rs, out);
        if (i % LINES_PER_STEP === LINES_PER_STEP - 1) yield;
      }
    }
    this.kept.set(rs, out);
    return out.slice();
  }
}

function findingLine(f: Finding): number {
  return f.span.line;
}

function ruleAt(rs: Ruleset, ln: number): Rule | undefined {
  const n = rs.lines.get(ln);
  return n?.kind === 'command' && isRule(n) ? n : undefined;
}
