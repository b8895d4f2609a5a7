/**
 * `work`'s answer, or `late()` thrown once `ms` have passed without one: for what only waits on
 * something that may never answer (a frozen EventStoreDB node). The work goes on, unawaited; its
 * later failure is handled by the race.
 */
export async function within<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
