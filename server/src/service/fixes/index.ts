/** Quick-fix providers of the ordering and hygiene checks, by diagnostic code. */
import type { Finding } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { banFixes } from './ban';
import { establishedFixes, loopbackFixes } from './baseline';
import { logInvalidFixes } from './log-invalid';
import { logLimitFixes, logPrefixLengthFixes, logPrefixSpaceFixes } from './logging';
import { oneWayFixes, untrackedFixes } from './notrack';
import { rejectResetFixes } from './reject-reset';
import { resetSwallowedFixes } from './reset-swallowed';
import { stateModuleFixes } from './state-module';
import { synFixes } from './syn';

export type FixProvider = (doc: RulesDocument, f: Finding) => CodeAction[];

export const FIX_PROVIDERS: ReadonlyMap<string, FixProvider> = new Map<string, FixProvider>([
  ['log-invalid', logInvalidFixes],
  ['ban-after-established', banFixes],
  ['reject-without-tcp-reset', rejectResetFixes],
  ['reset-swallowed', resetSwallowedFixes],
  ['new-without-syn', synFixes],
  ['notrack-without-untracked', untrackedFixes],
  ['one-way-notrack', oneWayFixes],
  ['missing-established-accept', establishedFixes],
  ['missing-loopback-accept', loopbackFixes],
  ['log-without-limit', logLimitFixes],
  ['log-prefix-no-space', logPrefixSpaceFixes],
  ['log-prefix-too-long', logPrefixLengthFixes],
  ['state-module', stateModuleFixes],
]);
