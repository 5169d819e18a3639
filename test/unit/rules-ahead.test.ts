/**
 * Walks that end where no rule their caller reads lies ahead (RulesAhead, reach's `ahead`): which
 * chains can bring a packet to such a rule; that such a walk records, for those rules, what the
 * whole walk records; and that the walk memo carries one over an edit of a chain it never entered
 * only while that chain still leads to none of them.
 */
import { strict as assert } from 'node:assert';
import { analysisContext, TAKEN_BY_REJECTS, TCP_START } from '../../server/src/analysis/context';
import { ISet, Space, stateValue } from '../../server/src/analysis/packet-space';
import { reach } from '../../server/src/analysis/reach';
import { RulesAhead } from '../../server/src/analysis/rules-ahead';
import type { Hook } from '../../server/src/knowledge/types';
import type { Rule } from '../../server/src/model/ruleset';
import { diagnose } from '../../server/src/service/diagnostics';
import { createRulesDocument } from '../../server/src/service/document';
import { editInputs, inputUri } from '../support/ruleset-edits';
import { takenText } from '../support/space-text';

const isReject = (r: Rule) => r.target?.name === 'REJECT';

describe('which chains lead to a rule a walk reads', () => {
  const rs = createRulesDocument(
    'file:///ahead.rules',
    1,
    [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':DIRECT - [0:0]',
      ':VIA - [0:0]',
      ':GONE - [0:0]',
      ':NONE - [0:0]',
      ':LOOP_A - [0:0]',
      ':LOOP_B - [0:0]',
      '-A INPUT -j VIA',
      '-A INPUT -j NONE',
      '-A INPUT -j LOOP_A',
      '-A DIRECT -p tcp -j REJECT',
      '-A DIRECT -j DROP',
      '-A VIA -j ACCEPT',
      '-A VIA -j DIRECT',
      '-A VIA -j NONE',
      '-A GONE -g DIRECT',
      '-A NONE -p udp -j DROP',
      '-A NONE -j RETURN',
      '-A LOOP_A -j LOOP_B',
      '-A LOOP_B -j LOOP_A',
      'COMMIT',
      '',
    ].join('\n'),
  ).ruleset;
  const filter = rs.tables.get('filter')!;
  const chain = (n: string) => filter.chains.get(n)!;

  it('the last rule that can meet one: the rule itself, or a jump or goto to a chain that can', () => {
    const a = new RulesAhead(filter, isReject);
    assert.equal(a.lastIn(chain('DIRECT')), 0);
    assert.equal(a.lastIn(chain('VIA')), 1, 'the jump to DIRECT; NONE after it has no REJECT');
    assert.equal(a.lastIn(chain('GONE')), 0);
    assert.equal(a.lastIn(chain('NONE')), -1);
    assert.equal(a.lastIn(chain('INPUT')), 2, 'its jump into the loop');
  });

  it('missing and built-in chains lead nowhere; a loop counts as leading there (a walk then goes on)', () => {
    const a = new RulesAhead(filter, isReject);
    assert.equal(a.leadsTo('NO_SUCH_CHAIN'), false);
    assert.equal(a.leadsTo('INPUT'), false);
    assert.equal(a.leadsTo('LOOP_A'), true);
  });

  it('every answer given is kept; chains are asked from the end, up to the first that leads to one', () => {
    const a = new RulesAhead(filter, isReject);
    a.lastIn(chain('VIA'));
    assert.deepEqual([...a.consulted], [
      ['NONE', false],
      ['DIRECT', true],
    ]);
    a.lastIn(chain('INPUT'));
    // (its last rule jumps into the loop: VIA and NONE before it are not asked again or at all)
    assert.deepEqual([...a.consulted].slice(2), [
      ['LOOP_B', true],
      ['LOOP_A', true],
    ]);
  });
});

describe('a walk that ends where no rule it reads lies ahead', function () {
  this.timeout(600_000);

  it('records for those rules what the whole walk records, on every input, hook and a few starts', () => {
    let compared = 0;
    let ended = 0;
    for (const input of editInputs()) {
      const rs = createRulesDocument(inputUri(input), 1, input.text).ruleset;
      const ctx = analysisContext(rs);
      const starts = [Space.ALL, TCP_START.space, Space.ALL.restrict(ctx.env, 'state', ISet.point(stateValue('NEW')))];
      for (const table of rs.tables.values()) {
        for (const chain of table.chains.values()) {
          if (!chain.builtin) continue;
          for (const start of starts) {
            const whole = reach(ctx.env, ctx.compiled, table, chain.name as Hook, start, () => false, undefined, isReject);
            const short = reach(ctx.env, ctx.compiled, table, chain.name as Hook, start, () => false, undefined, isReject, isReject);
            const where = `${input.name} ${table.name} ${chain.name}`;
            if (whole.complete) {
              assert.ok(short.complete, where);
              assert.equal(takenText(short.taken, isReject), takenText(whole.taken, isReject), where);
            }
            compared++;
            const walked = (res: typeof whole) => [...res.read.values()].reduce((a, b) => a + b, 0);
            if (walked(short) < walked(whole)) ended++;
          }
        }
      }
    }
    // the comparison means something only if some walks did end early
    assert.ok(ended > 10 && compared > 100, `${ended} of ${compared} walks ended early`);
  });
});

describe('the memo of a walk that ended early', () => {
  // kube-proxy's shape: FORWARD meets the service REJECTs, then a chain of DROPs that cannot change
  // what they took
  const base = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':SERVICES - [0:0]',
    ':EXTERNAL - [0:0]',
    '-A FORWARD -m conntrack --ctstate NEW -j SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -j EXTERNAL',
    '-A FORWARD -p udp -j ACCEPT',
    '-A SERVICES -d 10.96.0.3/32 -p tcp -m tcp --dport 9100 -j REJECT --reject-with icmp-port-unreachable',
    '-A SERVICES -d 10.96.0.12/32 -p tcp -m tcp --dport 53 -j REJECT --reject-with icmp-port-unreachable',
    ...Array.from({ length: 30 }, (_, i) => `-A EXTERNAL -d 203.0.113.${i + 1}/32 -p tcp -m tcp --dport 443 -j DROP`),
    'COMMIT',
    '',
  ];
  const firstExternal = base.findIndex((l) => l.startsWith('-A EXTERNAL'));
  /** The REJECT walk of FORWARD before and after an edit, and a cold analysis of the new text. */
  const walks = (edit: (lines: string[]) => void) => {
    const before = createRulesDocument('file:///ahead-memo.rules', 1, base.join('\n'));
    diagnose(before.ruleset, before.lines);
    const was = analysisContext(before.ruleset).reach('filter', 'FORWARD', TCP_START.space, TCP_START.key, TAKEN_BY_REJECTS)!;
    const lines = base.slice();
    edit(lines);
    const after = createRulesDocument('file:///ahead-memo.rules', 2, lines.join('\n'), 'auto', before);
    const ctx = analysisContext(after.ruleset);
    const now = ctx.reach('filter', 'FORWARD', TCP_START.space, TCP_START.key, TAKEN_BY_REJECTS)!;
    const filter = after.ruleset.tables.get('filter')!;
    const cold = reach(ctx.env, ctx.compiled, filter, 'FORWARD', TCP_START.space, TAKEN_BY_REJECTS.test, undefined, TAKEN_BY_REJECTS.takes, TAKEN_BY_REJECTS.ahead);
    assert.equal(takenText(now.taken), takenText(cold.taken), 'the walk after the edit is the walk of the new text');
    const fresh = createRulesDocument('file:///ahead-memo-cold.rules', 1, lines.join('\n'));
    assert.deepEqual(
      diagnose(after.ruleset, after.lines).map((d) => `${d.span.line} ${d.code}`),
      diagnose(fresh.ruleset, fresh.lines).map((d) => `${d.span.line} ${d.code}`),
    );
    return { carried: now.toPolicy === was.toPolicy, was, now };
  };

  it('ends before the chain of DROPs: it never enters it, and asks whether it leads to a REJECT', () => {
    const { was } = walks(() => {});
    assert.ok(!was.chains.has('EXTERNAL'));
    assert.equal(was.ahead?.get('EXTERNAL'), false);
    assert.equal(was.read.get('FORWARD'), 3, 'the chain it ended in, read whole (it ended at its second rule)');
  });

  it('is carried over DROPs changed, put in or taken out there', () => {
    assert.ok(walks((l) => (l[firstExternal + 3] = '-A EXTERNAL -d 203.0.113.99/32 -p tcp -m tcp --dport 443 -j DROP')).carried);
    assert.ok(walks((l) => void l.splice(firstExternal + 3, 0, '-A EXTERNAL -d 198.51.100.7/32 -p udp -m udp --dport 53 -j DROP')).carried);
    assert.ok(walks((l) => void l.splice(firstExternal + 3, 1)).carried);
  });

  it('is walked again when that chain gets a REJECT, or when one is put after where it ended', () => {
    const { carried, now } = walks((l) => void l.splice(firstExternal + 3, 0, '-A EXTERNAL -p tcp -m tcp --dport 8443 -j REJECT'));
    assert.ok(!carried);
    assert.ok(now.chains.has('EXTERNAL'));
    const appended = walks((l) => void l.splice(firstExternal + 30, 0, '-A FORWARD -p tcp -j REJECT'));
    assert.ok(!appended.carried);
    assert.ok([...appended.now.taken.keys()].some((r) => r.chain === 'FORWARD'), 'the REJECT put at the end of FORWARD takes packets');
  });
});
