/**
 * LineDocument (lsp/line-document.ts), the server's store of an open rules file, answers exactly
 * as the protocol library's TextDocument for the same text: over random texts and random sequences
 * of changes (several per message, reversed and out-of-range ranges, whole-text changes), every
 * version's text, line count, ranges of text, offsets, positions, line ranges and line ends. A
 * carriage return is refused without changing anything, and a version's lines stay as they were
 * when the next version is made; after a single change, the lines it says end the new version as
 * they ended the previous one (see model/line-splices.ts) do.
 */
import { strict as assert } from 'node:assert';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { Rng } from '../../bench/gen/rng';
import { LineDocument } from '../../server/src/lsp/line-document';
import { CHUNK_SIZE } from '../../server/src/model/chunked-array';
import { sharedEndFrom } from '../../server/src/model/line-splices';
import { SANITIZED_DOCUMENTS } from '../../server/src/lsp/documents';

const PIECES = ['', 'x', '-A INPUT -j ACCEPT', '\n', '\n\n', 'ab\ncd', '*filter\n:INPUT ACCEPT [0:0]\n', 'é€😀', '\nlast'];

function randomText(rng: Rng): string {
  let t = '';
  for (let i = rng.int(0, 8); i > 0; i--) t += rng.pick(PIECES);
  return t;
}

/** A position anywhere, also before the start, past a line's end and past the last line. */
function randomPosition(rng: Rng, doc: TextDocument): { line: number; character: number } {
  return { line: rng.int(-1, doc.lineCount + 1), character: rng.int(-2, 30) };
}

function sameAnswers(rng: Rng, mine: LineDocument, ref: TextDocument, where: string): void {
  assert.equal(mine.getText(), ref.getText(), where);
  assert.equal(mine.lineCount, ref.lineCount, where);
  assert.equal(mine.version, ref.version, where);
  assert.deepEqual(mine.lines.toArray(), ref.getText().split('\n'), where);
  for (let k = 0; k < 12; k++) {
    const a = randomPosition(rng, ref);
    const b = randomPosition(rng, ref);
    assert.equal(mine.getText({ start: a, end: b }), ref.getText({ start: a, end: b }), `${where}: getText ${JSON.stringify([a, b])}`);
    assert.equal(mine.offsetAt(a), ref.offsetAt(a), `${where}: offsetAt ${JSON.stringify(a)}`);
    const o = rng.int(-2, ref.getText().length + 2);
    assert.deepEqual(mine.positionAt(o), ref.positionAt(o), `${where}: positionAt ${o}`);
    const line = rng.int(-1, ref.lineCount + 1);
    assert.deepEqual(mine.getLineRange(line), ref.getLineRange(line), `${where}: getLineRange ${line}`);
    assert.equal(mine.getEOLCharacters(line), ref.getEOLCharacters(line), `${where}: getEOLCharacters ${line}`);
  }
}

describe('LineDocument answers as TextDocument', () => {
  it('over random texts and random changes, every version', () => {
    const rng = new Rng(0x11d0c);
    let said = 0;
    for (let run = 0; run < 300; run++) {
      const text = randomText(rng);
      const mine = LineDocument.create('file:///r.rules', 'iptables', 1, text)!;
      const ref = TextDocument.create('file:///r.rules', 'iptables', 1, text);
      sameAnswers(rng, mine, ref, `run ${run} v1`);
      for (let v = 2; v < 8; v++) {
        const changes: TextDocumentContentChangeEvent[] = [];
        // each change on the text the ones before it in the message leave, and on its lines:
        // past the last line TextDocument puts the text at the end but counts its lines wrong
        // (see the next test)
        const probe = TextDocument.create('file:///p', 'iptables', 0, ref.getText());
        for (let c = rng.int(1, 3); c > 0; c--) {
          const at = () => ({ line: rng.int(0, probe.lineCount - 1), character: rng.int(0, 30) });
          const change = rng.chance(0.1) ? { text: randomText(rng) } : { range: { start: at(), end: at() }, text: randomText(rng) };
          changes.push(change);
          TextDocument.update(probe, [change], probe.version + 1);
        }
        const before = mine.lines;
        const kept = [...before];
        assert.ok(mine.update(changes, v));
        TextDocument.update(ref, changes, v);
        // the previous version's list of lines was not changed in place
        assert.deepEqual(before.toArray(), kept, `run ${run} v${v}: old lines`);
        sameAnswers(rng, mine, ref, `run ${run} v${v} after ${JSON.stringify(changes)}`);
        // the lines it says are the previous version's at the end are (said for one change only)
        const end = sharedEndFrom(mine.lines, before);
        const now = mine.lines.toArray();
        if (changes.length > 1 || !('range' in changes[0]!)) assert.equal(end, undefined, `run ${run} v${v}: several changes or a whole text`);
        else {
          const shift = now.length - kept.length;
          assert.ok(end !== undefined && end <= now.length && end - shift >= 0, `run ${run} v${v}: ${end}`);
          assert.deepEqual(now.slice(end), kept.slice(end - shift), `run ${run} v${v}: the end the edit left`);
          said++;
        }
      }
    }
    assert.ok(said > 500, `${said} single changes`);
  });

  it('an edit of one line of a long document copies the chunk of lines it falls in, not the whole list', () => {
    const text = Array.from({ length: 10 * CHUNK_SIZE }, (_, i) => `-A INPUT -s 10.0.${i >> 8}.${i & 255} -j DROP`).join('\n');
    const doc = LineDocument.create('file:///big.rules', 'iptables', 1, text)!;
    const before = doc.lines;
    const at = 4 * CHUNK_SIZE + 7;
    assert.ok(doc.update([{ range: { start: { line: at, character: 3 }, end: { line: at, character: 8 } }, text: 'OUTPUT' }], 2));
    const chunksOf = (l: unknown) => (l as { chunks: unknown[] }).chunks;
    const shared = chunksOf(doc.lines).filter((ch, c) => chunksOf(before)[c] === ch).length;
    assert.equal(shared, 9, 'nine of the ten chunks are the previous version\'s');
    assert.equal(doc.lines.get(at), before.get(at)!.replace('INPUT', 'OUTPUT'));
    assert.deepEqual(before.firstDifference(doc.lines), at);
  });

  it('a change past the last line goes at the end of the text, as TextDocument puts it there, with its lines counted right', () => {
    const mine = LineDocument.create('file:///r.rules', 'iptables', 1, 'a\nb')!;
    const ref = TextDocument.create('file:///r.rules', 'iptables', 1, 'a\nb');
    const change = [{ range: { start: { line: 9, character: 3 }, end: { line: 7, character: 0 } }, text: '\nc\nd' }];
    mine.update(change, 2);
    TextDocument.update(ref, change, 2);
    assert.equal(mine.getText(), ref.getText());
    assert.equal(mine.getText(), 'a\nb\nc\nd');
    assert.equal(mine.lineCount, 4);
    assert.deepEqual(mine.positionAt(7), { line: 3, character: 1 });
  });

  it('refuses a carriage return, at creation and in a change, and changes nothing then', () => {
    assert.equal(LineDocument.create('file:///r.rules', 'iptables', 1, 'a\r\nb'), undefined);
    const doc = LineDocument.create('file:///r.rules', 'iptables', 1, 'a\nb')!;
    assert.equal(doc.update([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }, { text: 'c\r\n' }], 2), false);
    assert.equal(doc.getText(), 'a\nb');
    assert.equal(doc.version, 1);
  });

  it('the server holds rules files as lines, other documents and text with carriage returns as TextDocument, and goes over when a carriage return comes in', () => {
    const rules = SANITIZED_DOCUMENTS.create('file:///r.rules', 'iptables', 1, '*filter\nCOMMIT\n');
    assert.ok(rules instanceof LineDocument);
    assert.ok(!(SANITIZED_DOCUMENTS.create('file:///r.rules', 'iptables', 1, '*filter\r\nCOMMIT\r\n') instanceof LineDocument));
    assert.ok(!(SANITIZED_DOCUMENTS.create('file:///k.log', 'netfilter-log', 1, 'x\n') instanceof LineDocument));
    const same = SANITIZED_DOCUMENTS.update(rules, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '-A INPUT -j ACCEPT\n' }], 2);
    assert.equal(same, rules);
    assert.equal(same.getText(), '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
    const crlf = SANITIZED_DOCUMENTS.update(same, [{ range: { start: { line: 0, character: 7 }, end: { line: 0, character: 7 } }, text: '\r' }], 3);
    assert.ok(!(crlf instanceof LineDocument));
    assert.equal(crlf.getText(), '*filter\r\n-A INPUT -j ACCEPT\nCOMMIT\n');
    assert.equal(crlf.version, 3);
    assert.equal(crlf.lineCount, 4);
  });
});
