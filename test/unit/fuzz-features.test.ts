/**
 * Property-based fuzzing of every language feature through the real adapter (server.ts and lsp/*
 * on an in-process connection): broken rules files and logs, opened, queried at random positions
 * (some past the end), edited incrementally, queried again and closed. Every call must return
 * within its time budget, nothing may reach the server's guard, and every range must lie inside
 * the document. Fixed seeds; `npm run fuzz` scales the run counts up.
 */
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { documentKind } from '../../server/src/server';
import { Tally } from '../support/fuzz-check';
import { FeatureDriver, type Probe } from '../support/fuzz-features';
import { buildDoc, docSpecArb, NASTY_WORDS } from '../support/fuzz-mutate';
import { check, record, runs } from '../support/fuzz-run';
import { loadSeeds } from '../support/fuzz-seeds';
import { InProcessServer } from '../support/fuzz-server';

const probeArb: fc.Arbitrary<Probe> = fc.record({ line: fc.nat(), ch: fc.nat(), pick: fc.nat(), flag: fc.boolean() });

/** An incremental edit at a fuzzed range (some past the end), inserting text or nothing. */
const editArb = fc.record({
  line: fc.nat(),
  ch: fc.nat(),
  span: fc.nat(300),
  text: fc.oneof(fc.constant(''), fc.constantFrom(...NASTY_WORDS), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('\n', '\r\n', '\r', '\n\n\n')),
  full: fc.boolean(),
});

type Edit = typeof editArb extends fc.Arbitrary<infer T> ? T : never;

function editFor(text: string, e: Edit) {
  const td = TextDocument.create('file:///x', 'x', 1, text);
  const start = td.positionAt(td.offsetAt({ line: e.line % (td.lineCount + 1), character: e.ch % 80 }));
  const end = td.positionAt(td.offsetAt(start) + e.span);
  const range = e.full ? undefined : { start, end };
  const after = TextDocument.applyEdits(td, [{ range: range ?? { start: { line: 0, character: 0 }, end: td.positionAt(text.length) }, newText: e.full ? e.text + text : e.text }]);
  return { range, insert: e.full ? e.text + text : e.text, after };
}

const LANGS: [string, string][] = [
  ['iptables', '.rules'],
  ['iptables', '.v6'],
  ['netfilter-log', '.log'],
  ['plaintext', '.txt'],
];

describe('fuzz: every language feature through the adapter', function () {
  this.timeout(0);
  const seeds = loadSeeds();
  const tally = new Tally();
  const server = new InProcessServer();
  const driver = new FeatureDriver(server, tally);
  let t0 = Date.now();
  before(function () {
    t0 = Date.now();
  });
  // a rules file stays open so log lines find the LOG rules that wrote them
  const story = seeds.rules.find((s) => s.name.endsWith('story1.rules'))!;
  driver.open('iptables', story.text, '.rules');

  after(function () {
    const secs = (Date.now() - t0) / 1000;
    record('features', tally.total, tally.documents, secs, tally.report('fuzz features', secs));
  });

  for (const [pool, label, base, seedOffset] of [
    ['rules', 'rules files', 220, 10],
    ['logs', 'logs', 160, 20],
  ] as const) {
    it(`answers every request on broken ${label}, before and after edits`, function () {
      const arb = fc.record({
        doc: docSpecArb(),
        lang: fc.nat(LANGS.length - 1),
        probes: fc.array(probeArb, { minLength: 1, maxLength: 5 }),
        edits: fc.array(editArb, { maxLength: 2 }),
      });
      check(arb, runs(base), seedOffset, (c) => {
        const { text } = buildDoc(c.doc, pool === 'rules' ? seeds.rules : seeds.logs, pool === 'rules' ? seeds.logs : seeds.rules);
        // mostly the language of the pool, sometimes the other or content detection
        const [languageId, ext] = c.lang === 3 ? LANGS[3]! : pool === 'rules' ? LANGS[c.lang === 2 ? 2 : c.lang]! : LANGS[c.lang === 0 ? 0 : 2]!;
        tally.documents++;
        const uri = driver.open(languageId, text, ext);
        try {
          let current = text;
          const exercise = (probes: readonly Probe[]) => {
            const kind = documentKind(TextDocument.create(uri, languageId, 1, current));
            if (kind === 'log') driver.log(uri, probes);
            else driver.rules(uri, probes);
          };
          exercise(c.probes);
          c.edits.forEach((e, i) => {
            const { range, insert, after } = editFor(current, e);
            driver.change(uri, i + 2, range, insert, after);
            current = after;
            exercise(c.probes.slice(0, 1));
          });
        } finally {
          driver.close(uri);
        }
      });
    });
  }
});
