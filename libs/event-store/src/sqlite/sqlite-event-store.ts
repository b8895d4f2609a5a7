import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Observable, Subject } from 'rxjs';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../event-store.errors';
import { StorageUnavailableError, asStorageError, storageProblemOf } from '../storage.errors';
import {
  matchesFilter,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../event-store.port';
import { SQLITE_EVENT_STORE_SCHEMA } from './sqlite-event-store.schema';
import { rowPages } from './row-pages.iterator';
import { EVENT_COLUMNS, isUniqueViolation, revisionMatches, toRecorded, type EventRow } from './sqlite-event-rows';
import type { GroupCommitStats, SqliteEventStoreOptions, StorageStatus } from './sqlite-event-store.types';

export type { GroupCommitStats, SqliteEventStoreOptions, StorageStatus } from './sqlite-event-store.types';

interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expectedRevision: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Embedded event store on SQLite (WAL, synchronous=FULL).
 *
 * Group commit: appends that arrive in the same turn of the event loop are written in one
 * transaction, hence one fsync. Each append runs in its own savepoint, so a failed
 * expected-revision check rejects only its own caller, and every caller is answered only after
 * the commit that holds its events is durable.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private readonly committed$ = new Subject<number>();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private stats = { commits: 0, appends: 0, events: 0 };
  private status: StorageStatus = { problem: null, since: null, error: null };
  private readonly filename: string;
  private readonly observers = new Set<(batchSize: number, seconds: number) => void>();

  private readonly statements: {
    readonly eventById: Database.Statement<[string], { stream_id: string; revision: number; position: number }>;
    readonly streamRevision: Database.Statement<[string], { revision: number | null }>;
    readonly insert: Database.Statement<[string, string, number, string, string, string, string]>;
    readonly readStream: Database.Statement<[string, number, number, number], EventRow>;
    readonly readAll: Database.Statement<[number, number], EventRow>;
    readonly head: Database.Statement<[], { position: number | null }>;
  };
  private readonly appendOne: (pending: PendingAppend) => AppendResult;

  constructor(options: SqliteEventStoreOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.filename = options.filename;
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.trunc(options.walAutocheckpointPages ?? 10_000))}`);
    this.db.exec(SQLITE_EVENT_STORE_SCHEMA);
    if (options.maxPageCount !== undefined) this.setPageLimit(options.maxPageCount);
    this.pageSize = options.pageSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.statements = {
      eventById: this.db.prepare('SELECT stream_id, revision, position FROM events WHERE event_id = ?'),
      streamRevision: this.db.prepare('SELECT max(revision) AS revision FROM events WHERE stream_id = ?'),
      insert: this.db.prepare(
        'INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      readStream: this.db
        .prepare<[string, number, number, number], EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? AND revision <= ? ORDER BY revision LIMIT ?`,
        )
        .raw(true),
      readAll: this.db.prepare<[number, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true),
      head: this.db.prepare('SELECT max(position) AS position FROM events'),
    };
    // A nested better-sqlite3 transaction is a SAVEPOINT: a failing append rolls back alone.
    this.appendOne = this.db.transaction((pending: PendingAppend) => this.writeAppend(pending));
  }

  get groupCommitStats(): GroupCommitStats {
    return { ...this.stats };
  }

  /** Whether the latest commit succeeded, and if not, which storage problem refused it. */
  get storageStatus(): StorageStatus {
    return this.status;
  }

  /**
   * Caps the database at `pages` pages (never below its current size), or lifts the cap
   * (`undefined`). A quota for the embedded store; the tests use it to produce a real SQLITE_FULL.
   * Returns the limit in force.
   */
  setPageLimit(pages: number | undefined): number {
    const limit = pages === undefined ? SQLITE_MAX_PAGE_COUNT : Math.max(1, Math.floor(pages));
    return Number(this.db.pragma(`max_page_count = ${limit}`, { simple: true }));
  }

  /** The database size in pages (for setting a page limit relative to it). */
  pageCount(): number {
    return Number(this.db.pragma('page_count', { simple: true }));
  }

  /** Called after every durable commit with its number of appends and how long it took. */
  onCommit(observer: (batchSize: number, seconds: number) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    if (events.length === 0) return Promise.reject(new Error('append needs at least one event'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expectedRevision, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    return this.statements.streamRevision.get(streamId)?.revision ?? undefined;
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    let from = options.fromRevision ?? 0;
    const to = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    let more = true;
    return rowPages(() => {
      if (!more) return undefined;
      const rows = this.statements.readStream.all(streamId, from, to, this.pageSize);
      const last = rows.at(-1);
      if (!last || rows.length < this.pageSize) more = false;
      else from = last[3] + 1;
      return rows;
    }, toRecorded);
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let after = options.after ?? 0;
    let remaining = options.limit ?? Number.POSITIVE_INFINITY;
    let more = remaining > 0;
    return rowPages(
      () => {
        if (!more) return undefined;
        const rows = this.statements.readAll.all(after, this.pageSize);
        after = rows.at(-1)?.[0] ?? after;
        if (rows.length < this.pageSize) more = false;
        return rows;
      },
      (row) => {
        if (remaining <= 0) {
          more = false;
          return undefined;
        }
        if (!matchesFilter({ type: row[4], streamId: row[2] }, options.filter)) return undefined;
        remaining -= 1;
        return toRecorded(row);
      },
    );
  }

  subscribeToAll(options: SubscribeOptions = {}): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      let after = options.after ?? 0;
      let pumping = false;
      let again = false;
      // Re-entrant calls (a commit while we emit) only ask for one more pass: events stay in order.
      const pump = () => {
        if (pumping) {
          again = true;
          return;
        }
        pumping = true;
        try {
          do {
            again = false;
            for (;;) {
              if (subscriber.closed || this.closed) return;
              const rows = this.statements.readAll.all(after, this.pageSize);
              for (const row of rows) {
                after = row[0];
                if (matchesFilter({ type: row[4], streamId: row[2] }, options.filter)) subscriber.next(toRecorded(row));
                if (subscriber.closed) return;
              }
              if (rows.length < this.pageSize) break;
            }
          } while (again);
        } catch (error) {
          subscriber.error(error);
        } finally {
          pumping = false;
        }
      };
      const commits = this.committed$.subscribe(() => pump());
      // Other processes (the CLI, a second API instance) may write the same file.
      const timer = setInterval(pump, this.pollIntervalMs);
      timer.unref();
      pump();
      return () => {
        commits.unsubscribe();
        clearInterval(timer);
      };
    });
  }

  async headPosition(): Promise<number> {
    return this.statements.head.get()?.position ?? 0;
  }

  /**
   * The highest position ever handed out (AUTOINCREMENT's `sqlite_sequence`). It does not go down
   * when rows disappear, so a head below it means the newest events were removed (audit verify).
   */
  async highWaterMark(): Promise<number> {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush();
    this.closed = true;
    this.committed$.complete();
    this.db.close();
  }

  /**
   * Writes one group-commit batch. An append refused on its own (revision conflict, reused event
   * id) rolls back its savepoint and fails alone. A storage problem (disk full, read-only, I/O
   * error) anywhere — in an append or at COMMIT — rolls back the whole transaction and fails every
   * caller of the batch with StorageUnavailableError: none is half-written, none is told "stored"
   * for events that are not.
   */
  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.flushScheduled = false;
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    const started = process.hrtime.bigint();
    try {
      // A transaction left open by a failed ROLLBACK would turn this one into a savepoint whose
      // "commit" is only a RELEASE: nothing would be durable. Finish it first, or refuse.
      this.rollbackLeftover();
      this.db.transaction(() => {
        for (const pending of batch) {
          try {
            // One INSERT is atomic on its own (a failed statement leaves the transaction as it
            // was), so only appends of several events pay for a savepoint.
            outcomes.push({ ok: true, result: pending.events.length > 1 ? this.appendOne(pending) : this.writeAppend(pending) });
          } catch (error) {
            // A storage error, or SQLite having rolled back the whole transaction itself (it may,
            // on SQLITE_FULL / IOERR): abort the batch rather than write what follows on its own.
            if (storageProblemOf(error) || !this.db.inTransaction) throw error;
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      // Nothing of this batch is stored: the transaction was rolled back (or never began).
      try {
        this.rollbackLeftover();
      } catch {
        // Still stuck: the next flush tries again before writing anything.
      }
      const failure = this.storageFailure(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    if (this.status.problem !== null) this.status = { problem: null, since: null, error: null };
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.stats.commits += 1;
    this.stats.appends += batch.length;
    batch.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) {
        this.stats.events += pending.events.length;
        pending.resolve(outcome.result);
      } else pending.reject(outcome?.error);
    });
    for (const observer of this.observers) observer(batch.length, seconds);
    this.committed$.next(batch.length);
  }

  /** Rolls back a transaction SQLite or a failed rollback left open; best effort. */
  private rollbackLeftover(): void {
    if (!this.db.open || !this.db.inTransaction) return;
    try {
      this.db.exec('ROLLBACK');
    } catch (error) {
      throw new StorageUnavailableError(storageProblemOf(error) ?? 'io-error', this.filename, { cause: error });
    }
  }

  private storageFailure(error: unknown): unknown {
    const failure = asStorageError(error, this.filename, this.filename === ':memory:' ? undefined : dirname(this.filename));
    if (failure instanceof StorageUnavailableError) {
      this.status = { problem: failure.problem, since: this.status.since ?? new Date().toISOString(), error: failure.message };
    }
    return failure;
  }

  private writeAppend({ streamId, events, expectedRevision }: PendingAppend): AppendResult {
    const replay = this.idempotentReplay(streamId, events);
    if (replay) return replay;
    const current = this.statements.streamRevision.get(streamId)?.revision ?? undefined;
    if (!revisionMatches(expectedRevision, current)) {
      throw new WrongExpectedRevisionError(streamId, expectedRevision, current);
    }
    const recordedAt = new Date().toISOString();
    let revision = current ?? -1;
    let position = 0;
    for (const event of events) {
      revision += 1;
      try {
        const info = this.statements.insert.run(
          event.id,
          streamId,
          revision,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          recordedAt,
        );
        position = Number(info.lastInsertRowid);
      } catch (error) {
        if (isUniqueViolation(error, 'events.event_id')) throw new DuplicateEventIdError(event.id, streamId);
        throw error;
      }
    }
    return { nextExpectedRevision: revision, position, replayed: false };
  }

  /** The same event ids appended again to the same stream: answer as the first append did. */
  private idempotentReplay(streamId: string, events: readonly EventToAppend[]): AppendResult | undefined {
    const first = events[0] && this.statements.eventById.get(events[0].id);
    if (!first) return undefined;
    let last = first;
    for (const [index, event] of events.entries()) {
      const found = this.statements.eventById.get(event.id);
      if (!found || found.stream_id !== streamId || found.revision !== first.revision + index) {
        throw new DuplicateEventIdError(event.id, streamId);
      }
      last = found;
    }
    return { nextExpectedRevision: last.revision, position: last.position, replayed: true };
  }
}

/** SQLite's largest max_page_count (the default). */
const SQLITE_MAX_PAGE_COUNT = 4294967294;
