import { Observable, concatMap, type Subscription } from 'rxjs';
import type { EventStore, RecordedEvent, SubscribeOptions } from './event-store.port';

/**
 * Hands every event after `options.after` to an async handler, one at a time and in global
 * order: first the stored events, pulled page by page so the next one is read only when the
 * handler is done with the previous (a store of millions of events never waits in memory), then
 * the live ones from where that ended. `subscribeToAll(...).pipe(concatMap(handler))` would not
 * do for a catch-up: the store emits faster than an async handler finishes, and concatMap
 * buffers everything it has not handled yet.
 *
 * The Observable never emits; it errors when the handler or the store fails, and unsubscribing
 * stops it (no handler call starts afterwards).
 */
export function consumeAll(store: Pick<EventStore, 'readAll' | 'subscribeToAll'>, options: SubscribeOptions, handle: (event: RecordedEvent) => Promise<void>): Observable<never> {
  return new Observable<never>((subscriber) => {
    let stopped = false;
    let live: Subscription | undefined;
    void (async () => {
      let after = options.after ?? 0;
      for await (const event of store.readAll({ after, filter: options.filter })) {
        if (stopped) return;
        await handle(event);
        after = event.position;
      }
      if (stopped) return;
      live = store
        .subscribeToAll({ ...options, after })
        .pipe(concatMap((event) => (stopped ? Promise.resolve() : handle(event))))
        .subscribe({ error: (error: unknown) => subscriber.error(error) });
    })().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
      live?.unsubscribe();
    };
  });
}
