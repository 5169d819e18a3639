/**
 * The tracer's per-chain index (trace-index.ts) against the tracer testing every rule one by one
 * (`unindexed`): on random rulesets with long chains (jumps, MARK and DNAT changing the packet in
 * the middle of a chain, address lists, undecidable matches that fork) and on the bench's
 * generated kube-proxy, docker and firewall rulesets, every trace must be the same, step by step.
 */
import { strict as assert } from 'node:assert';
import { generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { type Packet, parsePacketSpec } from '../../server/src/analysis/packet';
import { alignedBlock, blockKey } from '../../server/src/analysis/trace-index';
import { trace, traceJobs } from '../../server/src/analysis/tracer';
import { analysisContext } from '../../server/src/analysis/context';
import { traceChainIndex, type TraceChainIndex } from '../../server/src/analysis/trace-index';
import { ISet } from '../../server/src/analysis/packet-space';
import type { Ruleset } from '../../server/src/model/ruleset';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';

/** A trace as plain data (rules by line), for a deep comparison. */
function canon(t: ReturnType<typeof trace>): string {
  return JSON.stringify(t, (k, v: unknown) => (k === 'rule' ? (v as { line: number }).line : v));
}

const ADDRS = ['10.0.0.1', '10.0.0.2', '10.0.0.9', '10.0.1.7', '192.0.2.10', '198.51.100.7'];
const NETS = ['10.0.0.1/32', '10.0.0.2/32', '10.0.0.0/30', '10.0.0.0/24', '10.0.0.0/16', '10.0.0.0/8', '192.0.2.0/24', '0.0.0.0/0', '10.0.0.1,10.0.0.2', '10.0.0.0/30,192.0.2.10'];
const PORTS = [22, 53, 80, 443, 8080];
const IFACES = ['eth0', 'eth1', 'br-a1', 'docker0'];

function randomRule(rng: Rng, table: string, userChains: readonly string[]): string {
  const parts: string[] = [];
  const maybe = (p: number) => rng.int(0, 99) < p;
  const neg = () => (maybe(25) ? '! ' : '');
  // options in random order, several of the kinds the index files rules by
  const opts: string[] = [];
  if (maybe(50)) opts.push(`${neg()}-s ${rng.pick(NETS)}`);
  if (maybe(50)) opts.push(`${neg()}-d ${rng.pick(NETS)}`);
  if (maybe(30)) opts.push(`${neg()}-i ${rng.pick(IFACES)}`);
  if (maybe(15)) opts.push(`${neg()}-o ${rng.pick(IFACES)}`);
  for (let i = opts.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [opts[i], opts[j]] = [opts[j]!, opts[i]!];
  }
  parts.push(...opts);
  const proto = rng.pick(['', 'tcp', 'tcp', 'udp', 'icmp']);
  if (proto) parts.push(`${maybe(10) ? '! ' : ''}-p ${proto}`);
  if ((proto === 'tcp' || proto === 'udp') && !parts.some((p) => p.startsWith('! -p'))) {
    if (maybe(60)) parts.push(`-m ${proto} ${neg()}--dport ${rng.pick(PORTS)}`);
    else if (maybe(30)) parts.push(`-m ${proto} --dport ${rng.pick(PORTS)}:${rng.pick([1024, 9000])}`);
  }
  if (maybe(15)) parts.push(`-m mark ${neg()}--mark 0x${rng.pick([1, 2, 3])}/0xff`);
  if (maybe(10)) parts.push(`-m conntrack --ctstate ${rng.pick(['NEW', 'ESTABLISHED,RELATED', 'INVALID', 'UNTRACKED'])}`);
  if (maybe(4)) parts.push('-m statistic --mode random --probability 0.5');
  if (maybe(4)) parts.push('-m limit --limit 3/min');
  if (maybe(5)) parts.push(`-m comment --comment "rule ${rng.int(0, 999)}"`);
  const targets = ['ACCEPT', 'DROP', 'RETURN', 'LOG --log-prefix "x "', 'MARK --set-mark 0x1', 'MARK --set-xmark 0x2/0xff', 'MARK --or-mark 0x1', ...userChains];
  if (table === 'nat') targets.push(`DNAT --to-destination ${rng.pick(ADDRS)}${proto === 'tcp' || proto === 'udp' ? `:${rng.pick(PORTS)}` : ''}`);
  if (table === 'raw') targets.push('NOTRACK', 'CT --notrack');
  const target = maybe(8) ? '' : rng.pick(targets);
  if (target && userChains.includes(target) && maybe(30)) return `${parts.join(' ')} -g ${target}`;
  return target ? `${parts.join(' ')} -j ${target}` : parts.join(' ');
}

function randomRuleset(rng: Rng): string {
  const out: string[] = [];
  const builtins: Record<string, string[]> = {
    raw: ['PREROUTING', 'OUTPUT'],
    mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
    nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
    filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  };
  for (const [table, chains] of Object.entries(builtins)) {
    if (table !== 'filter' && rng.int(0, 2) === 0) continue;
    out.push(`*${table}`);
    const user = table === 'raw' ? [] : Array.from({ length: rng.int(0, 3) }, (_, i) => `U${i}`);
    for (const c of chains) out.push(`:${c} ${table === 'filter' ? rng.pick(['ACCEPT', 'DROP']) : 'ACCEPT'} [0:0]`);
    for (const c of user) out.push(`:${c} - [0:0]`);
    // user chains jump only to later ones: no loops
    const all = [...chains.map((c) => ({ c, callees: user })), ...user.map((c, i) => ({ c, callees: user.slice(i + 1) }))];
    for (const { c, callees } of all) {
      const n = rng.int(0, 3) === 0 ? rng.int(0, 8) : rng.int(16, 70);
      for (let i = 0; i < n; i++) out.push(`-A ${c} ${randomRule(rng, table, callees)}`.replace(/ +$/, ''));
    }
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

function randomPacket(rng: Rng): Packet {
  const proto = rng.pick(['tcp', 'udp', 'icmp']);
  const dir = rng.pick(['in eth0', 'in eth1 out eth0', 'out eth1', 'in br-a1', 'in docker0 out br-a1']);
  const mark = rng.int(0, 3) === 0 ? ` mark ${rng.int(0, 3)}` : '';
  const spec =
    proto === 'icmp'
      ? `icmp ${rng.pick(ADDRS)} -> ${rng.pick(ADDRS)} type ${rng.pick([0, 3, 8])} ${dir}${mark}`
      : `${proto} ${rng.pick(ADDRS)}:${rng.int(1024, 65535)} -> ${rng.pick(ADDRS)}:${rng.pick([...PORTS, 5000])}${proto === 'tcp' ? ` flags ${rng.pick(['SYN', 'ACK', 'ACK,FIN', 'RST'])}` : ''} ${dir}${mark}`;
  const p = parsePacketSpec(spec);
  if ('error' in p) throw new Error(`${spec}: ${p.error}`);
  return p;
}

/** Packets aimed at what the ruleset's rules name (so that they match some), and random ones. */
function packetsFor(rs: Ruleset, rng: Rng, n: number): Packet[] {
  const out: Packet[] = [];
  const v6 = rs.family === 'ipv6';
  for (let i = 0; i < n; i++) {
    const r = rs.rules[rng.int(0, rs.rules.length - 1)];
    const arg = (name: string) => r?.options.find((o) => o.name === name && !o.negated)?.args[0]?.text.split(/[/,:]/)[0];
    const src = arg('-s') ?? (v6 ? '2001:db8:ffff::7' : '198.51.100.7');
    const dst = arg('-d') ?? (v6 ? '2001:db8:1::10' : '192.0.2.10');
    const dport = arg('--dport') ?? arg('--dports') ?? String(rng.pick([22, 80, 443]));
    const proto = rng.pick(['tcp', 'udp']);
    const wrap = (a: string, p: number | string) => (v6 ? `[${a}]:${p}` : `${a}:${p}`);
    const dir = rng.pick(['in eth0', 'in eth0 out eth1', 'out eth0', 'in docker0 out br-0a1b2c3d4e5f']);
    const p = parsePacketSpec(`${proto} ${wrap(src, rng.int(32768, 60999))} -> ${wrap(dst, dport)}${proto === 'tcp' ? ' flags SYN' : ''} ${dir}`);
    if (!('error' in p)) out.push(p);
  }
  return out;
}

function assertSame(rs: Ruleset, p: Packet, opts: Parameters<typeof trace>[2], what: string): void {
  const fast = trace(rs, p, opts);
  const slow = trace(rs, p, { ...opts, unindexed: true });
  assert.equal(canon(fast), canon(slow), what);
}

describe('tracer: the per-chain index gives the traces of the rule-by-rule walk', function () {
  this.timeout(120_000);

  it('on random rulesets with long chains and random packets', function () {
    const rng = new Rng(0x7ace);
    let steps = 0;
    let fromIndex = 0;
    for (let n = 0; n < 60; n++) {
      const text = randomRuleset(rng);
      const rs = parseRuleset(text);
      for (let k = 0; k < 12; k++) {
        const p = randomPacket(rng);
        const state = rng.pick([undefined, 'ESTABLISHED', 'UNTRACKED'] as const);
        const opts = state ? { state } : {};
        assertSame(rs, p, opts, `ruleset ${n} packet ${k}\n${text}`);
        const t = trace(rs, p, opts);
        for (const b of t.branches) {
          steps += b.steps.length;
          fromIndex += b.steps.filter((s) => s.kind === 'rule' && s.matched === false).length;
        }
      }
    }
    // the random rulesets do reach the index (chains of 16 rules and more, rules skipped by it)
    assert.ok(steps > 10_000 && fromIndex > 5_000, `${steps} steps, ${fromIndex} missed`);
  });

  it('on the generated kube-proxy, docker and firewall rulesets (IPv4 and IPv6)', function () {
    const rng = new Rng(0x5eed);
    for (const kind of ['kube', 'docker', 'firewall'] as const) {
      for (const family of ['ipv4', 'ipv6'] as const) {
        const rs = parseRuleset(generateRuleset({ kind, family, rules: 1500, seed: rng.int(1, 1e6) }).text);
        for (const p of packetsFor(rs, rng, 25)) assertSame(rs, p, {}, `${kind} ${family}`);
      }
    }
  });

  it('a packet a MARK rule changes in the middle of a long chain is looked up again', function () {
    const rules = ['*mangle', ':PREROUTING ACCEPT [0:0]'];
    for (let i = 0; i < 20; i++) rules.push(`-A PREROUTING -m mark --mark 0x${i} -j MARK --set-mark 0x${i + 1}`);
    rules.push('COMMIT');
    const rs = parseRuleset(rules.join('\n') + '\n');
    const p = parsePacketSpec('udp 10.0.0.1:5000 -> 10.0.0.2:53 in eth0');
    if ('error' in p) throw new Error(p.error);
    const t = trace(rs, p);
    // mark 0 -> 1 -> ... -> 20: every rule matches in turn
    assert.equal(t.branches[0]!.steps.filter((s) => s.kind === 'rule' && s.matched === true).length, 20);
    assertSame(rs, p, {}, 'mark chain');
  });

  it('traces after the preparation the server runs while idle (traceJobs), whole or stopped part way, are the same as without it', function () {
    const rng = new Rng(0x9e9);
    for (const kind of ['kube', 'docker', 'firewall'] as const) {
      for (const family of ['ipv4', 'ipv6'] as const) {
        const text = generateRuleset({ kind, family, rules: 1500, seed: rng.int(1, 1e6) }).text;
        const cold = parseRuleset(text);
        const prepared = parseRuleset(text);
        const jobs = traceJobs(prepared);
        assert.ok(jobs.length > 0, `${kind} ${family}: no long chain to prepare`);
        for (const job of jobs) job();
        // and stopped part way (a newer version arrived): a trace finishes the indexes begun
        const partly = parseRuleset(text);
        const some = traceJobs(partly, rng.int(5, 300));
        for (const job of some.slice(0, rng.int(1, some.length))) job();
        for (const p of packetsFor(cold, rng, 15)) {
          const want = canon(trace(cold, p));
          assert.equal(canon(trace(prepared, p)), want, `${kind} ${family}`);
          assert.equal(canon(trace(partly, p)), want, `${kind} ${family}, partly prepared`);
        }
      }
    }
  });

  it('an edit keeps the index of every long chain it left alone (no job builds it again), one that only moved shares what was built; traces of the edited version are those of the text read afresh', function () {
    const rng = new Rng(0x1dec);
    /** The index of each long chain (all made by traceJobs before this is called). */
    const indexes = (rs: Ruleset) => {
      const ctx = analysisContext(rs);
      const out = new Map<object, TraceChainIndex | undefined>();
      for (const t of rs.tables.values()) for (const c of t.chains.values()) if (c.rules.length >= 16) out.set(c, traceChainIndex(ctx, t, c, () => assert.fail('no step is made here')));
      return out;
    };
    let kept = 0;
    let renewed = 0;
    let moved = 0;
    for (let n = 0; n < 40; n++) {
      // (a third of them with a rule inserted by -I: then an edit that moves lines builds the
      // tables again, and an index is found for its chain by the chain's rules)
      const plain = randomRuleset(rng);
      const text = n % 3 === 0 ? plain.replace(/\nCOMMIT\n(?![\s\S]*\nCOMMIT\n)/, '\n-I INPUT 1 -p udp --dport 53 -j ACCEPT\nCOMMIT\n') : plain;
      const before = parseRuleset(text);
      for (const job of traceJobs(before)) job();
      const lines = text.split('\n');
      // a rule replaced in place (its chain changes, the others stay) or a rule put in (every chain below moves)
      let table = '';
      const rules: { at: number; table: string; chain: string }[] = [];
      lines.forEach((l, i) => {
        if (l.startsWith('*')) table = l.slice(1);
        const m = /^-A (\S+)/.exec(l);
        if (m) rules.push({ at: i, table, chain: m[1]! });
      });
      const r = rng.pick(rules);
      const put = `-A ${r.chain} ${randomRule(rng, r.table, [])}`.replace(/ +$/, '');
      const inPlace = n % 2 === 0;
      lines.splice(r.at, inPlace ? 1 : 0, put);
      const edited = lines.join('\n');
      const after = parseRuleset(edited, { previous: before });
      const was = indexes(before);
      // (the jobs build only what is not ready: none for a chain whose index is kept or moved; run
      // first, so that every index looked at below was made by them)
      const jobs = traceJobs(after);
      for (const job of jobs) job();
      const now = indexes(after);
      let sameChains = 0;
      for (const [chain, idx] of now) {
        if (was.has(chain)) {
          assert.equal(idx, was.get(chain), `ruleset ${n}: a chain the edit left alone gets a new index`);
          sameChains++;
        } else {
          assert.ok(![...was.values()].includes(idx), `ruleset ${n}: a new chain got an old index`);
          // (a chain whose rules read as before, moved by the line put in, shares what its index built)
          if (idx?.moved) moved++;
        }
      }
      assert.equal(jobs.length, [...now].filter(([c, idx]) => !was.has(c) && !idx?.moved).length, `ruleset ${n}: jobs`);
      kept += sameChains;
      renewed += now.size - sameChains;
      const fresh = parseRuleset(edited);
      for (let k = 0; k < 10; k++) {
        const p = randomPacket(rng);
        assert.equal(canon(trace(after, p)), canon(trace(fresh, p)), `ruleset ${n} packet ${k} (${inPlace ? 'replaced' : 'put in'} line ${r.at + 1})`);
      }
    }
    assert.ok(kept > 20 && renewed > 20 && moved > 10, `${kept} indexes kept, ${renewed} made again (${moved} of them from the index of the chain they moved from)`);
  });

  it('a value is looked up under the key its aligned block is filed under (number keys below 2^53, BigInt past it)', function () {
    const rng = new Rng(0xb10c);
    const big = (bits: number) => BigInt(rng.int(0, 2 ** 30)) * (1n << BigInt(Math.max(0, bits - 30))) + BigInt(rng.int(0, 2 ** 30));
    for (let n = 0; n < 5000; n++) {
      const bits = rng.pick([0, 1, 3, 8, 16, 24, 31, 32, 40, 52, 53, 54, 64, 96, 127, rng.int(0, 128)]);
      const size = 1n << BigInt(bits);
      // starts spread over the whole 128-bit range and crowded around 2^53
      const around = rng.int(0, 1) === 0 ? (1n << 53n) + BigInt(rng.int(-3, 3)) * size : big(rng.int(0, 128));
      const start = ((around < 0n ? 0n : around) >> BigInt(bits)) << BigInt(bits);
      if (start + size - 1n >= 1n << 128n) continue;
      const block = alignedBlock(ISet.of(start, start + size - 1n));
      assert.ok(block, `block of 2^${bits} from ${start}`);
      assert.equal(block.bits, bits);
      const inside = [start, start + size - 1n, start + (big(bits) % size)];
      for (const v of inside) assert.equal(blockKey(v, bits), block.key, `2^${bits} from ${start}: ${v}`);
      const outside = [start - 1n, start + size].filter((v) => v >= 0n);
      for (const v of outside) assert.notEqual(blockKey(v, bits), block.key, `2^${bits} from ${start}: ${v} outside`);
    }
    // not blocks: a size that is not a power of two, an unaligned start, two ranges
    assert.equal(alignedBlock(ISet.of(0n, 2n)), undefined);
    assert.equal(alignedBlock(ISet.of(2n, 5n)), undefined);
    assert.equal(alignedBlock(ISet.fromRanges([[0n, 0n], [2n, 2n]])), undefined);
    assert.equal(alignedBlock(ISet.of((1n << 60n) + 4n, (1n << 60n) + 11n)), undefined);
  });
});
