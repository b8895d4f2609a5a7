import {
  BACKWARDS,
  END,
  jsonEvent,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type EventStoreDBClient,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { DuplicateEventIdError } from '../event-store.errors';
import type { AppendResult, EventToAppend } from '../event-store.port';
import { positionOf } from './esdb-mapping';
import { iterateRead } from './esdb-read-iteration';
import { withRetry, type RetryPolicy } from './esdb-retry';

export const EVENT_ID_RESERVATION_STREAM_PREFIX = 'nws-event-id-';
/** `$`-prefixed so the "no system events" filter keeps reservations out of every port read. */
export const EVENT_ID_RESERVATION_TYPE = '$nws-event-id-reserved';

/**
 * The port refuses an event id reused by another stream (ids are idempotency keys). ESDB checks
 * ids only within one stream, so each id is first reserved for its stream by an append with
 * `no_stream` to a stream named after the id: exactly one stream can win it.
 *
 * The reservation's own id is new each time, so an id reserved before is always told by the
 * conflict (ESDB answers a repeat of an event id as a success, and would hide it), then the
 * reservation's owner says whose it is: another stream's is refused. Costs: one more append per
 * event (sent in parallel); ids stay reserved even when the guarded append then loses its
 * expected-revision check (retrying it with the same ids still works). A reservation retried after
 * its answer was lost carries the same id: a success, rightly, as nothing was appended before.
 *
 * An id already reserved for the same stream is a repeat, and ESDB tells a repeat from a new write
 * only when it comes with the expected revision the first append had: sent with `any` (or the
 * revision after the first one, which is what the hash chain makes of `any`) it is written again,
 * under the same id. So a repeat is looked for in the stream and, when stored, answered as the
 * first append (`replayed`), as the SQLite adapter does.
 */
export class EventIdGuard {
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly retry: RetryPolicy,
  ) {}

  /** Reserves the ids for the stream; the stored append when they are a repeat of one, else undefined (append them). */
  async reserve(streamId: string, events: readonly EventToAppend[]): Promise<AppendResult | undefined> {
    const before = await Promise.all(events.map((event) => this.reserveOne(streamId, event.id)));
    return before.some(Boolean) ? this.storedRepeat(streamId, events) : undefined;
  }

  /** True when the id was reserved for this stream before (by an earlier append of it). */
  private async reserveOne(streamId: string, eventId: string): Promise<boolean> {
    const reservationStream = `${EVENT_ID_RESERVATION_STREAM_PREFIX}${eventId}`;
    const reservation = jsonEvent({
      id: randomUUID(),
      type: EVENT_ID_RESERVATION_TYPE,
      data: { streamId, eventId },
    });
    try {
      await withRetry('append', this.retry, () =>
        this.client.appendToStream(reservationStream, reservation, { expectedRevision: 'no_stream', requiresLeader: true }),
      );
      return false;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const owner = await this.ownerOf(reservationStream);
      if (owner !== streamId) throw new DuplicateEventIdError(eventId, streamId);
      return true;
    }
  }

  /**
   * The events as stored, newest first until every id is found (a retry is usually of the latest
   * append). None stored: an earlier append of them lost its revision check, write them now. Some,
   * or not in the order given: the ids are reused for other events, refused as SQLite refuses them.
   */
  private async storedRepeat(streamId: string, events: readonly EventToAppend[]): Promise<AppendResult | undefined> {
    const wanted = new Set(events.map((event) => event.id));
    const found = new Map<string, { revision: number; position: number }>();
    await withRetry('read', this.retry, async () => {
      found.clear();
      try {
        const read = this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, requiresLeader: true });
        for await (const resolved of iterateRead<ResolvedEvent>(read)) {
          const event = resolved.event;
          if (!event || !wanted.has(event.id) || found.has(event.id)) continue;
          found.set(event.id, { revision: Number(event.revision), position: positionOf(resolved) });
          if (found.size === wanted.size) break;
        }
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
    });
    if (found.size === 0) return undefined;
    const first = found.get(events[0]!.id);
    const stored = events.map((event, index) => {
      const at = found.get(event.id);
      if (!first || !at || at.revision !== first.revision + index) throw new DuplicateEventIdError(event.id, streamId);
      return at;
    });
    const last = stored.at(-1)!;
    return { nextExpectedRevision: last.revision, position: last.position, replayed: true };
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
