import {
  END,
  PersistentSubscriptionExistsError,
  START,
  persistentSubscriptionToAllSettingsFromDefaults,
  type EventStoreDBClient,
  type PersistentSubscriptionToAllResolvedEvent,
} from '@eventstore/db-client';
import type { Observable } from 'rxjs';
import type { EventFilter, RecordedEvent } from '../event-store.port';
import { keepEvent, positionOf, toRecordedEvent, toServerFilter } from './esdb-mapping';
import { resilientObservable, SubscriptionEndedError } from './esdb-resilient-observable';
import { withRetry, type RetryPolicy } from './esdb-retry';

export interface PersistentGroupOptions {
  /** Where a new group starts. Default 'start': a group created late still sees every event. */
  readonly from?: 'start' | 'end';
  /** Unacknowledged after this long, an event goes to a consumer again. Default 30 s. */
  readonly messageTimeoutMs?: number;
  /** Deliveries after the first before the server parks the event. Default 10. */
  readonly maxRetryCount?: number;
}

export interface PersistentConsumerOptions {
  /** The group's filter again: the server applies only one attribute (see toServerFilter). */
  readonly filter?: EventFilter;
  /** Events handed to this consumer and not yet acknowledged, at most. Default 10. */
  readonly bufferSize?: number;
}

/** One delivery to one consumer of a group: settle it with ack() or nack(). */
export interface PersistentDelivery {
  readonly event: RecordedEvent;
  /** Earlier deliveries of this event (0 the first time). */
  readonly retryCount: number;
  ack(): Promise<void>;
  /** 'retry' (default) redelivers, 'park' moves it to the group's parked queue, 'skip' drops it. */
  nack(reason: string, action?: 'retry' | 'park' | 'skip'): Promise<void>;
}

/** Creates the competing-consumers group on $all unless it exists (then its settings stay as they are). */
export async function ensurePersistentSubscriptionToAll(
  client: EventStoreDBClient,
  retry: RetryPolicy,
  group: string,
  filter?: EventFilter,
  options: PersistentGroupOptions = {},
): Promise<void> {
  const settings = persistentSubscriptionToAllSettingsFromDefaults({
    startFrom: options.from === 'end' ? END : START,
    ...(options.messageTimeoutMs !== undefined && { messageTimeout: options.messageTimeoutMs }),
    ...(options.maxRetryCount !== undefined && { maxRetryCount: options.maxRetryCount }),
  });
  try {
    await withRetry('createPersistentSubscription', retry, () =>
      client.createPersistentSubscriptionToAll(group, settings, { filter: toServerFilter(filter), requiresLeader: true }),
    );
  } catch (error) {
    if (!(error instanceof PersistentSubscriptionExistsError)) throw error;
  }
}

/**
 * Joins the group as one consumer. Events the server let through but the port filter rejects
 * (and system events) are acknowledged here without being emitted; events that cannot be read as
 * JSON are parked rather than ending the consumer. Transient failures re-join the group: what was
 * not acknowledged is redelivered by the server.
 */
export function subscribeToPersistentSubscriptionToAll(
  client: EventStoreDBClient,
  retry: RetryPolicy,
  group: string,
  options: PersistentConsumerOptions = {},
): Observable<PersistentDelivery> {
  return resilientObservable<PersistentDelivery>('persistent subscription', retry, ({ next, progress, fail }) => {
    const subscription = client.subscribeToPersistentSubscriptionToAll(group, {
      bufferSize: options.bufferSize ?? 10,
      requiresLeader: true,
    });
    const settle = (promise: Promise<void>) => promise.catch(fail);
    subscription.on('confirmation', progress);
    subscription.on('data', (resolved: PersistentSubscriptionToAllResolvedEvent) => {
      progress();
      const event = resolved.event;
      if (!event || !keepEvent(event, options.filter)) return void settle(subscription.ack(resolved));
      let recorded: RecordedEvent;
      try {
        recorded = toRecordedEvent(event, positionOf(resolved));
      } catch (error) {
        return void settle(subscription.nack('park', error instanceof Error ? error.message : String(error), resolved));
      }
      next({
        event: recorded,
        retryCount: resolved.retryCount,
        ack: () => subscription.ack(resolved),
        nack: (reason, action = 'retry') => subscription.nack(action, reason, resolved),
      });
    });
    subscription.on('error', fail);
    subscription.on('end', () => fail(new SubscriptionEndedError(`persistent subscription ${group} ended`)));
    return { stop: () => void subscription.unsubscribe().catch(() => undefined) };
  });
}
