/**
 * Where the distribution ledger keeps its state: per consumer a checkpoint, a delivery cursor and
 * one record per delivered event; plus the confirmations still owed to the workflow. Synchronous
 * on purpose: a whole ack (records, checkpoint, owed confirmation) commits in one transaction.
 */
export type DeliveryStatus = 'delivered' | 'acked' | 'parked' | 'pending';

export interface DeliveryRecord {
  readonly consumer: string;
  readonly eventId: string;
  readonly position: number;
  readonly type: string;
  readonly applicationId: string | null;
  /** delivered: leased until lastDeliveredAt + ack timeout; pending: replayed, due at once. */
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /**
   * Deliveries made before the last replay of a parked event: it gets a fresh budget of
   * maxDeliveries, while `attempts` keeps counting, so a consumer sees the redelivery as one.
   */
  readonly attemptsBeforeReplay?: number;
  /** Epoch milliseconds. */
  readonly firstDeliveredAt: number | null;
  readonly lastDeliveredAt: number | null;
  readonly ackedAt: number | null;
  readonly parkedAt: number | null;
  readonly parkReason: string | null;
}

export interface ConsumerPosition {
  /** Every matching event at or below it is acknowledged or parked. */
  readonly checkpoint: number;
  /** Highest position ever delivered: a pull without `after` continues here. */
  readonly cursor: number;
}

export interface OwedConfirmation {
  readonly eventId: string;
  readonly applicationId: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly status: 'pending' | 'done';
  readonly outcome: string | null;
}

/**
 * How a transaction commits. `durable`: on disk when its promise resolves (acks, nacks, parks,
 * replays, positions the checkpoint moved for). `lease`: a delivery that parks nothing; it
 * resolves without waiting for the disk and becomes durable with the next durable commit (or checkpoint).
 * A power cut may lose it, which only makes its events owed again with one attempt fewer counted:
 * the redelivery at-least-once allows. A process crash loses nothing either way.
 */
export type Durability = 'durable' | 'lease';

export interface DistributionStore {
  /** Commits `fn`'s writes in one transaction before it returns; the promise resolves when the commit is as durable as asked. */
  transaction<T>(fn: () => T, durability?: Durability): Promise<T>;
  position(consumer: string): ConsumerPosition;
  savePosition(consumer: string, position: ConsumerPosition): void;
  get(consumer: string, eventId: string): DeliveryRecord | undefined;
  put(record: DeliveryRecord): void;
  /** Replayed records and leases expired at `now`, in position order. */
  due(consumer: string, now: number, ackTimeoutMs: number, limit: number): DeliveryRecord[];
  /** One page of a consumer's deliveries in a status, by position. */
  withStatus(consumer: string, status: DeliveryStatus, page: { readonly limit: number; readonly offset: number }): DeliveryRecord[];
  /**
   * How many of a consumer's deliveries are in each status but `acked`. Acked records pile up for
   * ever; these stay few, so counting them costs what they are, not what the consumer ever got.
   */
  openCounts(consumer: string): Record<Exclude<DeliveryStatus, 'acked'>, number>;
  /** Whether each of these consumers has acknowledged the event. */
  ackedByAll(eventId: string, consumers: readonly string[]): boolean;
  /**
   * Events of this type some consumer acknowledged, with an application and no confirmation owed
   * or sent yet: whose acknowledgement by all may have come about without an ack (a consumer
   * taken out of the configuration). Few: a confirmation is owed as soon as the last one acks.
   */
  ackedNotOwed(type: string): Array<{ readonly eventId: string; readonly applicationId: string }>;
  /** Records a confirmation to send; false when it was already owed or sent. */
  owe(eventId: string, applicationId: string, now: number): boolean;
  owedBefore(now: number, limit: number): OwedConfirmation[];
  nextOwedAt(): number | undefined;
  countOwed(): number;
  /** Durable when the promise resolves, as are postponements. */
  settle(eventId: string, outcome: string, now: number): Promise<void>;
  postpone(eventId: string, nextAttemptAt: number, lastError: string): Promise<void>;
  close(): void;
}
