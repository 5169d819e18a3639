/**
 * The command parser reads the lines of a file one after another with one reader whose working
 * state and lists are kept from line to line (server/src/parser/command-parser.ts, CommandReader).
 * Each line must still be read as if it were the only one: nothing one line loaded, saw or set may
 * change how the next is read.
 */
import { strict as assert } from 'node:assert';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import type { Ruleset } from '../../server/src/model/ruleset';

function parsed(...rules: string[]): Ruleset {
  return parseRuleset(`*filter\n:INPUT ACCEPT [0:0]\n${rules.map((r) => `${r}\n`).join('')}COMMIT\n`, { family: 'ipv4' });
}

/** The codes the parser reported on the n-th rule line (0 is the first rule). */
function codesOn(rs: Ruleset, n: number): string[] {
  const line = n + 2;
  return rs.findings.filter((f) => f.span.line === line).map((f) => f.code);
}

function matchNames(rs: Ruleset, n: number): string[] {
  return rs.rules[n]!.matches.map((m) => m.name);
}

describe('command reader: each line read on its own', function () {
  it('a generic option seen on one line is no duplicate on the next', function () {
    const rs = parsed('-A INPUT -p tcp -s 10.0.0.1 -j ACCEPT', '-A INPUT -p tcp -s 10.0.0.1 -j ACCEPT', '-A INPUT -p tcp -p udp -j ACCEPT');
    assert.deepEqual(codesOn(rs, 0), []);
    assert.deepEqual(codesOn(rs, 1), [], 'the second line repeats the first, and nothing in it twice');
    assert.deepEqual(codesOn(rs, 2), ['duplicate-option'], 'twice on one line is still found');
  });

  it('the modules and the protocol of one line are not known on the next', function () {
    const rs = parsed('-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT --dport 22 -j ACCEPT', '-A INPUT -p udp --dport 53 -j ACCEPT');
    assert.deepEqual(codesOn(rs, 0), []);
    assert.deepEqual(codesOn(rs, 1), ['unknown-option'], 'no -p and no -m here: --dport belongs to nothing');
    assert.deepEqual(matchNames(rs, 1), []);
    assert.deepEqual(matchNames(rs, 2), ['udp'], "the second -p's own protocol is loaded, not the first's");
  });

  it('the protocol match is loaded once per line however many lines loaded it before', function () {
    const rule = '-A INPUT -p tcp --dport 22 --sport 1024 -j ACCEPT';
    const rs = parsed(rule, rule, '-A INPUT -p tcp -m tcp --dport 22 --zzz 1 -j ACCEPT', rule);
    for (const n of [0, 1, 3]) {
      assert.deepEqual(matchNames(rs, n), ['tcp'], `line ${n}: one implicit tcp match for both of its options`);
      assert.deepEqual(codesOn(rs, n), []);
    }
    // an explicit -m tcp and then an option nobody knows: iptables still loads the protocol's
    // match once, implicitly, and the option stays unknown
    assert.deepEqual(matchNames(rs, 2), ['tcp', 'tcp']);
    assert.deepEqual(codesOn(rs, 2), ['unknown-option']);
    // the first unknown option loads it; the second finds it loaded and stays unknown
    const two = parsed('-A INPUT -p tcp --zzz 1 --yyy 2 -j ACCEPT');
    assert.deepEqual(matchNames(two, 0), ['tcp']);
    assert.deepEqual(codesOn(two, 0), ['unknown-option', 'unknown-option']);
  });

  it('an option goes to the newest module that has it, and the next line starts afresh', function () {
    const rs = parsed('-A INPUT -m comment --comment a -m comment --comment b -j ACCEPT', '-A INPUT --comment c -j ACCEPT');
    const first = rs.rules[0]!.matches;
    assert.deepEqual(first.map((m) => m.options.map((o) => o.args[0]?.text)), [['a'], ['b']]);
    assert.deepEqual(codesOn(rs, 1), ['unknown-option']);
    // two modules with an option of the same name: the newest has it, whichever loaded first
    const both = parsed('-A INPUT -p tcp -m tcp -m udp --dport 53 -j ACCEPT', '-A INPUT -p udp -m udp -m tcp --dport 53 -j ACCEPT');
    for (const n of [0, 1]) {
      assert.deepEqual(both.rules[n]!.matches.map((m) => [m.name, m.options.map((o) => o.name)]), [
        [n === 0 ? 'tcp' : 'udp', []],
        [n === 0 ? 'udp' : 'tcp', ['--dport']],
      ]);
    }
  });

  it('reads the value of -t, -m, -j and -g: a `!` before the option and a missing value are reported in the option\'s words', function () {
    const said = (rule: string, fmt: 'commands' | 'save' = 'save') => {
      const rs = fmt === 'save' ? parsed(rule) : parseRuleset(`${rule}\n`, { family: 'ipv4' });
      return rs.findings.filter((f) => f.span.line === (fmt === 'save' ? 2 : 0)).map((f) => `${f.code}: ${f.message}`);
    };
    assert.ok(said('-A INPUT ! -m tcp -p tcp -j ACCEPT').includes('syntax: `!` cannot stand before -m: put it before the option of the module you want to negate'));
    assert.ok(said('-A INPUT -j ACCEPT -m').includes('missing-argument: -m needs a match module name'));
    assert.ok(said('-A INPUT ! -j ACCEPT').includes('syntax: `!` cannot negate -j'));
    assert.ok(said('-A INPUT -p tcp -j').includes('missing-argument: -j needs a target or chain name'));
    assert.ok(said('-A INPUT ! -g X').includes('syntax: `!` cannot negate -g'));
    assert.ok(said('-A INPUT -g').includes('missing-argument: -g needs a target or chain name'));
    assert.ok(said('! -t nat -A POSTROUTING -j MASQUERADE', 'commands').includes('syntax: `!` cannot negate -t'));
    assert.ok(said('-A INPUT -j ACCEPT -t', 'commands').includes('missing-argument: -t needs a table name'));
    // -j takes its target from the whole word (`--jump=ACCEPT` names a chain of that name), -g from the value
    const rs = parsed('-A INPUT --jump=ACCEPT', '-A INPUT --goto=X');
    assert.equal(rs.rules[0]!.target?.name, '--jump=ACCEPT');
    assert.equal(rs.rules[1]!.target?.name, 'X');
  });
});
