/**
 * Shared settings of the fuzz suites: fixed seeds, how many runs (scaled by FUZZ_SCALE for
 * `npm run fuzz`), and a fast-check runner that reports the shrunk counterexample in full.
 */
import fc from 'fast-check';
import { appendFileSync } from 'node:fs';

/** `npm test` runs scale 1; `npm run fuzz` raises it. */
export const SCALE = Math.max(0.01, Number(process.env.FUZZ_SCALE ?? 1));

/** Fixed unless FUZZ_SEED says otherwise (a failure prints the seed and path to replay it). */
export const SEED = Number(process.env.FUZZ_SEED ?? 0x1f7ab1e5);

export function runs(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/** A suite's figures: printed, and appended to $FUZZ_REPORT (JSON lines) for `npm run fuzz` to add up. */
export function record(suite: string, cases: number, documents: number, seconds: number, text: string): void {
  console.log(text);
  const file = process.env.FUZZ_REPORT;
  if (file) appendFileSync(file, JSON.stringify({ suite, cases, documents, seconds }) + '\n');
}

/**
 * Run a property with a fixed seed. To replay a failure, set FUZZ_SEED to the printed seed minus
 * the suite's offset... or simply FUZZ_REPLAY='{"seed":N,"path":"..."}' as printed.
 */
export function check<T>(arb: fc.Arbitrary<T>, numRuns: number, seedOffset: number, predicate: (v: T) => void): void {
  const replay = process.env.FUZZ_REPLAY ? (JSON.parse(process.env.FUZZ_REPLAY) as { seed: number; path: string }) : undefined;
  if (replay && replay.seed !== SEED + seedOffset) return;
  fc.assert(fc.property(arb, predicate), {
    seed: SEED + seedOffset,
    numRuns,
    ...(replay ? { path: replay.path, endOnFailure: true } : {}),
    verbose: fc.VerbosityLevel.None,
  });
}
