import { Subject, type Observable, type Subscription } from 'rxjs';
import type { EventStore, RecordedEvent } from '@nws/event-store';
import { persistentGroupOf, type ConsumerConfig } from './distribution.config';
import { noEventAt, notParked, unknownConsumer, wrongTransport } from './distribution.errors';
import type { DeliveryRecord, DeliveryStatus, DistributionStore } from './distribution-store.port';
import { KeyedMutex } from './keyed-mutex';
import { wakeOnNewEvents } from './ledger-wake';
import { VERSION_EVENT, publishEvent, subjectApplicationId, type PublishedEvent } from './published-event';

export interface FetchOptions {
  /**
   * The client's own position (`?after=`, `Last-Event-ID`): everything unresolved after it is
   * handed out, leased or not. Without it the consumer continues at its server-side cursor and
   * gets leases that expired in the meantime.
   */
  readonly after?: number;
  readonly limit: number;
}

export interface FetchResult {
  readonly events: PublishedEvent[];
  readonly checkpoint: number;
}

export interface SettleResult {
  /** Ids whose status this call changed. */
  readonly changed: string[];
  readonly alreadyAcknowledged: string[];
  /** Never delivered to this consumer: nothing to settle. */
  readonly unknown: string[];
  readonly checkpoint: number;
}

export interface ConsumerStatus {
  readonly name: string;
  readonly eventTypes: readonly string[];
  readonly transport: ConsumerConfig['transport'];
  /** esdb-persistent: the persistent subscription group on $all its instances join. */
  readonly group: string | null;
  readonly ackTimeoutMs: number;
  readonly maxDeliveries: number;
  readonly checkpoint: number;
  readonly lag: { readonly events: number; readonly seconds: number; readonly oldestPosition: number | null };
  readonly inFlight: number;
  readonly parked: number;
  readonly replaying: number;
}

export interface ParkedEvent {
  readonly eventId: string;
  readonly position: number;
  readonly type: string;
  readonly attempts: number;
  readonly reason: string | null;
  readonly parkedAt: string | null;
  readonly event: PublishedEvent | null;
}

const RESOLVED: ReadonlySet<DeliveryStatus | undefined> = new Set(['acked', 'parked']);

/**
 * At-least-once delivery to configured consumers, each with its own checkpoint.
 *
 * Every delivered event gets a record (a lease until the ack timeout). Acks and nacks settle
 * records; the checkpoint then moves over every settled event in global order, so it is the
 * highest position up to which nothing is owed. Parked events count as settled: one poisoned
 * event never holds back the events after it, nor any other consumer. All operations of one
 * consumer run one at a time, and each commits its records and checkpoint in one transaction.
 */
export class DistributionLedger {
  private readonly mutex = new KeyedMutex();
  private readonly byName: ReadonlyMap<string, ConsumerConfig>;
  private readonly changed = new Subject<string>();
  private watching: Subscription | undefined;
  /** What needs only ids, types and positions reads the events as stored (see `stored`). */
  private readonly index: EventStore;

  constructor(
    /** The events as consumers get them (personal data decrypted, for the published view). */
    private readonly events: EventStore,
    private readonly ledger: DistributionStore,
    readonly consumers: readonly ConsumerConfig[],
    private readonly options: {
      readonly clock?: () => number;
      readonly onConfirmationOwed?: () => void;
      /**
       * The same events as stored, not decrypted: the watch, the scan for a page, the
       * checkpoint's advance and the lag count read these, so only the events handed out are
       * decrypted (a consumer far behind would otherwise decrypt all it is behind at every
       * status call). Default: `events`.
       */
      readonly stored?: EventStore;
    } = {},
  ) {
    this.byName = new Map(consumers.map((c) => [c.name, c]));
    this.index = options.stored ?? events;
  }

  /** Emits a consumer's name when it may have something new: a matching event was stored, or one was replayed. */
  get changes$(): Observable<string> {
    return this.changed.asObservable();
  }

  consumer(name: string): ConsumerConfig {
    const found = this.byName.get(name);
    if (!found) throw unknownConsumer(name, [...this.byName.keys()]);
    return found;
  }

  /** Where a stream without Last-Event-ID starts: everything after it is still owed. */
  checkpoint(name: string): number {
    this.consumer(name);
    return this.ledger.position(name).checkpoint;
  }

  /**
   * Owes the confirmations the configuration now makes due: a version that every consumer of
   * versions but one had acknowledged, when that one was taken out of the configuration, is
   * acknowledged by all without a further ack, which alone decided it. Run at start, before any
   * ack: else such an application would never be confirmed distributed (and /distribution/lag
   * would show nothing pending). Returns how many were owed.
   */
  async oweDueConfirmations(): Promise<number> {
    const versionConsumers = this.consumers.filter((c) => c.eventTypes.includes(VERSION_EVENT)).map((c) => c.name);
    // No consumer of versions: nothing is distributed, so nothing is confirmed.
    if (versionConsumers.length === 0) return 0;
    const now = this.now();
    const owed = await this.ledger.transaction(() => {
      let count = 0;
      for (const { eventId, applicationId } of this.ledger.ackedNotOwed(VERSION_EVENT)) {
        if (this.ledger.ackedByAll(eventId, versionConsumers) && this.ledger.owe(eventId, applicationId, now)) count += 1;
      }
      return count;
    });
    if (owed > 0) this.options.onConfirmationOwed?.();
    return owed;
  }

  /** Starts watching the store for new events (from its head: earlier ones are found by fetch). */
  async watch(): Promise<void> {
    if (this.watching) return;
    this.watching = await wakeOnNewEvents(this.index, this.consumers, this.changed);
  }

  stop(): void {
    this.watching?.unsubscribe();
    this.watching = undefined;
  }

  fetch(name: string, options: FetchOptions): Promise<FetchResult> {
    const consumer = this.httpConsumer(name);
    return this.mutex.run(name, async () => {
      const now = this.now();
      const position = this.ledger.position(name);
      // A client cannot skip ahead of what was delivered (that would open a gap), and nothing
      // at or below the checkpoint is owed except replays, which come from the due list.
      const start = Math.max(position.checkpoint, Math.min(options.after ?? position.cursor, position.cursor));
      const candidates = new Map<string, { position: number; record: DeliveryRecord | undefined }>();
      for (const record of this.ledger.due(name, now, consumer.ackTimeoutMs, options.limit)) candidates.set(record.eventId, { position: record.position, record });
      let fresh = 0;
      for await (const event of this.index.readAll({ after: start, filter: { eventTypes: consumer.eventTypes } })) {
        if (fresh >= options.limit) break;
        const record = this.ledger.get(name, event.id);
        if (RESOLVED.has(record?.status)) continue;
        fresh += 1;
        if (!candidates.has(event.id)) candidates.set(event.id, { position: event.position, record });
      }
      // Only what goes out is read decrypted.
      const chosen: Array<{ event: RecordedEvent; record: DeliveryRecord | undefined }> = [];
      for (const { position, record } of [...candidates.values()].sort((a, b) => a.position - b.position).slice(0, options.limit)) {
        const event = await this.eventAt(position);
        if (event) chosen.push({ event, record });
      }
      const writes: DeliveryRecord[] = [];
      const delivered: PublishedEvent[] = [];
      let cursor = position.cursor;
      for (const { event, record } of chosen) {
        const attempts = record?.attempts ?? 0;
        if (record?.status === 'delivered' && attempts - (record.attemptsBeforeReplay ?? 0) >= consumer.maxDeliveries) {
          writes.push({ ...record, status: 'parked', parkedAt: now, parkReason: `not acknowledged after ${attempts} deliveries` });
          continue;
        }
        writes.push({
          consumer: name,
          eventId: event.id,
          position: event.position,
          type: event.type,
          applicationId: subjectApplicationId(event),
          status: 'delivered',
          attempts: attempts + 1,
          ...(record?.attemptsBeforeReplay ? { attemptsBeforeReplay: record.attemptsBeforeReplay } : {}),
          firstDeliveredAt: record?.firstDeliveredAt ?? now,
          lastDeliveredAt: now,
          ackedAt: null,
          parkedAt: null,
          parkReason: record?.parkReason ?? null,
        });
        delivered.push(publishEvent(event, attempts + 1));
        cursor = Math.max(cursor, event.position);
      }
      const parked = writes.filter((w) => w.status === 'parked');
      const checkpoint = parked.length > 0 ? await this.advance(consumer, position.checkpoint, parked) : position.checkpoint;
      // A page with nothing in it changes no record and no position: no transaction. A long poll
      // fetches once empty before it waits (after each ack, so once per approval on the approval →
      // file line), and that commit of unchanged values cost the main thread a write transaction.
      if (writes.length === 0 && checkpoint === position.checkpoint && cursor === position.cursor) return { events: delivered, checkpoint };
      // Deliveries alone are leases (see Durability): a power cut that takes them only makes the
      // events owed again. Parking is a decision, and moves the checkpoint: durable.
      await this.ledger.transaction(
        () => {
          for (const write of writes) this.ledger.put(write);
          this.ledger.savePosition(name, { checkpoint, cursor });
        },
        parked.length > 0 ? 'durable' : 'lease',
      );
      return { events: delivered, checkpoint };
    });
  }

  /**
   * An `esdb-persistent` consumer: EventStoreDB handed the event at `position` to one instance of
   * the consumer's group, which asks here for its published view. The delivery is recorded as for
   * HTTP consumers (attempts, lag, parking by nack, the confirmation once every version consumer
   * acked). An event this consumer already acknowledged comes back as `acked`: the instance then
   * only acknowledges it to EventStoreDB, so a redelivery across instances is not handled twice.
   * A parked event delivered again (replayed from the group's parked queue) is owed again.
   */
  async deliverAt(name: string, position: number, eventId?: string): Promise<{ event: PublishedEvent; status: 'delivered' | 'acked'; checkpoint: number }> {
    const consumer = this.consumer(name);
    if (consumer.transport !== 'esdb-persistent') throw wrongTransport(name, consumer.transport, persistentGroupOf(name));
    return this.mutex.run(name, async () => {
      const event = await this.eventAt(position);
      if (!event || (eventId !== undefined && event.id !== eventId) || !consumer.eventTypes.includes(event.type)) throw noEventAt(name, position);
      const record = this.ledger.get(name, event.id);
      const position0 = this.ledger.position(name);
      if (record?.status === 'acked') return { event: publishEvent(event, record.attempts), status: 'acked' as const, checkpoint: position0.checkpoint };
      const now = this.now();
      const attempts = (record?.attempts ?? 0) + 1;
      const checkpoint = record?.status === 'parked' ? Math.min(position0.checkpoint, event.position - 1) : position0.checkpoint;
      // A lease, unless it takes a parked event back (the checkpoint steps back for it).
      await this.ledger.transaction(() => {
        this.ledger.put({
          consumer: name,
          eventId: event.id,
          position: event.position,
          type: event.type,
          applicationId: subjectApplicationId(event),
          status: 'delivered',
          attempts,
          firstDeliveredAt: record?.firstDeliveredAt ?? now,
          lastDeliveredAt: now,
          ackedAt: null,
          parkedAt: null,
          parkReason: record?.parkReason ?? null,
        });
        this.ledger.savePosition(name, { checkpoint, cursor: Math.max(position0.cursor, event.position) });
      }, record?.status === 'parked' ? 'durable' : 'lease');
      return { event: publishEvent(event, attempts), status: 'delivered' as const, checkpoint };
    });
  }

  /** Acknowledges events; ids are idempotency keys, so acking twice changes nothing. */
  ack(name: string, eventIds: readonly string[]): Promise<SettleResult> {
    return this.settle(name, eventIds, (record, now) => ({ ...record, status: 'acked', ackedAt: now }));
  }

  /** The consumer cannot process these: they are parked at once, with its reason. */
  nack(name: string, eventIds: readonly string[], reason: string): Promise<SettleResult> {
    return this.settle(name, eventIds, (record, now) => ({ ...record, status: 'parked', parkedAt: now, parkReason: reason }));
  }

  /** Makes a parked event due again at once; the checkpoint steps back below it until it is settled. */
  replay(name: string, eventId: string): Promise<{ eventId: string; position: number; checkpoint: number }> {
    this.httpConsumer(name);
    return this.mutex.run(name, async () => {
      const record = this.ledger.get(name, eventId);
      if (record?.status !== 'parked') throw notParked(name, eventId);
      const position = this.ledger.position(name);
      const checkpoint = Math.min(position.checkpoint, record.position - 1);
      await this.ledger.transaction(() => {
        // A fresh budget of deliveries, while the attempts go on counting: the next delivery says it is a redelivery.
        this.ledger.put({ ...record, status: 'pending', attemptsBeforeReplay: record.attempts, parkedAt: null });
        this.ledger.savePosition(name, { checkpoint, cursor: position.cursor });
      });
      this.changed.next(name);
      return { eventId, position: record.position, checkpoint };
    });
  }

  /** One page of a consumer's parked events, oldest position first, and how many are parked in all. */
  async parked(name: string, page: { readonly limit: number; readonly offset: number } = { limit: 100, offset: 0 }): Promise<{ items: ParkedEvent[]; total: number }> {
    this.consumer(name);
    const out: ParkedEvent[] = [];
    const total = this.ledger.openCounts(name).parked;
    for (const record of this.ledger.withStatus(name, 'parked', page)) {
      const event = await this.eventAt(record.position);
      out.push({
        eventId: record.eventId,
        position: record.position,
        type: record.type,
        attempts: record.attempts,
        reason: record.parkReason,
        parkedAt: record.parkedAt === null ? null : new Date(record.parkedAt).toISOString(),
        event: event ? publishEvent(event, record.attempts) : null,
      });
    }
    return { items: out, total };
  }

  /** Position and lag: how many matching events are not settled yet, and how old the oldest is. */
  async status(name: string): Promise<ConsumerStatus> {
    const consumer = this.consumer(name);
    const { checkpoint } = this.ledger.position(name);
    let events = 0;
    let oldest: RecordedEvent | undefined;
    for await (const event of this.index.readAll({ after: checkpoint, filter: { eventTypes: consumer.eventTypes } })) {
      if (RESOLVED.has(this.ledger.get(name, event.id)?.status)) continue;
      events += 1;
      oldest ??= event;
    }
    const counts = this.ledger.openCounts(name);
    const seconds = oldest ? Math.max(0, (this.now() - Date.parse(oldest.recordedAt)) / 1000) : 0;
    return {
      name,
      eventTypes: consumer.eventTypes,
      transport: consumer.transport,
      group: consumer.transport === 'esdb-persistent' ? persistentGroupOf(name) : null,
      ackTimeoutMs: consumer.ackTimeoutMs,
      maxDeliveries: consumer.maxDeliveries,
      checkpoint,
      lag: { events, seconds: Math.round(seconds * 1000) / 1000, oldestPosition: oldest?.position ?? null },
      inFlight: counts.delivered,
      parked: counts.parked,
      replaying: counts.pending,
    };
  }

  private settle(name: string, eventIds: readonly string[], change: (record: DeliveryRecord, now: number) => DeliveryRecord): Promise<SettleResult> {
    const consumer = this.consumer(name);
    return this.mutex.run(name, async () => {
      const now = this.now();
      const result = { changed: [] as string[], alreadyAcknowledged: [] as string[], unknown: [] as string[] };
      const writes: DeliveryRecord[] = [];
      for (const id of new Set(eventIds)) {
        const record = this.ledger.get(name, id);
        if (!record) result.unknown.push(id);
        else if (record.status === 'acked') result.alreadyAcknowledged.push(id);
        else {
          writes.push(change(record, now));
          result.changed.push(id);
        }
      }
      const position = this.ledger.position(name);
      const checkpoint = await this.advance(consumer, position.checkpoint, writes);
      const versionConsumers = this.consumers.filter((c) => c.eventTypes.includes(VERSION_EVENT)).map((c) => c.name);
      let owed = false;
      await this.ledger.transaction(() => {
        for (const write of writes) this.ledger.put(write);
        this.ledger.savePosition(name, { checkpoint, cursor: position.cursor });
        // Decided in the same transaction as the ack: a crash cannot lose the confirmation owed.
        for (const write of writes) {
          if (write.status !== 'acked' || write.type !== VERSION_EVENT || !write.applicationId) continue;
          if (this.ledger.ackedByAll(write.eventId, versionConsumers)) owed = this.ledger.owe(write.eventId, write.applicationId, now) || owed;
        }
      });
      if (owed) this.options.onConfirmationOwed?.();
      return { ...result, checkpoint };
    });
  }

  /** The checkpoint moved over every settled event after `from`, counting `pending` writes as stored. */
  private async advance(consumer: ConsumerConfig, from: number, pending: readonly DeliveryRecord[]): Promise<number> {
    const overlay = new Map(pending.map((w) => [w.eventId, w.status]));
    let checkpoint = from;
    for await (const event of this.index.readAll({ after: from, filter: { eventTypes: consumer.eventTypes } })) {
      const status = overlay.get(event.id) ?? this.ledger.get(consumer.name, event.id)?.status;
      if (!RESOLVED.has(status)) break;
      checkpoint = event.position;
    }
    return checkpoint;
  }

  private async eventAt(position: number): Promise<RecordedEvent | undefined> {
    for await (const event of this.events.readAll({ after: position - 1, limit: 1 })) return event.position === position ? event : undefined;
    return undefined;
  }

  /** Pull, stream and replay are the ledger's own delivery: not for consumers that read an EventStoreDB group. */
  httpConsumer(name: string): ConsumerConfig {
    const consumer = this.consumer(name);
    if (consumer.transport !== 'http') throw wrongTransport(name, consumer.transport, persistentGroupOf(name));
    return consumer;
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }
}
