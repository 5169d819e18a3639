/** Values in plain words (knowledge/describe-values.ts): numbers grouped by thousands, ports and addresses with their sizes. */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { describeAddress, describePorts, groupedDigits } from '../../server/src/knowledge/describe-values';

describe('describe values', function () {
  it('groups the digits of whole numbers by thousands as the en-US locale does', function () {
    const rng = new Rng(0xd16);
    const values = [0, 1, 12, 999, 1000, 1001, 65535, 100000, 999999, 1000000, 16777216, 2 ** 32, 2 ** 53 - 1, -1, -1000, -1234567];
    for (let k = 0; k < 5000; k++) values.push(rng.int(0, 10 ** rng.int(0, 15)));
    for (const n of values) assert.equal(groupedDigits(n), n.toLocaleString('en-US'), String(n));
  });

  it('says how many ports a range holds and how many addresses a network has', function () {
    assert.match(describePorts('1024:65535', 'tcp'), /64,512 ports/);
    assert.match(describeAddress('10.0.0.0/8', 'ipv4'), /16,777,216 addresses/);
  });
});
