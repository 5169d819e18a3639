import type { ValueDoc } from '../types';

/**
 * Connection-tracking states as `-m conntrack --ctstate` and `-m state --state` see them.
 * Kernel facts: ../shared/reference/conntrack-tcp.md (xt_conntrack.c, xt_state.c,
 * nf_conntrack_proto_tcp.c).
 */
export const CT_STATES: readonly ValueDoc[] = [
  {
    name: 'NEW',
    summary: 'First packet of a connection conntrack has not seen before.',
    doc:
      'The packet created a conntrack entry that has not yet seen a reply. For TCP that is normally a SYN, ' +
      'but with `net.netfilter.nf_conntrack_tcp_loose=1` (the default) a plain ACK or ACK PSH of a connection ' +
      'conntrack has forgotten is also NEW: the kernel picks the connection up mid-stream. Add `--syn` ' +
      '(or `--tcp-flags FIN,SYN,RST,ACK SYN`) to a NEW accept if only real connection openings should pass. ' +
      'A FIN, RST or SYN ACK with no entry is never NEW: it is INVALID.',
  },
  {
    name: 'ESTABLISHED',
    summary: 'Belongs to a connection that has seen packets in both directions.',
    doc:
      'Conntrack has an entry for this packet\'s connection and has seen a reply. Every packet after the first ' +
      'reply, in either direction, is ESTABLISHED, including the FIN and RST that close the connection, as long ' +
      'as the entry still exists. Once the entry is gone (closed, timed out, flushed), late packets are ' +
      'INVALID or NEW, never ESTABLISHED.',
  },
  {
    name: 'RELATED',
    summary: 'Starts a new flow that an existing connection expected (ICMP error, FTP data...).',
    doc:
      'The packet is not part of a known connection but is tied to one: an ICMP error about a tracked ' +
      'connection (port unreachable, fragmentation needed), or a data channel announced by a protocol helper ' +
      '(FTP, SIP...). Accepting RELATED lets path-MTU discovery and helper protocols work.',
  },
  {
    name: 'INVALID',
    summary: 'Conntrack could not place the packet: no valid connection, bad flags, or out of window.',
    doc:
      'No conntrack entry is attached to the packet. Typical causes: a FIN, RST or FIN ACK arriving after ' +
      'conntrack already removed the connection (late teardown, harmless noise); an impossible TCP flag ' +
      'combination (NULL, XMAS, SYN FIN: scans); a segment outside the TCP window; a bad checksum; or a ' +
      'SYN ACK with no SYN seen. INVALID is neither NEW nor ESTABLISHED, so such packets fall through the usual ' +
      'accept rules. Most rulesets drop them early with `-m conntrack --ctstate INVALID -j DROP`.',
  },
  {
    name: 'UNTRACKED',
    summary: 'Exempted from tracking in the raw table (NOTRACK or CT --notrack).',
    doc:
      'The raw table marked this packet as not to be tracked (`-j NOTRACK` or `-j CT --notrack`). It is ' +
      'neither NEW nor ESTABLISHED: a state-based accept must list UNTRACKED explicitly or the packets fall ' +
      'to the policy. Untracking must cover both directions (PREROUTING for arriving packets, OUTPUT for ' +
      'locally sent replies).',
  },
  {
    name: 'SNAT',
    summary: 'A virtual state: the original source differs from the reply destination (source NAT applied).',
  },
  {
    name: 'DNAT',
    summary: 'A virtual state: the original destination differs from the reply source (destination NAT applied).',
  },
];

/** `-m state --state` accepts only the first five. */
export const STATE_MODULE_STATES: readonly ValueDoc[] = CT_STATES.filter((s) => s.name !== 'SNAT' && s.name !== 'DNAT');

export const CT_STATUSES: readonly ValueDoc[] = [
  { name: 'NONE', summary: 'No status bit set.' },
  { name: 'EXPECTED', summary: 'The connection was created from an expectation (a helper announced it).' },
  { name: 'SEEN_REPLY', summary: 'A packet has been seen in the reply direction.' },
  {
    name: 'ASSURED',
    summary: 'Traffic has been seen both ways long enough that the entry is kept when the table fills up.',
  },
  { name: 'CONFIRMED', summary: 'The entry has left the first packet\'s path and is in the conntrack table.' },
];

export const CT_DIRECTIONS: readonly ValueDoc[] = [
  { name: 'ORIGINAL', summary: 'The packet travels in the direction of the connection\'s first packet.' },
  { name: 'REPLY', summary: 'The packet travels back towards the side that opened the connection.' },
];
