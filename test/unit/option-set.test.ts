/**
 * The checks of a match's or target's options taken together (analysis/rule-validity.ts,
 * checkOptionSet): an option given twice, a required one missing, two that exclude each other,
 * one that needs another, a module that does nothing without one of its options. A handful of
 * options are scanned; many (a hostile line) go through a map; both must say the same.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { checkLongOptionSet, checkOptionSet } from '../../server/src/analysis/rule-validity';
import type { OptionSpec } from '../../server/src/knowledge/types';
import type { Finding, OptionNode } from '../../server/src/model/ruleset';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { validityFindings } from '../../server/src/analysis/validity';

const SPECS: readonly OptionSpec[] = [
  { name: '--a', args: [], summary: 'a' },
  { name: '--b', args: [], multi: true, summary: 'b' },
  { name: '--c', args: [], excludes: ['--d'], summary: 'c' },
  { name: '--d', args: [], excludes: ['--c'], summary: 'd' },
  { name: '--e', args: [], requires: ['--a'], summary: 'e' },
  { name: '--f', args: [], required: true, summary: 'f' },
  { name: '--g', args: [], requires: ['--b', '--f'], excludes: ['--a'], summary: 'g' },
];

function node(spec: OptionSpec | undefined, at: number): OptionNode {
  const word = { text: spec?.name ?? '--zz', start: at * 4, end: at * 4 + 3, quoted: false };
  return { word, nameSpan: word, name: word.text, negated: false, args: [], owner: 'match', ...(spec ? { spec } : {}) };
}

function both(used: readonly OptionNode[], needsOneOf?: readonly string[]): [Finding[], Finding[]] {
  const anchor = { start: 0, end: 2 };
  const scanned: Finding[] = [];
  const mapped: Finding[] = [];
  checkOptionSet(3, '-m x', anchor, SPECS, used, needsOneOf, scanned);
  checkLongOptionSet(3, '-m x', anchor, SPECS, used, needsOneOf, mapped);
  return [scanned, mapped];
}

describe('option set: the options of one match or target together', function () {
  it('each rule of the set, scanned', function () {
    const codes = (names: string[]) => both(names.map((n, k) => node(SPECS.find((s) => s.name === n), k)))[0].map((f) => `${f.code} ${f.span.start}`);
    assert.deepEqual(codes(['--f', '--a', '--a']), ['option-repeated 8'], 'the second --a');
    assert.deepEqual(codes(['--f', '--b', '--b']), [], '--b may be given many times');
    assert.deepEqual(codes(['--a']), ['missing-required-option 0']);
    assert.deepEqual(codes(['--f', '--d', '--c']), ['option-conflict 8'], 'once, on the later of the two');
    assert.deepEqual(codes(['--f', '--e']), ['option-conflict 4'], '--e needs --a');
    assert.deepEqual(codes(['--f', '--g', '--a']), ['option-conflict 8', 'option-conflict 4'], '--a after --g, and no --b');
  });

  it('scanning and the map say the same, in the same order, on random sets', function () {
    const rng = new Rng(7);
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const n = rng.int(0, 16);
      const used = Array.from({ length: n }, (_, k) => node(rng.int(0, 9) === 0 ? undefined : SPECS[rng.int(0, SPECS.length - 1)], k));
      const needs = rng.pick([undefined, [], ['--a', '--e']]);
      const [scanned, mapped] = both(used, needs);
      assert.deepEqual(scanned, mapped, used.map((o) => o.name).join(' '));
      compared += scanned.length;
    }
    assert.ok(compared > 3000, 'the random sets do have findings to compare');
  });

  it('a hostile line with a match of many options is checked through the map', function () {
    const many = Array.from({ length: 40 }, () => '--hitcount 2').join(' ');
    const rs = parseRuleset(`*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m recent --name x --rcheck --set ${many} -j DROP\nCOMMIT\n`);
    const codes = validityFindings(rs).map((f) => f.code);
    assert.equal(codes.filter((c) => c === 'option-repeated').length, 39, 'every --hitcount after the first');
    assert.ok(codes.includes('option-conflict'), '--rcheck and --set');
  });
});
