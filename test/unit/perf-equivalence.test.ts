/**
 * Performance rewrites must not change behaviour: each optimised routine is compared here with
 * the straightforward version it replaced (kept below as the reference), on random inputs.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { editOneLine } from '../../bench/gen/rulesets';
import { checkShadowed } from '../../server/src/analysis/checks/shadowed';
import { lineRef, statedPolicy, verdictKey } from '../../server/src/analysis/checks/rule-facts';
import { analysisContext, TAKEN_ONLY, TCP_START } from '../../server/src/analysis/context';
import { type Hook, HOOKS } from '../../server/src/knowledge/types';
import { type Condition, compileRule, conditionFor } from '../../server/src/analysis/rule-space';
import { Box, boxGet, cutAlongOneDim, cutRunStats, DIMS, type Dim, domain, ifaceSet, ifaceValue, ISet, MIN_RUN, mergeBoxes, mergeStats, rangeKey, Space, type SpaceEnv } from '../../server/src/analysis/packet-space';
import { reach, setWalkBudget, verdictKind } from '../../server/src/analysis/reach';
import type { Finding, Rule, Ruleset, Table, Word } from '../../server/src/model/ruleset';
import { tokenizeLine, WordPool } from '../../server/src/parser/tokenizer';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { parseIPv4, parseIPv6, parseUintIn } from '../../server/src/knowledge/argtypes';
import { groupedDigits } from '../../server/src/knowledge/describe-values';
import { allFindings } from '../../server/src/analysis/all-checks';
import { CodedFinding, docsLink } from '../../server/src/analysis/codes';
import { diagnose } from '../../server/src/service/diagnostics';
import { createRulesDocument } from '../../server/src/service/document';
import { sampleRulesets } from '../support/ruleset-gen';
import { readCases } from '../support/iptables-t';
import { ChunkedArray } from '../../server/src/model/chunked-array';

/** The rules a message names: at most eight by line, the others counted. */
function describe_(rules: readonly Rule[]): string {
  const more = rules.length - 8;
  return rules.slice(0, 8).map((r) => lineRef(r)).join(', ') + (more > 0 ? ` and ${groupedDigits(more)} more ${more === 1 ? 'rule' : 'rules'}` : '');
}

/** The shadowed-rule check as first written (every earlier rule, every later rule): the reference. */
function referenceShadowed(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  for (const table of rs.tables.values()) {
    for (const chain of table.chains.values()) {
      const earlier: Rule[] = [];
      let covered = Space.NONE;
      let unconditional: Rule | undefined;
      chain.rules.forEach((r, i) => {
        const rsp = ctx.compiled.get(r);
        if (!rsp) return;
        if (unconditional) {
          out.push({
            code: 'unreachable-rule',
            severity: 'warning',
            message: `no packet reaches this rule: ${lineRef(unconditional)} (${unconditional.target?.name}) takes every packet before it`,
            span: r.span,
            tags: ['unnecessary'],
            related: [{ span: unconditional.span, message: 'this rule takes every packet' }],
          });
          return;
        }
        const key = verdictKey(r);
        const terminal = key !== undefined && verdictKind(r) !== 'jump';
        if (rsp.exact && !rsp.space.empty && !covered.empty && !covered.approximate && covered.covers(ctx.env, rsp.space)) {
          // the rules that take its packets: each in turn takes what meets it of what the ones
          // before it left (a rule that meets it only where they already decided is not named)
          const by: Rule[] = [];
          let left = rsp.space;
          for (const e of earlier) {
            if (left.empty) break;
            const esp = ctx.compiled.get(e)!.space;
            if (esp.intersect(ctx.env, left).empty) continue;
            by.push(e);
            left = left.subtract(ctx.env, esp);
          }
          const same = by.every((e) => verdictKey(e) === key);
          out.push({
            code: same ? 'redundant-rule' : 'shadowed-rule',
            severity: same ? 'information' : 'warning',
            message: same
              ? `this rule changes nothing: every packet it matches is already handled the same way by ${describe_(by)}`
              : `this rule never takes effect: every packet it matches is already decided by ${describe_(by)}`,
            span: r.span,
            tags: ['unnecessary'],
            related: by.slice(0, 8).map((e) => ({ span: e.span, message: `decides these packets first (${e.target?.name ?? 'no target'})` })),
          });
        } else if (terminal && rsp.exact && key && rsp.conditions.length > 0) {
          // (an unconditional final DROP that repeats the policy is a deliberate style: not flagged)
          const redundantBelow = sameEffectBelow(rs, chain.rules.slice(i + 1), rsp.space, key, statedPolicy(chain));
          if (redundantBelow) {
            out.push({
              code: 'redundant-rule',
              severity: 'information',
              message: `this rule changes nothing: without it, every packet it matches would get the same verdict from ${redundantBelow}`,
              span: r.span,
              tags: ['unnecessary'],
            });
          }
        }
        if (terminal && rsp.exact) {
          covered = covered.union(rsp.space);
          earlier.push(r);
          if (rsp.conditions.length === 0) unconditional = r;
        }
      });
    }
  }
  return out;

  /** Would the packets of `space` get verdict `key` from `rest` (then the policy) anyway? */
  function sameEffectBelow(rs0: Ruleset, rest: readonly Rule[], space: Space, key: string, policy: string | undefined): string | undefined {
    const env = analysisContext(rs0).env;
    let s = space;
    const used: Rule[] = [];
    for (const r of rest) {
      if (s.empty) break;
      const rsp = analysisContext(rs0).compiled.get(r);
      if (!rsp) return undefined;
      const hit = s.intersect(env, rsp.space);
      if (hit.empty) continue;
      if (!rsp.exact || verdictKey(r) !== key) return undefined; // someone else would see or decide them
      s = s.subtract(env, rsp.space);
      used.push(r);
      if (s.approximate) return undefined;
    }
    if (s.empty) return describe_(used);
    if (policy && key === policy) return used.length ? `${describe_(used)} and the ${policy} policy` : `the ${policy} policy`;
    return undefined;
  }
}


/** The tokenizer as first written: one character at a time. */
function referenceTokenize(text: string, from = 0, to = text.length): { words: Word[]; unterminatedQuote?: number } {
  const words: Word[] = [];
  let value = '';
  let start = -1;
  let quoted = false;
  let inQuote = false;
  let quoteAt = -1;
  let escaped = false;
  const emit = (end: number) => {
    words.push({ text: value, start, end, quoted });
    value = '';
    start = -1;
    quoted = false;
  };
  for (let i = from; i < to; i++) {
    const c = text[i]!;
    if (inQuote) {
      if (escaped) {
        value += c;
        escaped = false;
      } else if (c === '\\') escaped = true;
      else if (c === '"') {
        inQuote = false;
        emit(i + 1);
      } else value += c;
      continue;
    }
    if (c === '"') {
      if (start < 0) start = i;
      inQuote = true;
      quoted = true;
      quoteAt = i;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (start >= 0) emit(i);
      continue;
    }
    if (start < 0) start = i;
    value += c;
  }
  if (start >= 0) emit(to);
  return inQuote ? { words, unterminatedQuote: quoteAt } : { words };
}

describe('performance rewrites keep behaviour', () => {
  it('tokenizeLine (slices) splits every line exactly as the character-at-a-time version', () => {
    const alphabet = fc.constantFrom('a', 'B', '-', '!', ' ', ' ', '\t', '"', '"', '\\', '\r', 'é', '=', ',');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join('')), fc.nat(5), (text, cut) => {
        const from = Math.min(cut, text.length);
        assert.deepEqual(tokenizeLine(text, from), referenceTokenize(text, from));
      }),
      { numRuns: 5000 },
    );
    // with a pool of shared words (texts and words looked up by the hash computed while scanning):
    // the same words, one string per distinct text and one object per distinct word (text, place,
    // quoting) across many lines (small tables that have to grow several times), and never one
    // object twice in a line
    const pool = new WordPool();
    const byText = new Map<string, string>();
    const byWord = new Map<string, Word>();
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'B', '-', ' ', ' ', '"', '\\', 'x', '1', '2', '3', '4', 'é'), { maxLength: 80 }).map((cs) => cs.join('')), (text) => {
        const got = tokenizeLine(text, 0, text.length, pool);
        // (a pool's words are objects of a class of their own: compared by their fields)
        assert.deepEqual({ ...got, words: got.words.map((w) => ({ ...w })) }, referenceTokenize(text, 0));
        for (const w of got.words) {
          const had = byText.get(w.text);
          if (had === undefined) byText.set(w.text, w.text);
          else assert.ok(Object.is(had, w.text) && had === w.text, w.text);
          const key = JSON.stringify([w.text, w.start, w.end, w.quoted]);
          const same = byWord.get(key);
          if (same === undefined) byWord.set(key, w);
          else assert.equal(same, w, key);
        }
        assert.equal(new Set(got.words).size, got.words.length);
      }),
      { numRuns: 5000 },
    );
    // texts longer than the shared limit and quoted words: equal ones are still one word
    const long = 'x'.repeat(100);
    const a = tokenizeLine(`-A ${long} "${long}"`, 0, undefined, pool).words;
    const b = tokenizeLine(`-A ${long} "${long}"`, 0, undefined, pool).words;
    assert.deepEqual(a, b);
    for (let k = 0; k < a.length; k++) assert.equal(a[k], b[k]);
    assert.notEqual(a[1], a[2]);
    assert.equal(a[2]!.quoted, true);
    for (const t of ['-A INPUT -m comment --comment "a \\"quoted\\" word" -j ACCEPT', 'ab"c d"ef', '"" x', '"unterminated \\', 'x"y\\']) {
      assert.deepEqual(tokenizeLine(t), referenceTokenize(t), t);
    }
  });

  it('options with the same single value at the same place share one frozen value list', () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j DROP\n-A INPUT -p udp --dport 22 -j ACCEPT\nCOMMIT\n';
    const [a, b, c] = parseRuleset(text).rules;
    const opt = (r: Rule | undefined, name: string) => r!.options.find((o) => o.name === name)!;
    assert.equal(opt(a, '--dport').args, opt(b, '--dport').args);
    assert.equal(opt(a, '-p').args, opt(b, '-p').args);
    assert.notEqual(opt(a, '-p').args, opt(c, '-p').args);
    assert.equal(opt(a, '-j').args[0]!.text, 'ACCEPT');
    assert.notEqual(opt(a, '-j').args, opt(b, '-j').args);
    assert.ok(Object.isFrozen(opt(a, '--dport').args));
    assert.deepEqual(opt(c, '-p').args.map((w) => w.text), ['udp']);
    // the pool's list of one word: the same list each time it is asked, for a word it made (which
    // holds its list) and for one it did not (a value cut from `--dport=22`, kept in a map)
    const pool = new WordPool();
    const [made] = tokenizeLine('-j', 0, undefined, pool).words;
    const cut: Word = { text: '22', start: 8, end: 10, quoted: false };
    for (const w of [made!, cut]) {
      const l = pool.one(w);
      assert.equal(pool.one(w), l);
      assert.deepEqual([...l], [w]);
      assert.equal(l[0], w);
    }
    assert.deepEqual({ ...made }, { text: '-j', start: 0, end: 2, quoted: false }, 'a pooled word reads as its four fields');
  });

  it('options and matches with the same words at the same places are one frozen node; negated ones are not', () => {
    const text = [
      '*nat', ':PREROUTING ACCEPT [0:0]',
      '-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:80',
      '-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:80',
      '-A PREROUTING ! -p tcp -m tcp ! --dport 80 -j DNAT --to-destination 10.0.0.2:80',
      '-A PREROUTING -p udp -j DNAT --to-destination=10.0.0.1:80',
      '-A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination 10.0.0.1:80',
      'COMMIT', '',
    ].join('\n');
    const [a, b, c, d, e] = parseRuleset(text).rules;
    const opt = (r: Rule | undefined, name: string) => r!.options.find((o) => o.name === name)!;
    for (const name of ['-p', '-j', '--to-destination', '--dport']) {
      assert.equal(opt(a, name), opt(b, name), name);
      assert.ok(Object.isFrozen(opt(a, name)), name);
    }
    assert.equal(opt(a, '--to-destination').owner, 'target');
    assert.equal(a!.target!.options[0], opt(a, '--to-destination'));
    // the match is shared with its options, and they point to it
    assert.equal(a!.matches[0], b!.matches[0]);
    assert.ok(Object.isFrozen(a!.matches[0]) && Object.isFrozen(a!.matches[0]!.options));
    assert.equal(opt(b, '--dport').match, b!.matches[0]);
    assert.equal(b!.matches[0]!.options[0], opt(b, '--dport'));
    // the options of a rule stay in the order they were written
    assert.deepEqual(b!.options.map((o) => o.name), ['-p', '--dport', '-j', '--to-destination']);
    // negated, another value, an inline value: each its own
    assert.ok(opt(c, '-p').negated && opt(c, '--dport').negated);
    assert.notEqual(opt(c, '-p'), opt(a, '-p'));
    assert.notEqual(c!.matches[0], a!.matches[0]);
    assert.ok(!Object.isFrozen(c!.matches[0]));
    assert.equal(opt(c, '--dport').match, c!.matches[0]);
    assert.notEqual(opt(c, '--to-destination'), opt(a, '--to-destination'));
    assert.notEqual(e!.matches[0], a!.matches[0]);
    assert.deepEqual(opt(e, '--dport').args.map((w) => w.text), ['81']);
    assert.equal(opt(e, '--dport').match, e!.matches[0]);
    assert.notEqual(opt(d, '--to-destination'), opt(a, '--to-destination'));
    assert.deepEqual(opt(d, '--to-destination').args.map((w) => w.text), ['10.0.0.1:80']);
    // the target with its options, and the command
    assert.equal(a!.target, b!.target);
    assert.equal(b!.target!.options[0], opt(b, '--to-destination'));
    assert.notEqual(c!.target, a!.target);
    assert.notEqual(d!.target, a!.target);
    assert.equal(e!.target, a!.target, "the same target at the same place, whatever the matches before it");
    assert.equal(a!.command, e!.command);
    assert.ok(Object.isFrozen(a!.target) && Object.isFrozen(a!.command) && !Object.isFrozen(d!.target));
    const inserted = parseRuleset('*filter\n:C - [0:0]\n-I C 1 -j DROP\n-I C 1 -j DROP\n-I C 2 -j DROP\n-I C -j DROP\nCOMMIT\n').rules;
    assert.equal(inserted[0]!.command, inserted[1]!.command);
    assert.notEqual(inserted[1]!.command, inserted[2]!.command);
    assert.deepEqual(inserted.map((r) => r.command.extra.map((w) => w.text)), [['1'], ['1'], ['2'], []]);
    // the same option at another place of its line is another node (its spans differ)
    assert.notEqual(opt(d, '-j'), opt(a, '-j'));
    // the same options at the same places, but the match's own word elsewhere: not the same match
    const moved = parseRuleset('*filter\n:C - [0:0]\n-A C -s 10.1.1.1 -p tcp --dport 80 -j DROP\n-A C -p tcp -s 10.1.1.1 --dport 80 -j DROP\n-A C -m  tcp --dport 80 -j DROP\n-A C -m tcp  --dport 80 -j DROP\nCOMMIT\n').rules;
    for (const [x, y] of [[moved[0]!, moved[1]!], [moved[2]!, moved[3]!]] as const) {
      assert.equal(opt(x, '--dport').word.start, opt(y, '--dport').word.start);
      assert.notEqual(x.matches[0], y.matches[0]);
      assert.notEqual(x.matches[0]!.nameWord.start, y.matches[0]!.nameWord.start);
    }
    assert.equal(opt(d, '-j').word.start, text.split('\n')[5]!.indexOf('-j'));
  });
});

/** Findings in a canonical order with their own text (line, column, code, message, related lines). */
function canon(fs: readonly Finding[]): string[] {
  return fs
    .map((f) => `${f.span.line}:${f.span.start}-${f.span.end} ${f.code} ${f.severity} ${f.message} [${(f.related ?? []).map((r) => `${r.span.line}:${r.message}`).join('; ')}] ${JSON.stringify(f.data ?? null)} ${(f.tags ?? []).join(',')}`)
    .sort();
}

/** The parsed file as text: every node with its words and ranges, every chain with its rules (knowledge entries by name). */
function shape(rs: Ruleset): string {
  // each line printed on its own: one word object may stand in many lines (the same word at the
  // same place), so a set of what was printed kept across lines would print it on the first only
  let seen = new WeakSet<object>();
  const replacer = (k: string, v: unknown) => {
    if (k === 'spec' || k === 'block') return v && typeof v === 'object' ? ((v as { name?: string }).name ?? '*') : v;
    if (k === 'match' && v && typeof v === 'object') return (v as { name: string }).name;
    if (v && typeof v === 'object') {
      if (seen.has(v)) return undefined;
      if (!Array.isArray(v) && !(v instanceof Map)) seen.add(v);
    }
    if (v instanceof Map) return [...v.entries()];
    return v;
  };
  const tables = [...rs.tables.values()].map((t) => ({ name: t.name, chains: [...t.chains.values()].map((c) => ({ name: c.name, policy: c.policy, rules: c.rules.map((r) => r.line), refs: c.references.map((r) => r.line), decl: c.declarations.map((d) => d.line) })) }));
  return JSON.stringify({ family: rs.family, format: rs.format, lines: rs.lines.toArray().map((n) => ((seen = new WeakSet<object>()), JSON.stringify(n, replacer))), tables });
}

/** Small rulesets of every kind the bench uses, plus the generated ones of the check tests. */
function corpus(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const kind of ['kube', 'docker', 'firewall'] as const) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      for (const rules of [60, 400]) out.push({ name: `${kind}-${family}-${rules}`, text: generateRuleset({ kind, family, rules, seed: rules * 7 }).text });
    }
  }
  sampleRulesets(20260521, 40).forEach((g, i) => out.push({ name: `generated-${i}`, text: g.text }));
  return out;
}

describe('performance rewrites keep behaviour: addresses', () => {
  it('parseIPv4 reads a plain dotted quad (the fast path) as before, and still reads the other forms', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), (b) => {
        assert.equal(parseIPv4(b.join('.')), ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
      }),
      { numRuns: 2000 },
    );
    // forms the fast path leaves to the long way: octal and hex parts, short forms, junk
    assert.equal(parseIPv4('010.0.0.1'), (8 << 24) + 1);
    assert.equal(parseIPv4('0x0a.0.0.1'), (10 << 24) + 1);
    assert.equal(parseIPv4('10.1'), ((10 << 24) | (1 << 16)) >>> 0);
    assert.equal(parseIPv4('256.0.0.1'), undefined);
    assert.equal(parseIPv4('1.2.3.4.5'), undefined);
    assert.equal(parseIPv4('1..2.3'), undefined);
    assert.equal(parseIPv4('1.2.3.'), undefined);
  });
});

/** An `-s`/`-d` address as first read (every item split, each interval with BigInt arithmetic): the reference. */
function referenceAddressSpace(env: SpaceEnv, d: 'src' | 'dst', text: string, negated: boolean): Space | undefined {
  const bits = env.family === 'ipv4' ? 32 : 128;
  const ranges: [bigint, bigint][] = [];
  for (const item of text.split(',')) {
    const [addr = '', mask] = item.split('/');
    let value: bigint;
    if (env.family === 'ipv4') {
      const v = parseIPv4(addr);
      if (v === undefined) return undefined;
      value = BigInt(v);
    } else {
      const g = parseIPv6(addr);
      if (!g) return undefined;
      value = g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n);
    }
    let prefix = bits;
    if (mask !== undefined) {
      if (mask.includes('.') || mask.includes(':')) {
        const m = env.family === 'ipv4' ? parseIPv4(mask) : undefined;
        if (m === undefined) return undefined;
        const inv = ~m >>> 0;
        if ((inv & (inv + 1)) !== 0) return undefined;
        prefix = 32 - Math.log2(inv + 1);
      } else {
        const p = parseUintIn(mask, 0, bits);
        if (p === undefined) return undefined;
        prefix = p;
      }
    }
    const host = (1n << BigInt(bits - prefix)) - 1n;
    const net = value & ~host & ((1n << BigInt(bits)) - 1n);
    ranges.push([net, net | host]);
  }
  const [lo, hi] = domain(env, d);
  const s = ISet.fromRanges(ranges);
  return Space.box(Box.of(d, negated ? s.complement(lo, hi) : s.intersect(ISet.of(lo, hi))));
}

describe('performance rewrites keep behaviour: address conditions', () => {
  it('an address or network compiles to the space of the first reading (one IPv4 address in plain numbers, lists and IPv6 as before)', () => {
    const rng = new Rng(0xadd2);
    const v4 = () => (rng.int(0, 9) === 0 ? rng.pick(['10.1', '127.1', '0x0a.0.0.1', '010.0.0.1', '1.2.3', 'example.org', '256.1.1.1', '']) : [0, 0, 0, 0].map(() => rng.int(0, 255)).join('.'));
    const mask = () => rng.pick(['', '', `/${rng.int(0, 32)}`, `/${rng.int(0, 32)}`, '/33', '/08', '/0', '/', '/255.255.0.0', '/255.0.255.0', '/8/9', '/x']);
    const v6 = () => rng.pick(['2001:db8::1', '::', '::1', 'fe80::1:2', '2001:db8:1:2::']) + rng.pick(['', `/${rng.int(0, 128)}`, '/129', '/64']);
    let compared = 0;
    let spaces = 0;
    for (let i = 0; i < 3000; i++) {
      const family = rng.int(0, 4) === 0 ? 'ipv6' : 'ipv4';
      const item = () => (family === 'ipv4' ? v4() + mask() : v6());
      const text = rng.int(0, 5) === 0 ? [item(), item()].join(',') : item();
      const negated = rng.int(0, 3) === 0;
      const flag = rng.pick(['-s', '-d'] as const);
      const line = `-A C ${negated ? '! ' : ''}${flag} ${text} -j DROP`;
      const rs = parseRuleset(`*filter\n:C - [0:0]\n${line}\nCOMMIT\n`, { family, familySource: 'setting' });
      const o = rs.rules[0]?.options.find((x) => x.name === flag);
      if (!o || o.args[0]?.text !== text) continue;
      const env: SpaceEnv = { family };
      const want = referenceAddressSpace(env, flag === '-s' ? 'src' : 'dst', text, negated);
      const got = conditionFor(env, o)?.space;
      assert.equal(got === undefined, want === undefined, `${family} ${line}: read as an interval or not`);
      if (got && want) {
        assert.ok(got.sameAs(want), `${family} ${line}`);
        spaces++;
      }
      compared++;
    }
    assert.ok(compared > 2500 && spaces > 1500, `${compared} compared, ${spaces} with a space`);
  });
});

describe('performance rewrites keep behaviour: interfaces', () => {
  // the kernel's rule (ip_tables.c ip_packet_match, the mask iptables builds in xtables.c
  // xtables_parse_interface): `name+` matches every interface whose name starts with name, a name
  // without `+` matches that name only, and `+` matches every interface and none
  const kernelMatches = (pattern: string, name: string) => (pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern);
  const names = fc.stringMatching(/^(br-[0-9a-f]{0,3}|eth[0-9]{0,2}|wg|veth[0-9a-f]{0,2}|lo|l|\u00e9th[0-9])?\+?$/);

  it('an interface name is in the set of a pattern exactly when the kernel matches it, whatever other names a ruleset uses', () => {
    fc.assert(
      fc.property(names, names, (pattern, name) => {
        if (name.endsWith('+')) name = name.slice(0, -1);
        assert.equal(ifaceSet(pattern).has(ifaceValue(name)), kernelMatches(pattern, name), `${pattern} ~ ${name}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('an interface name is its UTF-8 bytes, first byte highest, padded with zero bytes to 16', () => {
    const bytes = (...b: number[]) => b.concat(Array(16 - b.length).fill(0)).reduce((v, x) => (v << 8n) | BigInt(x), 0n);
    assert.equal(ifaceValue('eth0'), bytes(0x65, 0x74, 0x68, 0x30));
    assert.equal(ifaceValue('\u00e9th'), bytes(0xc3, 0xa9, 0x74, 0x68));
    assert.equal(ifaceValue('br-0123456789abcdef'), bytes(...Array.from('br-0123456789abc', (c) => c.charCodeAt(0))));
  });

  it('no interface is 0, in the set of no name but in that of `+`; names of 15 bytes and prefixes stay inside the dimension', () => {
    assert.equal(ifaceValue(''), 0n);
    assert.ok(ifaceSet('+').has(0n));
    assert.ok(!ifaceSet('eth+').has(0n));
    assert.ok(!ifaceSet('eth0').has(0n));
    const [lo, hi] = domain({ family: 'ipv4' }, 'iif');
    for (const p of ['+', 'a+', 'abcdefghijklmno', 'abcdefghijklmn+', '\u00ff\u00ff+']) {
      for (const [a, b] of ifaceSet(p).ranges) assert.ok(a >= lo && b <= hi, p);
    }
    assert.deepEqual(ifaceSet('+').ranges, [[lo, hi]]);
  });
});

describe('performance rewrites keep behaviour: analysis', function () {
  this.timeout(300_000);
  const files = corpus();

  it('shadowed/redundant/unreachable (indexed) give what the every-rule version gives', () => {
    for (const f of files) {
      const rs = createRulesDocument(`file:///${f.name}.rules`, 1, f.text).ruleset;
      assert.deepEqual(canon(checkShadowed(rs)), canon(referenceShadowed(rs)), f.name);
    }
  });

  it('shadowed/redundant (indexed, runs of rules cutting along one dimension cut at once) give what the every-rule version gives on Docker-like nat chains', () => {
    // a RETURN for each bridge (now and then twice, or for a prefix of bridges), DNAT rules of
    // ports published once or twice (the second decided by the RETURN rules and the first), and
    // rules that cut along another dimension among them
    const rng = new Rng(20261124);
    let found = 0;
    for (let n = 0; n < 12; n++) {
      const lines = ['*nat', ':PREROUTING ACCEPT [0:0]', ':DOCKER - [0:0]', '-A PREROUTING -j DOCKER'];
      const bridges = rng.int(10, 60);
      for (let b = 0; b < bridges; b++) {
        lines.push(`-A DOCKER -i br${b} -j RETURN`);
        if (rng.chance(0.05)) lines.push(`-A DOCKER -i br${rng.int(0, b)} -j RETURN`);
        if (rng.chance(0.03)) lines.push(`-A DOCKER -i br${b}+ -j RETURN`);
        if (rng.chance(0.03)) lines.push(`-A DOCKER -p udp --dport ${rng.int(1, 9)} -j RETURN`);
      }
      for (let k = 0; k < 30; k++) {
        const port = 2000 + rng.int(0, 20);
        lines.push(`-A DOCKER ! -i br${rng.int(0, bridges - 1)} -p tcp -m tcp --dport ${port} -j DNAT --to-destination 172.18.0.${k}:80`);
        if (rng.chance(0.1)) lines.push(`-A DOCKER -i br${rng.int(0, bridges + 5)} -j RETURN`);
      }
      lines.push('COMMIT', '');
      const rs = createRulesDocument(`file:///nat${n}.rules`, 1, lines.join('\n')).ruleset;
      const got = checkShadowed(rs);
      assert.deepEqual(canon(got), canon(referenceShadowed(rs)), `ruleset ${n}`);
      found += got.filter((f) => /more rules/.test(f.message)).length;
    }
    assert.ok(found > 20, `${found} findings naming more than eight rules`);
  });

  it('shadowed/redundant (runs of rules alike but for one dimension cut at once) give what the every-rule version gives on Docker-like FORWARD chains', () => {
    // per bridge: an accept of replies to it, a jump, an accept out of it and one within it, now and
    // then a copy of one of them (the copy of an accept out of a bridge is decided by the replies
    // to every other bridge above it and by the accept it copies), and rules that cut along
    // another dimension among them
    const rng = new Rng(20261125);
    let found = 0;
    const alike = cutRunStats.alike;
    for (let n = 0; n < 12; n++) {
      const lines = ['*filter', ':FORWARD DROP [0:0]', ':DOCKER - [0:0]'];
      const bridges = rng.int(10, 60);
      for (let b = 0; b < bridges; b++) {
        lines.push(`-A FORWARD -o br${b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`, `-A FORWARD -o br${b} -j DOCKER`);
        const out = `-A FORWARD -i br${b} ! -o br${b} -j ACCEPT`;
        lines.push(out);
        if (rng.chance(0.15)) lines.push(`${out} -m comment --comment copy`);
        lines.push(`-A FORWARD -i br${b} -o br${b} -j ACCEPT`);
        if (rng.chance(0.05)) lines.push(`-A FORWARD -o br${rng.int(0, b)} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
        if (rng.chance(0.05)) lines.push(`-A FORWARD -o br${b} -m conntrack --ctstate ESTABLISHED -j ACCEPT`);
        if (rng.chance(0.03)) lines.push(`-A FORWARD -o br${b}+ -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
        if (rng.chance(0.03)) lines.push(`-A FORWARD -p udp --dport ${rng.int(1, 9)} -j DROP`);
      }
      lines.push(`-A FORWARD -i br${rng.int(0, bridges - 1)} ! -o br${rng.int(0, bridges - 1)} -j ACCEPT`, 'COMMIT', '');
      const rs = createRulesDocument(`file:///forward${n}.rules`, 1, lines.join('\n')).ruleset;
      const got = checkShadowed(rs);
      assert.deepEqual(canon(got), canon(referenceShadowed(rs)), `ruleset ${n}`);
      found += got.filter((f) => /more rules/.test(f.message)).length;
    }
    assert.ok(found > 10, `${found} findings naming more than eight rules`);
    assert.ok(cutRunStats.alike - alike > 10, `${cutRunStats.alike - alike} runs of replies to other bridges cut at once`);
  });

  /** Each built-in chain of the corpus's rulesets and of 40 generated ones (drawn with `seed`), with its version's analysis. */
  const eachHook = (seed: number, visit: (ctx: ReturnType<typeof analysisContext>, table: Table, hook: Hook, n: number) => void) => {
    const sets = [...files.map((f) => f.text), ...sampleRulesets(seed, 40).map((g) => g.text)];
    sets.forEach((text, n) => {
      const rs = createRulesDocument(`file:///walk${seed}-${n}.rules`, 1, text).ruleset;
      const ctx = analysisContext(rs);
      for (const table of rs.tables.values()) for (const hook of HOOKS) if (table.chains.get(hook)?.builtin) visit(ctx, table, hook, n);
    });
  };

  it('a walk of every TCP packet gives each rule what the walk of every packet gives it, cut to TCP', () => {
    const tcp = ISet.point(6n);
    let compared = 0;
    eachHook(71, (ctx, table, hook, n) => {
      const all = ctx.reach(table.name, hook, Space.ALL, 'all', TAKEN_ONLY)!;
      const onlyTcp = ctx.reach(table.name, hook, TCP_START.space, TCP_START.key, TAKEN_ONLY)!;
      // (walks cut short or sets capped at their size limit are over-approximations: not compared)
      if (!all.complete || !onlyTcp.complete) return;
      for (const r of new Set([...all.taken.keys(), ...onlyTcp.taken.keys()])) {
        const want = (all.taken.get(r) ?? Space.NONE).restrict(ctx.env, 'proto', tcp);
        const got = onlyTcp.taken.get(r) ?? Space.NONE;
        if (want.approximate || got.approximate) continue;
        const where = `${table.name} ${hook} line ${r.line + 1} of set ${n}`;
        assert.ok(want.subtract(ctx.env, got).empty && got.subtract(ctx.env, want).empty, where);
        compared++;
      }
    });
    assert.ok(compared > 2000, `${compared} rules compared`);
  });

  it('a walk that records what only some rules take gives those rules what a walk recording every rule gives them, and the same walk otherwise', () => {
    const isAccept = (r: Rule) => r.target?.name === 'ACCEPT';
    const rng = new Rng(20261123);
    let compared = 0;
    let left = 0;
    eachHook(73, (ctx, table, hook, n) => {
      // (ACCEPT rules, as the baseline check asks, or every third rule by line; with a small
      // limit now and then, so that both walks stop at the same rule)
      const takes = rng.chance(0.5) ? isAccept : (r: Rule) => r.line % 3 === 0;
      const stop = rng.chance(0.3) ? (r: Rule, took: Space) => isAccept(r) && !took.empty : undefined;
      setWalkBudget(rng.chance(0.3) ? rng.int(5, 400) : undefined);
      const all = reach(ctx.env, ctx.compiled, table, hook, Space.ALL, () => false, stop);
      const some = reach(ctx.env, ctx.compiled, table, hook, Space.ALL, () => false, stop, takes);
      setWalkBudget(undefined);
      const where = `${table.name} ${hook} of set ${n}`;
      assert.equal(some.complete, all.complete, where);
      assert.deepEqual([...some.chains], [...all.chains], where);
      assert.deepEqual([...some.read], [...all.read], where);
      assert.ok(some.toPolicy.sameAs(all.toPolicy), where);
      const want = [...all.taken].filter(([r]) => takes(r));
      const got = [...some.taken];
      assert.deepEqual(got.map(([r]) => r.line), want.map(([r]) => r.line), `${where}: the rules recorded`);
      got.forEach(([r, t], i) => assert.ok(t.sameAs(want[i]![1]), `${where}: line ${r.line + 1}`));
      compared += got.length;
      left += all.taken.size - got.length;
      // (and a check's walk asks the same through its Keep)
      const kept = ctx.reach(table.name, hook, Space.ALL, 'takes', { name: `takes-${n}`, test: () => false, takes });
      assert.ok([...(kept?.taken.keys() ?? [])].every(takes), `${where}: through the context`);
    });
    assert.ok(compared > 500 && left > 1000, `${compared} rules compared, ${left} left out`);
  });

  it('a rule\'s space built box by box from its conditions is the pairwise intersection from the whole space', () => {
    const text = (sp: Space) => `${sp.approximate ? '~' : ''}${sp.boxes.map((b) => [...b].map(([d, set]) => `${d}:${set.ranges.map(([lo, hi]) => `${lo}-${hi}`).join(',')}`).join(';')).join('|')}`;
    let rules = 0;
    for (const f of files) {
      const rs = createRulesDocument(`file:///${f.name}.rules`, 1, f.text).ruleset;
      const ctx = analysisContext(rs);
      for (const r of rs.rules) {
        const rsp = ctx.compiled.get(r);
        if (!rsp) continue;
        let want = Space.ALL;
        for (const c of rsp.conditions) if (c.space) want = want.intersect(ctx.env, c.space);
        assert.equal(text(rsp.space), text(want), `${f.name} line ${r.line + 1}`);
        rules++;
      }
    }
    assert.ok(rules > 1000, `${rules} rules compared`);
  });

  it('conditions that share a body with an equal option read as those worked out for the option alone', () => {
    const text = (sp: Space | undefined) => (sp ? `${sp.approximate ? '~' : ''}${sp.boxes.map((b) => [...b].map(([d, set]) => `${d}:${set.ranges.map(([lo, hi]) => `${lo}-${hi}`).join(',')}`).join(';')).join('|')}` : '-');
    const view = (c: Condition) => [c.option?.name, c.match?.name, c.describe, text(c.space), c.opaque ?? '', c.assumeMatch ?? false, text(c.unknown), typeof c.holds];
    // options alike but for their negation, module, or how the same letters fall into arguments
    const confusable = [
      '*filter',
      ':C - [0:0]',
      ...['tcp', 'udp'].flatMap((p) => [`-A C -p ${p} -m ${p} --dport 80 -j ACCEPT`, `-A C -p ${p} -m ${p} ! --dport 80 -j ACCEPT`, `-A C -p ${p} -m ${p} --sport 80 -j ACCEPT`]),
      '-A C -p tcp -m tcp --tcp-flags SYN,ACK SYN -j DROP',
      '-A C -p tcp -m tcp --tcp-flags SYN ACK,SYN -j DROP',
      '-A C -p tcp -m tcp ! --tcp-flags SYN,ACK SYN -j DROP',
      '-A C -p tcp -m tcp --tcp-flags SYN,ACK FIN -j DROP',
      '-A C -p tcp -m tcp --tcp-flags SYN,ACKF IN -j DROP',
      '-A C -m mark --mark 0x1 -j DROP',
      '-A C -m connmark --mark 0x1 -j DROP',
      '-A C -s 10.0.0.1 -j DROP',
      '-A C ! -s 10.0.0.1 -j DROP',
      '-A C -d 10.0.0.1 -j DROP',
      '-A C -m limit --limit 5/min -j LOG',
      '-A C -m conntrack --ctstate NEW -m state --state NEW -j ACCEPT',
      '-A C -m conntrack ! --ctstate NEW -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n');
    let compared = 0;
    for (const f of [...files, { name: 'confusable', text: confusable }]) {
      const rs = createRulesDocument(`file:///${f.name}.rules`, 1, f.text).ruleset;
      const ctx = analysisContext(rs);
      for (const r of rs.rules) {
        const shared = ctx.compiled.get(r);
        if (!shared) continue;
        // an environment of its own: nothing shared, every condition worked out from its option
        const alone = compileRule({ family: rs.family }, r);
        assert.deepEqual(shared.conditions.map(view), alone.conditions.map(view), `${f.name} line ${r.line + 1}`);
        assert.equal(shared.exact, alone.exact, `${f.name} line ${r.line + 1}`);
        compared += shared.conditions.length;
      }
    }
    assert.ok(compared > 5000, `${compared} conditions compared`);
    // an option node the parser shares between lines (the same -p tcp at the same place) is one condition
    const rs = createRulesDocument('file:///confusable.rules', 1, confusable).ruleset;
    const ctx = analysisContext(rs);
    const [a, b] = rs.rules;
    const cond = (r: Rule | undefined, name: string) => ctx.compiled.get(r!)!.conditions.find((c) => c.option?.name === name);
    assert.equal(a!.options[0], b!.options[0]);
    assert.equal(cond(a, '-p'), cond(b, '-p'));
    assert.notEqual(cond(a, '--dport'), cond(b, '--dport'));
  });

  it('a condition that is only a set of packets keeps no words of its own, and still says what the option alone says', () => {
    const text = ['*filter', ':C - [0:0]', '-A C -s 10.0.0.1 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT', '-A C -s 10.0.0.2 -p tcp -m tcp ! --dport 23 -j DROP', 'COMMIT', ''].join('\n');
    const rs = createRulesDocument('file:///exact.rules', 1, text).ruleset;
    const ctx = analysisContext(rs);
    let seen = 0;
    for (const r of rs.rules) {
      const alone = compileRule({ family: rs.family }, r);
      ctx.compiled.get(r)!.conditions.forEach((c, i) => {
        // (neither a text of its own nor a body holding one)
        assert.ok(Object.values(c).every((v) => typeof v !== 'string' && !(v && typeof v === 'object' && 'describe' in v)), `${c.option?.name}: no text held`);
        assert.equal(c.describe, alone.conditions[i]!.describe);
        seen++;
      });
    }
    assert.equal(seen, 7);
  });

  it('the words of a condition made without its packets are those made with them, for every option of the upstream rule tests and of generated rulesets', () => {
    // (an exact condition makes its words again when asked, without working out its packets)
    const texts: { text: string; family: 'ipv4' | 'ipv6' }[] = readCases().map((c) => ({ text: `*${c.table}\n-A ${c.chains[0] ?? 'INPUT'} ${c.rule}\nCOMMIT\n`, family: c.family }));
    for (const g of sampleRulesets(23, 60)) texts.push({ text: g.text, family: 'ipv4' });
    for (const kind of ['kube', 'docker', 'firewall'] as const) texts.push({ text: generateRuleset({ kind, family: 'ipv6', rules: 300, seed: 4 }).text, family: 'ipv6' });
    let compared = 0;
    const kinds = new Set<string>();
    for (const { text, family } of texts) {
      const rs = parseRuleset(text, { family, familySource: 'setting' });
      const env: SpaceEnv = { family: rs.family };
      for (const r of rs.rules) {
        for (const o of r.options) {
          const full = conditionFor(env, o);
          const words = conditionFor(env, o, true);
          assert.equal(words?.describe, full?.describe, `${o.match?.name ?? o.owner} ${o.name} ${o.args.map((a) => a.text).join(' ')}`);
          if (full) {
            compared++;
            kinds.add(`${o.match?.name ?? ''} ${o.name}`);
          }
        }
      }
    }
    assert.ok(compared > 3000 && kinds.size > 150, `${compared} conditions of ${kinds.size} kinds`);
  });

  it('a rule compiled again is the same object, and so is a new rule object with the same options (a line an edit kept, its node made anew)', () => {
    const rs = createRulesDocument('file:///compiled.rules', 1, '*filter\n:C - [0:0]\n-A C -s 10.0.0.1 -p tcp -m tcp --dport 22 -j ACCEPT\n-A C -m comment --comment x -j DROP\nCOMMIT\n').ruleset;
    const env: SpaceEnv = { family: 'ipv4' };
    for (const r of rs.rules) {
      const first = compileRule(env, r);
      assert.equal(compileRule(env, r), first, 'the same rule: the same object');
      const again: Rule = { ...r };
      assert.equal(compileRule(env, again), first, 'the same option list: the same object');
      assert.ok(!Object.values(first).includes(r), 'it names no rule (an old node is not kept alive by it)');
      // another environment: compiled on its own
      const other = compileRule({ family: 'ipv4' }, r);
      assert.notEqual(other.conditions, first.conditions);
    }
  });

  it('a rule a line insertion moved compiles to its line\'s previous entry, the same object (what is kept by it names no line)', () => {
    const text = '*filter\n:C - [0:0]\n-A C -s 10.0.0.1 -p tcp -m tcp --dport 22 -j ACCEPT\n-A C -m comment --comment x -j DROP\nCOMMIT\n';
    const before = parseRuleset(text);
    const was = analysisContext(before).compiled;
    const old = before.rules.map((r) => was.get(r));
    const after = parseRuleset(`# moved\n${text}`, { previous: before });
    const now = analysisContext(after).compiled;
    after.rules.forEach((r, i) => {
      const c = now.get(r);
      assert.equal(r.line, before.rules[i]!.line + 1);
      assert.equal(c, old[i], 'the same object: not compiled again');
    });
    // moved twice, the version in between never asked for its rules: found through it all the same
    const between = parseRuleset(`# moved\n${text}`, { previous: before });
    const twice = parseRuleset(`# moved\n# again\n${text}`, { previous: between });
    const then = analysisContext(twice).compiled;
    twice.rules.forEach((r, i) => assert.equal(then.get(r), old[i], `rule ${i}, moved twice`));
  });

  it('a document read with its previous version equals one read from scratch (parse and every diagnostic)', () => {
    for (const f of files) {
      let prev = createRulesDocument(`file:///${f.name}.rules`, 1, f.text);
      diagnose(prev.ruleset, prev.lines);
      const rng = new Rng(f.text.length);
      let lines = f.text.split('\n');
      for (let v = 2; v < 8; v++) {
        // one-line edits, a line inserted, a line deleted
        if (v === 5) lines = [...lines.slice(0, 3), '-A INPUT -p tcp --dport 8443 -j ACCEPT', ...lines.slice(3)];
        else if (v === 6) lines = [...lines.slice(0, 4), ...lines.slice(5)];
        else {
          const e = editOneLine(lines, rng);
          lines = lines.map((l, i) => (i === e.line ? e.text : l));
        }
        const text = lines.join('\n');
        const inc = createRulesDocument(`file:///${f.name}.rules`, v, text, 'auto', prev);
        const fresh = createRulesDocument(`file:///${f.name}.rules`, v, text);
        assert.deepEqual(canon(inc.ruleset.findings), canon(fresh.ruleset.findings), `${f.name} v${v}: parser findings`);
        assert.equal(shape(inc.ruleset), shape(fresh.ruleset), `${f.name} v${v}: line nodes and chains`);
        assert.deepEqual(canon(diagnose(inc.ruleset, inc.lines)), canon(diagnose(fresh.ruleset, fresh.lines)), `${f.name} v${v}: diagnostics`);
        prev = inc;
      }
    }
  });

  it('diagnostics come in the order their spans compare in (ties in the checks\' order), each at the severity asked for now', () => {
    let compared = 0;
    let own = 0;
    for (const f of files) {
      const doc = createRulesDocument(`file:///${f.name}.rules`, 1, f.text);
      const first = diagnose(doc.ruleset, doc.lines);
      // the reference: every finding in the checks' order, sorted by comparing spans (a stable sort)
      const reference = [...allFindings(doc.ruleset)].sort((a, b) => a.span.line - b.span.line || a.span.start - b.span.start);
      assert.deepEqual(first.map((d) => [d.code, d.span, d.message]), reference.map((x) => [x.code, x.span, x.message]), f.name);
      compared += first.length;
      // asked again: the same objects; asked with other severities: those, and the own ones after
      const again = diagnose(doc.ruleset, doc.lines);
      again.forEach((d, i) => assert.equal(d, first[i], `${f.name}: diagnostic ${i} kept`));
      const codes = [...new Set(first.map((d) => d.code))];
      const raised = diagnose(doc.ruleset, doc.lines, { severities: Object.fromEntries(codes.map((c) => [c, 'error'])) });
      assert.ok(raised.every((d) => d.severity === 'error'), `${f.name}: every code raised to error`);
      assert.deepEqual(diagnose(doc.ruleset, doc.lines).map((d) => d.severity), reference.map((x) => x.severity), `${f.name}: own severities again`);
      // a finding that answers its full code and link is its own diagnostic at its own severity
      // (the finding keeps it when raised); every other one gets a copy with those two added
      first.forEach((d, i) => {
        const x = reference[i]!;
        assert.equal(d.fullCode, `iptables-lens/${x.code}`);
        assert.equal(d.docs, docsLink(x.code));
        if (x instanceof CodedFinding) {
          own++;
          assert.equal(d, x, `${f.name}: diagnostic ${i} is its finding`);
          assert.notEqual(raised[i], x);
          assert.equal(x.severity, d.severity);
        } else assert.notEqual(d, x);
      });
    }
    assert.ok(compared > 200, `${compared} diagnostics compared`);
    assert.ok(own > 20 && own < compared, `${own} of ${compared} findings are their own diagnostics`);
  });

  it('lines read again from the previous version keep their own findings (a word too long, counters, blanks in front)', () => {
    const long = 'x'.repeat(1100);
    const base = ['*filter', ':INPUT ACCEPT [0:0]', `-A INPUT -m comment --comment ${long} -j ACCEPT`, '[5:300] -A INPUT -p tcp --dport 22 -j ACCEPT', '[bad] -A INPUT -j DROP', '  -A INPUT -p udp -j ACCEPT', '-A INPUT -j LOG', 'COMMIT', ''];
    let prev = createRulesDocument('file:///reuse.rules', 1, base.join('\n'));
    for (let v = 2; v < 6; v++) {
      const lines = base.map((l, i) => (i === 6 ? `-A INPUT -j LOG --log-prefix "v${v} "` : l));
      const text = lines.join('\n');
      const inc = createRulesDocument('file:///reuse.rules', v, text, 'auto', prev);
      const fresh = createRulesDocument('file:///reuse.rules', v, text);
      assert.deepEqual(canon(inc.ruleset.findings), canon(fresh.ruleset.findings), `v${v}`);
      assert.ok(inc.ruleset.findings.some((f) => f.code === 'syntax' && f.span.line === 2), 'the long word is still reported');
      prev = inc;
    }
  });

  it('interval sets made from ranges in any order, overlapping, touching or empty hold exactly their union, merged', () => {
    // (ranges already in order are not sorted again: both roads must give the same set)
    const ranges = fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: -3, max: 8 })), { maxLength: 25 });
    fc.assert(
      fc.property(ranges, fc.boolean(), (xs, ordered) => {
        const list = xs.map(([a, w]) => [BigInt(a), BigInt(a + w)] as const);
        if (ordered) list.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
        const s = ISet.fromRanges(list);
        const want = new Set<number>();
        for (const [a, w] of xs) for (let v = a; v <= a + w; v++) want.add(v);
        const got: number[] = [];
        for (const [a, b] of s.ranges) for (let v = a; v <= b; v++) got.push(Number(v));
        assert.deepEqual(got, [...want].sort((a, b) => a - b));
        assert.ok(s.ranges.every(([a, b], i) => a <= b && (i === 0 || a > s.ranges[i - 1]![1] + 1n)), 'disjoint, not touching, ascending');
      }),
      { numRuns: 3000 },
    );
  });

  it('a set of one range is filed for its id under a key that is one range\'s alone and whose lowest 64 bits (all V8 hashes of a bigint) differ from range to range: interface names, IPv6 prefixes and hosts, addresses, port ranges with one end in common', () => {
    const names = Array.from({ length: 3000 }, (_, n) => ifaceValue(`br-${n.toString(16).padStart(4, '0')}`));
    const [lo6, hi6] = domain({ family: 'ipv6' }, 'src');
    const prefixes = Array.from({ length: 3000 }, (_, n) => (BigInt(0x20010db8) << 96n) | (BigInt(n) << 64n));
    const hosts = Array.from({ length: 3000 }, (_, n) => (BigInt(0x20010db8) << 96n) | BigInt(n + 1));
    const points = Array.from({ length: 3000 }, (_, n) => BigInt(0x0a000000 + n * 7));
    const tails = Array.from({ length: 3000 }, (_, n) => [BigInt(n), 65535n] as [bigint, bigint]);
    const one = (v: bigint): [bigint, bigint] => [v, v];
    const ranges: [bigint, bigint][] = [...names.map(one), ...prefixes.map((p) => [p, p | ((1n << 64n) - 1n)] as [bigint, bigint]), ...hosts.map(one), ...points.map(one), ...tails, [lo6, hi6]];
    const low = new Set(ranges.map(([a, b]) => BigInt.asUintN(64, rangeKey(a, b))));
    // (values of every dimension are below 2^128; some with their lowest 64 bits zero, as interface names have)
    const wide = fc.oneof(fc.bigInt(0n, (1n << 128n) - 1n), fc.bigInt(0n, (1n << 64n) - 1n).map((v) => v << 64n), fc.bigInt(0n, 3n));
    assert.equal(low.size, ranges.length, 'no two ranges share their key\'s lowest 64 bits');
    fc.assert(
      fc.property(wide, wide, wide, wide, (a, b, c, d) => (rangeKey(a, b) === rangeKey(c, d)) === (a === c && b === d)),
      { numRuns: 2000 },
    );
    assert.equal(rangeKey(5n, 7n) === rangeKey(5n, 7n), true);
    assert.notEqual(rangeKey(names[1]!, names[1]!), rangeKey(names[2]!, names[2]!));
    assert.equal(ISet.idOf(ISet.of(names[7]!, names[7]!)), ISet.idOf(ISet.point(names[7]!)));
  });

  it('interval sets: union, intersection, difference and overlap (with the shortcuts for a few ranges against many) agree with plain sets', () => {
    const set = fc.array(fc.tuple(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 5 })), { maxLength: 30 }).map((xs) => ISet.fromRanges(xs.map(([a, w]) => [BigInt(a), BigInt(a + w)] as const)));
    const values = (s: ISet) => {
      const out = new Set<number>();
      for (const [a, b] of s.ranges) for (let v = a; v <= b; v++) out.add(Number(v));
      return out;
    };
    const wellFormed = (s: ISet) => s.ranges.every(([a, b], i) => a <= b && (i === 0 || a > s.ranges[i - 1]![1] + 1n));
    // (the id tables are emptied when they grow large: asked again until no emptying came between)
    const sameId = (x: ISet, y: ISet): boolean => {
      for (;;) {
        const ix = ISet.idOf(x);
        const iy = ISet.idOf(y);
        if (ISet.idOf(x) === ix) return ix === iy;
      }
    };
    fc.assert(
      fc.property(set, set, (x, y) => {
        const vx = values(x);
        const vy = values(y);
        const u = x.union(y);
        const n = x.intersect(y);
        const d = x.subtract(y);
        assert.ok(wellFormed(u) && wellFormed(n) && wellFormed(d));
        assert.deepEqual([...values(u)].sort((a, b) => a - b), [...new Set([...vx, ...vy])].sort((a, b) => a - b));
        assert.deepEqual([...values(n)].sort((a, b) => a - b), [...vx].filter((v) => vy.has(v)).sort((a, b) => a - b));
        assert.deepEqual([...values(d)].sort((a, b) => a - b), [...vx].filter((v) => !vy.has(v)).sort((a, b) => a - b));
        assert.equal(x.meets(y), n.ranges.length > 0);
        // the questions answered from a single range's ends agree with the plain sets too
        assert.equal(x.equals(y), vx.size === vy.size && [...vx].every((v) => vy.has(v)));
        assert.equal(x.covers(y), [...vy].every((v) => vx.has(v)));
        assert.equal(x.size(), BigInt(vx.size));
        assert.equal(x.first(), vx.size ? BigInt(Math.min(...vx)) : undefined);
        assert.equal(x.last(), vx.size ? BigInt(Math.max(...vx)) : undefined);
        for (let v = -1; v <= 127; v += 4) assert.equal(x.has(BigInt(v)), vx.has(v));
        assert.deepEqual([...values(x.complement(10n, 90n))].sort((a, b) => a - b), Array.from({ length: 81 }, (_, k) => k + 10).filter((v) => !vx.has(v)));
        // one number for one content (boxes are merged on it)
        if (x.rangeCount <= 8 && y.rangeCount <= 8) assert.equal(sameId(x, y), x.equals(y));
      }),
      { numRuns: 3000 },
    );
    // the same with sets of one range (most sets rules compile to), touching, nested or apart
    const one = fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 6 })).map(([a, w]) => ISet.of(BigInt(a), BigInt(a + w)));
    fc.assert(
      fc.property(one, one, (x, y) => {
        const vx = values(x);
        const vy = values(y);
        assert.deepEqual([...values(x.union(y))].sort((a, b) => a - b), [...new Set([...vx, ...vy])].sort((a, b) => a - b));
        assert.deepEqual([...values(x.intersect(y))].sort((a, b) => a - b), [...vx].filter((v) => vy.has(v)).sort((a, b) => a - b));
        assert.deepEqual([...values(x.subtract(y))].sort((a, b) => a - b), [...vx].filter((v) => !vy.has(v)).sort((a, b) => a - b));
        assert.ok(wellFormed(x.union(y)) && wellFormed(x.subtract(y)));
        assert.equal(x.meets(y), [...vx].some((v) => vy.has(v)));
        assert.equal(x.equals(y), x.first() === y.first() && x.last() === y.last());
        assert.equal(sameId(x, y), x.equals(y));
      }),
      { numRuns: 2000 },
    );
    // meets() between a long list of ranges and a few (binary search) against the intersection
    const many = fc.array(fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 3 })), { minLength: 40, maxLength: 200 }).map((xs) => ISet.fromRanges(xs.map(([a, w]) => [BigInt(a), BigInt(a + w)] as const)));
    const few = fc.array(fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 40 })), { minLength: 1, maxLength: 3 }).map((xs) => ISet.fromRanges(xs.map(([a, w]) => [BigInt(a), BigInt(a + w)] as const)));
    fc.assert(
      fc.property(many, few, (x, y) => {
        const want = x.intersect(y).ranges.length > 0;
        assert.equal(x.meets(y), want);
        assert.equal(y.meets(x), want);
      }),
      { numRuns: 2000 },
    );
  });

  it('a set of one range holds its two ends, not a list of ranges (nearly every set a rule compiles to is one range)', () => {
    // (a list of one pair took two arrays, about 120 bytes, on each of 110 000 kept sets)
    for (const s of [ISet.point(80n), ISet.of(0n, 65535n), ISet.fromRanges([[5n, 6n], [7n, 9n]]), ISet.of(1n, 9n).intersect(ISet.of(3n, 20n)), ISet.of(1n, 9n).subtract(ISet.of(0n, 4n))]) {
      assert.equal(s.rangeCount, 1);
      assert.ok(Object.values(s).every((v) => !Array.isArray(v)), 'no list held');
      assert.deepEqual(s.ranges, [[s.first(), s.last()]]);
    }
  });

  it('long interval sets cut a few ranges at a time (held in parts) agree with plain lists, cut after cut', () => {
    // a plain model: sorted disjoint non-adjacent ranges of numbers, cut by brute force
    type R = [number, number];
    const cut = (xs: R[], a: number, b: number): R[] => xs.flatMap(([c, d]): R[] => (d < a || c > b ? [[c, d]] : [...(c < a ? [[c, a - 1] as R] : []), ...(d > b ? [[b + 1, d] as R] : [])]));
    const text = (s: ISet) => s.ranges.map(([a, b]) => `${a}-${b}`).join(',');
    const plain = (xs: R[]) => xs.map(([a, b]) => `${a}-${b}`).join(',');
    const rng = new Rng(0x5e7);
    for (let round = 0; round < 24; round++) {
      // a long list: every other value of a stretch, or points spread wide
      // wide ranges and cuts crowded into a corner (half the rounds) split ranges and so grow a
      // part until it is split in two
      const crowded = round % 2 === 1;
      const n = crowded ? rng.int(256, 500) : rng.int(256, 3000);
      const step = crowded ? 1000 : rng.int(2, 9);
      let model: R[] = Array.from({ length: n }, (_, i): R => [i * step, i * step + (crowded ? step - 2 : rng.int(0, step - 2))]);
      let set = ISet.fromRanges(model.map(([a, b]) => [BigInt(a), BigInt(b)] as const));
      const top = n * step;
      const reach = crowded ? 3 * step : top;
      const cuts = crowded ? 800 : 300;
      for (let k = 0; k < cuts; k++) {
        // one to four ranges out: points, short runs, now and then a wide one across parts
        const out: R[] = [];
        for (let j = rng.int(1, 4); j > 0; j--) {
          const a = rng.int(-5, reach + 5);
          out.push([a, a + (crowded ? 0 : rng.int(0, 30) ? rng.int(0, 3) : rng.int(100, 2000))]);
        }
        const o = ISet.fromRanges(out.map(([a, b]) => [BigInt(a), BigInt(b)] as const));
        for (const [a, b] of o.ranges) model = cut(model, Number(a), Number(b));
        set = set.subtract(o);
        if (k % 37 === 0 || k === cuts - 1) assert.equal(text(set), plain(model), `round ${round}, cut ${k}`);
        assert.equal(set.rangeCount, model.length);
        assert.equal(set.first(), model.length ? BigInt(model[0]![0]) : undefined);
        assert.equal(set.last(), model.length ? BigInt(model[model.length - 1]![1]) : undefined);
        // questions with a few ranges against the long set
        const probe = rng.int(-5, top + 5);
        const few = ISet.of(BigInt(probe), BigInt(probe + rng.int(0, 12)));
        const inModel = (v: number) => model.some(([c, d]) => c <= v && v <= d);
        assert.equal(set.has(BigInt(probe)), inModel(probe));
        const shared = model.flatMap(([c, d]): R[] => (d < probe || c > probe + Number(few.last()! - few.first()!) ? [] : [[Math.max(c, probe), Math.min(d, Number(few.last()!))]]));
        assert.equal(text(set.intersect(few)), plain(shared));
        assert.equal(text(few.intersect(set)), plain(shared));
        assert.equal(set.meets(few), shared.length > 0);
        assert.equal(few.meets(set), shared.length > 0);
        if (model.length === 0) break;
      }
      // what does not go through the parts sees the same set
      assert.ok(set.equals(ISet.fromRanges(model.map(([a, b]) => [BigInt(a), BigInt(b)] as const))));
      assert.equal(text(set.union(ISet.point(BigInt(top + 100)))), plain([...model, [top + 100, top + 100]]));
      assert.equal(text(set.complement(0n, BigInt(top + 10)).complement(0n, BigInt(top + 10))), plain(model));
    }
  });

  // small boxes of a few dimensions (values up to 40), for the tests below
  const env: SpaceEnv = { family: 'ipv4' };
  const dims: Dim[] = ['proto', 'dst', 'dport', 'state', 'iif'];
  const small = (d: Dim, minLength = 1) => {
    const [lo, hi] = domain(env, d);
    const top = hi < 40n ? hi : 40n;
    return fc.array(fc.tuple(fc.bigInt({ min: lo, max: top }), fc.bigInt({ min: 0n, max: 6n })), { minLength, maxLength: 3 }).map((rs) => ISet.fromRanges(rs.map(([a, w]) => [a, a + w > top ? top : a + w] as const)));
  };
  const box = fc.subarray(dims, { maxLength: 3 }).chain((ds) => fc.tuple(...ds.map((d) => small(d).map((s) => [d, s] as const))).map((es) => Box.from(es)));

  it('two spaces meet exactly when their intersection is not empty, boxes with an empty set among them', () => {
    const maybeEmpty = fc.subarray(dims, { maxLength: 3 }).chain((ds) => fc.tuple(...ds.map((d) => small(d, 0).map((s) => [d, s] as const))).map((es) => Box.from(es)));
    const space = fc.array(fc.oneof(box, maybeEmpty), { maxLength: 4 }).map((bs) => new Space(bs));
    fc.assert(
      fc.property(space, space, (a, b) => {
        assert.equal(a.meets(env, b), !a.intersect(env, b).empty);
        assert.equal(b.meets(env, a), !b.intersect(env, a).empty);
      }),
      { numRuns: 3000 },
    );
  });

  /**
   * Cuts with now and then a copy of an earlier one in their place (the same space, as a copied
   * line's rule compiles to its original's), drawn by `picks`.
   */
  const withCopies = (cuts: readonly Space[], picks: readonly number[]): Space[] => {
    const out = [...cuts];
    for (let k = 1; k < out.length; k++) if (picks[k] !== undefined && picks[k]! % 8 === 0) out[k] = out[(picks[k]! >> 3) % k]!;
    return out;
  };
  const copyPicks = fc.array(fc.nat(), { minLength: 30, maxLength: 30 });

  /**
   * Values of d up to 5 000, a fifth of them up to 60 (where the boxes' sets lie, up to 40), so
   * that 30 cuts rarely share one; and that top.
   */
  const runValues = (d: Dim) => {
    const [lo, hi] = domain(env, d);
    const top = hi < 5000n ? hi : 5000n;
    return { lo, hi, top, value: fc.oneof({ arbitrary: fc.bigInt({ min: lo, max: top < 60n ? top : 60n }), weight: 1 }, { arbitrary: fc.bigInt({ min: lo, max: top }), weight: 4 }) };
  };

  /**
   * Each run cutAlongOneDim finds in `cases` (from the first few cuts on) against the cuts made one
   * by one: which took packets, and what is left. How many runs, of 16 cuts or more, and holding a
   * copy of a cut (see withCopies) there were.
   */
  const runsAgainstOneByOne = (cases: fc.Arbitrary<{ readonly left: Space; readonly cuts: readonly Space[] }>) => {
    let runs = 0;
    let long = 0;
    let copied = 0;
    fc.assert(
      fc.property(cases, fc.integer({ min: 0, max: 4 }), ({ left, cuts }, from) => {
        const run = cutAlongOneDim(env, left, (k) => cuts[k]!, from, cuts.length);
        if (!run) return;
        runs++;
        if (run.end - from >= 16) long++;
        if (cuts.slice(from + 1, run.end).some((c, j) => cuts.slice(from, from + j + 1).includes(c))) copied++;
        assert.ok(run.end - from >= MIN_RUN && run.end <= cuts.length);
        let seq = left;
        for (let k = from; k < run.end; k++) {
          assert.equal(run.took[k - from], cuts[k]!.meets(env, seq), `cut ${k}`);
          seq = seq.subtract(env, cuts[k]!);
        }
        assert.ok(!seq.approximate && run.left.subtract(env, seq).empty && seq.subtract(env, run.left).empty, 'the same packets left');
      }),
      { numRuns: 4000 },
    );
    return { runs, long, copied };
  };

  it('a run of cuts along one dimension, cut at once, leaves what cutting them one by one leaves, and each took what it took there', () => {
    // cuts that restrict one dimension d of the box (a value, a few, or all but one, as `! -i`),
    // now and then also another one to a set that holds the box's (or does not: the run ends there)
    // (values up to 5 000 on d, so that 30 cuts rarely share one, a fifth of them where the box's
    // sets lie, up to 40)
    const cutsOf = (b: Box, d: Dim) => {
      const { lo, hi, top, value } = runValues(d);
      const cut = fc.record({ v: value, w: fc.constantFrom(0n, 0n, 0n, 1n, 4n), kind: fc.integer({ min: 0, max: 29 }), x: fc.constantFrom(...dims) });
      return fc.array(cut, { maxLength: 30, size: 'max' }).map((cs) =>
        cs.map(({ v, w, kind, x }) => {
          const on: [Dim, ISet][] = [[d, kind === 0 ? ISet.of(lo, hi).subtract(ISet.point(v)) : ISet.of(v, v + w > top ? top : v + w)]];
          if (kind === 1 && x !== d) on.push([x, boxGet(env, b, x).union(ISet.point(lo))]);
          if (kind === 2 && x !== d) on.push([x, ISet.point(lo)]);
          // (all of x's values but the box's lowest: ends that hold the box's, a hole that does not)
          if (kind === 3 && x !== d) on.push([x, ISet.of(...domain(env, x)).subtract(ISet.point(boxGet(env, b, x).first()!))]);
          return Space.box(Box.from(on));
        }),
      );
    };
    const cases = box.chain((b) => fc.constantFrom<Dim>('dst', 'dport', 'iif').chain((d) => fc.tuple(cutsOf(b, d), copyPicks).map(([cuts, picks]) => ({ left: Space.box(b), cuts: withCopies(cuts, picks) }))));
    const { runs, long, copied } = runsAgainstOneByOne(cases);
    assert.ok(runs > 300 && long > 20, `${runs} runs, ${long} of 16 cuts or more`);
    assert.ok(copied > 50, `${copied} runs holding a copy of a cut`);
  });

  it('a run of cuts alike but for one dimension, cut at once, leaves what cutting them one by one leaves, and each took what it took there', () => {
    // cuts with the same sets as the first on every dimension but d (or, now and then, one more
    // value on another: the run ends there), their sets of d mostly disjoint; what is cut: a few boxes
    const casesOf = (d: Dim) => {
      const { top, value } = runValues(d);
      const cut = fc.record({ v: value, w: fc.constantFrom(0n, 0n, 0n, 1n, 4n), other: fc.integer({ min: 0, max: 19 }) });
      return fc.tuple(box, fc.array(box, { minLength: 1, maxLength: 3 }), fc.array(cut, { maxLength: 30, size: 'max' })).map(([common, lefts, cs]) => {
        const base = common.without(d);
        return {
          left: new Space(lefts),
          cuts: cs.map(({ v, w, other }) => {
            // (d first: the dimension told apart is not always the last one looked at)
            const b = Box.from([[d, ISet.of(v, v + w > top ? top : v + w)] as const, ...base]);
            const x = base.size > 0 ? base.dimAt(0) : undefined;
            return Space.box(other === 0 && x !== undefined ? b.with(x, base.setAt(0).union(ISet.point(domain(env, x)[0]))) : b);
          }),
        };
      });
    };
    const cases = fc.constantFrom<Dim>('dst', 'dport', 'iif').chain((d) => fc.tuple(casesOf(d), copyPicks).map(([c, picks]) => ({ left: c.left, cuts: withCopies(c.cuts, picks) })));
    const alike = cutRunStats.alike;
    const { runs, long, copied } = runsAgainstOneByOne(cases);
    assert.ok(runs > 300 && long > 20, `${runs} runs, ${long} of 16 cuts or more`);
    assert.ok(copied > 50, `${copied} runs holding a copy of a cut`);
    assert.ok(cutRunStats.alike - alike > 300, `${cutRunStats.alike - alike} runs of cuts alike`);
  });

  it('a run of cuts along one dimension ends at the first cut that shares a value with an earlier one (not a copy of it), or that cuts along another', () => {
    const points = (n: number, at = 0) => Array.from({ length: n }, (_, i) => Space.box(Box.of('iif', ISet.point(BigInt(at + i)))));
    const left = Space.box(Box.from([['iif', ISet.of(0n, 1000n).subtract(ISet.point(500n))], ['dport', ISet.point(80n)]]));
    // 30 interfaces, then all interfaces but one (as `! -i br-X -p tcp --dport 80`): 30 cut at once
    const broad = Space.box(Box.from([['iif', ISet.of(0n, 1000n).subtract(ISet.point(3n))], ['dport', ISet.point(80n)]]));
    const cuts = [...points(30, 10), broad];
    const run = cutAlongOneDim(env, left, (k) => cuts[k]!, 0, cuts.length)!;
    assert.equal(run.end, 30);
    assert.ok(run.took.every(Boolean));
    // an interface cut again (a copy of a rule) after 12: the run is the 12 before it
    const again = [...points(12, 10), ...points(1, 15), ...points(10, 40)];
    assert.equal(cutAlongOneDim(env, left, (k) => again[k]!, 0, again.length)!.end, 12);
    // the same cut again (a copied line's rule): it takes nothing, and the run goes on
    const first = points(12, 10);
    const copied = [...first, first[5]!, ...points(10, 40)];
    const through = cutAlongOneDim(env, left, (k) => copied[k]!, 0, copied.length)!;
    assert.equal(through.end, 23);
    assert.deepEqual(through.took, [...Array<boolean>(12).fill(true), false, ...Array<boolean>(10).fill(true)]);
    // one that cuts a port too: the run ends before it
    const other = [...points(9), Space.box(Box.from([['iif', ISet.point(70n)], ['dport', ISet.point(81n)]])), ...points(9, 20)];
    assert.equal(cutAlongOneDim(env, left, (k) => other[k]!, 0, other.length)!.end, 9);
    // fewer than MIN_RUN: none
    assert.equal(cutAlongOneDim(env, left, (k) => cuts[k]!, 0, MIN_RUN - 1), undefined);
  });

  it('a union cut to the cap of 512 boxes is not merged again for each box added to it, and stays approximate', () => {
    // boxes that differ in two dimensions: none merges with another
    const pair = (i: number) => Space.box(Box.from([['dport', ISet.point(BigInt(i))], ['sport', ISet.point(BigInt(i))]]));
    let s = Space.unionAll(Array.from({ length: 600 }, (_, i) => pair(i)));
    assert.ok(s.approximate && s.boxCount === 512);
    const before = mergeStats.merges;
    for (let i = 600; i < 700; i++) s = s.union(pair(i));
    assert.equal(mergeStats.merges - before, 0, 'merged once per box added');
    assert.ok(s.approximate && s.boxCount === 512);
    // under the cap, unions are merged as before: once they have doubled
    let t = Space.unionAll(Array.from({ length: 20 }, (_, i) => pair(i)));
    const at = mergeStats.merges;
    for (let i = 20; i < 60; i++) t = t.union(pair(i));
    assert.ok(mergeStats.merges - at >= 1 && mergeStats.merges - at <= 2);
    assert.ok(!t.approximate && t.boxCount === 60);
  });

  it('merging boxes keeps exactly the same packets', () => {
    fc.assert(
      fc.property(fc.array(box, { minLength: 17, maxLength: 40 }), fc.array(fc.tuple(...dims.map(() => fc.bigInt({ min: 0n, max: 41n }))), { minLength: 30, maxLength: 30 }), (boxes, points) => {
        const merged = new Space(mergeBoxes(boxes));
        const orig = new Space(boxes);
        assert.ok(merged.boxes.length <= boxes.length);
        for (const p of points) {
          const pt = new Map<Dim, bigint>(dims.map((d, i) => [d, p[i]! > domain(env, d)[1] ? domain(env, d)[1] : p[i]!]));
          assert.equal(merged.contains(env, pt), orig.contains(env, pt));
        }
      }),
      { numRuns: 300 },
    );
    void DIMS;
  });
});

describe('the walk limit of the ordering checks', function () {
  this.timeout(120_000);
  const blocklist = (n: number) =>
    [
      '*filter',
      ':INPUT DROP [0:0]',
      ':FORWARD DROP [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':BLOCK - [0:0]',
      '-A INPUT -j BLOCK',
      '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
      '-A INPUT -j LOG --log-prefix "in: "',
      '-A INPUT -p tcp -j REJECT',
      // scattered addresses, as a real blocklist has them (adjacent ones would merge into one range)
      ...Array.from({ length: n }, (_, i) => `-A BLOCK -s ${11 + (i % 200)}.${(i * 37) & 255}.${(i * 91) & 255}.${((i * 53) & 255) | 1}/32 -j DROP`),
      '-A BLOCK -j RETURN',
      'COMMIT',
      '',
    ].join('\n');
  const codes = (text: string) => diagnose(createRulesDocument('file:///limit.rules', 1, text).ruleset, ChunkedArray.of(text.split('\n'))).map((d) => d.code);

  afterEach(() => setWalkBudget(undefined));

  it('under the limit, the checks report as usual', () => {
    const c = codes(blocklist(300));
    assert.ok(c.includes('log-invalid') && c.includes('reject-without-tcp-reset') && c.includes('missing-established-accept'), c.join(' '));
    assert.ok(!c.includes('analysis-limit'));
  });

  it('past the limit, each check that stopped says so on the hook and claims nothing it did not check', () => {
    setWalkBudget(2000);
    const fs = diagnose(createRulesDocument('file:///limit2.rules', 1, blocklist(300)).ruleset, ChunkedArray.of(blocklist(300).split('\n')));
    const c = fs.map((d) => d.code);
    assert.ok(!c.includes('log-invalid') && !c.includes('reject-without-tcp-reset') && !c.includes('missing-established-accept'), c.join(' '));
    const limits = fs.filter((f) => f.code === 'analysis-limit');
    assert.ok(limits.length >= 2, c.join(' '));
    for (const f of limits) {
      assert.equal(f.severity, 'information');
      assert.equal(f.span.line, 1, 'on the INPUT declaration');
      assert.match(f.message, /not checked for packets entering filter INPUT/);
    }
  });

  it('a 50 000-address blocklist in one chain stops at the limit instead of running for minutes', () => {
    const t = performance.now();
    const c = codes(blocklist(50_000));
    assert.ok(c.includes('analysis-limit'));
    assert.ok(performance.now() - t < 60_000);
  });
});
