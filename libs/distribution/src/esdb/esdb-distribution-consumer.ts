import { setTimeout as delay } from 'node:timers/promises';
import type { Observable } from 'rxjs';
import type { PersistentConsumerOptions, PersistentDelivery } from '@nws/event-store/esdb';
import type { PublishedEvent } from '../published-event';

/** The ledger's side of an `esdb-persistent` consumer (over HTTP in the reference distributor). */
export interface LedgerEndpoint {
  /** The published view of the event EventStoreDB handed over, recording the delivery; `acked`: already handled. */
  deliverAt(position: number, eventId: string): Promise<{ readonly event: PublishedEvent; readonly status: 'delivered' | 'acked' }>;
  ack(eventId: string): Promise<void>;
  nack(eventId: string, reason: string): Promise<void>;
}

/** What the consumer's own work made of one event. Throwing means "failed this time": EventStoreDB delivers it again. */
export type HandleOutcome = { readonly kind: 'done' } | { readonly kind: 'refused'; readonly reason: string };

/** The EventStoreDB adapter's side: joining a persistent subscription group on $all. */
export interface PersistentSubscriber {
  subscribeToPersistentSubscriptionToAll(group: string, options?: PersistentConsumerOptions): Observable<PersistentDelivery>;
}

export interface EsdbDistributionConsumerOptions {
  readonly events: PersistentSubscriber;
  readonly group: string;
  readonly eventTypes: readonly string[];
  /** At this delivery a failing event is parked (nack `park`): the consumer's `maxDeliveries`. */
  readonly maxDeliveries: number;
  readonly ledger: LedgerEndpoint;
  readonly handle: (event: PublishedEvent) => Promise<HandleOutcome>;
  /** Events EventStoreDB hands this instance before it acknowledges earlier ones. Default 4. */
  readonly bufferSize?: number;
  /** Ledger failures worth waiting out (API restarting) rather than counting against the event. */
  readonly isTransient?: (error: unknown) => boolean;
  /**
   * Failures no delivery can get past (the API refuses this instance's token): the instance leaves
   * the group without settling the event in hand (it is redelivered) and the consumer ends with the
   * error. Counted against each event instead, a token that expired mid-run parked every event.
   */
  readonly isFatal?: (error: unknown) => boolean;
  /** Aborting finishes the event in hand, then leaves the group (what is buffered goes to the others). */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  readonly maxBackoffMs?: number;
}

/**
 * One instance of a competing-consumers group: EventStoreDB hands each event of the group to one
 * instance, redelivers what an instance nacks or never acknowledges (it died, it timed out, it
 * left), and parks. Per event, in this order:
 *
 * 1. the ledger records the delivery and returns the published view (stored events hold personal
 *    data encrypted under keys that never leave the system, so an instance cannot publish them
 *    itself); an event the consumer already acknowledged is acknowledged to EventStoreDB at once,
 *    so a redelivery to another instance is not handled twice (idempotent by event id);
 * 2. `handle` does the work (it must itself be idempotent: a crash between its effect and the
 *    ledger ack repeats it — the reference distributor recognises a version by its content hash);
 * 3. done → ack to the ledger, then to EventStoreDB; refused → nack to the ledger (parked with the
 *    reason) and nack `park` (EventStoreDB's parked queue); failed → nack `retry`, and at the
 *    `maxDeliveries`-th delivery park as refused.
 *
 * The ledger is told first, so a crash in between only brings a redelivery that step 1 settles.
 */
export async function runEsdbDistributionConsumer(options: EsdbDistributionConsumerOptions): Promise<void> {
  const log = options.log ?? (() => undefined);
  const { signal } = options;
  let failures = 0;
  while (!signal?.aborted) {
    try {
      await consumeOnce(options, log, () => (failures = 0));
    } catch (error) {
      if (signal?.aborted) break;
      if (options.isFatal?.(error)) throw error;
      failures += 1;
      const wait = Math.min(options.maxBackoffMs ?? 10_000, 250 * 2 ** Math.min(failures, 8));
      log(`group ${options.group}: ${describe(error)}; joining again in ${wait} ms`);
      await sleep(wait, signal);
    }
  }
}

function consumeOnce(options: EsdbDistributionConsumerOptions, log: (line: string) => void, joined: () => void): Promise<void> {
  const { signal } = options;
  return new Promise<void>((resolve, reject) => {
    let queue = Promise.resolve();
    let leaving = false;
    let announced = false;
    const subscription = options.events
      .subscribeToPersistentSubscriptionToAll(options.group, { filter: { eventTypes: [...options.eventTypes] }, bufferSize: options.bufferSize ?? 4 })
      .subscribe({
        next: (delivery) => {
          if (!announced) {
            announced = true;
            joined();
          }
          // One event at a time; what is still buffered when we leave is redelivered to the group.
          queue = queue.then(() => (leaving ? undefined : settle(delivery, options, log).catch((error: unknown) => fail(error))));
        },
        error: (error: unknown) => fail(error),
        complete: () => fail(new Error('persistent subscription completed')),
      });
    log(`group ${options.group}: joining as one of its competing consumers`);
    const leave = () => {
      leaving = true;
      void queue.then(() => {
        subscription.unsubscribe();
        resolve();
      });
    };
    function fail(error: unknown) {
      if (leaving) return;
      leaving = true;
      signal?.removeEventListener('abort', leave);
      void queue.then(() => {
        subscription.unsubscribe();
        reject(error);
      });
    }
    if (signal?.aborted) leave();
    else signal?.addEventListener('abort', leave, { once: true });
  });
}

async function settle(delivery: PersistentDelivery, options: EsdbDistributionConsumerOptions, log: (line: string) => void): Promise<void> {
  const { event, retryCount } = delivery;
  const attempt = retryCount + 1;
  const waitOut = <T>(work: () => Promise<T>) => retryTransient(work, options);
  let looked: Awaited<ReturnType<LedgerEndpoint['deliverAt']>>;
  try {
    looked = await waitOut(() => options.ledger.deliverAt(event.position, event.id));
  } catch (error) {
    // The API stayed away: leave the group (it redelivers) and join again later; or it refuses us: leave for good.
    if (options.isTransient?.(error) || options.isFatal?.(error)) throw error;
    // The ledger does not know this event for this consumer (e.g. its types changed): nothing can handle it.
    log(`${event.type} at ${event.position}: the ledger refused the delivery (${describe(error)}); parked in the group`);
    await delivery.nack(`ledger: ${describe(error)}`, 'park');
    return;
  }
  if (looked.status === 'acked') {
    log(`${event.type} at ${event.position}: already acknowledged (delivery ${attempt})`);
    await delivery.ack();
    return;
  }
  let outcome: HandleOutcome;
  try {
    outcome = await options.handle(looked.event);
  } catch (error) {
    if (options.isFatal?.(error)) throw error;
    const reason = describe(error);
    if (attempt < options.maxDeliveries) {
      log(`${event.type} at ${event.position}: failed on delivery ${attempt} of ${options.maxDeliveries} (${reason}); EventStoreDB delivers it again`);
      await delivery.nack(reason, 'retry');
      return;
    }
    outcome = { kind: 'refused', reason: `still failing at delivery ${attempt} of ${options.maxDeliveries}: ${reason}` };
  }
  if (outcome.kind === 'refused') {
    await waitOut(() => options.ledger.nack(event.id, outcome.reason));
    await delivery.nack(outcome.reason, 'park');
    log(`${event.type} at ${event.position}: parked — ${outcome.reason}`);
    return;
  }
  await waitOut(() => options.ledger.ack(event.id));
  await delivery.ack();
}

async function retryTransient<T>(work: () => Promise<T>, options: EsdbDistributionConsumerOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!options.isTransient?.(error) || attempt >= 30) throw error;
      options.log?.(`${describe(error)}; retrying`);
      await sleep(Math.min(options.maxBackoffMs ?? 10_000, 100 * 2 ** Math.min(attempt, 10)));
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Waits `ms`, or less when `signal` aborts (then it resolves: the caller checks why it woke). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {}).catch((error: unknown) => {
    if ((error as { name?: unknown }).name !== 'AbortError') throw error;
  });
}
