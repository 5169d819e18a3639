/** `iptables-lens logs [--json] [--rules FILE...] FILE...`: a summary of whole firewall logs. */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { type LogSummary, summarizeReader } from '../../../server/src/analysis/log-summary';
import { toPlain } from '../../../server/src/knowledge/render';
import type { PacketLine } from '../../../server/src/model/log';
import { parseLogLine } from '../../../server/src/parser/log/index';
import { createRulesDocument } from '../../../server/src/service/document';
import type { RulesSource } from '../../../server/src/service/log-explain';
import { logReportMarkdown } from '../../../server/src/service/log-report';
import type { Subcommand } from '../main';

/**
 * One example LOG line per prefix (the summary remembers the first line of each), to find its rule:
 * read again from the file up to the last of them (usually near its start), a piece at a time.
 */
function examples(fd: number, s: LogSummary): Map<string, PacketLine> {
  const wanted = new Set<number>();
  for (const p of s.byPrefix) wanted.add(p.firstLine);
  const out = new Map<string, PacketLine>();
  let buf = Buffer.allocUnsafe(1 << 20);
  let have = 0;
  let n = 0;
  let pos = 0;
  while (out.size < wanted.size) {
    if (have === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]); // a line longer than the buffer
    const got = readSync(fd, buf, have, buf.length - have, pos);
    pos += got;
    const end = have + got;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0 && nl < end; nl = buf.indexOf(10, start)) {
      line(start, nl);
      start = nl + 1;
    }
    if (got === 0) {
      if (start < end) line(start, end);
      break;
    }
    buf.copyWithin(0, start, end);
    have = end - start;
  }
  return out;

  function line(start: number, end: number): void {
    if (wanted.has(n)) {
      const l = parseLogLine(buf.toString('utf8', start, end), n);
      if (l.kind === 'packet') out.set(l.prefix.label, l);
    }
    n++;
  }
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
    // read a piece at a time into one buffer: a 250 MB log is never held whole
    let fd: number | undefined;
    try {
      fd = openSync(f, 'r');
      const file = fd;
      const summary = summarizeReader((b, off, len) => readSync(file, b, off, len, null), { loose });
      results.push({ name: f, summary, examples: examples(file, summary) });
    } catch (e) {
      err(`iptables-lens logs: cannot read ${f}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  if (json) out(JSON.stringify(results.map((r) => ({ file: r.name, ...r.summary })), null, 2) + '\n');
  else out(toPlain(logReportMarkdown(results.map((r) => ({ ...r, sources })))) + '\n');
  return 0;
};
