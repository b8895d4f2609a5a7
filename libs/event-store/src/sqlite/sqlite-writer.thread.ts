import { Worker } from 'node:worker_threads';
import { commitProbe } from './commit-probe';
import { doorbellRinger } from './commit-doorbell';
import { batchWriter, type WireAppend, type WireBatchResult, type WireError } from './sqlite-batch-writer';

/** What the writer thread needs to open the database as the store's only writing connection. */
export interface WriterThreadOptions {
  readonly filename: string;
  readonly synchronous: string;
  readonly busyTimeoutMs: number;
  /** 0: the writer never checkpoints (the checkpoint thread does). */
  readonly walAutocheckpointPages: number;
  /** The WAL file is truncated to this size when the WAL starts again (PRAGMA journal_size_limit). */
  readonly journalSizeLimitBytes: number;
  readonly maxPageCount: number | undefined;
  /** Sources of the patterns of `code`s that mean a storage problem (a whole batch fails). */
  readonly storageCodePatterns: readonly string[];
  /** The commit doorbell this thread rings after each durable commit (commit-doorbell.ts); undefined: none. */
  readonly doorbell: string | undefined;
}

type Request = { readonly kind: 'write'; readonly batch: readonly WireAppend[]; readonly recordedAt: string } | { readonly kind: 'pragma'; readonly source: string; readonly signal: SharedArrayBuffer } | { readonly kind: 'close' };

/**
 * The thread's program, built from source text so it runs the same from the compiled build and
 * from the TypeScript sources under the test runner (a worker file would exist in only one of
 * them). It loads better-sqlite3 from the path the main thread resolved.
 */
function threadSource(): string {
  return `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const Database = require(workerData.driver);
const options = workerData.options;
const patterns = options.storageCodePatterns.map((source) => new RegExp(source));
const isStorageProblem = (error) => {
  const code = error && typeof error === 'object' ? error.code : undefined;
  return typeof code === 'string' && patterns.some((pattern) => pattern.test(code));
};
const db = new Database(options.filename);
db.pragma('busy_timeout = ' + options.busyTimeoutMs);
db.pragma('synchronous = ' + options.synchronous);
db.pragma('wal_autocheckpoint = ' + options.walAutocheckpointPages);
db.pragma('journal_size_limit = ' + options.journalSizeLimitBytes);
if (options.maxPageCount !== undefined) db.pragma('max_page_count = ' + options.maxPageCount);
const probe = (${commitProbe.toString()})(fs, path.dirname(path.resolve(options.filename)));
const writer = (${batchWriter.toString()})(db, isStorageProblem, probe);
const doorbell = options.doorbell === undefined ? undefined : (${doorbellRinger.toString()})(fs, options.doorbell);
parentPort.on('message', (request) => {
  if (request.kind === 'write') {
    const result = writer.write(request.batch, request.recordedAt);
    parentPort.postMessage(result);
    // After the answer: the ring must not delay it. The commit is durable and visible by now.
    if (result.ok) doorbell?.ring();
  } else if (request.kind === 'pragma') {
    const flag = new Int32Array(request.signal, 0, 1);
    try {
      new Float64Array(request.signal, 8, 1)[0] = writer.pragma(request.source);
      Atomics.store(flag, 0, 1);
    } catch {
      Atomics.store(flag, 0, 2);
    }
    Atomics.notify(flag, 0);
  } else if (request.kind === 'close') {
    writer.close();
    parentPort.close();
  }
});
`;
}

/**
 * The SQLite store's writer thread: it owns the only connection that writes (inserts, COMMIT and
 * its fsync; WAL checkpoints run in the checkpoint thread beside it), so the caller's thread spends none of a commit's ~40 µs per event
 * (random-key index pages written to the WAL, then fsynced) and prepares the next batch
 * meanwhile. Batches are written one after another in the order they were sent; each answer
 * comes after its COMMIT returned, i.e. after the fsync (synchronous=FULL).
 */
export class WriterThread {
  private readonly worker: Worker;
  private readonly waiting: Array<(result: WireBatchResult) => void> = [];
  private failure: Error | undefined;
  private stoppedAt: number | undefined;
  private closing = false;
  private readonly exited: Promise<void>;

  /** `onStopped`: the thread ended other than by close() — /health should not wait for a write to say so. */
  constructor(options: WriterThreadOptions, onStopped: (error: WireError) => void = () => undefined) {
    this.worker = new Worker(threadSource(), { eval: true, workerData: { driver: require.resolve('better-sqlite3'), options } });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    const fail = (error: Error): void => {
      if (!this.failure && !this.closing) onStopped(stopped(error, false).error);
      this.failure ??= error;
      this.stoppedAt ??= performance.now();
      // These batches reached the writer: it may have committed them before it stopped.
      for (const answer of this.waiting.splice(0)) answer(stopped(error, true));
    };
    this.worker.on('message', (result: WireBatchResult) => {
      const answer = this.waiting.shift();
      if (this.waiting.length === 0) this.worker.unref();
      answer?.(result);
    });
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    // Referenced only while a batch waits for its answer: an idle writer must not keep the
    // process alive, a busy one must (its callers are waiting). After the listeners: adding the
    // 'message' listener references the thread again.
    this.worker.unref();
  }

  /** Milliseconds since the thread stopped other than by close(); undefined while it runs or once closed. */
  stoppedFor(now: number = performance.now()): number | undefined {
    return this.closing || this.stoppedAt === undefined ? undefined : now - this.stoppedAt;
  }

  /** Batches written (or failed) but not yet answered. */
  get inFlight(): number {
    return this.waiting.length;
  }

  write(batch: readonly WireAppend[], recordedAt: string, answer: (result: WireBatchResult) => void): void {
    if (this.failure) {
      answer(stopped(this.failure, false));
      return;
    }
    if (this.waiting.length === 0) this.worker.ref();
    this.waiting.push(answer);
    this.send({ kind: 'write', batch, recordedAt });
  }

  /**
   * A pragma on the writing connection, answered synchronously (the store's page-limit API is
   * synchronous): the caller's thread waits until the writer has finished the batches sent before.
   */
  pragma(source: string): number {
    if (this.failure) throw new Error(`the event store's writer thread stopped: ${this.failure.message}`);
    const signal = new SharedArrayBuffer(16);
    const flag = new Int32Array(signal, 0, 1);
    this.send({ kind: 'pragma', source, signal });
    // Bounded: a writer that died meanwhile never answers, and this thread must not hang on it.
    if (Atomics.wait(flag, 0, 0, PRAGMA_TIMEOUT_MS) === 'timed-out') throw new Error(`PRAGMA ${source}: the event store's writer thread did not answer`);
    if (Atomics.load(flag, 0) !== 1) throw new Error(`PRAGMA ${source} failed in the event store's writer thread`);
    return new Float64Array(signal, 8, 1)[0] ?? Number.NaN;
  }

  /** Closes the writing connection after the batches already sent, and ends the thread. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.failure) {
      // Waited for: the process stays up until the writing connection is closed.
      this.worker.ref();
      this.send({ kind: 'close' });
    }
    await this.exited;
  }

  private send(request: Request): void {
    this.worker.postMessage(request);
  }
}

/** Longer than any batch or checkpoint the writer may be finishing first. */
const PRAGMA_TIMEOUT_MS = 30_000;

/**
 * Nothing can be written without the writer: callers get a storage problem (503, retry later) —
 * with an unknown outcome for batches the writer had received, since it may have committed them
 * before it stopped (the same Idempotency-Key then tells).
 */
function stopped(error: Error, outcomeUnknown: boolean): { readonly ok: false; readonly error: WireError } {
  return { ok: false, error: { message: `the event store's writer thread stopped: ${error.message}`, code: 'SQLITE_IOERR', outcomeUnknown } };
}
