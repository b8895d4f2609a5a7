import { Worker } from 'node:worker_threads';
import { dirname } from 'node:path';
import { StorageUnavailableError, asStorageError, storageProblemOf } from '../storage.errors';
import { commitProbe } from './commit-probe';
import type { StorageStatus } from './sqlite-event-store.types';
import { walCheckpointer } from './wal-checkpointer';

export interface CheckpointThreadOptions {
  readonly filename: string;
  /** The pause between two passes (ms). */
  readonly intervalMs: number;
  /** WAL frames above which a pass holds the write lock to copy all of it (wal-checkpointer.ts). */
  readonly restartAbovePages: number;
}

/** What the checkpoint thread has done since it started. */
export interface CheckpointStats {
  /** Passes that checkpointed (skipped ones — nothing committed since — are not counted). */
  readonly passes: number;
  /** Of those, passes that held the write lock to copy the whole WAL. */
  readonly wholePasses: number;
  /** Frames in the WAL at the latest pass. */
  readonly walFrames: number;
  /** A probe after a checkpoint failed and none has passed since: the WAL is pinned as it is. */
  readonly held: boolean;
}

/** A failure the thread's program reports (posted to the store's thread). */
interface CheckpointProblem {
  readonly message: string;
  readonly code?: string;
  /** The probe failed: the WAL is held. Otherwise the checkpoint (or opening its transaction) failed. */
  readonly held: boolean;
}

const STAT_PASSES = 0;
const STAT_WHOLE = 1;
const STAT_FRAMES = 2;
const STAT_HELD = 3;

function threadSource(): string {
  return `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const Database = require(workerData.driver);
const options = workerData.options;
const stats = new Float64Array(workerData.stats);
const open = () => {
  const db = new Database(options.filename);
  db.pragma('busy_timeout = 5000');
  return db;
};
const pin = open();
const guard = open();
const checkpointer = open();
// The checkpoint's copy is fsynced before the probe (and before the WAL may start again).
checkpointer.pragma('synchronous = FULL');
const probe = (${commitProbe.toString()})(fs, path.dirname(path.resolve(options.filename)), 'checkpoint-probe');
const walCheckpointer = (${walCheckpointer.toString()})(pin, guard, checkpointer, probe, options.restartAbovePages);
let timer;
let reported = false;
let wasHeld = false;
const tick = (final) => {
  let pass;
  try {
    pass = walCheckpointer.pass(final);
  } catch (error) {
    // Not one of the failures a pass answers itself (a ROLLBACK refused): try again next time.
    pass = { log: stats[${STAT_FRAMES}], checkpointed: 0, skipped: false, whole: false, held: stats[${STAT_HELD}] === 1, error: { message: String(error && error.message || error), ...(error && typeof error.code === 'string' ? { code: error.code } : {}) } };
  }
  if (!pass.skipped && pass.error === undefined) {
    stats[${STAT_PASSES}] += 1;
    if (pass.whole) stats[${STAT_WHOLE}] += 1;
  }
  stats[${STAT_FRAMES}] = pass.log;
  stats[${STAT_HELD}] = pass.held ? 1 : 0;
  // The WAL held or let go: said on each change. Other failures: once per run of them, not per pass.
  if (pass.held !== wasHeld) parentPort.postMessage(pass.held ? { ...pass.error, held: true } : { released: true });
  else if (pass.error !== undefined && !pass.held && !reported) parentPort.postMessage({ ...pass.error, held: false });
  reported = pass.error !== undefined;
  wasHeld = pass.held;
  if (!final) timer = setTimeout(tick, options.intervalMs);
};
timer = setTimeout(tick, options.intervalMs);
parentPort.on('message', () => {
  clearTimeout(timer);
  // The store's writer is idle: copy what is left, confirmed, before the connections close.
  tick(true);
  checkpointer.close();
  guard.close();
  pin.close();
  parentPort.close();
});
`;
}

/**
 * The thread that checkpoints the embedded store's WAL beside its writer thread, so no commit
 * stops for a checkpoint (wal-checkpointer.ts says how each pass keeps the WAL until its copy is
 * confirmed). On the 1,000,000-event store the checkpoints inside commits cost the engine a fifth
 * of its rate (docs/benchmarks.md).
 */
export class CheckpointThread {
  private readonly worker: Worker;
  private readonly counters = new Float64Array(new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT));
  private readonly exited: Promise<void>;
  private closing = false;

  /** The failed probe while the WAL is held, as a storage status; undefined once a probe passed. */
  private held: StorageStatus | undefined;
  private readonly troubleObservers = new Set<(reason: string) => void>();

  /**
   * `onStopped`: the thread ended other than by close(); nothing checkpoints the WAL any more (the
   * store has the writer's commits do it again), and the trouble observers hear `onStopped`'s answer.
   */
  constructor(options: CheckpointThreadOptions, onStopped: (reason: string) => string) {
    this.worker = new Worker(threadSource(), { eval: true, workerData: { driver: require.resolve('better-sqlite3'), options, stats: this.counters.buffer } });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (message: CheckpointProblem | { readonly released: true }) => {
      if ('released' in message) this.held = undefined;
      else if (message.held) this.held = heldStatus(message, options.filename);
      else this.tell(`WAL checkpoint failed, tried again every pass (the WAL grows meanwhile): ${message.message}`);
    });
    let reason = 'exited';
    this.worker.on('error', (error: Error) => (reason = error.message));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.tell(onStopped(`the event store's checkpoint thread stopped (${reason}, code ${code})`));
    });
    // Checkpoints are never a reason to keep the process alive; an exit without close() leaves the
    // WAL as it is (recovery replays it).
    this.worker.unref();
  }

  /**
   * While the WAL is held after a failed probe: that problem, for the store's status (/health),
   * shown even while commits succeed (their own probes pass). Other failures (the database file
   * cannot grow, a read error) refuse no write: they go to the trouble observers instead.
   */
  get heldStatus(): StorageStatus | undefined {
    return this.held;
  }

  /** Called with the reason when a checkpoint fails other than by its probe, or the thread stops. */
  onTrouble(observer: (reason: string) => void): () => void {
    this.troubleObservers.add(observer);
    return () => this.troubleObservers.delete(observer);
  }

  get stats(): CheckpointStats {
    const c = this.counters;
    return { passes: c[STAT_PASSES] ?? 0, wholePasses: c[STAT_WHOLE] ?? 0, walFrames: c[STAT_FRAMES] ?? 0, held: c[STAT_HELD] === 1 };
  }

  private tell(reason: string): void {
    for (const observer of this.troubleObservers) observer(reason);
  }

  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    this.worker.ref();
    this.worker.postMessage('close');
    return this.exited;
  }
}

function heldStatus(problem: CheckpointProblem, filename: string): StorageStatus | undefined {
  const error = Object.assign(new Error(`WAL checkpoint: ${problem.message}`), {
    // A probe the file system refused is the disk's problem whatever its code (as after a commit).
    code: storageProblemOf(problem) === undefined ? 'SQLITE_IOERR' : problem.code,
  });
  const failure = asStorageError(error, filename, dirname(filename));
  return failure instanceof StorageUnavailableError ? { problem: failure.problem, since: new Date().toISOString(), error: failure.message } : undefined;
}
