import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { checkUnusedChain } from '../../server/src/analysis/checks/unused-chain';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { fires, quiet } from '../support/check-harness';

describe('check: unused-chain', function () {
  it('flags a user chain nobody jumps to', function () {
    fires('*filter\n:SPARE - [0:0]\n-A SPARE -j DROP\nCOMMIT\n', 'unused-chain');
    quiet('*filter\n:USED - [0:0]\n-A INPUT -j USED\nCOMMIT\n', 'unused-chain');
  });
  it('after lines put in and taken out (jumps among them), finds what a fresh check finds, on the moved declarations', function () {
    // the chains an edit did not renew keep their finding, moved with their declaration line
    const rng = new Rng(0x0c4a);
    const names = ['A', 'B', 'C', 'D', 'E'];
    const cur = ['*filter', ':INPUT ACCEPT [0:0]', ...names.map((n) => `:${n} - [0:0]`), '-A INPUT -j A', '-A A -j B', '-A C -p tcp -j DROP', 'COMMIT', ''];
    let prev = parseRuleset(cur.join('\n'));
    checkUnusedChain(prev);
    let seen = 0;
    for (let v = 0; v < 80; v++) {
      // lines go in or out above the declarations too (a comment), so that their findings move
      const top = rng.int(0, 4) === 0;
      const at = top ? 1 : rng.int(2 + names.length, cur.length - 2);
      const kind = rng.int(0, 2);
      if (top) cur.splice(at, cur[at] === '# moved' ? 1 : 0, ...(cur[at] === '# moved' ? [] : ['# moved']));
      else if (kind === 0) cur.splice(at, 0, `-A ${rng.pick(['INPUT', ...names])} -j ${rng.pick(names)}`);
      else if (kind === 1) cur.splice(at, 0, `-A ${rng.pick(names)} -s 10.0.0.${v} -j DROP`);
      else if (at < cur.length - 2) cur.splice(at, 1);
      const inc = parseRuleset(cur.join('\n'), { previous: prev });
      const got = checkUnusedChain(inc);
      assert.deepEqual(got, checkUnusedChain(parseRuleset(cur.join('\n'))), `version ${v}: ${cur.join(' | ')}`);
      seen += got.length;
      prev = inc;
    }
    assert.ok(seen > 80, `${seen} findings`);
  });
});
