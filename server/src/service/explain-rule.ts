/**
 * Puts a rule into words: "TCP packets to port 80 in conntrack state NEW are accepted." Used by
 * hover on the command word and by the command-line tool.
 */
import { describePorts, describeRate } from '../knowledge/describe-values';
import { protocolName } from '../knowledge/generic';
import type { Family } from '../knowledge/types';
import type { CommandLine, OptionNode, Ruleset } from '../model/ruleset';

function arg(o: OptionNode, i = 0): string {
  return o.args[i]?.text ?? '';
}

function not(o: OptionNode, phrase: string): string {
  return o.negated ? `not ${phrase}` : phrase;
}

function addresses(o: OptionNode): string {
  return arg(o)
    .split(',')
    .map((i) => i.replace(/\/(32|128)$/, ''))
    .join(' or ');
}

/** One phrase per condition of the rule, in the order written. */
export function conditionPhrases(c: CommandLine): string[] {
  const out: string[] = [];
  for (const o of c.options) {
    if (o.owner === 'generic') {
      switch (o.name) {
        case '-s':
          out.push(not(o, `from ${addresses(o)}`));
          break;
        case '-d':
          out.push(not(o, `to ${addresses(o)}`));
          break;
        case '-i':
          out.push(not(o, `arriving on ${arg(o).endsWith('+') ? `any interface starting with ${arg(o).slice(0, -1)}` : arg(o)}`));
          break;
        case '-o':
          out.push(not(o, `leaving on ${arg(o).endsWith('+') ? `any interface starting with ${arg(o).slice(0, -1)}` : arg(o)}`));
          break;
        case '-f':
          out.push(o.negated ? 'that are unfragmented or first fragments' : 'that are second or later fragments');
          break;
      }
      continue;
    }
    if (o.owner !== 'match') continue;
    const m = o.match?.name;
    switch (o.name) {
      case '--dport':
      case '--dports':
        out.push(not(o, `to ${describePorts(arg(o), c.generic.find((g) => g.name === '-p')?.args[0]?.text)}`));
        break;
      case '--sport':
      case '--sports':
        out.push(not(o, `from ${describePorts(arg(o))}`));
        break;
      case '--ports':
        out.push(not(o, `from or to ${describePorts(arg(o))}`));
        break;
      case '--ctstate':
      case '--state':
        out.push(`${o.negated ? 'not ' : ''}in conntrack state ${arg(o).toUpperCase().split(',').join(' or ')}`);
        break;
      case '--syn':
        out.push(o.negated ? 'that are not connection openings (SYN)' : 'that open a connection (SYN without ACK)');
        break;
      case '--tcp-flags':
        out.push(not(o, `with TCP flags ${arg(o, 1) || 'NONE'} set among ${arg(o, 0)}`));
        break;
      case '--icmp-type':
      case '--icmpv6-type':
        out.push(not(o, `of ICMP type ${arg(o)}`));
        break;
      case '--limit':
        out.push(`within the rate ${describeRate(arg(o))}`);
        break;
      case '--comment':
        break;
      case '--mark':
        out.push(not(o, `with ${m === 'connmark' ? 'connection ' : ''}mark ${arg(o)}`));
        break;
      default:
        if (o.spec && o.args.length === 0) out.push(not(o, `matching ${m} ${o.name}`));
        else if (o.spec) out.push(not(o, `matching ${m} ${o.name} ${o.args.map((a) => a.text).join(' ')}`));
    }
  }
  return out;
}

/** What the target does, as a verb phrase ("are accepted", "jump to LOGDROPIN"). */
export function targetPhrase(c: CommandLine, family: Family): string {
  const t = c.target;
  if (!t) return 'are only counted (the rule has no target)';
  const opt = (n: string) => t.options.find((o) => o.name === n)?.args[0]?.text;
  switch (t.name) {
    case 'ACCEPT':
      return 'are accepted';
    case 'DROP':
      return 'are dropped silently';
    case 'RETURN':
      return 'return to the calling chain (or meet the policy in a built-in chain)';
    case 'QUEUE':
      return 'are queued to userspace';
    case 'REJECT':
      return `are rejected with ${opt('--reject-with') ?? (family === 'ipv6' ? 'icmp6-port-unreachable' : 'icmp-port-unreachable')}`;
    case 'LOG':
      return `are logged${opt('--log-prefix') !== undefined ? ` with prefix "${opt('--log-prefix')}"` : ''} and go on to the next rule`;
    case 'NFLOG':
      return `are copied to nflog group ${opt('--nflog-group') ?? 0} and go on to the next rule`;
    case 'NOTRACK':
      return 'are exempted from connection tracking (state UNTRACKED)';
  }
  if (t.kind === 'chain') return t.goto ? `go to chain ${t.name} (without coming back here)` : `jump to chain ${t.name}`;
  if (t.spec) {
    const cont = t.spec.termination === 'continue' ? ' and go on to the next rule' : '';
    return `go to ${t.name}${t.options.length ? ` (${t.options.map((o) => `${o.name}${o.args.length ? ' ' + o.args.map((a) => a.text).join(' ') : ''}`).join(', ')})` : ''}${cont}`;
  }
  return `go to ${t.name}`;
}

/** A sentence for the whole rule. */
export function explainRule(rs: Ruleset, c: CommandLine): string {
  const p = c.generic.find((o) => o.name === '-p');
  const proto = p?.args[0] ? protocolName(p.args[0].text) : undefined;
  const subject = proto && proto !== 'all' ? `${p!.negated ? 'Non-' : ''}${proto.toUpperCase()} packets` : 'Packets';
  const conds = conditionPhrases(c);
  const comment = c.matches.find((m) => m.name === 'comment')?.options[0]?.args[0]?.text;
  return `${subject}${conds.length ? ' ' + conds.join(', ') : ''} ${targetPhrase(c, rs.family)}.${comment ? ` (comment: "${comment}")` : ''}`;
}
