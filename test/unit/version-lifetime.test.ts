/**
 * How long the versions of an edited document live. A version is read from the one before it and
 * its analysis starts from what was kept for an earlier version, but nothing kept for that purpose
 * may keep an old version alive: once no one holds a version, its nodes and everything analyses
 * kept for it go (a 100k-rule version is about 400 MB). And a version analysed a few keystrokes
 * back is still where the next analysis starts, while someone holds it.
 *
 * Garbage collection is asked for through V8's `gc` (see collect for when and how often).
 */
import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { putInOrTakeOut } from '../support/ruleset-edits';
import { parseRuleset, rulesetEdit, splitLines } from '../../server/src/parser/ruleset-parser';
import { diagnose } from '../../server/src/service/diagnostics';
import type { Chain, Ruleset } from '../../server/src/model/ruleset';
import { ChunkedArray } from '../../server/src/model/chunked-array';
import { compileRule, spaceEnv } from '../../server/src/analysis/rule-space';
import { analysisContext } from '../../server/src/analysis/context';
import { traceChainIndex } from '../../server/src/analysis/trace-index';
import { traceJobs } from '../../server/src/analysis/tracer';
import { MovedCommandLineNode } from '../../server/src/parser/command-line-node';
import { MovedChain } from '../../server/src/model/moved-chain';
import { setChainsLaterFrom } from '../../server/src/parser/chains';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collect(): Promise<void> {
  // each gc from a timer callback of its own (code after an await runs inside a microtask
  // checkpoint, and what that checkpoint's jobs read through WeakRefs is only let go when it
  // ends), and several of them: V8 lets go of what only the caches of compiled code still point
  // at after a few collections (code ageing), and earlier tests leave such code behind
  for (let i = 0; i < 8; i++) {
    await new Promise<void>((r) =>
      setTimeout(() => {
        gc();
        r();
      }, 1),
    );
  }
}

const TEXT = generateRuleset({ kind: 'firewall', family: 'ipv4', rules: 150, seed: 11 }).text;
const LINES = TEXT.split('\n');
/** Lines that are rules with a destination port, rewritten by the edits below. */
const PORT_LINES = LINES.flatMap((l, i) => (/^-A .*--dport \d+/.test(l) ? [i] : []));

/** The text with the k-th port rule's port changed (the same number of lines). */
function edited(lines: string[], k: number): string[] {
  const ln = PORT_LINES[k % PORT_LINES.length]!;
  const next = lines.slice();
  next[ln] = next[ln]!.replace(/--dport \d+/, `--dport ${1000 + k}`);
  return next;
}

/** Edit `i` of a series: a copy of a rule put in below it (even i), or a line taken out (odd i). */
function analysed(text: string, previous?: Ruleset): Ruleset {
  const rs = parseRuleset(text, previous ? { previous } : {});
  diagnose(rs, ChunkedArray.of(text.split('\n')));
  return rs;
}


/**
 * How many of the nodes `old` refers to are still alive without being a rule node of version `rs`
 * or the node one of its moved lines shows (a line only moved shows the node it was first read
 * as: see MovedCommandLineNode).
 */
function oldNodesAlive(old: readonly WeakRef<object>[], rs: Ruleset): number {
  const live = new Set<object>();
  for (const r of rs.rules) {
    live.add(r);
    if (r instanceof MovedCommandLineNode) live.add(r.base);
  }
  return old.filter((w) => {
    const x = w.deref();
    return x !== undefined && !live.has(x);
  }).length;
}

describe('version lifetime', () => {
  // (a kept walk may still name a rule node an old version's edit made: those are bounded per chain)
  it('a chain of edited and analysed versions keeps none of the old versions alive', async () => {
    assert.ok(PORT_LINES.length >= 4, 'the generated ruleset has rules with ports');
    let lines = LINES;
    let rs = analysed(lines.join('\n'));
    const old: WeakRef<object>[] = [];
    for (let k = 0; k < 12; k++) {
      lines = edited(lines, k);
      const next = analysed(lines.join('\n'), rs);
      assert.ok(rulesetEdit(next), `version ${k + 2} knows the version it was read from`);
      old.push(new WeakRef(rs), new WeakRef(rs.lines));
      rs = next;
    }
    await collect();
    const alive = old.filter((r) => r.deref() !== undefined).length;
    assert.equal(alive, 0, `${alive} of ${old.length} parts of old versions are still alive`);
    assert.equal(rulesetEdit(rs), undefined, 'the last version no longer finds the one it was read from');
  });

  it('versions edited by inserting and deleting lines do not keep the line nodes of old versions', async function () {
    this.timeout(60_000);
    // an inserted or deleted line moves every line after it, and each moved line gets a node of
    // its own; what is kept to find a chain's findings again by its rules held the chain, and
    // through it the rules, of the version that made the record (3 200 old rule nodes alive here,
    // a whole version of a 100k-rule file)
    const text = generateRuleset({ kind: 'kube', family: 'ipv4', rules: 2000, seed: 5 }).text;
    const lines = text.split('\n');
    let rs = analysed(text);
    const rng = new Rng(42);
    const old: WeakRef<object>[] = [];
    for (let i = 0; i < 6; i++) {
      putInOrTakeOut(lines, rng, i % 2 === 1);
      for (const r of rs.rules) old.push(new WeakRef(r));
      rs = analysed(lines.join('\n'), rs);
      await new Promise((r) => setImmediate(r));
    }
    await collect();
    // (a line that was only moved shows the node it was first read as: see oldNodesAlive)
    const alive = oldNodesAlive(old, rs);
    // (a kept walk may still name a few rule nodes of the versions it was made in: bounded per chain)
    assert.ok(alive <= 10, `${alive} rule nodes of old versions are still alive (${old.length} made)`);
    assert.ok(rs.rules.some((r) => r instanceof MovedCommandLineNode), 'lines were moved');
  });

  it('the tracer indexes prepared for old versions go with them, although kept walks still hold old chains', async function () {
    this.timeout(60_000);
    // the server prepares the indexes of the long chains of every version it publishes (traceJobs)
    // and the next version takes those of the chains it shares; an index kept with its chain for
    // as long as the chain lived stayed alive with every old chain a kept walk holds
    const text = generateRuleset({ kind: 'firewall', family: 'ipv4', rules: 2000, seed: 8 }).text;
    const lines = text.split('\n');
    let rs = analysed(text);
    const rng = new Rng(43);
    const old: WeakRef<object>[] = [];
    const oldChains: WeakRef<object>[] = [];
    const indexesOf = (v: Ruleset) => {
      const ctx = analysisContext(v);
      const out: object[] = [];
      for (const t of v.tables.values()) for (const c of t.chains.values()) {
        const idx = traceChainIndex(ctx, t, c, () => assert.fail('no step is made here'));
        if (idx) out.push(idx);
      }
      return out;
    };
    // (in a function of its own: a job's closure or an index left in this async function's frame
    // would be held by it)
    const prepare = (v: Ruleset) => {
      for (const job of traceJobs(v)) job();
      return indexesOf(v).map((x) => new WeakRef(x));
    };
    for (let i = 0; i < 6; i++) {
      old.push(...prepare(rs));
      for (const t of rs.tables.values()) for (const c of t.chains.values()) oldChains.push(new WeakRef(c));
      putInOrTakeOut(lines, rng, i % 2 === 1);
      rs = analysed(lines.join('\n'), rs);
      await new Promise((r) => setImmediate(r));
    }
    prepare(rs);
    await collect();
    const live = new Set<object>(indexesOf(rs));
    const alive = old.filter((w) => {
      const x = w.deref();
      return x !== undefined && !live.has(x);
    }).length;
    assert.ok(old.length > 20, `${old.length} indexes made`);
    // (the case this is about: chains of old versions that something still holds)
    const liveChains = new Set<object>([...rs.tables.values()].flatMap((t) => [...t.chains.values()]));
    assert.ok(oldChains.some((w) => { const c = w.deref(); return c !== undefined && !liveChains.has(c); }), 'no chain of an old version is alive: the test shows nothing');
    assert.equal(alive, 0, `${alive} indexes of old versions are still alive (${old.length} made)`);
  });

  it('edits made before the server prepares traces again keep no line node of the version it last prepared, and that preparation still serves the newest version', async function () {
    this.timeout(60_000);
    // the indexes the server prepared for a version are kept for the next one it prepares (a chain
    // the edits only moved takes what was built); quick edits leave no idle time in between, and
    // those indexes held the prepared version's chains, and all their line nodes, until then
    const text = generateRuleset({ kind: 'firewall', family: 'ipv4', rules: 2000, seed: 9 }).text;
    const lines = text.split('\n');
    // (the version prepared has its rules moved by a line put in at the top: their nodes are nodes
    // of their own, which show the ones first read, and those are a later version's too)
    let rs = analysed(text);
    lines.splice(1, 0, '# a line put in at the top');
    rs = analysed(lines.join('\n'), rs);
    const jobsOf = (v: Ruleset) => {
      const jobs = traceJobs(v);
      for (const job of jobs) job();
      return jobs.length;
    };
    const fresh = jobsOf(rs);
    // (the rules of the longest chain: what other analyses keep by chain name may still hold an
    // old version of a short chain, one per name; nothing else holds a long one)
    // (its name only: a variable of this function holding the chain would keep its rules)
    const longest = [...rs.tables.values()].flatMap((t) => [...t.chains.values()]).reduce((x, y) => (y.rules.length > x.rules.length ? y : x)).name;
    const old = ((v: Ruleset) => v.rules.filter((r) => r.chain === longest).map((r) => new WeakRef(r)))(rs);
    const rng = new Rng(17);
    for (let i = 0; i < 4; i++) {
      putInOrTakeOut(lines, rng, i % 2 === 1);
      rs = analysed(lines.join('\n'), rs);
      await new Promise((r) => setImmediate(r));
    }
    await collect();
    const alive = oldNodesAlive(old, rs);
    assert.ok(old.length > 1000, `${old.length} rules in chain ${longest}`);
    assert.ok(alive <= 10, `${alive} rule nodes of the prepared version's chain ${longest} are still alive (${old.length} made)`);
    assert.ok(fresh > 4, `${fresh} jobs prepare the first version`);
    assert.ok(jobsOf(rs) < fresh, 'the newest version takes what was built for the chains the edits only moved');
  });

  it('lines moved and made when read keep what the lines before them were read as, not those lines themselves', async () => {
    // (a list whose entries are made from another's (see ChunkedArray.thenMoved) keeps, until read,
    // the entries those were made from: the other list's own entries, moved nodes of a version that
    // may be gone, go with it, whether that list was made by thenMoved or holds them itself)
    interface E {
      readonly v: number;
      readonly base?: E;
    }
    const make = (x: E, at: number): E => ({ v: at, base: x.base ?? x });
    const baseOf = (x: E) => x.base ?? x;
    const n = 3000;
    const bases = ChunkedArray.of(Array.from({ length: n }, (_, i) => ({ v: i })));
    const { next, old } = (() => {
      // one list made by thenMoved and read, one holding made entries as its own
      const moved = ChunkedArray.of<E>([]).thenMoved(n, bases, 0, [], [], make, baseOf);
      const held = ChunkedArray.of(moved.toArray().map((x) => make(x, x.v)));
      const old = [...moved.toArray(), ...held.toArray()].map((x) => new WeakRef(x));
      const fromMoved = ChunkedArray.of<E>([]).thenMoved(n - 1, moved, -1, [], [], make, baseOf);
      const fromHeld = ChunkedArray.of<E>([]).thenMoved(n - 1, held, -1, [], [], make, baseOf);
      return { next: [fromMoved, fromHeld], old };
    })();
    await collect();
    assert.ok(next.every((l) => l.unmade > 0), 'the lists are not read yet');
    const alive = old.filter((w) => w.deref() !== undefined).length;
    assert.equal(alive, 0, `${alive} entries of the lists moved from are alive`);
    for (const l of next) for (let i = 0; i < n - 1; i++) assert.equal(l.get(i)!.base, bases.get(i + 1), `entry ${i} made from the entry first read`);
  });

  // filter's chains, then nat's: a line put in at the top of filter moves filter's chains (left
  // unread, each holds the list of lines of its version); lines put in below them leave them the
  // same objects in every later version: lines put in nat leave filter the same table object, and
  // lines put in at the end of filter leave the chains above them as they were
  for (const [where, laterFrom] of [
    ['nat', undefined],
    ['nat, filter leaving its chains for later', 1],
    ['filter, below the chains', undefined],
  ] as const) {
    it(`chains an edit only moved, kept by later versions whose edits lie below them, keep no older list of lines (lines put in ${where})`, async () => {
      const filter = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
      const nat = ['*nat', ':PREROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]'];
      for (let c = 0; c < 12; c++) {
        filter.push(`:C${c} - [0:0]`);
        nat.push(`:N${c} - [0:0]`);
      }
      // (and one that 70 rules jump to: once its rules are read, its references are left for later)
      filter.push(':MANY - [0:0]', '-A MANY -p icmp -j ACCEPT');
      for (let i = 0; i < 70; i++) filter.push(`-A INPUT -s 172.16.${i}.0/24 -j MANY`);
      for (let c = 0; c < 12; c++) {
        filter.push(`-A INPUT -s 10.${c}.0.0/16 -j C${c}`);
        for (let r = 0; r < 5; r++) filter.push(`-A C${c} -p tcp -m tcp --dport ${1000 + c * 10 + r} -j ACCEPT`);
        nat.push(`-A PREROUTING -d 192.0.2.${c} -j N${c}`, `-A N${c} -p tcp -j DNAT --to-destination 10.9.0.${c}`);
      }
      const base = [...filter, 'COMMIT', ...nat, 'COMMIT', ''];
      setChainsLaterFrom(laterFrom);
      try {
        const v1 = parseRuleset(base.join('\n'));
        const lines = [...base];
        lines.splice(1, 0, '# put in above the chains of filter');
        let v2: Ruleset | undefined = parseRuleset(lines.join('\n'), { previous: v1 });
        const listOfV2 = new WeakRef(v2.lines);
        const kept: Chain[] = ['C0', 'C1', 'C2', 'MANY'].map((name) => v2!.tables.get('filter')!.chains.get(name)!);
        assert.ok(kept.every((c) => c instanceof MovedChain), "filter's chains are moved, their lists made when read");
        assert.equal(kept[3]!.rules.length, 1);
        // (weakly: v2's filter, when an edit moves it, holds v2's list through the chains it renewed)
        const filterOfV2 = new WeakRef(v2.tables.get('filter')!);
        // three lines put in, each version read from the one before
        let rs: Ruleset = v2;
        for (const k of [0, 1, 2]) {
          const at = where.startsWith('nat') ? lines.lastIndexOf('COMMIT') : lines.indexOf('COMMIT');
          lines.splice(at, 0, where.startsWith('nat') ? `-A N${k} -p udp -j DNAT --to-destination 10.8.0.${k}` : `-A C11 -p udp -m udp --dport ${2000 + k} -j ACCEPT`);
          rs = parseRuleset(lines.join('\n'), { previous: rs });
          const filterNow = rs.tables.get('filter')!;
          assert.ok(filterNow.moved || filterNow === filterOfV2.deref(), `line ${k + 1}: filter's lines moved or kept, not read again`);
          for (const c of kept) assert.equal(filterNow.chains.get(c.name), c, `line ${k + 1}: ${c.name} is the same chain`);
        }
        v2 = undefined;
        await collect();
        assert.equal(listOfV2.deref(), undefined, 'the list of lines of the version the moved chains were made for is gone');
        // and the chains read as a fresh reading's, with the newest version's nodes
        const fresh = parseRuleset(lines.join('\n'));
        for (const name of [...Array.from({ length: 12 }, (_, c) => `C${c}`), 'MANY']) {
          const now = rs.tables.get('filter')!.chains.get(name)!;
          const want = fresh.tables.get('filter')!.chains.get(name)!;
          assert.deepEqual(now.rules.map((r) => r.line), want.rules.map((r) => r.line), name);
          assert.deepEqual(now.references.map((r) => r.line), want.references.map((r) => r.line), name);
          for (const r of [...now.rules, ...now.references, ...now.declarations]) assert.equal(r, rs.lines.get(r.line), `${name}: the node of line ${r.line + 1} is the newest version's`);
        }
      } finally {
        setChainsLaterFrom(undefined);
      }
    });
  }

  it('a document read afresh keeps nothing of the reading it replaced', async () => {
    // the first reading made and analysed in a function of its own, so that no variable holds it
    const parts = ((first: Ruleset) => [new WeakRef(first), new WeakRef(first.lines), new WeakRef(first.rules[0]!)])(analysed(TEXT));
    const second = analysed(TEXT);
    await collect();
    assert.deepEqual(parts.map((p) => p.deref() === undefined), [true, true, true], 'the first reading is gone');
    assert.ok(second.rules.length > 0);
  });

  it('a document no one holds any more leaves nothing of its rules behind, while another stays open', async () => {
    // what compiling shares between rules (the conditions of the same option texts) is a cache of
    // its own: it must not keep a closed document's options, conditions or packet spaces, even
    // while a document with the same rules, opened before it, is still held (the packet spaces
    // the two share are the open one's too)
    const open = analysed(TEXT);
    const env = spaceEnv(open);
    const openSpaces = new Set<unknown>(open.rules.flatMap((r) => [compileRule(env, r).space, ...compileRule(env, r).conditions.map((c) => c.space)]));
    const parts = ((rs: Ruleset) =>
      rs.rules.flatMap((r) => {
        const compiled = compileRule(env, r);
        const spaces = [compiled.space, ...compiled.conditions.map((c) => c.space)].filter((x) => x && !openSpaces.has(x));
        return [new WeakRef(r.options), ...r.options.map((o) => new WeakRef(o)), ...compiled.conditions.map((c) => new WeakRef(c)), ...spaces.map((x) => new WeakRef(x!))];
      }))(analysed(TEXT.replace(/--dport (\d+)/g, '--dport 1$1')));
    assert.ok(parts.length > 500, 'the rules have options and conditions');
    await collect();
    const alive = parts.filter((p) => p.deref() !== undefined).length;
    assert.equal(alive, 0, `${alive} of ${parts.length} options, conditions and spaces are still alive`);
    assert.ok(open.rules.length > 0, 'the other document is still open');
  });

  it('the lines of a text split last are not kept once the job that split it has ended', async () => {
    // the document and its parse split the same text one after the other: the split is kept for
    // the second to find, not for good (the lines are views of the text, which they keep alive)
    const parts = (() => {
      const text = `${TEXT}\n# ${Date.now()}`;
      const first = splitLines(text).lines;
      assert.equal(splitLines(text).lines, first, 'the same text, split again in the same job, is the same list');
      return [new WeakRef(first)];
    })();
    await collect();
    assert.deepEqual(parts.map((p) => p.deref() === undefined), [true]);
  });

  it('the command parser keeps nothing of the last line it read', async () => {
    // its reader keeps its working lists from line to line: the last line's nodes must not stay in them
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT ! -s 10.9.9.9 -p tcp -m tcp --dport 7 -m comment --comment last -j LOG --log-prefix "last "\nCOMMIT\n';
    const parts = ((rs: Ruleset) => {
      const rule = rs.rules[0]!;
      return [new WeakRef(rule), new WeakRef(rule.options[0]!), new WeakRef(rule.matches[0]!), new WeakRef(rule.target!), new WeakRef(rule.target!.options[0]!)];
    })(parseRuleset(text));
    await collect();
    assert.deepEqual(parts.map((p) => p.deref() === undefined), [true, true, true, true, true], 'the rule, its option, match, target and target option nodes are gone');
  });

  it('an analysis starts from the last analysed version, through versions parsed in between', async () => {
    let lines = LINES;
    const base = analysed(lines.join('\n'));
    // keystrokes: each version parsed from the one before, none analysed; only the newest is held
    let rs = base;
    for (let k = 0; k < 5; k++) {
      lines = edited(lines, k);
      rs = parseRuleset(lines.join('\n'), { previous: rs });
    }
    await collect();
    const edit = rulesetEdit(rs, (p) => p === base);
    assert.ok(edit, 'the analysed version is found through the versions in between');
    const differing = rs.lines.toArray().flatMap((n, i) => (n !== base.lines.get(i) ? [i] : []));
    assert.deepEqual(edit.changed, differing, 'the changed lines are exactly those whose node differs');
    for (const ln of PORT_LINES.slice(0, 5)) assert.ok(differing.includes(ln), `line ${ln} was edited`);
    // the nearest live version is the newest one the test still holds (base), not the ones dropped
    assert.equal(rulesetEdit(rs)?.previous, base);
    // and the analysis that starts from it finds what a fresh one finds
    const text = lines.join('\n');
    const list = ChunkedArray.of(lines);
    assert.deepEqual(diagnose(rs, list), diagnose(parseRuleset(text), list));
  });

  it('a version read from one whose line count differs starts from it, with its lines moved; a second such edit in between starts afresh', () => {
    const base = analysed(TEXT);
    // a line opened in the middle, then typed into: the analysis starts from base through both
    const mid = LINES.findIndex((l) => l.startsWith('-A ')) + 3;
    const opened = [...LINES.slice(0, mid), '', ...LINES.slice(mid)];
    const longer = parseRuleset(opened.join('\n'), { previous: base });
    const typed = opened.map((l, i) => (i === mid ? '-A INPUT -s 192.0.2.7 -j DROP' : l));
    const next = parseRuleset(typed.join('\n'), { previous: longer });
    const edit = rulesetEdit(next, (p) => p === base);
    assert.equal(edit?.previous, base, 'the edit is known from the version analysed last, through the inserted line');
    assert.deepEqual(edit.shift, { from: mid + 1, by: 1 });
    assert.deepEqual(edit.changed, [mid]);
    // every other line reads as base's line of the same text
    for (let i = 0; i < typed.length; i++) if (i !== mid) assert.equal(LINES[i >= mid + 1 ? i - 1 : i], typed[i], `line ${i}`);
    // a deletion on top: two moves are not followed back
    const shorter = parseRuleset(typed.filter((_, i) => i !== mid + 5).join('\n'), { previous: next });
    assert.equal(rulesetEdit(shorter, (p) => p === base), undefined);
    assert.equal(rulesetEdit(shorter)?.previous, next);
    // the other order: a rule rewritten below, then a line inserted above it; the rewritten line
    // is changed at its new number
    const below = mid + 8;
    assert.ok(LINES[below]!.startsWith('-A '));
    const retyped = LINES.map((l, i) => (i === below ? `${l} -m comment --comment retyped` : l));
    const v1 = parseRuleset(retyped.join('\n'), { previous: base });
    const v2 = parseRuleset([...retyped.slice(0, mid), '-A INPUT -j ACCEPT', ...retyped.slice(mid)].join('\n'), { previous: v1 });
    const both = rulesetEdit(v2, (p) => p === base);
    assert.equal(both?.previous, base);
    assert.deepEqual(both.shift, { from: mid + 1, by: 1 });
    assert.deepEqual(both.changed, [mid, below + 1]);
  });
});
