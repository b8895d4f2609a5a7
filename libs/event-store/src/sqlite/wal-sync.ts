import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { asStorageError } from '../storage.errors';

/**
 * Durability for a WAL-mode SQLite file written on the main thread, without the main thread
 * waiting for the disk. The connection commits with `synchronous = NORMAL` (the COMMIT writes the
 * log's frames and returns; SQLite still syncs the log before each checkpoint and the database
 * after it), and `flushed()` fdatasyncs the write-ahead log in libuv's thread pool. The log is one
 * file written in order, so one fdatasync makes every commit before it durable: callers that arrive
 * while one runs share the next.
 *
 * Why: with `synchronous = FULL` each COMMIT blocked the event loop for its fsync, ~1 ms at the
 * median and 5–14 ms in a disk's stall, and every request of the API waited behind it. Used by
 * the distribution ledger (acknowledgements, parks, confirmations). Not by the access log: its
 * entry for a distributor's page is on the approval → file path, where answering through the
 * event loop after the pool's fdatasync measured slower than blocking for it (docs/benchmarks.md).
 *
 * The log's file is opened once, at the first flush after a commit, kept open for the
 * connection's life (closing any descriptor of a file drops the process's POSIX locks on it) and
 * its directory entry synced then: the log may have been created by this connection's first write.
 */
export class WalSync {
  private fd: number | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private closed = false;

  constructor(
    /** The database's file name; the log is `${database}-wal`. */
    private readonly database: string,
    /** How errors name the storage (StorageUnavailableError's `storage`). */
    private readonly storage: string,
    private readonly directory: string,
  ) {}

  /**
   * Resolves once every transaction committed before the call is on disk; rejects with the
   * disk's error (StorageUnavailableError for a full, read-only or failing disk), in which case
   * those transactions may or may not survive a power cut.
   */
  flushed(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.storage} is closed`));
    if (!this.running) return this.start();
    // A sync already running may have started before this caller's commit: wait for the next.
    this.queued ??= this.running.then(
      () => this.next(),
      () => this.next(),
    );
    return this.queued;
  }

  /** Syncs what is committed (on the caller's thread) and stops taking flushes; the log's descriptor closes once no sync runs on it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd === undefined) return;
    try {
      fdatasyncSync(this.fd);
    } catch {
      // shutting down on a failing disk: what the callers were told stands (nobody was told "stored" without a flush)
    }
    if (!this.running) this.release();
  }

  private next(): Promise<void> {
    this.queued = undefined;
    if (this.closed) return Promise.resolve();
    // A sync a caller started since the last one ended began after every queued caller's commit: it serves them too.
    return this.running ?? this.start();
  }

  private start(): Promise<void> {
    const run = new Promise<void>((resolve, reject) => {
      let fd: number;
      try {
        fd = this.open();
      } catch (error) {
        reject(asStorageError(error, this.storage, this.directory));
        return;
      }
      // Committed, durability unknown: what was written may or may not survive a power cut.
      fdatasync(fd, (error) => (error ? reject(asStorageError(Object.assign(error, { outcomeUnknown: true }), this.storage, this.directory)) : resolve()));
    });
    this.running = run;
    const done = () => {
      if (this.running === run) this.running = undefined;
      if (this.closed && !this.running) this.release();
    };
    run.then(done, done);
    return run;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    const fd = openSync(`${this.database}-wal`, 'r');
    try {
      const dir = openSync(this.directory, 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.fd = fd;
    return fd;
  }

  private release(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
