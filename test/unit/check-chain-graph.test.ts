/** Jump loops and hook restrictions through user chains (analysis/chain-graph.ts). */
import { strict as assert } from 'node:assert';
import { Rng } from '../../bench/gen/rng';
import { checkChainGraph, findLoops, hookStats, reachability, reachStats } from '../../server/src/analysis/chain-graph';
import type { Rule, Table } from '../../server/src/model/ruleset';
import { parseRuleset, rulesetEdit } from '../../server/src/parser/ruleset-parser';
import { findings } from '../support/analyse';

describe('chain graph: loops and hooks through user chains', function () {
  it('refuses a loop reachable from a built-in chain, not an unreferenced one', function () {
    const loop = '*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\n-A INPUT -j A\nCOMMIT\n';
    const f = findings(loop, 'jump-loop');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /A -> B -> A/);
    assert.deepEqual(findings(loop.replace('-A INPUT -j A\n', ''), 'jump-loop'), []);
  });
  it('refuses a hook-restricted target in a user chain reached from the wrong hook', function () {
    const t = '*mangle\n:FOO - [0:0]\n-A FOO -j REJECT\n-A INPUT -j FOO\nCOMMIT\n';
    assert.ok(findings(t).some((x) => x.code === 'target-table'));
    const owner = '*filter\n:FOO - [0:0]\n-A FOO -m owner --uid-owner 0\n-A INPUT -j FOO\nCOMMIT\n';
    assert.equal(findings(owner, 'match-hook').length, 1);
    assert.deepEqual(findings(owner.replace('-A INPUT -j FOO', '-A OUTPUT -j FOO'), 'match-hook'), []);
  });
  it('warns about a hook-restricted match option in a user chain (legacy refuses, nft loads)', function () {
    const t = '*filter\n:FOO - [0:0]\n-A FOO -m addrtype --dst-type LOCAL --limit-iface-in\n-A OUTPUT -j FOO\nCOMMIT\n';
    const f = findings(t, 'match-hook');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'warning');
  });
  it('warns about an interface option in a user chain reached only from hooks where it cannot match', function () {
    const t = (rule: string, from: string) => `*filter\n:FOO - [0:0]\n-A FOO ${rule} -j ACCEPT\n${from}COMMIT\n`;
    const i = findings(t('-i eth0', '-A OUTPUT -j FOO\n'), 'interface-direction');
    assert.deepEqual(i.map((f) => [f.severity, f.message]), [['warning', '-i never matches here: FOO is reached only from OUTPUT, where packets have no incoming interface']]);
    const o = findings(t('-o eth0', '-A INPUT -j FOO\n'), 'interface-direction');
    assert.deepEqual(o.map((f) => [f.severity, f.message]), [['warning', '-o never matches here: FOO is reached only from INPUT, before the outgoing interface is known']]);
    // reached from a hook where the interface is known too, or with the interface that hook has
    assert.deepEqual(findings(t('-i eth0', '-A OUTPUT -j FOO\n-A INPUT -j FOO\n'), 'interface-direction'), []);
    assert.deepEqual(findings(t('-o eth0', '-A OUTPUT -j FOO\n'), 'interface-direction'), []);
    assert.deepEqual(findings(t('-i eth0', '-A INPUT -j FOO\n'), 'interface-direction'), []);
  });
  it('after edits that rewrite rules of a long user chain in place, finds what a fresh check finds', function () {
    // (a chain rewritten in place is checked again only at its rules that changed)
    const rng = new Rng(0x400c);
    const variants = ['-p tcp -j ACCEPT', '-m owner --uid-owner 0 -j ACCEPT', '-i eth0 -j DROP', '-o eth1 -j DROP', '-m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT', '-j LOG'];
    const lines = ['*filter', ':FOO - [0:0]', ':BAR - [0:0]', ...Array.from({ length: 60 }, (_, i) => `-A ${i % 3 ? 'FOO' : 'BAR'} ${variants[i % variants.length]}`), '-A INPUT -j FOO', '-A OUTPUT -j FOO', '-A FORWARD -j BAR', 'COMMIT', ''];
    let prev = parseRuleset(lines.join('\n'));
    checkChainGraph(prev);
    let inPlace = 0;
    let found = 0;
    for (let v = 0; v < 80; v++) {
      for (let k = rng.int(1, 3); k > 0; k--) {
        const at = rng.int(3, 62);
        lines[at] = lines[at]!.replace(/^(-A \S+ ).*$/, `$1${variants[rng.int(0, variants.length - 1)]}`);
      }
      const inc = parseRuleset(lines.join('\n'), { previous: prev });
      if (rulesetEdit(inc)) inPlace++;
      const got = checkChainGraph(inc);
      assert.deepEqual(got, checkChainGraph(parseRuleset(lines.join('\n'))), `version ${v}`);
      found += got.length;
      prev = inc;
    }
    assert.ok(inPlace > 60 && found > 200, `${inPlace} edits in place, ${found} findings`);
  });
  it('after rules put in or taken out of a long user chain, finds what a fresh check finds, keeping the findings of the rules above', function () {
    // (the chain's findings are moved with their lines and only a rule put in is checked: the
    // findings above the edit stay the objects they were)
    const rng = new Rng(0x5a1f);
    const variants = ['-p tcp -j ACCEPT', '-m owner --uid-owner 0 -j ACCEPT', '-i eth0 -j DROP', '-o eth1 -j DROP', '-m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT', '-j LOG', '-s 10.0.0.1 -j DROP'];
    const lines = ['*filter', ':FOO - [0:0]', ':BAR - [0:0]', ...Array.from({ length: 60 }, (_, i) => `-A ${i % 3 ? 'FOO' : 'BAR'} ${variants[i % variants.length]}`), '-A INPUT -j FOO', '-A OUTPUT -j FOO', '-A FORWARD -j BAR', 'COMMIT', ''];
    let prev = parseRuleset(lines.join('\n'));
    let before = checkChainGraph(prev);
    let kept = 0;
    for (let v = 0; v < 80; v++) {
      const at = rng.int(3, lines.length - 6);
      const chain = rng.pick(['FOO', 'BAR']);
      if (rng.chance(0.5) && lines.length > 40) lines.splice(at, 1);
      else lines.splice(at, 0, rng.chance(0.2) ? '# moved' : `-A ${chain} ${rng.pick(variants)}`);
      const inc = parseRuleset(lines.join('\n'), { previous: prev });
      const got = checkChainGraph(inc);
      assert.deepEqual(got, checkChainGraph(parseRuleset(lines.join('\n'))), `version ${v}`);
      const above = before.filter((f) => f.span.line < at);
      if (above.length && above.every((f) => got.includes(f))) kept++;
      prev = inc;
      before = got;
    }
    assert.ok(kept > 50, `findings above the edit kept after ${kept} of 80 edits`);
  });
  it('after lines put in or taken out above and among the jumps, finds what a fresh check finds (loops and hook findings on their moved lines)', function () {
    const rng = new Rng(0x11e5);
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]', ':C - [0:0]', '-A INPUT -j A', '-A A -p tcp -j B', '-A B -i eth0 -j C', '-A C -j A', '-A OUTPUT -j C', '-A C -j REJECT --reject-with tcp-reset -p tcp', 'COMMIT', ''];
    let prev = parseRuleset(lines.join('\n'));
    checkChainGraph(prev);
    let loopsSeen = 0;
    const cur = lines.slice();
    for (let v = 0; v < 40; v++) {
      // a comment, a rule without a jump, or (now and then) a jump put in or taken out
      const at = rng.int(6, cur.length - 3);
      const kind = rng.int(0, 5);
      if (kind === 0) cur.splice(at, 0, '# moved');
      else if (kind === 1) cur.splice(at, 0, `-A ${rng.pick(['A', 'B', 'C', 'INPUT'])} -s 10.0.0.${v} -j DROP`);
      else if (kind === 2) cur.splice(at, 0, `-A ${rng.pick(['A', 'B', 'C'])} -j ${rng.pick(['A', 'B', 'C'])}`);
      else if (/^(# moved|-A \S+ -s 10\.)/.test(cur[at]!)) cur.splice(at, 1);
      else cur.splice(at, 0, '');
      const inc = parseRuleset(cur.join('\n'), { previous: prev });
      const got = checkChainGraph(inc);
      assert.deepEqual(got, checkChainGraph(parseRuleset(cur.join('\n'))), `version ${v}: ${cur.join(' | ')}`);
      if (got.some((f) => f.code === 'jump-loop')) loopsSeen++;
      prev = inc;
    }
    assert.ok(loopsSeen > 20, `${loopsSeen} versions with a loop`);
  });
  it('after jumps put in or taken out by inserted and deleted lines, finds what a fresh check finds (reach kept, changed, loops closed and opened)', function () {
    // a graph without loops, rules that only some hooks allow: the hooks reaching a chain decide
    // the findings; lines put in and taken out add and remove jumps, which keep the reach, change
    // it (the only jump to a chain goes) or close a loop
    const rng = new Rng(0x5eac);
    const names = ['A', 'B', 'C', 'D', 'E', 'F'];
    const cur = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...names.map((n) => `:${n} - [0:0]`)];
    const firstRule = cur.length;
    cur.push('-A INPUT -j A', '-A OUTPUT -j B', '-A FORWARD -j C', '-A A -j D', '-A B -j D', '-A C -j E', '-A D -i eth0 -j ACCEPT', '-A D -o eth1 -j DROP', '-A E -m owner --uid-owner 0 -j ACCEPT', '-A F -j ACCEPT', 'COMMIT', '');
    const bodies = ['-i eth0 -j ACCEPT', '-o eth1 -j DROP', '-m owner --uid-owner 0 -j ACCEPT', '-p tcp -j DROP'];
    let prev = parseRuleset(cur.join('\n'));
    checkChainGraph(prev);
    const carried = reachStats.carried;
    const updated = reachStats.updated;
    let loopsSeen = 0;
    let findingsSeen = 0;
    for (let v = 0; v < 150; v++) {
      const at = rng.int(firstRule, cur.length - 2);
      const kind = rng.int(0, 3);
      if (kind === 0) cur.splice(at, 0, `-A ${rng.pick(['INPUT', 'OUTPUT', 'FORWARD', ...names])} -j ${rng.pick(names)}`);
      else if (kind === 1) cur.splice(at, 0, `-A ${rng.pick(names)} ${rng.pick(bodies)}`);
      else if (at < cur.length - 2) cur.splice(at, 1);
      else cur.splice(at, 0, '# moved');
      const inc = parseRuleset(cur.join('\n'), { previous: prev });
      const got = checkChainGraph(inc);
      const cold = parseRuleset(cur.join('\n'));
      assert.deepEqual(got, checkChainGraph(cold), `version ${v}: ${cur.slice(firstRule).join(' | ')}`);
      // (the hooks reaching every chain, kept, updated or worked out anew, as a fresh reading has them)
      const hooksOf = (rs: typeof inc) => Object.fromEntries(names.map((n) => [n, [...(reachability(rs.tables.get('filter')!).hooks.get(n) ?? [])]]));
      assert.deepEqual(hooksOf(inc), hooksOf(cold), `version ${v}: the hooks reaching each chain`);
      if (got.some((f) => f.code === 'jump-loop')) loopsSeen++;
      findingsSeen += got.length;
      prev = inc;
    }
    assert.ok(loopsSeen > 10 && findingsSeen > 100, `${loopsSeen} versions with a loop, ${findingsSeen} findings`);
    assert.ok(reachStats.carried - carried > 20, `${reachStats.carried - carried} versions kept the reach across a jump put in or taken out`);
    assert.ok(reachStats.updated - updated > 10, `${reachStats.updated - updated} versions had the reach updated`);
  });
  it('a jump put in from another hook reaches its chain, after any number of jumps to it from the hooks it had', function () {
    // (the reach of the version before was updated for the chains the edit renewed; a look at the
    // jumps to X that stopped once it had seen INPUT's kept X reached from INPUT alone)
    const lines = (more: string[]) => ['*filter', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':X - [0:0]', '-A INPUT -p tcp -j X', '-A INPUT -p udp -j X', ...more, '-A X -o eth1 -j DROP', 'COMMIT', ''].join('\n');
    for (const more of [['-A OUTPUT -j X'], ['-A INPUT -j X', '-A OUTPUT -j X'], ['-A OUTPUT -g X']]) {
      const before = parseRuleset(lines([]));
      checkChainGraph(before);
      const after = parseRuleset(lines(more), { previous: before });
      assert.deepEqual([...reachability(after.tables.get('filter')!).hooks.get('X')!], ['INPUT', 'OUTPUT'], more.join(' | '));
      assert.deepEqual(checkChainGraph(after), checkChainGraph(parseRuleset(lines(more))), more.join(' | '));
    }
  });
  it('after a jump put in or taken out, checks again only the rules of long chains whose hooks changed', function () {
    // LONG (reached from INPUT) says -o cannot match in 10 of its 30 rules; jumps to it and to
    // OTHER are put in above its rules (moving them) and taken out again
    const head = ['*filter', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':LONG - [0:0]', ':OTHER - [0:0]', '-A INPUT -j LONG'];
    const body = [...Array.from({ length: 30 }, (_, i) => `-A LONG ${i % 3 ? '-p tcp -j ACCEPT' : `-o eth${i} -j DROP`}`), '-A OTHER -j ACCEPT', 'COMMIT', ''];
    let prev = parseRuleset([...head, ...body].join('\n'));
    checkChainGraph(prev);
    const step = (jumps: string[]) => {
      const text = [...head, ...jumps, ...body].join('\n');
      const before = hookStats.rulesChecked;
      const inc = parseRuleset(text, { previous: prev });
      const got = checkChainGraph(inc);
      const checked = hookStats.rulesChecked - before;
      assert.deepEqual(got, checkChainGraph(parseRuleset(text)), jumps.join(' | '));
      prev = inc;
      return { got, checked };
    };
    // the hooks reaching LONG stay INPUT's: its findings move with their lines, none checked again
    const more = step(['-A INPUT -p udp -j LONG']);
    assert.equal(more.got.filter((f) => f.code === 'interface-direction').length, 10);
    assert.equal(more.checked, 0);
    // (OTHER, reached from INPUT now, has its one rule checked)
    assert.equal(step(['-A INPUT -p udp -j LONG', '-A INPUT -j OTHER']).checked, 1);
    // reached from OUTPUT too: the outgoing interface is known there, every rule is checked again
    const both = step(['-A OUTPUT -j LONG']);
    assert.equal(both.got.filter((f) => f.code === 'interface-direction').length, 0);
    assert.equal(both.checked, 30);
    assert.equal(step([]).got.filter((f) => f.code === 'interface-direction').length, 10);
  });
  it('finds the hooks reaching each chain and the loops of random jump graphs as a plain walk by name does', function () {
    // (the walks run over chain positions and typed arrays; this reference follows names through
    // the table the obvious way, recursively)
    const rng = new Rng(0x10095);
    let loops = 0;
    let reached = 0;
    for (let g = 0; g < 60; g++) {
      const n = rng.int(2, 14);
      const names = Array.from({ length: n }, (_, i) => `C${i}`);
      const lines = ['*filter', ...names.map((c) => `:${c} - [0:0]`)];
      for (const from of [...names, 'INPUT', 'FORWARD', 'OUTPUT']) {
        for (let k = rng.int(0, 3); k > 0; k--) {
          const to = rng.int(0, 9) === 0 ? 'MISSING' : rng.pick(names);
          lines.push(`-A ${from} ${rng.int(0, 1) ? '-j' : '-g'} ${to}`);
        }
      }
      lines.push('COMMIT', '');
      const table = parseRuleset(lines.join('\n')).tables.get('filter')!;
      const hooks = reachability(table).hooks;
      for (const c of table.chains.values()) {
        const want = ['INPUT', 'FORWARD', 'OUTPUT'].filter((h) => reachesByName(table, h, c.name));
        assert.deepEqual([...hooks.get(c.name)!], c.builtin ? [c.name] : want, `graph ${g}, chain ${c.name}`);
        reached += want.length;
      }
      const got = findLoops(table).map((f) => [f.span.line, f.message]);
      assert.deepEqual(got, loopsByName(table), `graph ${g}`);
      loops += got.length;
    }
    assert.ok(loops > 20 && reached > 100, `${loops} loops, ${reached} chains reached`);
  });
});

/** The user chain a rule jumps or goes to, by name (undefined for a verdict, a missing or a built-in chain). */
function jumpOf(table: Table, r: Rule): string | undefined {
  const t = r.target;
  if (t?.kind !== 'chain') return undefined;
  const c = table.chains.get(t.name);
  return c && !c.builtin ? c.name : undefined;
}

function reachesByName(table: Table, hook: string, name: string, seen = new Set<string>()): boolean {
  if (hook === name) return true;
  if (seen.has(hook)) return false;
  seen.add(hook);
  return table.chains.get(hook)!.rules.some((r) => {
    const to = jumpOf(table, r);
    return to !== undefined && reachesByName(table, to, name, seen);
  });
}

/** Depth first from each built-in chain in table order, rules in order: each jump back onto the path is a loop, reported once with the chains around it. */
function loopsByName(table: Table): [number, string][] {
  const out: [number, string][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const reported = new Set<unknown>();
  const visit = (name: string): void => {
    path.push(name);
    for (const r of table.chains.get(name)!.rules) {
      const to = jumpOf(table, r);
      if (to === undefined || done.has(to)) continue;
      if (path.includes(to)) {
        if (reported.has(r)) continue;
        reported.add(r);
        const cycle = [...path.slice(path.indexOf(to)), to];
        const text = cycle.length <= 12 ? cycle.join(' -> ') : `${cycle.slice(0, 5).join(' -> ')} -> … (${cycle.length - 10} more) … -> ${cycle.slice(-5).join(' -> ')}`;
        out.push([r.line, `jump loop ${text}: the kernel refuses to load a table where a packet could jump in circles ("Too many links")`]);
      } else visit(to);
    }
    path.pop();
    done.add(name);
  };
  for (const c of table.chains.values()) if (c.builtin) visit(c.name);
  return out;
}
