/** Quick-fix providers of the ordering and hygiene checks, by diagnostic code. */
import type { Finding } from '../../model/ruleset';
import type { CodeAction } from '../code-actions';
import type { RulesDocument } from '../document';
import { logInvalidFixes } from './log-invalid';

export type FixProvider = (doc: RulesDocument, f: Finding) => CodeAction[];

export const FIX_PROVIDERS: ReadonlyMap<string, FixProvider> = new Map<string, FixProvider>([['log-invalid', logInvalidFixes]]);
