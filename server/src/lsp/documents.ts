/**
 * The server's document store: how an opened document is held and how the editor's changes are
 * applied to it, and the parsed rules document of a version. Rules files (language id `iptables`)
 * without carriage returns are held as their lines (LineDocument); every other document, and a
 * rules file once a carriage return comes in, as the protocol library's TextDocument.
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { createRulesDocument, createRulesDocumentFromLines, type FamilySetting, type RulesDocument } from '../service/document';
import { LineDocument } from './line-document';
import { changedLinesSince, updateDocument } from './line-edits';

/** A position or range as the protocol defines it: non-negative integers. */
function isPosition(p: unknown): p is { line: number; character: number } {
  const q = p as { line?: unknown; character?: unknown } | null;
  return !!q && Number.isInteger(q.line) && Number.isInteger(q.character) && (q.line as number) >= 0 && (q.character as number) >= 0;
}

/**
 * Documents as the client sends them, made safe: a didOpen whose text is no string opens an
 * empty document (not one whose "text" is 42, which every later feature and every log hover
 * would trip over), and an edit whose text or range is malformed is dropped rather than applied
 * at NaN offsets.
 */
export const SANITIZED_DOCUMENTS = {
  create(uri: string, languageId: string, version: number, content: string): TextDocument {
    const id = typeof languageId === 'string' ? languageId : '';
    const v = Number.isInteger(version) ? version : 0;
    const text = typeof content === 'string' ? content : '';
    return (id === 'iptables' && LineDocument.create(String(uri), id, v, text)) || TextDocument.create(String(uri), id, v, text);
  },
  update(doc: TextDocument, changes: unknown, version: number): TextDocument {
    const valid = (Array.isArray(changes) ? changes : []).filter((c: unknown): c is TextDocumentContentChangeEvent => {
      const ch = c as { text?: unknown; range?: { start?: unknown; end?: unknown } } | null;
      return !!ch && typeof ch.text === 'string' && (ch.range === undefined || (!!ch.range && isPosition(ch.range.start) && isPosition(ch.range.end)));
    });
    const v = Number.isInteger(version) ? version : doc.version + 1;
    if (!(doc instanceof LineDocument)) return updateDocument(doc, valid, v);
    if (doc.update(valid, v)) return doc;
    // a carriage return came in: from now on the text as one string, as TextDocument reads it
    return TextDocument.update(TextDocument.create(doc.uri, doc.languageId, doc.version, doc.getText()), valid, v);
  },
};

/**
 * The parsed rules document of `d`'s current version. `previous`: the last version parsed, whose
 * readings of the lines the edits left alone are kept.
 */
export function rulesDocumentOf(d: TextDocument, family: FamilySetting, previous: RulesDocument | undefined): RulesDocument {
  if (d instanceof LineDocument) return createRulesDocumentFromLines(d.uri, d.version, d.lines, family, previous);
  return createRulesDocument(d.uri, d.version, d.getText(), family, previous, previous && changedLinesSince(d, previous.version));
}
