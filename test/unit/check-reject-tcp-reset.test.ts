import { strict as assert } from 'node:assert';
import { checkRejectTcpReset } from '../../server/src/analysis/checks/reject-tcp-reset';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { applyFix, fires, keepsOtherLines, quiet } from '../support/check-harness';

describe('check: reject-without-tcp-reset', function () {
  const T = '*filter\n-A INPUT -p tcp --dport 25 -j REJECT\n-A INPUT -s 192.0.2.9 -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n';
  it('fires on REJECTs that can answer TCP with ICMP', function () {
    fires(T, 'reject-without-tcp-reset', 2);
  });
  it('stays quiet with tcp-reset or for non-TCP rules', function () {
    quiet('*filter\n-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n-A INPUT -p udp -j REJECT\nCOMMIT\n', 'reject-without-tcp-reset');
  });
  it('adds tcp-reset to a TCP rule, and a TCP copy in front of a mixed one', function () {
    const a = applyFix('*filter\n-A INPUT -p tcp --dport 25 -j REJECT\nCOMMIT\n', 'reject-without-tcp-reset');
    assert.equal(a, '*filter\n-A INPUT -p tcp --dport 25 -j REJECT --reject-with tcp-reset\nCOMMIT\n');
    const mixed = '*filter\n-A INPUT -s 192.0.2.9 -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n';
    const b = applyFix(mixed, 'reject-without-tcp-reset');
    assert.equal(b, '*filter\n-A INPUT -p tcp -s 192.0.2.9 -j REJECT --reject-with tcp-reset\n-A INPUT -s 192.0.2.9 -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n');
    keepsOtherLines(mixed, b);
  });
  it('stays quiet on a mixed REJECT once its fix put the TCP copy in front (no TCP reaches it any more)', function () {
    // kernel-checked in test/kernel/story4-reset.test.ts: the copy counts the SYN, the original none
    const mixed = '*filter\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -s 192.0.2.9 -j REJECT\nCOMMIT\n';
    const fixed = applyFix(mixed, 'reject-without-tcp-reset');
    quiet(fixed, 'reject-without-tcp-reset');
    // still fires where TCP does get through: a copy for another host; a chain nothing jumps to is judged alone
    fires(fixed.replace('-p tcp -s 192.0.2.9', '-p tcp -s 192.0.2.10'), 'reject-without-tcp-reset');
    const unused = '*filter\n:BAN - [0:0]\n-A BAN -j REJECT\nCOMMIT\n';
    fires(unused, 'reject-without-tcp-reset');
    quiet(applyFix(unused, 'reject-without-tcp-reset'), 'reject-without-tcp-reset');
  });
  it('stays quiet on a REJECT in a jumped-to chain that every TCP packet is accepted before', function () {
    // the walk of TCP packets never gets into X: that is no TCP reaching it, not a chain judged alone
    const T2 = '*filter\n:X - [0:0]\n-A INPUT -p tcp -j ACCEPT\n-A INPUT -j X\n-A X -j REJECT\nCOMMIT\n';
    quiet(T2, 'reject-without-tcp-reset');
    fires(T2.replace('-p tcp -j ACCEPT', '-p tcp --dport 22 -j ACCEPT'), 'reject-without-tcp-reset');
  });
  it('a REJECT in none of its table\'s chains moves with its line: what a table keeps is not kept for another line', function () {
    // (`-A POSTROUTING` in raw, which has no such chain: the table reads the same after a line is put
    // in above it, and its findings were kept on the old line)
    const cur = ['-P INPUT ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', '*raw', '-A POSTROUTING -s 172.17.0.0/16 -j REJECT', 'COMMIT', ''];
    let prev = parseRuleset(cur.join('\n'));
    assert.deepEqual(checkRejectTcpReset(prev).map((f) => f.span.line), [3]);
    for (let v = 0; v < 6; v++) {
      if (v % 3 === 2) cur.splice(1, 1);
      else cur.splice(1, 0, `-A INPUT -p udp --dport ${53 + v} -j ACCEPT`);
      const inc = parseRuleset(cur.join('\n'), { previous: prev });
      const line = cur.indexOf('-A POSTROUTING -s 172.17.0.0/16 -j REJECT');
      assert.deepEqual(checkRejectTcpReset(inc).map((f) => f.span.line), [line], `version ${v}`);
      assert.deepEqual(checkRejectTcpReset(inc), checkRejectTcpReset(parseRuleset(cur.join('\n'))), `version ${v}`);
      prev = inc;
    }
  });
});
