/** Document symbols (outline) over stdio. */
import { strict as assert } from 'node:assert';
import { fixture, fixtureUri } from '../support/fixtures';
import { withServer } from '../support/lsp-client';
import { editOneLine, generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { MAX_CHAIN_SYMBOLS, MAX_RULE_SYMBOLS, MAX_RULES_PER_CHAIN } from '../../server/src/service/symbols';

type Sym = { name: string; kind: number; detail?: string; children?: Sym[] };

describe('protocol: document symbols', function () {
  it('lists tables, chains and rules in a hierarchy', async function () {
    await withServer(async (c) => {
      const uri = fixtureUri('story1.rules');
      await c.openAndDiagnose(uri, 'iptables', fixture('story1.rules'));
      const syms = await c.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
      assert.equal(syms.length, 1);
      assert.equal(syms[0]!.name, '*filter');
      assert.deepEqual(syms[0]!.children!.map((s) => s.name), ['INPUT', 'LOGDROPIN']);
      assert.equal(syms[0]!.children![0]!.children!.length, 3);
      assert.equal(syms[0]!.children![1]!.children!.length, 2);
    });
  });

  it('falls back to a flat list for clients without hierarchy', async function () {
    await withServer(async (c) => {
      const uri = fixtureUri('story4.rules');
      await c.openAndDiagnose(uri, 'iptables', fixture('story4.rules'));
      const syms = await c.request<{ name: string; containerName?: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
      assert.ok(syms.some((s) => s.name === 'INPUT'));
      assert.ok(syms.some((s) => s.containerName === 'OUTPUT'));
    }, {});
  });

  it('outlines a huge file with every table and chain, and says how many rules a chain holds where it cannot list them all', async function () {
    this.timeout(60_000);
    await withServer(async (c) => {
      const text = generateRuleset({ kind: 'firewall', family: 'ipv4', rules: 12_000, seed: 3 }).text;
      const uri = 'file:///tmp/huge-outline.rules';
      await c.openAndDiagnose(uri, 'iptables', text);
      const syms = await c.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
      const chains = syms.flatMap((t) => t.children ?? []);
      const declared = text.split('\n').filter((l) => l.startsWith(':')).length;
      assert.equal(chains.length, declared, 'every declared chain');
      const rules = chains.reduce((n, ch) => n + (ch.children?.length ?? 0), 0);
      assert.ok(rules <= MAX_RULE_SYMBOLS && rules >= MAX_RULE_SYMBOLS / 2, `${rules} rules listed`);
      const blocklist = chains.find((ch) => ch.name === 'BLOCKLIST')!;
      const held = text.split('\n').filter((l) => l.startsWith('-A BLOCKLIST ')).length;
      assert.ok(held > MAX_RULES_PER_CHAIN);
      assert.equal(blocklist.children!.length, MAX_RULES_PER_CHAIN);
      assert.match(blocklist.detail!, new RegExp(`${held} rules, the first ${MAX_RULES_PER_CHAIN} listed here`));
      // a chain that fits is listed whole, without the note
      const small = chains.find((ch) => ch.name.startsWith('NET-') && (ch.children?.length ?? 0) > 0 && !/listed here/.test(ch.detail ?? ''))!;
      assert.equal(small.children!.length, text.split('\n').filter((l) => l.startsWith(`-A ${small.name} `)).length);
    });
  });

  it('lists the first chains of a file of more than it lists, then how many more each table has; workspace symbols find any of them by name', async function () {
    this.timeout(60_000);
    await withServer(async (c) => {
      const n = MAX_CHAIN_SYMBOLS + 100;
      const lines = ['*filter', ':INPUT ACCEPT [0:0]'];
      for (let i = 0; i < n; i++) lines.push(`:SVC-${i} - [0:0]`);
      for (let i = 0; i < n; i++) lines.push(`-A SVC-${i} -s 10.${i >> 16}.${(i >> 8) & 255}.${i & 255} -j RETURN`);
      lines.push('COMMIT', '');
      const uri = 'file:///tmp/many-chains.rules';
      await c.openAndDiagnose(uri, 'iptables', lines.join('\n'));
      const syms = await c.request<(Sym & { range: { start: { line: number } }; selectionRange: { start: { line: number } } })[]>('textDocument/documentSymbol', { textDocument: { uri } });
      const chains = syms[0]!.children!;
      assert.equal(chains.length, MAX_CHAIN_SYMBOLS + 1);
      const more = chains[chains.length - 1]! as (typeof syms)[number];
      assert.equal(more.name, '101 more chains');
      assert.equal(more.kind, 21, 'SymbolKind.Null: not a chain itself');
      // (INPUT and SVC-0 .. SVC-4998 listed: the first left out is declared on line 2 + 4999)
      assert.equal(more.selectionRange.start.line, 2 + MAX_CHAIN_SYMBOLS - 1);
      // the chains left out, and one listed, found by name in every open rules file (not in logs)
      const other = 'file:///tmp/other.rules';
      await c.openAndDiagnose(other, 'iptables', '*nat\n:SVC-5099X - [0:0]\n-A SVC-5099X -j RETURN\nCOMMIT\n');
      await c.openAndDiagnose('file:///tmp/a.log', 'netfilter-log', 'IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 PROTO=TCP SPT=1 DPT=2 SYN\n');
      const found = await c.request<{ name: string; kind: number; containerName: string; location: { uri: string; range: { start: { line: number; character: number } } } }[]>('workspace/symbol', { query: 'svc-5099' });
      assert.deepEqual(
        found.map((f) => [f.name, f.containerName, f.location.uri, f.location.range.start.line, f.location.range.start.character]),
        [
          ['SVC-5099', '*filter', uri, 2 + 5099, 1],
          ['SVC-5099X', '*nat', other, 1, 1],
        ],
      );
      const input = await c.request<{ name: string; kind: number }[]>('workspace/symbol', { query: 'INPUT' });
      assert.deepEqual(input.map((f) => [f.name, f.kind]), [['INPUT', 11]]);
    });
  });

  it('after edits, gives the outline of the edited text read afresh (an outline the edit cannot change is kept)', async function () {
    this.timeout(120_000);
    await withServer(async (c) => {
      // over 5000 rules and a chain of more than 1000: most rule lines are not listed, so most edits keep the outline
      const lines = generateRuleset({ kind: 'firewall', family: 'ipv4', rules: 7000, seed: 12 }).text.split('\n');
      const uri = 'file:///tmp/outline-edits.rules';
      await c.openAndDiagnose(uri, 'iptables', lines.join('\n'));
      await c.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
      const rng = new Rng(0x5717);
      const ruleLines = lines.flatMap((l, i) => (l.startsWith('-A ') ? [i] : []));
      const lastOf = (chain: string) => ruleLines.filter((i) => lines[i]!.startsWith(`-A ${chain} `)).at(-1)!;
      // rules of the long chain past those listed (and before its last): lines the outline does not show
      const unlisted = ruleLines.filter((i) => lines[i]!.startsWith('-A BLOCKLIST ')).slice(MAX_RULES_PER_CHAIN + 100, -100);
      const otherChain = lines.find((l) => l.startsWith(':NET-'))!.slice(1).split(' ')[0]!;
      // what each edit does to the outline: nothing (a rule it does not list), a listed rule's
      // name, a chain's range (its last rule longer), a jump count, and a chain's rule count
      const edits: (() => { line: number; text: string })[] = [
        () => editOneLine(lines, rng),
        () => {
          const i = unlisted[rng.int(0, unlisted.length - 1)]!;
          return { line: i, text: lines[i]!.replace(/ -j /, ' -p tcp -j ') };
        },
        () => ({ line: ruleLines[3]!, text: lines[ruleLines[3]!]!.replace(/-j \S+/, '-j REJECT') }),
        () => ({ line: lastOf('BLOCKLIST'), text: `${lines[lastOf('BLOCKLIST')]!} -m comment --comment "last of its chain"` }),
        () => {
          const i = unlisted[rng.int(0, unlisted.length - 1)]!;
          return { line: i, text: lines[i]!.replace(/-j \S+/, `-j ${otherChain}`) };
        },
        () => {
          const i = unlisted[rng.int(0, unlisted.length - 1)]!;
          return { line: i, text: lines[i]!.replace(/^-A \S+/, '-A INPUT') };
        },
      ];
      let version = 1;
      for (let round = 0; round < 2; round++) {
        for (const edit of edits) {
          const e = edit();
          version++;
          await c.replaceLineAndDiagnose(uri, version, e.line, lines[e.line]!.length, e.text);
          lines[e.line] = e.text;
          const now = await c.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
          const freshUri = `file:///tmp/outline-fresh-${version}.rules`;
          await c.openAndDiagnose(freshUri, 'iptables', lines.join('\n'));
          const fresh = await c.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri: freshUri } });
          c.notify('textDocument/didClose', { textDocument: { uri: freshUri } });
          assert.deepEqual(now, fresh, `version ${version}: line ${e.line + 1} -> ${e.text}`);
        }
      }
    });
  });
});
