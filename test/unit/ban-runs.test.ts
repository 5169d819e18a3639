/**
 * Walks through runs of bans at once (analysis/ban-runs.ts, walkRun in reach.ts) against the same
 * walks rule by rule. On random rulesets with long stretches of single-range bans (ranges written
 * again, adjacent ones, prefixes holding earlier addresses, rules of another kind or dimension in
 * between, RETURN and LOG among them), entered with packets of one box or several, with the
 * banned dimension restricted or not, with rules whose arrivals are kept, a rule to stop at, what
 * only some rules take recorded, and small work limits, every result must be held alike: the same rules in the same order with the
 * same packets taken and arrived, the same packets left to the policy, the same limit reached.
 * Runs carried from a version to the next (a line put in or taken out, a rule rewritten in place)
 * must describe the rules the chain holds then.
 */
import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Rng } from '../../bench/gen/rng';
import { type BanRun, banRunsOf, type RunContext, runsWereCarried } from '../../server/src/analysis/ban-runs';
import { analysisContext, TCP_START } from '../../server/src/analysis/context';
import { Box, ISet, Space } from '../../server/src/analysis/packet-space';
import { reach, type ReachResult, setBanRuns, setWalkBudget, verdictKind } from '../../server/src/analysis/reach';
import { SANITIZED_DOCUMENTS, rulesDocumentOf } from '../../server/src/lsp/documents';
import type { Chain, Rule, Ruleset } from '../../server/src/model/ruleset';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { diagnose } from '../../server/src/service/diagnostics';
import { createRulesDocument, type RulesDocument } from '../../server/src/service/document';

/**
 * How the rulesets of one family write the few addresses their bans are drawn from: address
 * (a, b) is the (a * 256 + b)-th after a base (10.0.0.0, or 2001:db8:: for IPv6, whose values no
 * double holds: its runs keep bigints), and a prefix of IPv4 length `len` holds as many addresses
 * in either family.
 */
interface Fam {
  readonly family: 'ipv4' | 'ipv6';
  addr(a: number, b: number): string;
  prefix(a: number, b: number, len: number): string;
  value(a: number, b: number): bigint;
}

const V4: Fam = {
  family: 'ipv4',
  addr: (a, b) => `10.0.${a}.${b}`,
  prefix: (a, b, len) => `10.0.${a}.${b}/${len}`,
  value: (a, b) => 0x0a000000n + BigInt(a * 256 + b),
};

const V6: Fam = {
  family: 'ipv6',
  addr: (a, b) => `2001:db8::${(a * 256 + b).toString(16)}`,
  prefix: (a, b, len) => `2001:db8::${(a * 256 + b).toString(16)}/${len + 96}`,
  value: (a, b) => (0x20010db8n << 96n) + BigInt(a * 256 + b),
};

/** An address of the few the bans are drawn from (so that ranges repeat and touch). */
function address(rng: Rng, f: Fam): string {
  return f.addr(rng.int(0, 1), rng.int(0, 63));
}

/** One rule of the blocklist chain: mostly single-address bans, and now and then something else. */
function blocklistRule(rng: Rng, f: Fam): string {
  // (rules of another kind are rare enough to leave stretches of 32 bans and more between them)
  const kind = rng.weighted<string>([
    ['ban', 880],
    ['comment', 60],
    ['accept', 30],
    ['prefix', 6],
    ['dst', 5],
    ['port', 5],
    ['log', 5],
    ['return', 4],
    ['mark', 5],
  ]);
  switch (kind) {
    case 'prefix':
      return `-A BL -s ${f.prefix(rng.int(0, 1), rng.pick([0, 8, 16, 32]), rng.pick([28, 30, 29]))} -j DROP`;
    case 'accept':
      return `-A BL -s ${address(rng, f)} -j ACCEPT`;
    case 'dst':
      return `-A BL -d ${address(rng, f)} -j DROP`;
    case 'port':
      return `-A BL -p tcp -m tcp --dport ${rng.pick([22, 80, 443])} -j DROP`;
    case 'log':
      return `-A BL -s ${address(rng, f)} -j LOG`;
    case 'return':
      return `-A BL -s ${address(rng, f)} -j RETURN`;
    case 'mark':
      return `-A BL -m mark --mark 0x${rng.int(1, 3)} -j DROP`;
    case 'comment':
      return `-A BL -s ${address(rng, f)} -m comment --comment "report ${rng.int(0, 99)}" -j DROP`;
    default:
      return `-A BL -s ${address(rng, f)}/${f.family === 'ipv4' ? 32 : 128} -j ${rng.chance(0.1) ? 'REJECT' : 'DROP'}`;
  }
}

function blocklistRuleset(rng: Rng, f: Fam): string {
  const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':BL - [0:0]', ':AFTER - [0:0]'];
  lines.push('-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  lines.push(rng.pick(['-A INPUT -j BL', '-A INPUT -p tcp -j BL', `-A INPUT -s ${f.prefix(0, 0, 25)} -j BL`, `-A INPUT -s ${f.prefix(0, 16, 28)} -j BL`]));
  if (rng.chance(0.3)) lines.push('-A INPUT -p udp -j BL');
  lines.push('-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -j AFTER', '-A INPUT -j LOG');
  const n = rng.int(60, 220);
  for (let i = 0; i < n; i++) lines.push(blocklistRule(rng, f));
  lines.push('-A AFTER -p tcp -m tcp --dport 80 -j ACCEPT', `-A AFTER -s ${address(rng, f)} -j ACCEPT`, '-A AFTER -j DROP', 'COMMIT', '');
  return lines.join('\n');
}

/** Packets to start walks with: everything, TCP, a range of sources, several boxes, a source set of two ranges. */
function starts(rng: Rng, f: Fam): Space[] {
  const src = (a: number, b: number) => Box.of('src', ISet.of(f.value(0, a), f.value(0, b)));
  const lo = rng.int(0, 300);
  return [
    Space.ALL,
    TCP_START.space,
    Space.box(src(lo, lo + rng.int(0, 200))),
    new Space([Box.of('proto', ISet.point(6n)), Box.of('proto', ISet.point(17n)), src(5, 40).with('proto', ISet.point(1n))]),
    Space.box(Box.of('src', ISet.fromRanges([[f.value(0, 0), f.value(0, 0x10)], [f.value(0, 0x20), f.value(0, 0x100)]]))),
  ];
}

/** The two results held alike: rules by identity and order, spaces as sameAs holds them. */
function assertSameWalk(on: ReachResult, off: ReachResult, what: string): void {
  assert.equal(on.complete, off.complete, `${what}: complete`);
  assert.deepEqual([...on.chains].sort(), [...off.chains].sort(), `${what}: chains`);
  assert.ok(on.toPolicy.sameAs(off.toPolicy), `${what}: toPolicy`);
  const a = [...on.taken];
  const b = [...off.taken];
  assert.equal(a.length, b.length, `${what}: rules taking packets`);
  a.forEach(([r, s], i) => {
    assert.equal(r, b[i]![0], `${what}: taken #${i} is line ${b[i]![0].line + 1}, not ${r.line + 1}`);
    assert.ok(s.sameAs(b[i]![1]), `${what}: taken at line ${r.line + 1}`);
  });
  const x = [...on.arrivals];
  const y = [...off.arrivals];
  assert.equal(x.length, y.length, `${what}: rules with arrivals`);
  x.forEach(([r, list], i) => {
    const [r2, list2] = y[i]!;
    assert.equal(r, r2, `${what}: arrivals #${i}`);
    assert.equal(list.length, list2.length, `${what}: arrivals at line ${r.line + 1}`);
    list.forEach((e, k) => {
      assert.equal(e.hook, list2[k]!.hook);
      assert.deepEqual(e.path, list2[k]!.path, `${what}: path to line ${r.line + 1}`);
      assert.ok(e.space.sameAs(list2[k]!.space), `${what}: arrival at line ${r.line + 1}`);
    });
  });
}

function runContext(rs: Ruleset): RunContext {
  const ctx = analysisContext(rs);
  return { env: ctx.env, compiled: ctx.compiled, terminal: (r: Rule) => verdictKind(r) === 'terminal' };
}

/**
 * Whether `run` describes rules of `chain` as they are: each a ban of the run's dimension with the
 * range recorded, a range written again pointing at its first rule, the first rules of their
 * ranges listed by low end, and no two of those ranges overlapping.
 */
function assertRunHolds(rc: RunContext, chain: Chain, run: BanRun, what: string): void {
  const n = run.end - run.start;
  assert.equal(run.los.length, n);
  const firsts: number[] = [];
  for (let k = 0; k < n; k++) {
    const r = chain.rules[run.start + k]!;
    const rsp = rc.compiled.get(r);
    assert.ok(rsp.exact && rc.terminal(r), `${what}: line ${r.line + 1} is not a ban`);
    assert.equal(rsp.space.boxCount, 1);
    const box = rsp.space.boxAt(0);
    assert.equal(box.size, 1);
    assert.equal(box.dimAt(0), run.dim, `${what}: line ${r.line + 1}`);
    const set = box.setAt(0);
    assert.equal(set.rangeCount, 1);
    assert.equal(set.first(), BigInt(run.los[k]!), `${what}: range of line ${r.line + 1}`);
    assert.equal(set.last(), BigInt(run.his[k]!));
    const q = run.dupOf[k]!;
    if (q < 0) firsts.push(k);
    else {
      assert.ok(q < k && run.dupOf[q]! < 0, `${what}: line ${r.line + 1} repeats a first rule before it`);
      assert.equal(run.los[q], run.los[k]);
      assert.equal(run.his[q], run.his[k]);
    }
  }
  const byLo = [...firsts].sort((a, b) => (run.los[a]! < run.los[b]! ? -1 : 1));
  assert.deepEqual([...run.byLo], byLo, `${what}: first rules by low end`);
  assert.deepEqual([...run.sortedLo], byLo.map((k) => run.los[k]));
  for (let i = 1; i < byLo.length; i++) assert.ok(run.his[byLo[i - 1]!]! < run.los[byLo[i]!]!, `${what}: ranges overlap`);
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collections from timers of their own, so that what WeakRefs read in a job is let go (see version-lifetime.test.ts). */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise<void>((r) => setTimeout(() => (gc(), r()), 1));
}

describe('ban runs: walks through runs at once', () => {
  afterEach(() => {
    setBanRuns(true);
    setWalkBudget(undefined);
  });

  for (const f of [V4, V6]) {
    it(`walk as the rule-by-rule walk does, result for result, on random blocklists (${f.family})`, function () {
      this.timeout(120_000);
      const rng = new Rng(20261123);
      let walks = 0;
      let withRuns = 0;
      for (let n = 0; n < 150; n++) {
        const rs = parseRuleset(blocklistRuleset(rng, f), { family: f.family });
        const ctx = analysisContext(rs);
        const table = rs.tables.get('filter')!;
        const bl = table.chains.get('BL')!;
        if (banRunsOf(runContext(rs), table, bl).size) withRuns++;
        const lines = bl.rules.map((r) => r.line);
        for (const start of starts(rng, f)) {
          // (no keep: every arrival recorded, which runs leave to the rule-by-rule walk)
          const keep = rng.pick<((r: Rule) => boolean) | undefined>([undefined, () => false, () => false, (r) => r.line % 7 === 0]);
          const stopLine = rng.chance(0.3) ? rng.pick(lines) : undefined;
          const stopAt = stopLine === undefined ? undefined : (r: Rule, took: Space) => r.line === stopLine && !took.empty;
          const budget = rng.chance(0.3) ? rng.int(20, 600) : undefined;
          // (what every rule takes recorded, or only what REJECTs or some rules take: a run then
          // makes the part a rule takes only for those)
          const takes = rng.pick<((r: Rule) => boolean) | undefined>([undefined, undefined, (r) => r.target?.name === 'REJECT', (r) => r.line % 5 === 0]);
          const walkWith = (runs: boolean) => {
            setBanRuns(runs);
            setWalkBudget(budget);
            return reach(ctx.env, ctx.compiled, table, 'INPUT', start, keep, stopAt, takes);
          };
          const off = walkWith(false);
          const on = walkWith(true);
          assertSameWalk(on, off, `ruleset ${n}, start ${start.boxCount} boxes, budget ${budget}, stop ${stopLine}`);
          walks++;
        }
      }
      assert.ok(withRuns >= 100, `only ${withRuns} of 150 rulesets had a run`);
      assert.equal(walks, 750);
    });

    it(`walk as the rule-by-rule walk does when the packets cut through the bans' ranges (a rule takes the part of its range inside each box; ${f.family})`, () => {
      // prefixes of 16 addresses and single addresses, none overlapping; starts whose source
      // ranges begin and end inside prefixes, in several boxes
      const lines = ['*filter', ':INPUT DROP [0:0]', ':BL - [0:0]', '-A INPUT -j BL', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT'];
      for (let i = 0; i < 20; i++) lines.push(`-A BL -s ${f.prefix(i, 0, 28)} -j DROP`, `-A BL -s ${f.addr(i, 100)} -j DROP`);
      lines.push('COMMIT', '');
      const rs = parseRuleset(lines.join('\n'), { family: f.family });
      const ctx = analysisContext(rs);
      const table = rs.tables.get('filter')!;
      assert.ok(banRunsOf(runContext(rs), table, table.chains.get('BL')!).size > 0);
      const addr = (c: number, d: number) => f.value(c, d);
      const src = (a: bigint, b: bigint) => Box.of('src', ISet.of(a, b));
      const starts = [
        Space.box(src(addr(0, 4), addr(3, 9))),
        new Space([src(addr(5, 8), addr(5, 120)), src(addr(7, 2), addr(9, 6)).with('proto', ISet.point(6n))]),
        Space.box(src(addr(11, 10), addr(11, 12))),
      ];
      for (const [i, start] of starts.entries()) {
        for (const keep of [() => false, (r: Rule) => r.line % 9 === 0]) {
          const walkWith = (runs: boolean) => {
            setBanRuns(runs);
            return reach(ctx.env, ctx.compiled, table, 'INPUT', start, keep);
          };
          assertSameWalk(walkWith(true), walkWith(false), `start ${i}`);
        }
      }
    });

  }

  it('walk as the rule-by-rule walk does on the bench firewall-like blocklist', function () {
    this.timeout(120_000);
    const lines = ['*filter', ':INPUT DROP [0:0]', ':BL - [0:0]', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-A INPUT -j BL', '-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT'];
    const rng = new Rng(7);
    for (let i = 0; i < 3000; i++) lines.push(`-A BL -s 11.${rng.int(0, 3)}.${rng.int(0, 255)}.${rng.int(0, 255)}${rng.chance(0.05) ? '/24' : ''} -j DROP`);
    lines.push('COMMIT', '');
    const rs = parseRuleset(lines.join('\n'));
    const ctx = analysisContext(rs);
    const table = rs.tables.get('filter')!;
    assert.ok(banRunsOf(runContext(rs), table, table.chains.get('BL')!).size > 0);
    // (as the checks walk it: recording what each rule takes, arrivals at none or at a few)
    for (const keep of [() => false, (r: Rule) => r.line % 500 === 0]) {
      for (const start of [Space.ALL, TCP_START.space]) {
        setBanRuns(false);
        const off = reach(ctx.env, ctx.compiled, table, 'INPUT', start, keep);
        setBanRuns(true);
        assertSameWalk(reach(ctx.env, ctx.compiled, table, 'INPUT', start, keep), off, `start ${start.boxCount} boxes`);
      }
    }
  });

  it('carry runs along with walks carried over, for a later version when those in between are gone', async function () {
    this.timeout(60_000);
    const lines = ['*filter', ':INPUT DROP [0:0]', ':BL - [0:0]', '-A INPUT -p tcp -j BL', '-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT'];
    for (let i = 0; i < 200; i++) lines.push(`-A BL -s 10.1.${i >> 6}.${(i * 4) & 255}/32 -j DROP`);
    lines.push('COMMIT', '');
    let doc: RulesDocument = createRulesDocument('file:///kept.rules', 1, lines.join('\n'), 'auto');
    let td = SANITIZED_DOCUMENTS.create('file:///kept.rules', 'iptables', 1, lines.join('\n'));
    diagnose(doc.ruleset, doc.lines);
    const next = async (change: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }) => {
      td = SANITIZED_DOCUMENTS.update(td, [change], td.version + 1);
      doc = rulesDocumentOf(td, 'auto', doc);
      diagnose(doc.ruleset, doc.lines);
      await collect();
      return doc.ruleset.tables.get('filter')!.chains.get('BL')!;
    };
    // comments written on bans: the walks are carried over (nothing they read changed), each
    // version collected before the next
    for (const at of [20, 90, 150]) {
      const chain = await next({ range: { start: { line: at, character: lines[at]!.length }, end: { line: at, character: lines[at]!.length } }, text: ` -m comment --comment "seen ${at}"` });
      assert.ok(runsWereCarried(chain), `runs carried to the version with the comment on line ${at + 1}`);
    }
    // then a ban put in: walked again, with the runs carried from the last version
    const chain = await next({ range: { start: { line: 60, character: 0 }, end: { line: 60, character: 0 } }, text: '-A BL -s 10.9.9.9/32 -j DROP\n' });
    assert.ok(runsWereCarried(chain), 'runs carried to the version with a ban put in');
    const rs = doc.ruleset;
    const table = rs.tables.get('filter')!;
    for (const run of banRunsOf(runContext(rs), table, chain).values()) assertRunHolds(runContext(rs), chain, run, 'after the line put in');
  });

  for (const f of [V4, V6]) {
    it(`carry runs to the next version as the chain then holds its rules (${f.family})`, function () {
      this.timeout(120_000);
      const rng = new Rng(4242);
      let carried = 0;
      let edits = 0;
      let runsSeen = 0;
      for (let n = 0; n < 20; n++) {
        const text = blocklistRuleset(rng, f);
        let doc: RulesDocument = createRulesDocument('file:///bl.rules', 1, text, f.family);
        let td = SANITIZED_DOCUMENTS.create('file:///bl.rules', 'iptables', 1, text);
        const lines = text.split('\n');
        diagnose(doc.ruleset, doc.lines);
        for (let e = 0; e < 20; e++) {
          const bl = lines.map((l, i) => (l.startsWith('-A BL ') ? i : -1)).filter((i) => i >= 0);
          const at = rng.pick(bl);
          const how = rng.pick(['copy below', 'new ban', 'take out', 'rewrite', 'comment line above']);
          let change;
          if (how === 'take out') {
            change = { range: { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } }, text: '' };
            lines.splice(at, 1);
          } else if (how === 'rewrite') {
            const now = blocklistRule(rng, f);
            change = { range: { start: { line: at, character: 0 }, end: { line: at, character: lines[at]!.length } }, text: now };
            lines[at] = now;
          } else {
            // (a new ban is now and then a prefix over addresses banned already, before or after it)
            const ban = rng.chance(0.3) ? `-A BL -s ${f.prefix(rng.int(0, 1), rng.pick([0, 16, 32]), rng.pick([27, 28]))} -j DROP` : blocklistRule(rng, f);
            const put = how === 'copy below' ? lines[at]! : how === 'new ban' ? ban : '# moved';
            const where = how === 'comment line above' ? bl[0]! : at + 1;
            change = { range: { start: { line: where, character: 0 }, end: { line: where, character: 0 } }, text: `${put}\n` };
            lines.splice(where, 0, put);
          }
          td = SANITIZED_DOCUMENTS.update(td, [change], td.version + 1);
          doc = rulesDocumentOf(td, f.family, doc);
          // (as in an editor, where every version is read and only the last of a burst of edits checked)
          if (rng.chance(0.5)) continue;
          diagnose(doc.ruleset, doc.lines);
          const rs = doc.ruleset;
          assert.equal(rs.family, f.family);
          const table = rs.tables.get('filter')!;
          const chain = table.chains.get('BL')!;
          const rc = runContext(rs);
          const runs = banRunsOf(rc, table, chain);
          if (runsWereCarried(chain)) carried++;
          if (runs.size) runsSeen++;
          for (const run of runs.values()) assertRunHolds(rc, chain, run, `ruleset ${n}, edit ${e} (${how})`);
          edits++;
        }
      }
      assert.ok(edits >= 90, `${edits} versions checked`);
      assert.ok(carried >= edits * 0.6, `runs carried to ${carried} of ${edits} versions checked`);
      assert.ok(runsSeen >= edits * 0.5, `runs in the chain of ${runsSeen} of ${edits} versions checked`);
    });
  }

  it('a run of single values holds one list for both ends, through lines put in and taken out, until a wider range is put in', () => {
    const bans = Array.from({ length: 64 }, (_, i) => `-A BL -s 10.1.${i >> 4}.${(i & 15) * 7}/32 -j DROP`);
    const lines = ['*filter', ':INPUT DROP [0:0]', ':BL - [0:0]', '-A INPUT -j BL', ...bans, 'COMMIT', ''];
    const text = lines.join('\n');
    let doc: RulesDocument = createRulesDocument('file:///one.rules', 1, text, 'auto');
    let td = SANITIZED_DOCUMENTS.create('file:///one.rules', 'iptables', 1, text);
    const runAfter = (change: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }): BanRun => {
      td = SANITIZED_DOCUMENTS.update(td, [change], td.version + 1);
      doc = rulesDocumentOf(td, 'auto', doc);
      diagnose(doc.ruleset, doc.lines);
      const table = doc.ruleset.tables.get('filter')!;
      const chain = table.chains.get('BL')!;
      const rc = runContext(doc.ruleset);
      const runs = [...banRunsOf(rc, table, chain).values()];
      assert.equal(runs.length, 1);
      assertRunHolds(rc, chain, runs[0]!, text);
      return runs[0]!;
    };
    diagnose(doc.ruleset, doc.lines);
    const first = [...banRunsOf(runContext(doc.ruleset), doc.ruleset.tables.get('filter')!, doc.ruleset.tables.get('filter')!.chains.get('BL')!).values()][0]!;
    assert.equal(first.his, first.los, 'found afresh');
    const put = runAfter({ range: { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } }, text: '-A BL -s 10.9.9.9/32 -j DROP\n' });
    assert.ok(runsWereCarried(doc.ruleset.tables.get('filter')!.chains.get('BL')!));
    assert.equal(put.his, put.los, 'a single address put in');
    const taken = runAfter({ range: { start: { line: 20, character: 0 }, end: { line: 21, character: 0 } }, text: '' });
    assert.equal(taken.his, taken.los, 'a line taken out');
    const wide = runAfter({ range: { start: { line: 30, character: 0 }, end: { line: 30, character: 0 } }, text: '-A BL -s 10.200.0.0/28 -j DROP\n' });
    assert.notEqual(wide.his, wide.los, 'a range of 16 addresses put in');
  });
});
