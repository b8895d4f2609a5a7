import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { Observable } from 'rxjs';
import type {
  AppendResult,
  EventFilter,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../event-store.port';
import { EventIdGuard } from './esdb-event-id-guard';
import { readAllFiltered } from './esdb-filtered-read';
import {
  esdbPositionAfter,
  isAfter,
  keepEvent,
  matchesNothing,
  positionOf,
  toEsdbExpectedRevision,
  toPortPosition,
  toRecordedEvent,
  toServerFilter,
  toWrongExpectedRevision,
} from './esdb-mapping';
import {
  ensurePersistentSubscriptionToAll,
  subscribeToPersistentSubscriptionToAll,
  type PersistentConsumerOptions,
  type PersistentDelivery,
  type PersistentGroupOptions,
} from './esdb-persistent-subscriptions';
import { iterateRead } from './esdb-read-iteration';
import { resilientObservable, SubscriptionEndedError } from './esdb-resilient-observable';
import { watchForStall } from './esdb-stall-watchdog';
import { DEFAULT_RETRY_POLICY, withResumableRetry, withRetry, type RetryPolicy } from './esdb-retry';

export interface EsdbEventStoreOptions {
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Refuse an event id already used by another stream, as the port requires (see EventIdGuard).
   * Default true; turning it off saves one append per event and gives ESDB's own semantics
   * (ids are checked within their stream only).
   */
  readonly guardEventIdReuse?: boolean;
  /**
   * How often a live subscription that received nothing checks that the store holds nothing it
   * should have been sent (esdb-stall-watchdog.ts); a stalled one is subscribed again from where it
   * got to. Default 5,000 ms: a stall is noticed within three periods, at the cost of one small
   * filtered read per quiet subscription per period. 0 turns the watchdog off.
   */
  readonly subscriptionStallCheckMs?: number;
}

export const DEFAULT_SUBSCRIPTION_STALL_CHECK_MS = 5_000;
const MAX_TIMER_MS = 2_147_483_647;

/**
 * EventStore port on EventStoreDB / KurrentDB (>= 22.6, gRPC) through the official client.
 *
 * Every call requires the leader, so reads see the writes they follow and a client connected to a
 * follower is redirected (NotLeader carries the leader's endpoint and the client reconnects there).
 * Transient failures are retried with bounded backoff (esdb-retry.ts); appends are safe to retry
 * because ESDB treats a re-sent event id at the same place in the stream as already written.
 * When retries are spent the call fails with EventStoreUnavailableError (HTTP 503 + Retry-After).
 */
export class EsdbEventStore implements EventStore {
  private readonly retry: RetryPolicy;
  private readonly guard: EventIdGuard | undefined;
  private readonly stallCheckMs: number;
  private closed = false;

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.guard = options.guardEventIdReuse === false ? undefined : new EventIdGuard(client, this.retry);
    this.stallCheckMs = options.subscriptionStallCheckMs ?? DEFAULT_SUBSCRIPTION_STALL_CHECK_MS;
    // Node runs a timer of more than 2^31 - 1 ms (Infinity too) after 1 ms: a probe every millisecond.
    if (!(Number.isInteger(this.stallCheckMs) && this.stallCheckMs >= 0 && this.stallCheckMs <= MAX_TIMER_MS)) {
      throw new Error(`subscriptionStallCheckMs must be 0 (off) or a whole number of milliseconds up to ${MAX_TIMER_MS}, got ${this.stallCheckMs}`);
    }
  }

  static fromConnectionString(connectionString: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  async append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.ensureOpen();
    if (events.length === 0) throw new Error('append needs at least one event');
    const repeat = await this.guard?.reserve(streamId, events);
    if (repeat) return repeat;
    const proposed = events.map((event) => jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata }));
    try {
      const result = await withRetry('append', this.retry, () =>
        this.client.appendToStream(streamId, proposed, {
          expectedRevision: toEsdbExpectedRevision(expectedRevision),
          requiresLeader: true,
        }),
      );
      const revision = Number(result.nextExpectedRevision);
      // ESDB reports the position of the append's last event; an idempotent replay on older
      // servers may report none, then the event itself says where it is.
      const position = result.position ? toPortPosition(result.position.commit) : await this.positionOfRevision(streamId, revision);
      return { nextExpectedRevision: revision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw toWrongExpectedRevision(error, streamId, expectedRevision);
      throw error;
    }
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    let next = options.fromRevision ?? 0;
    const last = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    const { client } = this;
    const ensureOpen = () => this.ensureOpen();
    return withResumableRetry('readStream', this.retry, async function* attempt() {
      ensureOpen();
      if (next > last) return;
      const read = client.readStream(streamId, {
        fromRevision: BigInt(next),
        maxCount: last === Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : last - next + 1,
        requiresLeader: true,
      });
      try {
        for await (const resolved of iterateRead<ResolvedEvent>(read)) {
          if (!resolved.event) continue;
          const event = toRecordedEvent(resolved.event, positionOf(resolved));
          next = event.revision + 1;
          yield event;
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return;
        throw error;
      }
    });
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    this.ensureOpen();
    return withRetry('streamRevision', this.retry, async () => {
      const read = this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1, requiresLeader: true });
      try {
        for await (const resolved of iterateRead<ResolvedEvent>(read)) {
          if (resolved.event) return Number(resolved.event.revision);
        }
        return undefined;
      } catch (error) {
        if (error instanceof StreamNotFoundError) return undefined;
        throw error;
      }
    });
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const { filter } = options;
    let cursor = options.after ?? 0;
    let remaining = options.limit ?? Number.POSITIVE_INFINITY;
    const { client } = this;
    const ensureOpen = () => this.ensureOpen();
    return withResumableRetry('readAll', this.retry, async function* attempt() {
      ensureOpen();
      if (remaining <= 0 || matchesNothing(filter)) return;
      const read = readAllFiltered(client, {
        from: esdbPositionAfter(cursor),
        direction: 'forwards',
        filter: toServerFilter(filter),
        requiresLeader: true,
      });
      for await (const resolved of iterateRead<AllStreamResolvedEvent>(read)) {
        const position = positionOf(resolved);
        // Reads from a position include it; the port's `after` does not.
        if (position <= cursor || !resolved.event) continue;
        cursor = position;
        if (!keepEvent(resolved.event, filter)) continue;
        yield toRecordedEvent(resolved.event, position);
        remaining -= 1;
        if (remaining <= 0) return;
      }
    });
  }

  /**
   * Catch-up then live, filtered on the server. A dropped subscription (node restart, leader
   * change) is re-opened after the last delivered event or the last server checkpoint, whichever
   * is later, so consumers see no gap and no duplicate, and a sparse filter over a long $all does
   * not make the server scan again everything since the last match. Checkpoints come from the
   * server every 32 events it looked at (client default: checkpointInterval 1 x maxSearchWindow 32)
   * and stay internal: the port has no use for them. A subscription that goes silent while the
   * store holds events for it (the call left open) is given up and re-opened the same way
   * (esdb-stall-watchdog.ts); a node that answers no HTTP/2 ping at all is the client's keepalive's.
   */
  subscribeToAll(options: SubscribeOptions = {}): Observable<RecordedEvent> {
    const { filter } = options;
    let cursor = options.after ?? 0;
    let checkpoint: Position | undefined;
    return resilientObservable<RecordedEvent>('subscribeToAll', this.retry, ({ next, progress, fail }) => {
      // A re-subscription scheduled before close() must not reopen a channel on a disposed client.
      if (this.closed) fail(new Error('event store is closed'));
      if (this.closed || matchesNothing(filter)) return { stop: () => undefined };
      // Events that reach 'data' after a failure belong to no attempt: moving the cursor for them
      // would make the next attempt skip what nobody was given.
      let stopped = false;
      let eventsHandled = 0;
      const pendingCheckpoints: Array<{ readonly position: Position; readonly afterEvents: number }> = [];
      const adoptCheckpoints = () => {
        if (stopped) return;
        for (let due = pendingCheckpoints[0]; due && due.afterEvents <= eventsHandled; due = pendingCheckpoints[0]) {
          pendingCheckpoints.shift();
          if (!checkpoint || isAfter(due.position, checkpoint)) checkpoint = due.position;
        }
      };
      const subscription = this.client.subscribeToAll({
        fromPosition: resumePosition(cursor, checkpoint),
        filter: {
          ...toServerFilter(filter),
          // The client calls this while events it received before the checkpoint may still wait in
          // the subscription's buffer: the checkpoint counts only once those have been handled.
          checkpointReached: (reached, position) => {
            if (stopped) return;
            pendingCheckpoints.push({ position, afterEvents: eventsHandled + reached.readableLength });
            adoptCheckpoints();
          },
        },
        requiresLeader: true,
      });
      subscription.on('confirmation', progress);
      subscription.on('data', (resolved: AllStreamResolvedEvent) => {
        if (stopped) return;
        progress();
        try {
          const position = positionOf(resolved);
          if (position <= cursor || !resolved.event) return;
          cursor = position;
          if (keepEvent(resolved.event, filter)) next(toRecordedEvent(resolved.event, position));
        } catch (error) {
          fail(error);
        } finally {
          eventsHandled += 1;
          adoptCheckpoints();
        }
      });
      subscription.on('error', fail);
      subscription.on('end', () => fail(new SubscriptionEndedError('subscription to $all ended')));
      const watchdog = this.stallCheckMs > 0 ? this.watchForStall(filter, () => resumePosition(cursor, checkpoint), fail) : undefined;
      return {
        stop: () => {
          stopped = true;
          watchdog?.stop();
          void subscription.unsubscribe().catch(() => undefined);
        },
      };
    });
  }

  private watchForStall(filter: EventFilter | undefined, reached: () => Position | 'start', stalled: (error: unknown) => void): { stop(): void } {
    return watchForStall({
      checkEveryMs: this.stallCheckMs,
      probeTimeoutMs: boundedTimeout(this.retry.attemptTimeoutMs) ?? this.stallCheckMs,
      reached,
      stalled,
      probe: (after) => {
        if (this.closed) return { answer: Promise.resolve(undefined), cancel: () => undefined };
        // Reads include their start and subscriptions do not: the record at `after` was sent already.
        const read = readAllFiltered(this.client, { from: after, direction: 'forwards', filter: toServerFilter(filter), maxCount: 2, requiresLeader: true });
        const answer = (async () => {
          for await (const resolved of iterateRead<AllStreamResolvedEvent>(read)) {
            const position = resolved.event?.position;
            if (position && isAfter(position, after)) return position;
          }
          return undefined;
        })();
        return {
          answer,
          cancel: () => {
            read.resume();
            void read.cancel().catch(() => undefined);
          },
        };
      },
    });
  }

  async headPosition(): Promise<number> {
    this.ensureOpen();
    return withRetry('headPosition', this.retry, async () => {
      const read = readAllFiltered(this.client, { from: 'end', direction: 'backwards', filter: excludeSystemEvents(), requiresLeader: true });
      for await (const resolved of iterateRead<AllStreamResolvedEvent>(read)) {
        // System events in $-streams may carry ordinary types: the server filter lets them by.
        if (resolved.event && keepEvent(resolved.event, undefined)) return positionOf(resolved);
      }
      return 0;
    });
  }

  /** Creates a competing-consumers group on $all unless it exists (distribution). */
  async ensurePersistentSubscriptionToAll(group: string, filter?: EventFilter, options?: PersistentGroupOptions): Promise<void> {
    this.ensureOpen();
    return ensurePersistentSubscriptionToAll(this.client, this.retry, group, filter, options);
  }

  /** Joins a group as one consumer; deliveries must be settled with ack() or nack(). */
  subscribeToPersistentSubscriptionToAll(group: string, options?: PersistentConsumerOptions): Observable<PersistentDelivery> {
    return subscribeToPersistentSubscriptionToAll(this.client, this.retry, group, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }

  private async positionOfRevision(streamId: string, revision: number): Promise<number> {
    for await (const event of this.readStream(streamId, { fromRevision: revision, toRevision: revision })) return event.position;
    throw new Error(`stream ${streamId} has no event at revision ${revision} right after appending it`);
  }
}

export function createEsdbEventStore(connectionString: string, options?: EsdbEventStoreOptions): EsdbEventStore {
  return EsdbEventStore.fromConnectionString(connectionString, options);
}

/** Where a re-subscription starts: after the last event seen or the last checkpoint, whichever is later. */
function resumePosition(cursor: number, checkpoint: Position | undefined): Position | 'start' {
  const afterCursor = esdbPositionAfter(cursor);
  // Verbatim, never rounded up: the server checkpoints only records it has examined, and resumes strictly after its checkpoints.
  return checkpoint && isAfter(checkpoint, afterCursor) ? checkpoint : afterCursor;
}

/** A try's bound as a timer can hold it; none (unbounded tries) when it cannot. */
function boundedTimeout(ms: number | undefined): number | undefined {
  return ms !== undefined && Number.isFinite(ms) && ms > 0 && ms <= MAX_TIMER_MS ? ms : undefined;
}
