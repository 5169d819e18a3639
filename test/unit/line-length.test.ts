/**
 * lsp/convert.ts lineLength, which clamps every position the server answers about: the length of
 * a line without its line end (`\n`, `\r\n` or a lone `\r`, the ends TextDocument knows), for both
 * kinds of document the server holds, and 0 for a line that does not exist.
 */
import { strict as assert } from 'node:assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Rng } from '../../bench/gen/rng';
import { lineLength } from '../../server/src/lsp/convert';
import { LineDocument } from '../../server/src/lsp/line-document';

const PIECES = ['a', 'bc', '\n', '\r', '\r\n', ' ', 'é😀', '-A INPUT -j ACCEPT'];

describe('lineLength', () => {
  it('is the length of each line between line ends, in a TextDocument and in a LineDocument', () => {
    const rng = new Rng(0x11e1);
    for (let run = 0; run < 2000; run++) {
      let text = '';
      for (let k = rng.int(0, 10); k > 0; k--) text += rng.pick(PIECES);
      const lines = text.split(/\r\n|\r|\n/);
      const docs: TextDocument[] = [TextDocument.create('file:///r.rules', 'iptables', 1, text)];
      const held = LineDocument.create('file:///r.rules', 'iptables', 1, text);
      if (held) docs.push(held);
      for (const doc of docs) {
        assert.equal(doc.lineCount, lines.length, JSON.stringify(text));
        for (let l = 0; l < lines.length; l++) assert.equal(lineLength(doc, l), lines[l]!.length, `${JSON.stringify(text)} line ${l}`);
        assert.equal(lineLength(doc, -1), 0);
        assert.equal(lineLength(doc, lines.length), 0);
      }
    }
  });
});
