import { strict as assert } from 'node:assert';
import { setWalkBudget } from '../../server/src/analysis/reach';
import { allFindings } from '../../server/src/analysis/all-checks';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { applyFix, fires, keepsOtherLines, quiet } from '../support/check-harness';

const T = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';

describe('check: missing ESTABLISHED and loopback accepts', function () {
  it('fires on a dropping INPUT without them', function () {
    fires(T, 'missing-established-accept');
    fires(T, 'missing-loopback-accept');
  });
  it('fires when only the loopback accept is there: it takes no reply from the network', function () {
    // kernel-checked in test/kernel/checks-baseline.test.ts: the SYN ACK of an outgoing connection is dropped
    const loOnly = T.replace('-A INPUT -p tcp', '-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp');
    fires(loOnly, 'missing-established-accept');
    quiet(loOnly, 'missing-loopback-accept');
    quiet(loOnly.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -i eth0 -j ACCEPT'), 'missing-established-accept');
  });
  it('stays quiet when they exist, when the policy accepts, or when the chain accepts nothing', function () {
    const ok = T.replace('-A INPUT -p tcp', '-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp');
    quiet(ok, 'missing-established-accept');
    quiet(ok, 'missing-loopback-accept');
    quiet(T.replace(':INPUT DROP', ':INPUT ACCEPT'), 'missing-established-accept');
    quiet('*filter\n:FORWARD DROP [0:0]\nCOMMIT\n', 'missing-established-accept');
  });
  it('inserts the accepts at the top of the chain', function () {
    const out = applyFix(T, 'missing-established-accept');
    assert.equal(out, T.replace('-A INPUT -p tcp', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp'));
    const lo = applyFix(T, 'missing-loopback-accept');
    assert.equal(lo, T.replace('-A INPUT -p tcp', '-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp'));
    keepsOtherLines(T, lo);
  });
  it('goes below the loopback accept only when nothing above it drops the replies', function () {
    const dropsFirst = T.replace('-A INPUT -p tcp', '-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp');
    const out = applyFix(dropsFirst, 'missing-established-accept');
    assert.equal(out, dropsFirst.replace('-A INPUT -p tcp -j REJECT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp -j REJECT'));
    quiet(out, 'missing-established-accept');
  });

  describe('a FORWARD chain whose isolation chains split the packets per interface (a Docker host)', function () {
    /** n bridges, Docker's two isolation stages, then the reply accept of the first bridge. */
    const docker = (n: number, before = '') => {
      const br = Array.from({ length: n }, (_, i) => `br-${(i * 7919).toString(16).padStart(6, '0')}`);
      return [
        '*filter',
        ':FORWARD DROP [0:0]',
        ':ISO1 - [0:0]',
        ':ISO2 - [0:0]',
        '-A FORWARD -j ISO1',
        ...(before ? [before] : []),
        `-A FORWARD -o ${br[0]} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
        `-A FORWARD -i ${br[0]} ! -o ${br[0]} -j ACCEPT`,
        ...br.map((b) => `-A ISO1 -i ${b} ! -o ${b} -j ISO2`),
        '-A ISO1 -j RETURN',
        ...br.map((b) => `-A ISO2 -o ${b} -j DROP`),
        '-A ISO2 -j RETURN',
        'COMMIT',
        '',
      ].join('\n');
    };
    const codes = (text: string) => allFindings(parseRuleset(text)).map((f) => f.code);
    afterEach(() => setWalkBudget(undefined));

    it('finds the reply accept with a walk limit the whole probe would exceed', function () {
      const text = docker(60);
      // the whole probe splits into a piece per bridge; the accept's own packets stay one piece
      setWalkBudget(20_000);
      const c = codes(text);
      assert.ok(!c.includes('missing-established-accept') && !c.includes('analysis-limit'), c.join(' '));
    });

    it('finds the reply accept from one packet of the accept\'s own part, under a limit that part\'s walk would exceed', function () {
      // the part loses one interface to each rule of the first stage: its walk takes work in the
      // square of the bridges; one packet of it crosses the stage rule by rule
      const text = docker(400);
      setWalkBudget(20_000);
      const c = codes(text);
      assert.ok(!c.includes('missing-established-accept') && !c.includes('analysis-limit'), c.join(' '));
    });

    it('walks all the packets when the one packet tried first is dropped before any accept', function () {
      // the lowest packet has source 0.0.0.0: dropped here, while the others reach the accepts
      const c = codes(docker(8, '-A FORWARD -s 0.0.0.0/8 -j DROP'));
      assert.ok(!c.includes('missing-established-accept') && !c.includes('analysis-limit'), c.join(' '));
    });

    it('still says the accept is missing when the packets of the chain\'s own accepts never get there', function () {
      // every reply is dropped before the accepts
      const drop = '-A FORWARD -m conntrack --ctstate ESTABLISHED -j DROP';
      assert.ok(codes(docker(8, drop)).includes('missing-established-accept'));
      // and past the limit it says it did not check, not that the accept is there
      setWalkBudget(300);
      const c = codes(docker(60, drop));
      assert.ok(c.includes('analysis-limit') && !c.includes('missing-established-accept'), c.join(' '));
    });
  });
});
