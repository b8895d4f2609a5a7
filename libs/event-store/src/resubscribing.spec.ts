import { Observable, Subject, firstValueFrom, take, toArray } from 'rxjs';
import { EventStoreUnavailableError } from './event-store.errors';
import { resubscribing } from './resubscribing';

describe('resubscribing: a live subscription that outlives outages', () => {
  it('given a subscription that fails twice, then it is subscribed again each time from where its caller got to, and goes on delivering', async () => {
    let delivered = 0;
    const starts: number[] = [];
    const errors: Array<[string, number]> = [];
    const feeds: Array<Subject<number>> = [];
    const source = resubscribing(
      () =>
        new Observable<number>((subscriber) => {
          starts.push(delivered);
          const feed = new Subject<number>();
          feeds.push(feed);
          return feed.subscribe(subscriber);
        }),
      { retryMs: 1, onError: (error, attempt) => errors.push([(error as Error).message, attempt]) },
    );
    const received = firstValueFrom(source.pipe(take(3), toArray()));
    const next = async (value: number) => {
      feeds.at(-1)!.next(value);
      delivered = value;
    };
    const fail = async (message: string) => {
      const count = feeds.length;
      feeds.at(-1)!.error(new EventStoreUnavailableError(message, 1));
      while (feeds.length === count) await new Promise((r) => setTimeout(r, 2));
    };
    await next(1);
    await fail('store unavailable');
    await fail('still unavailable');
    await next(2);
    await fail('unavailable again');
    await next(3);
    expect(await received).toEqual([1, 2, 3]);
    expect(starts).toEqual([0, 1, 1, 2]);
    // Counted per outage: a subscription that delivered again starts counting afresh.
    expect(errors).toEqual([
      ['store unavailable', 1],
      ['still unavailable', 2],
      ['unavailable again', 1],
    ]);
  });

  it('given an error that is not the store being unavailable (the store closed as the process stops), then it ends, subscribing no more', async () => {
    let starts = 0;
    const source = resubscribing(
      () =>
        new Observable<number>((subscriber) => {
          starts += 1;
          subscriber.error(new Error('event store is closed'));
        }),
      { retryMs: 1 },
    );
    await expect(firstValueFrom(source)).rejects.toThrow('event store is closed');
    await new Promise((r) => setTimeout(r, 20));
    expect(starts).toBe(1);
  });
});
