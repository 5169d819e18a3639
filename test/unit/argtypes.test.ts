/**
 * Numbers and protocols as iptables reads them (knowledge/argtypes.ts, knowledge/generic.ts):
 * xtables_strtoul's rules (decimal, 0x hex, leading-0 octal, leading blanks and `+`), the range
 * check, and -p values by name or number.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { addressList, parseUintIn, parseUnsigned } from '../../server/src/knowledge/argtypes';
import { protocolNumber } from '../../server/src/knowledge/generic';

describe('argument numbers and protocols', function () {
  it('reads numbers by strtoul base 0 rules and checks the range', function () {
    const cases: [string, number | undefined][] = [
      ['0', 0], ['7', 7], ['65535', 65535], ['65536', undefined], ['010', 8], ['08', undefined], ['00', 0],
      ['0x1f', 31], ['0X1F', 31], ['+5', 5], [' 5', 5], ['\t+12', 12], ['', undefined], ['-1', undefined],
      ['5 ', undefined], ['1e3', undefined], ['12a', undefined], ['999999999999999999999', undefined],
    ];
    for (const [text, want] of cases) assert.equal(parseUintIn(text, 0, 65535), want, JSON.stringify(text));
    assert.equal(parseUintIn('10', 0, 255, 16), 16);
    assert.equal(parseUintIn('010', 0, 255, 10), 10);
    assert.equal(parseUintIn('5', 6, 10), undefined);
    assert.equal(parseUintIn('10', 6, 10), 10);
  });

  it('gives what the general reading gives for any text made of digits, signs, blanks and hex letters', function () {
    // (plain decimals take a shorter road than parseUnsigned: the two must agree everywhere)
    const rng = new Rng(0xa16);
    const alphabet = '0123456789000111+ \tx9fF';
    for (let k = 0; k < 20000; k++) {
      let text = '';
      for (let n = rng.int(0, rng.int(0, 1) ? 4 : 18); n > 0; n--) text += alphabet[rng.int(0, alphabet.length - 1)];
      const base = rng.pick([0, 10, 16] as const);
      const [min, max] = rng.pick([[0, 255], [0, 65535], [1, 32], [0, 2 ** 32 - 1], [0, Number.MAX_SAFE_INTEGER]] as const);
      const v = parseUnsigned(text, base);
      const want = v === undefined || v < BigInt(min) || v > BigInt(max) ? undefined : Number(v);
      assert.equal(parseUintIn(text, min, max, base), want, `${JSON.stringify(text)} base ${base} in ${min}-${max}`);
    }
  });

  it('resolves -p values by name (any case) or number, the same each time asked', function () {
    for (let round = 0; round < 2; round++) {
      assert.equal(protocolNumber('tcp'), 6);
      assert.equal(protocolNumber('TCP'), 6);
      assert.equal(protocolNumber('6'), 6);
      assert.equal(protocolNumber('udp'), 17);
      assert.equal(protocolNumber('icmpv6'), 58);
      assert.equal(protocolNumber('all'), 0);
      assert.equal(protocolNumber('0'), 0);
      assert.equal(protocolNumber('256'), undefined);
      assert.equal(protocolNumber('no-such-protocol'), undefined);
    }
    // many distinct unknown values (the memo of values stops growing; the answers do not change)
    for (let k = 0; k < 3000; k++) assert.equal(protocolNumber(`junk${k}`), undefined);
    assert.equal(protocolNumber('gre'), 47);
    assert.equal(protocolNumber('junk5'), undefined);
  });

  it('checks an address list item by item: the first problem, and the first host name to warn about', function () {
    const v4 = { family: 'ipv4' } as const;
    const v6 = { family: 'ipv6' } as const;
    assert.equal(addressList.check('10.0.0.1', v4), undefined);
    assert.equal(addressList.check('10.0.0.0/8,192.0.2.1', v4), undefined);
    assert.match(addressList.check('10.0.0.1/33', v4) ?? '', /prefix length/);
    assert.match(addressList.check('10.0.0.1,2001:db8::1', v4) ?? '', /IPv6 address in an IPv4 ruleset/);
    assert.match(addressList.check('10.0.0.999,10.0.0.1/40', v4) ?? '', /10\.0\.0\.999/);
    assert.match(addressList.check('2001:db8::1/129', v6) ?? '', /between 0 and 128/);
    assert.equal(addressList.check('', v4), 'expected an address');
    assert.equal(addressList.warn!('10.0.0.1', v4), undefined);
    assert.equal(addressList.warn!('10.0.0.0/8,192.0.2.1', v4), undefined);
    assert.match(addressList.warn!('example.org/24', v4) ?? '', /`example\.org` is a host name/);
    assert.match(addressList.warn!('10.0.0.1,a.example,b.example', v4) ?? '', /`a\.example` is a host name/);
    assert.equal(addressList.warn!('', v4), undefined);
  });
});
