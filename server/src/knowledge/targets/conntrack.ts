/** Targets that steer connection tracking: CT and NOTRACK (raw table). */
import { choiceList, parseUintIn, text } from '../argtypes';
import type { ArgType, TargetSpec } from '../types';

const CT_EVENTS = ['new', 'related', 'destroy', 'reply', 'assured', 'protoinfo', 'helper', 'mark', 'natseqinfo', 'secmark'].map(
  (name) => ({ name, summary: `Report conntrack \`${name}\` events for this connection.` }),
);

const zone: ArgType = {
  id: 'ct-zone',
  label: 'id|mark',
  check: (v) => (v.toLowerCase() === 'mark' || parseUintIn(v, 0, 65535) !== undefined ? undefined : `expected a zone number 0-65535 or \`mark\`, got \`${v}\``),
};

export const CONNTRACK_TARGETS: readonly TargetSpec[] = [
  {
    kind: 'target',
    name: 'CT',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    tables: ['raw'],
    summary: 'Set conntrack parameters for a new connection, or exempt it from tracking (`--notrack`).',
    doc:
      'Runs in the raw table, before conntrack looks at the packet. `--notrack` makes the packet UNTRACKED ' +
      '(no entry, no table space used): every state-based rule later on must then accept UNTRACKED ' +
      'explicitly, and the replies must be untracked too (OUTPUT for a local service).',
    options: [
      { name: '--notrack', args: [], summary: 'Do not track this packet: its state becomes UNTRACKED.' },
      { name: '--helper', args: [text(15, 'helper name')], summary: 'Attach a conntrack helper (ftp, sip, tftp...).' },
      {
        name: '--ctevents',
        args: [choiceList(CT_EVENTS, { id: 'ct-events', label: 'event[,event...]' })],
        summary: 'Only these conntrack events are reported for the connection.',
      },
      {
        name: '--expevents',
        args: [choiceList([{ name: 'new', summary: 'Report new expectations.' }], { id: 'exp-events', label: 'new' })],
        summary: 'Only these expectation events are reported.',
      },
      { name: '--zone', args: [zone], summary: 'Put the connection into a conntrack zone (both directions).' },
      { name: '--zone-orig', args: [zone], summary: 'Zone for the original direction only.' },
      { name: '--zone-reply', args: [zone], summary: 'Zone for the reply direction only.' },
      { name: '--timeout', args: [text(31, 'timeout policy name')], summary: 'Apply a timeout policy made with `nfct timeout add`.' },
    ],
  },
  {
    kind: 'target',
    name: 'NOTRACK',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    tables: ['raw'],
    options: [],
    summary: 'Exempt the packet from connection tracking (older form of `CT --notrack`).',
    doc:
      'The packet gets state UNTRACKED. Later state rules must accept UNTRACKED explicitly, and both ' +
      'directions must be untracked (PREROUTING for arriving packets, OUTPUT for local replies), or the ' +
      'replies create entries of their own.',
  },
];
