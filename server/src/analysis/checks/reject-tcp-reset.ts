/**
 * iptables-lens/reject-without-tcp-reset: a REJECT that can answer TCP packets with an ICMP error.
 * A client whose connection attempt gets ICMP port-unreachable usually gives up, but the packets of
 * an established connection answered with ICMP (or silently dropped) leave the peer retransmitting
 * for minutes; only a TCP RST ends the connection at once.
 */
import type { Hook } from '../../knowledge/types';
import { type Finding, type Rule, type Ruleset, spanAt, type Table } from '../../model/ruleset';
import { analysisContext, envKey, limitFinding, TableMemo, TAKEN_BY_REJECTS, TCP_START } from '../context';
import { LineFindings } from '../line-findings';
import { ISet, Space } from '../packet-space';
import { verdictKind } from '../reach';
import { rejectsWithReset, rejectWith } from './rule-facts';

/** The packets that get past the earlier rules of the rule's own chain (entered with every packet). */
function alone(ctx: ReturnType<typeof analysisContext>, rs: Ruleset, r: Rule): Space {
  let s = Space.ALL;
  for (const e of rs.tables.get(r.table)?.chains.get(r.chain)?.rules ?? []) {
    if (e === r) break;
    const esp = ctx.compiled.get(e);
    if (esp?.exact && verdictKind(e) === 'terminal') s = s.subtract(ctx.env, esp.space);
  }
  return s;
}

/** Findings per table, kept while the table and its REJECT rules are the same (see TableMemo). */
const MEMO = new TableMemo<readonly Finding[]>();

function judgeTable(ctx: ReturnType<typeof analysisContext>, rs: Ruleset, table: Table | undefined, mine: readonly Rule[]): Finding[] {
  const out: Finding[] = [];
  // the walks' findings of what each rule takes, read for these rules only (a map of every rule a
  // walk took packets at, made per edit, was 0.8 MB on the firewall-like 100k file)
  const walks: ReadonlyMap<Rule, Space>[] = [];
  if (table) {
    // only the hooks that lead to a candidate: the others cannot change what a candidate takes
    const hooks = ctx.hooksReaching(table, mine);
    const limited: Finding[] = [];
    for (const chain of table.chains.values()) {
      if (!chain.builtin || !hooks.has(chain.name as Hook)) continue;
      const res = ctx.reach(table.name, chain.name as Hook, TCP_START.space, TCP_START.key, TAKEN_BY_REJECTS);
      if (res && !res.complete) limited.push(limitFinding(table, chain.name as Hook, 'REJECT without a TCP reset'));
      if (res) walks.push(res.taken);
    }
    // a walk cut short leaves rules unvisited that would look unreached: say so, claim nothing
    if (limited.length) return limited;
  }
  for (const r of mine) {
    if (r.target?.name !== 'REJECT') continue;
    const w = rejectWith(r);
    const rsp = ctx.compiled.get(r);
    // a rule no hook reaches (a chain nothing jumps to yet) is judged on its chain alone; one the
    // walks of its hooks never got to has no TCP packet left to see
    const sees = takenBy(walks, r) ?? (table && ctx.hooksReaching(table, [r]).size > 0 ? Space.NONE : rsp && alone(ctx, rs, r).intersect(ctx.env, rsp.space));
    if (!rsp || !sees || sees.restrict(ctx.env, 'proto', ISet.point(6n)).empty) continue;
    const tcpOnly = r.options.some((o) => o.owner === 'generic' && o.name === '-p' && !o.negated && /^(tcp|6)$/i.test(o.args[0]?.text ?? ''));
    out.push({
      code: 'reject-without-tcp-reset',
      severity: 'hint',
      message: `TCP packets are rejected with ${w ?? 'the default ICMP port-unreachable'}: an established connection answered this way keeps retransmitting; \`--reject-with tcp-reset\` ends it at once${tcpOnly ? '' : ' (it needs -p tcp: the fix adds a TCP-only copy of this rule in front of it)'}`,
      span: spanAt(r.line, r.target.nameWord),
      data: { tcpOnly },
    });
  }
  return out;
}

/** What `r` takes in any of the walks (their union, in walk order); undefined when none got to it. */
function takenBy(walks: readonly ReadonlyMap<Rule, Space>[], r: Rule): Space | undefined {
  let out: Space | undefined;
  for (const w of walks) {
    const t = w.get(r);
    if (t) out = (out ?? Space.NONE).union(t);
  }
  return out;
}

/** The REJECT rules without a TCP reset, in line order, kept for the lines an edit left alone. */
const CANDIDATES = LineFindings.rulesWhere((r) => r.target?.name === 'REJECT' && !rejectsWithReset(r));

export function checkRejectTcpReset(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  // what each rule takes of the packets that really get to it, from every hook of its table: a
  // TCP-only copy with tcp-reset in front of a mixed REJECT (this check's own fix) leaves it no TCP
  const candidates = CANDIDATES.findings(rs);
  const byTable = new Map<string, Rule[]>();
  for (const r of candidates) {
    let l = byTable.get(r.table);
    if (!l) byTable.set(r.table, (l = []));
    l.push(r);
  }
  for (const [name, mine] of byTable) {
    const table = rs.tables.get(name);
    // a table an edit left alone keeps its findings (the walk below is the costly part); they
    // depend on the REJECT rules' lines too, which the table says nothing of when a rule is in
    // none of its chains (`-A` to a chain the table does not have)
    const judge = () => judgeTable(ctx, rs, table, mine);
    for (const f of table ? MEMO.get([table], envKey(ctx.env), judge, mine.flatMap((r) => [r.options, r.line])) : judge()) out.push(f);
  }
  return out;
}
