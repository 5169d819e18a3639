/**
 * An edited document is analysed reusing what was worked out for its previous version (parsed
 * lines, compiled rules, per-chain and per-table results, walks). Whatever is reused, the
 * diagnostics after each edit must be exactly those of a cold analysis of the new text: here many
 * random one-line edits (rules changed, inserted, deleted; jumps, gotos, policies, chain
 * declarations, COMMIT and table headers) are applied in turn to fixtures, corpus dumps and
 * generated rulesets, and each version is checked against a fresh parse and analysis.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { isAccept } from '../../server/src/analysis/checks/rule-facts';
import { analysisContext, TAKEN_BY_REJECTS, TAKEN_ONLY, TCP_START } from '../../server/src/analysis/context';
import { ISet, Space, stateValue } from '../../server/src/analysis/packet-space';
import { reach, setWalkBudget } from '../../server/src/analysis/reach';
import { setChainsLaterFrom } from '../../server/src/parser/chains';
import { reachability } from '../../server/src/analysis/chain-graph';
import type { Hook } from '../../server/src/knowledge/types';
import { diagnose } from '../../server/src/service/diagnostics';
import { createRulesDocument, type RulesDocument } from '../../server/src/service/document';
import { editedVersions, editInputs, inputUri } from '../support/ruleset-edits';
import { spaceText, takenText } from '../support/space-text';

/** The hooks reaching each chain of each table, as the chain graph works them out (kept, updated or anew). */
function hooksOfChains(rs: RulesDocument['ruleset']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, t] of rs.tables) for (const c of t.chains.values()) out[`${name}/${c.name}`] = [...(reachability(t).hooks.get(c.name) ?? [])];
  return out;
}

/** What each rule compiled to, by line: its packets (written out box by box), exact or not, its conditions' count. */
function compiledRules(rs: RulesDocument['ruleset']): string[] {
  const ctx = analysisContext(rs);
  const out: string[] = [];
  for (const r of rs.rules) {
    const c = ctx.compiled.get(r);
    out.push(c ? `${r.line} ${c.exact} ${c.conditions.length} ${c.space.approximate} ${spaceText(c.space)}` : `${r.line} none`);
  }
  return out;
}

/**
 * What the walks the checks ask for give, from each hook: what each REJECT takes of the TCP
 * packets, and what every rule takes of ESTABLISHED packets and of every packet, by line, and
 * whether the walk was complete (and, for the last two, what is left to the policy): from the walks
 * the analysis keeps across versions (`kept`), or walked afresh.
 */
function keptWalks(rs: RulesDocument['ruleset'], kept: boolean): string[] {
  const ctx = analysisContext(rs);
  const est = Space.ALL.restrict(ctx.env, 'state', ISet.point(stateValue('ESTABLISHED')));
  const out: string[] = [];
  for (const t of rs.tables.values()) {
    for (const c of t.chains.values()) {
      if (!c.builtin) continue;
      const hook = c.name as Hook;
      const walks = [
        { start: TCP_START.space, key: TCP_START.key, k: TAKEN_BY_REJECTS, policy: false },
        { start: est, key: 'established', k: TAKEN_ONLY, policy: true },
        // (every packet: what the code lenses and the untracked-packets check walk)
        { start: Space.ALL, key: 'all', k: TAKEN_ONLY, policy: true },
      ];
      for (const { start, key, k, policy } of walks) {
        const res = kept ? ctx.reach(t.name, hook, start, key, k) : reach(ctx.env, ctx.compiled, t, hook, start, k.test, k.stop, k.takes, k.ahead);
        if (!res) continue;
        out.push(`${t.name}/${hook} ${key} ${res.complete}${policy ? ` policy ${spaceText(res.toPolicy)}` : ''}`);
        for (const [r, s] of res.taken) out.push(`  ${r.line}: ${spaceText(s)}`);
      }
    }
  }
  return out;
}

/**
 * Every input edited version after version, each version read from the one before; one version in
 * `every` is analysed and compared with a cold analysis of its text (the others are only read, as
 * an editor parses each keystroke and checks the last).
 */
function againstCold(title: string, o: { folder: string; seed: number; versions: number; every: number; laterFrom?: number }): void {
  describe(title, function () {
    this.timeout(600_000);
    if (o.laterFrom !== undefined) {
      before(() => setChainsLaterFrom(o.laterFrom));
      after(() => setChainsLaterFrom(undefined));
    }

    for (const input of editInputs()) {
      it(input.name, () => {
        const uri = inputUri(input, o.folder);
        let prev: RulesDocument = createRulesDocument(uri, 1, input.text);
        diagnose(prev.ruleset, prev.lines);
        for (const { version: v, text } of editedVersions(input.text, new Rng(input.text.length ^ o.seed), input.text.length > 50_000 ? 12 : o.versions)) {
          const inc = createRulesDocument(uri, v, text, 'auto', prev);
          prev = inc;
          if (v % o.every !== 0) continue;
          const cold = createRulesDocument(uri, v, text);
          assert.deepEqual(diagnose(inc.ruleset, inc.lines), diagnose(cold.ruleset, cold.lines), `${input.name}, version ${v}`);
          // (and what the checks read that the diagnostics may not show: the hooks reaching each chain)
          assert.deepEqual(hooksOfChains(inc.ruleset), hooksOfChains(cold.ruleset), `${input.name}, version ${v}: the hooks reaching each chain`);
          // what each rule compiled to (a moved rule takes its line's previous entry, see compileIn)
          assert.deepEqual(compiledRules(inc.ruleset), compiledRules(cold.ruleset), `${input.name}, version ${v}: what the rules compiled to`);
          // and the walks kept across versions (those that end where no REJECT lies ahead among them,
          // and the runs of bans they cross, carried from version to version), against walks of the
          // fresh reading, which finds its runs afresh
          assert.deepEqual(keptWalks(inc.ruleset, true), keptWalks(cold.ruleset, false), `${input.name}, version ${v}: the walks kept`);
        }
      });
    }
  });
}

againstCold('incremental analysis: diagnostics after each edit equal a cold analysis of the new text', { folder: '', seed: 0x1ce, versions: 40, every: 1 });
againstCold('incremental analysis: versions read but not analysed in between (an editor parses each keystroke, checks the last)', { folder: 'skipped/', seed: 0x5c1d, versions: 30, every: 3 });

describe('a walk that ends at the first ACCEPT taking packets answers "does any ACCEPT take some?" as the whole walk does', function () {
  this.timeout(600_000);

  it('on every input, hook and a few starts', () => {
    let checked = 0;
    let accepted = 0;
    for (const input of editInputs()) {
      const rs = createRulesDocument(inputUri(input), 1, input.text).ruleset;
      const ctx = analysisContext(rs);
      const starts = [
        Space.ALL,
        Space.ALL.restrict(ctx.env, 'state', ISet.point(stateValue('ESTABLISHED'))),
        Space.ALL.restrict(ctx.env, 'proto', ISet.point(6n)).restrict(ctx.env, 'dport', ISet.point(5432n)),
      ];
      for (const table of rs.tables.values()) {
        for (const chain of table.chains.values()) {
          if (!chain.builtin) continue;
          for (const start of starts) {
            const full = reach(ctx.env, ctx.compiled, table, chain.name as Hook, start, () => false);
            const early = reach(ctx.env, ctx.compiled, table, chain.name as Hook, start, () => false, (r, took) => isAccept(r) && !took.empty);
            const answer = (res: typeof full) => ([...res.taken].some(([r, t]) => isAccept(r) && !t.empty) ? true : res.complete ? false : 'unknown');
            assert.equal(answer(early), answer(full), `${input.name} ${table.name} ${chain.name}`);
            checked++;
            if (answer(full) === true) accepted++;
          }
        }
      }
    }
    // the comparison means something only if both answers occur
    assert.ok(accepted > 10 && checked - accepted > 10, `${accepted} of ${checked} walks found an ACCEPT`);
  });
});

describe('a kept walk is carried over an edit that changes nothing it reads', function () {
  const base = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':BLOCKLIST - [0:0]',
    '-A INPUT -j BLOCKLIST',
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    ...Array.from({ length: 40 }, (_, i) => `-A BLOCKLIST -s 192.0.2.${i + 1}/32 -j DROP`),
    'COMMIT',
    '',
  ];
  const edited = 10; // the line of `-s 192.0.2.5/32`
  /** The walk of INPUT before and after replacing the edited line, and a cold walk of the new text. */
  const walks = (line: string) => {
    const before = createRulesDocument('file:///kept-walk.rules', 1, base.join('\n'));
    const was = analysisContext(before.ruleset).reach('filter', 'INPUT', Space.ALL, 'all');
    const text = base.map((l, i) => (i === edited ? line : l)).join('\n');
    const after = createRulesDocument('file:///kept-walk.rules', 2, text, 'auto', before);
    const now = analysisContext(after.ruleset).reach('filter', 'INPUT', Space.ALL, 'all');
    const cold = reach(analysisContext(after.ruleset).env, analysisContext(after.ruleset).compiled, after.ruleset.tables.get('filter')!, 'INPUT', Space.ALL);
    assert.ok(was && now);
    assert.equal(takenText(now.taken), takenText(cold.taken), 'the walk after the edit is the walk of the new text');
    assert.equal(now.toPolicy.boxes.length, cold.toPolicy.boxes.length);
    return { carried: now.toPolicy === was.toPolicy, now, after };
  };

  it('a comment added to a rule: the same walk, its rules the new ones', () => {
    const { carried, now, after } = walks('-A BLOCKLIST -s 192.0.2.5/32 -m comment --comment "reported twice" -j DROP');
    assert.ok(carried, 'carried over');
    const rule = after.ruleset.rules.find((r) => r.line === edited)!;
    assert.ok(now.taken.has(rule), 'the taken packets are the new rule object\'s');
  });

  it('the same address written another way (a /32 without its length): carried over', () => {
    assert.ok(walks('-A BLOCKLIST -s 192.0.2.5 -j DROP').carried);
  });

  it('another address: walked again', () => {
    assert.ok(!walks('-A BLOCKLIST -s 192.0.2.99/32 -j DROP').carried);
  });

  it('the same packets, another verdict: walked again', () => {
    assert.ok(!walks('-A BLOCKLIST -s 192.0.2.5/32 -j ACCEPT').carried);
    assert.ok(!walks('-A BLOCKLIST -s 192.0.2.5/32 -j RETURN').carried);
  });
});

describe('a kept walk is carried over lines put in or taken out after the rules it read', function () {
  // INPUT jumps to LONG, whose first rule accepts web traffic: a walk of that traffic that stops at
  // the first accept reads one rule of each; one of every packet reads them all
  const base = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':LONG - [0:0]',
    '-A INPUT -j LONG',
    '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A LONG -p tcp -m tcp --dport 80 -j ACCEPT',
    ...Array.from({ length: 30 }, (_, i) => `-A LONG -s 198.51.100.${i + 1}/32 -j DROP`),
    'COMMIT',
    '',
  ];
  const web = Space.ALL.restrict({ family: 'ipv4' }, 'proto', ISet.point(6n)).restrict({ family: 'ipv4' }, 'dport', ISet.point(80n));
  const untilAccept = { name: 'until-accept', test: () => false, stop: (r: Parameters<typeof isAccept>[0], took: Space) => isAccept(r) && !took.empty };
  /** Taken packets by line and what is left to the policy, written out. */
  const text = (res: { taken: ReadonlyMap<{ line: number }, Space>; toPolicy: Space; complete: boolean }) =>
    `${[...res.taken].map(([r, t]) => `${r.line}:${spaceText(t)}`).join('\n')}\npolicy ${res.toPolicy.boxCount}\n${res.complete}`;
  /** The walk of INPUT before and after an edit of the lines, and a cold walk of the new text. */
  const walks = (edit: (lines: string[]) => void, start: Space, keep?: typeof untilAccept) => {
    const before = createRulesDocument('file:///read.rules', 1, base.join('\n'));
    const was = analysisContext(before.ruleset).reach('filter', 'INPUT', start, 'probe', keep);
    const lines = base.slice();
    edit(lines);
    const after = createRulesDocument('file:///read.rules', 2, lines.join('\n'), 'auto', before);
    const ctx = analysisContext(after.ruleset);
    const now = ctx.reach('filter', 'INPUT', start, 'probe', keep);
    const cold = reach(ctx.env, ctx.compiled, after.ruleset.tables.get('filter')!, 'INPUT', start, keep?.test, keep?.stop);
    assert.ok(was && now);
    assert.equal(text(now), text(cold), 'the walk after the edit is the walk of the new text');
    return now.toPolicy === was.toPolicy && now.complete === was.complete;
  };
  const put = (at: number, line: string) => (lines: string[]) => void lines.splice(at, 0, line);
  const take = (at: number) => (lines: string[]) => void lines.splice(at, 1);

  it('a walk that stopped at the accept: carried over a rule put in or taken out after it', () => {
    assert.ok(walks(put(20, '-A LONG -s 203.0.113.9/32 -j DROP'), web, untilAccept));
    assert.ok(walks(take(20), web, untilAccept));
    assert.ok(walks(put(base.length - 2, '-A LONG -p tcp -m tcp --dport 80 -j DROP'), web, untilAccept));
  });

  it('walked again for a rule put in or taken out among the rules it read', () => {
    assert.ok(!walks(put(5, '-A LONG -p tcp -m tcp --dport 80 -j DROP'), web, untilAccept));
    assert.ok(!walks(take(5), web, untilAccept));
    // (put in before the rule it stopped at, taking nothing: walked again all the same)
    assert.ok(!walks(put(5, '-A LONG -s 203.0.113.9/32 -j DROP'), web, untilAccept));
  });

  it('a walk that read every rule of the chain: walked again for a rule put in or taken out anywhere in it', () => {
    assert.ok(!walks(put(20, '-A LONG -s 203.0.113.9/32 -j DROP'), Space.ALL));
    assert.ok(!walks(take(20), Space.ALL));
    assert.ok(!walks(put(base.length - 2, '-A LONG -s 203.0.113.9/32 -j DROP'), Space.ALL));
  });

  it('a walk whose packets all met a verdict early: carried over rules put in after that', () => {
    // (every web packet is accepted at LONG's first rule: the walk reads no further, stopAt or not)
    assert.ok(walks(put(20, '-A LONG -s 203.0.113.9/32 -j DROP'), web));
    assert.ok(walks(take(30), web));
  });
});

describe('a kept walk that ran out of work in a long blocklist', function () {
  this.timeout(60_000);
  afterEach(() => setWalkBudget(undefined));

  it('is carried over a line put in after the rules it read (thousands of them), and is the walk of the new text', () => {
    // each ban cuts one more address out of the packets the walk carries: its work grows with the
    // square of the bans, and under this limit it stops about 5 000 rules into the 6 000
    const bans = Array.from({ length: 6000 }, (_, i) => `-A BL -s 10.${(i >> 8) & 255}.${i & 255}.7/32 -j DROP`);
    const lines = ['*filter', ':INPUT DROP [0:0]', ':BL - [0:0]', '-A INPUT -j BL', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', ...bans, 'COMMIT', ''];
    setWalkBudget(12_500_000);
    const before = createRulesDocument('file:///blocklist.rules', 1, lines.join('\n'));
    const was = analysisContext(before.ruleset).reach('filter', 'INPUT', Space.ALL, 'all', TAKEN_ONLY)!;
    const read = was.read.get('BL')!;
    assert.ok(!was.complete && read > 4096 && read < bans.length - 100, `stopped after ${read} rules of the blocklist`);
    const edited = lines.slice();
    edited.splice(5 + read + 50, 0, '-A BL -s 192.0.2.1/32 -j DROP');
    const after = createRulesDocument('file:///blocklist.rules', 2, edited.join('\n'), 'auto', before);
    const ctx = analysisContext(after.ruleset);
    const now = ctx.reach('filter', 'INPUT', Space.ALL, 'all', TAKEN_ONLY)!;
    // carried: the packets left where it stopped are the same object
    assert.equal(now.toPolicy, was.toPolicy);
    const cold = reach(ctx.env, ctx.compiled, after.ruleset.tables.get('filter')!, 'INPUT', Space.ALL, TAKEN_ONLY.test);
    assert.equal(now.complete, cold.complete);
    assert.ok(now.toPolicy.sameAs(cold.toPolicy));
    assert.equal(now.read.get('BL'), cold.read.get('BL'));
    assert.deepEqual([...now.taken.keys()].map((r) => r.line), [...cold.taken.keys()].map((r) => r.line));
  });
});

describe('Space.sameAs: held alike, not merely the same packets', () => {
  const env = { family: 'ipv4' as const };
  const tcp = () => Space.ALL.restrict(env, 'proto', ISet.point(6n));
  const port = (p: bigint) => Space.ALL.restrict(env, 'dport', ISet.point(p));

  it('spaces built the same way from different objects are the same', () => {
    assert.ok(tcp().intersect(env, port(22n)).sameAs(tcp().intersect(env, port(22n))));
    assert.ok(tcp().union(port(22n)).sameAs(tcp().union(port(22n))));
    assert.ok(Space.NONE.sameAs(new Space([])));
  });

  it('other sets, other dimensions, boxes in another order, or an approximate space are not', () => {
    assert.ok(!tcp().sameAs(port(6n)));
    assert.ok(!port(22n).sameAs(port(23n)));
    assert.ok(!tcp().union(port(22n)).sameAs(port(22n).union(tcp())), 'the same packets, boxes in another order');
    assert.ok(!tcp().intersect(env, port(22n)).sameAs(port(22n).intersect(env, tcp())), 'the same packets, dimensions in another order');
    assert.ok(!tcp().sameAs(new Space(tcp().boxes, true)));
    assert.ok(!tcp().sameAs(tcp().union(port(22n))));
  });
});
againstCold('incremental analysis: every table leaving the chains a line edit only moved to be made when read', { folder: 'later/', seed: 0x1a7e, versions: 30, every: 1, laterFrom: 1 });
