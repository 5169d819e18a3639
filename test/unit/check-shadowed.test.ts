import { strict as assert } from 'node:assert';
import { fixture } from '../support/fixtures';
import { fires, quiet } from '../support/check-harness';
import { generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { allFindings } from '../../server/src/analysis/all-checks';
import { analysisContext } from '../../server/src/analysis/context';
import { checkShadowed, keptRunWork, setShadowBudget, shadowStats } from '../../server/src/analysis/checks/shadowed';
import { createRulesDocument, type RulesDocument } from '../../server/src/service/document';
import { MovedChain } from '../../server/src/model/moved-chain';

/** Bodies an edit gives a rule: covering, covered, unconditional, duplicate, not decidable. */
const BODIES = ['-s 10.0.0.0/8 -j DROP', '-s 10.1.2.3 -p tcp --dport 22 -j ACCEPT', '-p tcp --dport 1:1000 -j ACCEPT', '-j ACCEPT', '-m limit --limit 1/s -j DROP', '-i eth+ -j DROP', '-p udp -j RETURN', '-j LOG'];

/** 40 networks, each a /24 DROP followed by five host ACCEPTs in it: every host rule is shadowed by its network and names it. */
function networksAndHosts(): string[] {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]'];
  for (let n = 0; n < 40; n++) {
    lines.push(`-A INPUT -s 10.0.${n}.0/24 -j DROP`);
    for (let h = 1; h <= 5; h++) lines.push(`-A INPUT -s 10.0.${n}.${h} -p tcp --dport ${20 + h} -j ACCEPT`);
  }
  lines.push('COMMIT', '');
  return lines;
}

/** What the check finds in `text` (or its lines) read as a document of its own, from nothing: what an edited version must find too. */
function judgedFresh(uri: string, text: string | readonly string[], version = 1): ReturnType<typeof checkShadowed> {
  return checkShadowed(createRulesDocument(uri, version, typeof text === 'string' ? text : text.join('\n')).ruleset);
}

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
  it('names the rules that take the packets, in order, and not one that meets them only where an earlier one decided; the kind follows the rules named', function () {
    // the second rule meets the third's packets (eth0 is not eth1) but the first took them all
    const dup = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i eth0 -j DROP\n-A INPUT ! -i eth1 -p tcp -m tcp --dport 80 -j ACCEPT\n-A INPUT -i eth0 -j DROP\nCOMMIT\n';
    quiet(dup, 'shadowed-rule');
    const [r] = fires(dup, 'redundant-rule');
    assert.equal(r!.span.line, 4);
    assert.deepEqual(r!.related?.map((x) => x.span.line), [2]);
    assert.match(r!.message, /by line 3$/);
    // split between the first two rules; the third meets the fourth's packets after the second took them
    const split = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 6000:6004 -j DROP\n-A INPUT -p tcp -m tcp --dport 6005:6009 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 6006 -j DROP\n-A INPUT -p tcp -m tcp --dport 6002:6008 -j DROP\nCOMMIT\n';
    const last = fires(split, 'shadowed-rule', 2).find((f) => f.span.line === 5);
    assert.deepEqual(last?.related?.map((x) => x.span.line), [2, 3]);
  });
  it('names at most eight of the rules that decide a rule\'s packets, counts the others, and points at the eight', function () {
    const returns = Array.from({ length: 20 }, (_, n) => `-A X -i br-${String(n).padStart(2, '0')} -j RETURN`);
    const text = ['*filter', ':FORWARD ACCEPT [0:0]', ':X - [0:0]', '-A FORWARD -j X', ...returns, '-A X ! -i br-00 -p tcp -m tcp --dport 80 -j ACCEPT', '-A X ! -i br-00 -p tcp -m tcp --dport 80 -j DROP', 'COMMIT', ''].join('\n');
    const [f] = fires(text, 'shadowed-rule');
    assert.equal(f!.span.line, 25);
    // br-01 to br-19 return their packets (lines 6 to 24), the ACCEPT takes the others: 20 rules
    assert.match(f!.message, /decided by line 6, line 7, line 8, line 9, line 10, line 11, line 12, line 13 and 12 more rules$/);
    assert.deepEqual(f!.related?.map((x) => x.span.line + 1), [6, 7, 8, 9, 10, 11, 12, 13]);
    // past the sixteenth rule that meets it (their union is then asked first whether they cover
    // it), a copy of br-17's rule takes nothing and is not counted
    const copied = text.replace('-A X ! -i br-00', '-A X -i br-17 -j RETURN\n-A X ! -i br-00');
    const [g] = fires(copied, 'shadowed-rule');
    assert.equal(g!.span.line, 26);
    assert.match(g!.message, / and 12 more rules$/);
    // the ACCEPT taken out: br-00 aside, the packets from every other interface are left, not covered
    quiet(text.replace('-A X ! -i br-00 -p tcp -m tcp --dport 80 -j ACCEPT\n', ''), 'shadowed-rule');
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
  it('after edits inside long chains, judges again only the rules that share packets with a changed one, with the findings of a cold analysis', function () {
    this.timeout(120_000);
    const rng = new Rng(0x5ad0);
    const before = { ...shadowStats };
    for (const kind of ['firewall', 'docker', 'kube'] as const) {
      const lines = generateRuleset({ kind, family: 'ipv4', rules: 1500, seed: 11 }).text.split('\n');
      const ruleLines = lines.map((l, i) => (/^-A \S+ /.test(l) ? i : -1)).filter((i) => i >= 0);
      let doc: RulesDocument = createRulesDocument('file:///x.rules', 1, lines.join('\n'));
      checkShadowed(doc.ruleset);
      for (let k = 0; k < 25; k++) {
        // one rule changed in place: another body, or the body of another rule of the same chain
        const at = rng.pick(ruleLines);
        const chain = /^-A (\S+) /.exec(lines[at]!)![1]!;
        const same = ruleLines.filter((i) => lines[i]!.startsWith(`-A ${chain} `));
        const body = rng.int(0, 2) === 0 ? rng.pick(BODIES) : lines[rng.pick(same)]!.slice(`-A ${chain} `.length);
        lines[at] = `-A ${chain} ${body}`;
        const text = lines.join('\n');
        doc = createRulesDocument('file:///x.rules', k + 2, text, 'auto', doc);
        const cold = createRulesDocument('file:///x.rules', k + 2, text);
        assert.deepEqual(checkShadowed(doc.ruleset), checkShadowed(cold.ruleset), `${kind}, edit ${k + 1}: line ${at + 1} -> ${lines[at]}`);
      }
    }
    assert.ok(shadowStats.partial - before.partial >= 30, `chains judged in part: ${shadowStats.partial - before.partial}`);
    // (each partial judgement looks again at the few rules meeting the changed one, not the chain)
    assert.ok(shadowStats.rejudged - before.rejudged < (shadowStats.partial - before.partial) * 200, `rules judged again: ${shadowStats.rejudged - before.rejudged}`);
  });
  it('short chains keep only what tells them unchanged: when an edit in a later block makes their table again they are not judged again, and an edited one is judged as a cold analysis does', function () {
    // 60 chains of two rules each (the second shadowed by the first), then a nat block
    const lines = ['*filter', ':INPUT ACCEPT [0:0]'];
    for (let c = 0; c < 60; c++) lines.push(`:S${c} - [0:0]`);
    for (let c = 0; c < 60; c++) lines.push(`-A INPUT -s 10.${c}.0.0/16 -j S${c}`);
    for (let c = 0; c < 60; c++) lines.push(`-A S${c} -s 10.${c}.0.0/16 -j DROP`, `-A S${c} -s 10.${c}.1.1 -j ACCEPT`);
    lines.push('COMMIT', '*nat', ':POSTROUTING ACCEPT [0:0]', '-A POSTROUTING -o eth0 -j MASQUERADE', 'COMMIT', '');
    let doc = createRulesDocument('file:///short.rules', 1, lines.join('\n'));
    const cold = checkShadowed(doc.ruleset);
    assert.equal(cold.filter((f) => f.code === 'shadowed-rule').length, 60);
    // a chain declared in the nat block: the tables are built again, filter from the same rules
    const inserted = [...lines];
    inserted.splice(inserted.indexOf('*nat') + 2, 0, ':EXTRA - [0:0]');
    const filterBefore = doc.ruleset.tables.get('filter')!.chains.get('S0');
    doc = createRulesDocument('file:///short.rules', 2, inserted.join('\n'), 'auto', doc);
    assert.notEqual(doc.ruleset.tables.get('filter')!.chains.get('S0'), filterBefore, 'the filter chains are other objects');
    const before = { ...shadowStats };
    const after = checkShadowed(doc.ruleset);
    assert.ok(shadowStats.whole - before.whole <= 2, `chains judged whole: ${shadowStats.whole - before.whole}`);
    assert.deepEqual(after, judgedFresh('file:///short.rules', inserted, 2));
    // one short chain edited in place: its finding goes, the others stay
    const edited = [...inserted];
    edited[edited.indexOf('-A S7 -s 10.7.1.1 -j ACCEPT')] = '-A S7 -s 10.8.1.1 -j ACCEPT';
    doc = createRulesDocument('file:///short.rules', 3, edited.join('\n'), 'auto', doc);
    const once = checkShadowed(doc.ruleset);
    assert.equal(once.filter((f) => f.code === 'shadowed-rule').length, 59);
    assert.deepEqual(once, judgedFresh('file:///short.rules', edited, 3));
  });
  it('a short chain back to rules it had on other lines (a rule put in, lines moved above, the rule taken out): its findings on the lines it has now', () => {
    // its rules compile to what they did before the rule was put in (a moved line keeps its
    // compiled rule), so the findings kept for them are found again: said of the rules as they are
    let lines = ['*filter', ':A - [0:0]', '-A INPUT -j A', '-A A -p tcp -j DROP', '-A A -p tcp --dport 22 -j ACCEPT', '-A A -s 10.0.0.0/8 -j DROP', '-A A -s 10.1.0.0/16 -j DROP', 'COMMIT', ''];
    let doc = createRulesDocument('file:///back.rules', 1, lines.join('\n'));
    allFindings(doc.ruleset);
    const steps: [string, (l: string[]) => void][] = [
      ['a rule put in A, first', (l) => l.splice(3, 0, '-A A -p udp -j DROP')],
      ['two lines above A', (l) => l.splice(1, 0, '# one', '# two')],
      ['the rule taken out of A', (l) => l.splice(l.indexOf('-A A -p udp -j DROP'), 1)],
      ['a line above taken out', (l) => l.splice(l.indexOf('# one'), 1)],
    ];
    for (const [k, [name, step]] of steps.entries()) {
      lines = lines.slice();
      step(lines);
      doc = createRulesDocument('file:///back.rules', k + 2, lines.join('\n'), 'auto', doc);
      // (every check first, as the server runs them, and every rule compiled, as hovers and
      // traces compile the rules they show: then the moved rules are known by what they were)
      allFindings(doc.ruleset);
      for (const r of doc.ruleset.rules) analysisContext(doc.ruleset).compiled.get(r);
      const found = checkShadowed(doc.ruleset);
      assert.ok(found.length >= 2, name);
      assert.deepEqual(found, judgedFresh('file:///cold.rules', lines), name);
    }
  });
  it('a long chain found by its compiled rules on other lines (versions in between not checked): its findings on the lines it has now', () => {
    // two edits that moved lines, the version between them compiled (a hover) but not checked:
    // no one step leads from the version checked, so the chain is judged, from the run its rules
    // are known by, which was made where they were two lines higher
    const rules = Array.from({ length: 10 }, (_, i) => `-A L -s 10.${i % 3}.0.0/16${i % 2 ? ' -p tcp' : ''} -j DROP`);
    const lines = ['*filter', ':L - [0:0]', '-A INPUT -j L', ...rules, 'COMMIT', ''];
    const versions = [createRulesDocument('file:///long-found.rules', 1, lines.join('\n'))];
    const first = checkShadowed(versions[0]!.ruleset);
    assert.ok(first.length >= 3, first.map((f) => f.code).join(' '));
    for (const [k, at] of [1, 4].entries()) {
      lines.splice(at, 0, `# ${k}`);
      const doc = createRulesDocument('file:///long-found.rules', k + 2, lines.join('\n'), 'auto', versions[versions.length - 1]);
      versions.push(doc);
      for (const r of doc.ruleset.rules) analysisContext(doc.ruleset).compiled.get(r);
    }
    const found = checkShadowed(versions[versions.length - 1]!.ruleset);
    assert.deepEqual(found, judgedFresh('file:///cold.rules', lines));
  });
  for (const limit of [undefined, 150]) {
  it(`rules put in and taken out of a long chain of covering and non-covering rules${limit ? ', under a budget it runs out of' : ''}: judged ${limit ? 'whole from the shifted facts' : 'in part'}, as a cold analysis finds`, () => {
    // LOG and rate-limited rules cover nothing; the facts of the chain after each edit are its
    // last run's with one position put in or taken out
    const rng = new Rng(0xc0e7);
    const ruleText = () => {
      const net = `10.${rng.int(0, 3)}.${rng.int(0, 3)}.0/24`;
      switch (rng.int(0, 4)) {
        case 0:
          return `-A L -s ${net} -j LOG`;
        case 1:
          return `-A L -s ${net} -m limit --limit 5/min -j ACCEPT`;
        case 2:
          return `-A L -s ${net} -p tcp -j ACCEPT`;
        default:
          return `-A L -s ${net} -j ${rng.int(0, 1) ? 'DROP' : 'ACCEPT'}`;
      }
    };
    const lines = ['*filter', ':L - [0:0]', '-A INPUT -j L', ...Array.from({ length: 40 }, ruleText), 'COMMIT', ''];
    try {
      setShadowBudget(limit);
      let doc = createRulesDocument('file:///mixed.rules', 1, lines.join('\n'));
      const first = checkShadowed(doc.ruleset);
      assert.equal(first.some((f) => f.code === 'analysis-limit'), limit !== undefined);
      const before = { ...shadowStats };
      for (let v = 2; v < 60; v++) {
        const at = rng.int(3, lines.length - 3);
        if (rng.int(0, 1) && lines.length > 30) lines.splice(at, 1);
        else lines.splice(at, 0, ruleText());
        doc = createRulesDocument('file:///mixed.rules', v, lines.join('\n'), 'auto', doc);
        assert.deepEqual(checkShadowed(doc.ruleset), judgedFresh('file:///cold.rules', lines), `version ${v}`);
        // (the run kept says how many comparisons each rule took, and their sum: what decides
        // whether the next edit is judged in part)
        const chain = doc.ruleset.tables.get('filter')!.chains.get('L')!;
        const run = keptRunWork(chain);
        if (!limit && run) {
          assert.equal(run.work.length, chain.rules.length, `version ${v}`);
          assert.equal(run.total, run.work.reduce((a, b) => a + b, 0), `version ${v}`);
        }
      }
      if (limit) assert.ok(shadowStats.whole - before.whole > 100, `${shadowStats.whole - before.whole} judged whole`);
      else assert.ok(shadowStats.partial - before.partial > 30, `${shadowStats.partial - before.partial} judged in part`);
    } finally {
      setShadowBudget(undefined);
    }
  });
  }
  it('rules put in and taken out at and around the first covering rule and the first unconditional one: found where a cold analysis finds them', () => {
    // the chain's first covering rule (a final verdict on decidable conditions) starts the rules
    // that can cover others, its first unconditional one makes every later rule unreachable; after
    // a line put in or taken out they are worked out from the last run's (see shiftedFirsts)
    const rng = new Rng(0xf125);
    const ruleText = () => {
      const net = `10.${rng.int(0, 3)}.${rng.int(0, 3)}.0/24`;
      switch (rng.int(0, 9)) {
        case 0:
        case 1:
          return `-A L -s ${net} -j LOG`;
        case 2:
          return `-A L -s ${net} -m limit --limit 5/min -j ACCEPT`;
        case 3:
          return `-A L -j ${rng.int(0, 1) ? 'DROP' : 'ACCEPT'}`;
        default:
          return `-A L -s ${net} -j ${rng.int(0, 1) ? 'DROP' : 'ACCEPT'}`;
      }
    };
    const covers = (l: string) => / -j (DROP|ACCEPT)$/.test(l) && !l.includes('-m limit');
    const unconditional = (l: string) => /^-A L -j /.test(l);
    // non-covering rules first, so that the first covering rule is not the chain's first
    const lines = ['*filter', ':L - [0:0]', '-A INPUT -j L', '-A L -s 10.9.0.0/16 -j LOG', '-A L -s 10.9.0.0/16 -m limit --limit 1/s -j ACCEPT', ...Array.from({ length: 30 }, ruleText), 'COMMIT', ''];
    const firstRule = 3;
    let doc = createRulesDocument('file:///firsts.rules', 1, lines.join('\n'));
    checkShadowed(doc.ruleset);
    const taken = { covering: 0, unconditional: 0 };
    for (let v = 2; v < 120; v++) {
      const rules = lines.length - 2 - firstRule;
      const at = (test: (l: string) => boolean) => lines.findIndex((l, k) => k >= firstRule && test(l));
      const firstCovering = at(covers);
      const firstUnconditional = at(unconditional);
      // taken out: now and then the first covering or the first unconditional rule itself
      const pick = rng.int(0, 9);
      const there = pick < 2 && firstCovering >= 0 ? firstCovering : pick < 4 && firstUnconditional >= 0 ? firstUnconditional : rng.int(firstRule, firstRule + rules - 1);
      if (rng.int(0, 1) && rules > 12) {
        if (there === firstCovering) taken.covering++;
        if (there === firstUnconditional) taken.unconditional++;
        lines.splice(there, 1);
      } else lines.splice(rng.int(0, 3) ? there : there + 1, 0, ruleText());
      doc = createRulesDocument('file:///firsts.rules', v, lines.join('\n'), 'auto', doc);
      assert.deepEqual(checkShadowed(doc.ruleset), judgedFresh('file:///cold.rules', lines), `version ${v}`);
    }
    assert.ok(taken.covering >= 5 && taken.unconditional >= 5, `the first covering rule taken out ${taken.covering} times, the first unconditional one ${taken.unconditional}`);
  });

  it('lines inserted or deleted above chains: their findings are carried to the moved rules, not judged again, and read as a cold analysis reads them', function () {
    this.timeout(60_000);
    // a short chain and a long one under a small budget (its note is carried too), below a
    // chain the edits happen in
    const hosts = networksAndHosts();
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':TOP - [0:0]', ':S - [0:0]', ':LONG - [0:0]', '-A TOP -s 192.0.2.0/24 -j DROP'];
    lines.push('-A S -s 10.9.0.0/16 -j DROP', '-A S -s 10.9.1.1 -j ACCEPT', '-A S -s 10.8.2.0/24 -j DROP', '-A S -s 10.8.2.5 -j DROP', '-A S -p tcp -j RETURN', '-A S -p tcp --dport 22 -j ACCEPT');
    for (const l of hosts.slice(2, -2)) lines.push(l.replace('-A INPUT ', '-A LONG '));
    lines.push('-A INPUT -j LONG', '-A INPUT -j S', 'COMMIT', '');
    try {
      setShadowBudget(300);
      let doc = createRulesDocument('file:///moved.rules', 1, lines.join('\n'));
      const first = checkShadowed(doc.ruleset);
      assert.ok(first.some((f) => f.code === 'analysis-limit') && first.some((f) => f.code === 'shadowed-rule') && first.some((f) => f.code === 'redundant-rule'), first.map((f) => f.code).join(' '));
      let cur = lines;
      const steps: [string, (l: string[]) => string[]][] = [
        ['two rules inserted in TOP', (l) => [...l.slice(0, 6), '-A TOP -s 192.0.2.1 -j DROP', '-A TOP -s 198.51.100.0/24 -j DROP', ...l.slice(6)]],
        ['a blank line inserted above the chains', (l) => [...l.slice(0, 5), '', ...l.slice(5)]],
        ['a rule of TOP deleted', (l) => l.filter((x) => x !== '-A TOP -s 192.0.2.1 -j DROP')],
        // (S is judged again: the shadowed rule is one no more)
        ['a line inserted above and a rule of S rewritten in one edit', (l) => [...l.slice(0, 5), '# moved', ...l.slice(5).map((x) => (x === '-A S -s 10.9.1.1 -j ACCEPT' ? '-A S -s 10.7.1.1 -j ACCEPT' : x))]],
      ];
      for (const [k, [name, step]] of steps.entries()) {
        cur = step(cur);
        doc = createRulesDocument('file:///moved.rules', k + 2, cur.join('\n'), 'auto', doc);
        const before = { ...shadowStats };
        const found = checkShadowed(doc.ruleset);
        // (LONG is carried from the lines its findings name: its rules, made when read, are not)
        const long = doc.ruleset.tables.get('filter')!.chains.get('LONG');
        assert.ok(long instanceof MovedChain && !long.read, `${name}: LONG carried unread`);
        // TOP changed (judged whole: it is short); S and LONG are carried
        assert.ok(shadowStats.whole - before.whole <= (k === 3 ? 2 : 1), `${name}: ${shadowStats.whole - before.whole} chains judged whole`);
        assert.equal(shadowStats.partial - before.partial, 0, name);
        assert.deepEqual(found, judgedFresh('file:///moved.rules', cur), name);
        assert.ok(found.some((f) => f.code === 'analysis-limit'), name);
      }
      // a rule of the long chain edited after the moves: judged in part from the run carried to it
      const at = cur.findIndex((l) => l.startsWith('-A LONG -s 10.0.3.2 '));
      cur = cur.map((l, i) => (i === at ? `${l} -m comment --comment edited` : l));
      doc = createRulesDocument('file:///moved.rules', 9, cur.join('\n'), 'auto', doc);
      const before = { ...shadowStats };
      const found = checkShadowed(doc.ruleset);
      assert.equal(shadowStats.whole - before.whole, 0, 'the long chain, edited after it moved: not judged whole');
      assert.deepEqual(found, judgedFresh('file:///moved.rules', cur));
    } finally {
      setShadowBudget(undefined);
    }
  });
  it('a line put in between chains: the findings of the chains above are the previous objects, those below said on their new lines', () => {
    // (a long chain and a short one above, judged differently: see KEPT_FROM)
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':UP - [0:0]', ':SHORT - [0:0]', ':DOWN - [0:0]', '-A UP -s 10.1.0.0/16 -j DROP', '-A UP -s 10.1.2.3 -j ACCEPT', '-A UP -p tcp -j ACCEPT'];
    for (let i = 0; i < 10; i++) lines.push(`-A UP -s 10.2.${i}.0/24 -j DROP`, `-A UP -s 10.2.${i}.7 -j DROP`);
    lines.push('-A SHORT -s 10.4.0.0/16 -j DROP', '-A SHORT -s 10.4.2.3 -j ACCEPT');
    const between = lines.length;
    lines.push('-A DOWN -s 10.3.0.0/16 -j DROP', '-A DOWN -s 10.3.2.3 -j ACCEPT', '-A INPUT -j UP', '-A INPUT -j SHORT', '-A INPUT -j DOWN', 'COMMIT', '');
    let doc = createRulesDocument('file:///between.rules', 1, lines.join('\n'));
    const before = checkShadowed(doc.ruleset);
    const inUp = (f: { span: { line: number } }) => f.span.line < between;
    assert.ok(before.filter(inUp).length >= 12 && before.some((f) => !inUp(f)), before.map((f) => `${f.code}@${f.span.line}`).join(' '));
    const now = [...lines.slice(0, between), '# a comment put in', ...lines.slice(between)];
    doc = createRulesDocument('file:///between.rules', 2, now.join('\n'), 'auto', doc);
    const after = checkShadowed(doc.ruleset);
    assert.deepEqual(after, judgedFresh('file:///between.rules', now));
    const kept = new Set(before);
    assert.ok(after.filter(inUp).every((f) => kept.has(f)), 'the findings of UP and SHORT are the previous objects');
    assert.ok(after.filter((f) => !inUp(f)).every((f) => !kept.has(f) && f.span.line > between), 'those of DOWN are on their new lines');
    // a line put in between the two rules of SHORT: its finding names both, and is said again
    const inShort = now.indexOf('-A SHORT -s 10.4.2.3 -j ACCEPT');
    const split = [...now.slice(0, inShort), '# inside SHORT', ...now.slice(inShort)];
    doc = createRulesDocument('file:///between.rules', 3, split.join('\n'), 'auto', doc);
    assert.deepEqual(checkShadowed(doc.ruleset), judgedFresh('file:///between.rules', split));
  });

  it('a rule put into a long chain: the findings above it that name rules above it only are the previous objects, the others said on the lines they name now', () => {
    const lines = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -s 10.0.1.0/24 -j DROP', '-A INPUT -s 10.0.1.5 -j DROP', '-A INPUT -s 10.0.1.6 -p tcp -j ACCEPT', '-A INPUT -s 10.0.9.9 -j DROP'];
    for (let i = 0; i < 30; i++) lines.push(`-A INPUT -s 10.5.${i}.0/24 -p udp -j ACCEPT`);
    const at = lines.length;
    lines.push('-A INPUT -s 10.0.9.0/24 -j DROP', '-A INPUT -s 10.0.3.0/24 -j DROP', '-A INPUT -s 10.0.3.3 -j ACCEPT', 'COMMIT', '');
    let doc = createRulesDocument('file:///above.rules', 1, lines.join('\n'));
    const before = checkShadowed(doc.ruleset);
    const now = [...lines.slice(0, at), '-A INPUT -s 192.0.2.1 -j DROP', ...lines.slice(at)];
    doc = createRulesDocument('file:///above.rules', 2, now.join('\n'), 'auto', doc);
    const stats = { ...shadowStats };
    const after = checkShadowed(doc.ruleset);
    assert.equal(shadowStats.partial - stats.partial, 1, 'judged in part');
    assert.deepEqual(after, judgedFresh('file:///above.rules', now));
    const kept = new Set(before);
    const named = (f: (typeof after)[number]) => [f.span.line, ...(f.related ?? []).map((r) => r.span.line), ...[...f.message.matchAll(/line (\d+)/g)].map((m) => Number(m[1]) - 1)];
    const above = after.filter((f) => named(f).every((l) => l < at));
    const rest = after.filter((f) => !above.includes(f));
    // (two findings above the rule put in: one naming the rule above it, one the rule below it that decides the same)
    assert.deepEqual(above.map((f) => f.span.line), [3, 4], after.map((f) => `${f.code}@${f.span.line}: ${f.message}`).join('\n'));
    assert.ok(above.every((f) => kept.has(f)), 'the findings naming rules above the edit are the previous objects');
    // (the one above naming a rule below, the two below, and the rule put in: a drop the policy makes anyway)
    assert.ok(rest.length === 4 && rest.every((f) => !kept.has(f)), 'the others are said again');
    assert.ok(rest.some((f) => f.span.line === 5 && f.message.includes(`line ${at + 2}`)), 'the finding above the edit that names a rule below it names its new line');
  });

  it('a rule of a long chain edited in place: the findings that do not name it are the previous objects, those that do are said again', () => {
    const lines = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -s 10.0.1.0/24 -j DROP', '-A INPUT -s 10.0.1.5 -j DROP', '-A INPUT -s 10.0.1.6 -p tcp -j ACCEPT'];
    for (let i = 0; i < 30; i++) lines.push(`-A INPUT -s 10.5.${i}.0/24 -p udp -j ACCEPT`, `-A INPUT -s 10.5.${i}.9 -p udp -j ACCEPT`);
    lines.push('-A INPUT -s 10.0.3.0/24 -j DROP', '-A INPUT -s 10.0.3.3 -j ACCEPT', 'COMMIT', '');
    let doc = createRulesDocument('file:///inplace.rules', 1, lines.join('\n'));
    const before = checkShadowed(doc.ruleset);
    // (a comment on a rule another rule's finding names: the same verdicts, that finding on new words)
    const at = lines.indexOf('-A INPUT -s 10.5.7.0/24 -p udp -j ACCEPT');
    const now = lines.map((l, i) => (i === at ? `${l} -m comment --comment "seven"` : l));
    doc = createRulesDocument('file:///inplace.rules', 2, now.join('\n'), 'auto', doc);
    const after = checkShadowed(doc.ruleset);
    assert.deepEqual(after, judgedFresh('file:///inplace.rules', now));
    const kept = new Set(before);
    const namesIt = (f: (typeof after)[number]) => f.span.line === at || (f.related ?? []).some((r) => r.span.line === at);
    assert.ok(after.length > 30 && after.some(namesIt), after.map((f) => `${f.code}@${f.span.line}`).join(' '));
    assert.ok(after.filter((f) => !namesIt(f)).every((f) => kept.has(f)), 'the findings not naming the edited rule are the previous objects');
    const said = after.filter(namesIt);
    assert.ok(said.every((f) => !kept.has(f)), 'those naming it are said again');
    assert.ok(said.some((f) => (f.related ?? []).some((r) => r.span.line === at && r.span.end === now[at]!.length)), 'on the edited rule as it reads now');
    // counters put in front of it: a finding naming it is said again on the line as it reads now
    // (the others stay the same objects)
    const counted = now.map((l, i) => (i === at ? `[3:180] ${l}` : l));
    doc = createRulesDocument('file:///inplace.rules', 3, counted.join('\n'), 'auto', doc);
    const third = checkShadowed(doc.ruleset);
    assert.deepEqual(third, judgedFresh('file:///inplace.rules', counted));
    const kept2 = new Set(after);
    assert.ok(third.filter((f) => !namesIt(f)).every((f) => kept2.has(f)), 'after the counters: the findings not naming the rule are the same objects');
    assert.ok(third.filter(namesIt).every((f) => !kept2.has(f)), 'after the counters: those naming it are said again');
  });

  it('a rule put into or taken out of a long chain: judges again only the rules it meets and those whose finding names it', function () {
    this.timeout(60_000);
    let cur = networksAndHosts();
    let doc = createRulesDocument('file:///put.rules', 1, cur.join('\n'));
    checkShadowed(doc.ruleset);
    const net = (n: number) => cur.indexOf(`-A INPUT -s 10.0.${n}.0/24 -j DROP`);
    const steps: [string, (l: string[]) => string[], number][] = [
      // a host rule put in under network 7: it alone is judged again (and shadowed)
      ['a covered rule put in', (l) => [...l.slice(0, net(7) + 1), '-A INPUT -s 10.0.7.9 -p tcp --dport 99 -j ACCEPT', ...l.slice(net(7) + 1)], 2],
      // network 12 taken out: its five hosts named it, and meet it
      ['a covering rule taken out', (l) => l.filter((_, i) => i !== net(12)), 6],
      // a rule meeting nothing else, at the end
      ['a rule put in at the end', (l) => [...l.slice(0, -2), '-A INPUT -s 192.0.2.1 -j DROP', ...l.slice(-2)], 1],
      // a shadowed rule taken out: only the place it leaves (its neighbours meet nothing of it but their network)
      ['a covered rule taken out', (l) => l.filter((x) => x !== '-A INPUT -s 10.0.30.3 -p tcp --dport 23 -j ACCEPT'), 2],
      // network 3 put in again after its own host rules: no longer shadowing them, and itself not covered
      ['a wide rule put in', (l) => [...l.slice(0, -2), '-A INPUT -s 10.0.0.0/8 -j DROP', ...l.slice(-2)], 240],
    ];
    for (const [k, [name, step, most]] of steps.entries()) {
      cur = step(cur);
      doc = createRulesDocument('file:///put.rules', k + 2, cur.join('\n'), 'auto', doc);
      const before = { ...shadowStats };
      const found = checkShadowed(doc.ruleset);
      assert.equal(shadowStats.whole - before.whole, 0, `${name}: not judged whole`);
      assert.equal(shadowStats.partial - before.partial, 1, name);
      assert.ok(shadowStats.rejudged - before.rejudged <= most, `${name}: ${shadowStats.rejudged - before.rejudged} rules judged again`);
      // (where the rule went is told by the moves of its table, without comparing the chain's rules)
      assert.equal(shadowStats.compared - before.compared, 0, `${name}: rules compared one by one`);
      assert.deepEqual(found, judgedFresh('file:///put.rules', cur), name);
    }
  });
  it('a rule found covered is not judged again when a rule put in or taken out before it does not change which rules take its packets, and is when it does', function () {
    this.timeout(60_000);
    // a Docker-like nat DOCKER chain: a RETURN for each bridge, a DNAT for each published port,
    // and a second DNAT of port 2005 that the RETURN rules and the first one decide
    const ret = (b: number) => `-A DOCKER -i br${b} -j RETURN`;
    const dnat = (b: number) => `-A DOCKER ! -i br${b} -p tcp -m tcp --dport ${2000 + b} -j DNAT --to-destination 172.18.0.${b}:80`;
    const dup = '-A DOCKER ! -i br30 -p tcp -m tcp --dport 2005 -j DNAT --to-destination 172.26.0.8:80';
    let cur = ['*nat', ':PREROUTING ACCEPT [0:0]', ':DOCKER - [0:0]', '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER', '-A DOCKER -i docker0 -j RETURN'];
    cur.push(...Array.from({ length: 60 }, (_, b) => ret(b)), ...Array.from({ length: 40 }, (_, b) => dnat(b)), dup, 'COMMIT', '');
    let doc = createRulesDocument('file:///nat.rules', 1, cur.join('\n'));
    const first = checkShadowed(doc.ruleset).find((f) => f.span.line === cur.indexOf(dup));
    assert.match(first?.message ?? '', /never takes effect: every packet it matches is already decided by line 5, line 6, .* and 53 more rules/);
    const after = (x: string, y: string) => (l: string[]) => [...l.slice(0, l.indexOf(x) + 1), y, ...l.slice(l.indexOf(x) + 1)];
    // [name, edit, whether the second DNAT is judged again]
    const steps: [string, (l: string[]) => string[], boolean][] = [
      // (a copy of a RETURN: its bridge was taken by the one above it)
      ['a copy of a RETURN rule put in', after(ret(7), ret(7)), false],
      // (a new bridge: taken by the first DNAT of port 2005 until now)
      ['a RETURN rule of a new bridge put in', after(ret(20), ret(900)), true],
      ['the copy taken out', (l) => l.filter((x, i) => x !== ret(7) || l.indexOf(x) !== i), false],
      ['a RETURN rule that takes some of its packets taken out', (l) => l.filter((x) => x !== ret(12)), true],
      ['a rule meeting it put in after it', after(dup, '-A DOCKER -p tcp -m tcp --dport 2000:2010 -j ACCEPT'), false],
      // (a rule that does not cover takes no packets from the rules after it)
      ['a rule meeting it that does not cover put in before it', after(ret(40), '-A DOCKER -p tcp -m tcp --dport 2005 -m limit --limit 1/s -j ACCEPT'), false],
      ['a DNAT rule of its port put in before the first', after(ret(59), '-A DOCKER -p tcp -m tcp --dport 2005 -j DNAT --to-destination 172.26.0.9:80'), true],
    ];
    for (const [k, [name, step, again]] of steps.entries()) {
      cur = step(cur);
      doc = createRulesDocument('file:///nat.rules', k + 2, cur.join('\n'), 'auto', doc);
      const before = { ...shadowStats };
      const found = checkShadowed(doc.ruleset);
      assert.equal(shadowStats.partial - before.partial, 1, `${name}: judged in part`);
      // (positions in the chain: its first rule is on line 4)
      assert.equal(shadowStats.lastShifted.has(cur.indexOf(dup) - 4), again, `${name}: the second DNAT judged again`);
      assert.deepEqual(found, judgedFresh('file:///nat.rules', cur), name);
    }
  });
  it('a Docker-like FORWARD chain is judged to its end: the later rules a rule meets are counted as comparisons only when they are compared, not when they are counted', function () {
    this.timeout(60_000);
    // each `-i brX ! -o brX` accept meets every later rule about another bridge; its corner
    // packets settle it (a packet from brX to no bridge: the policy drops it)
    const lines = ['*filter', ':FORWARD DROP [0:0]', ':DOCKER - [0:0]'];
    for (let b = 0; b < 150; b++) lines.push(`-A FORWARD -o br${b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`, `-A FORWARD -o br${b} -j DOCKER`, `-A FORWARD -i br${b} ! -o br${b} -j ACCEPT`, `-A FORWARD -i br${b} -o br${b} -j ACCEPT`);
    lines.push('COMMIT', '');
    try {
      setShadowBudget(20_000);
      const doc = createRulesDocument('file:///forward.rules', 1, lines.join('\n'));
      const found = checkShadowed(doc.ruleset);
      assert.deepEqual(found.map((f) => f.code), [], 'judged to the end, nothing found');
      const run = keptRunWork(doc.ruleset.tables.get('filter')!.chains.get('FORWARD')!)!;
      assert.ok(run.total < 10_000, `${run.total} comparisons`);
    } finally {
      setShadowBudget(undefined);
    }
  });
  it('a rule put into or taken out of a Docker-like chain: the thousands of rules it meets that were settled at a corner packet it does not hold are not judged again', function () {
    this.timeout(60_000);
    // each bridge: an accept of replies to it, a jump, an accept from it to elsewhere (free in the
    // out-interface: it meets every rule about another bridge's traffic)
    const bridge = (b: number) => [`-A FORWARD -o br${b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`, `-A FORWARD -o br${b} -j DOCKER`, `-A FORWARD -i br${b} ! -o br${b} -j ACCEPT`, `-A FORWARD -i br${b} -o br${b} -j ACCEPT`];
    let cur = ['*filter', ':FORWARD DROP [0:0]', ':DOCKER - [0:0]', ...Array.from({ length: 150 }, (_, b) => bridge(b)).flat(), 'COMMIT', ''];
    let doc = createRulesDocument('file:///docker.rules', 1, cur.join('\n'));
    checkShadowed(doc.ruleset);
    const at = (b: number) => cur.indexOf(bridge(b)[0]!);
    const steps: [string, (l: string[]) => string[]][] = [
      ['a bridge accept put in', (l) => [...l.slice(0, at(70)), '-A FORWARD -o br900 -j ACCEPT', ...l.slice(at(70))]],
      ['an accept from a bridge taken out', (l) => l.filter((x) => x !== bridge(40)[2])],
      ['an accept from a bridge edited in place', (l) => l.map((x) => (x === bridge(90)[2] ? '-A FORWARD -i br90 ! -o br90 -p tcp -j ACCEPT' : x))],
    ];
    for (const [k, [name, step]] of steps.entries()) {
      cur = step(cur);
      doc = createRulesDocument('file:///docker.rules', k + 2, cur.join('\n'), 'auto', doc);
      const before = { ...shadowStats };
      const found = checkShadowed(doc.ruleset);
      assert.equal(shadowStats.whole - before.whole, 0, `${name}: not judged whole`);
      assert.ok(shadowStats.rejudged - before.rejudged <= 4, `${name}: ${shadowStats.rejudged - before.rejudged} rules judged again`);
      assert.deepEqual(found, judgedFresh('file:///docker.rules', cur), name);
    }
  });
  it('a rule put in or changed that holds no corner packet of a rule but fills the hole the rules around it left: that rule is judged again, as a cold analysis finds it', function () {
    this.timeout(60_000);
    // filler: rules about other networks, so that the chain keeps its runs
    const filler = Array.from({ length: 30 }, (_, k) => `-A L -s 172.16.${k}.0/24 -j ACCEPT`);
    const quarter = (q: number, verdict: string) => `-A L -s 10.0.0.${q * 64}/26 -j ${verdict}`;
    // (each case: its rules, the edit, the rule it must find something on then, and what)
    const cases: [string, string[], (l: string[]) => string[], string, string][] = [
      // a LOG rule whose corners the first and last quarters hold: earlier covering rules took
      // both corners, but not the middle, so whether it is covered was answered past its corners
      ['the middle of a covered rule, put in before it', [...filler, quarter(0, 'DROP'), quarter(1, 'DROP'), quarter(3, 'DROP'), '-A L -s 10.0.0.0/24 -j LOG'], (l) => l.flatMap((x) => (x === quarter(3, 'DROP') ? [quarter(2, 'DROP'), x] : [x])), '-A L -s 10.0.0.0/24 -j LOG', 'shadowed-rule'],
      ['the middle of a covered rule, changed before it', [...filler, quarter(0, 'DROP'), quarter(1, 'DROP'), '-A L -s 10.0.0.128/26 -j LOG', quarter(3, 'DROP'), '-A L -s 10.0.0.0/24 -j LOG'], (l) => l.map((x) => (x === '-A L -s 10.0.0.128/26 -j LOG' ? quarter(2, 'DROP') : x)), '-A L -s 10.0.0.0/24 -j LOG', 'shadowed-rule'],
      // (the same with the rules taking the corners of an ACCEPT that nine later UDP rules meet:
      // whether they decide its packets alike was answered at a corner, whether it is covered not)
      ['the middle of a covered rule that later rules meet, put in before it', [...filler, quarter(0, 'DROP'), quarter(1, 'DROP'), quarter(3, 'DROP'), '-A L -s 10.0.0.0/24 -j ACCEPT', ...Array.from({ length: 9 }, (_, k) => `-A L -s 10.0.0.${k + 1} -p udp -j DROP`)], (l) => l.flatMap((x) => (x === quarter(3, 'DROP') ? [quarter(2, 'DROP'), x] : [x])), '-A L -s 10.0.0.0/24 -j ACCEPT', 'shadowed-rule'],
      // a DROP rule whose packets the rules after it drop too, but for one quarter: whether they
      // decide its packets alike was answered past its corners (after the filler: whether earlier
      // rules cover it was answered at a corner)
      ['the middle of a rule repeated below, put in after it', [...filler, '-A L -s 10.0.0.0/24 -j DROP', quarter(0, 'DROP'), quarter(1, 'DROP'), quarter(3, 'DROP')], (l) => l.flatMap((x) => (x === quarter(3, 'DROP') ? [quarter(2, 'DROP'), x] : [x])), '-A L -s 10.0.0.0/24 -j DROP', 'redundant-rule'],
      ['the middle of a rule repeated below, changed after it', [...filler, '-A L -s 10.0.0.0/24 -j DROP', quarter(0, 'DROP'), quarter(1, 'DROP'), '-A L -s 10.0.0.128/26 -j LOG', quarter(3, 'DROP')], (l) => l.map((x) => (x === '-A L -s 10.0.0.128/26 -j LOG' ? quarter(2, 'DROP') : x)), '-A L -s 10.0.0.0/24 -j DROP', 'redundant-rule'],
    ];
    // a DROP rule whose first corner packet an ACCEPT after it takes (nine later UDP rules meet it):
    // that ACCEPT changed to one about another network, the rules after it drop all its packets
    const udp = Array.from({ length: 9 }, (_, k) => `-A L -s 10.0.0.${k + 1} -p udp -j DROP`);
    cases.push(['the rule that took a corner of a rule before it, changed to take none', [...filler, '-A L -s 10.0.0.0/24 -j DROP', '-A L -s 10.0.0.0/26 -j ACCEPT', ...udp, '-A L -s 10.0.0.0/24 -j DROP'], (l) => l.map((x) => (x === '-A L -s 10.0.0.0/26 -j ACCEPT' ? '-A L -s 192.168.0.0/26 -j ACCEPT' : x)), '-A L -s 10.0.0.0/24 -j DROP', 'redundant-rule']);
    const wrap = (l: string[]) => ['*filter', ':L - [0:0]', '-A INPUT -j L', ...l, 'COMMIT', ''];
    for (const [name, rules, step, target, code] of cases) {
      let doc = createRulesDocument('file:///hole.rules', 1, wrap(rules).join('\n'));
      const was = wrap(rules).indexOf(target);
      assert.ok(!checkShadowed(doc.ruleset).some((f) => f.span.line === was), `${name}: nothing found on it before`);
      const now = wrap(step(rules));
      doc = createRulesDocument('file:///hole.rules', 2, now.join('\n'), 'auto', doc);
      const before = { ...shadowStats };
      const found = checkShadowed(doc.ruleset);
      assert.equal(shadowStats.partial - before.partial, 1, `${name}: judged in part`);
      assert.deepEqual(found, judgedFresh('file:///hole.rules', now), name);
      assert.ok(found.some((f) => f.code === code && f.span.line === now.indexOf(target)), `${name}: ${code} found`);
    }
  });
  it('a comment added to a rule: judges again only that rule and the findings that point at it, also in a chain stopped at the budget', function () {
    this.timeout(60_000);
    // every /24 shadows the five host rules after it, which name it in their related lines
    const lines = networksAndHosts();
    for (const limit of [undefined, 300]) {
      try {
        setShadowBudget(limit);
        const edited = [...lines];
        let doc = createRulesDocument('file:///respan.rules', 1, edited.join('\n'));
        const first = checkShadowed(doc.ruleset);
        const stop = first.find((f) => f.code === 'analysis-limit')?.span.line;
        assert.equal(stop !== undefined, limit !== undefined, 'stopped only under the small budget');
        // a network rule (five findings point at it), a host rule, the rule the note is on, a rule past it
        const targets = [2 + 6 * 3, 2 + 6 * 3 + 2, ...(stop !== undefined ? [stop, stop + 7] : [])];
        for (const [k, at] of targets.entries()) {
          edited[at] = `${edited[at]} -m comment --comment "note ${k}"`;
          const text = edited.join('\n');
          doc = createRulesDocument('file:///respan.rules', k + 2, text, 'auto', doc);
          const before = { ...shadowStats };
          const found = checkShadowed(doc.ruleset);
          assert.equal(shadowStats.whole - before.whole, 0, `budget ${limit}, line ${at + 1}: not judged whole`);
          assert.ok(shadowStats.rejudged - before.rejudged <= 6, `budget ${limit}, line ${at + 1}: ${shadowStats.rejudged - before.rejudged} rules judged again`);
          assert.deepEqual(found, judgedFresh('file:///respan.rules', text, k + 2), `budget ${limit}, line ${at + 1}`);
          // the findings that point at the network rule follow its new span
          if (k === 0) assert.equal(found.filter((f) => f.related?.some((r) => r.span.line === at && r.span.end === edited[at]!.length)).length, 5);
        }
      } finally {
        setShadowBudget(undefined);
      }
    }
  });
  it('stops a chain at the comparison budget with a note, exact above it, and judges it the same after edits as a cold analysis', function () {
    this.timeout(60_000);
    // a chain whose rules overlap many others: every /24 below covers the hosts after it
    const lines = networksAndHosts();
    const text = lines.join('\n');
    const full = judgedFresh('file:///budget.rules', text);
    assert.ok(full.filter((f) => f.code === 'shadowed-rule').length >= 150, 'every host rule is shadowed by its network');
    try {
      setShadowBudget(300);
      const cut = judgedFresh('file:///budget.rules', text);
      const limit = cut.filter((f) => f.code === 'analysis-limit');
      assert.equal(limit.length, 1);
      assert.match(limit[0]!.message, /not checked in INPUT from this rule on/);
      const at = limit[0]!.span.line;
      assert.ok(at > 10 && at < lines.length - 10, `stopped at line ${at + 1}`);
      // above the note: exactly what the whole judgement finds there; below it: nothing
      assert.deepEqual(
        cut.filter((f) => f.code !== 'analysis-limit'),
        full.filter((f) => f.span.line < at),
      );
      // edits near the limit: the chain is judged whole again, as a cold analysis does
      let doc = createRulesDocument('file:///budget.rules', 1, text);
      checkShadowed(doc.ruleset);
      const rng = new Rng(0xb0d6e7);
      const edited = [...lines];
      for (let k = 0; k < 10; k++) {
        const i = rng.int(2, edited.length - 3);
        edited[i] = `-A INPUT ${rng.pick(BODIES)}`;
        const t = edited.join('\n');
        doc = createRulesDocument('file:///budget.rules', k + 2, t, 'auto', doc);
        assert.deepEqual(checkShadowed(doc.ruleset), judgedFresh('file:///budget.rules', t, k + 2), `edit ${k + 1}`);
      }
    } finally {
      setShadowBudget(undefined);
    }
  });
});
