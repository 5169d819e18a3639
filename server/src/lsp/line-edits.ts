/**
 * The lines each edit the editor sent replaced, kept with the document version it made, so that
 * parsing a version can start from the last version parsed (see service/line-edit.ts): for each
 * version, the edit from each of up to MAX_KEPT earlier versions to it. Kept by document object,
 * so a closed document takes its edits with it.
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { detached } from '../parser/tokenizer';
import type { ChangedLines } from '../service/document';
import { composeLineEdits, type LineEdit, lineEditOf, type RangeChange } from '../service/line-edit';

const SINCE = new WeakMap<TextDocument, ReadonlyMap<number, LineEdit>>();
const MAX_KEPT = 16;

/**
 * TextDocument.update (which changes the document in place and returns it), recording which lines
 * the changes replaced: what the server does with each didChange.
 */
export function updateDocument(doc: TextDocument, changes: readonly TextDocumentContentChangeEvent[], version: number): TextDocument {
  const from = doc.version;
  const next = TextDocument.update(doc, changes as TextDocumentContentChangeEvent[], version);
  recordLineEdit(next, from, changes);
  return next;
}

/**
 * After `changes` were applied to `doc`, which was version `from` before them: which lines they
 * replaced, and since which earlier versions.
 */
function recordLineEdit(doc: TextDocument, from: number, changes: readonly { readonly text: string; readonly range?: RangeChange['range'] }[]): void {
  const before = SINCE.get(doc);
  SINCE.delete(doc);
  let edit: LineEdit | undefined;
  for (const c of changes) {
    // a change without a range replaces the whole text: nothing to carry over
    const e = c.range ? lineEditOf({ range: c.range, text: c.text }) : undefined;
    if (!e) return;
    edit = edit ? composeLineEdits(edit, e) : e;
  }
  if (!edit || from === doc.version) return;
  const since = new Map<number, LineEdit>([[from, edit]]);
  for (const [v, e] of before ?? []) {
    if (since.size >= MAX_KEPT) break;
    if (!since.has(v)) since.set(v, composeLineEdits(e, edit));
  }
  SINCE.set(doc, since);
}

/** The lines of `doc` that differ from its version `version`, when the edits in between are known. */
export function changedLinesSince(doc: TextDocument, version: number): ChangedLines | undefined {
  const edit = SINCE.get(doc)?.get(version);
  if (!edit || edit.newEnd > doc.lineCount) return undefined;
  const text = doc.getText({ start: { line: edit.start, character: 0 }, end: { line: edit.newEnd, character: 0 } });
  if (text.includes('\r')) return undefined;
  // (copies: a line cut from the text would keep the whole text alive, see detached)
  const lines = text.split('\n').map(detached);
  // a range that ends where line newEnd starts holds the line feed before it: no line after it
  if (edit.newEnd < doc.lineCount) lines.pop();
  return { edit, lines };
}
