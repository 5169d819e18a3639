/**
 * Chains that an edit putting in or taking out lines only moved are made when read (see
 * model/moved-chain.ts): until then they hold their root's lines and the moves since. Read after
 * any number of such edits, each must hold exactly what a fresh parse of the text gives, and until
 * read it must not have made its lists (that is the point) nor kept old versions' nodes.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { generateRuleset } from '../../bench/gen/rulesets';
import { endOf, LineMoves, MovedChain, type MovesThrough, referenceChainOf, referenceCountOf, ruleCountOf } from '../../server/src/model/moved-chain';
import { type Chain, type MovedLines, movedLine, type Ruleset, type Table } from '../../server/src/model/ruleset';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { putInOrTakeOut } from '../support/ruleset-edits';

/** A chain by what it holds: lines and texts, so that two readings compare by content. */
function chainView(c: Chain, lines: readonly string[]): unknown {
  const at = (n: { line: number }) => `${n.line}: ${lines[n.line]}`;
  return { name: c.name, builtin: c.builtin, policy: c.policy, policySpan: c.policySpan, declarations: c.declarations.map(at), rules: c.rules.map(at), references: c.references.map(at) };
}

/** Table `mine` holds the chains of `fresh` (a fresh parse of `lines`), in its order, each holding what it holds. */
function assertChainsAsRead(mine: Table, fresh: Table, lines: readonly string[], what: string): void {
  assert.deepEqual([...mine.chains.keys()], [...fresh.chains.keys()], what);
  for (const [name, f] of fresh.chains) assert.deepEqual(chainView(mine.chains.get(name)!, lines), chainView(f, lines), `${what}: ${name}`);
}

/** The moved chains of `rs` not read yet. */
function unread(rs: Ruleset): MovedChain[] {
  const out: MovedChain[] = [];
  for (const t of rs.tables.values()) for (const c of t.chains.values()) if (c instanceof MovedChain && !c.read) out.push(c);
  return out;
}

describe('moved chains', () => {
  it('where a line is after several edits: the moves composed equal each edit applied in turn', () => {
    const rng = new Rng(0x30fe);
    for (let trial = 0; trial < 200; trial++) {
      let length = rng.int(1, 60);
      const edits: MovedLines[] = [];
      for (let k = rng.int(1, 12); k > 0; k--) {
        const same = rng.int(0, length);
        const oldEnd = rng.int(same, Math.min(length, same + 4));
        const newEnd = rng.int(same, same + 4);
        edits.push({ same, oldEnd, newEnd, shift: newEnd - oldEnd });
        length += newEnd - oldEnd;
      }
      let moves = LineMoves.of(edits[0]!);
      for (const m of edits.slice(1)) moves = moves.then(m);
      for (let l = 0; l < 80; l++) {
        let now = l;
        for (const m of edits) if (now >= 0) now = movedLine(m, now);
        assert.equal(moves.lineOf(l), now, `trial ${trial}, line ${l}, edits ${JSON.stringify(edits)}`);
      }
    }
  });

  it('moved again and again unread: the moves stay bounded (the root is written again) and the chains still read as a fresh parse', function () {
    this.timeout(60_000);
    const text = generateRuleset({ kind: 'kube', family: 'ipv4', rules: 300, seed: 12 }).text;
    const lines = text.split('\n');
    const rng = new Rng(5);
    let rs = parseRuleset(text);
    let most = 0;
    for (let i = 0; i < 150; i++) {
      putInOrTakeOut(lines, rng, i % 4 === 3);
      rs = parseRuleset(lines.join('\n'), { previous: rs });
      for (const c of unread(rs)) most = Math.max(most, c.moveRuns);
    }
    assert.ok(most > 32 && most <= 65, `moves of up to ${most} runs`);
    assert.ok(unread(rs).length > 50);
    for (const [name, t] of parseRuleset(lines.join('\n')).tables) assertChainsAsRead(rs.tables.get(name)!, t, lines, name);
  });

  it('a built-in chain below many edits, unread: its policy is said on its line, also after its root is written again', () => {
    const lines = ['*filter', ':INPUT DROP [0:0]', ...Array.from({ length: 80 }, (_, i) => `-A INPUT -p tcp --dport ${1000 + i} -j ACCEPT`), 'COMMIT'];
    lines.push('*nat', ':PREROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':SVC - [0:0]', '-A PREROUTING -j SVC', '-A SVC -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2', '-A POSTROUTING -j MASQUERADE', 'COMMIT', '');
    let rs = parseRuleset(lines.join('\n'));
    for (let i = 0; i < 70; i++) {
      // (a comment put into the filter block after another of its first lines each time: the
      // moves split at one more place, a run more each time)
      lines.splice(3 + 2 * i, 0, `# note ${i}`);
      rs = parseRuleset(lines.join('\n'), { previous: rs });
    }
    const nat = rs.tables.get('nat')!;
    // (the built-in chains the file does not mention have no line to move)
    for (const name of ['PREROUTING', 'POSTROUTING', 'SVC']) {
      const c = nat.chains.get(name)!;
      assert.ok(c instanceof MovedChain && !c.read && c.moveRuns > 0 && c.moveRuns < 64, `${name}: moved unread, its root written again`);
    }
    assertChainsAsRead(nat, parseRuleset(lines.join('\n')).tables.get('nat')!, lines, 'nat');
  });

  it('read after line edits that none read in between, each chain holds what a fresh parse gives', () => {
    const text = generateRuleset({ kind: 'kube', family: 'ipv4', rules: 600, seed: 9 }).text;
    for (const seed of [1, 2, 3]) {
      const lines = text.split('\n');
      const rng = new Rng(seed);
      let rs = parseRuleset(text);
      let deepest = 0;
      for (let i = 0; i < 14; i++) {
        putInOrTakeOut(lines, rng, i % 3 === 2);
        const before = new Set(unread(rs));
        rs = parseRuleset(lines.join('\n'), { previous: rs });
        // (a chain moved again before it was read: its lists are still to make)
        const again = [...rs.tables.values()].flatMap((t) => [...t.chains.values()]).filter((c) => c instanceof MovedChain && !c.read && [...before].some((b) => b.name === c.name && b.table === c.table));
        if (again.length) deepest++;
      }
      assert.ok(deepest >= 10, `chains moved again unread in ${deepest} of 14 versions`);
      const fresh = parseRuleset(lines.join('\n'));
      const left = unread(rs);
      assert.ok(left.length > 100, `${left.length} chains unread`);
      for (const c of left) {
        const f = fresh.tables.get(c.table)!.chains.get(c.name)!;
        // (how many rules and references, and where the first declaration is, without making the lists)
        assert.equal(ruleCountOf(c), f.rules.length, c.name);
        assert.equal(referenceCountOf(c), f.references.length, c.name);
        assert.equal(c.firstDeclarationLine, f.declarations[0]?.line ?? -1, c.name);
        assert.equal(c.read, false);
      }
      for (const [name, t] of fresh.tables) assertChainsAsRead(rs.tables.get(name)!, t, lines, `${name}, seed ${seed}`);
      // the nodes are this version's: each is the node of its line
      for (const t of rs.tables.values()) for (const c of t.chains.values()) for (const r of [...c.rules, ...c.references, ...c.declarations]) assert.equal(rs.lines.get(r.line), r);
    }
  });

  it('a chain rules or jumps were put into or taken out of is made when read too: its references counted and named before, as a fresh parse holds them', function () {
    this.timeout(60_000);
    // (a kube-proxy-like file: KUBE-MARK-MASQ is jumped to from every second line, and the edits
    // copy or take out such lines; its references are read by count and chain only, as the chain
    // graph reads them, in some versions, and not at all in others)
    const text = generateRuleset({ kind: 'kube', family: 'ipv4', rules: 1500, seed: 21 }).text;
    for (const seed of [4, 5]) {
      const lines = text.split('\n');
      const rng = new Rng(seed);
      let rs = parseRuleset(text);
      let renewedUnread = 0;
      let countedUnread = 0;
      const masqJumps = () => lines.flatMap((l, k) => (l.endsWith('-j KUBE-MARK-MASQ') ? [k] : []));
      for (let i = 0; i < 16; i++) {
        // a jump to KUBE-MARK-MASQ copied below itself or taken out, or another edit
        if (i % 4 === 3) putInOrTakeOut(lines, rng, rng.chance(0.5));
        else {
          const at = rng.pick(masqJumps());
          if (i % 2 === 1) lines.splice(at, 1);
          else lines.splice(at + 1, 0, lines[at]!);
        }
        rs = parseRuleset(lines.join('\n'), { previous: rs });
        const nat = rs.tables.get('nat')!;
        const masq = nat.chains.get('KUBE-MARK-MASQ')!;
        if (masq instanceof MovedChain && !masq.read && nat.moved?.chains.has('KUBE-MARK-MASQ')) renewedUnread++;
        if (rng.chance(0.6)) {
          const fresh = parseRuleset(lines.join('\n')).tables.get('nat')!;
          for (const [name, f] of fresh.chains) {
            const c = nat.chains.get(name)!;
            const unreadBefore = c instanceof MovedChain && !c.read;
            assert.equal(referenceCountOf(c), f.references.length, `version ${i}: ${name}`);
            for (let k = 0; k < f.references.length; k++) assert.equal(referenceChainOf(c, k, nat.chains), f.references[k]!.chain, `version ${i}: ${name} reference ${k}`);
            if (unreadBefore && f.references.length >= 64) {
              countedUnread++;
              assert.equal(c.read, false, `version ${i}: ${name} read by counting and naming its references`);
            }
          }
          // now and then the rules are read (the references left to be made later) or everything
          if (rng.chance(0.5)) void masq.rules.length;
          else assertChainsAsRead(nat, fresh, lines, `version ${i}`);
        }
      }
      assert.ok(renewedUnread >= 6, `KUBE-MARK-MASQ renewed and unread in ${renewedUnread} of 16 versions`);
      assert.ok(countedUnread >= 2, `${countedUnread} chains counted unread`);
      const fresh = parseRuleset(lines.join('\n'));
      for (const [name, t] of fresh.tables) assertChainsAsRead(rs.tables.get(name)!, t, lines, `${name}, seed ${seed}`);
      for (const t of rs.tables.values()) for (const c of t.chains.values()) for (const r of [...c.rules, ...c.references, ...c.declarations]) assert.equal(rs.lines.get(r.line), r);
    }
  });

  it('a big table leaves the chains a line edit only moved for later: each made when read holds what a fresh parse gives, through a run of edits and past the one that makes them all', function () {
    this.timeout(60_000);
    // (the nat table of a 1500-rule kube-proxy-like file has 543 chains: past the size from which
    // a table leaves them for later; 70 edits run past the number after which it makes them all)
    const text = generateRuleset({ kind: 'kube', family: 'ipv4', rules: 1500, seed: 33 }).text;
    const lines = text.split('\n');
    const rng = new Rng(0x1a7);
    let rs = parseRuleset(text);
    let leftMost = 0;
    let settled = 0;
    let lazyVersions = 0;
    /** The most edits a table went through with chains left for later (made through them at once). */
    let deepest = 0;
    for (let i = 0; i < 70; i++) {
      putInOrTakeOut(lines, rng, i % 2 === 1);
      const prevNat = rs.tables.get('nat')!;
      // chains the version before has made (told without making them: one left for later shows its
      // source), whose objects the next version keeps when the edit is below them
      const made = prevNat.chains.laterChains();
      const readBefore = [...prevNat.chains.keys()].filter((n) => !made || prevNat.chains.sourceAt(prevNat.chains.positionOf(n)!) !== made.source.at(prevNat.chains.positionOf(n)!));
      rs = parseRuleset(lines.join('\n'), { previous: rs });
      const nat = rs.tables.get('nat')!;
      const later = nat.chains.laterChains<MovesThrough>();
      if (later) {
        lazyVersions++;
        deepest = Math.max(deepest, later.steps.edits.length);
        leftMost = Math.max(leftMost, nat.chains.size - nat.chains.placedCount);
        // a chain the version before read, above the edit, that the edit put nothing into: the same
        // object (what is kept by it is found again)
        for (const n of readBefore) {
          const was = prevNat.chains.get(n)!;
          if (endOf(was) <= nat.moved!.lines.same && !nat.moved!.chains.has(n)) assert.equal(nat.chains.get(n), was, `version ${i}: ${n} above the edit`);
        }
      } else settled++;
      // a few chains read, now and then all of them (then every chain is made again at the next
      // edit), compared with a fresh parse; the nodes they hold are this version's
      const fresh = parseRuleset(lines.join('\n'));
      if (rng.chance(0.04)) assertChainsAsRead(nat, fresh.tables.get('nat')!, lines, `version ${i}`);
      else {
        const names = [...fresh.tables.get('nat')!.chains.keys()];
        // (three: a quarter of the chains read makes them all again at the next edit)
        for (let k = 0; k < 3; k++) {
          const n = rng.pick(names);
          const c = nat.chains.get(n)!;
          assert.deepEqual(chainView(c, lines), chainView(fresh.tables.get('nat')!.chains.get(n)!, lines), `version ${i}: ${n}`);
          for (const r of [...c.rules, ...c.references, ...c.declarations]) assert.equal(rs.lines.get(r.line), r);
        }
      }
    }
    assert.ok(lazyVersions >= 50, `${lazyVersions} of 70 versions left chains for later`);
    assert.ok(deepest >= 20, `at most ${deepest} edits in a row left chains for later`);
    assert.ok(leftMost > 400, `at most ${leftMost} of 543 chains left for later`);
    assert.ok(settled >= 1, 'a version made them all');
    const fresh = parseRuleset(lines.join('\n'));
    for (const [name, t] of fresh.tables) assertChainsAsRead(rs.tables.get(name)!, t, lines, `${name}, at the end`);
  });
});
