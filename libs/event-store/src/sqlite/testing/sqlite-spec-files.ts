import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Event-store files for the SQLite specs, each in a directory of its own (the store keeps its
 * -wal and -shm beside it). `cleanup` removes them all: pass it to afterAll.
 */
export function sqliteSpecFiles(prefix: string): { readonly file: () => string; readonly cleanup: () => void } {
  const dirs: string[] = [];
  return {
    file: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return join(dir, 'events.sqlite');
    },
    cleanup: () => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })),
  };
}

/** Events stored in a file, as another connection sees them: what was committed, not what a store says. */
export function storedEvents(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
