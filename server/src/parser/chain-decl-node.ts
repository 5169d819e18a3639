/**
 * The node of a chain line (`:NAME POLICY [packets:bytes]`, model/ruleset.ts ChainDecl), laid out
 * as command lines are (see command-line-node.ts): one class, the span of the whole line made
 * when asked for instead of kept. A kube-proxy node declares tens of thousands of chains: a span
 * object on each was 1.7 MB of the bench's kube-like 100k-rule file.
 */
import type { ChainDecl, Span, TableBlock, Word } from '../model/ruleset';

export class ChainDeclNode implements ChainDecl {
  constructor(
    readonly line: number,
    /** The line's length: where its span ends. */
    private readonly end: number,
    readonly table: string,
    readonly block: TableBlock | undefined,
    readonly nameWord: Word,
    readonly policy: Word | undefined,
    readonly counters: Word | undefined,
  ) {}

  /** (on the class, not on each node) */
  get kind(): 'chain' {
    return 'chain';
  }

  /** The whole line (a new object each time). */
  get span(): Span {
    return { line: this.line, start: 0, end: this.end };
  }
}
