import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

/** The triggers that make the database refuse to change or remove a stored event (sqlite-event-store.schema.ts). */
export const IMMUTABILITY_TRIGGERS = ['events_are_immutable_update', 'events_are_immutable_delete'] as const;

/**
 * Opens an existing store file to read it as it is stored (`verify`, a JSON Lines export), often a
 * copy kept as evidence: no byte of the database or of its write-ahead log changes, and no schema
 * is applied (a copy whose immutability triggers were dropped keeps that trace: see
 * `missingImmutabilityTriggers`).
 *
 * - With a write-ahead log beside the file (a live store, or a copy taken with its `-wal`), the
 *   connection is read-only: a read-write one closing last would copy the log's commits into the
 *   database file and delete the log. SQLite makes the log's index (`-shm`) if it is missing.
 * - Without one (a store closed cleanly, or copied without a log), a read-only connection would
 *   leave an empty `-wal` and a `-shm` behind, which SQLite cannot remove from a read-only
 *   connection. A read-write connection that only reads (`query_only`) removes both when it closes
 *   as the last one, and has nothing to copy into the file.
 */
export function openStoredDatabase(filename: string): Database.Database {
  if (existsSync(`${filename}-wal`)) return new Database(filename, { readonly: true, fileMustExist: true });
  const db = new Database(filename, { fileMustExist: true });
  db.pragma('query_only = ON');
  return db;
}

/** Which of the store's immutability triggers the file no longer has (its schema changed outside the engine). */
export function missingImmutabilityTriggers(db: Database.Database): string[] {
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").all() as Array<{ name: string }>).map((row) => row.name),
  );
  return IMMUTABILITY_TRIGGERS.filter((name) => !present.has(name));
}
