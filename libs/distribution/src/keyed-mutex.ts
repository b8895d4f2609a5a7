/**
 * Runs async work one at a time per key. A consumer's fetches and acks read the event store
 * between their reads and writes of the ledger; without this, two of them could hand out the
 * same lease or move a checkpoint past an event the other just delivered.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
