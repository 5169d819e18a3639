/**
 * Fix safety, as a property: on realistic generated rulesets (and the project's fixtures, broken
 * by mutations), apply every code action the server offers and check that
 * - every line of the original that the action's edits do not touch is still there, in order;
 * - the edits apply cleanly (inside the document, no overlaps);
 * - when the input had no error-level diagnostic, the fixed text has none either.
 * Runs through the real adapter (in-process), so the actions are exactly what an editor gets.
 * Whether iptables-restore accepts the fixed files is the kernel suite's business (test/kernel).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkRange, FuzzFailure, Lines, Tally, timed } from '../support/fuzz-check';
import { buildDoc, docSpecArb } from '../support/fuzz-mutate';
import { rulesetArb } from '../support/fuzz-rules-gen';
import { check, record, runs } from '../support/fuzz-run';
import { loadSeeds } from '../support/fuzz-seeds';
import { editorLines, InProcessServer, type LspRange } from '../support/fuzz-server';

interface Action {
  title: string;
  edit?: { changes: Record<string, { range: LspRange; newText: string }[]> };
}

/** Lines an edit changes: any line whose text or line break its range covers, or that it splits. */
function namedLines(text: string, edits: readonly { range: LspRange; newText: string }[]): Set<number> {
  const len = editorLines(text);
  const named = new Set<number>();
  for (const e of edits) {
    const { start, end } = e.range;
    const pure = start.line === end.line && start.character === end.character;
    if (pure) {
      // an insertion leaves the line whole only at its start (ending in a line break) or at its end (starting with one)
      const atStart = start.character === 0 && (e.newText === '' || e.newText.endsWith('\n'));
      const atEnd = start.character === len[start.line] && (e.newText === '' || e.newText.startsWith('\n') || e.newText.startsWith('\r'));
      if (!atStart && !atEnd) named.add(start.line);
      continue;
    }
    for (let l = start.line; l <= end.line; l++) named.add(l);
    // a range that only swallows the previous line's break (end at column 0) leaves that next line's text alone
    if (end.character === 0 && end.line > start.line) named.delete(end.line);
  }
  return named;
}

function keptInOrder(before: string, after: string, named: Set<number>): string | undefined {
  const orig = before.split(/\r\n|\r|\n/);
  const out = after.split(/\r\n|\r|\n/);
  let j = 0;
  for (let i = 0; i < orig.length; i++) {
    if (named.has(i)) continue;
    while (j < out.length && out[j] !== orig[i]) j++;
    if (j >= out.length) return `line ${i + 1} \`${orig[i]}\` was lost or moved`;
    j++;
  }
  return undefined;
}

describe('fuzz: every quick fix keeps the other lines and adds no error', function () {
  this.timeout(0);
  const seeds = loadSeeds();
  const tally = new Tally();
  const server = new InProcessServer();
  let t0 = Date.now();
  before(function () {
    t0 = Date.now();
  });
  let n = 0;
  let actions = 0;
  const byTitle = new Map<string, number>();

  after(function () {
    const secs = (Date.now() - t0) / 1000;
    const silence = [...byTitle].filter(([k]) => k.startsWith('Silence')).reduce((x, [, v]) => x + v, 0);
    const kinds = [...byTitle].filter(([k]) => !k.startsWith('Silence')).sort((a, b) => b[1] - a[1]).map(([k, v]) => `        ${String(v).padStart(6)}  ${k}`);
    record('fixes', tally.total, tally.documents, secs, `${tally.report('fuzz fixes', secs)}\n      ${actions.toLocaleString('en-US')} code actions applied (${silence} silence a check on a line), the fixes:\n${kinds.join('\n')}`);
  });

  const errorsOf = (uri: string) => (server.published.get(uri)?.diagnostics ?? []).filter((d) => (d as { severity?: number }).severity === 1) as { message?: string; range: LspRange }[];

  const fixAll = (text: string, name: string) => {
    tally.documents++;
    const uri = `file:///fix/${++n}/${name}`;
    timed(tally, 'open+diagnostics', text.length, () => server.open(uri, 'iptables', text));
    const hadErrors = errorsOf(uri).length > 0;
    const lines = new Lines(text);
    const acts = timed(tally, 'codeAction', text.length, () =>
      server.call('onCodeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: lines.count - 1, character: lines.lengths[lines.count - 1]! } },
        context: { diagnostics: server.published.get(uri)?.diagnostics ?? [] },
      }),
    ) as Action[];
    server.close(uri);
    const td = TextDocument.create(uri, 'iptables', 1, text);
    for (const a of acts) {
      actions++;
      const title = a.title.replace(/`[^`]*`/g, '`…`').replace(/line \d+/g, 'line N');
      byTitle.set(title, (byTitle.get(title) ?? 0) + 1);
      const edits = a.edit?.changes[uri] ?? [];
      // TextDocument.applyEdits clamps a range past the end; an editor may not, so check first
      for (const e of edits) checkRange(e.range, lines, `"${a.title}"`);
      let after: string;
      try {
        after = TextDocument.applyEdits(td, edits);
      } catch (e) {
        throw new FuzzFailure(`"${a.title}": its edits do not apply: ${String(e)}`);
      }
      const lost = keptInOrder(text, after, namedLines(text, edits));
      if (lost) throw new FuzzFailure(`"${a.title}": ${lost}\n--- before\n${text}--- after\n${after}`);
      if (!hadErrors) {
        const fixed = `file:///fix/${++n}/after-${name}`;
        timed(tally, 'diagnose fixed text', after.length, () => server.open(fixed, 'iptables', after));
        const errs = errorsOf(fixed);
        server.close(fixed);
        if (errs.length) throw new FuzzFailure(`"${a.title}" introduced an error on line ${errs[0]!.range.start.line + 1}: ${errs[0]!.message}\n--- before\n${text}--- after\n${after}`);
      }
    }
    const errs = server.takeErrors();
    if (errs.length) throw new FuzzFailure(`the server's guard caught: ${errs[0]}`);
  };

  it('on generated rulesets of realistic rules', function () {
    check(rulesetArb(seeds.ruleBodies), runs(260), 30, (r) => fixAll(r.text, r.family === 'ipv6' ? 'rules.v6' : 'rules.v4'));
  });

  it('on the fixtures and examples, whole and broken', function () {
    const own = seeds.rules.filter((s) => !s.name.startsWith('dumps/'));
    check(docSpecArb(3, 60), runs(120), 31, (spec) => fixAll(buildDoc(spec, own, []).text, 'x.rules'));
  });
});
