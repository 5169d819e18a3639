/** Every match module, gathered from the files of this folder. */
import type { MatchSpec } from '../types';
import { ADDRESSING_MATCHES } from './addressing';
import { CONNECTION_MATCHES } from './connection';
import { CONNTRACK_MATCHES } from './conntrack';
import { HOST_MATCHES } from './host';
import { IPSEC_MATCHES } from './ipsec';
import { IPV6_MATCHES } from './ipv6';
import { MISC_MATCHES } from './misc';
import { PACKET_MATCHES } from './packet';
import { PROTOCOL_MATCHES } from './protocol';
import { RATE_MATCHES } from './rate';
import { TRANSPORT_MATCHES } from './transport';

export const ALL_MATCHES: readonly MatchSpec[] = [
  ...PROTOCOL_MATCHES,
  ...TRANSPORT_MATCHES,
  ...CONNTRACK_MATCHES,
  ...CONNECTION_MATCHES,
  ...MISC_MATCHES,
  ...ADDRESSING_MATCHES,
  ...PACKET_MATCHES,
  ...RATE_MATCHES,
  ...HOST_MATCHES,
  ...IPSEC_MATCHES,
  ...IPV6_MATCHES,
];
