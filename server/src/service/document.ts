/**
 * A rules document as the language service sees it: its text, its lines and the parsed ruleset.
 * Built once per document version by the server and handed to every feature.
 */
import type { Family } from '../knowledge/types';
import type { Ruleset } from '../model/ruleset';
import type { ChunkedArray } from '../model/chunked-array';
import { parseRuleset, splitLines } from '../parser/ruleset-parser';
import { type LineEdit, spliceLines } from './line-edit';

export interface RulesDocument {
  readonly uri: string;
  readonly version: number;
  readonly text: string;
  readonly lines: ChunkedArray<string>;
  readonly ruleset: Ruleset;
}

export type FamilySetting = 'auto' | Family;

/** The last path segment of a URI, decoded; a malformed escape (`100%.rules` sent unencoded) stays as it is. */
export function fileName(uri: string): string {
  const last = uri.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** The family a file name suggests (`rules.v6`, `ip6tables.rules`, `/etc/sysconfig/ip6tables`). */
export function familyFromName(uri: string): Family | undefined {
  const name = fileName(uri).toLowerCase();
  if (/(^|[^a-z0-9])(ip6tables|ipv6|v6)([^a-z0-9]|$)/.test(name) || name.endsWith('.v6') || name.startsWith('ip6')) return 'ipv6';
  if (/(^|[^a-z0-9])(iptables|ipv4|v4)([^a-z0-9]|$)/.test(name) || name.endsWith('.v4')) return 'ipv4';
  return undefined;
}

/** Documents whose text has no carriage return: their lines can be the base of the next version's. */
const CR_FREE = new WeakSet<RulesDocument>();

/** What changed since the previous version: the lines replaced (see LineEdit) and the new text of those lines. */
export interface ChangedLines {
  readonly edit: LineEdit;
  readonly lines: readonly string[];
}

/**
 * `previous`: the document's last version, if any; unchanged lines reuse what was read from it
 * (the file is still read whole, so the result is the same as without it, only cheaper).
 * `changed`: which lines differ from `previous` (the server knows it from the edits the editor
 * sent): the other lines are taken from it as they are, instead of splitting the whole text.
 */
export function createRulesDocument(uri: string, version: number, text: string, family: FamilySetting = 'auto', previous?: RulesDocument, changed?: ChangedLines): RulesDocument {
  const opts = familyOptions(uri, family);
  const spliced = previous && changed && CR_FREE.has(previous) ? spliceLines(previous.lines, changed.edit, changed.lines, text) : undefined;
  const ruleset = parseRuleset(text, { ...opts, ...(previous ? { previous: previous.ruleset } : {}), ...(spliced ? { lines: spliced } : {}) });
  // (the parser split the same text just before: splitLines answers from what it kept)
  const split = spliced ? { lines: spliced, crLines: [] } : splitLines(text);
  const doc: RulesDocument = { uri, version, text, lines: split.lines, ruleset };
  if (!split.crLines.length) CR_FREE.add(doc);
  return doc;
}

/**
 * createRulesDocument for a text given as its lines (split at line feeds; none of them holds a
 * carriage return), as the server holds an open rules file: the lines of `previous` that are the
 * same strings keep what was read from them, and the whole text is joined only if someone reads
 * `text`.
 */
export function createRulesDocumentFromLines(uri: string, version: number, lines: ChunkedArray<string>, family: FamilySetting = 'auto', previous?: RulesDocument): RulesDocument {
  const ruleset = parseRuleset('', { ...familyOptions(uri, family), ...(previous ? { previous: previous.ruleset } : {}), lines });
  let text: string | undefined;
  const doc: RulesDocument = {
    uri,
    version,
    get text() {
      return (text ??= lines.join('\n'));
    },
    lines,
    ruleset,
  };
  CR_FREE.add(doc);
  return doc;
}

/** The family options of the parser for a document: the setting, else what the file name says. */
function familyOptions(uri: string, family: FamilySetting): { family?: Family; familySource?: 'setting' | 'filename' } {
  if (family !== 'auto') return { family, familySource: 'setting' };
  const fromName = familyFromName(uri);
  return fromName ? { family: fromName, familySource: 'filename' } : {};
}
