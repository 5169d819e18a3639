/** NFQUEUE: hand packets to a userspace program for the verdict (QUEUE itself is in standard.ts). */
import { uint } from '../argtypes';
import type { TargetSpec } from '../types';
import { queueRange } from './args';

export const QUEUE_TARGETS: readonly TargetSpec[] = [
  {
    kind: 'target',
    name: 'NFQUEUE',
    // The packet never goes on to the next rule: the program's verdict (accept, drop, repeat) decides,
    // and --queue-bypass without a listener acts like ACCEPT. So it ends the chain whatever the options.
    termination: 'terminating',
    families: ['ipv4', 'ipv6'],
    summary: 'Hand the packet to a userspace program (IPS, DPI, custom filter) that returns the verdict.',
    doc:
      'The packet waits in a numbered queue until the program bound to it (Suricata, Snort, a libnetfilter_queue ' +
      'tool) answers accept, drop or repeat; accepted packets go on to the next table or hook, never to the ' +
      'next rule of this chain. **If no program listens, every queued packet is dropped**: a crashed IPS then ' +
      'cuts the traffic, unless `--queue-bypass` is given, which lets the packet pass as if accepted.\n\n' +
      'A slow program adds latency to every queued packet, and when its queue is full the kernel drops further ' +
      'packets (unless the program configured the queue to fail open): watch `/proc/net/netfilter/nfnetlink_queue`.',
    options: [
      {
        name: '--queue-num',
        args: [uint(65535, { label: 'queue' })],
        excludes: ['--queue-balance'],
        summary: 'Queue number the program listens on (0-65535, default 0).',
      },
      {
        name: '--queue-balance',
        args: [queueRange],
        excludes: ['--queue-num'],
        summary: 'Spread flows over the queues `first:last` (one flow always lands in the same queue).',
        doc: 'Lets several program instances share the load; packets of one connection stay in order in one queue.',
      },
      {
        name: '--queue-bypass',
        args: [],
        summary: 'When no program listens on the queue, let the packet pass instead of dropping it.',
        doc:
          'Fail-open: traffic keeps flowing while the inspecting program is down (and is not inspected). Without ' +
          'it the firewall fails closed.',
      },
      {
        name: '--queue-cpu-fanout',
        args: [],
        requires: ['--queue-balance'],
        summary: 'With --queue-balance, pick the queue by the CPU handling the packet instead of by flow.',
      },
    ],
  },
];
