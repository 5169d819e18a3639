/**
 * Items put in line order (service/line-order.ts) against a plain stable sort by line then start:
 * the same order for lists of every shape the diagnostics of a document take (a few per line,
 * scattered or in runs, many on one line, a handful over many lines, lines that are not counts),
 * one call after another (the counts are kept between calls), and the list itself when it is in
 * order already.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import type { Span } from '../../server/src/model/ruleset';
import { inLineOrder } from '../../server/src/service/line-order';
import { diagnose } from '../../server/src/service/diagnostics';
import { createRulesDocument } from '../../server/src/service/document';

interface Item {
  readonly span: Span;
  readonly id: number;
}

/** Items at the given (line, start) places, numbered in the order given. */
function itemsAt(places: readonly (readonly [number, number])[]): Item[] {
  return places.map(([line, start], id) => ({ span: { line, start, end: start + 1 }, id }));
}

/** The ids in the order a stable sort by line, then start, gives. */
function expected(items: readonly Item[]): number[] {
  return [...items].sort((a, b) => a.span.line - b.span.line || a.span.start - b.span.start).map((x) => x.id);
}

function check(items: readonly Item[], why: string): void {
  assert.deepEqual(
    inLineOrder(items).map((x) => x.id),
    expected(items),
    why,
  );
}

describe('line order', () => {
  it('returns the list itself when it is in order, ties included', () => {
    const items = itemsAt([
      [0, 0],
      [0, 0],
      [0, 4],
      [3, 1],
      [7, 0],
    ]);
    assert.equal(inLineOrder(items), items);
    assert.equal(inLineOrder([]).length, 0);
  });

  it('orders by line, then start, and keeps the given order of items at one place', () => {
    const items = itemsAt([
      [5, 3],
      [2, 9],
      [5, 0],
      [2, 9],
      [0, 1],
      [5, 3],
      [2, 1],
    ]);
    check(items, 'small');
    assert.deepEqual(
      inLineOrder(items).map((x) => x.id),
      [4, 6, 1, 3, 2, 0, 5],
    );
  });

  it('agrees with a stable sort on lists of many shapes, call after call', () => {
    const rng = new Rng(11);
    for (let round = 0; round < 300; round++) {
      const n = rng.int(0, 400);
      const lineCount = rng.pick([1, 3, 50, 2000, 100_000]);
      const places: [number, number][] = [];
      // runs in order (one check's findings) mixed with scattered ones (another check's)
      let line = rng.int(0, lineCount - 1);
      for (let i = 0; i < n; i++) {
        if (rng.int(0, 3) === 0) line = rng.int(0, lineCount - 1);
        else line = Math.min(lineCount - 1, line + rng.int(0, 2));
        places.push([line, rng.pick([0, 0, 1, rng.int(0, 80)])]);
      }
      check(itemsAt(places), `round ${round}: ${n} items over ${lineCount} lines`);
    }
  });

  it('orders many items on one line by start, ties kept', () => {
    const rng = new Rng(5);
    const places: [number, number][] = [];
    for (let i = 0; i < 500; i++) places.push([rng.pick([3, 3, 3, 9]), rng.int(0, 40)]);
    check(itemsAt(places), 'crowded lines');
  });

  it('orders a few items spread over very many lines, and lines that are not counts', () => {
    check(
      itemsAt([
        [9_000_000, 2],
        [12, 0],
        [4_000_000, 1],
        [12, 0],
      ]),
      'far apart',
    );
    check(
      itemsAt([
        [3, 0],
        [-1, 5],
        [2.5, 0],
        [0, 0],
      ]),
      'not counts',
    );
  });

  it('gives the diagnostics of a document in line order whatever the order of the checks', () => {
    // a policy finding on line 1 comes from another check than the rule findings below it, and a
    // chain declared but never used is found after the rules
    const text = [
      '*filter',
      ':INPUT DROP [0:0]',
      ':UNUSED - [0:0]',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
      '-A INPUT -m state --state ESTABLISHED -j ACCEPT',
      '-A INPUT -j LOG',
      'COMMIT',
    ].join('\n');
    const doc = createRulesDocument('file:///order.rules', 1, text, 'auto');
    const ds = diagnose(doc.ruleset, doc.lines);
    assert.ok(ds.length >= 3, `findings: ${ds.map((d) => d.code).join(', ')}`);
    const keys = ds.map((d) => [d.span.line, d.span.start] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    assert.deepEqual(keys, sorted);
  });
});
