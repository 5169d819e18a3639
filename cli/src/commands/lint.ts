/**
 * `iptables-lens lint`: every diagnostic of every file, as text (file:line:col: severity: message
 * [code]), JSON (1-based positions) or SARIF 2.1.0 for code-scanning tools.
 */
import { readFileSync } from 'node:fs';
import { CODES, docsLink } from '../../../server/src/analysis/codes';
import type { Family } from '../../../server/src/knowledge/types';
import { createRulesDocument } from '../../../server/src/service/document';
import { diagnose, type Diagnostic } from '../../../server/src/service/diagnostics';
import { parseArgs } from '../args';
import type { Subcommand } from '../main';

export interface LintRecord {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

function toRecord(file: string, d: Diagnostic): LintRecord {
  return { file, line: d.span.line + 1, column: d.span.start + 1, endLine: d.span.line + 1, endColumn: d.span.end + 1, severity: d.severity, code: d.fullCode, message: d.message };
}

export function lintText(file: string, text: string, family: Family | 'auto' = 'auto'): LintRecord[] {
  const doc = createRulesDocument(file, 0, text, family);
  return diagnose(doc.ruleset, doc.lines).map((d) => toRecord(file, d));
}

const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function toSarif(records: readonly LintRecord[], version: string): unknown {
  const used = [...new Set(records.map((r) => r.code))];
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'iptables-lens',
            version,
            informationUri: 'https://github.com/iptables-lens/iptables-lens',
            rules: used.map((code) => {
              const id = code.replace(/^iptables-lens\//, '');
              const info = CODES.find((c) => c.id === id);
              return {
                id: code,
                name: id,
                shortDescription: { text: info?.title ?? id },
                fullDescription: { text: info?.doc ?? id },
                helpUri: docsLink(id),
                defaultConfiguration: { level: SARIF_LEVEL[info?.severity ?? 'warning'] },
              };
            }),
          },
        },
        results: records.map((r) => ({
          ruleId: r.code,
          level: SARIF_LEVEL[r.severity] ?? 'warning',
          message: { text: r.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: r.file },
                region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
}

declare const IPTABLES_LENS_VERSION: string;

export const runLint: Subcommand = (args, out, err) => {
  const a = parseArgs(args, { flags: ['strict'], options: ['format', 'family'] });
  const format = a.options.get('format') ?? 'text';
  const family = a.options.get('family') ?? 'auto';
  if (a.errors.length || !['text', 'json', 'sarif'].includes(format) || !['auto', 'ipv4', 'ipv6'].includes(family) || a.files.length === 0) {
    err(`iptables-lens lint: ${a.errors[0] ?? (a.files.length === 0 ? 'no file given' : `bad --format or --family`)}\nUsage: iptables-lens lint [--format text|json|sarif] [--strict] [--family ipv4|ipv6] FILE...\n`);
    return 2;
  }
  const records: LintRecord[] = [];
  let unreadable = false;
  for (const file of a.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      err(`iptables-lens lint: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
      unreadable = true;
      continue;
    }
    records.push(...lintText(file, text, family as Family | 'auto'));
  }
  if (format === 'json') out(JSON.stringify(records, null, 2) + '\n');
  else if (format === 'sarif') out(JSON.stringify(toSarif(records, typeof IPTABLES_LENS_VERSION === 'string' ? IPTABLES_LENS_VERSION : 'dev'), null, 2) + '\n');
  else for (const r of records) out(`${r.file}:${r.line}:${r.column}: ${r.severity}: ${r.message} [${r.code}]\n`);
  if (unreadable) return 2;
  const errors = records.some((r) => r.severity === 'error');
  const warnings = records.some((r) => r.severity === 'warning');
  return errors || (a.flags.has('strict') && warnings) ? 1 : 0;
};
