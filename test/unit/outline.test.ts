/**
 * The outline of a version read from the one before (service/symbols.ts): kept whole when the edit
 * rewrote rules it does not show, made again only in the symbols that show a rewritten rule (the
 * chain it ends, the rule listed for it) when that is all the edit changed, moved below lines put
 * in or taken out, and in every case the outline of the new text read afresh.
 */
import { strict as assert } from 'node:assert';
import { generateRuleset, editOneLine } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { outline, type OutlineSymbol } from '../../server/src/service/symbols';

/** Every symbol of an outline, depth first. */
function all(syms: readonly OutlineSymbol[], out: OutlineSymbol[] = []): OutlineSymbol[] {
  for (const s of syms) {
    out.push(s);
    all(s.children, out);
  }
  return out;
}

describe('outline: after an edit', function () {
  this.timeout(120_000);

  it('is the outline of the edited text read afresh, with only the symbols that show a rewritten rule made again', function () {
    const rng = new Rng(0x0771);
    let patchedEdits = 0;
    let keptEdits = 0;
    for (const kind of ['kube', 'firewall', 'docker'] as const) {
      const lines = generateRuleset({ kind, family: 'ipv4', rules: 3000, seed: rng.int(1, 1e6) }).text.split('\n');
      const len = (l: number) => lines[l]?.length ?? 0;
      let rs = parseRuleset(lines.join('\n'));
      let o = outline(rs, len);
      for (let n = 0; n < 40; n++) {
        // rules rewritten in place: most of them not shown, some a chain's last rule or a rule
        // listed; and now and then one moved to another chain (every count can change)
        const e = editOneLine(lines, rng);
        if (n % 10 === 9) e.text = e.text.replace(/^-A \S+/, '-A INPUT');
        lines[e.line] = e.text;
        const next = parseRuleset(lines.join('\n'), { previous: rs });
        const got = outline(next, len, o);
        const fresh = outline(parseRuleset(lines.join('\n')), len);
        assert.deepEqual(got.symbols, fresh.symbols, `${kind} edit ${n}: line ${e.line + 1} -> ${e.text}`);
        if (got.symbols === o.symbols) keptEdits++;
        else {
          const before = new Set(all(o.symbols));
          const after = all(got.symbols);
          const made = after.filter((s) => !before.has(s));
          // a rule's line is shown by its chain's end, its listed symbol and the table's end, and the symbols holding those
          if (made.length <= 4) patchedEdits++;
        }
        rs = next;
        o = got;
      }
    }
    assert.ok(keptEdits > 10 && patchedEdits > 50, `${keptEdits} outlines kept whole, ${patchedEdits} made again in a few symbols`);
  });

  it('after lines put in or taken out, is the outline of the edited text read afresh, moved rather than built again where the edit allows', function () {
    const rng = new Rng(0x5417);
    let movedEdits = 0;
    let rebuilt = 0;
    for (const kind of ['kube', 'firewall', 'docker'] as const) {
      const lines = generateRuleset({ kind, family: 'ipv4', rules: 12000, seed: rng.int(1, 1e6) }).text.split('\n');
      const len = (l: number) => lines[l]?.length ?? 0;
      let rs = parseRuleset(lines.join('\n'));
      let o = outline(rs, len);
      for (let n = 0; n < 20; n++) {
        // a copy of a rule put in below it (its port or comment changed), a line taken out, a blank
        // line or a comment put in; now and then at the top of the file, where rules are listed
        const e = editOneLine(lines, rng);
        const edit = ['copy put in', 'line taken out', 'blank or comment put in', 'copy put in', 'line taken out'][n % 5]!;
        const at = n % 7 === 6 ? rng.int(1, 60) : e.line + 1;
        if (edit === 'copy put in') lines.splice(at, 0, e.text);
        else if (edit === 'line taken out') lines.splice(e.line, 1);
        else lines.splice(at, 0, rng.pick(['', '# a note']));
        const next = parseRuleset(lines.join('\n'), { previous: rs });
        const got = outline(next, len, o);
        const fresh = outline(parseRuleset(lines.join('\n')), len);
        assert.deepEqual(got.symbols, fresh.symbols, `${kind} edit ${n} (${edit}) near line ${e.line + 1}`);
        assert.deepEqual([...got.shown].sort((a, b) => a - b), [...fresh.shown].sort((a, b) => a - b), `${kind} edit ${n}: the lines shown`);
        assert.deepEqual(all(got.symbols).map((x) => x.rules), all(fresh.symbols).map((x) => x.rules), `${kind} edit ${n}: the rule counts`);
        // (moved: the symbols above the edit are the previous objects)
        if (got.symbols[0] === o.symbols[0] || got.symbols[0]!.children[0] === o.symbols[0]!.children[0]) movedEdits++;
        else rebuilt++;
        rs = next;
        o = got;
      }
    }
    assert.ok(movedEdits >= 30 && rebuilt >= 3, `${movedEdits} outlines moved, ${rebuilt} built again`);
  });
});
