import type { Observable } from 'rxjs';

/** JSON-serialisable value: what event data and metadata may hold in every adapter. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * Expected state of a stream for an optimistic-concurrency append:
 * - `'no_stream'`: the stream must not exist yet;
 * - `'stream_exists'`: it must exist, at any revision;
 * - `'any'`: no check;
 * - a number: the revision of the stream's last event (0-based), exactly.
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface EventToAppend {
  /** Idempotency key: appending the same ids again to the same stream is a no-op that answers like the first append. */
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export interface RecordedEvent {
  readonly id: string;
  readonly streamId: string;
  /** 0-based position within its stream. */
  readonly revision: number;
  /** Position in the store-wide order; strictly increasing, never reused, 1-based. */
  readonly position: number;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  /** When the store committed it (ISO-8601, UTC). The domain's own time is in metadata. */
  readonly recordedAt: string;
}

export interface AppendResult {
  /** Revision of the last event now in the stream: pass it as the next expected revision. */
  readonly nextExpectedRevision: number;
  /** Global position of the last appended event. */
  readonly position: number;
  /**
   * `false`: the caller's events were written as given. `true`: the ids were already stored, and
   * the adapter answered as the first append did (the stored events may differ in bytes, e.g. an
   * earlier occurredAt). Absent when the adapter cannot tell; callers then read what is stored.
   */
  readonly replayed?: boolean;
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Default 0. */
  readonly fromRevision?: number;
  /** Last revision to return (inclusive). */
  readonly toRevision?: number;
  /**
   * The events exactly as stored: decorators that change what is read (personal-data decryption)
   * pass them through untouched. For lookups of fields that are never personal (ids, versions),
   * which then skip decrypting whole documents. Adapters store what they return: no effect there.
   */
  readonly asStored?: boolean;
}

export interface EventFilter {
  readonly eventTypes?: readonly string[];
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  /** Events strictly after this position are returned. Default 0 = from the beginning. */
  readonly after?: number;
  readonly limit?: number;
  readonly filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Events strictly after this position, then live ones. Default 0. */
  readonly after?: number;
  readonly filter?: EventFilter;
}

/**
 * The one port every event store implements (embedded SQLite, EventStoreDB). Adapters are proven
 * by the same contract suite (`event-store.contract.ts`).
 */
export interface EventStore {
  append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream in revision order; empty when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  /** Revision of the stream's last event, or `undefined` when the stream does not exist. */
  streamRevision(streamId: string): Promise<number | undefined>;
  /** Every event in global order, paged internally so memory stays flat. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /** Catch-up then live subscription, in global order, without gaps or duplicates. */
  subscribeToAll(options?: SubscribeOptions): Observable<RecordedEvent>;
  /** Position of the newest event in the store (0 when empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

export function matchesFilter(event: Pick<RecordedEvent, 'type' | 'streamId'>, filter: EventFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) return false;
  return true;
}
