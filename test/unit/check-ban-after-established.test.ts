import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { banStats, checkBanAfterEstablished } from '../../server/src/analysis/checks/ban-after-established';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { applyFix, fires, keepsOtherLines, quiet } from '../support/check-harness';

const BAN = `*filter
:INPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 5432 -j ACCEPT
-A INPUT -s 10.48.22.221/32 -j REJECT
COMMIT
`;

describe('check: ban-after-established', function () {
  it('fires on a ban after the ESTABLISHED accept', function () {
    const [f] = fires(BAN, 'ban-after-established');
    assert.equal(f!.span.line, 4);
    assert.match(f!.message, /line 3/);
  });
  it('stays quiet when the ban comes first, or is for NEW packets only', function () {
    quiet(BAN.replace('-A INPUT -s 10.48.22.221/32 -j REJECT\n', '').replace(':INPUT ACCEPT [0:0]\n', ':INPUT ACCEPT [0:0]\n-A INPUT -s 10.48.22.221/32 -j REJECT\n'), 'ban-after-established');
    quiet(BAN.replace('-s 10.48.22.221/32 -j REJECT', '-s 10.48.22.221/32 -m conntrack --ctstate NEW -j REJECT'), 'ban-after-established');
    quiet(BAN.replace('-s 10.48.22.221/32 -j REJECT', '-j REJECT'), 'ban-after-established');
  });
  it('names the first accept of state that meets the ban, and leaves out bans of everyone but some addresses', function () {
    const two = `*filter
:INPUT DROP [0:0]
-A INPUT -i eth1 -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -i eth0 -s 192.0.2.9 -j DROP
-A INPUT -i eth0 ! -s 10.0.0.0/8 -j DROP
COMMIT
`;
    const found = fires(two, 'ban-after-established');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.span.line, 5);
    assert.match(found[0]!.message, /line 5\b/);
    assert.equal(found[0]!.related![0]!.span.line, 4);
  });
  it('moves the ban above the accept', function () {
    const out = applyFix(BAN, 'ban-after-established');
    assert.equal(out, BAN.replace('-A INPUT -s 10.48.22.221/32 -j REJECT\n', '').replace('-A INPUT -m conntrack', '-A INPUT -s 10.48.22.221/32 -j REJECT\n-A INPUT -m conntrack'));
    keepsOtherLines(BAN, out, [4]);
  });
});

describe('check: ban-after-established, across lines put in and taken out', function () {
  it('says the bans of a chain whose lines only moved where they are now, as a fresh check does', () => {
    const rng = new Rng(0xba2);
    const cur = ['*filter', ':INPUT DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':X - [0:0]', '-A X -p udp -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -s 203.0.113.7 -j DROP', '-A INPUT -s 198.51.100.0/24 -j REJECT', '-A OUTPUT -j ACCEPT', 'COMMIT', ''];
    let prev = parseRuleset(cur.join('\n'));
    checkBanAfterEstablished(prev);
    let moved = 0;
    for (let v = 0; v < 60; v++) {
      // lines put in or taken out above INPUT's rules (in X, or comments), so that they move
      const at = rng.int(1, 5);
      if (cur[at] === '# moved' || /^-A X -s /.test(cur[at]!)) cur.splice(at, 1);
      else cur.splice(at, 0, rng.int(0, 1) ? '# moved' : `-A X -s 10.0.0.${v} -j DROP`);
      const inc = parseRuleset(cur.join('\n'), { previous: prev });
      if (inc.tables.get('filter')!.moved) moved++;
      const got = checkBanAfterEstablished(inc);
      assert.equal(got.length, 2, `version ${v}`);
      assert.deepEqual(got, checkBanAfterEstablished(parseRuleset(cur.join('\n'))), `version ${v}: ${cur.join(' | ')}`);
      prev = inc;
    }
    assert.ok(moved > 40, `${moved} tables made by moving lines`);
  });

  it('finds the bans of a chain lines are put into and taken out of as a fresh check does, carrying them when the line cannot change them', () => {
    const rng = new Rng(0xba3);
    // INPUT's own rules change: rules that neither accept nor drop (carried), and accepts of state
    // and bans put in or taken out above, between and below the others (worked out again), one
    // line at a time or two
    const kinds = [
      (v: number) => `-A INPUT -p tcp --dport ${1000 + v} -j LOG`,
      (v: number) => `-A INPUT -s 192.0.2.${v % 250} -j RETURN`,
      (v: number) => `-A INPUT -s 192.0.2.${v % 250} -j DROP`,
      () => '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT',
      (v: number) => `-A INPUT -p tcp --dport ${2000 + v} -j ACCEPT`,
      (v: number) => `-A INPUT -p tcp --dport ${3000 + v} -j DROP`,
      () => '-A INPUT -i lo -m state --state RELATED -j ACCEPT',
      (v: number) => `-A INPUT -s 198.18.${v % 250}.0/24 -j REJECT`,
    ];
    const cur = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -s 203.0.113.7 -j DROP', '-A INPUT -s 198.51.100.0/24 -j REJECT', 'COMMIT', ''];
    let prev = parseRuleset(cur.join('\n'));
    checkBanAfterEstablished(prev);
    const before = banStats.carried;
    for (let v = 0; v < 120; v++) {
      const commit = cur.indexOf('COMMIT');
      const at = rng.int(2, commit);
      const pick = () => kinds[rng.int(0, kinds.length - 1)]!(v);
      if (at < commit && rng.int(0, 2) === 0) cur.splice(at, 1);
      // (two rules at once, now and then: one edit that puts in more than one rule is worked out again)
      else if (rng.int(0, 5) === 0) cur.splice(at, 0, pick(), pick());
      else cur.splice(at, 0, pick());
      const inc = parseRuleset(cur.join('\n'), { previous: prev });
      assert.deepEqual(checkBanAfterEstablished(inc), checkBanAfterEstablished(parseRuleset(cur.join('\n'))), `version ${v}: ${cur.join(' | ')}`);
      prev = inc;
    }
    assert.ok(banStats.carried - before > 20, `${banStats.carried - before} chains carried`);
  });

  it('carries the bans of a chain an earlier edit only moved, at the next line put into it', () => {
    const cur = ['*filter', ':INPUT DROP [0:0]', ':X - [0:0]', '-A X -p udp -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -s 203.0.113.7 -j DROP', 'COMMIT', ''];
    let prev = parseRuleset(cur.join('\n'));
    checkBanAfterEstablished(prev);
    for (let v = 0; v < 3; v++) {
      // a line put into X above INPUT's rules moves them (INPUT is not worked out again)...
      cur.splice(3, 0, `-A X -s 10.0.0.${v} -j RETURN`);
      prev = parseRuleset(cur.join('\n'), { previous: prev });
      assert.ok(prev.tables.get('filter')!.moved, 'the table was made by moving lines');
      checkBanAfterEstablished(prev);
      // ...and a rule that neither accepts nor drops put into INPUT is carried from there
      cur.splice(cur.indexOf('COMMIT'), 0, `-A INPUT -p tcp --dport ${7000 + v} -j LOG`);
      const inc = parseRuleset(cur.join('\n'), { previous: prev });
      const before = banStats.carried;
      const got = checkBanAfterEstablished(inc);
      assert.equal(banStats.carried - before, 1, `version ${v}: INPUT carried`);
      assert.equal(got.length, 1);
      assert.deepEqual(got, checkBanAfterEstablished(parseRuleset(cur.join('\n'))), `version ${v}`);
      prev = inc;
    }
  });

  it('works a chain out again when its only accept of a state is taken out, or one is put in above a ban', () => {
    const cur = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', '-A INPUT -s 203.0.113.7 -j DROP', 'COMMIT', ''];
    let prev = parseRuleset(cur.join('\n'));
    assert.equal(checkBanAfterEstablished(prev).length, 1);
    const steps: [string, (lines: string[]) => void, number][] = [
      ['the accept taken out', (l) => l.splice(3, 1), 0],
      ['an accept of RELATED put in above the ban', (l) => l.splice(3, 0, '-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT'), 1],
      ['an accept of no state put in', (l) => l.splice(2, 0, '-A INPUT -p udp --dport 53 -j ACCEPT'), 1],
      // (the ban's accept taken out, another below it meets the ban: the ban pairs with that one)
      ['a second accept of a state put in', (l) => l.splice(5, 0, '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT'), 1],
      ['the first accept of a state taken out', (l) => l.splice(4, 1), 1],
    ];
    for (const [what, edit, count] of steps) {
      edit(cur);
      const inc = parseRuleset(cur.join('\n'), { previous: prev });
      assert.ok(inc.tables.get('filter')!.moved, `${what}: a table made by moving lines`);
      const got = checkBanAfterEstablished(inc);
      assert.equal(got.length, count, what);
      assert.deepEqual(got, checkBanAfterEstablished(parseRuleset(cur.join('\n'))), what);
      prev = inc;
    }
  });
});
