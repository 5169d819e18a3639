/**
 * Quick fixes. Each fix is a list of text edits that touches only the lines it names: it never
 * deletes or reorders other lines. Fixes for syntax findings are here; fixes for the ordering and
 * hygiene checks live in fixes/, one module per check.
 */
import type { Finding } from '../model/ruleset';
import type { RulesDocument } from './document';
import { FIX_PROVIDERS } from './fixes/index';
import { insertLineAfter, insertLineBefore, replaceSpan, type TextEdit } from './text-edits';

export type { TextEdit };

export interface CodeAction<F extends Finding = Finding> {
  readonly title: string;
  readonly kind: 'quickfix' | 'refactor.rewrite' | 'source.fixAll';
  readonly edits: readonly TextEdit[];
  /** The finding this action fixes. */
  readonly diagnostic?: F;
  readonly preferred?: boolean;
}

function builtinFixes(doc: RulesDocument, f: Finding): CodeAction[] {
  const data = (f.data ?? {}) as Record<string, unknown>;
  const line = doc.lines.get(f.span.line) ?? '';
  switch (f.code) {
    case 'carriage-return': {
      const lines = (data['lines'] as number[] | undefined) ?? [f.span.line];
      const edits = lines
        .filter((l) => l < doc.lines.length - 1 || doc.text.endsWith('\r'))
        .map((l) => ({ line: l, start: doc.lines.get(l)!.length, endLine: l + 1, end: 0, text: '\n' }));
      return [{ title: 'Convert every line ending to LF', kind: 'quickfix', edits, diagnostic: f, preferred: true }];
    }
    case 'byte-order-mark':
      return [{ title: 'Remove the byte-order mark', kind: 'quickfix', edits: [{ line: 0, start: 0, endLine: 0, end: 1, text: '' }], diagnostic: f, preferred: true }];
    case 'missing-commit': {
      if (typeof data['insertBefore'] === 'number') return [{ title: 'Insert COMMIT', kind: 'quickfix', edits: [insertLineBefore(data['insertBefore'] as number, 'COMMIT')], diagnostic: f, preferred: true }];
      if (typeof data['insertAfter'] === 'number') return [{ title: 'Add COMMIT', kind: 'quickfix', edits: [insertLineAfter(doc, data['insertAfter'] as number, 'COMMIT')], diagnostic: f, preferred: true }];
      return [];
    }
    case 'abbreviated-option':
      return typeof data['replacement'] === 'string' ? [{ title: `Write \`${data['replacement']}\` in full`, kind: 'quickfix', edits: [replaceSpan(f.span, data['replacement'] as string)], diagnostic: f, preferred: true }] : [];
    case 'commit-trailing-blank':
      return [{ title: 'Remove the blanks after COMMIT', kind: 'quickfix', edits: [replaceSpan(f.span, '')], diagnostic: f, preferred: true }];
    case 'indented-comment': {
      const lead = /^[ \t]*/.exec(line)![0].length;
      return [{ title: 'Move the comment to the first column', kind: 'quickfix', edits: [replaceSpan({ line: f.span.line, start: 0, end: lead }, '')], diagnostic: f, preferred: true }];
    }
    case 'blank-line-with-spaces':
      return [{ title: 'Make the line empty', kind: 'quickfix', edits: [replaceSpan({ line: f.span.line, start: 0, end: line.length }, '')], diagnostic: f, preferred: true }];
    case 'chain-policy': {
      const word = line.slice(f.span.start, f.span.end);
      if (/user chains have no policy/.test(f.message)) return [{ title: 'Write `-` (user chains have no policy)', kind: 'quickfix', edits: [replaceSpan(f.span, '-')], diagnostic: f, preferred: true }];
      if (/^(accept|drop)$/i.test(word)) return [{ title: `Write \`${word.toUpperCase()}\``, kind: 'quickfix', edits: [replaceSpan(f.span, word.toUpperCase())], diagnostic: f, preferred: true }];
      return [];
    }
    case 'undefined-chain': {
      const word = line.slice(f.span.start, f.span.end);
      if (/upper case/.test(f.message)) return [{ title: `Write \`${word.toUpperCase()}\``, kind: 'quickfix', edits: [replaceSpan(f.span, word.toUpperCase())], diagnostic: f, preferred: true }];
      return [];
    }
    case 'unknown-option': {
      const mod = data['module'];
      if (typeof mod === 'string') return [{ title: `Load the module: insert \`-m ${mod}\``, kind: 'quickfix', edits: [replaceSpan({ line: f.span.line, start: f.span.start, end: f.span.start }, `-m ${mod} `)], diagnostic: f, preferred: true }];
      return [];
    }
  }
  return [];
}

/** A comment line above the finding's line that silences this code there. */
function suppressAction(f: Finding): CodeAction {
  return {
    title: `Silence iptables-lens/${f.code} on this line`,
    kind: 'quickfix',
    edits: [insertLineBefore(f.span.line, `# iptables-lens-disable-next-line ${f.code}`)],
    diagnostic: f,
  };
}

export function codeActions<F extends Finding>(doc: RulesDocument, findings: readonly F[]): CodeAction<F>[] {
  const out: CodeAction<F>[] = [];
  for (const f of findings) {
    const fixes = [...builtinFixes(doc, f), ...(FIX_PROVIDERS.get(f.code)?.(doc, f) ?? [])];
    if (f.severity !== 'error') fixes.push(suppressAction(f));
    // every action refers to the finding it was made for
    for (const a of fixes) out.push({ ...a, diagnostic: f });
  }
  return out;
}
