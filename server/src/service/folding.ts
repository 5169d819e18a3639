/** Folding: each table block, each run of a chain's rules, and runs of comment lines. */
import type { Ruleset } from '../model/ruleset';

export interface Fold {
  readonly startLine: number;
  readonly endLine: number;
  readonly kind?: 'comment' | 'region';
}

export function foldingRanges(rs: Ruleset): Fold[] {
  const out: Fold[] = [];
  for (const n of rs.lines) {
    const end = n.kind === 'table' ? (rs.blockEnds.get(n)?.endLine ?? n.line) : n.line;
    if (end > n.line) out.push({ startLine: n.line, endLine: end, kind: 'region' });
  }

  let runStart = -1;
  let runChain = '';
  let commentStart = -1;
  const closeRun = (end: number) => {
    if (runStart >= 0 && end > runStart) out.push({ startLine: runStart, endLine: end });
    runStart = -1;
  };
  const closeComment = (end: number) => {
    if (commentStart >= 0 && end > commentStart) out.push({ startLine: commentStart, endLine: end, kind: 'comment' });
    commentStart = -1;
  };
  let prev = -1;
  for (const n of rs.lines) {
    if (n.kind === 'comment') {
      if (commentStart < 0) commentStart = n.line;
    } else closeComment(n.line - 1);
    if (n.kind === 'command' && n.command?.chain) {
      const key = `${n.table}/${n.command.chain.text}`;
      if (runStart >= 0 && key !== runChain) closeRun(prev);
      if (runStart < 0) {
        runStart = n.line;
        runChain = key;
      }
      prev = n.line;
    } else if (n.kind !== 'blank' && n.kind !== 'comment') {
      closeRun(prev);
    }
  }
  closeRun(prev);
  closeComment(rs.lineCount - 1);
  return out;
}
