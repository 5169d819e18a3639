/**
 * iptables-lens/log-invalid: a LOG (or NFLOG) rule that packets in conntrack state INVALID can
 * reach, because no earlier rule drops or accepts them (stories 1 and 2 of SCENARIOS.md).
 *
 * Conntrack gives no entry, hence INVALID, to a FIN or RST that arrives after it has forgotten the
 * connection (reference/conntrack-tcp.md: sNO->sIV for fin and rst, proto_tcp.c:169, :200). Those
 * late teardown packets are neither ESTABLISHED nor NEW, fall past the usual accepts and are logged
 * as "blocked" traffic to open ports.
 */
import { wordsOf } from '../../model/line-words';
import type { Hook } from '../../knowledge/types';
import { type Finding, type Rule, type Ruleset, spanAt, type Table } from '../../model/ruleset';
import { analysisContext, envKey, type Keep, limitFinding, TableMemo } from '../context';
import { LineFindings } from '../line-findings';
import { ISet, Space, stateValue } from '../packet-space';

export interface LogInvalidData {
  readonly table: string;
  /** One entry per hook: the rule of the hook's chain through which INVALID packets arrive. */
  readonly entries: readonly { readonly hook: Hook; readonly entryLine: number; readonly viaJump: boolean }[];
}

const LOG_TARGETS = new Set(['LOG', 'NFLOG', 'ULOG']);
const isLogging = (r: Rule): boolean => !!r.target && LOG_TARGETS.has(r.target.name);
/** The arrivals this check reads: at logging rules. */
const LOGGING: Keep = { name: 'logging', test: isLogging };

/**
 * The logging rules, in line order, kept for the lines an edit left alone (a pass over the 83 000
 * rules of an edited blocklist chain took 11 ms per edit). They choose the hooks to walk: a rule
 * that is in no chain (deleted by a later -D) adds at most a walk that finds it nowhere.
 */
const LOGGING_RULES = LineFindings.rulesWhere(isLogging);

/** Findings per table, kept while the table is the same (see TableMemo). */
const MEMO = new TableMemo<readonly Finding[]>();

export function checkLogInvalid(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  const invalid = Space.ALL.restrict(ctx.env, 'state', ISet.point(stateValue('INVALID')));
  const loggingRules = LOGGING_RULES.findings(rs);
  for (const table of rs.tables.values()) {
    if (table.name === 'raw') continue; // raw runs before conntrack: no state yet
    // a table an edit left alone keeps its findings (the walks are the costly part)
    for (const f of MEMO.get([table], envKey(ctx.env), () => judge(table))) out.push(f);
  }

  function judge(table: Table): Finding[] {
    const out: Finding[] = [];
    // only the hooks that lead to a logging rule: the walk of any other finds nothing to report
    const logging = loggingRules.filter((r) => r.table === table.name);
    if (!logging.length) return out;
    const hooks = ctx.hooksReaching(table, logging);
    const found = new Map<Rule, { hook: Hook; path: readonly Rule[] }[]>();
    const limited: Finding[] = [];
    for (const chain of table.chains.values()) {
      if (!chain.builtin || !hooks.has(chain.name as Hook)) continue;
      const res = ctx.reach(table.name, chain.name as Hook, invalid, 'invalid', LOGGING);
      if (!res) continue;
      // what a walk cut short found is true; what it did not get to is said to be unchecked
      if (!res.complete) limited.push(limitFinding(table, chain.name as Hook, 'INVALID packets reaching a LOG rule'));
      for (const [rule, arrivals] of res.arrivals) {
        if (!isLogging(rule)) continue;
        const rsp = ctx.compiled.get(rule);
        if (!rsp) continue;
        const hit = arrivals.find((a) => a.space.meets(ctx.env, rsp.space));
        if (!hit) continue;
        const list = found.get(rule) ?? [];
        if (!list.some((e) => e.hook === hit.hook)) list.push({ hook: hit.hook, path: hit.path });
        found.set(rule, list);
      }
    }
    for (const [rule, hooks] of found) {
      const first = hooks[0]!;
      const via = first.path[0];
      const through = via ? ` They get here from ${first.hook} through \`${wordsOf(via).map((w) => w.text).join(' ')}\` (line ${via.line + 1}).` : '';
      const data: LogInvalidData = {
        table: table.name,
        entries: hooks.map((h) => ({ hook: h.hook, entryLine: (h.path[0] ?? rule).line, viaJump: h.path.length > 0 })),
      };
      out.push({
        code: 'log-invalid',
        severity: 'warning',
        message:
          `packets in conntrack state INVALID reach this ${rule.target!.name} rule: no earlier rule drops or accepts them.${through} ` +
          'Most are harmless: the late FIN or RST of a connection conntrack has already forgotten is INVALID, ' +
          'neither ESTABLISHED nor NEW, so it falls past the accepts and is logged as "blocked" traffic to open ports. ' +
          'Drop INVALID packets before this point.',
        span: spanAt(rule.line, rule.target!.nameWord),
        ...(via ? { related: [{ span: { line: via.line, start: 0, end: via.span.end }, message: 'INVALID packets reach the LOG rule through this jump' }] } : {}),
        data,
      });
    }
    for (const f of limited) out.push(f);
    return out;
  }
  return out;
}
