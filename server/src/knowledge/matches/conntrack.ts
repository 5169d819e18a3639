/** Matches on connection-tracking state: conntrack and its older form, state. */
import { choice, choiceList, hostMaskArg, servicePortRange, uintRangeRC } from '../argtypes';
import { protocolArg } from '../generic';
import type { MatchSpec, OptionSpec } from '../types';
import { CT_DIRECTIONS, CT_STATES, CT_STATUSES, STATE_MODULE_STATES } from '../values/conntrack';

const stateList = choiceList(CT_STATES, { id: 'ctstate-list', label: 'state[,state...]', ignoreCase: true });
const oldStateList = choiceList(STATE_MODULE_STATES, { id: 'state-list', label: 'state[,state...]', ignoreCase: true });

function tupleOption(name: string, what: string, arg: OptionSpec['args'][number]): OptionSpec {
  return { name, args: [arg], negatable: true, summary: `Match the ${what} recorded in the conntrack entry.` };
}

export const CONNTRACK_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'conntrack',
    families: ['ipv4', 'ipv6'],
    needsOneOf: [],
    summary: 'Connection-tracking state, status, tuples and expiry.',
    doc:
      'Looks up the packet\'s conntrack entry. The usual use is `--ctstate`: accept ESTABLISHED,RELATED ' +
      'early, drop INVALID, and open services for NEW.',
    options: [
      {
        name: '--ctstate',
        args: [stateList],
        negatable: true,
        summary: 'Match conntrack states: NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, SNAT, DNAT.',
        doc:
          'A comma-separated list; the packet matches if its state is any of them. A packet with no conntrack ' +
          'entry (late FIN or RST, impossible flags) is INVALID and matches none of NEW, ESTABLISHED or RELATED.',
      },
      { ...tupleOption('--ctproto', 'layer-4 protocol', protocolArg), summary: 'Match the layer-4 protocol recorded in the conntrack entry.' },
      tupleOption('--ctorigsrc', 'original source address', hostMaskArg),
      tupleOption('--ctorigdst', 'original destination address (before DNAT)', hostMaskArg),
      tupleOption('--ctreplsrc', 'reply source address', hostMaskArg),
      tupleOption('--ctrepldst', 'reply destination address (after SNAT)', hostMaskArg),
      tupleOption('--ctorigsrcport', 'original source port', servicePortRange),
      tupleOption('--ctorigdstport', 'original destination port (before DNAT)', servicePortRange),
      tupleOption('--ctreplsrcport', 'reply source port', servicePortRange),
      tupleOption('--ctrepldstport', 'reply destination port', servicePortRange),
      {
        name: '--ctstatus',
        args: [choiceList(CT_STATUSES, { id: 'ctstatus-list', label: 'status[,status...]', ignoreCase: true })],
        negatable: true,
        summary: 'Match conntrack status bits: NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED.',
      },
      {
        name: '--ctexpire',
        args: [uintRangeRC(0xffffffff, { label: 'seconds[:seconds]', what: 'seconds' })],
        negatable: true,
        summary: 'Match the seconds left before the conntrack entry expires.',
      },
      {
        name: '--ctdir',
        args: [choice(CT_DIRECTIONS, { ignoreCase: true })],
        summary: 'Match packets in the ORIGINAL or the REPLY direction only.',
      },
    ],
  },
  {
    kind: 'match',
    name: 'state',
    families: ['ipv4', 'ipv6'],
    summary: 'Connection-tracking state (older form of `-m conntrack --ctstate`).',
    doc:
      'Same states as `-m conntrack --ctstate` except SNAT and DNAT. Still works; new rules usually write ' +
      '`-m conntrack --ctstate`.',
    options: [
      {
        name: '--state',
        args: [oldStateList],
        negatable: true,
        required: true,
        summary: 'Match conntrack states: NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED.',
      },
    ],
  },
];
