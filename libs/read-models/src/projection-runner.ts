import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BehaviorSubject, filter, firstValueFrom, map, timeout, type Subscription } from 'rxjs';
import { MAIN_THREAD_BUSY_TIMEOUT_MS, StorageUnavailableError, type EventStore, type RecordedEvent } from '@nws/event-store';
import { ParkedProjectionEvents, fromParkedRow } from './parked-projection-events';
import { ProjectionBatchApplier } from './projection-batch.applier';
import type { Projection } from './projection';
import { dropSecondaryIndexes, restoreIndexes } from './secondary-indexes';
import { replayParkedStream } from './parked-replay';
import { installProjection } from './projection-install';
import { messageOf } from './projection-faults';
import {
  ParkedEventNotFoundError,
  type ParkedProjectionEvent,
  type ProjectionFault,
  type ProjectionReplayResult,
  type ProjectionRunnerOptions,
  type ProjectionRunnerState,
  type ProjectionRunnerStatus,
} from './projection-runner.types';

export * from './projection-runner.types';

/**
 * Hosts projections over one SQLite read-model database. One subscription feeds them all in
 * global order; each batch of events is applied in one transaction together with every
 * projection's checkpoint, so a crash never leaves a read model ahead of or behind its position.
 * Read models are rebuildable, so this database runs with synchronous=NORMAL.
 *
 * Nothing is skipped silently:
 * - the database refuses writes (disk full, read-only, I/O error, locked): the batch is rolled
 *   back, the runner stalls and re-reads from its checkpoints after a backoff, until it succeeds;
 * - a projection throws on an event: the batch is rolled back and retried (backoff, `maxAttempts`
 *   in all); retries apply event by event, so the other projections and the failing projection's
 *   earlier events go through; on the last attempt the event is **parked** for that projection
 *   only — a `projection_parked` row written in the same transaction that moves its checkpoint
 *   past the event. Later events of the same stream are parked for it too (`held`), so the stream
 *   is applied in order when the failed event is replayed (`replayParked`).
 */
export class ProjectionRunner {
  readonly db: Database.Database;
  private subscription: Subscription | undefined;
  private generation = 0;
  private wanted = false;
  /** The projections a rebuild is refilling now: their tables hold only part of the events. */
  private readonly refilling = new Set<string>();
  private buffer: RecordedEvent[] = [];
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private nextAttemptAt: number | undefined;
  private stallCount = 0;
  private storage: ProjectionRunnerStatus['storage'] = null;
  private lastError: string | null = null;
  private readonly applied$ = new BehaviorSubject<number>(0);
  private readonly parking: ParkedProjectionEvents;
  private readonly seen = new Map<string, number>();
  private readonly applier: ProjectionBatchApplier;

  constructor(
    private readonly store: EventStore,
    private readonly projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions,
  ) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // A batch another process's lock keeps out is retried later (isDatabaseFailure): never a long stop of the event loop.
    this.db.pragma(`busy_timeout = ${MAIN_THREAD_BUSY_TIMEOUT_MS}`);
    this.db.exec('CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    this.parking = new ParkedProjectionEvents(this.db);
    this.db.exec('CREATE TABLE IF NOT EXISTS projection_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    for (const projection of projections) installProjection(this.db, this.parking, projection);
    this.applier = new ProjectionBatchApplier(this.db, projections, this.parking, {
      maxAttempts: this.maxAttempts,
      directory: this.directory,
      onApplied: (position) => this.applied$.next(position),
    });
  }

  /**
   * Store positions per event, as the events received show them: 1 on the embedded store (its
   * positions count events), about an event's size in bytes on EventStoreDB (positions are offsets
   * in its log). Turns a distance in positions into events, for the lag shown and for how far behind
   * a read-your-writes wait is still worth it: 10,000 positions were some 7 events on EventStoreDB,
   * and lists read under load stopped waiting for the writes just made.
   */
  private spacing = 1;
  private lastReceived: number | undefined;

  /** Events stored after what every read model holds, up to `head` (exact on the embedded store, estimated from the events' spacing on EventStoreDB). */
  lagEvents(head: number): number {
    return Math.max(0, Math.round((head - this.position) / this.spacing));
  }

  /** Lowest checkpoint: every projection has applied every event up to here. */
  get position(): number {
    return this.applier.position;
  }

  checkpoint(name: string): number {
    return this.applier.checkpoint(name);
  }

  /** At least 2: the first run of a batch cannot tell which event failed without undoing the rest. */
  get maxAttempts(): number {
    return Math.max(2, this.options.maxAttempts ?? 3);
  }

  get status(): ProjectionRunnerStatus {
    const state: ProjectionRunnerState = !this.wanted ? 'stopped' : this.storage ? 'stalled' : this.retryTimer ? 'retrying' : 'running';
    return {
      state,
      position: this.position,
      checkpoints: Object.fromEntries(this.projections.map((p) => [p.name, this.checkpoint(p.name)])),
      parked: this.parkedCounts(),
      storage: this.storage,
      lastError: this.lastError,
      nextAttemptAt: this.retryTimer && this.nextAttemptAt !== undefined ? new Date(this.nextAttemptAt).toISOString() : null,
    };
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.applied$.next(this.position);
    this.subscribe();
  }

  stop(): void {
    this.wanted = false;
    this.cancelRetry();
    this.generation += 1;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.flush();
  }

  close(): void {
    this.stop();
    this.applied$.complete();
    this.db.close();
  }

  /** Resolves once every projection has applied the events up to `position` (read-your-writes). */
  async waitFor(position: number, timeoutMs = 2000): Promise<boolean> {
    if (this.position >= position) return true;
    // Stalled on the disk, or catching up on the store: answering from what is there beats
    // making every read wait out the timeout (reads are served while a start catches up).
    if (this.storage || (position - this.position) / this.spacing > (this.options.readYourWritesLag ?? 10_000)) return false;
    try {
      await firstValueFrom(this.applied$.pipe(filter((p) => p >= position), map(() => true), timeout(timeoutMs)));
      return true;
    } catch {
      return false;
    }
  }

  /** Parked events, oldest first. */
  parked(options: { projection?: string; limit?: number; offset?: number } = {}): ParkedProjectionEvent[] {
    return this.parking.list(options);
  }

  /**
   * The position of the newest event of a tracked type (`trackedTypes`) in a batch the runner
   * applied since it started; 0 when none. The read models are past it.
   */
  lastSeen(type: string): number {
    return this.seen.get(type) ?? 0;
  }

  /** One projection's parked events of one stream, in stream order (none once the database is closed). */
  parkedInStream(projection: string, streamId: string): ParkedProjectionEvent[] {
    return this.db.open ? this.parking.ofStream(projection, streamId).map(fromParkedRow) : [];
  }

  /** Parked events per projection (every projection listed, zeros included). */
  parkedCounts(): Record<string, { failed: number; held: number }> {
    const counts: Record<string, { failed: number; held: number }> = Object.fromEntries(this.projections.map((p) => [p.name, { failed: 0, held: 0 }]));
    if (!this.db.open) return counts;
    for (const row of this.parking.counts()) (counts[row.projection] ??= { failed: 0, held: 0 })[row.reason] = row.n;
    return counts;
  }

  /**
   * Applies a parked event again (after the projection was fixed), for every projection that
   * parked it, or only `projection`. The projection's parked events of that stream are applied in
   * order from the oldest, in one transaction, and removed from the parked list; if one fails
   * again it stays parked (one more attempt, the new error) with everything after it.
   */
  async replayParked(position: number, options: { projection?: string } = {}): Promise<ProjectionReplayResult[]> {
    const targets = this.parking.at(position, options.projection).filter((row) => this.projections.some((p) => p.name === row.projection));
    if (targets.length === 0) throw new ParkedEventNotFoundError(position, options.projection);
    const results: ProjectionReplayResult[] = [];
    for (const target of targets) {
      const projection = this.projections.find((p) => p.name === target.projection)!;
      results.push(await replayParkedStream({ db: this.db, store: this.store, parking: this.parking, applyOne: this.applier.applyOne, directory: this.directory, rollbackLeftover: () => this.applier.rollbackLeftover(true) }, projection, target.stream_id));
    }
    // The next batch reads the parked streams as they are now (in its own transaction).
    return results;
  }

  /**
   * Drops the read models and rebuilds them from position zero; read models end identical.
   * Their secondary indexes are dropped for the replay and built once at the end.
   * Parked rows of the rebuilt projections go with their tables: every event is run again, and
   * those that still fail are parked again (after the usual retries) keeping their first parked
   * time. The result lists what was parked before and what is parked after.
   */
  /** Whether a rebuild is refilling this projection's tables now (they hold only part of the events). */
  isRebuilding(name: string): boolean {
    return this.refilling.has(name);
  }

  /** The projections whose rows hold personal data in clear (Projection.personalData): what an erasure rebuilds. */
  get personalDataProjections(): string[] {
    return this.projections.filter((p) => p.personalData === true).map((p) => p.name);
  }

  async rebuild(names: readonly string[] = this.projections.map((p) => p.name)): Promise<{ events: number; seconds: number; parkedBefore: ParkedProjectionEvent[]; parkedAfter: ParkedProjectionEvent[] }> {
    const started = process.hrtime.bigint();
    const wasRunning = this.wanted;
    this.stop();
    const rebuilt = this.projections.filter((p) => names.includes(p.name));
    for (const projection of rebuilt) this.refilling.add(projection.name);
    const before = this.parking.ofProjections(rebuilt.map((p) => p.name));
    this.applier.startRebuild(rebuilt, before);
    const indexes = dropSecondaryIndexes(this.db, rebuilt.flatMap((p) => p.tables));
    let events = 0;
    try {
      let batch: RecordedEvent[] = [];
      for await (const event of this.store.readAll({ after: this.position })) {
        batch.push(event);
        events += 1;
        if (batch.length >= (this.options.batchSize ?? 1000)) {
          await this.applyUntilDone(batch);
          batch = [];
        }
      }
      await this.applyUntilDone(batch);
    } finally {
      for (const projection of rebuilt) this.refilling.delete(projection.name);
      this.applier.endRebuild();
      try {
        restoreIndexes(this.db, indexes);
      } catch (error) {
        // Queries are only slower without them, and opening the database recreates them.
        this.options.onError?.(error);
      }
      if (wasRunning) this.start();
    }
    const after = rebuilt.flatMap((p) => this.parked({ projection: p.name, limit: Number.MAX_SAFE_INTEGER }));
    return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9, parkedBefore: before.map(fromParkedRow), parkedAfter: after };
  }

  private subscribe(): void {
    const generation = ++this.generation;
    const subscription = this.store.subscribeToAll({ after: this.position }).subscribe({
      next: (event) => {
        if (generation === this.generation) this.enqueue(event);
      },
      error: (error: unknown) => {
        if (generation !== this.generation) return;
        this.options.onError?.(error);
        this.lastError = messageOf(error);
        this.retryLater(this.backoff(++this.stallCount));
      },
    });
    // A catch-up delivered synchronously may already have failed and scheduled a retry.
    if (generation === this.generation && this.wanted) this.subscription = subscription;
    else subscription.unsubscribe();
  }

  private enqueue(event: RecordedEvent): void {
    if (this.lastReceived !== undefined && event.position > this.lastReceived) this.spacing += (event.position - this.lastReceived - this.spacing) / 16;
    this.lastReceived = event.position;
    this.buffer.push(event);
    if (this.buffer.length >= (this.options.batchSize ?? 1000)) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0 || !this.db.open) return;
    let faults: ProjectionFault[];
    try {
      faults = this.applier.apply(batch);
    } catch (error) {
      // Nothing of the batch was applied; it is read again from the checkpoints later.
      const delay = this.backoff(++this.stallCount);
      this.lastError = messageOf(error);
      if (error instanceof StorageUnavailableError) {
        this.storage ??= { problem: error.problem, since: new Date().toISOString(), error: error.message };
        this.options.onStall?.(error, delay);
      } else this.options.onError?.(error);
      if (this.wanted) this.retryLater(delay);
      return;
    }
    if (this.stallCount > 0 || this.storage) {
      this.stallCount = 0;
      const wasStalled = this.storage !== null;
      this.storage = null;
      if (wasStalled) this.options.onRecovered?.();
    }
    this.noteTracked(batch);
    for (const fault of faults) this.options.onFault?.(fault);
    const retries = faults.filter((f) => f.outcome === 'retry');
    if (retries.length > 0) {
      this.lastError = retries[0]!.error;
      if (this.wanted) this.retryLater(this.backoff(Math.max(...retries.map((f) => f.attempt))));
    }
  }

  private noteTracked(batch: readonly RecordedEvent[]): void {
    if (!this.options.trackedTypes) return;
    for (const event of batch) {
      if (this.options.trackedTypes.includes(event.type) && event.position > (this.seen.get(event.type) ?? 0)) this.seen.set(event.type, event.position);
    }
  }

  /** Rebuild: the same batch again after a fault, until every event is applied or parked. */
  private async applyUntilDone(batch: readonly RecordedEvent[]): Promise<void> {
    for (;;) {
      const faults = this.applier.apply(batch);
      for (const fault of faults) this.options.onFault?.(fault);
      const retries = faults.filter((f) => f.outcome === 'retry');
      if (retries.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, this.backoff(Math.max(...retries.map((f) => f.attempt)))));
    }
  }

  private retryLater(delayMs: number): void {
    this.generation += 1;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.buffer = [];
    this.cancelRetry();
    this.nextAttemptAt = Date.now() + delayMs;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.nextAttemptAt = undefined;
      if (this.wanted && this.db.open) this.subscribe();
    }, delayMs);
    this.retryTimer.unref();
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.nextAttemptAt = undefined;
  }

  private backoff(attempt: number): number {
    const base = this.options.retryDelayMs ?? 100;
    return Math.min(this.options.maxRetryDelayMs ?? 5000, base * 2 ** Math.max(0, Math.min(attempt - 1, 20)));
  }

  private get directory(): string | undefined {
    return this.options.filename === ':memory:' ? undefined : dirname(this.options.filename);
  }
}
