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
  try {
    if (existsSync(`${filename}-wal`)) return readable(new Database(filename, { readonly: true, fileMustExist: true }));
    const db = new Database(filename, { fileMustExist: true });
    db.pragma('query_only = ON');
    return readable(db);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'SQLITE_READONLY_DIRECTORY' || code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN') throw new StoredFileNotWritableError(filename, error);
    throw error;
  }
}

/** Reads its first page now: a file SQLite cannot open as it needs is said at once, not at the first query. */
function readable(db: Database.Database): Database.Database {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * SQLite reads a store in WAL mode through an index beside it (`-shm`), which it must be able to
 * create when a copy lacks it: a write-protected evidence directory or file cannot be read in place.
 */
export class StoredFileNotWritableError extends Error {
  constructor(
    readonly filename: string,
    cause: unknown,
  ) {
    super(
      `${filename} を読み取れません。WAL モードの SQLite は読み取りにも索引ファイル（-shm）をファイルの横に作る必要があり、書き込み禁止のディレクトリやファイルでは開けません。証拠の写しを書き込み可能なディレクトリにコピーしてから実行してください（verify と JSON Lines の export は写しの内容を変更しません） / ` +
        `cannot read ${filename}: SQLite reads a WAL-mode store through an index (-shm) it must create beside the file, which a write-protected directory or file does not allow; copy the evidence to a writable directory first (verify and a JSON Lines export change nothing in the copy)`,
      { cause },
    );
    this.name = 'StoredFileNotWritableError';
  }
}

/** Which of the store's immutability triggers the file no longer has (its schema changed outside the engine). */
export function missingImmutabilityTriggers(db: Database.Database): string[] {
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").all() as Array<{ name: string }>).map((row) => row.name),
  );
  return IMMUTABILITY_TRIGGERS.filter((name) => !present.has(name));
}
