import {
  jsonEvent,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type EventStoreDBClient,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { v5 as uuidV5 } from 'uuid';
import { DuplicateEventIdError } from '../event-store.errors';
import type { EventToAppend } from '../event-store.port';
import { iterateRead } from './esdb-read-iteration';
import { withRetry, type RetryPolicy } from './esdb-retry';

export const EVENT_ID_RESERVATION_STREAM_PREFIX = 'nws-event-id-';
/** `$`-prefixed so the "no system events" filter keeps reservations out of every port read. */
export const EVENT_ID_RESERVATION_TYPE = '$nws-event-id-reserved';
const RESERVATION_NAMESPACE = '0b6c3f8e-5a5d-4d3e-9a53-6f0e6f6c2a11';

/**
 * The port refuses an event id reused by another stream (ids are idempotency keys). ESDB checks
 * ids only within one stream, so each id is first reserved for its stream by an append with
 * `no_stream` to a stream named after the id: exactly one stream can win it.
 *
 * The reservation's own id is derived from (stream, event id): a retried reservation for the same
 * stream is an idempotent no-op, while a reservation for another stream conflicts. Costs: one
 * more append per event (sent in parallel), and ids stay reserved even when the guarded append
 * then loses its expected-revision check (retrying it with the same ids still works).
 */
export class EventIdGuard {
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly retry: RetryPolicy,
  ) {}

  async reserve(streamId: string, events: readonly EventToAppend[]): Promise<void> {
    await Promise.all(events.map((event) => this.reserveOne(streamId, event.id)));
  }

  private async reserveOne(streamId: string, eventId: string): Promise<void> {
    const reservationStream = `${EVENT_ID_RESERVATION_STREAM_PREFIX}${eventId}`;
    const reservation = jsonEvent({
      id: uuidV5(`${streamId}\n${eventId}`, RESERVATION_NAMESPACE),
      type: EVENT_ID_RESERVATION_TYPE,
      data: { streamId, eventId },
    });
    try {
      await withRetry('append', this.retry, () =>
        this.client.appendToStream(reservationStream, reservation, { expectedRevision: 'no_stream', requiresLeader: true }),
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const owner = await this.ownerOf(reservationStream);
      if (owner !== streamId) throw new DuplicateEventIdError(eventId, streamId);
    }
  }

  private async ownerOf(reservationStream: string): Promise<string | undefined> {
    return withRetry('read', this.retry, async () => {
      try {
        const read = this.client.readStream(reservationStream, { maxCount: 1, requiresLeader: true });
        for await (const resolved of iterateRead<ResolvedEvent>(read)) {
          const data = resolved.event?.data as { streamId?: unknown } | undefined;
          return typeof data?.streamId === 'string' ? data.streamId : undefined;
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return undefined;
        throw error;
      }
      return undefined;
    });
  }
}
