import { defer, retry, timer, type Observable } from 'rxjs';
import { EventStoreUnavailableError } from './event-store.errors';

/**
 * A live subscription that outlives the store's outages: subscribed through `subscribe` (called
 * again on every attempt, so each one starts from where its caller got to), and subscribed again
 * `retryMs` after it fails. The adapters retry briefly by themselves (EventStoreDB: six tries in
 * about three seconds); a longer outage ended such a subscription for good, and what watched
 * through it — erasures done by other processes, the store's seals, distribution's long polls —
 * silently stopped until the process restarted. `onError` hears each failure. Only the store being
 * unavailable is waited out: any other error (the store closed as the process stops) ends it.
 */
export function resubscribing<T>(subscribe: () => Observable<T>, options: { readonly retryMs: number; readonly onError?: (error: unknown, attempt: number) => void }): Observable<T> {
  return defer(subscribe).pipe(
    retry({
      delay: (error: unknown, attempt: number) => {
        if (!(error instanceof EventStoreUnavailableError)) throw error;
        options.onError?.(error, attempt);
        return timer(options.retryMs);
      },
      // A subscription that delivered again starts counting afresh.
      resetOnSuccess: true,
    }),
  );
}
