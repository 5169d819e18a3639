/**
 * The shadowed-rule and redundant-rule findings, judged by the kernel: a finding says that every
 * packet its rule matches is decided first by the lines it names. Each case loads a small INPUT
 * chain into B, sends from A one TCP packet to every port the flagged rule matches (each case is
 * built so that these packets reach every rule that decides some of the flagged rule's packets),
 * and reads the counters:
 *
 * - the flagged rule counted none of them;
 * - the rules before it that counted some are exactly the lines the finding names: a rule that
 *   meets the flagged rule's packets only where an earlier one already decided them counts nothing,
 *   and is not named;
 * - the finding is redundant-rule exactly when all those rules give the flagged rule's verdict.
 *
 * Every rule before the flagged one ends the walk (DROP or ACCEPT), so a rule counts a packet
 * only when it decides it.
 */
import { strict as assert } from 'node:assert';
import { findings } from '../support/analyse';
import { restore, ruleCounters, useNamespacePair, waitUntil, zeroCounters } from '../support/netns';
import { sendPackets } from '../support/packets';

interface ClaimCase {
  readonly name: string;
  /** The INPUT rules, without `-A INPUT` (IN is B's interface). */
  readonly rules: readonly string[];
  /** The flagged rule's position (1-based) and the ports it matches. */
  readonly flagged: number;
  readonly ports: readonly [number, number];
}

const CASES: readonly ClaimCase[] = [
  {
    name: 'a duplicate after a rule that meets it only where the first copy decided',
    rules: ['-i IN -p tcp -m tcp --dport 5000:5009 -j DROP', '! -i lo -p tcp -m tcp --dport 5005 -j ACCEPT', '-i IN -p tcp -m tcp --dport 5000:5009 -j DROP'],
    flagged: 3,
    ports: [5000, 5009],
  },
  {
    name: 'packets split between two earlier rules, a third meeting them after those',
    rules: ['-i IN -p tcp -m tcp --dport 6000:6004 -j DROP', '-i IN -p tcp -m tcp --dport 6005:6009 -j ACCEPT', '-i IN -p tcp -m tcp --dport 6006 -j DROP', '-i IN -p tcp -m tcp --dport 6002:6008 -j DROP'],
    flagged: 4,
    ports: [6002, 6008],
  },
  {
    name: 'three copies of a rule after a narrower one: the last is decided by the narrower one and the first copy',
    rules: ['-s 10.200.0.1/32 -p tcp -m tcp --dport 7000:7004 -j ACCEPT', '-p tcp -m tcp --dport 7000:7009 -j ACCEPT', '-p tcp -m tcp --dport 7000:7009 -j ACCEPT', '-p tcp -m tcp --dport 7000:7009 -j ACCEPT'],
    flagged: 4,
    ports: [7000, 7009],
  },
];

describe('kernel: the rules a shadowed or redundant rule is said to be decided by are those that count its packets', function () {
  const ctx = useNamespacePair({ tag: 'shadow', ipv6: false, conntrack: false });

  for (const c of CASES) {
    it(c.name, function () {
      const { a, b } = ctx.pair;
      const text = ['*filter', ':INPUT ACCEPT [0:0]', ...c.rules.map((r) => `-A INPUT ${r.replace('IN', b.dev)}`), 'COMMIT', ''].join('\n');
      // 0-based line of the rule at position k (1-based)
      const lineOf = (k: number) => 1 + k;
      const ours = findings(text).filter((f) => (f.code === 'shadowed-rule' || f.code === 'redundant-rule') && f.span.line === lineOf(c.flagged) && f.related?.length);
      assert.equal(ours.length, 1, `one finding on the flagged rule, by earlier rules: ${JSON.stringify(findings(text).map((f) => [f.code, f.span.line, f.message]))}`);
      const said = ours[0]!.related!.map((r) => r.span.line).sort((x, y) => x - y);

      const r = restore(b.ns, text);
      assert.ok(r.ok, r.stderr);
      zeroCounters(b.ns);
      const [lo, hi] = c.ports;
      const sent = hi - lo + 1;
      sendPackets(
        a,
        Array.from({ length: sent }, (_, k) => ({ proto: 'tcp' as const, dst: b.ip4, sport: 40000 + k, dport: lo + k, flags: ['SYN' as const] })),
      );
      const input = () => ruleCounters(b.ns, { table: 'filter' }).filter((x) => x.chain === 'INPUT');
      const total = () => input().reduce((s, x) => s + x.packets, 0);
      assert.ok(waitUntil(() => total() >= sent), `only ${total()} of ${sent} packets were counted`);
      const counters = input();
      assert.equal(total(), sent, 'each packet counted by one rule');
      assert.equal(counters.find((x) => x.position === c.flagged)!.packets, 0, 'the flagged rule counted none of its packets');
      const deciding = counters.filter((x) => x.position < c.flagged && x.packets > 0).map((x) => lineOf(x.position));
      assert.deepEqual(said, deciding, `the finding names lines ${said.join(', ')}; the kernel counted the packets at ${deciding.join(', ')}`);
      const verdict = (k: number) => /-j (\w+)/.exec(c.rules[k - 1]!)![1];
      const same = counters.filter((x) => x.position < c.flagged && x.packets > 0).every((x) => verdict(x.position) === verdict(c.flagged));
      assert.equal(ours[0]!.code, same ? 'redundant-rule' : 'shadowed-rule');
    });
  }
});
