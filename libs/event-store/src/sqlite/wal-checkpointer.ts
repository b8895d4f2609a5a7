import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the write-ahead log from a worker thread, on its own connection.
 *
 * Left to SQLite, a checkpoint runs inside the COMMIT that pushes the log past
 * `wal_autocheckpoint` pages: on the main thread (better-sqlite3 is synchronous), copying the
 * pages and fsyncing the database file while every request waits — measured as a 5 ms commit
 * among 1 ms ones, the p99 of an approval. A PASSIVE checkpoint on a second connection runs
 * beside the writer (WAL allows it) and on the other core; once it has copied the whole log, the
 * writer's next transaction starts the log again from its beginning. The writer keeps a high
 * auto-checkpoint threshold only as a fallback should this worker stop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
let checkpoints = 0;
const run = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    checkpoints += 1;
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') {
    run();
    parentPort.postMessage({ checkpoints });
  } else if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private lastError: string | undefined;

  constructor(filename: string, intervalMs: number) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { filename, intervalMs, driver: require.resolve('better-sqlite3') } });
    this.worker.on('message', (message: { error?: string }) => {
      if (message.error) this.lastError = message.error;
    });
    // A failing checkpointer leaves the writer's own auto-checkpoint in charge; nothing else to do.
    this.worker.on('error', (error) => (this.lastError = error.message));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // Never the reason a process stays alive (after the listeners: attaching one refs the port again).
    this.worker.unref();
  }

  /** The last error a checkpoint reported (the writer's fallback keeps the log bounded meanwhile). */
  get error(): string | undefined {
    return this.lastError;
  }

  /** Runs one checkpoint now and resolves with how many have completed (tests, shutdown). */
  checkpoint(): Promise<number> {
    return new Promise((resolve) => {
      const onMessage = (message: { checkpoints?: number }) => {
        if (message.checkpoints === undefined) return;
        this.worker.off('message', onMessage);
        this.worker.unref();
        resolve(message.checkpoints);
      };
      this.worker.on('message', onMessage);
      this.worker.ref();
      this.worker.postMessage('checkpoint');
    });
  }

  /** Stops after any checkpoint in progress, closing the worker's connection. */
  async stop(): Promise<void> {
    // Held while stopping: with nothing else pending, an unreferenced worker would let the process
    // end in the middle of the caller's `await close()`.
    this.worker.ref();
    this.worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)));
    await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}
