/**
 * Semantic tokens for log lines the grammar cannot judge: the TCP flags of a line get a modifier
 * for what the combination means (opening, data, teardown, reset, scan), so a teardown packet or a
 * scan stands out; the prefix of lines that a known rule wrote is marked as a declaration.
 */
import { classifyTcpFlags } from '../knowledge/log-fields';
import type { LogLine } from '../model/log';
import type { SemanticToken, TokenModifier } from './semantic-tokens';

const CATEGORY_MODIFIER: Record<string, TokenModifier> = {
  opening: 'opening',
  'opening-reply': 'opening',
  data: 'data',
  teardown: 'teardown',
  reset: 'reset',
  scan: 'scan',
  invalid: 'scan',
};

export function logSemanticTokens(lines: Iterable<LogLine>): SemanticToken[] {
  const out: SemanticToken[] = [];
  for (const l of lines) {
    if (l.kind !== 'packet') continue;
    const toks: SemanticToken[] = [];
    if (l.prefix.label) toks.push({ line: l.line, start: l.prefix.span.start, length: l.prefix.span.end - l.prefix.span.start, type: 'string', modifiers: [] });
    const bits = l.packet.tcpFlagBits;
    const mod = bits !== undefined ? CATEGORY_MODIFIER[classifyTcpFlags(bits).category] : undefined;
    for (const f of l.fields) {
      if (f.nested) continue;
      if (f.kind === 'flag' && f.layer === 'transport') {
        toks.push({ line: l.line, start: f.keySpan.start, length: f.keySpan.end - f.keySpan.start, type: 'enumMember', modifiers: mod ? [mod] : [] });
      } else if (f.kind === 'pair' && f.value) {
        const type = f.key === 'SRC' || f.key === 'DST' ? 'variable' : f.key === 'IN' || f.key === 'OUT' || f.key === 'PHYSIN' || f.key === 'PHYSOUT' ? 'variable' : /^(SPT|DPT|LEN|TTL|ID|WINDOW|URGP|TYPE|CODE|MTU|HOPLIMIT)$/.test(f.key) ? 'number' : undefined;
        if (type) toks.push({ line: l.line, start: f.valueSpan.start, length: f.valueSpan.end - f.valueSpan.start, type, modifiers: f.key === 'IN' || f.key === 'OUT' ? ['readonly'] : [] });
      }
    }
    toks.sort((a, b) => a.start - b.start);
    let last = -1;
    for (const t of toks) {
      if (t.start >= last && t.length > 0) {
        out.push(t);
        last = t.start + t.length;
      }
    }
  }
  return out;
}
