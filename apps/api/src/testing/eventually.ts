/**
 * Probes until `done` holds, or fails with the last value seen: for what the API does in the
 * background (projections, retries, the disk coming back), which a test waits for without a
 * fixed sleep that a slow machine would outrun.
 */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, options: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const until = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met in time; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 25));
  }
}
