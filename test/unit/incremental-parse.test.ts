/**
 * Reading an edited document from its previous version: the lines an edit left alone keep their
 * nodes (the same objects), and an edit that only rewrites rules in place updates the previous
 * tables instead of applying every command again. Whatever is kept, the ruleset must read exactly
 * as a fresh parse of the new text: nodes, blocks, chains with their rules, references, policies
 * and declarations, and findings.
 */
import { wordsOf } from '../../server/src/model/line-words';
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { generateRuleset } from '../../bench/gen/rulesets';
import { type Chain, type LineNode, replacedSince, type Rule, type Ruleset, type TableBlock } from '../../server/src/model/ruleset';
import { parseRuleset, rulesetEdit } from '../../server/src/parser/ruleset-parser';
import { noteSplice } from '../../server/src/model/line-splices';
import { ChunkedArray, CHUNK_SIZE } from '../../server/src/model/chunked-array';
import { editedVersions, editInputs } from '../support/ruleset-edits';

/** A block by where it is, so that two readings compare by content and not by identity. */
/** A block by where it is and where it ends in `rs` (each block has its end there). */
function blockView(rs: Ruleset, b: TableBlock | undefined): unknown {
  if (!b) return undefined;
  const end = rs.blockEnds.get(b);
  assert.ok(end, `the block at line ${b.line} has an end`);
  return { line: b.line, name: b.name, commitLine: end.commitLine, endLine: end.endLine };
}

function nodeView(rs: Ruleset, n: LineNode): unknown {
  if (n.kind === 'table') return blockView(rs, n);
  if (n.kind === 'blank') return n;
  const { block, ...rest } = n as LineNode & { block?: TableBlock };
  // a command node's option nodes point back to their match, which points to them again
  if (n.kind === 'command') return { line: n.line, words: wordsOf(n), table: n.table, chain: n.chain, block: blockView(rs, block), options: n.options.map((o) => [o.name, o.args, o.negated, o.match?.name]), target: n.target?.name };
  return { ...rest, block: blockView(rs, block) };
}

function ruleView(r: Rule): string {
  return `${r.line}: ${wordsOf(r).map((w) => w.text).join(' ')}`;
}

function chainView(c: Chain): unknown {
  return {
    name: c.name,
    builtin: c.builtin,
    policy: c.policy,
    policySpan: c.policySpan,
    declarations: c.declarations.map((d) => d.line),
    // by line and words: a rule left in place of the one that replaced it would show
    rules: c.rules.map(ruleView),
    references: c.references.map(ruleView),
  };
}

function view(rs: Ruleset): unknown {
  const byPlace = (a: { span: { line: number; start: number } }, b: { span: { line: number; start: number } }) => a.span.line - b.span.line || a.span.start - b.span.start;
  return {
    family: rs.family,
    format: rs.format,
    lines: rs.lines.toArray().map((n) => nodeView(rs, n)),
    rules: rs.rules.map((r) => r.line),
    commands: rs.commands.map((c) => c.line),
    comments: rs.comments.map((c) => c.line),
    tables: [...rs.tables].map(([name, t]) => ({ name, blocks: t.blocks.map((b) => blockView(rs, b)), chains: [...t.chains].map(([k, c]) => [k, chainView(c)]) })),
    findings: [...rs.findings].sort(byPlace).map((f) => [f.code, f.severity, f.message, f.span, f.data]),
  };
}

describe('incremental parse: an edited document reads as a fresh parse of its text', function () {
  this.timeout(600_000);

  for (const input of editInputs()) {
    it(input.name, () => {
      let prev = parseRuleset(input.text);
      for (const { version: v, text } of editedVersions(input.text, new Rng(input.text.length ^ 0x9a5e), input.text.length > 50_000 ? 12 : 40)) {
        const inc = parseRuleset(text, { previous: prev });
        assert.deepEqual(view(inc), view(parseRuleset(text)), `${input.name}, version ${v}`);
        prev = inc;
      }
    });
  }
});

describe('incremental parse: the lines of a version the document made from the previous one by one edit', function () {
  it('read as the same lines do when the edit is not known: the lines an edit put in around equal ones, duplicated or taken out', () => {
    const rng = new Rng(0x5911ce);
    // (runs of equal lines, so that the lines alike at the end reach above the edit: the lines
    // compared there decide which are read again)
    const base = ['*filter', ':INPUT DROP [0:0]', ':F - [0:0]'];
    for (let i = 0; i < 40; i++) base.push(...Array.from({ length: rng.int(1, 4) }, () => `-A INPUT -s 10.0.${i % 7}.0/24 -j F`), `-A F -p tcp --dport ${i % 5} -j ACCEPT`);
    base.push('COMMIT', '');
    let lines = ChunkedArray.of(base);
    let prev = parseRuleset('', { lines });
    let noted = 0;
    for (let v = 0; v < 120; v++) {
      const n = lines.length - 2;
      const at = rng.int(3, n);
      const removed = rng.pick([0, 0, 1, 2]);
      const put = removed === 0 || rng.chance(0.5) ? Array.from({ length: rng.int(removed ? 0 : 1, 2) }, () => lines.get(rng.int(3, n))!) : [];
      const made = lines.splice(at, Math.min(at + removed, n), put);
      if (made.length === lines.length) continue;
      noteSplice(made, lines, at, Math.min(at + removed, n) - at, put.length);
      const known = parseRuleset('', { lines: made, previous: prev });
      const unknown = parseRuleset('', { lines: ChunkedArray.of(made.toArray()), previous: prev });
      assert.deepEqual(view(known), view(unknown), `version ${v}`);
      assert.deepEqual(rulesetEdit(known), { ...rulesetEdit(unknown)!, previous: prev }, `version ${v}: the lines read again`);
      assert.deepEqual(view(known), view(parseRuleset(made.join('\n'))), `version ${v}: as a fresh read`);
      noted++;
      lines = made;
      prev = known;
    }
    assert.ok(noted > 60, `${noted} edits`);
  });
});

describe('incremental parse: what an edit leaves alone is kept', () => {
  const text = generateRuleset({ kind: 'kube', family: 'ipv4', rules: 400, seed: 3 }).text;
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('-A ') && /--dport \d+/.test(l));

  it('a rule rewritten in place: every other line node, the untouched tables and chains are the previous objects', () => {
    const before = parseRuleset(text);
    const edited = lines.map((l, i) => (i === at ? l.replace(/--dport \d+/, '--dport 4711') : l));
    const after = parseRuleset(edited.join('\n'), { previous: before });
    const changed = after.lines.toArray().filter((n, i) => n !== before.lines.get(i)).filter((n) => n.kind !== 'blank' && n.kind !== 'comment' && n.kind !== 'commit');
    assert.deepEqual(changed.map((n) => n.line), [at]);
    const rule = after.lines.get(at)!;
    assert.ok(rule.kind === 'command' && rule.chain);
    for (const [name, t] of after.tables) {
      if (name === rule.table) {
        assert.notEqual(t, before.tables.get(name));
        for (const [cname, c] of t.chains) {
          if (cname === rule.chain) assert.ok(c.rules.includes(rule as never) && c !== before.tables.get(name)!.chains.get(cname));
          else if (!c.references.includes(rule as never)) assert.equal(c, before.tables.get(name)!.chains.get(cname), `${name} ${cname}`);
        }
      } else assert.equal(t, before.tables.get(name), name);
    }
  });

  it('a rule rewritten in place: the line nodes are held in the chunks of the previous version, but the one it falls in', () => {
    const lines = ['*filter', ':INPUT DROP [0:0]', ...Array.from({ length: 5 * CHUNK_SIZE }, (_, i) => `-A INPUT -s 10.1.${i >> 8}.${i & 255} -j DROP`), 'COMMIT', ''];
    const before = parseRuleset(lines.join('\n'));
    const at = 3 * CHUNK_SIZE + 100;
    const edited = lines.slice();
    edited[at] = edited[at]!.replace('-j DROP', '-j ACCEPT');
    const after = parseRuleset(edited.join('\n'), { previous: before });
    const chunksOf = (l: unknown) => (l as { chunks: unknown[] }).chunks;
    const total = chunksOf(after.lines).length;
    assert.equal(chunksOf(after.lines).filter((ch, c) => chunksOf(before.lines)[c] === ch).length, total - 1);
    assert.notEqual(after.lines.get(at), before.lines.get(at));
  });

  it('a chain edited in place over several versions tells which positions were replaced since an earlier version (replacedSince)', () => {
    const rng = new Rng(0x7ace);
    const rulesAt = lines.map((_, i) => i).filter((i) => /^-A \S+ .*--dport \d+/.test(lines[i]!));
    const versions: Ruleset[] = [parseRuleset(text)];
    let cur = lines.slice();
    for (let v = 0; v < 6; v++) {
      const i = rulesAt[rng.int(0, rulesAt.length - 1)]!;
      cur = cur.map((l, k) => (k === i ? l.replace(/--dport \d+/, `--dport ${1000 + v}`) : l));
      versions.push(parseRuleset(cur.join('\n'), { previous: versions[versions.length - 1] }));
    }
    let told = 0;
    for (let a = 0; a < versions.length; a++) {
      for (let b = a; b < versions.length; b++) {
        for (const [tname, t] of versions[b]!.tables) {
          for (const [cname, now] of t.chains) {
            const was = versions[a]!.tables.get(tname)!.chains.get(cname)!;
            const at = replacedSince(now, was);
            assert.ok(at, `${tname} ${cname}: versions ${a} to ${b} are in-place edits`);
            if (at.length) told++;
            const said = new Set(at);
            now.rules.forEach((r, p) => {
              if (!said.has(p)) assert.equal(r, was.rules[p], `${tname} ${cname} position ${p}: not said to be replaced from version ${a} to ${b}, but another rule`);
            });
            for (const p of at) assert.ok(p >= 0 && p < now.rules.length);
          }
        }
      }
    }
    assert.ok(told > 6, `replaced positions were told ${told} times`);
    // a chain of a fresh parse was not made from the earlier one: not known
    const fresh = parseRuleset(cur.join('\n'));
    const edited = [...fresh.tables.values()].flatMap((t) => [...t.chains.values()]).filter((c) => c.rules.length);
    for (const c of edited) assert.equal(replacedSince(c, versions[0]!.tables.get(c.table)!.chains.get(c.name)!), undefined, c.name);
  });

  it('a line inserted: every line above it keeps its node, its own block included (where a block ends belongs to the version), and the tables below it hold the moved nodes', () => {
    const before = parseRuleset(text);
    const edited = [...lines.slice(0, at), '-A KUBE-NODEPORTS -p tcp --dport 4711 -j ACCEPT', ...lines.slice(at)];
    const after = parseRuleset(edited.join('\n'), { previous: before });
    const own = after.lines.get(at)!.kind === 'command' ? (after.lines.get(at) as { block?: TableBlock }).block! : undefined;
    assert.ok(own && own.line > 0);
    assert.equal(own, before.lines.get(own.line), 'the block of the line put in is the previous one');
    assert.equal(after.blockEnds.get(own)!.endLine, before.blockEnds.get(own)!.endLine + 1);
    let kept = 0;
    for (let i = 0; i < at; i++) {
      assert.equal(after.lines.get(i), before.lines.get(i), `line ${i}`);
      if (before.lines.get(i)!.kind === 'command') kept++;
    }
    assert.ok(kept > 10);
    // the tables of blocks above the insertion are the previous objects; the others hold the new nodes
    for (const [name, t] of after.tables) {
      const above = t.blocks.every((b) => after.blockEnds.get(b)!.endLine < own.line);
      if (above) assert.equal(t, before.tables.get(name), name);
      else {
        assert.notEqual(t, before.tables.get(name), name);
        for (const c of t.chains.values()) for (const r of c.rules) assert.equal(after.lines.get(r.line), r, `${name} ${c.name}`);
      }
    }
    assert.deepEqual(view(after), view(parseRuleset(edited.join('\n'))));
  });

  it('chain lines moved by a line put in or taken out: their findings moved with them, and those the new place gives them', () => {
    // (a user chain with a policy, a name too long, one without a finding; below them a second
    // table whose chain lines come after a COMMIT that a line put in above can take away)
    const file = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -j ACCEPT', ':FINE - [0:0]', ':POLICED DROP [0:0]', `:${'N'.repeat(29)} - [0:0]`, '-A FINE -j RETURN', 'COMMIT', '*nat', ':PREROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':DNAT-IN - [0:0]', 'COMMIT', ''];
    const before = parseRuleset(file.join('\n'));
    assert.deepEqual(before.findings.map((f) => `${f.code}@${f.span.line}`).sort(), ['chain-name@5', 'chain-policy@4'], 'the findings before');
    for (const [name, edited] of [
      ['a rule put in above them', [...file.slice(0, 3), '-A INPUT -s 10.0.0.1 -j DROP', ...file.slice(3)]],
      ['a rule taken out above them', [...file.slice(0, 2), ...file.slice(3)]],
      // the chain lines after it are outside any open block now
      ['a COMMIT put in above them', [...file.slice(0, 3), 'COMMIT', ...file.slice(3)]],
      // POSTROUTING is no chain of filter: its policy says nothing there
      ['a table line put in between', [...file.slice(0, 10), '*filter', ...file.slice(10)]],
    ] as const) {
      const after = parseRuleset(edited.join('\n'), { previous: before });
      assert.deepEqual(view(after), view(parseRuleset(edited.join('\n'))), name);
    }
  });

  it('a line inserted or deleted: the lines below it are not read again but moved, with the parts of their previous nodes', () => {
    const bad = '-A INPUT -p tcp --dprot 22 -j ACCEPT';
    // (a line of counters that are no pair, and one of more words than iptables-restore reads:
    // their findings are the reader's, not the parser's)
    const long = `-A INPUT -p tcp${' -m comment --comment x'.repeat(90)} -j ACCEPT`;
    const file = ['*filter', ':INPUT ACCEPT [0:0]', ':LOGS - [0:0]', '-A INPUT -p tcp --dport 80 -j ACCEPT', bad, '# note', '', '[12] -A INPUT -p udp --dport 53 -j ACCEPT', long, '-A INPUT -j LOGS', 'COMMIT', '*raw', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -p udp -j CT --notrack', 'COMMIT', ''];
    const before = parseRuleset(file.join('\n'));
    for (const [name, edited, shift] of [
      ['insert', [...file.slice(0, 3), '-A INPUT -s 10.0.0.1 -j DROP', ...file.slice(3)], 1],
      ['delete', [...file.slice(0, 3), ...file.slice(4)], -1],
    ] as const) {
      const after = parseRuleset(edited.join('\n'), { previous: before });
      for (let i = 4; i < file.length; i++) {
        const was = before.lines.get(i)!;
        const now = after.lines.get(i + shift)!;
        assert.equal(now.kind, was.kind, `${name} line ${i}`);
        assert.equal(was.line, i, `${name}: the previous version's node of line ${i} keeps its line`);
        if (now.kind !== 'command' || was.kind !== 'command') continue;
        // the parts made by reading the line are the previous node's, the option list too (what
        // is kept by it holds no line, or says which: see incremental-analysis and
        // semantic-tokens tests)
        assert.equal(now.matches, was.matches, `${name} line ${i}`);
        assert.equal(now.command, was.command, `${name} line ${i}`);
        assert.equal(now.target, was.target, `${name} line ${i}`);
        assert.equal(now.options, was.options, `${name} line ${i}`);
      }
      // the parser's finding on the moved line moved with it, and the reader's
      assert.deepEqual(after.findings.filter((f) => f.code === 'unknown-option').map((f) => f.span.line), [4 + shift], name);
      assert.deepEqual(after.findings.filter((f) => f.code === 'counters').map((f) => f.span.line), [7 + shift], name);
      assert.deepEqual(after.findings.filter((f) => f.code === 'syntax').map((f) => f.span.line), [8 + shift], name);
      assert.deepEqual(view(after), view(parseRuleset(edited.join('\n'))), name);
    }
  });

  it('a line put in and taken out again: the rules below it have the nodes they were read as, and the version reads as a fresh parse', () => {
    // (the lines checked lie chunks below the edit: those of its own chunk are read again)
    const rules = Array.from({ length: 3 * CHUNK_SIZE }, (_, k) => `-A INPUT -p tcp --dport ${k + 1} -j ACCEPT`);
    const file = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -p tcp --dport 80 -j ACCEPT', ...rules, '', ':LOGS - [0:0]', '-A INPUT -j LOGS', '-A LOGS -j LOG', 'COMMIT', ''];
    const first = parseRuleset(file.join('\n'));
    const put = parseRuleset([...file.slice(0, 3), '-A INPUT -s 10.0.0.1 -j DROP', ...file.slice(3)].join('\n'), { previous: first });
    const back = parseRuleset(file.join('\n'), { previous: put });
    for (const i of [3, CHUNK_SIZE + 5, file.length - 7, file.length - 4, file.length - 3]) {
      assert.equal(first.lines.get(i)!.kind, 'command');
      assert.notEqual(put.lines.get(i + 1), first.lines.get(i), `line ${i}: moved, another node`);
      assert.equal(back.lines.get(i), first.lines.get(i), `line ${i}: back on its line, the node it was read as`);
    }
    assert.deepEqual(view(back), view(parseRuleset(file.join('\n'))));
  });

  it('rules inserted or deleted: the tables are the previous ones with the moved nodes and the new rules in place, as a fresh build has them', () => {
    const file = ['*filter', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':LOGS - [0:0]', ':QUIET - [0:0]', '-A OUTPUT -o lo -j ACCEPT', '-A QUIET -j DROP', '-A INPUT -p tcp --dport 80 -j ACCEPT', '-A INPUT -j LOGS', '-A LOGS -j LOG', '-A INPUT -j QUIET', 'COMMIT', '*raw', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -p udp -j CT --notrack', 'COMMIT', ''];
    const before = parseRuleset(file.join('\n'));
    const at = file.indexOf('-A INPUT -j LOGS');
    const steps: [string, string[]][] = [
      ['a jump inserted', [...file.slice(0, at), '-A INPUT -s 10.0.0.1 -j LOGS', ...file.slice(at)]],
      ['a jump deleted', file.filter((_, i) => i !== at)],
      ['a comment and a blank line inserted', [...file.slice(0, at), '# note', '', ...file.slice(at)]],
      ['a rule without a command inserted', [...file.slice(0, at), '-p tcp', ...file.slice(at)]],
      ['a rule into a chain of the other table', [...file.slice(0, 14), '-A PREROUTING -p tcp --dport 53 -j CT --notrack', ...file.slice(14)]],
    ];
    for (const [name, edited] of steps) {
      const after = parseRuleset(edited.join('\n'), { previous: before });
      assert.deepEqual(view(after), view(parseRuleset(edited.join('\n'))), name);
      const filter = after.tables.get('filter')!;
      const was = before.tables.get('filter')!;
      for (const c of filter.chains.values()) for (const r of c.rules) assert.equal(after.lines.get(r.line), r, `${name}: ${c.name}`);
      // the jump graph is the previous one unless a jump was put in or taken out
      if (name.startsWith('a jump')) assert.notEqual(filter.jumps, was.jumps, name);
      else assert.equal(filter.jumps, was.jumps, name);
      // a table above the edit is the previous object
      if (name.includes('other table')) assert.equal(filter, was, name);
      else assert.equal(after.tables.get('raw')!.chains.get('PREROUTING')!.rules[0], after.lines.get(edited.indexOf('-A PREROUTING -p udp -j CT --notrack')), name);
    }
    // a chain declared, a rule before the table header, a rule of another command: built afresh, and still right
    for (const edited of [
      [...file.slice(0, at), ':NEW - [0:0]', ...file.slice(at)],
      ['-A INPUT -j ACCEPT', ...file],
      [...file.slice(0, at), '-I INPUT -j ACCEPT', ...file.slice(at)],
      [...file.slice(0, 5), '-A INPUT -j LATER', ':LATER - [0:0]', ...file.slice(5)],
    ]) {
      const after = parseRuleset(edited.join('\n'), { previous: before });
      assert.deepEqual(view(after), view(parseRuleset(edited.join('\n'))), edited.join(' | '));
    }
  });

  it('a table whose block is above a line put in, with a rule of it in a later block (-t): its rule moves, the table below the edit is left as it was', () => {
    // (iptables-restore refuses -t in a restore file; the table the rule names still holds it)
    const file = ['*mangle', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -j ACCEPT', 'COMMIT', '*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -p tcp -j ACCEPT', '-A PREROUTING -t mangle -p udp -j DROP', 'COMMIT', '*raw', ':OUTPUT ACCEPT [0:0]', '-A OUTPUT -j ACCEPT', 'COMMIT', ''];
    const before = parseRuleset(file.join('\n'));
    assert.deepEqual(before.tables.get('mangle')!.chains.get('PREROUTING')!.rules.map((r) => r.line), [2, 7]);
    for (const at of [5, 6, 8]) {
      const edited = [...file.slice(0, at), '# put in', ...file.slice(at)];
      const after = parseRuleset(edited.join('\n'), { previous: before });
      assert.deepEqual(view(after), view(parseRuleset(edited.join('\n'))), `a line put in at ${at}`);
      // (below the -t rule, the mangle table is the previous object)
      if (at === 8) assert.equal(after.tables.get('mangle'), before.tables.get('mangle'));
      else assert.deepEqual(after.tables.get('mangle')!.chains.get('PREROUTING')!.rules.map((r) => r.line), [2, 8]);
    }
  });

  it('a kept line keeps the findings that come from its own text: a malformed counter pair, more words than iptables-restore reads', () => {
    const long = `-A INPUT ${Array.from({ length: 130 }, (_, i) => `-m comment --comment c${i}`).join(' ')} -j ACCEPT`;
    const file = ['*filter', ':INPUT ACCEPT [0:0]', '[1:x] -A INPUT -p tcp --dport 22 -j ACCEPT', long, '-A INPUT -p tcp --dport 80 -j ACCEPT', 'COMMIT', ''];
    const before = parseRuleset(file.join('\n'));
    const codes = (rs: Ruleset) => rs.findings.map((f) => `${f.span.line} ${f.code}`).sort();
    assert.deepEqual(codes(before), ['2 counters', '3 syntax']);
    const edited = file.map((l, i) => (i === 4 ? l.replace('80', '443') : l));
    const after = parseRuleset(edited.join('\n'), { previous: before });
    assert.equal(after.lines.get(2), before.lines.get(2));
    assert.deepEqual(codes(after), codes(before));
  });

  it('the family read from the content: kept when its lines are unchanged, read again when one of them or the setting changes', () => {
    const v4 = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -s 10.0.0.1/32 -j ACCEPT', ...Array.from({ length: 5100 }, (_, i) => `-A INPUT -p tcp --dport ${i + 1} -j ACCEPT`), 'COMMIT', ''];
    const before = parseRuleset(v4.join('\n'));
    assert.deepEqual([before.family, before.familySource], ['ipv4', 'default']);
    const steps: [string, (l: string[]) => string[], { family?: 'ipv4' | 'ipv6'; familySource?: 'setting' }, string, string][] = [
      // an IPv6 source within the lines read: IPv6 now, as a fresh parse says
      ['v6 address near the top', (l) => l.map((x, i) => (i === 2 ? '-A INPUT -s 2001:db8::1/128 -j ACCEPT' : x)), {}, 'ipv6', 'content'],
      // past the lines read: nothing changes
      ['v6 address past line 5000', (l) => l.map((x, i) => (i === 5050 ? '-A INPUT -s 2001:db8::2/128 -j ACCEPT' : x)), {}, 'ipv4', 'default'],
      // the same lines with a setting: the setting decides
      ['setting', (l) => l, { family: 'ipv6', familySource: 'setting' }, 'ipv6', 'setting'],
    ];
    for (const [name, edit, opts, family, source] of steps) {
      const text = edit(v4).join('\n');
      const after = parseRuleset(text, { ...opts, previous: before });
      assert.deepEqual([after.family, after.familySource], [family, source], name);
      const fresh = parseRuleset(text, opts);
      assert.deepEqual([fresh.family, fresh.familySource], [family, source], name);
    }
  });

  it('a COMMIT added in the middle of a block: the lines after it are outside the block, as a fresh parse reads them', () => {
    const before = parseRuleset(text);
    const edited = lines.map((l, i) => (i === at ? 'COMMIT' : l));
    const after = parseRuleset(edited.join('\n'), { previous: before });
    assert.ok(after.findings.some((f) => f.code === 'outside-table' && f.span.line === at + 1));
    const own = (after.lines.get(at) as { block?: TableBlock }).block!;
    assert.equal(after.blockEnds.get(own)!.commitLine, at);
    assert.deepEqual(view(after), view(parseRuleset(edited.join('\n'))));
  });
});

describe('incremental parse: the lines an edit only moved are made when first read', function () {
  this.timeout(120_000);

  /** A file of several chunks of lines, with lines below the first chunk that a moving edit reads again (findings, comments, counters, headers). */
  function manyChunks(rng: Rng): string[] {
    // (a Docker-like file: a filter block of some 2 000 lines, then a nat block)
    const lines = generateRuleset({ kind: 'docker', family: 'ipv4', rules: 5000, seed: 11 }).text.split('\n');
    const odd = [
      '# a comment',
      '',
      '   ',
      '[3:4] -A FORWARD -j RETURN',
      '[x:y] -A FORWARD -j RETURN',
      '-A FORWARD -m comment --comment "never closed',
      '-A FORWARD --no-such-option 1',
      '-A FORWARD',
      ':DOCKER-WIDE - [0:0] and more words',
    ];
    // inside the blocks only, away from their headers and COMMITs
    for (let k = 0; k < 60; k++) {
      const at = rng.int(CHUNK_SIZE, lines.length - 3);
      if (/^(\*|COMMIT|:)/.test(lines[at - 1]!) || /^(\*|COMMIT)/.test(lines[at]!)) continue;
      lines.splice(at, 0, rng.pick(odd));
    }
    return lines;
  }

  it('versions edited again and again, none of them read, then read in any order: each as a fresh parse of its text', () => {
    const rng = new Rng(0x1a27);
    const base = manyChunks(rng);
    let lines = ChunkedArray.of(base);
    let prev = parseRuleset('', { lines });
    prev.lines.toArray();
    const versions: { rs: Ruleset; lines: ChunkedArray<string> }[] = [];
    let lazy = 0;
    for (let v = 0; v < 30; v++) {
      const n = lines.length - 1;
      // mostly a rule copied in or taken out, in the first chunk or anywhere (a chain line put in
      // or taken out builds the tables again, which reads every line); now and then a header, a
      // COMMIT or an odd line put in (the state the lines below are read in changes)
      const aRule = (from: number, to: number): number => {
        for (let k = 0; k < 1000; k++) {
          const i = rng.int(from, to);
          if (lines.get(i)!.startsWith('-A ')) return i;
        }
        return to;
      };
      const kind = rng.int(0, 11);
      const commit = lines.toArray().findIndex((l, i) => l === 'COMMIT' && i < CHUNK_SIZE);
      const at = kind < 8 ? aRule(3, rng.chance(0.5) ? 2 * CHUNK_SIZE : n - 1) : kind === 11 && commit > 0 ? commit : rng.int(3, 2 * CHUNK_SIZE);
      const put = kind < 5 ? [lines.get(aRule(3, n - 1))!] : kind < 8 || kind === 11 ? [] : [rng.pick(['COMMIT', 'COMMIT', '*filter', '# note', '-A FORWARD --bad', ':DOCKER-NEW - [0:0]'])];
      const removed = put.length ? 0 : 1;
      const made = lines.splice(at, at + removed, put);
      noteSplice(made, lines, at, removed, put.length);
      const rs = parseRuleset('', { lines: made, previous: prev });
      if (rs.lines.unmade > 0) lazy++;
      versions.push({ rs, lines: made });
      // now and then a line of some version is read (part of it made, the rest not)
      if (rng.chance(0.3)) {
        const { rs: r } = rng.pick(versions);
        r.lines.get(rng.int(0, r.lines.length - 1));
      }
      lines = made;
      prev = rs;
    }
    assert.ok(lazy >= 8, `${lazy} of 30 versions left lines to be made when read`);
    const order = versions.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order) {
      const { rs, lines: l } = versions[k]!;
      assert.deepEqual(view(rs), view(parseRuleset(l.join('\n'))), `version ${k}`);
    }
  });

  it('a rule put in near the top of a kube-proxy-like file: the chunks below it are made only when read, and hold what a fresh parse holds', () => {
    const text = generateRuleset({ kind: 'kube', family: 'ipv4', rules: 3000, seed: 5 }).text;
    const before = parseRuleset(text);
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('-A KUBE-SERVICES'));
    const edited = [...lines.slice(0, at), '-A KUBE-SERVICES -d 10.96.0.99/32 -p tcp --dport 80 -j ACCEPT', ...lines.slice(at)];
    const after = parseRuleset(edited.join('\n'), { previous: before });
    const chunks = Math.ceil(edited.length / CHUNK_SIZE);
    assert.ok(after.lines.unmade >= chunks - Math.ceil((at + 2) / CHUNK_SIZE), `${after.lines.unmade} of ${chunks} chunks not made`);
    // the nodes of a moved chain are the list's, made on the way
    const sep = [...after.tables.get('nat')!.chains.values()].find((c) => c.name.startsWith('KUBE-SEP') && c.rules.length && c.rules[0]!.line > 2 * CHUNK_SIZE)!;
    for (const r of sep.rules) assert.equal(after.lines.get(r.line), r);
    assert.deepEqual(view(after), view(parseRuleset(edited.join('\n'))));
  });
});
