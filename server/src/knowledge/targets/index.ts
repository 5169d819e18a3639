/** Every target, gathered from the files of this folder. */
import type { TargetSpec } from '../types';
import { CONNTRACK_TARGETS } from './conntrack';
import { LOGGING_TARGETS } from './logging';
import { MARKING_TARGETS } from './marking';
import { NAT_TARGETS } from './nat';
import { PACKET_TARGETS } from './packet';
import { QUEUE_TARGETS } from './queue';
import { REJECT_TARGETS } from './reject';
import { STANDARD_TARGETS } from './standard';
import { STATE_TARGETS } from './state';
import { STEERING_TARGETS } from './steering';

export const ALL_TARGETS: readonly TargetSpec[] = [
  ...STANDARD_TARGETS,
  ...LOGGING_TARGETS,
  ...REJECT_TARGETS,
  ...CONNTRACK_TARGETS,
  ...NAT_TARGETS,
  ...MARKING_TARGETS,
  ...PACKET_TARGETS,
  ...QUEUE_TARGETS,
  ...STEERING_TARGETS,
  ...STATE_TARGETS,
];
