/**
 * iptables-lens/reject-without-tcp-reset: a REJECT that can answer TCP packets with an ICMP error.
 * A client whose connection attempt gets ICMP port-unreachable usually gives up, but the packets of
 * an established connection answered with ICMP (or silently dropped) leave the peer retransmitting
 * for minutes; only a TCP RST ends the connection at once.
 */
import type { Finding, Ruleset } from '../../model/ruleset';
import { analysisContext } from '../context';
import { ISet } from '../packet-space';

export function checkRejectTcpReset(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  for (const r of rs.rules) {
    if (r.target?.name !== 'REJECT') continue;
    const w = r.target.options.find((o) => o.name === '--reject-with')?.args[0]?.text.toLowerCase();
    if (w === 'tcp-reset' || w === 'tcp-rst') continue;
    const rsp = ctx.compiled.get(r);
    if (!rsp || rsp.space.restrict(ctx.env, 'proto', ISet.point(6n)).empty) continue;
    const tcpOnly = r.generic.some((o) => o.name === '-p' && !o.negated && /^(tcp|6)$/i.test(o.args[0]?.text ?? ''));
    out.push({
      code: 'reject-without-tcp-reset',
      severity: 'hint',
      message: `TCP packets are rejected with ${w ?? 'the default ICMP port-unreachable'}: an established connection answered this way keeps retransmitting; \`--reject-with tcp-reset\` ends it at once${tcpOnly ? '' : ' (it needs -p tcp: the fix adds a TCP-only copy of this rule in front of it)'}`,
      span: r.target.nameWord,
      data: { tcpOnly },
    });
  }
  return out;
}
