/**
 * iptables-lens/new-without-syn (story 3): a rule accepts TCP packets in state NEW without asking
 * for a SYN. With net.netfilter.nf_conntrack_tcp_loose=1 (the kernel default) a plain ACK or ACK
 * PSH of a connection conntrack has forgotten creates a NEW entry (reference/conntrack-tcp.md,
 * sNO->sES with the loose check, nf_conntrack_proto_tcp.c:907), so mid-stream packets of dead
 * connections pass as if a client had just connected.
 */
import type { Finding, Ruleset } from '../../model/ruleset';
import { analysisContext } from '../context';
import { ISet, stateValue } from '../packet-space';
import { flagSet } from '../rule-space';
import { isAccept } from './rule-facts';

export function checkNewWithoutSyn(rs: Ruleset): Finding[] {
  const ctx = analysisContext(rs);
  const out: Finding[] = [];
  for (const r of rs.rules) {
    if (!isAccept(r)) continue;
    const rsp = ctx.compiled.get(r);
    if (!rsp) continue;
    const st = r.options.find((o) => o.name === '--ctstate' || o.name === '--state');
    if (!st || st.negated) continue;
    // a plain ACK (no SYN) in state NEW, over TCP
    const midStream = rsp.space
      .restrict(ctx.env, 'proto', ISet.point(6n))
      .restrict(ctx.env, 'state', ISet.point(stateValue('NEW')))
      .restrict(ctx.env, 'flags', flagSet(0x17, 0x10));
    if (midStream.empty) continue;
    const tcp = r.generic.some((o) => o.name === '-p' && !o.negated && /^(tcp|6)$/i.test(o.args[0]?.text ?? ''));
    out.push({
      code: 'new-without-syn',
      severity: 'hint',
      message:
        'this rule accepts NEW TCP packets without requiring SYN: with nf_conntrack_tcp_loose=1 (the default) conntrack calls a mid-stream ACK of a connection it has forgotten NEW, so such packets pass as new connections. ' +
        (tcp ? 'Add `--syn` to accept only real connection openings.' : 'Accept NEW TCP with `-p tcp --syn`.'),
      span: st.nameSpan,
      data: { tcp },
    });
  }
  return out;
}
