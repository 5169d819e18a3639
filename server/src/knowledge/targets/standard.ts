/** The verdicts built into iptables itself. */
import type { TargetSpec } from '../types';

export const STANDARD_TARGETS: readonly TargetSpec[] = [
  {
    kind: 'target',
    name: 'ACCEPT',
    standard: true,
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    options: [],
    summary: 'Let the packet through this table\'s hook; it still meets the other tables.',
    doc:
      'Ends this chain and every calling chain for the current table: the packet leaves this hook\'s table ' +
      'accepted. Later tables on the same hook (for example filter after mangle) still see it.',
  },
  {
    kind: 'target',
    name: 'DROP',
    standard: true,
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    options: [],
    summary: 'Discard the packet silently.',
    doc:
      'The sender gets no answer and retries until it times out. For TCP that makes a blocked connection ' +
      'hang rather than fail; an existing connection keeps retransmitting. Use REJECT to answer instead.',
  },
  {
    kind: 'target',
    name: 'RETURN',
    standard: true,
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    options: [],
    summary: 'Leave this chain: back to the calling chain, or the policy in a built-in chain.',
    doc:
      'In a user chain the packet continues with the rule after the jump that led here (after a `-g`, ' +
      'after the jump into the chain that did the goto). In a built-in chain the chain\'s policy decides.',
  },
  {
    kind: 'target',
    name: 'QUEUE',
    standard: true,
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    options: [],
    summary: 'Hand the packet to userspace queue 0 (same as NFQUEUE --queue-num 0).',
    doc: 'Without a program listening on queue 0 the packet is dropped.',
  },
];
