import type Database from 'better-sqlite3';
import type { AppendResult, ExpectedRevision } from '../event-store.port';

/** An event as the writer receives it: data and metadata already serialised by the caller's thread. */
export interface WireEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export interface WireAppend {
  readonly streamId: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly WireEvent[];
}

/** An error as plain data (it crosses threads): better-sqlite3's `code` is what classifies it. */
export interface WireError {
  readonly message: string;
  readonly code?: string;
  /** The batch may have been committed (the writer stopped before answering): say so, not "not stored". */
  readonly outcomeUnknown?: boolean;
  /** SQLite committed the batch (readers see it) but the file system failed right after: durability not confirmed. */
  readonly committedUnconfirmed?: boolean;
}

export type WireOutcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly refused: 'wrong-revision'; readonly current: number | undefined }
  | { readonly ok: false; readonly refused: 'duplicate-id'; readonly eventId: string }
  | { readonly ok: false; readonly refused: 'error'; readonly error: WireError };

/** One outcome per append, in order; or, when the batch as a whole failed, nothing stored and why. */
export type WireBatchResult = { readonly ok: true; readonly outcomes: readonly WireOutcome[] } | { readonly ok: false; readonly error: WireError };

export interface BatchWriter {
  /** Writes one group-commit batch in one transaction and answers once COMMIT has returned. */
  write(batch: readonly WireAppend[], recordedAt: string): WireBatchResult;
  /** A pragma on the writing connection (max_page_count is per connection), as a number. */
  pragma(source: string): number;
  close(): void;
}

/**
 * The only code that writes events to the SQLite store. It runs either on the caller's thread or
 * in the store's writer thread, which builds it from this function's source text: it may use
 * nothing but its arguments — no imports, no module-level helpers.
 *
 * A batch: an append refused on its own (revision conflict, reused event id) rolls back alone and
 * fails alone. A storage problem (disk full, read-only, I/O error) anywhere — in an append or at
 * COMMIT — rolls back the whole transaction: none of the batch is stored, and the caller fails
 * every append of it, so nobody is told "stored" for events that are not.
 *
 * `afterCommit` (commitProbe on a file) runs once COMMIT has returned: if it throws, the file system
 * failed around the commit and its fsync may have claimed more than it made durable, so the whole
 * batch is answered "outcome unknown" — never "stored" — although SQLite has committed it.
 */
export function batchWriter(db: Database.Database, isStorageProblem: (error: unknown) => boolean, afterCommit: () => void = () => undefined): BatchWriter {
  const statements = {
    eventById: db.prepare<[string], { stream_id: string; revision: number; position: number }>('SELECT stream_id, revision, position FROM events WHERE event_id = ?'),
    streamRevision: db.prepare<[string], { revision: number | null }>('SELECT max(revision) AS revision FROM events WHERE stream_id = ?'),
    insert: db.prepare<[string, string, number, string, string, string, string]>(
      'INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
  };
  class Refused extends Error {
    constructor(readonly outcome: WireOutcome) {
      super('refused');
    }
  }
  const wire = (error: unknown): WireError => {
    const code = (error as { code?: unknown } | null)?.code;
    return { message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) };
  };
  /** The same event ids appended again to the same stream: answer as the first append did. */
  const replayOf = (append: WireAppend): AppendResult | undefined => {
    const first = append.events[0] && statements.eventById.get(append.events[0].id);
    if (!first) return undefined;
    let last = first;
    for (const [index, event] of append.events.entries()) {
      const found = statements.eventById.get(event.id);
      if (!found || found.stream_id !== append.streamId || found.revision !== first.revision + index) {
        throw new Refused({ ok: false, refused: 'duplicate-id', eventId: event.id });
      }
      last = found;
    }
    return { nextExpectedRevision: last.revision, position: last.position, replayed: true };
  };
  const writeAppend = (append: WireAppend, recordedAt: string): AppendResult => {
    const replay = replayOf(append);
    if (replay) return replay;
    const current = statements.streamRevision.get(append.streamId)?.revision ?? undefined;
    const expected = append.expectedRevision;
    const matches =
      expected === 'any' ||
      (expected === 'no_stream' && current === undefined) ||
      (expected === 'stream_exists' && current !== undefined) ||
      (typeof expected === 'number' && current === expected);
    if (!matches) throw new Refused({ ok: false, refused: 'wrong-revision', current });
    let revision = current ?? -1;
    let position = 0;
    for (const event of append.events) {
      revision += 1;
      try {
        position = Number(statements.insert.run(event.id, append.streamId, revision, event.type, event.data, event.metadata, recordedAt).lastInsertRowid);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'SQLITE_CONSTRAINT_UNIQUE' && error instanceof Error && error.message.includes('events.event_id')) {
          throw new Refused({ ok: false, refused: 'duplicate-id', eventId: event.id });
        }
        throw error;
      }
    }
    return { nextExpectedRevision: revision, position, replayed: false };
  };
  // A nested better-sqlite3 transaction is a SAVEPOINT: a failing append of several events rolls back alone.
  const writeInSavepoint = db.transaction(writeAppend);
  /**
   * Rolls back a transaction SQLite or a failed ROLLBACK left open: a transaction left open would
   * turn the next batch into a savepoint whose "commit" is only a RELEASE, and nothing would be
   * durable. Throws (as a storage problem, I/O error unless SQLite says which) when it cannot.
   */
  const rollbackLeftover = (): void => {
    if (!db.open || !db.inTransaction) return;
    try {
      db.exec('ROLLBACK');
    } catch (error) {
      // Whatever SQLite says, a transaction that cannot be ended stops every write: report it as the disk's.
      if (!isStorageProblem(error)) Object.assign(error as object, { code: 'SQLITE_IOERR' });
      throw error;
    }
  };
  return {
    write(batch, recordedAt) {
      const outcomes: WireOutcome[] = [];
      try {
        rollbackLeftover();
        // IMMEDIATE: the write lock is taken (waiting on the busy timeout) before the first read.
        // A deferred transaction reads first (the replay and revision checks) and could not wait
        // for the lock: when another connection (another process) wrote meanwhile, SQLite answers
        // SQLITE_BUSY at once rather than let a stale snapshot write — a 503 for nothing.
        db.transaction(() => {
          for (const append of batch) {
            try {
              // One INSERT is atomic on its own (a failed statement leaves the transaction as it
              // was), so only appends of several events pay for a savepoint.
              outcomes.push({ ok: true, result: append.events.length > 1 ? writeInSavepoint(append, recordedAt) : writeAppend(append, recordedAt) });
            } catch (error) {
              if (error instanceof Refused) {
                outcomes.push(error.outcome);
                continue;
              }
              // A storage error, or SQLite having rolled back the whole transaction itself (it
              // may, on SQLITE_FULL / IOERR): abort the batch rather than write what follows alone.
              if (isStorageProblem(error) || !db.inTransaction) throw error;
              outcomes.push({ ok: false, refused: 'error', error: wire(error) });
            }
          }
        }).immediate();
      } catch (error) {
        try {
          rollbackLeftover();
        } catch {
          // Still stuck: the next batch tries again before writing anything.
        }
        return { ok: false, error: wire(error) };
      }
      try {
        afterCommit();
      } catch (error) {
        const failed = wire(error);
        // Whatever the file system said, an unconfirmed commit is the disk's problem (503), never a bug's (500).
        const code = isStorageProblem(error) ? failed.code : 'SQLITE_IOERR';
        return { ok: false, error: { message: `committed, but the file system failed right after (${failed.message}): durability not confirmed`, ...(code === undefined ? {} : { code }), outcomeUnknown: true, committedUnconfirmed: true } };
      }
      return { ok: true, outcomes };
    },
    pragma(source) {
      return Number(db.pragma(source, { simple: true }));
    },
    close() {
      db.close();
    },
  };
}
