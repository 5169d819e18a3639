/**
 * Work done in steps: a generator that yields between slices of it, so that whoever drives it
 * (the language server, between the requests it answers) can stop after any step and go on later.
 * Driven to its end at once, it is the same work as a plain function.
 */
export type Steps<T> = Generator<void, T, void>;

/** The result of `steps`, every step taken now. */
export function finished<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
