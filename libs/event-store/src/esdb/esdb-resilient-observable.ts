import { Observable } from 'rxjs';
import { backoffMs, isTransient, unavailable, type RetryPolicy } from './esdb-retry';

/** The server ended a subscription that should run forever (node shutdown, leader change). */
export class SubscriptionEndedError extends Error {
  override readonly name = 'SubscriptionEndedError';
}

/**
 * A live subscription that receives nothing while the server holds events it should have sent
 * (the node froze or its subscription died without closing the call): the attempt is given up,
 * as a dropped one would be, and the next starts where this one got to.
 */
export class SubscriptionStalledError extends Error {
  override readonly name = 'SubscriptionStalledError';
}

export interface AttemptHandlers<T> {
  next(value: T): void;
  /** The attempt got somewhere (confirmed, or delivered): the failure count starts again. */
  progress(): void;
  /** Transient failures are retried with backoff, others end the observable. */
  fail(error: unknown): void;
}

export interface Attempt {
  stop(): void;
}

/**
 * An observable over a server subscription that re-subscribes after transient failures, each new
 * attempt starting where the previous one stopped (the `start` callback owns that cursor). After
 * `policy.attempts` failures without progress it errors with EventStoreUnavailableError.
 */
export function resilientObservable<T>(operation: string, policy: RetryPolicy, start: (handlers: AttemptHandlers<T>) => Attempt): Observable<T> {
  return new Observable<T>((subscriber) => {
    let failures = 0;
    let current = 0;
    let attempt: Attempt | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;

    const open = () => {
      const id = ++current;
      // Late callbacks of a finished attempt must not reach the subscriber.
      const active = () => !stopped && id === current;
      attempt = start({
        next: (value) => {
          if (active()) subscriber.next(value);
        },
        progress: () => {
          if (active()) failures = 0;
        },
        fail: (error) => {
          if (!active()) return;
          current += 1;
          attempt?.stop();
          const retryable = error instanceof SubscriptionEndedError || error instanceof SubscriptionStalledError || isTransient(error);
          if (!retryable) return subscriber.error(error);
          failures += 1;
          if (failures >= policy.attempts) return subscriber.error(unavailable(operation, policy, error));
          timer = setTimeout(open, backoffMs(policy, failures));
        },
      });
    };

    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      attempt?.stop();
    };
  });
}
