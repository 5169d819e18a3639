/** REJECT: drop and answer, for IPv4 and IPv6. */
import { choice } from '../argtypes';
import type { ExtensionUse, Problem, TargetSpec } from '../types';
import { REJECT_TYPES_V4, REJECT_TYPES_V6 } from '../values/reject-log';

const REJECT_DOC =
  'Discards the packet and sends an answer back so the sender fails fast instead of retrying. The answer ' +
  'is an ICMP error (port unreachable by default) or, with `--reject-with tcp-reset`, a TCP RST, the only ' +
  'answer that also ends an already established TCP connection. The answer is a new packet leaving this ' +
  'host through OUTPUT. Valid only in the filter table, in INPUT, FORWARD and OUTPUT (and user chains ' +
  'reached only from them).';

function tcpResetNeedsTcp(use: ExtensionUse): readonly Problem[] {
  const w = use.options.find((o) => o.name === '--reject-with');
  const v = w?.args[0]?.toLowerCase();
  if (v !== 'tcp-reset' && v !== 'tcp-rst') return [];
  const p = use.protocol;
  if (p && !p.negated && (p.name === 'tcp' || p.name === '6')) return [];
  return [
    {
      option: '--reject-with',
      message: 'the kernel refuses `--reject-with tcp-reset` unless the rule has `-p tcp`: a RST can only answer a TCP packet',
    },
  ];
}

export const REJECT_TARGETS: readonly TargetSpec[] = [
  {
    kind: 'target',
    name: 'REJECT',
    termination: 'terminating',
    families: ['ipv4'],
    tables: ['filter'],
    hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
    summary: 'Drop the packet and tell the sender (ICMP error or TCP RST).',
    doc: REJECT_DOC,
    check: tcpResetNeedsTcp,
    options: [
      {
        name: '--reject-with',
        args: [choice(REJECT_TYPES_V4, { ignoreCase: true, id: 'reject-type-v4' })],
        summary: 'The answer to send: an ICMP error type or tcp-reset.',
      },
    ],
  },
  {
    kind: 'target',
    name: 'REJECT',
    termination: 'terminating',
    families: ['ipv6'],
    tables: ['filter'],
    hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
    summary: 'Drop the packet and tell the sender (ICMPv6 error or TCP RST).',
    doc: REJECT_DOC,
    check: tcpResetNeedsTcp,
    options: [
      {
        name: '--reject-with',
        args: [choice(REJECT_TYPES_V6, { ignoreCase: true, id: 'reject-type-v6' })],
        summary: 'The answer to send: an ICMPv6 error type or tcp-reset.',
      },
    ],
  },
];
