/**
 * iptables-lens/new-without-syn (story 3): a rule accepts TCP packets in state NEW without asking
 * for a SYN. With net.netfilter.nf_conntrack_tcp_loose=1 (the kernel default) a plain ACK or ACK
 * PSH of a connection conntrack has forgotten creates a NEW entry (reference/conntrack-tcp.md,
 * sNO->sES with the loose check, nf_conntrack_proto_tcp.c:907), so mid-stream packets of dead
 * connections pass as if a client had just connected.
 */
import { type Finding, type Rule, type Ruleset, spanAt } from '../../model/ruleset';
import { LineFindings } from '../line-findings';
import { ISet, Space, type SpaceEnv, stateValue } from '../packet-space';
import { compileRule, flagSet, spaceEnv } from '../rule-space';
import { isAccept, namesState } from './rule-facts';

export function checkNewWithoutSyn(rs: Ruleset): Finding[] {
  return KEPT.findings(rs);
}

/** Each rule alone decides (its own space, in the family's environment): what an edit left alone keeps its findings. */
const KEPT = LineFindings.ofRules(newWithoutSynOf);

/** A plain ACK (no SYN, RST or FIN) of TCP in state NEW: what a rule must not accept (one per environment). */
const MID_STREAM_NEW = new WeakMap<SpaceEnv, Space>();
function midStreamNew(env: SpaceEnv): Space {
  let s = MID_STREAM_NEW.get(env);
  if (!s) {
    s = Space.ALL.restrict(env, 'proto', ISet.point(6n)).restrict(env, 'state', ISet.point(stateValue('NEW'))).restrict(env, 'flags', flagSet(0x17, 0x10));
    MID_STREAM_NEW.set(env, s);
  }
  return s;
}

function newWithoutSynOf(r: Rule, rs: Ruleset, out: Finding[]): void {
  if (!isAccept(r)) return;
  const st = r.options.find(namesState);
  if (!st || st.negated) return;
  const env = spaceEnv(rs);
  if (!compileRule(env, r).space.meets(env, midStreamNew(env))) return;
  const tcp = r.options.some((o) => o.owner === 'generic' && o.name === '-p' && !o.negated && /^(tcp|6)$/i.test(o.args[0]?.text ?? ''));
  out.push({
    code: 'new-without-syn',
    severity: 'hint',
    message:
      'this rule accepts NEW TCP packets without requiring SYN: with nf_conntrack_tcp_loose=1 (the default) conntrack calls a mid-stream ACK of a connection it has forgotten NEW, so such packets pass as new connections. ' +
      (tcp ? 'Add `--syn` to accept only real connection openings.' : 'Accept NEW TCP with `-p tcp --syn`.'),
    span: spanAt(r.line, st.nameSpan),
    data: { tcp },
  });
}
