import type Database from 'better-sqlite3';
import { asStorageError, type RecordedEvent } from '@nws/event-store';
import type { ParkedProjectionEvents, ParkedRow } from './parked-projection-events';
import type { Projection } from './projection';
import { HandlerFault, failureKey, isDatabaseFailure, messageOf, toFault, truncate } from './projection-faults';
import type { ProjectionFault } from './projection-runner.types';

export interface BatchApplierOptions {
  /** Tries of a failing event before it is parked (at least 2). */
  readonly maxAttempts: number;
  /** The read-model database's directory, named by storage errors (undefined in memory). */
  readonly directory: string | undefined;
  /** Called with the lowest checkpoint after every batch applied to the end. */
  readonly onApplied: (position: number) => void;
}

/**
 * Applies batches of events to the projections of one read-model database, each batch in one
 * transaction with every projection's checkpoint, and keeps what that needs between batches:
 * the checkpoints, the attempts of events that failed, and the streams parked per projection.
 * When to retry is the runner's business (projection-runner.ts); this says what happened.
 */
export class ProjectionBatchApplier {
  private readonly checkpoints = new Map<string, number>();
  /** projection + position → attempts so far of a fault not yet parked. */
  private readonly failures = new Map<string, number>();
  /** Parked rows as they were before a rebuild: a re-parked event keeps its first parked time and attempts. */
  private parkedBefore = new Map<string, ParkedRow>();
  /** Nested in the batch transaction, a better-sqlite3 transaction is a SAVEPOINT: one event of one projection. */
  readonly applyOne: (projection: Projection, event: RecordedEvent) => void;
  private readonly setCheckpoint: Database.Statement<[number, string]>;
  private readCheckpoints: Database.Statement | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly projections: readonly Projection[],
    private readonly parking: ParkedProjectionEvents,
    private readonly options: BatchApplierOptions,
  ) {
    this.setCheckpoint = this.db.prepare('UPDATE projection_checkpoints SET position = ? WHERE name = ?');
    this.applyOne = this.db.transaction((projection: Projection, event: RecordedEvent) => projection.apply(this.db, event));
    this.loadCheckpoints();
  }

  /** Lowest checkpoint: every projection has applied every event up to here. */
  get position(): number {
    return Math.min(...this.projections.map((p) => this.checkpoints.get(p.name) ?? 0));
  }

  checkpoint(name: string): number {
    return this.checkpoints.get(name) ?? 0;
  }

  /**
   * Empties the given projections' tables and parked rows and sets their checkpoints to zero, in
   * one transaction, for a rebuild; `before` (their parked rows until now) is remembered until
   * endRebuild, so an event parked again keeps its first parked time and attempts.
   */
  startRebuild(rebuilt: readonly Projection[], before: readonly ParkedRow[]): void {
    this.db.transaction(() => {
      for (const projection of rebuilt) {
        for (const table of projection.tables) this.db.exec(`DELETE FROM ${table}`);
        this.parking.removeAll(projection.name);
        this.setCheckpoint.run(0, projection.name);
      }
    })();
    this.parkedBefore = new Map(before.map((row) => [failureKey(row.projection, row.position), row]));
    this.failures.clear();
    this.loadCheckpoints();
  }

  endRebuild(): void {
    this.parkedBefore.clear();
  }

  /**
   * Applies a batch. Fast path: one transaction, no savepoints. After a fault (or while one is
   * pending) each event of each projection runs in its own savepoint, so one failing event holds
   * back only its projection. Throws StorageUnavailableError (or another database error) when the
   * batch could not be written at all; returns the projection faults otherwise.
   */
  apply(batch: readonly RecordedEvent[]): ProjectionFault[] {
    if (batch.length === 0 || !this.db.open) return [];
    this.rollbackLeftover();
    const isolated = this.failures.size > 0;
    const faults: ProjectionFault[] = [];
    const settled: string[] = [];
    /** projection + stream → first parked position: later events of the stream are held. */
    let parkedStreams = new Map<string, number>();
    /** The checkpoints this batch moves, taken into `checkpoints` once it is committed. */
    const moved = new Map<string, number>();
    const now = new Date().toISOString();
    try {
      this.db.transaction(() => {
        // Read in the batch's own transaction, and the checkpoints not read back after it: each
        // read outside it was a transaction of its own (locks, the WAL's index) on the main
        // thread, twice per batch, i.e. per commit of the store when events come one at a time.
        // The parked streams as the database has them (a replay may have removed some).
        parkedStreams = this.parkedStreamsOf();
        for (const projection of this.projections) {
          const from = this.checkpoints.get(projection.name) ?? 0;
          let last = from;
          for (const event of batch) {
            if (event.position <= last) continue;
            if (parkedStreams.size > 0) {
              const first = parkedStreams.get(failureKey(projection.name, event.streamId));
              if (first !== undefined && event.position > first) {
                this.parking.park({ projection: projection.name, position: event.position, stream_id: event.streamId, type: event.type, reason: 'held', error: null, attempts: 0, parked_at: now, last_attempt_at: now });
                last = event.position;
                continue;
              }
            }
            if (!isolated) {
              // Fast path: any fault gives up the whole batch (rolled back), to be retried event by event.
              try {
                projection.apply(this.db, event);
              } catch (error) {
                throw new HandlerFault(projection, event, error);
              }
              last = event.position;
              continue;
            }
            const key = failureKey(projection.name, event.position);
            try {
              this.applyOne(projection, event);
              if (this.failures.has(key)) settled.push(key);
            } catch (error) {
              // The database refusing the write is not the projection's fault, and SQLite may have
              // rolled the whole transaction back already: give up the batch.
              if (isDatabaseFailure(error) || !this.db.inTransaction) throw new HandlerFault(projection, event, error);
              const attempt = (this.failures.get(key) ?? 0) + 1;
              const parked = attempt >= this.options.maxAttempts;
              faults.push(toFault(projection, event, error, attempt, this.options.maxAttempts, parked ? 'parked' : 'retry'));
              if (!parked) break;
              const before = this.parkedBefore.get(key);
              this.parking.park({
                projection: projection.name,
                position: event.position,
                stream_id: event.streamId,
                type: event.type,
                reason: 'failed',
                error: truncate(messageOf(error)),
                attempts: attempt + (before?.attempts ?? 0),
                parked_at: before?.parked_at ?? now,
                last_attempt_at: now,
              });
              parkedStreams.set(failureKey(projection.name, event.streamId), event.position);
              settled.push(key);
            }
            last = event.position;
          }
          if (last !== from) {
            this.setCheckpoint.run(last, projection.name);
            moved.set(projection.name, last);
          }
        }
      })();
    } catch (error) {
      this.rollbackLeftover(true);
      if (error instanceof HandlerFault && !isDatabaseFailure(error.original) && this.db.open) {
        // Fast path: the whole batch was rolled back; retry it event by event.
        const key = failureKey(error.projection.name, error.event.position);
        const attempt = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, attempt);
        return [toFault(error.projection, error.event, error.original, attempt, this.options.maxAttempts, 'retry')];
      }
      const original = error instanceof HandlerFault ? error.original : error;
      throw asStorageError(original, 'read models', this.options.directory);
    }
    for (const key of settled) this.failures.delete(key);
    for (const fault of faults) if (fault.outcome === 'retry') this.failures.set(failureKey(fault.projection, fault.position), fault.attempt);
    // What the table now holds: only this applier writes it (one serving process per DATA_DIR),
    // and a rebuild reads it again (startRebuild).
    for (const [name, position] of moved) this.checkpoints.set(name, position);
    this.options.onApplied(this.position);
    return faults;
  }

  private parkedStreamsOf(): Map<string, number> {
    const rows = this.parking.firstPositions();
    return new Map(rows.map((row) => [failureKey(row.projection, row.stream_id), row.first]));
  }

  /** After an I/O error SQLite may leave the transaction open; later writes must not run inside it. */
  rollbackLeftover(quiet = false): void {
    if (!this.db.open || !this.db.inTransaction) return;
    try {
      this.db.exec('ROLLBACK');
    } catch (error) {
      if (!quiet) throw asStorageError(error, 'read models', this.options.directory);
    }
  }

  private loadCheckpoints(): void {
    // Prepared once: this runs after every batch, and preparing cost more than the query.
    this.readCheckpoints ??= this.db.prepare('SELECT name, position FROM projection_checkpoints');
    for (const row of this.readCheckpoints.all() as Array<{ name: string; position: number }>) {
      this.checkpoints.set(row.name, row.position);
    }
  }
}
