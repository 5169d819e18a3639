/**
 * What rules take in a walk, with the takes of run visits worked out when first read
 * (analysis/taken-map.ts): read back, the map holds what adding each take as it came holds, in the
 * same order, whatever is read first; and a run visit costs nothing until then.
 */
import { strict as assert } from 'node:assert';
import { banRunsOf, type RunVisit, takenInRun } from '../../server/src/analysis/ban-runs';
import { analysisContext } from '../../server/src/analysis/context';
import { Box, ISet, Space } from '../../server/src/analysis/packet-space';
import { verdictKind } from '../../server/src/analysis/reach';
import { TakenMap } from '../../server/src/analysis/taken-map';
import type { Rule } from '../../server/src/model/ruleset';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';

const LINES = ['*filter', ':INPUT DROP [0:0]', ':BL - [0:0]', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -j BL'];
// (the 21st ban repeats the 3rd)
for (let i = 0; i < 48; i++) LINES.push(i === 20 ? '-A BL -s 10.0.0.6/32 -j DROP' : `-A BL -s 10.0.${i >> 4}.${(i & 15) * 3}/${i % 5 === 0 ? 31 : 32} -j DROP`);
LINES.push('-A BL -s 10.0.0.0/32 -j DROP', 'COMMIT', '');

function fixture() {
  const rs = parseRuleset(LINES.join('\n'));
  const ctx = analysisContext(rs);
  const table = rs.tables.get('filter')!;
  const bl = table.chains.get('BL')!;
  const runs = banRunsOf({ env: ctx.env, compiled: ctx.compiled, terminal: (r) => verdictKind(r) === 'terminal' }, table, bl);
  const run = runs.get(0)!;
  assert.ok(run && run.end >= 40, 'the bans are one run');
  // packets of two boxes: sources 10.0.0.0-10.0.1.255 over TCP, and every source over UDP
  const boxes = [Box.of('src', ISet.of(0x0a000000n, 0x0a0001ffn)).with('proto', ISet.point(6n)), Box.of('proto', ISet.point(17n))];
  const visit = (upTo: number): RunVisit => ({ run, rules: bl.rules, boxes, los: [0x0a000000, 0], his: [0x0a0001ff, 0xffffffff], approximate: false, merged: 0, upTo });
  const input = rs.tables.get('filter')!.chains.get('INPUT')!.rules;
  return { bl: bl.rules, input, visit };
}

describe('taken map: takes of run visits worked out when read', () => {
  it('reads as the takes added one by one, in the order they came, unioned over visits', () => {
    const { bl, input, visit } = fixture();
    const some = Space.box(Box.of('dport', ISet.point(22n)));
    const other = Space.box(Box.of('dport', ISet.point(80n)));
    const even = (r: Rule) => r.line % 2 === 0;
    const every = () => true;
    // the same steps, to a TakenMap and by hand to a plain map
    const steps: (['one', Rule, Space] | ['run', RunVisit, (r: Rule) => boolean])[] = [
      ['one', input[0]!, some],
      ['run', visit(10), every],
      ['one', input[1]!, other],
      ['one', bl[3]!, some],
      ['run', visit(30), even],
      ['run', visit(0), every],
      ['one', input[0]!, other],
    ];
    const want = new Map<Rule, Space>();
    const union = (r: Rule, s: Space) => want.set(r, (want.get(r) ?? Space.NONE).union(s));
    const got = new TakenMap();
    for (const st of steps) {
      if (st[0] === 'one') {
        got.add(st[1], st[2]);
        union(st[1], st[2]);
      } else {
        got.addRun(st[1], st[2]);
        for (let k = 0; k < st[1].upTo; k++) if (st[2](bl[k]!)) union(bl[k]!, takenInRun(st[1], k));
      }
    }
    assert.equal(got.size, want.size);
    assert.deepEqual([...got.keys()], [...want.keys()], 'the same rules in the same order');
    for (const [r, s] of want) assert.ok(got.get(r)!.sameAs(s), `line ${r.line + 1}`);
    // a take added after the map was read goes where it would have gone
    got.add(bl[40]!, some);
    assert.equal([...got.keys()].at(-1), bl[40]);
  });

  it('works out nothing of a run visit until read, then each take once', () => {
    const { bl, visit } = fixture();
    const asked: number[] = [];
    const map = new TakenMap();
    map.addRun(visit(40), (r) => (asked.push(r.line), true));
    assert.deepEqual(asked, [], 'nothing asked before the map is read');
    assert.ok(map.has(bl[0]!));
    assert.equal(asked.length, 40);
    map.get(bl[5]!);
    assert.equal([...map].length, map.size);
    assert.equal(asked.length, 40, 'settled once');
    // what a range a rule before it had takes: nothing; a fresh one: its part of each box
    assert.equal(visit(40).run.dupOf[20], 2);
    assert.ok(map.get(bl[20]!)!.empty);
    const src = ISet.point(0x0a000003n);
    assert.ok(map.get(bl[1]!)!.sameAs(new Space([Box.of('src', src).with('proto', ISet.point(6n)), Box.of('proto', ISet.point(17n)).with('src', src)])));
  });
});
