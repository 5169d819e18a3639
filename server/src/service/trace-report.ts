/** The tracer's result as markdown for the editor, plus the rule lines on the path. */
import { describePacket } from '../analysis/packet';
import type { TraceResult } from '../analysis/tracer';

export function traceMarkdown(t: TraceResult, fileName: string): { markdown: string; lines: number[] } {
  const lines = new Set<number>();
  const md: string[] = [
    `# Trace: \`${describePacket(t.packet)}\``,
    '',
    `Rules: ${fileName}`,
    '',
    `Hooks: ${t.hooks.join(' → ')}. Conntrack state: **${t.ctstate}** — ${t.ctstateReason}`,
    '',
    `**Verdict: ${t.verdict === 'maybe' ? `depends on rules the packet cannot decide (${[...new Set(t.branches.map((b) => b.verdict))].join(' or ')})` : t.verdict}**`,
  ];
  t.branches.forEach((b, i) => {
    md.push('');
    if (t.branches.length > 1) md.push(`## Branch ${i + 1}: ${b.verdict}`, '', b.assumptions.map((a) => `- ${a}`).join('\n'), '');
    md.push('| | where | line | target | why |', '|---|---|---|---|---|');
    for (const s of b.steps) {
      if (s.kind === 'conntrack' || s.kind === 'skip') {
        md.push(`| ${s.kind === 'conntrack' ? '⚙' : '⤼'} | ${s.kind} ${s.chain} | | ${s.effect ?? ''} | ${(s.reason ?? '').replace(/\|/g, '\\|')} |`);
        continue;
      }
      if (s.line !== undefined && s.matched !== false) lines.add(s.line);
      const mark = s.matched === true ? '✔' : s.matched === 'maybe' ? '?' : '✘';
      const where = `${s.table}/${s.chain}${s.kind === 'policy' ? ' (policy)' : ` #${s.position}`}`;
      const why = [s.reason, s.effect].filter(Boolean).join('; ').replace(/\|/g, '\\|');
      md.push(`| ${mark} | ${where} | ${s.line !== undefined ? s.line + 1 : ''} | ${s.target ?? ''} | ${why} |`);
    }
  });
  return { markdown: md.join('\n') + '\n', lines: [...lines].sort((a, b) => a - b) };
}
