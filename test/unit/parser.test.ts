/**
 * Parser regressions found by comparing our verdicts with the real iptables-restore
 * (test/kernel/dumps-conformance.test.ts). Each case names the real file or rule it came from.
 */
import { strict as assert } from 'node:assert';
import { validityFindings } from '../../server/src/analysis/validity';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';

function errors(text: string, family: 'ipv4' | 'ipv6' = 'ipv4') {
  return validityFindings(parseRuleset(text, { family })).filter((f) => f.severity === 'error');
}

describe('parser: regressions from the real-iptables conformance run', function () {
  // kubernetes proxier_test ruleset, line 74: iptables reads `--set` as recent's own option; we
  // took it for an abbreviation of the generic --set-counters (-c) and then complained that `-m`
  // and `tcp` were no packet and byte counts
  it('an option of a module without a knowledge entry is not abbreviated to a generic option', function () {
    const text = '*nat\n:X - [0:0]\n-A X -m comment --comment c -m zzfuture --name X --set -m tcp -p tcp -j ACCEPT\nCOMMIT\n';
    const rs = parseRuleset(text, { family: 'ipv4' });
    const rule = rs.rules[0]!;
    assert.ok(!rule.options.some((o) => o.name === '-c'), 'no --set-counters in this rule');
    const mod = rule.matches.find((m) => m.name === 'zzfuture')!;
    assert.deepEqual(mod.options.map((o) => o.name), ['--name', '--set']);
    assert.deepEqual(
      errors(text).map((f) => f.code),
      ['unknown-match'],
      'only the unknown module itself is reported',
    );
  });

  it('the kubernetes recent rule raises nothing about counters, whatever the knowledge of recent', function () {
    const text =
      '*nat\n:KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]\n-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j ACCEPT\nCOMMIT\n';
    const bad = errors(text).filter((f) => /count|--set-counters|-c\b/.test(f.message));
    assert.deepEqual(bad, []);
  });

  // iptables-restore --test: "You cannot use `-w' from iptables-restore"
  it('-w and -W are refused inside a restore file, not in iptables -S commands', function () {
    for (const opt of ['-w', '--wait 5', '-W 100', '--wait-interval 100']) {
      const codes = errors(`*filter\n-A INPUT ${opt} -j ACCEPT\nCOMMIT\n`).map((f) => `${f.code} ${f.span.line}`);
      assert.deepEqual(codes, ['syntax 1'], opt);
    }
    assert.deepEqual(errors('-A INPUT -w -j ACCEPT\n'), []);
  });

  // iptables-restore --test: "Illegal option `-n' with this command" (xshared.c commands_v_options)
  it('listing options only with -L, -c only with -A/-I/-R/-P, -v with anything', function () {
    const refused = ['-A INPUT -n -j ACCEPT', '-A INPUT -x -j ACCEPT', '-I INPUT --line-numbers -j ACCEPT', '-D INPUT -c 1 2 -j ACCEPT', '-N FOO -c 1 2', '-F INPUT -n'];
    for (const l of refused) assert.equal(errors(`*filter\n${l}\nCOMMIT\n`).length, 1, l);
    const accepted = ['-A INPUT -v -j ACCEPT', '-A INPUT -c 1 2 -j ACCEPT', '-P INPUT ACCEPT -c 1 2', '-N FOO -v', '-L INPUT -n -x --line-numbers', '-R INPUT 1 -c 1 2 -j DROP'];
    for (const l of accepted) {
      const pre = l.startsWith('-R') ? '-A INPUT -j ACCEPT\n' : '';
      assert.deepEqual(errors(`*filter\n${pre}${l}\nCOMMIT\n`).map((f) => f.message), [], l);
    }
  });

  // nft: "Chain 'LATE' does not exist" at COMMIT; legacy: "Couldn't load target `LATE'" at the rule
  it('a jump to a chain created only further down is an error on the jump', function () {
    const found = errors('*filter\n-A INPUT -j LATE\n:LATE - [0:0]\n-A INPUT -j LATE\nCOMMIT\n');
    assert.deepEqual(found.map((f) => [f.code, f.span.line]), [['undefined-chain', 1]]);
    assert.match(found[0]!.message, /created at line 3/);
    const renamed = errors('*filter\n:OLD - [0:0]\n-A INPUT -j NEW\n-E OLD NEW\nCOMMIT\n');
    assert.deepEqual(renamed.map((f) => [f.code, f.span.line]), [['undefined-chain', 2]]);
    assert.match(renamed[0]!.message, /created at line 4/);
    assert.deepEqual(errors('*filter\n:X - [0:0]\n-A INPUT -j X\nCOMMIT\n'), []);
    assert.deepEqual(errors('-N X\n-A INPUT -j X\n'), []);
  });

  // "! not allowed with multiple source or destination IP addresses"
  it('! -s / ! -d with a list of addresses is refused, the plain list is fine', function () {
    assert.deepEqual(errors('*filter\n-A INPUT ! -s 10.0.0.1,10.0.0.2 -j DROP\nCOMMIT\n').map((f) => f.code), ['not-negatable']);
    assert.deepEqual(errors('*filter\n-A INPUT ! -d 10.0.0.1,10.0.0.2 -j DROP\nCOMMIT\n').map((f) => f.code), ['not-negatable']);
    assert.deepEqual(errors('*filter\n-A INPUT -s 10.0.0.1,10.0.0.2 ! -d 10.0.0.3 -j DROP\nCOMMIT\n'), []);
  });

  // "multiport needs `-p tcp', `-p udp', ...": libxt_multiport checks -p while parsing --dports
  it('-p must come before the multiport options, not merely somewhere in the rule', function () {
    const late = errors('*filter\n-A INPUT -m multiport --dports 80,443 -p tcp -j ACCEPT\nCOMMIT\n');
    assert.deepEqual(late.map((f) => f.code), ['protocol-required']);
    assert.deepEqual(errors('*filter\n-A INPUT -m multiport -p tcp --dports 80,443 -j ACCEPT\nCOMMIT\n'), []);
    assert.deepEqual(errors('*filter\n-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT\nCOMMIT\n'), []);
  });

  // iptables 1.8.9 reads -j, -p, -s, -d, -i, -o from the option's own word (argv[optind-1]):
  // "Chain '--jump=ACCEPT' does not exist", "unknown protocol \"--protocol=tcp\" specified"
  it('--jump=X and --protocol=X style values are the whole word, as iptables reads them', function () {
    const jump = errors('*filter\n-A INPUT --jump=ACCEPT\nCOMMIT\n');
    assert.deepEqual(jump.map((f) => f.code), ['undefined-chain']);
    assert.match(jump[0]!.message, /write `-j ACCEPT`/);
    for (const o of ['--protocol=tcp', '--source=1.2.3.4', '--destination=1.2.3.4', '--in-interface=lo']) {
      assert.deepEqual(errors(`*filter\n-A INPUT ${o} -j ACCEPT\nCOMMIT\n`).map((f) => f.code), ['invalid-argument'], o);
    }
    // -g, -m, commands and extension options read their value properly
    assert.deepEqual(errors('*filter\n:FOO - [0:0]\n--append=INPUT --goto=FOO\n-A INPUT --match=comment --comment=x -p tcp --dport=22\nCOMMIT\n'), []);
  });

  it('a genuine abbreviation still resolves when every loaded module is known', function () {
    const rs = parseRuleset('*filter\n-A INPUT -p tcp --dp 22 -j ACCEPT\nCOMMIT\n', { family: 'ipv4' });
    assert.ok(rs.rules[0]!.options.some((o) => o.name === '--dport'));
  });
});
