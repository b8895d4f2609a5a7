import { from, switchMap, tap, type Subject, type Subscription } from 'rxjs';
import { resubscribing, type EventStore } from '@nws/event-store';
import type { ConsumerConfig } from './distribution.config';

/**
 * Wakes the long polls of each consumer when an event of its types is stored (fetch finds the
 * events; this is only the wake-up call), from the store's head on. Subscribed again after an
 * outage from the head then, waking every consumer, since what was stored meanwhile woke none:
 * before, a subscription that ended left each long poll waiting out its whole waitMs.
 */
export async function wakeOnNewEvents(index: Pick<EventStore, 'headPosition' | 'subscribeToAll'>, consumers: readonly ConsumerConfig[], changed: Subject<string>): Promise<Subscription> {
  const types = [...new Set(consumers.flatMap((c) => c.eventTypes))];
  let first: number | undefined = await index.headPosition();
  const subscribe = () => {
    const head = first;
    first = undefined;
    if (head !== undefined) return index.subscribeToAll({ after: head, filter: { eventTypes: types } });
    return from(index.headPosition()).pipe(
      tap(() => consumers.forEach((c) => changed.next(c.name))),
      switchMap((after) => index.subscribeToAll({ after, filter: { eventTypes: types } })),
    );
  };
  return resubscribing(subscribe, { retryMs: 1000 }).subscribe({
    next: (event) => {
      for (const c of consumers) if (c.eventTypes.includes(event.type)) changed.next(c.name);
    },
  });
}
