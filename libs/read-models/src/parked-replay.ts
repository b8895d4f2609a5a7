import type Database from 'better-sqlite3';
import { asStorageError, type EventStore, type RecordedEvent } from '@nws/event-store';
import type { ParkedProjectionEvents } from './parked-projection-events';
import type { Projection } from './projection';
import { isDatabaseFailure, messageOf, truncate } from './projection-faults';
import type { ProjectionReplayResult } from './projection-runner.types';

/** What replaying a parked stream needs of its runner. */
export interface ReplayContext {
  readonly db: Database.Database;
  readonly store: EventStore;
  readonly parking: ParkedProjectionEvents;
  /** One event of one projection in a savepoint. */
  readonly applyOne: (projection: Projection, event: RecordedEvent) => void;
  /** The read models' directory, for storage errors (undefined in memory). */
  readonly directory: string | undefined;
  /** Rolls back a transaction SQLite left open after an I/O error; the error that caused it is what is reported. */
  readonly rollbackLeftover: () => void;
}

/**
 * Applies one projection's parked events of one stream again, in order from the oldest, in one
 * transaction; they leave the parked list as they are applied. The first that fails again stays
 * parked (one more attempt, the new error) with everything after it. The parked rows are read
 * again inside the transaction: if they changed meanwhile (the live runner parked another), the
 * stream is read again, up to three rounds.
 */
export async function replayParkedStream(runner: ReplayContext, projection: Projection, streamId: string): Promise<ProjectionReplayResult> {
  const { db, store, parking, applyOne, directory, rollbackLeftover } = runner;
  for (let round = 0; ; round++) {
    const rows = parking.ofStream(projection.name, streamId);
    const wanted = new Set(rows.map((r) => r.position));
    const events = new Map<number, RecordedEvent>();
    if (wanted.size > 0) {
      for await (const event of store.readStream(streamId)) if (wanted.has(event.position)) events.set(event.position, event);
    }
    const now = new Date().toISOString();
    const outcome = db.transaction((): ProjectionReplayResult | 'again' => {
      const current = parking.ofStream(projection.name, streamId);
      if (current.some((row) => !events.has(row.position))) return 'again';
      const applied: number[] = [];
      for (const row of current) {
        try {
          applyOne(projection, events.get(row.position)!);
        } catch (error) {
          if (isDatabaseFailure(error) || !db.inTransaction) throw error;
          const message = truncate(messageOf(error));
          parking.park({ ...row, reason: 'failed', error: message, attempts: row.attempts + 1, last_attempt_at: now });
          const rest = current.filter((r) => r.position > row.position).map((r) => r.position);
          parking.remove(projection.name, applied);
          return { projection: projection.name, streamId, applied, failed: { position: row.position, error: message }, stillParked: [row.position, ...rest] };
        }
        applied.push(row.position);
      }
      parking.remove(projection.name, applied);
      return { projection: projection.name, streamId, applied, failed: null, stillParked: [] };
    });
    let result: ProjectionReplayResult | 'again';
    try {
      result = outcome();
    } catch (error) {
      rollbackLeftover();
      throw asStorageError(error, 'read models', directory);
    }
    if (result !== 'again') return result;
    if (round >= 3) throw new Error(`parked events of ${projection.name} in ${streamId} keep changing; try again`);
  }
}
