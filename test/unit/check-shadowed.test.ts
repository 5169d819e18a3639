import { strict as assert } from 'node:assert';
import { fixture } from '../support/fixtures';
import { fires, quiet } from '../support/check-harness';

describe('check: shadowed, redundant and unreachable rules', function () {
  it('finds a rule covered by earlier rules with another verdict (story 3)', function () {
    const [f] = fires(fixture('story3.rules'), 'shadowed-rule');
    assert.equal(f!.span.line, 2);
    assert.match(f!.message, /line 2/);
  });
  it('finds coverage by several rules, prefixes and port ranges', function () {
    const T = '*filter\n-A INPUT -s 10.0.0.0/9 -j DROP\n-A INPUT -s 10.128.0.0/9 -j DROP\n-A INPUT -s 10.1.2.3 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
    const [f] = fires(T, 'shadowed-rule');
    assert.match(f!.message, /line 2/);
    const ports = '*filter\n-A INPUT -p tcp --dport 1:1000 -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT\nCOMMIT\n';
    fires(ports, 'redundant-rule');
  });
  it('handles interfaces with + wildcards and negations', function () {
    fires('*filter\n-A FORWARD -i eth+ -j DROP\n-A FORWARD -i eth0 -j ACCEPT\nCOMMIT\n', 'shadowed-rule');
    quiet('*filter\n-A FORWARD -i eth+ -j DROP\n-A FORWARD -i wlan0 -j ACCEPT\nCOMMIT\n', 'shadowed-rule');
    fires('*filter\n-A INPUT ! -s 10.0.0.0/8 -j DROP\n-A INPUT -s 192.168.1.1 -j ACCEPT\nCOMMIT\n', 'shadowed-rule');
  });
  it('does not let undecidable rules cover others, and respects states', function () {
    quiet('*filter\n-A INPUT -m limit --limit 1/s -j DROP\n-A INPUT -j ACCEPT\nCOMMIT\n', 'shadowed-rule');
    quiet('*filter\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n', 'shadowed-rule');
  });
  it('marks every rule after an unconditional verdict unreachable', function () {
    fires('*filter\n-A INPUT -j ACCEPT\n-A INPUT -p tcp -j DROP\n-A INPUT -j LOG\nCOMMIT\n', 'unreachable-rule', 2);
  });
  it('finds a rule whose removal changes nothing because later rules do the same', function () {
    fires('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1 -j DROP\n-A INPUT -s 10.0.0.0/8 -j DROP\nCOMMIT\n', 'redundant-rule');
    quiet('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1 -j DROP\n-A INPUT -s 10.0.0.0/8 -j LOG\n-A INPUT -s 10.0.0.0/8 -j DROP\nCOMMIT\n', 'redundant-rule');
  });
});
