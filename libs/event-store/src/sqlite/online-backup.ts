import { openStoredDatabase } from './stored-database';

/** The most pages SQLite's backup takes in one step (better-sqlite3 caps the count at 2^31 - 1). */
const ALL_PAGES = 0x7fffffff;

export interface OnlineBackup {
  /** Pages copied: the database as it stood at the one commit the copy was read at. */
  readonly pages: number;
}

/**
 * Copies a store file through SQLite's online backup while its writers go on, as it stood at one
 * commit: copying the file and its write-ahead log one after the other catches each at another
 * moment. The source is opened as stored (stored-database.ts): read-only beside a write-ahead
 * log, so nothing in the data directory is written, and no schema is applied to it.
 *
 * All pages go in one step: SQLite starts a backup again when another process writes the source
 * between two steps, so in its default steps of 100 pages the backup of a store the API appends
 * to every few milliseconds would never end. One step is one read transaction, and in WAL mode a
 * reader holds no writer back (the log only grows past it until the step ends).
 */
export async function backupStoredDatabase(filename: string, destination: string, options: { readonly busyTimeoutMs?: number } = {}): Promise<OnlineBackup> {
  const source = openStoredDatabase(filename);
  try {
    // A reader can meet SQLITE_BUSY while the writer restarts the log: waited for, as the API's readers do.
    source.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    const { totalPages } = await source.backup(destination, { progress: () => ALL_PAGES });
    return { pages: totalPages };
  } finally {
    source.close();
  }
}
