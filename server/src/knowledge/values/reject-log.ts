import type { ValueDoc } from '../types';

/** `REJECT --reject-with` for IPv4 (libipt_REJECT.c). */
export const REJECT_TYPES_V4: readonly ValueDoc[] = [
  {
    name: 'icmp-port-unreachable',
    aliases: ['port-unreach'],
    summary: 'The default: answer as if nothing listened on the port.',
  },
  { name: 'icmp-net-unreachable', aliases: ['net-unreach'], summary: 'Answer "network unreachable".' },
  { name: 'icmp-host-unreachable', aliases: ['host-unreach'], summary: 'Answer "host unreachable".' },
  { name: 'icmp-proto-unreachable', aliases: ['proto-unreach'], summary: 'Answer "protocol unreachable".' },
  { name: 'icmp-net-prohibited', aliases: ['net-prohib'], summary: 'Answer "network administratively prohibited".' },
  { name: 'icmp-host-prohibited', aliases: ['host-prohib'], summary: 'Answer "host administratively prohibited".' },
  { name: 'icmp-admin-prohibited', aliases: ['admin-prohib'], summary: 'Answer "communication administratively prohibited".' },
  {
    name: 'tcp-reset',
    aliases: ['tcp-rst'],
    summary: 'Answer a TCP packet with a RST: the peer learns at once that the connection is refused or gone.',
    doc:
      'Only valid with `-p tcp`. A RST makes the peer\'s connect() fail at once and aborts an established ' +
      'connection, where an ICMP error or a silent drop leaves it retransmitting. The RST is sent from this ' +
      'host and leaves through OUTPUT: an OUTPUT rule that drops or rejects the peer swallows it.',
  },
];

/** `REJECT --reject-with` for IPv6 (libip6t_REJECT.c). */
export const REJECT_TYPES_V6: readonly ValueDoc[] = [
  { name: 'icmp6-port-unreachable', aliases: ['port-unreach'], summary: 'The default: answer as if nothing listened on the port.' },
  { name: 'icmp6-no-route', aliases: ['no-route'], summary: 'Answer "no route to destination".' },
  { name: 'icmp6-adm-prohibited', aliases: ['adm-prohibited'], summary: 'Answer "administratively prohibited".' },
  { name: 'icmp6-addr-unreachable', aliases: ['addr-unreach'], summary: 'Answer "address unreachable".' },
  { name: 'icmp6-policy-fail', aliases: ['policy-fail'], summary: 'Answer "source address failed policy".' },
  { name: 'icmp6-reject-route', aliases: ['reject-route'], summary: 'Answer "reject route to destination".' },
  REJECT_TYPES_V4[REJECT_TYPES_V4.length - 1]!,
];

/** Syslog levels for `LOG --log-level`: 0-7 or exactly these lower-case names (libxt_LOG.c). */
export const LOG_LEVELS: readonly (ValueDoc & { level: number })[] = [
  { name: 'emerg', level: 0, summary: '0: system is unusable.' },
  { name: 'alert', level: 1, summary: '1: action must be taken immediately.' },
  { name: 'crit', level: 2, summary: '2: critical condition.' },
  { name: 'error', level: 3, summary: '3: error condition.' },
  { name: 'warning', level: 4, summary: '4: warning (the default for LOG).' },
  { name: 'notice', level: 5, summary: '5: normal but significant.' },
  { name: 'info', level: 6, summary: '6: informational.' },
  { name: 'debug', level: 7, summary: '7: debug; often not written to disk by syslog defaults.' },
];
