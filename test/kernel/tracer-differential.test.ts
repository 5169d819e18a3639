/**
 * The packet tracer against the kernel, on random rulesets and packets (fast-check, fixed seed).
 *
 * Each generated case is a ruleset over raw, mangle, nat, filter and security (user chains,
 * jumps, goto, RETURN, policies, LOG, NOTRACK and CT --notrack, MARK, and only matches the tracer
 * can decide) and a dozen packets: TCP with any flags, UDP, ICMP of any type, most with no
 * conntrack entry (the tracer infers the state, `state: 'auto'`), some of a connection primed
 * first with real packets both ways (ESTABLISHED) or an ICMP error about one (RELATED), which the
 * tracer is told. Three cases in four send from A into B (PREROUTING, INPUT); the others send from
 * B itself to A (OUTPUT, POSTROUTING). The real iptables-restore loads the rules in B, the packet
 * goes out of a raw socket, and after each packet `iptables-save -c` says which rules and which
 * policies counted it; a sentinel at the end (security INPUT, or A's own counter for B's
 * packets) says whether it got through.
 *
 * For every pair whose trace has no undecidable rule, the rules the kernel counted must be the
 * rules the tracer marks matched, the policies the same, and the verdict the same. Undecidable
 * ('maybe') traces must stay under 5% of pairs.
 *
 * TRACER_PAIRS (default 1200; CI needs at least 1000) and TRACER_SEED change the run;
 * TRACER_REPROS (default 5) is how many disagreements are shrunk to a minimal repro.
 */
import { strict as assert } from 'node:assert';
import { IN_CI } from '../support/corpus';
import { type Family, restore, ruleCounters, useNamespacePair, waitUntil } from '../support/netns';
import { sendPackets } from '../support/packets';
import { parsePacketSpec } from '../../server/src/analysis/packet';
import { trace } from '../../server/src/analysis/tracer';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { fixedRuleset, type GenCase, generateCases, makeProbe } from '../support/tracer-gen';
import { checkCase, describeOutcome, minimise, prepareTracerPair, type ProbeOutcome } from '../support/tracer-kernel';

const PROBES_PER_CASE = 12;
const DEFAULT_PAIRS = 1200;
const PAIRS = Number(process.env.TRACER_PAIRS ?? DEFAULT_PAIRS);
const SEED = Number(process.env.TRACER_SEED ?? 0x7ace);
const REPROS = Number(process.env.TRACER_REPROS ?? 5);

describe('kernel: the tracer agrees with the kernel on random rulesets and packets', function () {
  const ctx = useNamespacePair({ tag: 'trdiff' });

  it(`${PAIRS} (ruleset, packet) pairs, seed ${SEED}: same matched rules, policies and verdict`, function () {
    this.timeout(900_000);
    if (IN_CI) assert.ok(PAIRS >= 1000, `CI runs at least 1000 pairs (TRACER_PAIRS=${PAIRS})`);
    const pair = ctx.pair;
    prepareTracerPair(pair);
    const t0 = Date.now();
    const cases = generateCases(SEED, Math.ceil(PAIRS / PROBES_PER_CASE), PROBES_PER_CASE);
    const outcomes: ProbeOutcome[] = [];
    for (const c of cases) {
      const probes = c.probes.slice(0, Math.max(0, PAIRS - outcomes.length));
      if (probes.length) outcomes.push(...checkCase(pair, c, probes));
    }
    const ran = Date.now() - t0;

    const maybe = outcomes.filter((o) => o.maybe);
    const strict = outcomes.filter((o) => !o.maybe);
    const bad = strict.filter((o) => o.differences.length);
    const byState = new Map<string, number>();
    for (const o of outcomes) {
      const k = o.probe.state === 'auto' ? `auto:${o.trace.ctstate}` : o.probe.state;
      byState.set(k, (byState.get(k) ?? 0) + 1);
    }
    const verdicts = new Map<string, number>();
    for (const o of strict) verdicts.set(String(o.trace.verdict), (verdicts.get(String(o.trace.verdict)) ?? 0) + 1);
    const output = outcomes.filter((o) => cases[o.caseIndex]!.mode === 'output').length;
    const legacy = outcomes.filter((o) => cases[o.caseIndex]!.backend === 'legacy').length;
    console.log(
      [
        `      pairs: ${outcomes.length} in ${cases.length} rulesets (${outcomes.length - output} into B via INPUT, ${output} from B via OUTPUT; ${outcomes.length - legacy} iptables-nft, ${legacy} iptables-legacy), ${(ran / 1000).toFixed(1)} s`,
        `      no-maybe pairs: ${strict.length}, agreeing with the kernel: ${strict.length - bad.length} (${((100 * (strict.length - bad.length)) / Math.max(1, strict.length)).toFixed(2)}%)`,
        `      maybe: ${maybe.length} (${((100 * maybe.length) / Math.max(1, outcomes.length)).toFixed(2)}%), the kernel took one of the traced branches in ${maybe.filter((o) => o.kernelBranch !== undefined).length}`,
        `      states: ${[...byState].map(([k, v]) => `${k} ${v}`).join(', ')}`,
        `      verdicts: ${[...verdicts].map(([k, v]) => `${k} ${v}`).join(', ')}`,
        `      disagreements: ${bad.length}`,
      ].join('\n'),
    );
    const repros: string[] = [];
    const seenCases = new Set<number>();
    for (const o of bad) {
      if (repros.length >= REPROS) break;
      if (seenCases.has(o.caseIndex)) continue;
      seenCases.add(o.caseIndex);
      const c = cases[o.caseIndex]!;
      const small = minimise(pair, c, o.probe);
      const [again] = checkCase(pair, small, [o.probe]);
      repros.push(describeOutcome(again && again.differences.length ? again : o, again && again.differences.length ? small : c));
    }
    if (repros.length) console.log(`\n      minimal repros:\n${repros.join('\n\n').replace(/^/gm, '      ')}\n`);
    assert.equal(bad.length, 0, `${bad.length} of ${strict.length} decidable pairs disagree with the kernel (repros above)`);
    assert.ok(maybe.length < 0.05 * outcomes.length, `${maybe.length} of ${outcomes.length} traces are 'maybe' (limit 5%)`);
    // a fork is only honest if what the kernel did is one of its branches
    const lost = maybe.filter((o) => o.kernelBranch === undefined && o.trace.branches.length < 16);
    assert.deepEqual(lost.map((o) => describeOutcome({ ...o, differences: ['no branch of the trace is what the kernel did'] }, cases[o.caseIndex]!)), []);
  });

  it('two port forms iptables-nft 1.8.9 mistranslates (so nft cases avoid them): on iptables-legacy the kernel agrees with the tracer', function () {
    const pair = ctx.pair;
    prepareTracerPair(pair);
    // `! --sport A ! --dport B` means sport != A and dport != B; `! --sport 0:65535` matches nothing
    const text = fixedRuleset('input', { mangle: { INPUT: ['-p tcp -m tcp ! --sport 53 ! --dport 22', '-p udp -m udp ! --sport 0:65535', '-p tcp -m tcp ! --dport 0:65535 --sport 53'] } });
    const wire = (proto: 'tcp' | 'udp', sport: number, dport: number) => ({ proto, src: '10.200.0.1', dst: '10.200.0.2', sport, dport, ttl: 64, tos: 0, ...(proto === 'tcp' ? { flags: 'ACK', seq: 1, ack: 1 } : {}) });
    const probes = [wire('tcp', 53, 3484), wire('tcp', 1000, 22), wire('tcp', 1000, 3484), wire('udp', 1000, 3484), wire('tcp', 53, 22)].map((w) => makeProbe('input', w));
    const base: Omit<GenCase, 'backend'> = { index: -1, mode: 'input', loose: true, text, probes };
    const legacy = checkCase(pair, { ...base, backend: 'legacy' });
    assert.deepEqual(legacy.flatMap((o) => o.differences.map((d) => `${o.probe.tuple}: ${d}`)), []);
    const nft = checkCase(pair, { ...base, backend: 'nft' }).filter((o) => o.differences.length);
    console.log(`      iptables-nft (this host) differs from legacy on ${nft.length} of ${probes.length} packets${nft.length ? `: ${nft.map((o) => o.probe.tuple).join('; ')}` : ' (fixed: the generator may use these forms on nft again)'}`);
  });

  it('ICMP and ICMPv6 of every kind, with no entry: the state the tracer infers is the kernel\'s', function () {
    const { a, b } = ctx.pair;
    const STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'];
    const kinds: Record<Family, number[]> = {
      // (not 255: `--icmp-type 255` is how iptables says `any`, so it cannot count type 255 alone)
      ipv4: [...Array.from({ length: 20 }, (_, i) => i), 30, 42, 254],
      ipv6: [1, 2, 3, 4, 100, 127, ...Array.from({ length: 17 }, (_, i) => 128 + i), 200, 255],
    };
    const wrong: string[] = [];
    for (const family of ['ipv4', 'ipv6'] as const) {
      const v6 = family === 'ipv6';
      const [src, dst] = v6 ? [a.ip6, b.ip6] : [a.ip4, b.ip4];
      const match = (t: number) => (v6 ? `-p icmpv6 -m icmp6 --icmpv6-type ${t}` : `-p icmp -m icmp --icmp-type ${t}`);
      const rules = ['*filter', ':INPUT ACCEPT [0:0]', ...kinds[family].flatMap((t) => STATES.map((st) => `-A INPUT -i vB ${match(t)} -m conntrack --ctstate ${st}`)), `-A INPUT -i vB ${v6 ? '-p icmpv6' : '-p icmp'} -j DROP`, 'COMMIT', ''].join('\n');
      const r = restore(b.ns, rules, { family });
      assert.ok(r.ok, r.stderr);
      // an error carries the head of a packet of a flow nobody knows; requests carry an id
      sendPackets(
        a,
        kinds[family].map((t, i) => ({ proto: v6 ? ('icmpv6' as const) : ('icmp' as const), dst, icmpType: t, icmpCode: 0, icmpId: 7000 + i, icmpRestHex: `${(7000 + i).toString(16).padStart(4, '0')}0001`, payloadHex: '00'.repeat(28) })),
      );
      const dropped = () => ruleCounters(b.ns, { family, table: 'filter' }).filter((c) => c.chain === 'INPUT').at(-1)!.packets;
      assert.ok(waitUntil(() => dropped() >= kinds[family].length), `${family}: only ${dropped()} of ${kinds[family].length} ICMP messages arrived`);
      const counters = ruleCounters(b.ns, { family, table: 'filter' }).filter((c) => c.chain === 'INPUT');
      const rs = parseRuleset('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', { family });
      kinds[family].forEach((t, i) => {
        const kernel = STATES.filter((_, k) => counters[i * STATES.length + k]!.packets > 0).join('+') || 'none';
        const p = parsePacketSpec(`${v6 ? 'icmpv6' : 'icmp'} ${v6 ? `${src}` : src} -> ${dst} type ${t} in vB`);
        assert.ok(!('error' in p), JSON.stringify(p));
        const ours = trace(rs, p, { state: 'auto' }).ctstate;
        if (ours !== kernel) wrong.push(`${family} type ${t}: kernel ${kernel}, tracer ${ours}`);
      });
      restore(b.ns, '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', { family });
    }
    assert.deepEqual(wrong, []);
  });
});
