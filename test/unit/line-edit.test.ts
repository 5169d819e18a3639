/**
 * A version's lines made from the last parsed version's lines and the edits the editor sent
 * (service/line-edit.ts, lsp/line-edits.ts) are exactly the lines of splitting its text: over
 * random sequences of changes applied as the server applies them (TextDocument.update), several
 * changes per message among them, from every earlier version kept. Where they cannot be made
 * (carriage returns, a whole-text change, an edit that does not add up), nothing is offered and
 * the text is split as before.
 */
import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Rng } from '../../bench/gen/rng';
import { changedLinesSince, updateDocument } from '../../server/src/lsp/line-edits';
import { createRulesDocument } from '../../server/src/service/document';
import { composeLineEdits, lineEditOf, spliceLines } from '../../server/src/service/line-edit';
import { splitLines } from '../../server/src/parser/ruleset-parser';
import { ChunkedArray } from '../../server/src/model/chunked-array';

type Change = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };

const PIECES = ['-A INPUT -j ACCEPT', '', '\n', '\n\n', 'x', '-p tcp\n-A FWD', '# c\n', ':X - [0:0]\n*nat\n'];

function randomChange(rng: Rng, doc: TextDocument): Change {
  const pos = () => {
    const line = rng.int(0, doc.lineCount - 1);
    const len = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\n$/, '').length;
    return { line, character: rng.int(0, len) };
  };
  let a = pos();
  let b = rng.int(0, 2) ? a : pos();
  if (b.line < a.line || (b.line === a.line && b.character < a.character)) [a, b] = [b, a];
  return { range: { start: a, end: b }, text: PIECES[rng.int(0, PIECES.length - 1)]! };
}

/** As the server applies an edit. */
function apply(doc: TextDocument, changes: Change[]): TextDocument {
  return updateDocument(doc, changes, doc.version + 1);
}

describe('line edits: a version\'s lines from the previous version\'s and the edits in between', () => {
  it('equal the split of the whole text, from every version kept, over random edits', () => {
    const rng = new Rng(0x5e1);
    let offered = 0;
    for (let round = 0; round < 60; round++) {
      const start = Array.from({ length: rng.int(0, 40) }, (_, i) => `-A INPUT -p tcp --dport ${i} -j ACCEPT`).join('\n');
      let doc = TextDocument.create('file:///e.rules', 'iptables', 1, start);
      const versions = new Map<number, ChunkedArray<string>>([[1, splitLines(start).lines]]);
      for (let step = 0; step < 30; step++) {
        // several changes in one message apply one after another (each range in the text the one before left)
        const count = rng.int(0, 4) ? 1 : rng.int(2, 4);
        let next = TextDocument.create(doc.uri, 'iptables', doc.version, doc.getText());
        const applied: Change[] = [];
        for (let k = 0; k < count; k++) {
          const c = randomChange(rng, next);
          applied.push(c);
          next = TextDocument.update(next, [c], next.version);
        }
        doc = apply(doc, applied);
        const text = doc.getText();
        const want = splitLines(text).lines;
        versions.set(doc.version, want);
        for (const [v, lines] of versions) {
          if (v === doc.version) continue;
          const changed = changedLinesSince(doc, v);
          if (!changed) {
            assert.ok(doc.version - v > 16, `no edit offered from version ${v} to ${doc.version}, though it is kept: ${JSON.stringify(applied)}`);
            continue;
          }
          offered++;
          const got = spliceLines(lines, changed.edit, changed.lines, text);
          assert.deepEqual(got?.toArray(), want.toArray(), `round ${round}, version ${v} -> ${doc.version}`);
        }
      }
    }
    assert.ok(offered > 5000, `${offered} edits offered`);
  });

  it('are not offered for carriage returns, whole-text changes or edits that do not add up', () => {
    const doc = TextDocument.create('file:///c.rules', 'iptables', 1, 'a\nb\nc');
    const cr = apply(doc, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, text: 'x\r\ny' }]);
    assert.equal(changedLinesSince(cr, 1), undefined);
    const other = TextDocument.create('file:///w.rules', 'iptables', 1, 'a\nb\nc');
    const whole = updateDocument(other, [{ text: 'z\nz' }], 2);
    assert.equal(changedLinesSince(whole, 1), undefined);
    // an edit that claims fewer lines than the text has is caught by the length
    assert.equal(spliceLines(ChunkedArray.of(['a', 'b', 'c']), { start: 1, oldEnd: 2, newEnd: 2 }, ['bb'], 'a\nbb\nc\nd'), undefined);
    assert.deepEqual(spliceLines(ChunkedArray.of(['a', 'b', 'c']), { start: 1, oldEnd: 2, newEnd: 3 }, ['b1', 'b2'], 'a\nb1\nb2\nc')?.toArray(), ['a', 'b1', 'b2', 'c']);
    assert.deepEqual(lineEditOf({ range: { start: { line: 2 }, end: { line: 4 } }, text: 'one\ntwo' }), { start: 2, oldEnd: 5, newEnd: 4 });
    assert.deepEqual(composeLineEdits({ start: 2, oldEnd: 5, newEnd: 4 }, { start: 10, oldEnd: 11, newEnd: 11 }), { start: 2, oldEnd: 12, newEnd: 11 });
  });

  it('a rules document made from them is the document read from the whole text, and shares every unchanged line', () => {
    const lines = ['*filter', ':INPUT DROP [0:0]', ...Array.from({ length: 50 }, (_, i) => `-A INPUT -s 10.0.0.${i} -j DROP`), 'COMMIT', ''];
    const text = lines.join('\n');
    let td = TextDocument.create('file:///d.rules', 'iptables', 1, text);
    const first = createRulesDocument(td.uri, 1, text);
    td = apply(td, [{ range: { start: { line: 10, character: 3 }, end: { line: 11, character: 0 } }, text: 'INPUT -p udp -j ACCEPT\n-A ' }]);
    const inc = createRulesDocument(td.uri, td.version, td.getText(), 'auto', first, changedLinesSince(td, 1));
    const fresh = createRulesDocument(td.uri, td.version, td.getText());
    assert.deepEqual(inc.lines.toArray(), fresh.lines.toArray());
    assert.equal(inc.lines.get(30), first.lines.get(30), 'an unchanged line is the same string');
    assert.deepEqual(
      inc.ruleset.lines.toArray().map((n) => n.kind),
      fresh.ruleset.lines.toArray().map((n) => n.kind),
    );
  });

  it('lines made from the edits do not keep the texts of the versions they were cut from', async function () {
    this.timeout(60_000);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const collect = async () => {
      for (let i = 0; i < 4; i++) await new Promise<void>((r) => setTimeout(() => (gc(), r()), 1));
    };
    // a 7 MB document; each edit makes the document a new 7 MB text
    const start = Array.from({ length: 200_000 }, (_, i) => `-A INPUT -s 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} -j DROP`).join('\n');
    let td = TextDocument.create('file:///big.rules', 'iptables', 1, start);
    let lines: ChunkedArray<string> | undefined = splitLines(start).lines;
    await collect();
    const before = process.memoryUsage().heapUsed;
    const rng = new Rng(0x7e7);
    for (let v = 0; v < 12; v++) {
      const at = rng.int(0, 199_999);
      const from = td.version;
      td = apply(td, [{ range: { start: { line: at, character: 3 }, end: { line: at, character: 8 } }, text: 'OUTPUT' }]);
      const changed = changedLinesSince(td, from)!;
      lines = spliceLines(lines!, changed.edit, changed.lines, td.getText());
      assert.ok(lines, `version ${td.version}`);
    }
    await collect();
    const grown = (process.memoryUsage().heapUsed - before) / 1e6;
    // the first text (its lines are views of it) and the document's current text are alive;
    // twelve more texts of 7 MB would be about 80 MB
    assert.ok(grown < 30, `the heap grew by ${grown.toFixed(0)} MB over 12 edits`);
    assert.equal(lines!.length, 200_000);
  });
});
