/**
 * Hover for rules files: what the thing under the cursor means and what it does to a packet in
 * this rule. Every text comes from the knowledge entries; values are decoded (addresses, ports,
 * rates, states, flags).
 */
import { argKind } from '../knowledge/arg-kind';
import { describeAddress, describeMark, describePorts, describeRate, groupedDigits } from '../knowledge/describe-values';
import { BUILTIN_PROTOCOLS, COMMANDS, protocolName, protocolNumber } from '../knowledge/generic';
import { renderMatch, renderOption, renderTarget, renderValue } from '../knowledge/render';
import { findTable, HOOK_DOCS, POLICIES } from '../knowledge/tables';
import type { ArgType, OptionSpec, ValueDoc } from '../knowledge/types';
import { findIcmpName, ICMP_TYPES, ICMPV6_TYPES } from '../knowledge/values/icmp';
import type { Chain, CommandLine, OptionNode, Ruleset, Span } from '../model/ruleset';
import type { RulesDocument } from './document';
import { explainRule } from './explain-rule';
import { locate } from './locate';

export interface HoverResult {
  readonly markdown: string;
  readonly span: Span;
}

function chainOf(rs: Ruleset, table: string, name: string): Chain | undefined {
  return rs.tables.get(table)?.chains.get(name);
}

/** Jumps to a chain named in its hover; the rest are counted (find references lists them all). */
export const MAX_REFERENCES_LISTED = 20;

function chainHover(rs: Ruleset, table: string, name: string): string {
  const c = chainOf(rs, table, name);
  const hook = HOOK_DOCS.find((h) => h.name === name);
  if (c?.builtin && hook) {
    return [
      `**${name}** — built-in chain of the ${table} table`,
      '',
      hook.summary,
      '',
      `Policy: **${c.policy ?? 'ACCEPT'}** — packets that reach the end of ${name} are ${(c.policy ?? 'ACCEPT') === 'DROP' ? 'dropped' : 'accepted'}. ${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}.`,
    ].join('\n');
  }
  if (!c) return `**${name}** — no chain of this name in the ${table} table`;
  // a chain such as KUBE-MARK-MASQ is jumped to from 40 000 rules: name the first ones, count the rest
  const shown = c.references.slice(0, MAX_REFERENCES_LISTED).map((r) => `${r.chain} (line ${r.line + 1})`);
  const more = c.references.length - shown.length;
  const refs = more > 0 ? `${shown.join(', ')} and ${groupedDigits(more)} more rules` : shown.join(', ');
  return [
    `**${name}** — user-defined chain of the ${table} table`,
    '',
    `${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}. ${shown.length ? `Reached from ${refs}.` : 'No rule jumps here: the chain is never used.'}`,
    '',
    'A packet that reaches its end (or a RETURN) goes back to the rule after the jump that brought it here.',
  ].join('\n');
}

function listValues(values: readonly ValueDoc[], text: string, what: string): string | undefined {
  const parts = text.split(',').filter(Boolean);
  const docs = parts.map((p) => values.find((v) => v.name.toLowerCase() === p.toLowerCase() || v.aliases?.some((a) => a.toLowerCase() === p.toLowerCase())));
  if (docs.some((d) => !d)) return undefined;
  if (docs.length === 1) return renderValue(docs[0]!, what);
  return [`**${parts.join(',')}** — ${what}s (any of them matches)`, '', ...docs.map((d) => `- **${d!.name}**: ${d!.summary}`)].join('\n');
}

/** Explain one value of an option, decoded for its type. */
function valueHover(rs: Ruleset, c: CommandLine, o: OptionNode, k: number): string | undefined {
  const v = o.args[k]?.text ?? '';
  const spec: OptionSpec | undefined = o.spec;
  const type: ArgType | undefined = spec?.args[k];
  if (!spec || !type) return undefined;
  const head = `\`${spec.name}\` ${o.negated ? '(negated) ' : ''}`;
  const proto = c.generic.find((g) => g.name === '-p')?.args[0]?.text;
  switch (argKind(type)) {
    case 'address':
      if (!/[-]/.test(v)) return `${head}\n\n${v.split(',').map((i) => `- ${describeAddress(i, rs.family)}`).join('\n')}`;
      break;
    case 'port':
      return `${head}\n\n${describePorts(v, proto && protocolName(proto))}`;
    case 'rate':
      return `${head}\n\n${describeRate(v)}`;
    case 'mark':
      return `${head}\n\n${describeMark(v)}`;
    case 'protocol': {
      const n = protocolNumber(v);
      const b = BUILTIN_PROTOCOLS.find((p) => p.number === n);
      return `${head}\n\nIP protocol ${n ?? '?'} (${protocolName(v)})${b ? `: ${b.summary}` : ''}`;
    }
    case 'icmp': {
      const table = rs.family === 'ipv4' ? ICMP_TYPES : ICMPV6_TYPES;
      const d = findIcmpName(table, v);
      if (d) return `${renderValue(d, `ICMP${type.id === 'icmpv6-type' ? 'v6' : ''} type ${d.type}${d.code !== undefined ? ` code ${d.code}` : ''}`)}`;
      const [t, code] = v.split('/');
      const byNum = table.find((x) => String(x.type) === t && (code === undefined ? x.code === undefined : String(x.code) === code));
      return byNum ? renderValue(byNum, `type ${v}`) : `${head}\n\nICMP type ${t}${code ? ` code ${code}` : ''}`;
    }
    case 'interface':
      return `${head}\n\n${v.endsWith('+') ? `any interface whose name starts with \`${v.slice(0, -1)}\`` : `the interface \`${v}\``}`;
  }
  if (type.values) {
    const what = spec.name === '--ctstate' || spec.name === '--state' ? 'conntrack state' : `value of ${spec.name}`;
    const lv = listValues(type.values, v, what);
    if (lv) return lv;
  }
  return renderOption(spec, ownerName(o));
}

function ownerName(o: OptionNode): string {
  if (o.owner === 'match') return `${o.match?.implicit ? `match \`${o.match.name}\` (loaded by -p)` : `match \`-m ${o.match?.name}\``}`;
  if (o.owner === 'target') return 'target option';
  return 'built-in option';
}

export function hover(doc: RulesDocument, line: number, ch: number): HoverResult | undefined {
  const rs = doc.ruleset;
  const at = locate(rs, line, ch);
  if (!at) return undefined;
  const res = (markdown: string | undefined): HoverResult | undefined => (markdown ? { markdown, span: at.span } : undefined);
  switch (at.kind) {
    case 'table': {
      const t = findTable(at.node.name);
      return res(t ? `**\\*${t.name}** — table\n\n${t.summary}${t.doc ? `\n\n${t.doc}` : ''}\n\nBuilt-in chains: ${t.chains.join(', ')}.` : undefined);
    }
    case 'chain-decl':
      return res(chainHover(rs, at.node.table, at.node.nameWord.text));
    case 'policy': {
      const p = POLICIES.find((x) => x.name === at.node.policy?.text);
      if (at.node.policy?.text === '-') return res('**-** — no policy: user chains return to their caller when a packet reaches their end.');
      return res(p ? renderValue(p, `policy of ${at.node.nameWord.text}`) : undefined);
    }
    case 'counters': {
      const m = /^\[(\d+):(\d+)\]$/.exec(at.text);
      return res(m ? `**${at.text}** — counters: ${groupedDigits(Number(m[1]))} packets, ${groupedDigits(Number(m[2]))} bytes seen${at.owner.kind === 'chain' ? ' by the policy' : ' by this rule'} when the file was saved. iptables-restore loads them only with \`-c\`.` : undefined);
    }
    case 'commit':
      return res('**COMMIT** — applies the table block above in one step. Until this line nothing of the block reaches the kernel; if any line of the block fails, none of it does.');
    case 'command': {
      const spec = at.node.command!.spec;
      const lines = [`**${spec.name}** (${spec.long}) — ${spec.summary}`];
      if (spec.takesRule && at.node.chain) {
        const chain = chainOf(rs, at.node.table, at.node.chain);
        const pos = chain ? chain.rules.indexOf(at.node as never) : -1;
        lines.push('', `In ${at.node.table}/${at.node.chain}${pos >= 0 ? `, rule ${pos + 1} of ${chain!.rules.length}` : ''}:`, '', explainRule(rs, at.node));
      }
      return res(lines.join('\n'));
    }
    case 'command-chain':
      return res(chainHover(rs, at.node.table, at.name));
    case 'command-extra': {
      const spec = at.node.command!.spec;
      const e = spec.extra[at.node.command!.extra.indexOf(at.word)];
      if (e?.kind === 'target') {
        const p = POLICIES.find((x) => x.name === at.word.text);
        return res(p ? renderValue(p, `policy of ${at.node.chain}`) : undefined);
      }
      if (e?.kind === 'rulenum') return res(`**${at.word.text}** — rule position in ${at.node.chain} (1 is the first rule)`);
      return res(`**${at.word.text}** — new name of the chain`);
    }
    case 'table-option': {
      const t = findTable(at.node.table);
      return res(t ? `**-t ${t.name}** — ${t.summary}` : undefined);
    }
    case 'bang':
      return res(at.option ? `**!** — negates \`${at.option.name}\`: the rule matches packets for which this condition is false.` : '**!** — negation');
    case 'option': {
      const o = at.option;
      if (!o.spec) return undefined;
      const cmd = COMMANDS.find((c) => c.name === o.name);
      if (cmd) return res(`**${cmd.name}** — ${cmd.summary}`);
      return res(renderOption(o.spec, ownerName(o)));
    }
    case 'option-value':
      return res(valueHover(rs, at.node, at.option, at.argIndex));
    case 'match-name':
      return res(at.match.spec ? renderMatch(at.match.spec) : `**${at.match.name}** — unknown match module`);
    case 'target-name': {
      const t = at.node.target;
      if (!t) return undefined;
      if (t.spec) return res(renderTarget(t.spec));
      return res(chainHover(rs, at.node.table, t.name) + (t.goto ? '\n\n`-g`: the packet does not come back to this chain; a RETURN there goes to whoever called this chain.' : ''));
    }
    case 'comment':
      return undefined;
  }
}
