/**
 * Targets that report packets without deciding their fate: LOG, NFLOG, ULOG (obsolete), AUDIT and
 * TRACE. All of them let the packet continue with the next rule.
 */
import { choice, parseUintIn, uint } from '../argtypes';
import type { ArgType, ExtensionUse, Problem, TargetSpec, ValueDoc } from '../types';
import { LOG_LEVELS } from '../values/reject-log';
import { cutText } from './args';

/** XTTYPE_SYSLOGLEVEL: 0-7, or one of the lower-case names (plus the old `panic`). */
const logLevel: ArgType = {
  id: 'log-level',
  label: 'level',
  values: LOG_LEVELS,
  check: (v) =>
    parseUintIn(v, 0, 7) !== undefined || v === 'panic' || choice(LOG_LEVELS).check(v, { family: 'ipv4' }) === undefined
      ? undefined
      : `\`${v}\` is not a syslog level: use 0-7 or emerg, alert, crit, error, warning, notice, info, debug`,
  warn: (v) => (v === 'panic' ? '`panic` is an old name for `emerg` (0); iptables-save prints the number' : undefined),
};

const AUDIT_TYPES: readonly ValueDoc[] = [
  { name: 'accept', summary: 'The rule after this one accepts the packet.' },
  { name: 'drop', summary: 'The rule after this one drops the packet.' },
  { name: 'reject', summary: 'The rule after this one rejects the packet.' },
];

function traceCheck(use: ExtensionUse): Problem[] {
  if (use.table === 'raw') return [];
  return [
    {
      severity: 'warning',
      message:
        `iptables-legacy accepts TRACE only in the raw table; iptables-nft accepts it in ${use.table} too, ` +
        'but tracing then starts only here, after the earlier tables have already seen the packet',
    },
  ];
}

export const LOGGING_TARGETS: readonly TargetSpec[] = [
  {
    kind: 'target',
    name: 'LOG',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    summary: 'Write the packet\'s headers to the kernel log, then continue with the next rule.',
    doc:
      'Prints one line per packet (`IN= OUT= SRC= DST= ... PROTO= SPT= DPT= ...` and the TCP flags) to the ' +
      'kernel log, readable with `dmesg`, `journalctl -k` or in kern.log. It is not a verdict: the next rule ' +
      'still decides, which is why LOG usually stands right before a DROP. Put `-m limit` in front of it, ' +
      'and a distinct `--log-prefix` so each line tells which rule wrote it. Inside containers and network ' +
      'namespaces the lines are only written when `net.netfilter.nf_log_all_netns` is 1.',
    options: [
      {
        name: '--log-level',
        args: [logLevel],
        summary: 'Syslog level of the line (default warning, 4).',
      },
      {
        name: '--log-prefix',
        args: [cutText(29, 'prefix', { newline: false, cutBy: 'the kernel' })],
        summary: 'Text written before the packet fields (at most 29 characters are kept).',
        doc:
          'The kernel keeps at most 29 characters and silently cuts the rest. End it with a space (or `: `) so ' +
          'it does not run into `IN=`, and make it unique per rule: it is the only way to tell from a log line ' +
          'which rule wrote it.',
      },
      { name: '--log-tcp-sequence', args: [], summary: 'Also log TCP sequence numbers (readable by unprivileged users of the log).' },
      { name: '--log-tcp-options', args: [], summary: 'Also log the TCP header options.' },
      { name: '--log-ip-options', args: [], summary: 'Also log the IP/IPv6 header options.' },
      { name: '--log-uid', args: [], summary: 'Also log the user id of the local process that sent the packet.' },
      { name: '--log-macdecode', args: [], summary: 'Print MAC addresses and EtherType as separate fields.' },
    ],
  },
  {
    kind: 'target',
    name: 'NFLOG',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    summary: 'Copy the packet to a userspace logger over netlink (ulogd2, tcpdump -i nflog:N); then continue.',
    doc:
      'Unlike LOG, nothing is written to the kernel log: the packet (or its first `--nflog-size` bytes) goes to ' +
      'the program listening on netlink group `--nflog-group`, such as ulogd2 (to files, databases, pcap) or ' +
      '`tcpdump -i nflog:5`. With nobody listening the copy is simply discarded. Not a verdict: the next rule ' +
      'decides. Works in every table and chain, also inside network namespaces.',
    options: [
      { name: '--nflog-group', args: [uint(65535, { label: 'group' })], summary: 'Netlink group the logger listens on (0-65535, default 0).' },
      {
        name: '--nflog-prefix',
        args: [cutText(63, 'prefix', { newline: false, cutBy: 'iptables-legacy' })],
        summary: 'Text passed along with the packet, to tell rules apart.',
        doc: 'iptables-legacy keeps at most 63 characters; iptables-nft passes longer prefixes on unchanged.',
      },
      {
        name: '--nflog-range',
        args: [uint(0xffffffff, { label: 'bytes' })],
        excludes: ['--nflog-size'],
        summary: 'Old option that never worked; use --nflog-size.',
        deprecated: 'it never had an effect and iptables-nft drops it from the rule: use --nflog-size',
      },
      {
        name: '--nflog-size',
        args: [uint(0xffffffff, { label: 'bytes' })],
        excludes: ['--nflog-range'],
        summary: 'Copy only this many bytes of each packet (headers are usually enough).',
      },
      {
        name: '--nflog-threshold',
        args: [uint(65535, { label: 'count' })],
        summary: 'Packets the kernel collects before sending them to userspace in one batch (0: the logger\'s own setting).',
        doc: 'Larger batches cost fewer wake-ups but delay the log; a timer still flushes a partial batch.',
      },
    ],
  },
  {
    kind: 'target',
    name: 'ULOG',
    termination: 'continue',
    families: ['ipv4'],
    obsolete: 'removed from the kernel in Linux 3.17: no current kernel can load this rule; use NFLOG (ulogd2 reads it)',
    check: () => [
      {
        message: 'the kernel has no ULOG target since Linux 3.17, so loading this rule fails: use `-j NFLOG --nflog-group N` instead',
      },
    ],
    summary: 'Obsolete: IPv4 userspace logging over the old ULOG netlink socket; replaced by NFLOG.',
    doc:
      'ULOG sent packets to ulogd 1.x through a dedicated netlink protocol. The kernel dropped it in 3.17 ' +
      '(2014); iptables still parses the options, but the rule cannot be loaded. Replace it with NFLOG: ' +
      '`--ulog-nlgroup N` becomes `--nflog-group N`, `--ulog-prefix` becomes `--nflog-prefix`, ' +
      '`--ulog-cprange` becomes `--nflog-size`, `--ulog-qthreshold` becomes `--nflog-threshold`.',
    options: [
      { name: '--ulog-nlgroup', args: [uint(32, { min: 1, label: 'group' })], summary: 'Netlink multicast group 1-32 (default 1).' },
      { name: '--ulog-prefix', args: [cutText(31, 'prefix', { newline: false })], summary: 'Text passed along with the packet.' },
      { name: '--ulog-cprange', args: [uint(Number.MAX_SAFE_INTEGER, { label: 'bytes' })], summary: 'Bytes of each packet to copy (0: all).' },
      { name: '--ulog-qthreshold', args: [uint(50, { min: 1, label: 'count' })], summary: 'Packets to batch before sending (1-50).' },
    ],
  },
  {
    kind: 'target',
    name: 'AUDIT',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    summary: 'Write an audit record for the packet to the kernel audit log (auditd); then continue.',
    doc:
      'Creates an `AUDIT_NETFILTER_PKT` record with addresses, protocol and ports, for compliance logging ' +
      'through auditd rather than syslog. Nothing is written while auditing is disabled. It does not decide ' +
      'anything itself: follow it with the rule that accepts, drops or rejects, and state that verdict with ' +
      '`--type`.',
    options: [
      {
        name: '--type',
        args: [choice(AUDIT_TYPES, { ignoreCase: true, id: 'audit-type' })],
        required: true,
        summary: 'The verdict this record documents: accept, drop or reject.',
      },
    ],
  },
  {
    kind: 'target',
    name: 'TRACE',
    termination: 'continue',
    families: ['ipv4', 'ipv6'],
    check: traceCheck,
    summary: 'Trace the packet through every later rule and chain (debugging); then continue.',
    doc:
      'Marks the packet so that each rule it meets from here on is reported: with iptables-nft read the trace ' +
      'with `xtables-monitor --trace` (or `nft monitor trace`); with iptables-legacy it goes to the kernel log ' +
      'as `TRACE: table:chain:rule:N` lines once a logger is set (`sysctl net.netfilter.nf_log.2=nf_log_ipv4`). ' +
      'Put it in raw PREROUTING or OUTPUT, narrowed to the traffic you are debugging: every traced packet ' +
      'produces one line per rule.',
    options: [],
  },
];
