/**
 * An open rules file held as its lines, for the server's document store: the TextDocument the
 * protocol library offers holds one string of the whole text and, on each edit, cuts it and joins
 * the pieces, which V8 turns back into one flat string the next time it is read: a copy of the
 * whole file per keystroke (15 MB, 11 ms at 100 000 rules, and as much garbage). Here an edit
 * replaces the lines it touches in a new list of lines (the other lines are the same strings, which
 * is also what the parser needs to keep their nodes); the whole text is joined only when someone
 * asks for it, once per version.
 *
 * Only for text without carriage returns, where lines are exactly the pieces between line feeds
 * (TextDocument also ends lines at a lone `\r`): `create` and `update` say when the text has one,
 * and the caller keeps a TextDocument instead. Positions are clamped as TextDocument clamps them,
 * so that every answer is the same as its answer for the same text (test/unit/line-document.test.ts).
 */
import type { Position, Range, TextDocument, TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { ChunkedArray } from '../model/chunked-array';
import { noteSplice } from '../model/line-splices';
import { detached } from '../parser/tokenizer';

export class LineDocument implements TextDocument {
  /** The whole text, once asked for. */
  private text: string | undefined;
  /** Offset of each line's start, once asked for. */
  private starts: Float64Array | undefined;

  private constructor(
    readonly uri: string,
    readonly languageId: string,
    private current: number,
    /**
     * Never changed in place: a version's list stays as it was when the next version is made (in
     * chunks: an edit of one line copies its chunk, not a list of every line, which was 0.8 MB of
     * old generation per keystroke at 100 000 lines).
     */
    private list: ChunkedArray<string>,
  ) {}

  /** A document of `content`, or undefined when it holds a carriage return. */
  static create(uri: string, languageId: string, version: number, content: string): LineDocument | undefined {
    if (content.includes('\r')) return undefined;
    const doc = new LineDocument(uri, languageId, version, ChunkedArray.of(content.split('\n')));
    doc.text = content;
    return doc;
  }

  get version(): number {
    return this.current;
  }

  get lineCount(): number {
    return this.list.length;
  }

  /** The lines of this version, without their line feeds. */
  get lines(): ChunkedArray<string> {
    return this.list;
  }

  getText(range?: Range): string {
    if (!range) return (this.text ??= this.list.join('\n'));
    // (substring swaps reversed ends: so does TextDocument.getText)
    const [a, b] = rangeIn(this.list, range);
    if (a.line === b.line) return this.list.get(a.line)!.slice(a.character, b.character);
    const parts = [this.list.get(a.line)!.slice(a.character)];
    for (let l = a.line + 1; l < b.line; l++) parts.push(this.list.get(l)!);
    parts.push(this.list.get(b.line)!.slice(0, b.character));
    return parts.join('\n');
  }

  offsetAt(position: Position): number {
    const p = clampIn(this.list, position);
    return this.lineStarts()[p.line]! + p.character;
  }

  positionAt(offset: number): Position {
    const starts = this.lineStarts();
    const last = this.list.length - 1;
    const end = starts[last]! + this.list.get(last)!.length;
    const o = Math.max(Math.min(offset, end), 0);
    let lo = 0;
    let hi = last;
    // the last line starting at or before o
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - starts[lo]! };
  }

  /**
   * Apply the changes (as TextDocument.update does: in order, each on the text the ones before it
   * left) and take `version`. False, with nothing applied, when a change's text holds a carriage
   * return.
   */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): boolean {
    for (const c of changes) if (c.text.includes('\r')) return false;
    let list = this.list;
    for (const c of changes) {
      if (!('range' in c) || !c.range) {
        list = ChunkedArray.of(c.text.split('\n'));
        continue;
      }
      const [a, b] = rangeIn(list, c.range);
      const mid = (list.get(a.line)!.slice(0, a.character) + c.text + list.get(b.line)!.slice(b.character)).split('\n');
      const was = list;
      list = list.splice(a.line, b.line + 1, mid.map(detached));
      // (what the parser of this version would otherwise find by comparing the lines, see
      // line-splices.ts: said of each change's list and the one before it, so only a single
      // change's is said of the previous version's)
      noteSplice(list, was, a.line, b.line + 1 - a.line, mid.length);
    }
    this.list = list;
    this.current = version;
    this.text = undefined;
    this.starts = undefined;
    return true;
  }

  getLineRange(line: number): Range {
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const n = Math.min(line, this.list.length - 1);
    return { start: { line: n, character: 0 }, end: { line: n, character: this.list.get(n)!.length } };
  }

  getEOLCharacters(line: number): string {
    return line >= 0 && line < this.list.length - 1 ? '\n' : '';
  }

  private lineStarts(): Float64Array {
    if (!this.starts) {
      const s = new Float64Array(this.list.length);
      let at = 0;
      for (let i = 0; i < this.list.length; i++) {
        s[i] = at;
        at += this.list.get(i)!.length + 1;
      }
      this.starts = s;
    }
    return this.starts;
  }
}

/**
 * The ends of `range` in `lines`, first the earlier (a reversed range swapped, as TextDocument
 * swaps it) and each clamped by clampIn; clamping keeps the order, so which comes first is the same
 * before and after it.
 */
function rangeIn(lines: ChunkedArray<string>, range: Range): [Position, Position] {
  const { start, end } = range;
  const reversed = start.line > end.line || (start.line === end.line && start.character > end.character);
  return reversed ? [clampIn(lines, end), clampIn(lines, start)] : [clampIn(lines, start), clampIn(lines, end)];
}

/** A position of `lines` as TextDocument reads it: lines past the end at the end of the text, characters within the line. */
function clampIn(lines: ChunkedArray<string>, p: Position): Position {
  if (p.line >= lines.length) {
    const last = lines.length - 1;
    return { line: last, character: lines.get(last)!.length };
  }
  if (p.line < 0) return { line: 0, character: 0 };
  return { line: p.line, character: Math.max(0, Math.min(p.character, lines.get(p.line)!.length)) };
}
