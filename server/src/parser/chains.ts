/**
 * Applies the file's commands in order to find the chains and rules the kernel ends up with:
 * `*table` blocks flush their table (iptables-restore without --noflush), `:CHAIN` and -N create
 * chains, -A/-I/-R/-D edit rule lists, -F/-X/-P/-E act on chains. Problems iptables-restore would
 * report while doing so (missing chain, index too big...) become findings.
 */
import { findTable } from '../knowledge/tables';
import type { Family } from '../knowledge/types';
import type { Chain, CommandLine, FileFormat, Finding, LineNode, Range, Rule, Table, Word } from '../model/ruleset';
import { findingOnLine, isRule, type MovedLines, movedLine, spanAt } from '../model/ruleset';
import { ChainMap, type LaterChains } from '../model/chain-map';
import type { ReadList } from '../model/chunked-array';
import { sameItems } from '../model/same-items';
import { endOf, LineMoves, MovedChain, MovesThrough, referenceCountOf, ruleCountOf } from '../model/moved-chain';

/** A table while the commands are applied: its chains in a Map the commands change. */
interface TableBuilding extends Omit<Table, 'chains'> {
  readonly chains: Map<string, Chain>;
}

function finding(line: number, code: string, message: string, at: Range, severity: Finding['severity'] = 'error'): Finding {
  return { code, severity, message, span: { line, start: at.start, end: at.end } };
}

function newTable(name: string): TableBuilding {
  const t: TableBuilding = { name, blocks: [], chains: new Map(), jumps: {} };
  for (const c of findTable(name)?.chains ?? []) {
    t.chains.set(c, { name: c, table: name, builtin: true, policy: 'ACCEPT', declarations: [], rules: [], references: [] });
  }
  return t;
}

/** The words of a rule after the command and chain, for comparing rules in -D. */
function ruleKey(c: CommandLine): string {
  return c.options
    .filter((o) => o.owner !== 'command')
    .map((o) => `${o.negated ? '! ' : ''}${o.name} ${o.args.map((a) => a.text).join(' ')}`)
    .concat(c.matches.map((m) => `-m ${m.name}`))
    .sort()
    .join('\u0000');
}

/** What building the tables found; kept with a ruleset, so that its next version can start from it. */
export interface TablesBuild {
  readonly tables: Map<string, Table>;
  /** Problems found while applying the commands and resolving jumps (each on the line of its command). */
  readonly findings: readonly Finding[];
  /** Rules that jump to a chain created only after them. */
  readonly early: ReadonlySet<Rule>;
  /** Some command finds rules by what they say (-D with a rule, -C), so a rule's text decides more than its own place. */
  readonly matchesByContent: boolean;
  /** Every command carried out appends a rule (-A): each chain holds its rules in line order. */
  readonly appendsOnly: boolean;
}

interface BuildState {
  readonly early: Set<Rule>;
  matchesByContent: boolean;
  appendsOnly: boolean;
}

export function buildTables(nodes: ReadList<LineNode>, format: FileFormat, family: Family): TablesBuild {
  const building = new Map<string, TableBuilding>();
  const findings: Finding[] = [];
  const state: BuildState = { early: new Set<Rule>(), matchesByContent: false, appendsOnly: true };
  const table = (name: string): TableBuilding | undefined => {
    if (!findTable(name)) return undefined;
    let t = building.get(name);
    if (!t) {
      t = newTable(name);
      building.set(name, t);
    }
    return t;
  };

  // (indexed loops over every line and rule: they run once, mostly before V8 optimizes them, and a
  // for-of there makes an iterator result per element)
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes.get(n)!;
    if (node.kind === 'table') {
      const t = table(node.name);
      if (!t) continue;
      // a new block replaces the table: user chains go, built-in chains are emptied
      for (const [name, c] of [...t.chains]) {
        if (c.builtin) c.rules = [];
        else t.chains.delete(name);
      }
      t.blocks.push(node);
      continue;
    }
    if (node.kind === 'chain') {
      const t = table(node.table);
      if (!t || !node.nameWord.text) continue;
      const existing = t.chains.get(node.nameWord.text);
      if (existing) {
        existing.declarations.push(node);
        if (existing.builtin && node.policy && (node.policy.text === 'ACCEPT' || node.policy.text === 'DROP')) {
          existing.policy = node.policy.text;
          existing.policySpan = spanAt(node.line, node.policy);
        }
      } else {
        t.chains.set(node.nameWord.text, { name: node.nameWord.text, table: node.table, builtin: false, declarations: [node], rules: [], references: [] });
      }
      continue;
    }
    if (!appliesTo(node, family)) continue;
    const t = table(node.table);
    if (!t) {
      if (node.tableWord) findings.push(finding(node.line, 'unknown-table', `unknown table \`${node.table}\`: iptables has filter, nat, mangle, raw and security`, node.tableWord));
      continue;
    }
    if (node.command!.spec.letter !== 'A') state.appendsOnly = false;
    applyCommand(t, node, format, findings, state);
  }

  const tables = new Map<string, Table>();
  for (const [name, t] of building) {
    // the lists of rules live as long as the ruleset: at their size, not with the room pushing
    // them left (tens of thousands of one-rule chains on a kube-proxy node)
    for (const c of t.chains.values()) c.rules = c.rules.slice();
    tables.set(name, { ...t, chains: ChainMap.of(t.chains) });
  }
  // resolve jumps once every chain exists
  for (const t of tables.values()) {
    for (const c of t.chains.values()) {
      for (let i = 0; i < c.rules.length; i++) {
        const r = c.rules[i]!;
        const tg = r.target;
        if (!tg || tg.kind !== 'chain') continue;
        const dest = t.chains.get(tg.name);
        if (dest) dest.references.push(r);
        jumpFindings(tables, t, r, dest, state.early.has(r), findings);
      }
    }
  }
  // the same for the lists of jumps to each chain: the first push leaves room for 16 more, and a
  // kube-proxy-like file has tens of thousands of chains one rule jumps to (5 MB at 100k rules)
  for (const t of tables.values()) for (const c of t.chains.values()) if (c.references.length > 0) (c as { references: Rule[] }).references = c.references.slice();
  return { tables, findings, early: state.early, matchesByContent: state.matchesByContent, appendsOnly: state.appendsOnly };
}

/** Whether a line is a command iptables-restore carries out (-4/-6 lines of the other family are skipped). */
function appliesTo(node: LineNode, family: Family): node is CommandLine {
  return node.kind === 'command' && node.command !== undefined && (!node.onlyFamily || node.onlyFamily === family);
}

/** What is wrong with a rule's jump to a chain (`dest`, when it exists in the rule's table). */
function jumpFindings(tables: ReadonlyMap<string, Table>, t: Table, r: Rule, dest: Chain | undefined, early: boolean, findings: Finding[]): void {
  const tg = r.target!;
  if (dest) {
    if (early) {
      // both backends refuse it: legacy at once ("Couldn't load target"), nft at COMMIT
      // ("Chain 'X' does not exist"), since the rule is added before the chain
      const decl = dest.declarations.find((d) => d.line > r.line);
      findings.push(
        finding(
          r.line,
          'undefined-chain',
          `chain \`${tg.name}\` does not exist yet at this line${decl ? ` (it is created at line ${decl.line + 1})` : ''}: iptables-restore needs a chain before the first rule that jumps to it; move its declaration up`,
          tg.nameWord,
        ),
      );
    }
    if (tg.goto && dest.builtin) findings.push(finding(r.line, 'goto-builtin', `-g can only go to a user-defined chain, not to the built-in ${tg.name}`, tg.nameWord));
    if (dest.builtin && !tg.goto) findings.push(finding(r.line, 'jump-to-builtin', `a rule cannot jump to the built-in chain ${tg.name}`, tg.nameWord));
    return;
  }
  const elsewhere = [...tables.values()].filter((o) => o !== t && o.chains.has(tg.name)).map((o) => o.name);
  findings.push(
    finding(
      r.line,
      'undefined-chain',
      /^[a-z]+$/.test(tg.name) && tg.name.toUpperCase() !== tg.name
        ? `no target or chain called \`${tg.name}\` in table ${t.name} (target names are upper case: \`${tg.name.toUpperCase()}\`?)`
        : /^--?[a-z]+=/.test(tg.name)
        ? `iptables takes the whole word \`${tg.name}\` as the name of the target, and no chain is called that: write \`-j ${tg.name.slice(tg.name.indexOf('=') + 1)}\``
        : `no target or chain called \`${tg.name}\` in table ${t.name}${elsewhere.length ? ` (a chain of that name exists in ${elsewhere.join(', ')})` : ': declare it with `:' + tg.name + ' - [0:0]` or -N'}`,
      tg.nameWord,
    ),
  );
}

/** The jump of a rule as the tables see it: to which chain, and how; '' for any other target. */
function jumpKey(r: Rule): string {
  const tg = r.target;
  return tg && tg.kind === 'chain' ? `${tg.goto ? 'g' : 'j'} ${tg.name}` : '';
}

/**
 * The tables of a new version built from those of the previous one, when the only lines that
 * differ (`changed`: where the nodes are not the same objects; both versions have as many) are
 * appended rules (-A) replaced by appended rules of the same table and chain with the same jump,
 * or lines no command reads (blank, comment, COMMIT, a line without a command): each such rule
 * takes its predecessor's place in its chain and in the references of the chain it jumps to, and
 * only its own findings are worked out again. Tables nobody touched are the previous objects.
 * Undefined when the edit does more than that (the caller builds the tables again).
 */
export function updateTables(prev: TablesBuild, oldNodes: ReadList<LineNode>, nodes: ReadList<LineNode>, changed: readonly number[], family: Family): TablesBuild | undefined {
  if (prev.matchesByContent) return undefined;
  const pairs: [Rule, Rule][] = [];
  for (const i of changed) {
    const n = nodes.get(i)!;
    const o = oldNodes.get(i)!;
    const nApplies = appliesTo(n, family);
    const oApplies = appliesTo(o, family);
    if (!nApplies && !oApplies) {
      if (n.kind === 'table' || n.kind === 'chain' || o.kind === 'table' || o.kind === 'chain') return undefined;
      continue;
    }
    if (!nApplies || !oApplies || !isRule(n) || !isRule(o)) return undefined;
    if (n.command.spec.letter !== 'A' || o.command.spec.letter !== 'A') return undefined;
    if (n.table !== o.table || n.chain !== o.chain || jumpKey(n) !== jumpKey(o)) return undefined;
    pairs.push([o, n]);
  }
  if (!pairs.length) return prev;

  /** Per table changed: the chains copied for this version, by name (the rest stay the previous version's). */
  const renewed = new Map<string, Map<string, Chain>>();
  /** The chain `name` of the previous version's table `t`, copied for this version once. */
  const ownChain = (t: Table, name: string): Chain | undefined => {
    let mine = renewed.get(t.name);
    const had = mine?.get(name);
    if (had) return had;
    const c = t.chains.get(name);
    if (!c) return undefined;
    if (!mine) renewed.set(t.name, (mine = new Map()));
    // (its parts named one by one: a moved chain's lists are getters, which a spread would not copy)
    const copy: Chain = {
      name: c.name,
      table: c.table,
      builtin: c.builtin,
      policy: c.policy,
      policySpan: c.policySpan,
      declarations: c.declarations,
      rules: c.rules.slice(),
      references: c.references.slice(),
      edited: { from: new WeakRef(c), at: [] },
    };
    mine.set(name, copy);
    return copy;
  };
  const replaced = new Set<number>();
  let early: Set<Rule> | undefined;
  for (const [o, n] of pairs) {
    const t = prev.tables.get(o.table);
    if (!t) return undefined;
    const chain = ownChain(t, n.chain);
    const at = chain ? chain.rules.indexOf(o) : -1;
    if (at < 0) return undefined;
    chain!.rules[at] = n;
    (chain!.edited!.at as number[]).push(at);
    if (jumpKey(n)) {
      const dest = ownChain(t, n.target!.name);
      if (dest) {
        const k = dest.references.indexOf(o);
        if (k < 0) return undefined;
        dest.references[k] = n;
      }
    }
    if (prev.early.has(o)) {
      early ??= new Set(prev.early);
      early.delete(o);
      early.add(n);
    }
    replaced.add(o.line);
  }
  const tables = new Map(prev.tables);
  for (const [name, chains] of renewed) {
    const t = prev.tables.get(name)!;
    // (a rule replaced in place keeps its jump: see jumpKey above)
    tables.set(name, { name, blocks: t.blocks, chains: t.chains.with(chains), jumps: t.jumps, edited: { from: new WeakRef(t), chains: new Set(chains.keys()) } });
  }
  const findings = prev.findings.filter((f) => !replaced.has(f.span.line));
  for (const [, n] of pairs) {
    if (!jumpKey(n)) continue;
    const t = tables.get(n.table)!;
    jumpFindings(tables, t, n, t.chains.get(n.target!.name), (early ?? prev.early).has(n), findings);
  }
  return { tables, findings, early: early ?? prev.early, matchesByContent: false, appendsOnly: prev.appendsOnly };
}

/**
 * The tables of a version whose lines an insertion or deletion moved, made from the previous
 * version's when every command of the file appends a rule (-A), each table has one block, and the
 * lines the edit replaced and put in are appended rules, lines without a command, blank lines or
 * comments (no table, chain or COMMIT line: the blocks and chains are the ones they were): each
 * chain holds the nodes of its rules' new lines, with the new rules at their place by line; a
 * chain none of whose rules, jumps or declarations changed node is the previous object. Only the
 * new rules' findings are worked out; the others move with their lines. Undefined when the edit
 * does more (the caller builds the tables again). `movedAlike`: every line below the edit reads as
 * its previous line did (the parser carried them all); a chain the edit only moved is then a
 * MovedChain, its lists made when first read.
 */
export function moveTables(prev: TablesBuild, oldNodes: ReadList<LineNode>, nodes: ReadList<LineNode>, m: MovedLines, family: Family, movedAlike: boolean): TablesBuild | undefined {
  if (prev.matchesByContent || !prev.appendsOnly || prev.early.size) return undefined;
  try {
    return movedTables(prev, oldNodes, nodes, m, family, movedAlike);
  } catch (e) {
    if (e === NOT_MOVED) return undefined;
    throw e;
  }
}

function movedTables(prev: TablesBuild, oldNodes: ReadList<LineNode>, nodes: ReadList<LineNode>, m: MovedLines, family: Family, movedAlike: boolean): TablesBuild | undefined {
  const { same, oldEnd, newEnd } = m;
  const newLineOf = (l: number) => movedLine(m, l);
  const replaceable = (n: LineNode): boolean =>
    n.kind === 'blank' || n.kind === 'comment' || (n.kind === 'command' && (!appliesTo(n, family) || (isRule(n) && n.command.spec.letter === 'A' && prev.tables.has(n.table))));
  /** The tables a jump to a chain was taken out of (or put into, below). */
  const jumpsTaken = new Set<string>();
  /** By table, the chains a rule or a jump to them was taken out of. */
  const takenFrom = new Map<string, Set<string>>();
  const tookFrom = (table: string, chain: string) => {
    let names = takenFrom.get(table);
    if (!names) takenFrom.set(table, (names = new Set()));
    names.add(chain);
  };
  for (let l = same; l < oldEnd; l++) {
    const o = oldNodes.get(l)!;
    if (!replaceable(o)) return undefined;
    if (!appliesTo(o, family)) continue;
    const r = o as Rule;
    tookFrom(r.table, r.chain);
    if (jumpKey(r)) {
      jumpsTaken.add(r.table);
      tookFrom(r.table, r.target!.name);
    }
  }
  /** The rules put in, by table and chain, in line order; and those among them that jump to a chain, by the chain. */
  const into = new Map<string, Map<string, Rule[]>>();
  const jumpsTo = new Map<string, Map<string, Rule[]>>();
  const added: Rule[] = [];
  for (let l = same; l < newEnd; l++) {
    const n = nodes.get(l)!;
    if (!replaceable(n)) return undefined;
    if (!appliesTo(n, family)) continue;
    const r = n as Rule;
    added.push(r);
    push(into, r.table, r.chain, r);
    if (jumpKey(r)) push(jumpsTo, r.table, r.target!.name, r);
  }
  const jumpsPut = new Set(added.filter((r) => jumpKey(r)).map((r) => r.table));
  /** The node of a previous version's line node on its new line (undefined for one the edit replaced). */
  const moved = <T extends LineNode>(n: T): T | undefined => {
    const l = newLineOf(n.line);
    if (l < 0) return undefined;
    const now = nodes.get(l);
    // (a carried line reads as before: see parseRuleset; anything else, the tables are built again)
    if (now === undefined || now.kind !== n.kind) throw NOT_MOVED;
    return now as T;
  };
  const tables = new Map<string, Table>();
  /** New rules put into a chain (the others name a chain the table does not have). */
  let placed = 0;
  /** The moves of chains moved before followed by this edit's, one object for the same moves before (see MovedChain.of). */
  const movesAfter = new Map<LineMoves | undefined, LineMoves>();
  // (the last pair asked for kept aside: the chains below an edit share their moves, one map
  // lookup per chain otherwise)
  let lastBefore: LineMoves | undefined | null = null;
  let lastAfter: LineMoves | undefined;
  const movesThen = (before: LineMoves | undefined) => {
    if (before === lastBefore) return lastAfter!;
    let now = movesAfter.get(before);
    if (!now) movesAfter.set(before, (now = before ? before.then(m) : LineMoves.of(m)));
    lastBefore = before;
    lastAfter = now;
    return now;
  };
  // the first line of each table's block, in order
  const headers: number[] = [];
  for (const t of prev.tables.values()) for (const b of t.blocks) headers.push(b.line);
  headers.sort((a, b) => a - b);
  for (const [name, t] of prev.tables) {
    if (t.blocks.length > 1) return undefined;
    // (a table whose lines are all above the edit: the previous object, its chains not looked at
    // again. Its lines are those of its block, but for a rule of another block that names it with
    // -t: its end is asked only of a table whose block ends above the edit, and kept with it)
    if (movedAlike && t.blocks.length === 1) {
      const next = headers.find((h) => h > t.blocks[0]!.line) ?? Infinity;
      if (next <= same && tableEnd(t) <= same) {
        readThrough(t, nodes);
        tables.set(name, t);
        continue;
      }
    }
    const blocks = t.blocks.map((b) => moved(b)!);
    let touched = false;
    /** The chains that are more than moved (see Table.moved). */
    const renewed = new Set<string>();
    const intoTable = into.get(name);
    const jumpsToTable = jumpsTo.get(name);
    const takenFromTable = takenFrom.get(name);
    // the chains a rule or a jump was put into or taken out of, by their place in the table: the
    // others (all but a few of the 35 000 chains of a kube-proxy node) are told apart from them
    // by a look at an array, not by their names looked up in three maps
    const named = new Uint8Array(t.chains.size);
    const mark = (chainName: string) => {
      const at = t.chains.positionOf(chainName);
      if (at !== undefined) named[at] = 1;
    };
    intoTable?.forEach((_, chainName) => mark(chainName));
    jumpsToTable?.forEach((_, chainName) => mark(chainName));
    takenFromTable?.forEach(mark);
    const placeOf = (chainName: string) => t.chains.positionOf(chainName)!;
    const now = (c: Chain, at: number): Chain => {
      if (named[at] === 0) {
        // (a chain whose every line is above the edit, no rule put into it or jumping to it: the
        // previous object, without a look at each of its nodes)
        const end = endOf(c);
        if (end <= same) {
          if (c instanceof MovedChain) c.readThrough(nodes);
          return c;
        }
        // (one none of whose lines the edit replaced, when every line below the edit reads as it
        // did: the same nodes on their new lines, made when asked for)
        if (movedAlike) {
          touched = true;
          return MovedChain.of(c, m, nodes, movesThen, end, placeOf);
        }
      }
      const mine = intoTable?.get(c.name);
      const theirs = jumpsToTable?.get(c.name);
      /** The rules put into the chain and the jumps put in to it, its first declaration on line `first` (-1: none). */
      const admit = (first: number): void => {
        // a rule appended to a chain before it is declared is not appended (the file fails there):
        // the tables are built again to say so
        if (mine && !c.builtin && (first < 0 || mine[0]!.line < first)) throw NOT_MOVED;
        // (and one before the table's block is flushed by its header)
        if (mine && blocks.length && mine.some((x) => x.block !== blocks[0])) throw NOT_MOVED;
        if (theirs && !c.builtin && (first < 0 || theirs[0]!.line < first)) throw NOT_MOVED;
        if (mine) placed += mine.length;
      };
      // (when every line below the edit reads as it did, and the chain has few rules: a chain whose
      // lists are made when read, from its lines, see MovedChain.renewed. The rules of a long chain
      // an edit changed are read by the checks after it anyway, and made at once cost less)
      const r = movedAlike && ruleCountOf(c) < RENEWED_BELOW ? MovedChain.renewed(c, m, nodes, mine ?? NO_RULES, theirs ?? NO_RULES, placeOf) : undefined;
      if (r) {
        admit(r.firstDeclarationLine);
        touched = true;
        if (mine || theirs || r.ruleCount !== ruleCountOf(c) || r.referenceCount !== referenceCountOf(c)) renewed.add(c.name);
        return r;
      }
      const declarations = mapNodes(c.declarations, moved);
      admit(declarations[0]?.line ?? -1);
      // (the rules put in merged while the chain's are moved: a list merged afterwards was two more
      // copies of the 83 000 rules of a blocklist on each line put into it)
      const rules = mapNodes(c.rules, moved, mine);
      let references = mapNodes(c.references, moved);
      if (theirs) {
        // in the order buildTables gives them: by the position of their chain, then by line (the
        // list is in that order: each rule put in goes where a binary search finds its place; a
        // sort of the whole list looked up both chains' positions per comparison, thousands of
        // rules jump to KUBE-MARK-MASQ)
        const at = (r: Rule) => t.chains.positionOf(r.chain)!;
        references = mergeInOrder(references, theirs, (a, b) => at(a) - at(b) || a.line - b.line);
      }
      if (sameItems(rules, c.rules) && sameItems(references, c.references) && sameItems(declarations, c.declarations)) return c;
      touched = true;
      // (a rule or reference taken out leaves the list shorter than the previous one's plus those put in)
      if (mine || theirs || rules.length !== c.rules.length || references.length !== c.references.length) renewed.add(c.name);
      const policySpan = c.policySpan && { line: newLineOf(c.policySpan.line), start: c.policySpan.start, end: c.policySpan.end };
      return { name: c.name, table: c.table, builtin: c.builtin, policy: c.policy, policySpan, declarations, rules, references };
    };
    // the chains the edit only moved are made when read (see ChainMap.moved), when every line
    // below the edit reads as it did and the table has many; made now once the versions since
    // those of the table were all made hold many edits, or many of its chains were read
    const before = t.chains.laterChains<MovesThrough>();
    let chains: ChainMap;
    if (movedAlike && t.chains.size >= laterFrom) {
      const steps = new MovesThrough(before ? [...before.steps.edits, m] : [m]);
      chains = t.chains.moved(now, named, laterChains(before ? before.source : t.chains, steps, nodes));
      // (every chain made from the source through all the edits at once, each once)
      if (steps.edits.length >= MAX_LATER_STEPS || chains.placedCount * 4 > chains.size) chains = chains.settled();
      // (some chain may be below the edit: the table is another object)
      touched = true;
    } else chains = t.chains.map(now);
    // the jump graph is the previous one unless a jump to a chain was put in or taken out (what
    // analyses keep by it names chains and jumps by position, not rules: see Table.jumps)
    const graph = jumpsPut.has(name) || jumpsTaken.has(name) ? {} : t.jumps;
    tables.set(name, touched || !sameItems(blocks, t.blocks) ? { name, blocks, chains, jumps: graph, moved: { from: new WeakRef(t), lines: m, chains: renewed, jumpsPut: added.filter((r) => r.table === name && jumpKey(r)) } } : t);
  }
  if (placed !== added.length) return undefined;
  const findings: Finding[] = [];
  for (const f of prev.findings) {
    const l = newLineOf(f.span.line);
    if (l >= 0) findings.push(findingOnLine(f, l));
  }
  for (const r of added) {
    if (!jumpKey(r)) continue;
    const t = tables.get(r.table)!;
    jumpFindings(tables, t, r, t.chains.get(r.target!.name), false, findings);
  }
  return { tables, findings, early: prev.early, matchesByContent: false, appendsOnly: true };
}

/** One past the last line of any chain of each table asked about (see movedTables). */
const TABLE_ENDS = new WeakMap<Table, number>();

/** One past the last line of any chain of `t`: its declarations, rules and the rules that jump to it. */
function tableEnd(t: Table): number {
  let end = TABLE_ENDS.get(t);
  if (end === undefined) {
    end = 0;
    for (const c of t.chains.values()) end = Math.max(end, endOf(c));
    TABLE_ENDS.set(t, end);
  }
  return end;
}

/**
 * The chains of `source` after the edits `steps`, each made when first read, its lines' nodes those
 * of `nodes`. (Made here: a closure made inside movedTables would hold everything its closures
 * share there, the previous version's tables among them, as long as a chain is left unread.)
 */
function laterChains(source: ChainMap, steps: MovesThrough, nodes: ReadList<LineNode>): LaterChains<MovesThrough> {
  const place = (chainName: string) => source.positionOf(chainName)!;
  let from = nodes;
  return { source, steps, make: (c) => steps.chain(c, from, place), readThrough: (later) => (from = later) };
}

/**
 * The chains of table `t`, which a later version keeps as the same object (all its lines are above
 * the edit that made that version), read their nodes from that version's list `nodes` from now on
 * (see MovedChain.readThrough): the table may be kept through many edits below it, and its chains
 * held the lists of the versions they were made for.
 */
function readThrough(t: Table, nodes: ReadList<LineNode>): void {
  t.chains.forEachMade((c) => {
    if (c instanceof MovedChain) c.readThrough(nodes);
  });
  t.chains.laterChains()?.readThrough?.(nodes);
}

/**
 * Tables of fewer chains have every chain an edit moved made at once (see ChainMap.moved in
 * movedTables): one whose lines are not in a block of its own (a script of commands) is another
 * object after any line edit when it leaves chains for later, whether or not its lines moved.
 */
const LATER_FROM = 256;
let laterFrom = LATER_FROM;
/** For tests: tables of `n` chains or more leave the chains an edit only moved for later (undefined: back to LATER_FROM). */
export function setChainsLaterFrom(n: number | undefined): void {
  laterFrom = n ?? LATER_FROM;
}

/**
 * Line edits after which the chains a table left for later are all made (see ChainMap.moved in
 * movedTables): a chain left unread is made from the version the first of them was made from,
 * through each edit's moves.
 */
const MAX_LATER_STEPS = 64;

/** Chains of fewer rules an edit changed are made when read (see MovedChain.renewed in movedTables). */
const RENEWED_BELOW = 1024;

/** No rules (shared: only read). */
const NO_RULES: readonly Rule[] = [];

/** Thrown inside moveTables' passes over the chains when the tables must be built again. */
const NOT_MOVED = new Error('the tables are built again');

/** Put v in the list of `inner` in the map of `outer`. */
function push<V>(m: Map<string, Map<string, V[]>>, outer: string, inner: string, v: V): void {
  let byInner = m.get(outer);
  if (!byInner) m.set(outer, (byInner = new Map()));
  const list = byInner.get(inner);
  if (list) list.push(v);
  else byInner.set(inner, [v]);
}

/**
 * Each node moved (see moveTables), those the edit replaced left out: `list` itself when that
 * changes no node (the lists of every chain above the edit, and most declarations, which sit at
 * the top of their block). With `more` (nodes the edit put in), those too, each at its place by
 * line.
 */
function mapNodes<T extends LineNode>(list: T[], moved: (n: T) => T | undefined, more?: readonly T[]): T[] {
  // `more`, in line order: each goes before the first node below it
  const put = more ? [...more].sort((a, b) => a.line - b.line) : undefined;
  let m = 0;
  // (with nodes to put in, one list from the start, at its size: the list the nodes are read from
  // is the previous version's, so the new one is written over from its first place)
  let out: T[] | undefined = put && list.concat(put);
  let k = 0;
  for (let i = 0; i < list.length; i++) {
    const was = list[i]!;
    const n = moved(was);
    if (!out) {
      if (n === was) continue;
      // (a copy at the list's size, written over and cut to what it holds at the end: a list
      // grown by push from a slice leaves room for 16 more, and the lists of every chain below
      // the edit are made again, 35 000 chains on the kube-like 100k file, most of one or two rules)
      out = list.slice();
      k = i;
    }
    if (!n) continue;
    if (put) while (m < put.length && put[m]!.line < n.line) out[k++] = put[m++]!;
    out[k++] = n;
  }
  if (!out) return list;
  if (put) while (m < put.length) out[k++] = put[m++]!;
  if (k < out.length) out.length = k;
  return out;
}

/**
 * `list`, in the order `before` says (the order it is in), with the rules of `more` put in at their
 * places: a binary search each, the list's rules compared a logarithm of its length times.
 */
function mergeInOrder(list: readonly Rule[], more: readonly Rule[], before: (a: Rule, b: Rule) => number): Rule[] {
  // (the stretches between them copied whole by slice and concat: pushed one by one, the 83 000
  // rules of a blocklist went through a loop that runs once per line put in, before V8 has
  // optimized it)
  const parts: (readonly Rule[])[] = [];
  let i = 0;
  for (const r of [...more].sort(before)) {
    let lo = i;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(list[mid]!, r) < 0) lo = mid + 1;
      else hi = mid;
    }
    parts.push(list.slice(i, lo), [r]);
    i = lo;
  }
  parts.push(list.slice(i));
  return ([] as Rule[]).concat(...parts);
}

function applyCommand(t: TableBuilding, node: CommandLine, format: FileFormat, findings: Finding[], state: BuildState): void {
  const cmd = node.command!;
  const letter = cmd.spec.letter;
  const chainWord = cmd.chain;
  const chain = chainWord ? t.chains.get(chainWord.text) : undefined;
  const missingChain = (w: Word) =>
    findings.push(
      finding(
        node.line,
        'undefined-chain',
        `chain \`${w.text}\` does not exist in table ${t.name}${format === 'save' ? `: declare it with \`:${w.text} - [0:0]\` at the top of the *${t.name} block` : `: create it with -N ${w.text} first`}`,
        w,
      ),
    );
  const ruleNumber = (w: Word | undefined): number | undefined => {
    if (!w) return undefined;
    if (!/^[0-9]+$/.test(w.text) || Number(w.text) < 1) {
      findings.push(finding(node.line, 'syntax', `\`${w.text}\` is not a rule number (1 or more)`, w));
      return undefined;
    }
    return Number(w.text);
  };

  switch (letter) {
    case 'A':
    case 'I':
    case 'R': {
      if (!chainWord) return;
      if (!chain) {
        missingChain(chainWord);
        return;
      }
      const rule = node as Rule;
      if (!isRule(node)) return;
      if (rule.target?.kind === 'chain' && !t.chains.has(rule.target.name)) state.early.add(rule);
      if (letter === 'A') chain.rules.push(rule);
      else if (letter === 'I') {
        const n = cmd.extra[0] ? ruleNumber(cmd.extra[0]) : 1;
        if (n === undefined) return;
        if (n > chain.rules.length + 1) {
          findings.push(finding(node.line, 'rule-number', `${chain.name} has ${chain.rules.length} rule${chain.rules.length === 1 ? '' : 's'} at this point: -I can insert at 1 to ${chain.rules.length + 1}, not ${n}`, cmd.extra[0]!));
          return;
        }
        chain.rules.splice(n - 1, 0, rule);
      } else {
        const n = ruleNumber(cmd.extra[0]);
        if (n === undefined) return;
        if (n > chain.rules.length) {
          findings.push(finding(node.line, 'rule-number', `${chain.name} has ${chain.rules.length} rule${chain.rules.length === 1 ? '' : 's'} at this point: there is no rule ${n} to replace`, cmd.extra[0]!));
          return;
        }
        chain.rules[n - 1] = rule;
      }
      return;
    }
    case 'D': {
      if (!chainWord) return;
      if (!chain) {
        missingChain(chainWord);
        return;
      }
      if (cmd.extra[0]) {
        const n = ruleNumber(cmd.extra[0]);
        if (n === undefined) return;
        if (n > chain.rules.length) {
          findings.push(finding(node.line, 'rule-number', `${chain.name} has ${chain.rules.length} rule${chain.rules.length === 1 ? '' : 's'} at this point: there is no rule ${n} to delete`, cmd.extra[0]));
          return;
        }
        chain.rules.splice(n - 1, 1);
        return;
      }
      state.matchesByContent = true;
      const key = ruleKey(node);
      const idx = chain.rules.findIndex((r) => ruleKey(r) === key);
      if (idx < 0) {
        findings.push(finding(node.line, 'no-such-rule', `no rule like this one exists in ${chain.name} at this point, so -D fails ("Bad rule")`, node.span, 'warning'));
        return;
      }
      chain.rules.splice(idx, 1);
      return;
    }
    case 'N': {
      if (!chainWord) return;
      if (chain) {
        findings.push(finding(node.line, 'chain-exists', `chain \`${chainWord.text}\` already exists in table ${t.name}`, chainWord));
        return;
      }
      t.chains.set(chainWord.text, { name: chainWord.text, table: t.name, builtin: false, declarations: [node], rules: [], references: [] });
      return;
    }
    case 'X': {
      if (!chainWord) {
        for (const [name, c] of [...t.chains]) if (!c.builtin) t.chains.delete(name);
        return;
      }
      if (!chain) {
        missingChain(chainWord);
        return;
      }
      if (chain.builtin) {
        findings.push(finding(node.line, 'builtin-chain', `${chain.name} is a built-in chain and cannot be deleted`, chainWord));
        return;
      }
      t.chains.delete(chain.name);
      return;
    }
    case 'F': {
      if (!chainWord) {
        for (const c of t.chains.values()) c.rules = [];
        return;
      }
      if (!chain) {
        missingChain(chainWord);
        return;
      }
      chain.rules = [];
      return;
    }
    case 'P': {
      if (!chainWord) return;
      if (!chain || !chain.builtin) {
        findings.push(finding(node.line, 'builtin-chain', `-P sets the policy of a built-in chain of ${t.name} (${findTable(t.name)?.chains.join(', ')}); \`${chainWord.text}\` is not one`, chainWord));
        return;
      }
      const pol = cmd.extra[0];
      if (!pol) return;
      if (pol.text !== 'ACCEPT' && pol.text !== 'DROP') {
        findings.push(finding(node.line, 'chain-policy', `a policy is ACCEPT or DROP (upper case), not \`${pol.text}\``, pol));
        return;
      }
      chain.policy = pol.text;
      chain.policySpan = spanAt(node.line, pol);
      return;
    }
    case 'E': {
      if (!chainWord) return;
      const to = cmd.extra[0];
      if (!chain) {
        missingChain(chainWord);
        return;
      }
      if (chain.builtin) {
        findings.push(finding(node.line, 'builtin-chain', `${chain.name} is a built-in chain and cannot be renamed`, chainWord));
        return;
      }
      if (!to) return;
      if (t.chains.has(to.text)) {
        findings.push(finding(node.line, 'chain-exists', `chain \`${to.text}\` already exists in table ${t.name}`, to));
        return;
      }
      t.chains.delete(chain.name);
      const renamed: Chain = { ...chain, name: to.text, declarations: [...chain.declarations, node] };
      t.chains.set(to.text, renamed);
      return;
    }
    case 'L':
    case 'S':
      findings.push(finding(node.line, 'listing-command', `${cmd.spec.name} only prints rules; in a rules file it changes nothing`, cmd.word, 'warning'));
      return;
    case 'C': {
      // -C succeeds only when the rule is there; in a restore file a failing check fails the file
      if (!chainWord) return;
      if (!chain) {
        missingChain(chainWord);
        return;
      }
      state.matchesByContent = true;
      const key = ruleKey(node);
      if (!chain.rules.some((r) => ruleKey(r) === key)) {
        findings.push(finding(node.line, 'no-such-rule', `no rule like this one exists in ${chain.name} at this point, so -C fails ("Bad rule")`, node.span, 'warning'));
      }
      return;
    }
    case 'Z':
      return;
  }
}
