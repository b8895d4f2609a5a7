import type { StorageProblem } from '../storage.errors';

/** The SQLite adapter's public types: its options, and what it reports about its commits. */

export interface SqliteEventStoreOptions {
  /** File path, or ':memory:' for throwaway stores in unit tests. */
  readonly filename: string;
  /**
   * Read an existing store as it is stored (`verify`, a JSON Lines export, often of a copy kept as
   * evidence): the database and its write-ahead log are never written and no schema is applied
   * (stored-database.ts); appends are refused by SQLite. Give `writerThread: false` and
   * `commitDoorbell: false` with it, so no thread or file is added.
   */
  readonly readOnly?: boolean;
  /**
   * 'FULL' (default) makes every acknowledged append survive a power cut. 'NORMAL' is offered
   * only for benchmarks that want to show its cost; the engine never lowers durability itself.
   */
  readonly synchronous?: 'FULL' | 'NORMAL' | 'EXTRA';
  /**
   * How often a live subscription looks for events written by another process (ms, default 500).
   * Processes running this store ring each other's doorbell (below), so this is the fallback.
   */
  readonly pollIntervalMs?: number;
  /**
   * Ring `<filename>-doorbell` after each commit and watch it, so commits of other processes on
   * the same file reach this one's live subscriptions at once (default true; ignored for
   * ':memory:'). See commit-doorbell.ts.
   */
  readonly commitDoorbell?: boolean;
  readonly pageSize?: number;
  /**
   * A ceiling on the database size in pages (PRAGMA max_page_count): past it every append is
   * refused as if the disk were full (StorageUnavailableError 'full'). Unset: SQLite's default.
   */
  readonly maxPageCount?: number;
  /**
   * WAL size (pages) past which the whole WAL is copied into the database file and started again.
   * Default 10,000 (~40 MB), not SQLite's 1,000: the event_id and (stream_id, revision) indexes
   * take random keys, so a group commit dirties a page per event per index, and a checkpoint
   * copies each page once however often it was rewritten since.
   * - With the writer thread, the checkpoint thread copies the WAL every `checkpointIntervalMs`
   *   beside the writer; past four times this size a pass holds the write lock to copy what is
   *   left, and the WAL starts again (its file is cut back to four times this size).
   * - Without it, the commit that crosses it checkpoints (PRAGMA wal_autocheckpoint) while its
   *   caller waits. A tenth as often as SQLite's default gave ~10 % more durable transitions then.
   * Durability is the same either way: every commit is fsynced in the WAL.
   */
  readonly walAutocheckpointPages?: number;
  /** With the writer thread: the pause between two passes of the checkpoint thread (ms, default 100). */
  readonly checkpointIntervalMs?: number;
  /**
   * A store on a file writes through a thread of its own (default true): inserts, COMMIT and its
   * fsync leave the caller's thread (~40 µs of it per event at 256 in flight; docs/benchmarks.md),
   * and WAL checkpoints run in a third thread (sqlite-checkpoint.thread.ts). `false` writes and
   * checkpoints on the caller's thread. Ignored for ':memory:'.
   */
  readonly writerThread?: boolean;
  /**
   * How long a write waits for the write lock while another connection holds it (the checkpoint
   * thread copying the rest of a long WAL, another process on the same file) before its appends
   * are refused as unavailable: 503, retry, nothing recorded (PRAGMA busy_timeout). Default 5,000 ms.
   */
  readonly busyTimeoutMs?: number;
  /**
   * With the writer thread: appends per batch at most (default 64). More waiting appends go in the
   * next batch, written while this thread prepares the one after: with hundreds in flight, four
   * batches of 64 kept both threads busy where one of 256 left each waiting for the other.
   */
  readonly maxBatchAppends?: number;
  /**
   * With the writer thread: if it stops other than by close(), the first append at least this
   * long after the stop starts a new one (default 1,000 ms). Appends meanwhile are refused as a
   * storage problem (503, retry later); the delay keeps a thread that cannot start from being
   * started again for every append.
   */
  readonly writerRestartDelayMs?: number;
}

/** The outcome of the latest commit attempt, for /health: writes are refused until a commit succeeds. */
export interface StorageStatus {
  readonly problem: StorageProblem | null;
  /** When the current problem was first seen (ISO time); null while writes succeed. */
  readonly since: string | null;
  readonly error: string | null;
}

export interface GroupCommitStats {
  readonly commits: number;
  readonly appends: number;
  readonly events: number;
}
