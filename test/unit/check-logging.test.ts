import { strict as assert } from 'node:assert';
import { applyFix, fires, quiet } from '../support/check-harness';

describe('check: logging hygiene', function () {
  it('flags LOG without a limit and adds one', function () {
    const T = '*filter\n-A INPUT -j LOG --log-prefix "x: "\nCOMMIT\n';
    fires(T, 'log-without-limit');
    quiet(T.replace('-j LOG', '-m limit --limit 1/s -j LOG'), 'log-without-limit');
    assert.equal(applyFix(T, 'log-without-limit'), T.replace('-j LOG', '-m limit --limit 5/min --limit-burst 10 -j LOG'));
  });
  it('flags prefixes longer than 29 bytes and shortens them', function () {
    const T = '*filter\n-A INPUT -m limit -j LOG --log-prefix "this prefix is definitely too long: "\nCOMMIT\n';
    fires(T, 'log-prefix-too-long');
    quiet(T.replace('definitely too long', 'short'), 'log-prefix-too-long');
    assert.match(applyFix(T, 'log-prefix-too-long'), /--log-prefix "this prefix is definitely to "/);
  });
  it('flags a prefix without a trailing space and adds one', function () {
    const T = '*filter\n-A INPUT -m limit -j LOG --log-prefix DROPPED\nCOMMIT\n';
    fires(T, 'log-prefix-no-space');
    assert.equal(applyFix(T, 'log-prefix-no-space'), T.replace('DROPPED', '"DROPPED "'));
  });
  it('flags prefixes shared by several rules', function () {
    const T = '*filter\n-A INPUT -p tcp -m limit -j LOG --log-prefix "drop: "\n-A INPUT -p udp -m limit -j LOG --log-prefix "drop: "\nCOMMIT\n';
    fires(T, 'log-prefix-duplicate', 2);
    quiet(T.replace('-p udp -m limit -j LOG --log-prefix "drop: "', '-p udp -m limit -j LOG --log-prefix "udp: "'), 'log-prefix-duplicate');
  });
});
