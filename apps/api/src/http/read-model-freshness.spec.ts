import { EventStoreUnavailableError, StorageUnavailableError } from '@nws/event-store';
import { STALE_HEADER, caughtUpOrMarkedStale } from './read-model-freshness';

/** A reply that records the headers set on it, and read models that catch up or not. */
function harness(headPosition: () => Promise<number>, caughtUp = true) {
  const headers = new Map<string, string>();
  const waitedFor: number[] = [];
  const reply = { header: (name: string, value: string) => headers.set(name, value) };
  const projections = {
    waitFor: async (position: number) => {
      waitedFor.push(position);
      return caughtUp;
    },
  };
  return { run: () => caughtUpOrMarkedStale({ headPosition }, projections, reply), headers, waitedFor };
}

describe('caughtUpOrMarkedStale: read-your-writes, or an answer marked stale when the store cannot tell its head', () => {
  it('waits for the head and leaves a caught-up answer unmarked', async () => {
    const h = harness(async () => 42);
    expect(await h.run()).toBe(true);
    expect([h.waitedFor, h.headers.size]).toEqual([[42], 0]);
  });

  it('marks the answer when the read models did not catch up within the wait', async () => {
    const h = harness(async () => 42, false);
    expect(await h.run()).toBe(false);
    expect(h.headers.get(STALE_HEADER)).toBe('true');
  });

  it.each([
    ['EventStoreDB unavailable after its retries', new EventStoreUnavailableError('EventStoreDB headPosition unavailable after 6 attempts')],
    ['a storage problem said as StorageUnavailableError (one of them)', new StorageUnavailableError('io-error', 'events.sqlite')],
  ])('marks the answer, without waiting, when %s', async (_, error) => {
    const h = harness(() => Promise.reject(error));
    expect(await h.run()).toBe(false);
    expect([h.waitedFor, h.headers.get(STALE_HEADER)]).toEqual([[], 'true']);
  });

  it('any other error is not an outage: thrown as before, the answer not given', async () => {
    const closed = new TypeError('The database connection is not open');
    const h = harness(() => Promise.reject(closed));
    await expect(h.run()).rejects.toBe(closed);
    expect(h.headers.size).toBe(0);
  });

  it('a store that never answers (a frozen node) is unavailable after 1 s, not waited out', async () => {
    const h = harness(() => new Promise<number>(() => undefined));
    const started = Date.now();
    expect(await h.run()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(h.headers.get(STALE_HEADER)).toBe('true');
  });
});
