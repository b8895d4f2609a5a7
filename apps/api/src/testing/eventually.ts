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

/**
 * The first value `read` finds (anything but undefined), read again until then, or fails naming
 * `what`: a liveness bound, not a speed check (a stuck run fails instead of hanging).
 */
export async function found<T>(what: string, read: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
