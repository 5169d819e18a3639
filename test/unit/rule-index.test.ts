/**
 * The per-chain rule index (analysis/rule-index.ts): what it answers leaves out only rules that
 * cannot meet the question, and an index carried over an edit of a few rules (IndexBase) is, entry
 * for entry, the index built afresh from the new rules, so a check that counts the candidates it
 * looks at (shadowed's budget) counts the same after an edit as in a cold analysis. Candidates come
 * in the order of the chain, and candidateCount tells how many without making the list.
 */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { Box, DIMS, type Dim, domain, ifaceValue, ISet, Space, type SpaceEnv } from '../../server/src/analysis/packet-space';
import { ascending, ChainIndex } from '../../server/src/analysis/rule-index';
import { ChunkedArray } from '../../server/src/model/chunked-array';
import { compileRule, type RuleSpace } from '../../server/src/analysis/rule-space';
import { isRule } from '../../server/src/model/ruleset';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';

/** A chain's compiled rules as the index reads them. */
const list = (spaces: readonly (RuleSpace | undefined)[]) => ChunkedArray.of(spaces);

const ENV: SpaceEnv = { family: 'ipv4' };

/** The compiled rules of `lines` in a file of the table and chain lines `head`, and the index of their chain. */
function indexOf(head: readonly string[], lines: readonly string[]): { spaces: RuleSpace[]; index: ChainIndex } {
  const rs = parseRuleset([...head, ...lines, 'COMMIT', ''].join('\n'), { family: 'ipv4' });
  const spaces = rs.rules.map((r) => compileRule(ENV, r));
  return { spaces, index: new ChainIndex(ENV, list(spaces)) };
}

/** A random rule of a chain: some of source, destination, protocol and port (or either port), interface, state. */
function randomRuleText(rng: Rng, skew: number): string {
  const parts: string[] = ['-A C'];
  const maybe = (p: number) => rng.int(0, 99) < p;
  if (maybe(40 + skew)) parts.push(`-s 10.${rng.int(0, 3)}.${rng.int(0, 255)}.0/${rng.int(0, 2) ? 24 : 16}`);
  if (maybe(60 - skew)) parts.push(`-d 192.168.${rng.int(0, 9)}.${rng.int(1, 254)}`);
  if (maybe(50)) {
    parts.push(rng.int(0, 1) ? '-p tcp' : '-p udp');
    if (maybe(70)) parts.push(`--dport ${rng.int(0, 3) ? rng.int(1, 1024) : `${rng.int(1000, 2000)}:${rng.int(2000, 3000)}`}`);
    // either port: a space of two boxes, one restricting each (the hull of neither port is the rule's)
    else if (maybe(40)) parts.push(`-m multiport --ports ${rng.int(1, 1024)},${rng.int(1, 1024)}`);
  }
  if (maybe(30)) parts.push(`-i ${['eth0', 'eth1', 'br-+', 'wg0'][rng.int(0, 3)]}`);
  if (maybe(20)) parts.push('-m conntrack --ctstate NEW');
  parts.push(rng.int(0, 1) ? '-j ACCEPT' : '-j DROP');
  return parts.join(' ');
}

/** Compiled spaces for rule lines; now and then a rule that did not compile, or one that matches nothing. */
function spacesOf(rng: Rng, lines: readonly string[]): (RuleSpace | undefined)[] {
  const rs = parseRuleset(lines.join('\n'), { family: 'ipv4' });
  return rs.lines.toArray().map((n) => {
    if (n.kind !== 'command' || !isRule(n)) return undefined;
    const roll = rng.int(0, 49);
    if (roll === 0) return undefined;
    const rsp = compileRule(ENV, n);
    return roll === 1 ? { ...rsp, space: Space.NONE } : rsp;
  });
}

/** Everything an index holds, as text (the counts of each kind of rule in kind order: only the numbers matter). */
function structure(i: ChainIndex): string {
  return JSON.stringify(i, (k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? (k === 'kinds' ? [...v].sort() : [...v]) : v));
}

describe('rule index: candidates, and the index carried over an edit', function () {
  this.timeout(120_000);

  it('puts positions in ascending order in place, short lists and long ones', () => {
    const rng = new Rng(0x50a7);
    for (let k = 0; k < 400; k++) {
      const n = rng.pick([0, 1, 2, 31, 32, 33, rng.int(0, 40), rng.int(40, 3000)]);
      const list = Array.from({ length: n }, () => rng.int(0, rng.int(0, 1) ? 50 : 2 ** 31 - 1));
      const want = [...list].sort((x, y) => x - y);
      const got = ascending(list);
      assert.equal(got, list, 'sorted in place');
      assert.deepEqual(got, want, `${n} positions`);
    }
  });

  it('candidates hold every rule whose space meets the question', () => {
    const rng = new Rng(0x1d3);
    for (let round = 0; round < 30; round++) {
      const lines = Array.from({ length: rng.int(1, 120) }, () => randomRuleText(rng, rng.int(-30, 30)));
      const spaces = spacesOf(rng, lines);
      const index = new ChainIndex(ENV, list(spaces));
      for (let q = 0; q < 40; q++) {
        const probe = compileRule(ENV, parseRuleset(randomRuleText(rng, 0), { family: 'ipv4' }).rules[0]!).space;
        const from = rng.int(0, 3) ? 0 : rng.int(0, lines.length);
        const got = new Set(index.candidates(probe.boxes, from));
        spaces.forEach((rsp, pos) => {
          if (pos < from) return;
          const meets = !rsp || !rsp.space.intersect(ENV, probe).empty;
          if (meets) assert.ok(got.has(pos), `round ${round}: rule ${pos} meets the probe but is not a candidate`);
        });
      }
    }
  });

  it('candidates come ascending, once each, from `from` on, and candidateCount is how many there are', () => {
    const rng = new Rng(0x5e7);
    for (let round = 0; round < 30; round++) {
      const lines = Array.from({ length: rng.int(1, 160) }, () => randomRuleText(rng, rng.int(-30, 30)));
      const index = new ChainIndex(ENV, list(spacesOf(rng, lines)));
      for (let q = 0; q < 40; q++) {
        const probe = compileRule(ENV, parseRuleset(randomRuleText(rng, 0), { family: 'ipv4' }).rules[0]!).space;
        const from = rng.int(0, 2) ? 0 : rng.int(0, lines.length);
        const got = index.candidates(probe.boxes, from);
        got.forEach((p, k) => {
          assert.ok(p >= from, `round ${round}: candidate ${p} lies before ${from}`);
          if (k > 0) assert.ok(p > got[k - 1]!, `round ${round}: candidates out of order or repeated: ${got.join(',')}`);
        });
        assert.equal(index.candidateCount(probe.boxes, from), got.length, `round ${round}: count of the candidates from ${from}`);
      }
    }
  });

  it('candidatesAt(packet) holds every rule whose space contains the packet, ascending, once each, among the candidates() of a box of just that packet', () => {
    const rng = new Rng(0x9a7);
    let inside = 0;
    let narrower = 0;
    for (let round = 0; round < 30; round++) {
      const lines = Array.from({ length: rng.int(1, 160) }, () => randomRuleText(rng, rng.int(-30, 30)));
      const spaces = spacesOf(rng, lines);
      const index = new ChainIndex(ENV, list(spaces));
      for (let q = 0; q < 40; q++) {
        // a packet named in every dimension: now and then the lowest or highest of some rule's box
        // (values the chain's hulls start or end at), otherwise random within each domain
        const corner = spaces[rng.int(0, spaces.length - 1)]?.space.boxes[0];
        const point = new Map<Dim, bigint>();
        for (const d of DIMS) {
          const [lo, hi] = domain(ENV, d);
          const s = corner?.get(d);
          point.set(d, s && !s.empty && rng.int(0, 1) ? (rng.int(0, 1) ? s.first()! : s.last()!) : lo + (BigInt(rng.int(0, 1 << 30)) % (hi - lo + 1n)));
        }
        const from = rng.int(0, 2) ? 0 : rng.int(0, lines.length);
        const got = index.candidatesAt(point, from);
        const ofBox = new Set(index.candidates([Box.from([...point].map(([d, v]) => [d, ISet.point(v)] as const))], from));
        got.forEach((p, k) => {
          assert.ok(ofBox.has(p), `round ${round}: ${p} is not a candidate of the packet's box`);
          if (k > 0) assert.ok(p > got[k - 1]!, `round ${round}: out of order or repeated: ${got.join(',')}`);
        });
        if (got.length < ofBox.size) narrower++;
        const set = new Set(got);
        spaces.forEach((rsp, pos) => {
          if (pos < from) return;
          const holds = !rsp || rsp.space.contains(ENV, point);
          if (rsp && holds) inside++;
          if (holds) assert.ok(set.has(pos), `round ${round}: rule ${pos} contains the packet but is not a candidate`);
        });
      }
    }
    assert.ok(inside > 100, `only ${inside} (rule, packet) pairs where the rule contains the packet: the test asks too little`);
    // (the rules free in the dimension a packet is answered from narrowed by a second one)
    assert.ok(narrower > 50, `only ${narrower} answers narrower than the box's: the second dimension is hardly asked`);
  });

  it('a packet of a Docker host\'s FORWARD chain meets the few rules of its bridges, not every rule free in `oif`', () => {
    // per bridge: replies accepted and traffic to it sent to DOCKER (by `-o`), then what leaves
    // it accepted (by `-i`, with `! -o` or `-o`): the `! -o` rules are free in `oif`
    const bridges = Array.from({ length: 200 }, (_, k) => `br-${k.toString(16).padStart(12, '0')}`);
    const lines = bridges.flatMap((b) => [
      `-A FORWARD -o ${b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      `-A FORWARD -o ${b} -j DOCKER`,
      `-A FORWARD -i ${b} ! -o ${b} -j ACCEPT`,
      `-A FORWARD -i ${b} -o ${b} -j ACCEPT`,
    ]);
    const { spaces, index } = indexOf(['*filter', ':FORWARD DROP [0:0]', ':DOCKER - [0:0]'], lines);
    const lowest = (d: Dim) => domain(ENV, d)[0];
    const packet = (iif: string, oif: string) => new Map<Dim, bigint>(DIMS.map((d) => [d, d === 'iif' ? ifaceValue(iif) : d === 'oif' ? ifaceValue(oif) : lowest(d)]));
    for (const [from, to] of [[bridges[3]!, bridges[150]!], [bridges[199]!, bridges[0]!], ['eth0', bridges[42]!]] as const) {
      const p = packet(from, to);
      const holding = spaces.flatMap((rsp, pos) => (rsp.space.contains(ENV, p) ? [pos] : []));
      const got = index.candidatesAt(p);
      for (const pos of holding) assert.ok(got.includes(pos), `rule ${pos} holds the packet ${from} -> ${to}`);
      // its bridge's two `-o` rules and, coming from a bridge, that bridge's two `-i` rules
      assert.ok(got.length <= 4, `${got.length} candidates for ${from} -> ${to}: ${got.join(',')}`);
      assert.ok(index.candidates([Box.from([...p].map(([d, v]) => [d, ISet.point(v)] as const))]).length > 200, 'by one dimension, the box meets every `! -o` rule');
    }
  });

  it('a packet of a Docker host\'s nat DOCKER chain meets its bridge\'s RETURN rule, not every RETURN: the interface is indexed though most rules restrict ports, protocols and addresses', () => {
    // per bridge a RETURN by `-i` first, then DNAT rules by port, protocol and (some) address,
    // free in `iif` (`! -i`): by counts alone, the RETURN rules' dimension is the fourth
    const bridges = Array.from({ length: 60 }, (_, k) => `br-${k.toString(16).padStart(12, '0')}`);
    const returns = bridges.map((b) => `-A DOCKER -i ${b} -j RETURN`);
    const dnats = Array.from({ length: 600 }, (_, k) => `-A DOCKER ${k % 5 === 0 ? '-d 127.0.0.1/32 ' : ''}! -i ${bridges[k % 60]} -p ${k % 2 ? 'tcp' : 'udp'} -m ${k % 2 ? 'tcp' : 'udp'} --dport ${8000 + k} -j DNAT --to-destination 172.16.0.${(k % 250) + 2}:80`);
    const { spaces, index } = indexOf(['*nat', ':DOCKER - [0:0]'], [...returns, ...dnats]);
    const lowest = (d: Dim) => domain(ENV, d)[0];
    for (const b of [bridges[0]!, bridges[31]!, 'eth0']) {
      const p = new Map<Dim, bigint>(DIMS.map((d) => [d, d === 'iif' ? ifaceValue(b) : lowest(d)]));
      const holding = spaces.flatMap((rsp, pos) => (rsp.space.contains(ENV, p) ? [pos] : []));
      const got = index.candidatesAt(p);
      for (const pos of holding) assert.ok(got.includes(pos), `rule ${pos} holds the packet from ${b}`);
      assert.ok(got.length <= 2, `${got.length} candidates for a packet from ${b}: ${got.join(',')}`);
    }
  });

  it('a question is answered from the dimension with the fewest free rules first: the count of a DNAT rule\'s later rules looks at a few, not at every later rule to the same address', () => {
    // 300 rules each to its own port, one in five of them to one address; 40 rules free in ports,
    // addresses and protocols: fewer rules free in ports than in addresses
    const lines = [...Array.from({ length: 40 }, (_, k) => `-A C -i eth${k} -j RETURN`), ...Array.from({ length: 300 }, (_, k) => `-A C ${k % 5 === 0 ? '-d 127.0.0.1/32 ' : ''}-p tcp -m tcp --dport ${8000 + k} -j DNAT --to-destination 172.16.0.2:80`)];
    const { spaces, index } = indexOf(['*nat', ':C - [0:0]'], lines);
    const cost = [0];
    // (rules to the address)
    for (const at of [40, 100, 200]) {
      const count = index.candidateCount(spaces[at]!.space.boxes, at + 1, cost);
      assert.equal(count, index.candidates(spaces[at]!.space.boxes, at + 1).length);
      assert.equal(count, 0, `rule ${at}: no later rule meets it`);
      assert.ok(cost[0]! <= 2, `rule ${at}: ${cost[0]} rules looked at`);
    }
  });

  it('a dimension that holds one value for every rule (no rule free there) is passed over after a few hits: the count of a service rule\'s later rules looks at a few, not at every later TCP rule', () => {
    // 600 TCP service rules, each from its own /24, to one of five ports or port pairs (a
    // multiport pair's hull spans the ports between): protocol and port have no free rules and
    // answer with hundreds, the source (one free rule at the end) with one or two
    const ports = ['-m tcp --dport 443', '-m multiport --dports 80,1080', '-m tcp --dport 22', '-m multiport --dports 53,1053', '-m tcp --dport 8080'];
    const lines = [...Array.from({ length: 600 }, (_, k) => `-A S -s 10.${k >> 8}.${k & 255}.0/24 -p tcp ${ports[k % 5]} -j ACCEPT`), '-A S -p tcp -m tcp --dport 443 -j ACCEPT'];
    const { spaces, index } = indexOf(['*filter', ':S - [0:0]'], lines);
    const cost = [0];
    let looked = 0;
    for (let at = 0; at < 600; at += 7) {
      const boxes = spaces[at]!.space.boxes;
      const count = index.candidateCount(boxes, at + 1, cost);
      const got = index.candidates(boxes, at + 1);
      assert.equal(count, got.length);
      for (let q = at + 1; q < spaces.length; q++) if (!spaces[q]!.space.intersect(ENV, spaces[at]!.space).empty) assert.ok(got.includes(q), `rule ${q} meets rule ${at}`);
      assert.ok(count <= 2, `rule ${at}: ${count} candidates`);
      looked += cost[0]!;
    }
    // (each of the two crowded dimensions gives up after its first room of hits)
    assert.ok(looked / 86 <= 40, `${(looked / 86).toFixed(1)} rules looked at per count`);
  });

  it('one rule without the destination every other rule names leaves the destination indexed and asked first: a count still looks at a few rules, not at every rule to the same port and interface', () => {
    // 400 rules, each to its own address, through one of four bridges to one of four ports: every
    // rule restricts the destination, the port, the interface and the protocol
    const rule = (k: number, dst: boolean) => `-A D ${dst ? `-d 10.1.${k >> 8}.${k & 255}/32 ` : ''}! -i br-${k % 4} -o br-${k % 4} -p tcp -m tcp --dport ${8000 + (k % 4)} -j ACCEPT`;
    const looked = (without: number | undefined) => {
      const lines = Array.from({ length: 400 }, (_, k) => rule(k, k !== without));
      const { spaces, index } = indexOf(['*filter', ':D - [0:0]'], lines);
      const cost = [0];
      let sum = 0;
      for (let at = 0; at < 400; at += 9) {
        if (at === without) continue;
        index.candidateCount(spaces[at]!.space.boxes, at + 1, cost);
        sum += cost[0]!;
      }
      return sum / 45;
    };
    const all = looked(undefined);
    const one = looked(200);
    assert.ok(all <= 3, `${all.toFixed(1)} rules looked at per count`);
    assert.ok(one <= all + 3, `one rule without its destination: ${one.toFixed(1)} rules looked at per count, against ${all.toFixed(1)}`);
  });

  it('a question every indexed dimension answers with more hits than the first room is asked again with more: the answer is the best dimension\'s, not every rule', () => {
    // 100 rules alike (each meets the others in every dimension), then 300 others to other
    // addresses, protocols and ports
    const lines = [...Array.from({ length: 100 }, () => '-A S -s 10.9.9.0/24 -p tcp -m tcp --dport 443 -j ACCEPT'), ...Array.from({ length: 300 }, (_, k) => `-A S -s 10.1.${k & 255}.0/24 -p udp -m udp --dport ${1000 + k} -j ACCEPT`)];
    const { spaces, index } = indexOf(['*filter', ':S - [0:0]'], lines);
    for (const at of [0, 30, 98]) {
      const boxes = spaces[at]!.space.boxes;
      const got = index.candidates(boxes, at + 1);
      assert.deepEqual(got, Array.from({ length: 99 - at }, (_, k) => at + 1 + k));
      assert.equal(index.candidateCount(boxes, at + 1), got.length);
    }
  });

  it('after an edit that files no rule differently (comments added) the index is the one before, which is the index built afresh', () => {
    const rng = new Rng(0x1d5);
    let kept = 0;
    let derived = 0;
    for (let round = 0; round < 40; round++) {
      const lines = Array.from({ length: rng.int(24, 200) }, () => randomRuleText(rng, rng.int(-30, 30)));
      const spaces = lines.map((l) => compileRule(ENV, parseRuleset(l, { family: 'ipv4' }).rules[0]!));
      const index = new ChainIndex(ENV, list(spaces));
      const next = lines.slice();
      const changed = new Set<number>();
      // comments added; in half the rounds also one rule replaced by another
      for (let k = rng.int(1, 6); k > 0; k--) {
        const at = rng.int(0, next.length - 1);
        next[at] = next[at]!.replace(' -j ', ` -m comment --comment "c${k}" -j `);
        changed.add(at);
      }
      const other = round % 2 === 1;
      if (other) {
        const at = rng.int(0, next.length - 1);
        next[at] = randomRuleText(rng, 0);
        changed.add(at);
      }
      const nextSpaces = spaces.map((rsp, p) => (changed.has(p) ? compileRule(ENV, parseRuleset(next[p]!, { family: 'ipv4' }).rules[0]!) : rsp));
      const after = ChainIndex.after(ENV, list(nextSpaces), { index, before: list(spaces), changed: [...changed].sort((a, b) => a - b) });
      assert.equal(structure(after), structure(new ChainIndex(ENV, list(nextSpaces))), `round ${round}`);
      if (after === index) kept++;
      else derived++;
      if (!other) assert.equal(after, index, `round ${round}: only comments added`);
    }
    // (a replaced rule usually files differently; now and then it happens to file alike)
    assert.ok(kept >= 20 && derived >= 10, `kept ${kept}, derived ${derived}`);
    // no restriction and no packet at all have the same (no) hulls: whether a rule can match counts too
    const open = Array.from({ length: 30 }, () => compileRule(ENV, parseRuleset('-A C -j ACCEPT', { family: 'ipv4' }).rules[0]!));
    const before = new ChainIndex(ENV, list(open));
    const none = open.map((rsp, p) => (p === 7 ? { ...rsp, space: Space.NONE } : rsp));
    const after = ChainIndex.after(ENV, list(none), { index: before, before: list(open), changed: [7] });
    assert.notEqual(after, before);
    assert.equal(structure(after), structure(new ChainIndex(ENV, list(none))));
  });

  it('port ranges of every width, one rule moved at a time: the running maximum carried over is the one built afresh', () => {
    // his that rise and fall along the list sorted by lo: the maximum carried over from the entries
    // the edit left at the end must be taken up only where the lists line up again
    const rng = new Rng(0x51de);
    const rule = () => {
      const lo = rng.int(1, 60000);
      const hi = Math.min(65535, lo + (rng.int(0, 3) ? rng.int(0, 50) : rng.int(0, 5000)));
      return `-A C -p tcp --dport ${lo}:${hi} -j ${rng.int(0, 1) ? 'ACCEPT' : 'DROP'}`;
    };
    for (let round = 0; round < 6; round++) {
      let lines = Array.from({ length: rng.int(100, 400) }, rule);
      let spaces = spacesOf(rng, lines);
      let index = new ChainIndex(ENV, list(spaces));
      for (let step = 0; step < 60; step++) {
        const next = lines.slice();
        const changed = [...new Set(Array.from({ length: rng.int(1, 3) }, () => rng.int(0, next.length - 1)))].sort((a, b) => a - b);
        for (const at of changed) next[at] = rule();
        const nextSpaces = spacesOf(rng, next);
        for (let p = 0; p < next.length; p++) if (!changed.includes(p)) nextSpaces[p] = spaces[p];
        const derived = ChainIndex.after(ENV, list(nextSpaces), { index, before: list(spaces), changed });
        assert.equal(structure(derived), structure(new ChainIndex(ENV, list(nextSpaces))), `round ${round}, step ${step}`);
        lines = next;
        spaces = nextSpaces;
        index = derived;
      }
    }
  });

  it('an index carried over an edit of a few rules is the index built afresh, entry for entry', () => {
    const rng = new Rng(0x1d4);
    let carried = 0;
    let rebuilt = 0;
    for (let round = 0; round < 60; round++) {
      const skew = rng.int(-30, 30);
      let lines = Array.from({ length: rng.int(24, 300) }, () => randomRuleText(rng, skew));
      let spaces = spacesOf(rng, lines);
      let index = new ChainIndex(ENV, list(spaces));
      for (let step = 0; step < 8; step++) {
        const next = lines.slice();
        const changed = new Set<number>();
        const count = rng.int(1, 16);
        // most edits keep the mix of dimensions; now and then one swings it to another dimension
        const editSkew = rng.int(0, 5) ? skew : -skew;
        for (let k = 0; k < count; k++) {
          const at = rng.int(0, next.length - 1);
          next[at] = randomRuleText(rng, editSkew);
          changed.add(at);
        }
        const nextSpaces = spacesOf(rng, next);
        // positions whose rule is in fact the same object keep it (as compileRule keeps it)
        for (let p = 0; p < next.length; p++) if (!changed.has(p)) nextSpaces[p] = spaces[p];
        const sorted = [...changed].sort((a, b) => a - b);
        const derived = ChainIndex.after(ENV, list(nextSpaces), { index, before: list(spaces), changed: sorted });
        const fresh = new ChainIndex(ENV, list(nextSpaces));
        assert.equal(structure(derived), structure(fresh), `round ${round}, step ${step}`);
        const probe = compileRule(ENV, parseRuleset(randomRuleText(rng, 0), { family: 'ipv4' }).rules[0]!).space;
        assert.deepEqual(derived.candidates(probe.boxes), fresh.candidates(probe.boxes));
        // carried over when the dimensions to index stay those of the index before
        const dims = (i: ChainIndex) => [...(i as unknown as { keyed: Map<string, unknown> }).keyed.keys()].sort().join();
        if (dims(index) === dims(fresh)) carried++;
        else rebuilt++;
        lines = next;
        spaces = nextSpaces;
        index = derived;
      }
    }
    // both paths taken: carried over, and built afresh when the indexed dimensions change
    assert.ok(carried > 200 && rebuilt > 5, `${carried} carried over, ${rebuilt} rebuilt`);
  });

  it('an index carried over a rule put in or taken out (every later position moved by one) is the index built afresh, entry for entry', () => {
    const rng = new Rng(0x5f1);
    let carried = 0;
    let rebuilt = 0;
    for (let round = 0; round < 40; round++) {
      const skew = rng.int(-30, 30);
      let lines = Array.from({ length: rng.int(24, 300) }, () => randomRuleText(rng, skew));
      let spaces = spacesOf(rng, lines);
      let index = new ChainIndex(ENV, list(spaces));
      for (let step = 0; step < 10; step++) {
        const put = rng.int(0, 1) === 1 || lines.length < 20;
        const at = rng.int(0, put ? lines.length : lines.length - 1);
        const next = lines.slice();
        const nextSpaces = spaces.slice();
        if (put) {
          next.splice(at, 0, randomRuleText(rng, rng.int(0, 5) ? skew : -skew));
          nextSpaces.splice(at, 0, spacesOf(rng, [next[at]!])[0]);
        } else {
          next.splice(at, 1);
          nextSpaces.splice(at, 1);
        }
        const derived = ChainIndex.shifted(ENV, list(nextSpaces), { index, at, put, ...(put ? {} : { was: spaces[at] }) });
        const fresh = new ChainIndex(ENV, list(nextSpaces));
        assert.equal(structure(derived), structure(fresh), `round ${round}, step ${step}, ${put ? 'put in' : 'taken out'} at ${at}`);
        const probe = compileRule(ENV, parseRuleset(randomRuleText(rng, 0), { family: 'ipv4' }).rules[0]!).space;
        assert.deepEqual(derived.candidates(probe.boxes), fresh.candidates(probe.boxes));
        const dims = (i: ChainIndex) => [...(i as unknown as { keyed: Map<string, unknown> }).keyed.keys()].sort().join();
        if (dims(index) === dims(fresh) && dims(fresh) !== '') carried++;
        else rebuilt++;
        lines = next;
        spaces = nextSpaces;
        index = derived;
      }
    }
    assert.ok(carried > 250, `${carried} carried over, ${rebuilt} rebuilt`);
    // a rule that brings a dimension into the indexed ones: built afresh, the same again
    const two = Array.from({ length: 40 }, (_, i) => (i % 2 ? `-A C -s 10.0.${i}.0/24 -j DROP` : `-A C -d 192.168.0.${i + 1} -j DROP`));
    const twoSpaces = spacesOf(new Rng(1), two).map((x, i) => x ?? compileRule(ENV, parseRuleset(two[i]!, { family: 'ipv4' }).rules[0]!));
    const twoIndex = new ChainIndex(ENV, list(twoSpaces));
    const third = compileRule(ENV, parseRuleset('-A C -p tcp --dport 22 -j ACCEPT', { family: 'ipv4' }).rules[0]!);
    const withThird = [...twoSpaces.slice(0, 5), third, ...twoSpaces.slice(5)];
    assert.equal(structure(ChainIndex.shifted(ENV, list(withThird), { index: twoIndex, at: 5, put: true })), structure(new ChainIndex(ENV, list(withThird))));
  });
});
