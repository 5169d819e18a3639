import type { ValueDoc } from '../types';

/** TCP header flags, in the order the kernel's LOG target prints them (nf_log_syslog.c). */
export const TCP_FLAGS: readonly ValueDoc[] = [
  { name: 'CWR', summary: 'Congestion Window Reduced: the sender slowed down after an ECN echo.' },
  { name: 'ECE', summary: 'ECN Echo: the receiver saw congestion marked on the path (or ECN negotiation in a SYN).' },
  { name: 'URG', summary: 'Urgent pointer is significant; rare in real traffic, common in XMAS scans.' },
  { name: 'ACK', summary: 'The acknowledgement number is valid; set on every segment after the opening SYN.' },
  { name: 'PSH', summary: 'Push: hand the data to the application now; typical on data segments.' },
  { name: 'RST', summary: 'Reset: abort the connection at once.' },
  { name: 'SYN', summary: 'Synchronise: opens a connection (SYN) or answers an opening (SYN ACK).' },
  { name: 'FIN', summary: 'Finish: the sender has no more data; starts or continues a graceful close.' },
];

/**
 * Words `-m tcp --tcp-flags` accepts (libxt_tcp.c knows only the six classic flags, ALL and NONE;
 * ECE and CWR cannot be matched this way).
 */
export const TCP_FLAG_WORDS: readonly ValueDoc[] = [
  ...TCP_FLAGS.filter((f) => f.name !== 'CWR' && f.name !== 'ECE'),
  { name: 'ALL', summary: 'All six classic flags: FIN,SYN,RST,PSH,ACK,URG.' },
  { name: 'NONE', summary: 'No flag at all.' },
];

export const TCP_FLAG_BITS: Readonly<Record<string, number>> = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  ALL: 0x3f,
  NONE: 0,
};
