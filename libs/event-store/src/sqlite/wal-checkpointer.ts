import type Database from 'better-sqlite3';

/** One pass of the checkpointer, for its thread's counters. */
export interface CheckpointPass {
  /** Frames in the WAL and how many of them are in the database file after this pass (PRAGMA wal_checkpoint). */
  readonly log: number;
  readonly checkpointed: number;
  /** Nothing was committed since the last pass left the WAL copied: no checkpoint, no probe. */
  readonly skipped: boolean;
  /** This pass held the write lock, so the whole WAL was copied and the next commit can start it again. */
  readonly whole: boolean;
  /** The probe after the checkpoint failed: the WAL is pinned (not started again) until one passes. */
  readonly held: boolean;
  readonly error?: { readonly message: string; readonly code?: string };
}

/**
 * WAL checkpoints beside the writer, so a commit never waits for one, without a window in which
 * an acknowledged event exists only in a copy the file system may have dropped.
 *
 * A checkpoint copies WAL frames into the database file and fsyncs it. On ext4, that fsync can
 * return 0 for blocks the file system then loses (commit-probe.ts says when). The WAL still holds
 * the same frames, and recovery replays it, until the WAL is started again from its beginning —
 * which SQLite does at the first write transaction after a checkpoint copied all of it, if no
 * reader still uses it. Inside the writer's commit (wal_autocheckpoint) the commit probe runs
 * after the checkpoint and before the next transaction, so a lying fsync is caught before the WAL
 * can be overwritten. Here the writer does not wait for us, so each pass pins the WAL instead:
 *
 * 1. `pin` opens a read transaction before the checkpoint. A reader that uses the WAL (it began
 *    while frames were not yet copied) keeps SQLite from starting the WAL again (walRestartLog
 *    needs every read mark but 0 free); a reader that began when everything was copied keeps the
 *    checkpoint from copying anything (it needs read mark 0 exclusively). Either way the pass is safe.
 * 2. `checkpointer` (another connection: a connection in a transaction cannot checkpoint) copies
 *    with PASSIVE, never waiting for the writer or readers, and fsyncs the database file.
 * 3. The probe makes a metadata change. It fails once the journal has aborted, so if it passes, the
 *    fsync before it was kept. Only then does `pin` end its transaction. If it fails, the pin is held
 *    and every later pass only probes, until one passes (after a real abort none ever does: the WAL
 *    then stays as it is until the connections close).
 *
 * PASSIVE never copies frames committed after the pin's snapshot, so under a steady load the WAL
 * is never all copied and would grow without end. Once it has more than `restartAbovePages`
 * frames, a pass first has `guard` take the write lock (BEGIN IMMEDIATE: the writer waits for it,
 * as it waited for an autocheckpoint inside its commit), then pins and copies everything committed
 * (only what the previous passes left, ~one interval's worth). After the probe the pin is
 * released before the guard, so the writer's next transaction starts the WAL again. If the probe
 * fails, the guard lets go and only the pin is held: the writer may go on writing (after the
 * WAL's end), a checkpoint never stops the store's writes.
 *
 * When the store closes, a last whole pass copies what is left, so the checkpoint SQLite itself
 * runs when the last connection closes (it then deletes the WAL) finds nothing to copy: no copy
 * of an acknowledged event is left to an unprobed fsync, on close either.
 *
 * Like batchWriter, it may use nothing but its arguments (the checkpoint thread builds it from
 * source text).
 */
export function walCheckpointer(
  pin: Database.Database,
  guard: Database.Database,
  checkpointer: Database.Database,
  probe: () => void,
  restartAbovePages: number,
): { pass(final?: boolean): CheckpointPass } {
  const firstRead = pin.prepare('SELECT 1 FROM sqlite_master LIMIT 1');
  let held = false;
  let lastLog = 0;
  // data_version when a pass last left the WAL all copied: unchanged, there is nothing to do.
  let copiedAt: number | undefined;
  const wire = (error: unknown) => {
    const e = error as { message?: unknown; code?: unknown } | null;
    return { message: String(e?.message ?? error), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
  };
  const release = () => {
    if (pin.inTransaction) pin.exec('ROLLBACK');
    letGo();
  };
  const letGo = () => {
    if (guard.inTransaction) guard.exec('ROLLBACK');
  };
  return {
    /** `final`: the store is closing (its writer is idle): copy the whole WAL, confirmed by a probe. */
    pass(final = false) {
      if (held) {
        try {
          probe();
        } catch (error) {
          return { log: lastLog, checkpointed: 0, skipped: false, whole: false, held: true, error: wire(error) };
        }
        held = false;
        release();
      }
      const whole = final || lastLog > restartAbovePages;
      let version: number;
      try {
        if (whole) guard.exec('BEGIN IMMEDIATE');
        pin.exec('BEGIN');
        firstRead.get();
        version = Number(pin.pragma('data_version', { simple: true }));
      } catch (error) {
        // Busy (the writer kept the write lock past the busy timeout) or the file is gone: next pass.
        release();
        return { log: lastLog, checkpointed: 0, skipped: false, whole, held: false, error: wire(error) };
      }
      if (!whole && version === copiedAt) {
        release();
        return { log: lastLog, checkpointed: lastLog, skipped: true, whole: false, held: false };
      }
      let log = lastLog;
      let checkpointed = 0;
      let failure: unknown;
      try {
        const row = (checkpointer.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>)[0];
        log = row?.log ?? 0;
        checkpointed = row?.checkpointed ?? 0;
      } catch (error) {
        // A checkpoint that failed did not mark its frames copied, but it may have written some:
        // the probe decides about the pin all the same.
        failure = error;
      }
      try {
        probe();
      } catch (error) {
        held = true;
        letGo();
        return { log, checkpointed, skipped: false, whole, held: true, error: wire(error) };
      }
      release();
      // A whole pass that copied everything: the writer's next transaction starts the WAL again.
      lastLog = whole && failure === undefined && checkpointed === log ? 0 : log;
      copiedAt = failure === undefined && checkpointed === log ? version : undefined;
      return { log, checkpointed, skipped: false, whole, held: false, ...(failure === undefined ? {} : { error: wire(failure) }) };
    },
  };
}
