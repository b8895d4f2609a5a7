import type Database from 'better-sqlite3';
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { DuplicateEventIdError, EventStoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import { StorageUnavailableError, asStorageError, storageCodePatterns } from '../storage.errors';
import type { AppendResult, EventToAppend, ExpectedRevision } from '../event-store.port';
import { commitProbe } from './commit-probe';
import { batchWriter, type BatchWriter, type WireAppend, type WireBatchResult, type WireError, type WireOutcome } from './sqlite-batch-writer';
import { CheckpointThread, type CheckpointStats } from './sqlite-checkpoint.thread';
import { WriterThread } from './sqlite-writer.thread';
import type { GroupCommitStats, SqliteEventStoreOptions, StorageStatus } from './sqlite-event-store.types';

interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expectedRevision: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/** What the group commit needs from the store around it. */
export interface GroupCommitHooks {
  /** The newest position in the file, read on the store's own connection. */
  head(): number;
  /** After every durable commit (wakes the live subscriptions). */
  committed(): void;
  /** The commit doorbell the writer thread rings after each durable commit (commit-doorbell.ts); undefined: none. */
  readonly doorbell?: string;
}

/**
 * The embedded store's write path: group commit.
 *
 * Appends that arrive in the same turn of the event loop are written in one transaction, hence
 * one fsync. Each append runs in its own savepoint, so a failed expected-revision check rejects
 * only its own caller, and every caller is answered only after the commit that holds its events
 * is durable (sqlite-batch-writer.ts says what a batch does).
 *
 * A store on a file writes through its writer thread (sqlite-writer.thread.ts): that thread owns
 * the only writing connection. Up to MAX_BATCHES_IN_FLIGHT batches of up to `maxBatchAppends`
 * appends wait there, written one after another, while this thread prepares the next ones; WAL
 * checkpoints run beside it in the checkpoint thread. In-memory stores (and `writerThread: false`)
 * write on the store's own connection, on this thread.
 *
 * It also keeps what reads must know about writes: a commit SQLite made that the file system did
 * not confirm hides everything above the last confirmed position (`visibleUpTo`).
 */
export class SqliteGroupCommit {
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  /** Exactly one of the two writes: the writer thread (replaced if it stops), or the same writer on this thread. */
  private thread: WriterThread | undefined;
  /** With the writer thread: WAL checkpoints off the writer's path (sqlite-checkpoint.thread.ts). */
  private readonly checkpoints: CheckpointThread | undefined;
  private readonly startWriterThread: (() => WriterThread) | undefined;
  private readonly writerRestartDelayMs: number;
  /** wal_autocheckpoint of the writer's connection: 0 while the checkpoint thread runs. */
  private writerCheckpointsAt = 0;
  /** The page limit in force, for a restarted writer thread (max_page_count is per connection). */
  private pageLimit: number | undefined;
  private readonly writer: BatchWriter | undefined;
  private readonly maxBatchAppends: number;
  private whenIdle: Array<() => void> = [];
  private closed = false;
  private counts = { commits: 0, appends: 0, events: 0 };
  private status: StorageStatus = { problem: null, since: null, error: null };
  private readonly filename: string;
  private readonly busyTimeoutMs: number;
  private readonly observers = new Set<(batchSize: number, seconds: number) => void>();
  private readonly restartObservers = new Set<(reason: string) => void>();
  /**
   * The last position known durable, while a commit SQLite made is not confirmed by the file
   * system (the commit probe failed after it): reads stop there, so nobody — a retried command's
   * idempotency check, a projection, a distributor — takes such events for stored. Undefined when
   * every commit is confirmed. Only a later confirmed commit lifts it.
   */
  private unconfirmedAbove: number | undefined;
  private confirmedHead: number;
  /**
   * While batches are with the writer thread: the highest position this thread knows committed and
   * confirmed (its last confirmed commit when the first of them was sent, then each confirmed
   * batch's last position). The writer's COMMIT is visible to this thread's reads before its answer, and so
   * before its probe's verdict, has arrived; reads stop here until it has. Undefined when no
   * batch is in flight (then other processes' commits are seen at once).
   */
  private inFlightBound: number | undefined;

  /** `db`: the store's connection (configured for WAL); written on only without a writer thread. */
  constructor(
    private readonly db: Database.Database,
    options: SqliteEventStoreOptions,
    private readonly hooks: GroupCommitHooks,
  ) {
    this.filename = options.filename;
    this.busyTimeoutMs = busyTimeoutOf(options);
    this.confirmedHead = hooks.head();
    const walAutocheckpointPages = walAutocheckpointPagesOf(options);
    // Four times the size: the whole-WAL passes (the writer waits) came half as often as at 1×, and
    // the engine on the 1,000,000-event store kept 0.84× of its fresh-store rate against 0.81×.
    const restartAbovePages = 4 * walAutocheckpointPages;
    // Before the writer starts, so it starts with the limit; without a writer thread, on `db`.
    if (options.maxPageCount !== undefined) this.setPageLimit(options.maxPageCount);
    this.writerRestartDelayMs = Math.max(0, options.writerRestartDelayMs ?? 1_000);
    if (options.filename !== ':memory:' && options.writerThread !== false) {
      this.startWriterThread = () =>
        new WriterThread(
          {
            filename: options.filename,
            synchronous: options.synchronous ?? 'FULL',
            busyTimeoutMs: this.busyTimeoutMs,
            // Checkpoints run in the checkpoint thread, never inside the writer's commit (unless
            // that thread stopped: see below).
            walAutocheckpointPages: this.writerCheckpointsAt,
            // A WAL that grew past the bound under load is cut back to it when it starts again.
            journalSizeLimitBytes: restartAbovePages * (Number(db.pragma('page_size', { simple: true })) + WAL_FRAME_HEADER_BYTES),
            maxPageCount: this.pageLimit,
            storageCodePatterns: storageCodePatterns(),
            doorbell: hooks.doorbell,
          },
          (error) => this.storageFailure(revive(error)),
        );
      this.thread = this.startWriterThread();
      this.checkpoints = new CheckpointThread(
        { filename: options.filename, intervalMs: Math.max(1, Math.trunc(options.checkpointIntervalMs ?? 100)), restartAbovePages },
        (reason) => this.checkpointInCommits(walAutocheckpointPages, reason),
      );
      this.maxBatchAppends = Math.max(1, Math.trunc(options.maxBatchAppends ?? 64));
    } else {
      const probe = options.filename === ':memory:' ? undefined : commitProbe({ renameSync, mkdirSync }, dirname(resolvePath(options.filename)));
      // The codes the writer thread is given: a lock another connection holds fails its own
      // append (lockNotFree), not the batch, on this thread as on that one.
      const batchWide = storageCodePatterns().map((source) => new RegExp(source));
      this.writer = batchWriter(db, (error) => {
        const code = (error as { code?: unknown } | null)?.code;
        return typeof code === 'string' && batchWide.some((pattern) => pattern.test(code));
      }, probe);
      this.maxBatchAppends = Number.POSITIVE_INFINITY;
    }
  }

  append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    if (events.length === 0) return Promise.reject(new Error('append needs at least one event'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expectedRevision, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Reads see positions up to this one: all of them, unless a commit is unconfirmed or not yet answered. */
  get visibleUpTo(): number {
    return Math.min(this.unconfirmedAbove ?? Number.MAX_SAFE_INTEGER, this.inFlightBound ?? Number.MAX_SAFE_INTEGER);
  }

  get stats(): GroupCommitStats {
    return { ...this.counts };
  }

  /** See SqliteEventStore.storageStatus. */
  get storageStatus(): StorageStatus {
    return (this.status.problem === null ? this.checkpoints?.heldStatus : undefined) ?? this.status;
  }

  get checkpointStats(): CheckpointStats | undefined {
    return this.checkpoints?.stats;
  }

  /** Whether commits go through the writer thread, which rings the doorbell itself. */
  get writesInThread(): boolean {
    return this.startWriterThread !== undefined;
  }

  /** See SqliteEventStore.setPageLimit. */
  setPageLimit(pages: number | undefined): number {
    const limit = pages === undefined ? SQLITE_MAX_PAGE_COUNT : Math.max(1, Math.floor(pages));
    this.pageLimit = limit;
    // max_page_count belongs to a connection: the one that writes.
    if (this.thread) return this.thread.pragma(`max_page_count = ${limit}`);
    return Number(this.db.pragma(`max_page_count = ${limit}`, { simple: true }));
  }

  onCommit(observer: (batchSize: number, seconds: number) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  onWriterRestart(observer: (reason: string) => void): () => void {
    this.restartObservers.add(observer);
    return () => this.restartObservers.delete(observer);
  }

  onCheckpointTrouble(observer: (reason: string) => void): () => void {
    return this.checkpoints?.onTrouble(observer) ?? (() => false);
  }

  /** Writes what was appended before, waits for every answer, then stops the threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.thread) {
      this.flush();
      if (this.queue.length > 0 || this.thread.inFlight > 0) await new Promise<void>((resolve) => this.whenIdle.push(resolve));
      await this.checkpoints?.close();
      await this.thread.close();
    } else if (this.queue.length > 0) this.flush();
  }

  /**
   * The checkpoint thread stopped other than by close() (it never did in any run): the writer's
   * commits checkpoint again, as without the thread (covered by the commit probe), rather than
   * let the WAL grow until the disk is full. Returns what the trouble observers are told.
   */
  private checkpointInCommits(pages: number, reason: string): string {
    this.writerCheckpointsAt = pages;
    try {
      this.thread?.pragma(`wal_autocheckpoint = ${pages}`);
    } catch {
      // The writer stopped too: the next one starts with writerCheckpointsAt.
    }
    return `${reason}; the writer's commits checkpoint the WAL from now on`;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Sends one group-commit batch to the writer. Events are serialised here: an append whose
   * events cannot be (a BigInt, a cycle) fails alone.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    // Full: the writer's next answer sends the rest.
    if (this.thread && this.thread.inFlight >= MAX_BATCHES_IN_FLIGHT) return;
    const taken = this.queue.splice(0, this.maxBatchAppends);
    if (this.queue.length > 0) this.scheduleFlush();
    const batch: PendingAppend[] = [];
    const wire: WireAppend[] = [];
    for (const pending of taken) {
      try {
        wire.push({
          streamId: pending.streamId,
          expectedRevision: pending.expectedRevision,
          events: pending.events.map((event) => ({ id: event.id, type: event.type, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) })),
        });
        batch.push(pending);
      } catch (error) {
        pending.reject(error);
      }
    }
    if (batch.length === 0) return;
    this.restartStoppedThread();
    const started = process.hrtime.bigint();
    const recordedAt = new Date().toISOString();
    if (!this.thread) {
      this.settle(batch, this.writer!.write(wire, recordedAt), started);
      return;
    }
    // Nothing of this thread's is in flight: everything up to its last confirmed commit is
    // answered for (other processes' commits above it show as this thread's next batches settle).
    if (this.thread.inFlight === 0) this.inFlightBound = this.confirmedHead;
    this.thread.write(wire, recordedAt, (result) => {
      this.settle(batch, result, started);
      this.flush();
      if (this.thread!.inFlight === 0) this.inFlightBound = undefined;
      if (this.queue.length === 0 && this.thread!.inFlight === 0) for (const resolve of this.whenIdle.splice(0)) resolve();
    });
  }

  /**
   * A writer thread that stopped other than by close() (it never did in any test or benchmark run,
   * but a process that refused every write until someone restarted it would be worse) is replaced
   * once writerRestartDelayMs have passed. The stopped thread answered every batch it had (outcome
   * unknown) and its connection closed with it, so SQLite rolled back whatever it had not
   * committed; the new one opens its own. /health stays io-error until a commit succeeds.
   */
  private restartStoppedThread(): void {
    const stoppedFor = this.thread?.stoppedFor();
    if (stoppedFor === undefined || stoppedFor < this.writerRestartDelayMs || this.closed || !this.startWriterThread) return;
    const reason = this.status.error ?? 'the writer thread stopped';
    this.thread = this.startWriterThread();
    for (const observer of this.restartObservers) observer(reason);
  }

  /**
   * Answers a batch's callers from the writer's result. A failed batch stored nothing: every
   * caller fails with StorageUnavailableError and /health shows the problem until a commit succeeds.
   */
  private settle(batch: readonly PendingAppend[], result: WireBatchResult, started: bigint): void {
    if (!result.ok) {
      if (isBusy(result.error)) {
        const busy = this.lockNotFree(result.error);
        for (const pending of batch) pending.reject(busy);
        return;
      }
      if (result.error.committedUnconfirmed) this.unconfirmedAbove ??= this.confirmedHead;
      const failure = this.storageFailure(revive(result.error));
      for (const pending of batch) pending.reject(failure);
      return;
    }
    if (this.status.problem !== null) this.status = { problem: null, since: null, error: null };
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.counts.commits += 1;
    this.counts.appends += batch.length;
    if (this.unconfirmedAbove !== undefined) {
      // This commit's fsync and probe succeeded: whatever the log held before it is durable too.
      this.unconfirmedAbove = undefined;
      this.confirmedHead = this.hooks.head();
    }
    batch.forEach((pending, index) => {
      const outcome = result.outcomes[index];
      if (outcome?.ok) {
        this.confirmedHead = Math.max(this.confirmedHead, outcome.result.position);
        if (this.inFlightBound !== undefined) this.inFlightBound = Math.max(this.inFlightBound, outcome.result.position);
        this.counts.events += pending.events.length;
        pending.resolve(outcome.result);
      } else pending.reject(refusal(pending, outcome, (error) => this.lockNotFree(error)));
    });
    for (const observer of this.observers) observer(batch.length, seconds);
    this.hooks.committed();
  }

  /**
   * Another connection kept the write lock past the busy timeout: not the disk's problem and
   * nothing written (SQLite refuses before the first write), so "unavailable, retry" (503).
   */
  private lockNotFree(error: WireError): EventStoreUnavailableError {
    return new EventStoreUnavailableError(
      `${this.filename}: another connection held the write lock for more than ${this.busyTimeoutMs} ms (a checkpoint on a slow disk, another process); nothing was recorded`,
      1,
      { cause: revive(error) },
    );
  }

  private storageFailure(error: unknown): unknown {
    const failure = asStorageError(error, this.filename, this.filename === ':memory:' ? undefined : dirname(this.filename));
    if (failure instanceof StorageUnavailableError) {
      this.status = { problem: failure.problem, since: this.status.since ?? new Date().toISOString(), error: failure.message };
    }
    return failure;
  }
}

/** The options' busy timeout (ms), as every connection of the store sets it. */
export const busyTimeoutOf = (options: SqliteEventStoreOptions): number => Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000));

/** The options' WAL bound (pages), as every connection of the store reads it. */
export const walAutocheckpointPagesOf = (options: SqliteEventStoreOptions): number => Math.max(1, Math.trunc(options.walAutocheckpointPages ?? 10_000));

/** Batches waiting in the writer thread at most; more appends wait here for the next answer. */
const MAX_BATCHES_IN_FLIGHT = 4;
/** Each WAL frame is a page and a 24-byte header. */
const WAL_FRAME_HEADER_BYTES = 24;
/** SQLite's largest max_page_count (the default). */
const SQLITE_MAX_PAGE_COUNT = 4294967294;

function isBusy(error: WireError): boolean {
  return error.code === 'SQLITE_BUSY' || (error.code?.startsWith('SQLITE_BUSY_') ?? false);
}

function revive(error: WireError): Error {
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code }, error.outcomeUnknown ? { outcomeUnknown: true } : {});
}

/** `lockNotFree`: the error for an append whose statement waited out the busy timeout. */
function refusal(pending: PendingAppend, outcome: WireOutcome | undefined, lockNotFree: (error: WireError) => Error): Error {
  if (outcome === undefined || outcome.ok) return new Error(`the writer gave no outcome for an append to ${pending.streamId}`);
  switch (outcome.refused) {
    case 'wrong-revision':
      return new WrongExpectedRevisionError(pending.streamId, pending.expectedRevision, outcome.current);
    case 'duplicate-id':
      return new DuplicateEventIdError(outcome.eventId, pending.streamId);
    default:
      return isBusy(outcome.error) ? lockNotFree(outcome.error) : revive(outcome.error);
  }
}
