/** `iptables-lens logs [--json] [--rules FILE...] FILE...`: a summary of whole firewall logs. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type LogSummary, summarizeBytes } from '../../../server/src/analysis/log-summary';
import { toPlain } from '../../../server/src/knowledge/render';
import type { PacketLine } from '../../../server/src/model/log';
import { parseLogLine } from '../../../server/src/parser/log/index';
import { createRulesDocument } from '../../../server/src/service/document';
import type { RulesSource } from '../../../server/src/service/log-explain';
import { logReportMarkdown } from '../../../server/src/service/log-report';
import type { Subcommand } from '../main';

/** One example LOG line per prefix (the summary remembers the first line of each), to find its rule. */
function examples(bytes: Buffer, s: LogSummary): Map<string, PacketLine> {
  const wanted = new Map<number, string>();
  for (const p of s.byPrefix) wanted.set(p.firstLine, p.prefix);
  const out = new Map<string, PacketLine>();
  let start = 0;
  let n = 0;
  while (start < bytes.length && out.size < wanted.size) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    if (wanted.has(n)) {
      const l = parseLogLine(bytes.toString('utf8', start, end), n);
      if (l.kind === 'packet') out.set(l.prefix.label, l);
    }
    start = end + 1;
    n++;
  }
  return out;
}

export const runLogs: Subcommand = (args, out, err) => {
  const files: string[] = [];
  const rules: string[] = [];
  let json = false;
  let loose = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '--rules') rules.push(args[++i] ?? '');
    else if (a === '--loose') loose = args[++i] !== '0';
    else if (a.startsWith('--')) {
      err(`iptables-lens logs: unknown option ${a}\nUsage: iptables-lens logs [--json] [--rules FILE]... [--loose 0|1] FILE...\n`);
      return 2;
    } else files.push(a);
  }
  if (!files.length) {
    err('Usage: iptables-lens logs [--json] [--rules FILE]... [--loose 0|1] FILE...\n');
    return 2;
  }
  const sources: RulesSource[] = [];
  for (const r of rules) {
    try {
      const doc = createRulesDocument(r, 0, readFileSync(r, 'utf8'));
      sources.push({ uri: r, name: path.basename(r), ruleset: doc.ruleset });
    } catch (e) {
      err(`iptables-lens logs: cannot read ${r}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
  }
  const results: { name: string; summary: LogSummary; examples: Map<string, PacketLine> }[] = [];
  for (const f of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(f);
    } catch (e) {
      err(`iptables-lens logs: cannot read ${f}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
    const summary = summarizeBytes(bytes, { loose });
    results.push({ name: f, summary, examples: examples(bytes, summary) });
  }
  if (json) out(JSON.stringify(results.map((r) => ({ file: r.name, ...r.summary })), null, 2) + '\n');
  else out(toPlain(logReportMarkdown(results.map((r) => ({ ...r, sources })))) + '\n');
  return 0;
};
