/**
 * The node of a command line (server/src/parser/command-line-node.ts): its span is the whole line,
 * made when asked for, and the parts few lines have (counters, a `-t` word, `-4`/`-6`, words kept
 * as read) are read through it as if they were its own; a line with none of them holds none. A
 * line an edit only moved shows the parts of the node it was read as.
 */
import { strict as assert } from 'node:assert';
import { type CommandLine, genericOption, type Ruleset } from '../../server/src/model/ruleset';
import { CommandLineNode, MovedCommandLineNode } from '../../server/src/parser/command-line-node';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';

const LINES = [
  '*filter',
  ':INPUT ACCEPT [0:0]',
  '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
  '[12:3400] -A INPUT -s 10.0.0.0/8 -j DROP',
  '-A INPUT -4 -p udp --dport 53 -j ACCEPT',
  '-A INPUT -p tcp stray -j DROP',
  'COMMIT',
  '',
];
const TEXT = LINES.join('\n');

function commandLines(rs: Ruleset): CommandLine[] {
  return rs.lines.toArray().filter((l): l is CommandLine => l.kind === 'command');
}

/** What a node of one of these lines holds besides its nodes: nothing, for the plain rule. */
function rareOf(c: CommandLine): unknown {
  return (c as unknown as { rare: unknown }).rare;
}

describe('command line nodes', () => {
  const rs = parseRuleset(TEXT);
  const [plain, counted, v4, stray] = commandLines(rs) as [CommandLine, CommandLine, CommandLine, CommandLine];

  it('are one class, whose span is the whole line, a new object each time', () => {
    for (const c of commandLines(rs)) {
      assert.ok(c instanceof CommandLineNode);
      assert.deepEqual(c.span, { line: c.line, start: 0, end: LINES[c.line]!.length });
      assert.notEqual(c.span, c.span, 'the span is not kept');
      assert.equal(Object.keys(c).includes('span'), false);
    }
  });

  it('read counters, -4 and words kept as read through the node; a plain rule holds none', () => {
    assert.equal(rareOf(plain), undefined);
    assert.equal(plain.counters, undefined);
    assert.equal(plain.onlyFamily, undefined);
    assert.equal(plain.keptWords, undefined);
    assert.equal(plain.tableWord, undefined);

    assert.deepEqual(counted.counters && { text: counted.counters.text, start: counted.counters.start, end: counted.counters.end }, { text: '[12:3400]', start: 0, end: 9 });
    assert.equal(counted.onlyFamily, undefined);
    assert.equal(v4.onlyFamily, 'ipv4');
    assert.equal(v4.counters, undefined);
    // a stray word is not held by any option node: the line keeps the words it read
    assert.deepEqual(
      stray.keptWords?.map((w) => w.text),
      ['-A', 'INPUT', '-p', 'tcp', 'stray', '-j', 'DROP'],
    );
  });

  it('give their generic options, in order, from the options they hold, and keep no list of them', () => {
    for (const c of commandLines(rs)) {
      assert.deepEqual(c.generic, c.options.filter((o) => o.owner === 'generic'));
      assert.ok(!Object.keys(c).includes('generic'), 'no list kept');
    }
    assert.deepEqual(plain.generic.map((o) => o.name), ['-p', '-j']);
    assert.equal(genericOption(plain, '-p'), plain.generic[0]);
    assert.equal(genericOption(plain, '--dport'), undefined, 'a match option is not generic');
    assert.equal(genericOption(counted, '-s')?.args[0]?.text, '10.0.0.0/8');
  });

  it('say their kind and chain from the class and the command word, without keeping either', () => {
    for (const c of commandLines(rs)) {
      assert.equal(c.kind, 'command');
      assert.equal(c.chain, c.command?.chain?.text);
      assert.ok(!Object.keys(c).includes('kind') && !Object.keys(c).includes('chain'));
    }
    assert.equal(plain.chain, 'INPUT');
    assert.equal(commandLines(parseRuleset('-t nat -j MASQUERADE\n'))[0]!.chain, undefined, 'no command, no chain');
  });

  it('read a -t word through the node', () => {
    const c = commandLines(parseRuleset('-t nat -A POSTROUTING -o eth0 -j MASQUERADE\n'))[0]!;
    assert.equal(c.tableWord?.text, 'nat');
    assert.equal(c.table, 'nat');
  });

  it('an edit elsewhere leaves a line its node, with its parts', () => {
    const edited = LINES.slice();
    edited[2] = '-A INPUT -p tcp -m tcp --dport 2222 -j ACCEPT';
    const next = parseRuleset(edited.join('\n'), { previous: rs });
    const after = commandLines(next);
    assert.equal(after[1], counted, 'the counted line keeps its node');
    assert.equal(after[1]!.counters?.text, '[12:3400]');
    assert.notEqual(after[0], plain);
    assert.deepEqual(after[0]!.span, { line: 2, start: 0, end: edited[2]!.length });
  });

  it('a line moved by lines put in or taken out above it shows the node it was first read as, and reads as a fresh parse', () => {
    /** Everything a command line says (its parts compared as objects: the moved node shows the same ones). */
    const view = (c: CommandLine) => [c.kind, c.line, c.span, c.table, c.chain, c.block?.name, c.command, c.matches, c.target, c.options, c.generic, c.keptWords, c.tableWord, c.counters, c.onlyFamily];
    /** The same for a fresh parse (other objects: compared by what they hold). */
    const text = (c: CommandLine) => JSON.stringify([c.kind, c.line, c.span, c.table, c.chain, c.block?.name, c.options.map((o) => [o.name, o.args.map((a) => a.text)]), c.target?.name, c.keptWords?.map((w) => w.text), c.tableWord?.text, c.counters?.text, c.onlyFamily]);
    const put = [...LINES.slice(0, 2), '# put in', '# and another', ...LINES.slice(2)];
    const once = parseRuleset(put.join('\n'), { previous: rs });
    const moved = commandLines(once);
    const fresh = commandLines(parseRuleset(put.join('\n')));
    assert.equal(moved.length, 4);
    // (the line with a stray word has a finding of its own: it is read again, a node of its own)
    assert.ok(moved[3] instanceof CommandLineNode && text(moved[3]) === text(fresh[3]!));
    moved.slice(0, 3).forEach((m, i) => {
      const was = commandLines(rs)[i]!;
      assert.ok(m instanceof MovedCommandLineNode, `line ${m.line}: a moved node`);
      assert.equal(m.base, was, 'it shows the node the line was read as');
      assert.deepEqual(view(m), [...view(was).slice(0, 1), was.line + 2, { line: was.line + 2, start: 0, end: was.span.end }, ...view(was).slice(3)]);
      assert.equal(text(m), text(fresh[i]!));
      assert.deepEqual(Object.keys(m).sort(), ['base', 'line'], 'its line and the node: nothing else of its own (the block is the node\'s)');
      assert.equal(m.block, was.block);
    });
    // lines put in above the table's header: the block is another node, which the moved node holds
    const above = ['# above', ...put];
    const below = commandLines(parseRuleset(above.join('\n'), { previous: once }));
    const freshAbove = commandLines(parseRuleset(above.join('\n')));
    below.slice(0, 3).forEach((m, i) => {
      assert.ok(m instanceof MovedCommandLineNode);
      assert.notEqual(m.block, m.base.block, 'the block moved');
      assert.equal(m.block!.line, 1);
      assert.equal(text(m), text(freshAbove[i]!));
      assert.deepEqual(Object.keys(m).sort(), ['base', 'line', 'own']);
    });
    // moved again (a line taken out): the node first read, not the moved one
    const twice = parseRuleset(put.filter((l) => l !== '# and another').join('\n'), { previous: once });
    commandLines(twice).slice(0, 3).forEach((m, i) => {
      assert.ok(m instanceof MovedCommandLineNode);
      assert.equal(m.base, commandLines(rs)[i], 'not a node of a node');
      assert.equal(m.line, commandLines(rs)[i]!.line + 1);
    });
    // back on the lines they were read on (both lines taken out again): the nodes read then
    const back = commandLines(parseRuleset(TEXT, { previous: twice }));
    back.slice(0, 3).forEach((m, i) => assert.equal(m, commandLines(rs)[i], `line ${m.line}: the node it was read as`));
    // back on its line under a block whose header moved and came back: another block object, so a moved node
    const header = commandLines(parseRuleset(put.join('\n'), { previous: parseRuleset(above.join('\n'), { previous: once }) }));
    header.slice(0, 3).forEach((m, i) => {
      assert.equal(m.line, commandLines(once)[i]!.line);
      assert.equal(text(m), text(fresh[i]!));
    });
    // other options than the node's: a node of its own
    const other = CommandLineNode.placed(plain, 9, plain.span.end, plain.block, counted.options);
    assert.ok(other instanceof CommandLineNode && other.options === counted.options && other.line === 9);
  });
});
