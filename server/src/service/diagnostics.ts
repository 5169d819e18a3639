/**
 * Diagnostics for a rules document: every finding of the analysis, with the user's severity
 * settings applied and inline suppressions honoured. Suppression comments are comment lines, which
 * iptables-restore ignores:
 *   # iptables-lens-disable-next-line [code ...]   the next non-comment line
 *   # iptables-lens-disable-file [code ...]        the whole file
 * Codes may be written with or without the `iptables-lens/` prefix; no code means every code.
 */
import { CODE_PREFIX, CodedFinding, codeTexts } from '../analysis/codes';
import type { Finding, Ruleset, Severity } from '../model/ruleset';
import type { ReadList } from '../model/chunked-array';
import { findingsOf } from './analysis-in-steps';
import { inLineOrder } from './line-order';

export type SeveritySetting = Severity | 'off' | 'default';

export interface DiagnosticSettings {
  /** Per code id (without prefix): a new severity or 'off'. */
  readonly severities?: Readonly<Record<string, SeveritySetting>>;
}

export interface Diagnostic extends Finding {
  /** The full code as shown to users: `iptables-lens/<id>`. */
  readonly fullCode: string;
  readonly docs: string;
}

interface Suppressions {
  readonly file: ReadonlySet<string> | 'all' | undefined;
  readonly lines: ReadonlyMap<number, ReadonlySet<string> | 'all'>;
}

const DIRECTIVE = /^#\s*iptables-lens-disable-(next-line|file)\b(.*)$/;

export function readSuppressions(rs: Ruleset, lines: ReadList<string>): Suppressions {
  let file: Set<string> | 'all' | undefined;
  const byLine = new Map<number, Set<string> | 'all'>();
  // the comment lines only: looking at every line of a 100 000-line file (each its own object
  // somewhere in the heap) took 3 to 7 ms per edit
  for (const n of rs.comments) {
    const m = DIRECTIVE.exec(lines.get(n.line) ?? '');
    if (!m) continue;
    const codes = m[2]!.split(/[\s,]+/).filter(Boolean).map((c) => (c.startsWith(CODE_PREFIX) ? c.slice(CODE_PREFIX.length) : c));
    const set: Set<string> | 'all' = codes.length ? new Set(codes) : 'all';
    if (m[1] === 'file') {
      file = set === 'all' || file === 'all' ? 'all' : new Set([...(file ?? []), ...set]);
      continue;
    }
    // the next line that is not a comment or blank
    let target = n.line + 1;
    while (target < rs.lineCount && (rs.lines.get(target)?.kind === 'comment' || rs.lines.get(target)?.kind === 'blank')) target++;
    const prev = byLine.get(target);
    byLine.set(target, set === 'all' || prev === 'all' ? 'all' : new Set([...(prev ?? []), ...set]));
  }
  return { file, lines: byLine };
}

function suppressed(s: Suppressions, f: Finding): boolean {
  return hits(s.file, f.code) || (s.lines.size > 0 && hits(s.lines.get(f.span.line), f.code));
}

function hits(x: ReadonlySet<string> | 'all' | undefined, code: string): boolean {
  return x === 'all' || (x !== undefined && x.has(code));
}

export function diagnose(rs: Ruleset, lines: ReadList<string>, settings: DiagnosticSettings = {}): Diagnostic[] {
  const sup = readSuppressions(rs, lines);
  const severities = settings.severities && Object.keys(settings.severities).length > 0 ? settings.severities : undefined;
  // (with no severity set and nothing suppressed, a finding's code and severity are not asked for:
  // they are getters on the most numerous kinds, and asking each of the 7 000 findings of the
  // Docker-like 100k file three times took 2 ms of every edit, up to 6 on the first ones)
  const plain = severities === undefined && sup.file === undefined && sup.lines.size === 0;
  const out: Diagnostic[] = [];
  for (const f of findingsOf(rs)) {
    if (plain) {
      out.push(f instanceof CodedFinding ? f : diagnosticOf(f, f.severity));
      continue;
    }
    const setting = severities?.[f.code];
    if (setting === 'off') continue;
    if (suppressed(sup, f)) continue;
    const severity: Severity = setting && setting !== 'default' ? setting : f.severity;
    out.push(diagnosticOf(f, severity));
  }
  // (in line order, then by start within the line, the checks' order kept for ties)
  return inLineOrder(out) as Diagnostic[];
}

/**
 * The diagnostic of each finding at the severity it was last asked for. Findings of the lines an
 * edit left alone are the previous version's objects (the checks keep them), so an edit makes
 * diagnostics only for what it changed: making all of them again, 7 000 objects and two strings
 * each for a 100 000-rule Docker-like file, took 3 to 5 ms of every edit, and as much garbage. A
 * finding that answers its full code and documentation link (CodedFinding) is its own diagnostic
 * at its own severity.
 */
const DIAGNOSTICS = new WeakMap<Finding, Diagnostic>();

function diagnosticOf(f: Finding, severity: Severity): Diagnostic {
  if (f instanceof CodedFinding && f.severity === severity) return f;
  const kept = DIAGNOSTICS.get(f);
  if (kept && kept.severity === severity) return kept;
  const d = newDiagnostic(f, severity);
  DIAGNOSTICS.set(f, d);
  return d;
}

/**
 * A finding as a diagnostic, its fields copied one by one (the optional ones only when present):
 * an object spread of findings of a dozen shapes took 3 µs each, 20 ms for the 7 000 findings of
 * a 100 000-rule Docker-like file, on every edit.
 */
function newDiagnostic(f: Finding, severity: Severity): Diagnostic {
  const texts = codeTexts(f.code);
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { code: f.code, severity, message: f.message, span: f.span, fullCode: texts.fullCode, docs: texts.docs };
  if (f.related !== undefined) d.related = f.related;
  if (f.tags !== undefined) d.tags = f.tags;
  if (f.data !== undefined) d.data = f.data;
  return d;
}
