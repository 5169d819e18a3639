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
import { listed, MAX_CHAIN_SYMBOLS, outline, type OutlineSymbol } from '../../server/src/service/symbols';
import { editedVersions, editInputs } from '../support/ruleset-edits';

/** Every symbol of an outline, depth first. */
function all(syms: readonly OutlineSymbol[], out: OutlineSymbol[] = []): OutlineSymbol[] {
  for (const s of syms) {
    out.push(s);
    all(s.children, out);
  }
  return out;
}

/**
 * `count` edits of a generated file, each made by `edit` (which changes the lines and says what it
 * did): for each, the outline of the version read from the one before (with the outline before),
 * the outline before, and the outline of the edited text read afresh.
 */
function* editedOutlines(kind: 'kube' | 'firewall' | 'docker', rules: number, seed: number, count: number, edit: (lines: string[], n: number) => string) {
  const lines = generateRuleset({ kind, family: 'ipv4', rules, seed }).text.split('\n');
  const len = (l: number) => lines[l]?.length ?? 0;
  let rs = parseRuleset(lines.join('\n'));
  let o = outline(rs, len);
  for (let n = 0; n < count; n++) {
    const what = `${kind} edit ${n}: ${edit(lines, n)}`;
    const next = parseRuleset(lines.join('\n'), { previous: rs });
    const got = outline(next, len, o);
    yield { got, before: o, fresh: outline(parseRuleset(lines.join('\n')), len), what };
    rs = next;
    o = got;
  }
}

describe('outline: after an edit', function () {
  this.timeout(120_000);

  it('is the outline of the edited text read afresh, with only the symbols that show a rewritten rule made again', function () {
    const rng = new Rng(0x0771);
    let patchedEdits = 0;
    let keptEdits = 0;
    for (const kind of ['kube', 'firewall', 'docker'] as const) {
      // rules rewritten in place: most of them not shown, some a chain's last rule or a rule
      // listed; and now and then one moved to another chain (every count can change)
      const edits = editedOutlines(kind, 3000, rng.int(1, 1e6), 40, (lines, n) => {
        const e = editOneLine(lines, rng);
        if (n % 10 === 9) e.text = e.text.replace(/^-A \S+/, '-A INPUT');
        lines[e.line] = e.text;
        return `line ${e.line + 1} -> ${e.text}`;
      });
      for (const { got, before, fresh, what } of edits) {
        assert.deepEqual(got.symbols, fresh.symbols, what);
        if (got.symbols === before.symbols) keptEdits++;
        else {
          const was = new Set(all(before.symbols));
          const made = all(got.symbols).filter((s) => !was.has(s));
          // a rule's line is shown by its chain's end, its listed symbol and the table's end, and the symbols holding those
          if (made.length <= 4) patchedEdits++;
        }
      }
    }
    assert.ok(keptEdits > 10 && patchedEdits > 50, `${keptEdits} outlines kept whole, ${patchedEdits} made again in a few symbols`);
  });

  it('after lines put in or taken out, is the outline of the edited text read afresh, moved rather than built again where the edit allows', function () {
    const rng = new Rng(0x5417);
    let movedEdits = 0;
    let rebuilt = 0;
    for (const kind of ['kube', 'firewall', 'docker'] as const) {
      // a copy of a rule put in below it (its port or comment changed), a line taken out, a blank
      // line or a comment put in; now and then at the top of the file, where rules are listed
      const edits = editedOutlines(kind, 12000, rng.int(1, 1e6), 20, (lines, n) => {
        const e = editOneLine(lines, rng);
        const edit = ['copy put in', 'line taken out', 'blank or comment put in', 'copy put in', 'line taken out'][n % 5]!;
        const at = n % 7 === 6 ? rng.int(1, 60) : e.line + 1;
        if (edit === 'copy put in') lines.splice(at, 0, e.text);
        else if (edit === 'line taken out') lines.splice(e.line, 1);
        else lines.splice(at, 0, rng.pick(['', '# a note']));
        return `${edit} near line ${e.line + 1}`;
      });
      for (const { got, before, fresh, what } of edits) {
        assert.deepEqual(got.symbols, fresh.symbols, what);
        assert.deepEqual([...got.shown].sort((a, b) => a - b), [...fresh.shown].sort((a, b) => a - b), `${what}: the lines shown`);
        assert.deepEqual(all(got.symbols).map((x) => x.rules), all(fresh.symbols).map((x) => x.rules), `${what}: the rule counts`);
        // (moved: the symbols above the edit are the previous objects)
        if (got.symbols[0] === before.symbols[0] || got.symbols[0]!.children[0] === before.symbols[0]!.children[0]) movedEdits++;
        else rebuilt++;
      }
    }
    assert.ok(movedEdits >= 30 && rebuilt >= 3, `${movedEdits} outlines moved, ${rebuilt} built again`);
  });
});

describe('outline: after edits of every kind to the fixtures, corpus dumps and generated files', function () {
  this.timeout(300_000);

  it('is the outline of the edited text read afresh (the symbols and the lines they show)', () => {
    let versions = 0;
    for (const input of editInputs()) {
      let lines = input.text.split('\n');
      const len = (l: number) => lines[l]?.length ?? 0;
      let rs = parseRuleset(input.text);
      let o = outline(rs, len);
      for (const { version: v, text } of editedVersions(input.text, new Rng(input.text.length ^ 0x0b7), input.text.length > 50_000 ? 6 : 20)) {
        lines = text.split('\n');
        rs = parseRuleset(text, { previous: rs });
        o = outline(rs, len, o);
        const fresh = outline(parseRuleset(text), len);
        assert.deepEqual(o.symbols, fresh.symbols, `${input.name}, version ${v}`);
        assert.deepEqual([...o.shown], [...fresh.shown], `${input.name}, version ${v}: the lines shown`);
        versions++;
      }
    }
    assert.ok(versions > 200, `${versions} versions compared`);
  });
});

describe('outline: after two edits that each moved lines, asked for after the second only', () => {
  it('is found by comparing the lines (the parse keeps no single move from the version it was made for), and moved all the same', function () {
    this.timeout(60_000);
    const lines = generateRuleset({ kind: 'kube', family: 'ipv4', rules: 12000, seed: 0x2e }).text.split('\n');
    const len = (l: number) => lines[l]?.length ?? 0;
    const rng = new Rng(0x2e);
    let rs = parseRuleset(lines.join('\n'));
    let o = outline(rs, len);
    let moved = 0;
    for (let n = 0; n < 8; n++) {
      // a copy of a rule put in below it, then another, read one after the other
      const e = editOneLine(lines, rng);
      lines.splice(e.line + 1, 0, e.text);
      const between = parseRuleset(lines.join('\n'), { previous: rs });
      lines.splice(e.line + 1, 0, e.text.replace(/ -j /, ' -m comment --comment "copy" -j '));
      rs = parseRuleset(lines.join('\n'), { previous: between });
      const got = outline(rs, len, o);
      const fresh = outline(parseRuleset(lines.join('\n')), len);
      assert.deepEqual(got.symbols, fresh.symbols, `round ${n}`);
      assert.deepEqual([...got.shown], [...fresh.shown], `round ${n}: the lines shown`);
      if (got.symbols[0]!.children[0] === o.symbols[0]!.children[0]) moved++;
      o = got;
    }
    assert.ok(moved >= 4, `${moved} of 8 moved`);
  });
});

describe('outline: the lines it shows, after a rule put in below the last rule of its chain', () => {
  // six chains of 1 000 rules list the 5 000 rules the outline lists in all: X and E list none,
  // and a rule put in at the end of either moves the outline (it would not be listed)
  const base = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ...Array.from({ length: 6 }, (_, i) => `:A${i} - [0:0]`),
    ':X - [0:0]',
    ':E - [0:0]',
    ...Array.from({ length: 6000 }, (_, i) => `-A A${Math.floor(i / 1000)} -s 10.${Math.floor(i / 1000)}.${(i >> 8) & 3}.${i & 255}/32 -j DROP`),
    '-A X -p tcp -m tcp --dport 1 -j ACCEPT',
    '-A X -p tcp -m tcp --dport 2 -j ACCEPT',
    '-A INPUT -j X',
    'COMMIT',
    '',
  ];
  const lastOfX = base.indexOf('-A X -p tcp -m tcp --dport 2 -j ACCEPT');
  const after = (line: string) => {
    const lines = base.slice();
    lines.splice(lastOfX + 1, 0, line);
    const len = (text: string[]) => (l: number) => text[l]?.length ?? 0;
    const rs = parseRuleset(base.join('\n'));
    const before = outline(rs, len(base));
    const got = outline(parseRuleset(lines.join('\n'), { previous: rs }), len(lines), before);
    const fresh = outline(parseRuleset(lines.join('\n')), len(lines));
    assert.equal(got.symbols[0]!.children[1], before.symbols[0]!.children[1], 'moved, not built again (A0 ends above the edit)');
    assert.deepEqual(got.symbols, fresh.symbols);
    assert.deepEqual([...got.shown], [...fresh.shown]);
    return { before, got };
  };

  it('the line the chain ended on is no longer shown, the new one is', () => {
    const { before, got } = after('-A X -p tcp -m tcp --dport 3 -j ACCEPT');
    assert.ok(before.shown.has(lastOfX) && !got.shown.has(lastOfX));
    assert.ok(got.shown.has(lastOfX + 1));
  });

  it('a chain without rules keeps its own line shown: it ended there, and begins there', () => {
    const { got } = after('-A E -j RETURN');
    assert.ok(got.shown.has(base.indexOf(':E - [0:0]')));
    assert.ok(got.shown.has(lastOfX + 1));
  });
});

describe('outline: the chains listed', () => {
  /** Two tables of `n` user chains each, every chain with one rule. */
  function tables(n: number): string {
    const out: string[] = [];
    for (const t of ['filter', 'nat']) {
      out.push(`*${t}`, ':OUTPUT ACCEPT [0:0]');
      for (let i = 0; i < n; i++) out.push(`:C${i} - [0:0]`);
      for (let i = 0; i < n; i++) out.push(`-A C${i} -s 10.0.${i >> 8}.${i & 255} -j RETURN`);
      out.push('COMMIT');
    }
    return out.join('\n') + '\n';
  }
  const len = (text: string) => (l: number) => text.split('\n')[l]?.length ?? 0;

  it('up to the limit in file order, then in each table one symbol that says how many more it has and where they begin', () => {
    const text = tables(30);
    const full = outline(parseRuleset(text), len(text)).symbols;
    // 31 chains a table (OUTPUT and 30 user chains): 40 listed leaves 9 of the second table
    const syms = listed(full, 40);
    assert.deepEqual(syms[0], full[0], 'the first table whole');
    const nat = syms[1]!;
    assert.equal(nat.children.length, 10);
    assert.deepEqual(nat.children.slice(0, 9), full[1]!.children.slice(0, 9));
    const more = nat.children[9]!;
    assert.equal(more.kind, 'more');
    assert.equal(more.name, '22 more chains');
    const firstLeft = full[1]!.children[9]!;
    assert.deepEqual(more.selection, firstLeft.selection, 'it begins where the first chain left out is declared');
    assert.equal(more.range.line, firstLeft.range.line);
    assert.equal(more.range.endLine, nat.range.endLine, 'to the end of its table');
    assert.equal(listed(full, 40), syms, 'the same list for the same outline');
    // a table with none left: only the symbol
    const none = listed(full, 31);
    assert.deepEqual(none[1]!.children.map((c) => c.name), ['31 more chains']);
    assert.equal(listed(full, 1).flatMap((t) => t.children).filter((c) => c.kind !== 'more').length, 1);
  });

  it('leaves an outline within the limit as it is', () => {
    const text = tables(30);
    const full = outline(parseRuleset(text), len(text)).symbols;
    assert.equal(listed(full, 62), full);
    assert.equal(listed(full), full);
    assert.ok(MAX_CHAIN_SYMBOLS >= 1000);
  });
});
