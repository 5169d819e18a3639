/**
 * The parser's LogField: one small object per field holding offsets into the line; the spans and
 * the value are computed when asked for. A parsed document keeps tens of fields per line, so
 * this keeps a 200k-line log from turning into tens of millions of span objects.
 */
import type { FieldKind, FieldLayer, LogField, Span } from '../../model/log';

export class Field implements LogField {
  constructor(
    private readonly text: string,
    private readonly line: number,
    readonly key: string,
    private readonly ks: number,
    private readonly ke: number,
    private readonly vs: number,
    private readonly ve: number,
    readonly kind: FieldKind,
    readonly layer: FieldLayer,
    readonly nested: boolean,
    readonly unknown?: boolean,
  ) {}

  get value(): string {
    return this.text.slice(this.vs, this.ve);
  }

  get keySpan(): Span {
    return { line: this.line, start: this.ks, end: this.ke };
  }

  get valueSpan(): Span {
    return { line: this.line, start: this.vs, end: this.ve };
  }

  get span(): Span {
    return { line: this.line, start: this.spanStart >= 0 ? this.spanStart : this.ks, end: Math.max(this.ke, this.ve, this.spanEnd) };
  }

  /** For groups whose closing bracket lies beyond the value (`OPT (...)`, `[ ... ]`). */
  spanEnd = 0;
  /** For bracketed flags whose `[` lies before the key (`[ASSURED]`); -1: the key's start. */
  spanStart = -1;

  /** A plain object with the same properties (for JSON, snapshots and deep comparisons). */
  toJSON(): LogField {
    return {
      key: this.key,
      value: this.value,
      keySpan: this.keySpan,
      valueSpan: this.valueSpan,
      span: this.span,
      kind: this.kind,
      layer: this.layer,
      nested: this.nested,
      ...(this.unknown ? { unknown: true } : {}),
    };
  }
}

/**
 * Fields read per line. A LOG line has under 60 (80 with the packet an ICMP error quotes), a
 * conntrack entry under 30; a mangled 10 MB line of repeated `key=value` must not become a million
 * field objects, each hovered, coloured and kept in the cache.
 */
export const MAX_FIELDS = 400;
