/**
 * The summary the fast paths must equal: every line parsed with parseLogLine and the parsed lines
 * counted (LogSummarizer.addParsed).
 */
import { LogSummarizer, type LogSummary } from '../../server/src/analysis/log-summary';
import { parseLogLine } from '../../server/src/parser/log';

export interface ReferenceOptions {
  readonly loose?: boolean;
  /** Entries in each top list (LogSummarizer.result). */
  readonly top?: number;
}

/** The reference summary of these lines. */
export function parsedLinesSummary(lines: readonly string[], { loose = true, top = 25 }: ReferenceOptions = {}): LogSummary {
  const s = new LogSummarizer({ loose });
  lines.forEach((l, i) => s.addParsed(parseLogLine(l, i)));
  return s.result(top);
}

/** The reference summary of a text cut at line breaks (a final `\n` starts no line). */
export function parsedSummary(text: string, options: ReferenceOptions = {}): LogSummary {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return parsedLinesSummary(lines, options);
}
