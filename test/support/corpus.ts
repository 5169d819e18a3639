/**
 * Where the shared corpus lives (../shared/corpus beside the project) and a helper for tests that
 * read it in place. Tests skip with a clear reason when it is missing; under CI=true that skip is
 * a failure.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS = process.env.IPTABLES_LENS_CORPUS ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'corpus');
export const SHARED = path.dirname(CORPUS);

export function corpusAvailable(): boolean {
  return existsSync(CORPUS);
}

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Skip the current suite or test for a missing prerequisite, saying why; under CI a missing
 * prerequisite fails instead, because CI installs everything.
 */
export function skipOrFail(ctx: Mocha.Context, reason: string): void {
  if (IN_CI) throw new Error(`required under CI but missing: ${reason}`);
  console.log(`      skipped: ${reason}`);
  ctx.skip();
}
