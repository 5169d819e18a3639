/** Outline of a log: the distinct prefixes with their line counts, then the other kinds of lines. */
import type { LogLine, Span } from '../model/log';
import type { OutlineSymbol } from './symbols';

/** The outline from the parsed lines: a parsed LogDocument, or lines parsed one at a time and dropped (huge logs). */
export function logSymbols(doc: { readonly lines: Iterable<LogLine> }, lineLength: (line: number) => number): OutlineSymbol[] {
  const byPrefix = new Map<string, { count: number; first: Span; last: number }>();
  const others = new Map<string, { count: number; first: Span; last: number }>();
  const bump = (m: typeof byPrefix, key: string, span: Span, line: number) => {
    const e = m.get(key);
    if (e) {
      e.count++;
      e.last = line;
    } else m.set(key, { count: 1, first: span, last: line });
  };
  for (const l of doc.lines) {
    if (l.kind === 'packet') bump(byPrefix, l.prefix.label || '(no prefix)', l.prefix.label ? l.prefix.span : l.span, l.line);
    else if (l.kind === 'conntrack') bump(others, 'conntrack entries', l.span, l.line);
    else if (l.kind === 'kernel') bump(others, `kernel: ${l.id}`, l.span, l.line);
    else if (l.kind === 'sysctl') bump(others, 'conntrack settings', l.span, l.line);
  }
  const sym = (name: string, e: { count: number; first: Span; last: number }, detail: string): OutlineSymbol => ({
    name,
    detail: `${e.count} line${e.count === 1 ? '' : 's'}${detail}`,
    kind: 'chain',
    range: { line: e.first.line, start: 0, end: lineLength(e.last), endLine: e.last },
    selection: e.first,
    children: [],
  });
  return [
    ...[...byPrefix].sort((a, b) => b[1].count - a[1].count).map(([k, e]) => sym(k, e, ' logged with this prefix')),
    ...[...others].map(([k, e]) => sym(k, e, '')),
  ];
}
