import type { Subscription } from 'rxjs';
import { v5 as uuidv5 } from 'uuid';
import { GENESIS_HASH, WrongExpectedRevisionError, resubscribing, type EventStore, type RecordedEvent } from '@nws/event-store';
import { ROLLING_GENESIS, SEAL_STREAM, STORE_SEALED, isSealEvent, makeSeal, parseSeal, rollEvent, sealAsJson, type SealRecord } from './seal';
import { storedEventsOf } from './stored-events';
import type { WitnessFile } from './witness-file';

const SEAL_ID_NAMESPACE = '0b6f8a52-7c1e-5d43-9e2a-5f4c3b2a1d0e';

export interface SealerOptions {
  readonly witness?: WitnessFile;
  /** Quiet time after the last event before sealing (ms). */
  readonly debounceMs?: number;
  /** Seal at once after this many unsealed events, however busy the store is. */
  readonly maxEvents?: number;
  /**
   * Seal no later than this after the first unsealed event (ms), however busy the store is: the
   * debounce starts again with every commit, so under steady load only `maxEvents` sealed, and up
   * to a thousand events stayed unsealed (removable, their positions reused, unseen) for seconds.
   */
  readonly maxWaitMs?: number;
  readonly clock?: () => string;
  readonly onSeal?: (seal: SealRecord) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * The witness was missing or empty while the store holds seals: it is started again at the store's
 * newest seal (sealing goes on), and this is said, loudly, because it is also what removing the
 * store's newest events, their seals and the witness looks like. `verify` says NOT FULLY VERIFIED
 * of such a witness (it begins after seal 1).
 */
export class WitnessRestartedError extends Error {
  override readonly name = 'WitnessRestartedError';
}

/** The store and the witness disagree: sealing on would fork the seal chain, so the sealer stops. */
export class SealerHaltedError extends Error {
  override readonly name = 'SealerHaltedError';
}

/** Reads the newest seal in the store, if any. */
export async function lastStoredSeal(store: EventStore): Promise<{ seal: SealRecord; event: RecordedEvent } | undefined> {
  const revision = await store.streamRevision(SEAL_STREAM);
  if (revision === undefined) return undefined;
  return storedSealAt(store, revision);
}

export async function storedSealAt(store: EventStore, revision: number): Promise<{ seal: SealRecord; event: RecordedEvent } | undefined> {
  for await (const event of store.readStream(SEAL_STREAM, { fromRevision: revision, toRevision: revision })) {
    const seal = parseSeal(event.data);
    return seal ? { seal, event } : undefined;
  }
  return undefined;
}

/**
 * Seals the store-wide order: after events are committed (debounced, or every `maxEvents`) it
 * appends `StoreSealed` to `store-seals` and the same record to the witness file. Each seal
 * carries the rolling hash over every event so far, so removing or renumbering any sealed event
 * — including the newest, when the witness still holds their seal — is detected by `verify`.
 */
export class Sealer {
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sealing: Promise<void> | undefined;
  private lastSeal: SealRecord | undefined;
  private rolling = ROLLING_GENESIS;
  private rolledTo = 0;
  private pendingCount = 0;
  /** When the oldest unsealed event was rolled in (Date.now()), while any is. */
  private pendingSince: number | undefined;
  private sealAgain = false;
  private witnessBehind = false;
  private state: 'stopped' | 'running' | 'halted' = 'stopped';
  private haltReason: string | undefined;
  private stopping = false;

  private readonly store: EventStore;

  constructor(
    store: EventStore,
    private readonly options: SealerOptions = {},
  ) {
    // Seals what is stored (no decryption, no metrics decorator counting seals as transitions).
    this.store = storedEventsOf(store);
  }

  get status(): { state: 'stopped' | 'running' | 'halted'; reason?: string; lastSeal?: SealRecord; unsealedEvents: number } {
    return {
      state: this.state,
      ...(this.haltReason ? { reason: this.haltReason } : {}),
      ...(this.lastSeal ? { lastSeal: this.lastSeal } : {}),
      unsealedEvents: this.pendingCount,
    };
  }

  async start(): Promise<void> {
    if (this.state === 'running') return;
    this.stopping = false;
    const stored = (await lastStoredSeal(this.store))?.seal;
    const problem = await this.reconcileWitness(stored);
    if (problem) return this.halt(problem);
    this.resume(stored);
  }

  /**
   * Seals what is pending now (used at shutdown and by tests); resolves once it is durable. With
   * `withinMs`, reads on for that long at most and seals what it has read: a sealer far behind
   * (a store never sealed, a long outage) would otherwise hold a stop for as long as reading the
   * rest takes. A seal covers a prefix of the global order, so the next start seals on from it.
   */
  async flush(options: { withinMs?: number } = {}): Promise<void> {
    if (this.state !== 'running') return;
    const until = options.withinMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.withinMs;
    let read = 0;
    // Events committed by other processes may not have reached the subscription yet.
    for await (const event of this.store.readAll({ after: this.rolledTo })) {
      this.roll(event);
      if (++read % 256 === 0 && Date.now() >= until) break;
    }
    for (let attempts = 0; this.state === 'running' && attempts < 10; attempts++) {
      if (this.sealing) await this.sealing;
      else if (this.pendingCount > 0) await this.seal();
      else return;
    }
  }

  async stop(options: { flush?: boolean; flushWithinMs?: number } = {}): Promise<void> {
    this.stopping = true;
    // From here only the flush reads, within its time: a subscription still catching up would go
    // on rolling events in, and the flush would seal those too.
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (options.flush) await this.flush(options.flushWithinMs === undefined ? {} : { withinMs: options.flushWithinMs }).catch((error: unknown) => this.options.onError?.(error));
    if (this.timer) clearTimeout(this.timer);
    // A seal's continuation could start the next one (events rolled in meanwhile): closed only once none is being written,
    // or a seal written after the stop reopened the witness and left it open.
    while (this.sealing) await this.sealing;
    this.options.witness?.close();
    if (this.state === 'running') this.state = 'stopped';
  }

  private resume(from: SealRecord | undefined): void {
    // A seal written while stop() waited for it may lose to another process's: not a reason to subscribe again.
    if (this.stopping) return;
    this.lastSeal = from;
    this.rolling = from?.rollingHash ?? ROLLING_GENESIS;
    this.rolledTo = from?.toPosition ?? 0;
    this.pendingCount = 0;
    this.pendingSince = undefined;
    this.state = 'running';
    this.subscription?.unsubscribe();
    // Subscribed again after an outage, from the last event rolled in: a subscription that ended
    // left the sealer "running" while nothing new was ever sealed.
    this.subscription = resubscribing(() => this.store.subscribeToAll({ after: this.rolledTo }), {
      retryMs: 1000,
      onError: (error) => this.options.onError?.(error),
    }).subscribe({ next: (event) => this.roll(event) });
  }

  private roll(event: RecordedEvent): void {
    if (isSealEvent(event) || event.position <= this.rolledTo) return;
    this.rolling = rollEvent(this.rolling, event);
    this.rolledTo = event.position;
    this.pendingCount += 1;
    this.pendingSince ??= Date.now();
    if (this.pendingCount < this.maxEvents) this.scheduleNext();
    // A catch-up delivers thousands of events synchronously: ask once, not once per event.
    else if (this.sealing) this.sealAgain = true;
    else void this.seal();
  }

  private get maxEvents(): number {
    return this.options.maxEvents ?? 1000;
  }

  /** After the debounce, or when the oldest unsealed event has waited `maxWaitMs`, whichever comes first. */
  private scheduleNext(): void {
    const debounce = this.options.debounceMs ?? 100;
    const due = (this.pendingSince ?? Date.now()) + (this.options.maxWaitMs ?? 1000) - Date.now();
    this.schedule(Math.max(0, Math.min(debounce, due)));
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.sealing ? (this.sealAgain = true) : void this.seal()), ms);
    this.timer.unref();
  }

  private seal(): Promise<void> {
    if (this.sealing) return this.sealing;
    if (this.timer) clearTimeout(this.timer);
    if (this.state !== 'running' || this.pendingCount === 0) return Promise.resolve();
    const previous = this.lastSeal;
    const seal = makeSeal({
      sequence: (previous?.sequence ?? 0) + 1,
      fromPosition: (previous?.toPosition ?? 0) + 1,
      toPosition: this.rolledTo,
      count: this.pendingCount,
      rollingHash: this.rolling,
      previousSealHash: previous?.sealHash ?? GENESIS_HASH,
      sealedAt: (this.options.clock ?? (() => new Date().toISOString()))(),
    });
    // Events rolled while this seal is written go into the next one.
    this.pendingCount = 0;
    this.pendingSince = undefined;
    this.sealAgain = false;
    const written = this.write(seal, previous).catch((error: unknown) => {
      this.options.onError?.(error);
      return false;
    });
    this.sealing = written.then((written) => {
      this.sealing = undefined;
      if (!written || this.state !== 'running' || this.pendingCount === 0 || this.stopping) return;
      if (this.sealAgain || this.pendingCount >= this.maxEvents) void this.seal();
      else this.scheduleNext();
    });
    return this.sealing;
  }

  private async write(seal: SealRecord, previous: SealRecord | undefined): Promise<boolean> {
    if (this.witnessBehind) {
      // The witness missed the newest seal (its disk refused it). The store must never get two
      // seals ahead of it — that is how verify tells a truncated witness — so the witness is
      // brought up to the store before another seal is written, or nothing is sealed this time.
      try {
        // Behind because its own disk refused the last line: starting it again here is a repair, not news.
        const problem = await this.reconcileWitness(previous, { repairing: true });
        if (problem) {
          this.halt(problem);
          return false;
        }
        this.witnessBehind = false;
      } catch (error) {
        return this.retryLater(seal, error);
      }
    }
    try {
      const event = { id: uuidv5(`${seal.sequence}\u0000${seal.sealHash}`, SEAL_ID_NAMESPACE), type: STORE_SEALED, data: sealAsJson(seal), metadata: { occurredAt: seal.sealedAt } };
      await this.store.append(SEAL_STREAM, [event], previous ? previous.sequence - 1 : 'no_stream');
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) {
        // Another sealer (a second process on the same store) sealed first: continue after its seal.
        const stored = (await lastStoredSeal(this.store))?.seal;
        const problem = await this.reconcileWitness(stored);
        if (problem) this.halt(problem);
        else this.resume(stored);
        return false;
      }
      return this.retryLater(seal, error);
    }
    this.lastSeal = seal;
    await this.appendToWitness(seal);
    this.options.onSeal?.(seal);
    return true;
  }

  /** The witness's disk may refuse (full, read-only): the next seal repairs it from the store first (write). */
  private async appendToWitness(seal: SealRecord): Promise<void> {
    try {
      await this.options.witness?.appendDurably(seal);
    } catch (error) {
      this.witnessBehind = true;
      this.options.onError?.(error);
    }
  }

  /** This seal was not written: its events go into the next attempt, after a pause. */
  private retryLater(seal: SealRecord, error: unknown): false {
    this.pendingCount += seal.count;
    this.pendingSince ??= Date.now();
    this.options.onError?.(error);
    if (this.state === 'running') this.schedule(5 * (this.options.debounceMs ?? 100));
    return false;
  }

  /**
   * Brings the witness up to the store's newest seal. The store may be ahead (a crash between the
   * two writes, or a witness started on an existing store); the witness may never be ahead and
   * the seals they share must be identical — otherwise events or seals were removed.
   */
  private async reconcileWitness(stored: SealRecord | undefined, options: { repairing?: boolean } = {}): Promise<string | undefined> {
    const witness = this.options.witness;
    if (!witness) return undefined;
    const witnessed = witness.last();
    if (!witnessed) {
      if (stored) {
        witness.append(stored);
        if (!options.repairing) this.options.onError?.(
          new WitnessRestartedError(
            `ウィットネス ${witness.path} がないか空でしたが、ストアにはシールが ${stored.sequence} 件あります。シール ${stored.sequence} から作り直しました。意図して削除したのでなければ、イベントがシールごとストアから削除された可能性があります。以前のウィットネスの写しと照合してください（verify --witness） / ` +
              `the witness ${witness.path} was missing or empty while the store holds ${stored.sequence} seal(s): started again at seal ${stored.sequence}. If it was not removed on purpose, events may have been removed from the store with their seals: hold the store to a copy of the old witness (verify --witness)`,
          ),
        );
      }
      return undefined;
    }
    if (!stored || witnessed.sequence > stored.sequence) {
      return `the witness ${witness.path} holds seal ${witnessed.sequence} (up to position ${witnessed.toPosition}) but the store's newest seal is ${stored?.sequence ?? 'none'}: events or seals were removed from the store (or it was restored from an older backup)`;
    }
    const same = (await storedSealAt(this.store, witnessed.sequence - 1))?.seal;
    if (!same || same.sealHash !== witnessed.sealHash) {
      return `seal ${witnessed.sequence} differs between the witness ${witness.path} (${witnessed.sealHash}) and the store (${same?.sealHash ?? 'missing'})`;
    }
    if (witnessed.sequence === stored.sequence) return undefined;
    for await (const event of this.store.readStream(SEAL_STREAM, { fromRevision: witnessed.sequence, toRevision: stored.sequence - 1 })) {
      const seal = parseSeal(event.data);
      if (seal) witness.append(seal);
    }
    return undefined;
  }

  private halt(reason: string): void {
    this.state = 'halted';
    this.haltReason = reason;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.options.onError?.(new SealerHaltedError(reason));
  }
}
