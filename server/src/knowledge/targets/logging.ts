/** Targets that report packets: LOG and friends. */
import { choice, parseUintIn, text } from '../argtypes';
import type { ArgType, TargetSpec } from '../types';
import { LOG_LEVELS } from '../values/reject-log';

const logLevel: ArgType = {
  id: 'log-level',
  label: 'level',
  values: LOG_LEVELS,
  check: (v) =>
    parseUintIn(v, 0, 7) !== undefined || choice(LOG_LEVELS).check(v, { family: 'ipv4' }) === undefined
      ? undefined
      : `\`${v}\` is not a syslog level: use 0-7 or emerg, alert, crit, error, warning, notice, info, debug`,
};

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
      'and a distinct `--log-prefix` so each line tells which rule wrote it.',
    options: [
      {
        name: '--log-level',
        args: [logLevel],
        summary: 'Syslog level of the line (default warning, 4).',
      },
      {
        name: '--log-prefix',
        args: [text(29, 'prefix')],
        summary: 'Text written before the packet fields (at most 29 characters).',
        doc:
          'The kernel keeps at most 29 characters. End it with a space (or `: `) so it does not run into ' +
          '`IN=`, and make it unique per rule: it is the only way to tell from a log line which rule wrote it.',
      },
      { name: '--log-tcp-sequence', args: [], summary: 'Also log TCP sequence numbers (readable by unprivileged users of the log).' },
      { name: '--log-tcp-options', args: [], summary: 'Also log the TCP header options.' },
      { name: '--log-ip-options', args: [], summary: 'Also log the IP/IPv6 header options.' },
      { name: '--log-uid', args: [], summary: 'Also log the user id of the local process that sent the packet.' },
      { name: '--log-macdecode', args: [], summary: 'Print MAC addresses and EtherType as separate fields.' },
    ],
  },
];
