/**
 * Kernel messages about connection tracking that show up next to firewall lines in kern.log,
 * with what they mean and what to do. Message texts are the kernel's (Linux 6.12 unless noted);
 * explanations in our own words.
 */
import type { ValueDoc } from './types';

export interface KernelMessageDoc extends ValueDoc {
  /** Stable key used by the model (`KernelMessage.id`). */
  readonly id: string;
  /**
   * The message after its subsystem tag, as the kernel prints it. The parser matches the start of the
   * text after `subsystem: ` against this, ignoring a trailing `.`.
   */
  readonly text: string;
  /** Subsystem tags that may stand before `text` (`nf_conntrack`, `ip_conntrack`...). */
  readonly subsystems: readonly string[];
  readonly citation: string;
  /** Sysctls worth looking at. */
  readonly sysctls?: readonly string[];
}

export const KERNEL_MESSAGES: readonly KernelMessageDoc[] = [
  {
    id: 'conntrack-table-full',
    name: 'nf_conntrack: table full, dropping packet',
    text: 'table full, dropping packet',
    subsystems: ['nf_conntrack', 'ip_conntrack'],
    summary: 'The connection table is full: packets that would open a new connection are being dropped.',
    doc:
      'Conntrack tracks at most `net.netfilter.nf_conntrack_max` connections. When the table is full and no ' +
      'unimportant entry (one not yet ASSURED) can be evicted, the kernel drops the packet that needed a new ' +
      'entry: clients see timeouts and failed connections while established ones keep working. The message ' +
      'is rate-limited, so each line can stand for many drops (see the `net_ratelimit: N callbacks ' +
      'suppressed` lines).\n\n' +
      'What to do: compare `sysctl net.netfilter.nf_conntrack_count` with `nf_conntrack_max`; raise the ' +
      'maximum (and `nf_conntrack_buckets`); shorten the timeouts that hold most entries ' +
      '(`nf_conntrack_tcp_timeout_established`, `_time_wait`, `_close_wait`, `_fin_wait`); or exempt busy ' +
      'stateless traffic in the raw table with `-j CT --notrack` (old syntax `-j NOTRACK`) in both ' +
      'directions, and accept `UNTRACKED` in the filter rules. Older kernels print the same text with a ' +
      'final `.`; kernels that add the module name twice print `nf_conntrack: nf_conntrack: table full`.',
    citation: 'net/netfilter/nf_conntrack_core.c:1659-1666 (__nf_conntrack_alloc)',
    sysctls: [
      'net.netfilter.nf_conntrack_max',
      'net.netfilter.nf_conntrack_count',
      'net.netfilter.nf_conntrack_buckets',
      'net.netfilter.nf_conntrack_tcp_timeout_established',
      'net.netfilter.nf_conntrack_tcp_timeout_time_wait',
    ],
  },
  {
    id: 'conntrack-expect-table-full',
    name: 'nf_conntrack: expectation table full',
    text: 'expectation table full',
    subsystems: ['nf_conntrack'],
    summary: 'Too many expected connections (FTP data, SIP media...) are pending; new ones are refused.',
    doc:
      'Protocol helpers (FTP, SIP, H.323, PPTP...) announce the connections they expect to follow. Their ' +
      'table is limited by `net.netfilter.nf_conntrack_expect_max`; when it is full the helper cannot announce ' +
      'more and the related connections fail (or are not RELATED). Raise the limit, or check for a helper ' +
      'attached to traffic that does not need it (home routers often attach SIP helpers by default).',
    citation: 'net/netfilter/nf_conntrack_expect.c (__nf_ct_expect_check)',
    sysctls: ['net.netfilter.nf_conntrack_expect_max'],
  },
  {
    id: 'net-ratelimit',
    name: 'net_ratelimit: N callbacks suppressed',
    text: 'callbacks suppressed',
    subsystems: ['net_ratelimit'],
    summary: 'The kernel held back N network warnings to protect the log: the real count of the messages around it is higher.',
    doc:
      'Network warnings such as "table full, dropping packet" go through a rate limiter (by default at most 10 ' +
      'messages per 5 seconds). This line tells how many were swallowed since the last one printed. Next to ' +
      'a table-full message it means far more packets were dropped than the log shows.',
    citation: 'lib/ratelimit.c (___ratelimit); net/core/utils.c (net_ratelimit)',
  },
  {
    id: 'conntrack-version',
    name: 'nf_conntrack version X (N buckets, M max)',
    text: 'version',
    subsystems: [],
    summary: 'Conntrack was loaded: its hash size (buckets) and table limit (max).',
    doc:
      'Printed when the conntrack module starts. The numbers are the initial `nf_conntrack_buckets` and ' +
      '`nf_conntrack_max` for this machine; useful to know the limit before "table full" appears.',
    citation: 'net/netfilter/nf_conntrack_core.c (nf_conntrack_init_start)',
    sysctls: ['net.netfilter.nf_conntrack_max', 'net.netfilter.nf_conntrack_buckets'],
  },
  {
    id: 'conntrack-vmalloc',
    name: 'nf_conntrack: falling back to vmalloc.',
    text: 'falling back to vmalloc',
    subsystems: ['nf_conntrack'],
    summary: 'The conntrack hash table was allocated from slower non-contiguous memory (old kernels).',
    doc: 'Harmless: the kernel could not get one contiguous block for the hash table and used vmalloc instead.',
    citation: 'net/netfilter/nf_conntrack_core.c (older kernels, nf_ct_alloc_hashtable)',
  },
  {
    id: 'conntrack-helper-autoassign',
    name: 'nf_conntrack: default automatic helper assignment has been turned off...',
    text: 'default automatic helper assignment has been turned off',
    subsystems: ['nf_conntrack'],
    summary: 'A protocol helper (FTP, SIP...) would have been attached by port number, but that is disabled.',
    doc:
      'Kernels from 4.7 no longer attach helpers by port number. If FTP or SIP through this firewall relies ' +
      'on RELATED connections, attach the helper explicitly: `-t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp`.',
    citation: 'net/netfilter/nf_conntrack_helper.c (older kernels)',
  },
];

const BY_ID = new Map(KERNEL_MESSAGES.map((m) => [m.id, m]));

export function findKernelMessage(id: string): KernelMessageDoc | undefined {
  return BY_ID.get(id);
}
