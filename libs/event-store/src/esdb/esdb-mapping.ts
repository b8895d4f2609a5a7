import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AppendExpectedRevision,
  type Filter,
  type Position,
  type ResolvedEvent,
  type WrongExpectedVersionError,
} from '@eventstore/db-client';
import { WrongExpectedRevisionError } from '../event-store.errors';
import { matchesFilter, type EventFilter, type ExpectedRevision, type JsonObject, type RecordedEvent } from '../event-store.port';

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

export function toWrongExpectedRevision(
  error: WrongExpectedVersionError,
  streamId: string,
  expected: ExpectedRevision,
): WrongExpectedRevisionError {
  const actual = typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : undefined;
  return new WrongExpectedRevisionError(streamId, expected, actual);
}

/**
 * Port positions are ESDB commit positions.
 *
 * Why that is safe: an ESDB commit position is a byte offset in the transaction log. Events
 * appended over gRPC are written as implicit transactions, where every event gets its own
 * position with commit == prepare, so commit positions are unique and strictly increasing in
 * $all order, and 2^53 bytes (8 PiB) of log is far beyond any deployment of this engine.
 * Where it would be unsafe: events from explicit (TCP-era) transactions share one commit
 * position and differ only by prepare position; this engine never writes those, and an
 * imported log holding them would make `after` skip the siblings of the event at `after`.
 */
export function toPortPosition(commit: bigint): number {
  if (commit < 0n || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    // ESDB reports 2^64 - 1 ("no position") for stream reads before 22.6.
    throw new Error(`EventStoreDB returned no usable log position (${commit}); EventStoreDB/KurrentDB >= 22.6 is required`);
  }
  return Number(commit);
}

/**
 * The ESDB start for "strictly after `after`". Reads from a position are inclusive and
 * subscriptions exclusive, so callers also drop events at or before `after`; {after, after} is
 * a real event's position whenever `after` came from this store (0 means "from the start").
 */
export function esdbPositionAfter(after: number): Position | 'start' {
  return after <= 0 ? 'start' : { commit: BigInt(after), prepare: BigInt(after) };
}

/** $all order: commit position, then prepare position. */
export function isAfter(position: Position, than: Position | 'start'): boolean {
  if (than === 'start') return true;
  return position.commit > than.commit || (position.commit === than.commit && position.prepare > than.prepare);
}

/** Events of the server itself ($-prefixed streams or types): never part of the port's view. */
export function isSystemEvent(event: { readonly type: string; readonly streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** A filter that can match nothing: an explicitly empty list. */
export function matchesNothing(filter: EventFilter | undefined): boolean {
  return filter?.eventTypes?.length === 0 || filter?.streamPrefixes?.length === 0;
}

/**
 * ESDB filters on one attribute at a time, by prefixes or regex. Event types are used when given
 * (usually the more selective), else stream prefixes, else "no system events". Whatever the server
 * cannot express (exact type match, the second attribute) is checked again by `keepEvent`.
 */
export function toServerFilter(filter: EventFilter | undefined): Filter {
  if (filter?.eventTypes) return eventTypeFilter({ prefixes: [...filter.eventTypes] });
  if (filter?.streamPrefixes) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  return excludeSystemEvents();
}

export function keepEvent(event: { readonly type: string; readonly streamId: string }, filter: EventFilter | undefined): boolean {
  return !isSystemEvent(event) && matchesFilter(event, filter);
}

type EsdbEvent = NonNullable<ResolvedEvent['event']>;

function asJsonObject(value: unknown, what: string, event: EsdbEvent): JsonObject {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    return value as JsonObject;
  }
  // Silently skipping or defaulting would corrupt rebuilt state: refuse foreign events loudly.
  throw new Error(`event ${event.id} in ${event.streamId} has ${what} that is not a JSON object`);
}

export function toRecordedEvent(event: EsdbEvent, position: number): RecordedEvent {
  if (!event.isJson) throw new Error(`event ${event.id} in ${event.streamId} is not JSON`);
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position,
    type: event.type,
    data: asJsonObject(event.data, 'data', event),
    metadata: asJsonObject(event.metadata, 'metadata', event),
    recordedAt: event.created.toISOString(),
  };
}

/** The $all position of a read or subscription result, from the event or the envelope. */
export function positionOf(resolved: ResolvedEvent): number {
  const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
  if (commit === undefined) throw new Error('EventStoreDB returned an event without a log position');
  return toPortPosition(commit);
}
