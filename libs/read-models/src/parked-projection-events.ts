import type Database from 'better-sqlite3';
import type { ParkedProjectionEvent } from './projection-runner.types';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS projection_parked (
    projection      TEXT NOT NULL,
    position        INTEGER NOT NULL,
    stream_id       TEXT NOT NULL,
    type            TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN ('failed', 'held')),
    error           TEXT,
    attempts        INTEGER NOT NULL,
    parked_at       TEXT NOT NULL,
    last_attempt_at TEXT NOT NULL,
    PRIMARY KEY (projection, position)
  );
  CREATE INDEX IF NOT EXISTS projection_parked_stream ON projection_parked (projection, stream_id, position);
`;

export interface ParkedRow {
  projection: string;
  position: number;
  stream_id: string;
  type: string;
  reason: 'failed' | 'held';
  error: string | null;
  attempts: number;
  parked_at: string;
  last_attempt_at: string;
}

/**
 * The `projection_parked` table of the read-model database: the events a projection did not
 * apply (ProjectionRunner parks and replays them). Every method runs on the runner's connection,
 * so a park or a removal joins the transaction the runner has open (the batch that moves the
 * projection's checkpoint past the event).
 */
export class ParkedProjectionEvents {
  private readonly upsert: Database.Statement<[string, number, string, string, string, string | null, number, string, string]>;
  private readonly firstPerStream: Database.Statement<[], { projection: string; stream_id: string; first: number }>;
  private readonly inStream: Database.Statement<[string, string], ParkedRow>;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.upsert = db.prepare(
      `INSERT INTO projection_parked (projection, position, stream_id, type, reason, error, attempts, parked_at, last_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (projection, position) DO UPDATE SET reason = excluded.reason, error = excluded.error, attempts = excluded.attempts, last_attempt_at = excluded.last_attempt_at`,
    );
    this.firstPerStream = db.prepare('SELECT projection, stream_id, min(position) AS first FROM projection_parked GROUP BY projection, stream_id');
    // Asked on every read of an organ's master data (are its versions whole?): prepared once.
    this.inStream = db.prepare('SELECT * FROM projection_parked WHERE projection = ? AND stream_id = ? ORDER BY position');
  }

  park(row: ParkedRow): void {
    this.upsert.run(row.projection, row.position, row.stream_id, row.type, row.reason, row.error, row.attempts, row.parked_at, row.last_attempt_at);
  }

  /** Oldest first; one projection's or everyone's. */
  list(options: { projection?: string; limit?: number; offset?: number } = {}): ParkedProjectionEvent[] {
    const where = options.projection === undefined ? '' : 'WHERE projection = ?';
    const params: Array<string | number> = options.projection === undefined ? [] : [options.projection];
    params.push(options.limit ?? 100, options.offset ?? 0);
    return (this.db.prepare(`SELECT * FROM projection_parked ${where} ORDER BY position, projection LIMIT ? OFFSET ?`).all(...params) as ParkedRow[]).map(fromParkedRow);
  }

  /** Parked events per projection and reason. */
  counts(): Array<{ projection: string; reason: 'failed' | 'held'; n: number }> {
    return this.db.prepare('SELECT projection, reason, count(*) AS n FROM projection_parked GROUP BY projection, reason').all() as Array<{ projection: string; reason: 'failed' | 'held'; n: number }>;
  }

  /** The rows at one position (every projection's, or one projection's). */
  at(position: number, projection?: string): ParkedRow[] {
    return this.db.prepare(`SELECT * FROM projection_parked WHERE position = ?${projection ? ' AND projection = ?' : ''}`).all(...(projection ? [position, projection] : [position])) as ParkedRow[];
  }

  /** Every row of these projections, oldest first. */
  ofProjections(names: readonly string[]): ParkedRow[] {
    return this.db.prepare(`SELECT * FROM projection_parked WHERE projection IN (${names.map(() => '?').join(', ') || "''"}) ORDER BY position, projection`).all(...names) as ParkedRow[];
  }

  /** One projection's rows of one stream, in stream order. */
  ofStream(projection: string, streamId: string): ParkedRow[] {
    return this.inStream.all(projection, streamId);
  }

  /** For each (projection, stream) with parked events: the first parked position. */
  firstPositions(): Array<{ projection: string; stream_id: string; first: number }> {
    return this.firstPerStream.all();
  }

  remove(projection: string, positions: readonly number[]): void {
    const remove = this.db.prepare('DELETE FROM projection_parked WHERE projection = ? AND position = ?');
    for (const position of positions) remove.run(projection, position);
  }

  removeAll(projection: string): void {
    this.db.prepare('DELETE FROM projection_parked WHERE projection = ?').run(projection);
  }
}

export function fromParkedRow(row: ParkedRow): ParkedProjectionEvent {
  return {
    projection: row.projection,
    position: row.position,
    streamId: row.stream_id,
    type: row.type,
    reason: row.reason,
    error: row.error,
    attempts: row.attempts,
    parkedAt: row.parked_at,
    lastAttemptAt: row.last_attempt_at,
  };
}
