/** Every target, gathered from the files of this folder. */
import type { TargetSpec } from '../types';
import { CONNTRACK_TARGETS } from './conntrack';
import { LOGGING_TARGETS } from './logging';
import { REJECT_TARGETS } from './reject';
import { STANDARD_TARGETS } from './standard';

export const ALL_TARGETS: readonly TargetSpec[] = [...STANDARD_TARGETS, ...LOGGING_TARGETS, ...REJECT_TARGETS, ...CONNTRACK_TARGETS];
