/** Every match module, gathered from the files of this folder. */
import type { MatchSpec } from '../types';
import { CONNTRACK_MATCHES } from './conntrack';
import { MISC_MATCHES } from './misc';
import { PROTOCOL_MATCHES } from './protocol';

export const ALL_MATCHES: readonly MatchSpec[] = [...PROTOCOL_MATCHES, ...CONNTRACK_MATCHES, ...MISC_MATCHES];
