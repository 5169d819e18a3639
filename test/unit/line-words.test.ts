/**
 * A command line's words made again from its nodes (server/src/model/line-words.ts): most lines
 * keep no list of their words, and wordsOf must give back exactly what the tokenizer read.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { nodesHoldExactly, wordsFromNodes, wordsOf } from '../../server/src/model/line-words';
import type { CommandLine, Ruleset } from '../../server/src/model/ruleset';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { tokenizeLine } from '../../server/src/parser/tokenizer';
import { CORPUS, corpusAvailable, skipOrFail } from '../support/corpus';

function commandLines(rs: Ruleset): CommandLine[] {
  return rs.lines.filter((l): l is CommandLine => l.kind === 'command');
}

/** The words of the line as the tokenizer reads them (after the counters, where there are). */
function tokens(text: string, line: CommandLine): string[] {
  const words = tokenizeLine(text, line.counters ? line.counters.end : 0).words;
  return words.map((w) => `${w.start}-${w.end}${w.quoted ? 'q' : ''} ${w.text}`);
}

function shown(line: CommandLine): string[] {
  return wordsOf(line).map((w) => `${w.start}-${w.end}${w.quoted ? 'q' : ''} ${w.text}`);
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('line words: a line made again from its nodes', function () {
  it('keeps no list where its nodes hold every word, and gives the words back in order', function () {
    const rules = [
      '-A INPUT ! -s 10.0.0.1/32 -p tcp --dport 22 -m comment --comment "ssh from the office" -j ACCEPT',
      '-I INPUT 2 -i eth0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport=8080 -j REJECT --reject-with tcp-reset',
      '-A INPUT -m multiport ! --dports 1:1023 -p udp -j DROP',
      '[12:345] -A INPUT -j LOG --log-prefix "in: "',
    ];
    const text = `*filter\n:INPUT ACCEPT [0:0]\n${rules.join('\n')}\nCOMMIT\n`;
    const lines = text.split('\n');
    const cmds = commandLines(parseRuleset(text, { family: 'ipv4' }));
    assert.equal(cmds.length, rules.length);
    for (const c of cmds) {
      assert.equal(c.keptWords, undefined, `line ${c.line} keeps no words: ${lines[c.line]}`);
      assert.deepEqual(shown(c), tokens(lines[c.line]!, c));
    }
  });

  it('keeps its words where its nodes do not hold them all', function () {
    // a -t word in a command file (its table word is kept, the -t itself stands in no node), a
    // stray word, and an option of a module loaded twice
    const text = '-t nat -A POSTROUTING -o eth0 -j MASQUERADE\n-A INPUT stray -j ACCEPT\n';
    const lines = text.split('\n');
    const cmds = commandLines(parseRuleset(text, { family: 'ipv4' }));
    assert.equal(cmds.length, 2);
    for (const c of cmds) {
      assert.ok(c.keptWords, `line ${c.line} keeps its words`);
      assert.deepEqual(shown(c), tokens(lines[c.line]!, c));
    }
  });

  it('answers whether a list is exactly the words of the nodes: the same objects, in order, no more', function () {
    const text = '*filter\n-A INPUT -p tcp -m multiport --dports 80,443 -m comment --comment web -j ACCEPT\nCOMMIT\n';
    const c = commandLines(parseRuleset(text, { family: 'ipv4' }))[0]!;
    const words = wordsFromNodes(c);
    assert.equal(words.length, 14);
    assert.ok(nodesHoldExactly(c, words));
    // an equal copy of one word is another word; one word less, one more, or two swapped is not the list
    for (let k = 0; k < words.length; k++) {
      assert.equal(nodesHoldExactly(c, words.map((w, j) => (j === k ? { ...w } : w))), false, `word ${k} copied`);
    }
    assert.equal(nodesHoldExactly(c, words.slice(1)), false);
    assert.equal(nodesHoldExactly(c, [...words, words[0]!]), false);
    assert.equal(nodesHoldExactly(c, [words[1]!, words[0]!, ...words.slice(2)]), false);
    // asked again after a longer line, a shorter one still compares only its own words
    const long = commandLines(parseRuleset('*filter\n-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m comment --comment "a b" -j LOG --log-prefix x\nCOMMIT\n', { family: 'ipv4' }))[0]!;
    assert.ok(nodesHoldExactly(long, wordsFromNodes(long)));
    assert.ok(nodesHoldExactly(c, words));
  });

  it('gives back the words of every command line of the corpus rulesets', function () {
    if (!corpusAvailable()) return skipOrFail(this, `the shared corpus is not at ${CORPUS}`);
    let compared = 0;
    let kept = 0;
    for (const file of files(path.join(CORPUS, 'dumps'))) {
      const text = readFileSync(file, 'utf8');
      const lines = text.split(/\r?\n/);
      const family = /ip6/.test(path.basename(file)) ? 'ipv6' : 'ipv4';
      for (const c of commandLines(parseRuleset(text, { family }))) {
        assert.deepEqual(shown(c), tokens(lines[c.line]!, c), `${path.relative(CORPUS, file)}:${c.line + 1}`);
        compared++;
        // (listings, XML and markdown are read too, as a user may open them: their lines keep their words)
        if (c.keptWords && !/\.(md|xml)$|\.L\.txt$/.test(file)) kept++;
      }
    }
    assert.ok(compared > 1000, `${compared} lines compared`);
    assert.ok(kept < compared / 50, `${kept} lines of the rules files keep their words`);
  });
});
