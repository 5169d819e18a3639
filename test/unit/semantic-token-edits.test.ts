/**
 * The one edit the server sends for a semantic-tokens delta, worked out from the encoded lines of
 * two versions: applied to the old array, it gives the new one; and the encoded lines of a version
 * made from the previous one's, after lines were put in or taken out.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { SemanticTokensEdit } from 'vscode-languageserver/node';
import { encodeLines, joinParts, type LinePart, partsEdit } from '../../server/src/lsp/semantic-token-lines';
import { generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { semanticTokens } from '../../server/src/service/semantic-tokens';

function apply(before: readonly number[], edits: readonly SemanticTokensEdit[]): number[] {
  const out = [...before];
  // (edits apply from the back, so that earlier offsets stay valid)
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out.splice(e.start, e.deleteCount, ...(e.data ?? []));
  return out;
}

/** A line's part: `tokens` tokens of small numbers (so that different lines often encode alike). */
const part = fc.option(
  fc.array(fc.tuple(fc.nat(3), fc.nat(2), fc.nat(2), fc.nat(1)), { minLength: 1, maxLength: 3 }).map((ts) => Int32Array.from(ts.flatMap(([s, l, t, m]) => [0, s, l + 1, t, m]))),
  { nil: undefined, freq: 3 },
);

/** A change of some lines: replaced by new parts (some equal in content), removed, or lines added. */
const change = fc.record({ at: fc.nat(30), remove: fc.nat(4), insert: fc.array(part, { maxLength: 4 }), copyInsert: fc.boolean() });

function changed(before: readonly LinePart[], cs: readonly { at: number; remove: number; insert: LinePart[]; copyInsert: boolean }[]): LinePart[] {
  const after = [...before];
  for (const c of cs) {
    const at = Math.min(c.at, after.length);
    // a copy of a removed line's part: a new array with the same numbers, as a reparsed line gets
    const insert = c.copyInsert && after[at] ? [Int32Array.from(after[at]!), ...c.insert] : c.insert;
    after.splice(at, c.remove, ...insert);
  }
  return after;
}

describe('semantic tokens: the delta between two versions\' encoded lines', () => {
  it('turns the old array into the new one, for any change of lines', () => {
    fc.assert(
      fc.property(fc.array(part, { maxLength: 30 }), fc.array(change, { maxLength: 3 }), (before, cs) => {
        const after = changed(before, cs);
        assert.deepEqual(apply(joinParts(before), partsEdit(before, after)), joinParts(after));
      }),
      { numRuns: 4000 },
    );
  });

  it('sends only the changed line and the first line with tokens after it', () => {
    const line = (...ns: number[]) => Int32Array.from([0, ...ns]);
    const before: LinePart[] = [line(0, 2, 1, 0), undefined, line(3, 4, 2, 0), undefined, line(1, 1, 1, 1), line(5, 5, 5, 0)];
    const after: LinePart[] = [...before];
    after[2] = line(3, 6, 2, 0);
    // line 2's numbers (its distance to line 0 included), then line 4's, which follows it
    assert.deepEqual(partsEdit(before, after), [{ start: 5, deleteCount: 10, data: [2, 3, 6, 2, 0, 2, 1, 1, 1, 1] }]);
    assert.deepEqual(partsEdit(before, [...before]), [], 'nothing for the same lines');
    assert.deepEqual(partsEdit(before, [...before, undefined, undefined]), [], 'nothing for lines without tokens at the end');
    // a line without tokens inserted before line 4: only line 4's distance changes
    const inserted = [...before.slice(0, 3), undefined, ...before.slice(3)];
    assert.deepEqual(apply(joinParts(before), partsEdit(before, inserted)), joinParts(inserted));
    assert.ok(partsEdit(before, inserted)[0]!.data!.length <= 10);
  });

  it('puts a range\'s lines at their place in the document', () => {
    const line = (...ns: number[]) => Int32Array.from([0, ...ns]);
    // lines 10 and 12 of a document: the first token counts from line 0
    assert.deepEqual(joinParts([line(4, 2, 1, 0), undefined, line(0, 3, 2, 0)], 0, 3, 10), [10, 4, 2, 1, 0, 2, 0, 3, 2, 0]);
  });
});

describe('semantic tokens: the encoded lines of a version read from the one before', () => {
  /** A line put in: of each kind that changes what the lines below it read (a header, COMMIT, a chain) or not. */
  const LINES = ['-A INPUT -p tcp --dport 22 -j ACCEPT', '-A FORWARD -s 10.0.0.0/8 -j DROP', '# a comment', '', '*nat', 'COMMIT', ':NEW-CHAIN - [0:0]', '-A NEW-CHAIN -j RETURN', '-N OTHER', '-t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1', 'garbage line'];

  it('are those of the version encoded afresh, after lines put in or taken out anywhere, and a moved line keeps its part', function () {
    this.timeout(60_000);
    const rng = new Rng(0x70c5);
    let moved = 0;
    let keptMoved = 0;
    for (let n = 0; n < 60; n++) {
      const kind = rng.pick(['kube', 'docker', 'firewall'] as const);
      let lines = generateRuleset({ kind, family: rng.pick(['ipv4', 'ipv6'] as const), rules: 150, seed: rng.int(1, 1e6) }).text.split('\n');
      let rs = parseRuleset(lines.join('\n'));
      let enc = encodeLines(rs);
      for (let step = 0; step < 4; step++) {
        const at = rng.int(0, lines.length - 1);
        const count = rng.int(1, 3);
        const put = rng.int(0, 2) === 0;
        lines = put ? [...lines.slice(0, at), ...Array.from({ length: count }, () => rng.pick(LINES)), ...lines.slice(at)] : [...lines.slice(0, at), ...lines.slice(at + count)];
        const next = parseRuleset(lines.join('\n'), { previous: rs });
        const got = encodeLines(next, enc);
        const fresh = encodeLines(parseRuleset(lines.join('\n')));
        assert.equal(got.parts.length, fresh.parts.length);
        assert.deepEqual(joinParts(got.parts), joinParts(fresh.parts), `ruleset ${n} step ${step}: ${put ? 'put in' : 'took out'} ${count} at ${at}`);
        const shift = next.lineCount - rs.lineCount;
        // (lines below the edit whose part was made again, though their reading moved with them)
        for (let ln = at + Math.max(count, 0) + 1; ln < next.lineCount; ln++) {
          if (got.parts[ln] === undefined || next.lines.get(ln)?.kind !== 'command') continue;
          moved++;
          if (got.parts[ln] === enc.parts[ln - shift]) keptMoved++;
        }
        rs = next;
        enc = got;
      }
    }
    assert.ok(moved > 10_000 && keptMoved > moved * 0.9, `${keptMoved} of ${moved} moved command lines kept their part`);
  });
});

describe('semantic tokens of lines an edit moved', () => {
  it('a line put in or taken out above: each moved line has its tokens on its new line, as a fresh read gives', () => {
    const lines = generateRuleset({ kind: 'docker', family: 'ipv4', rules: 200, seed: 4 }).text.split('\n');
    let rs = parseRuleset(lines.join('\n'));
    // (asked for every line first: what is kept for them is what a moved line could be given back)
    semanticTokens(rs);
    const at = lines.findIndex((l) => l.startsWith('-A '));
    for (const edited of [[...lines.slice(0, at), '-A FORWARD -s 10.1.2.3 -j DROP', ...lines.slice(at)], lines]) {
      rs = parseRuleset(edited.join('\n'), { previous: rs });
      assert.deepEqual(semanticTokens(rs), semanticTokens(parseRuleset(edited.join('\n'))));
    }
  });
});
