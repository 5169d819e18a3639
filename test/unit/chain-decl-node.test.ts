/**
 * The node of a chain line (server/src/parser/chain-decl-node.ts): one class, whose span is the
 * whole line made when asked for, and whose parts are the words of the line.
 */
import { strict as assert } from 'node:assert';
import type { ChainDecl, Ruleset } from '../../server/src/model/ruleset';
import { ChainDeclNode } from '../../server/src/parser/chain-decl-node';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';

const LINES = ['*filter', ':INPUT DROP [12:3400]', ':CUSTOM - [0:0]', ':BARE', '-A INPUT -j CUSTOM', 'COMMIT', ''];

function decls(rs: Ruleset): ChainDecl[] {
  return rs.lines.toArray().filter((l): l is ChainDecl => l.kind === 'chain');
}

describe('chain line nodes', () => {
  const rs = parseRuleset(LINES.join('\n'));

  it('are one class holding the words of the line, whose span is the whole line, a new object each time', () => {
    const [input, custom, bare] = decls(rs) as [ChainDecl, ChainDecl, ChainDecl];
    for (const d of [input, custom, bare]) {
      assert.ok(d instanceof ChainDeclNode);
      assert.equal(d.kind, 'chain');
      assert.equal(d.table, 'filter');
      assert.equal(d.block?.name, 'filter');
      assert.deepEqual(d.span, { line: d.line, start: 0, end: LINES[d.line]!.length });
      assert.notEqual(d.span, d.span, 'the span is not kept');
      assert.ok(!Object.keys(d).includes('span') && !Object.keys(d).includes('kind'));
    }
    assert.deepEqual([input.nameWord.text, input.policy?.text, input.counters?.text], ['INPUT', 'DROP', '[12:3400]']);
    assert.deepEqual([custom.nameWord.text, custom.policy?.text, custom.counters?.text], ['CUSTOM', '-', '[0:0]']);
    assert.deepEqual([bare.nameWord.text, bare.policy, bare.counters], ['BARE', undefined, undefined]);
    assert.equal(rs.tables.get('filter')!.chains.get('INPUT')!.policy, 'DROP');
  });

  it('split on blanks alone, as iptables-restore splits a chain line: tabs and runs of spaces part words, quotes are characters of them', () => {
    const text = ['*filter', ':INPUT\tDROP  \t[1:2]', ':"Q\tx" - [0:0]', ':LONG-NAME-OF-A-CHAIN-ABOVE-THIRTEEN\t-\t[0:0] extra', 'COMMIT', ''].join('\n');
    const [input, quoted, long] = decls(parseRuleset(text)) as [ChainDecl, ChainDecl, ChainDecl];
    const words = (d: ChainDecl) => [d.nameWord, d.policy, d.counters].map((w) => w && [w.text, w.start, w.end, w.quoted]);
    assert.deepEqual(words(input), [['INPUT', 1, 6, false], ['DROP', 7, 11, false], ['[1:2]', 14, 19, false]]);
    assert.deepEqual(words(quoted), [['"Q', 1, 3, false], ['x"', 4, 6, false], ['-', 7, 8, false]]);
    assert.deepEqual(words(long), [['LONG-NAME-OF-A-CHAIN-ABOVE-THIRTEEN', 1, 36, false], ['-', 37, 38, false], ['[0:0]', 39, 44, false]]);
  });

  it('an edit elsewhere leaves a chain line its node; a chain line outside a table still has one', () => {
    const edited = LINES.slice();
    edited[4] = '-A INPUT -p tcp -j CUSTOM';
    const next = parseRuleset(edited.join('\n'), { previous: rs });
    assert.deepEqual(decls(next), decls(rs));
    decls(next).forEach((d, i) => assert.equal(d, decls(rs)[i]));
    const outside = decls(parseRuleset(':LOST - [0:0]\n'))[0]!;
    assert.equal(outside.block, undefined);
    assert.equal(outside.table, 'filter');
  });
});
