import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/** Why a data directory holds no event store, in both languages the CLI speaks. */
export interface StoreFileProblem {
  readonly ja: string;
  readonly en: string;
}

/** Every SQLite database starts with these 16 bytes (sqlite.org/fileformat.html, 1.3.1). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Pages of the file read to find the schema: the store's table and triggers sit on page 1. */
const SCHEMA_PAGES = 16;

/**
 * Whether `dataDir/file` is an SQLite database holding the event store, found without opening it
 * as one: SQLite opens an empty file as a new database, and the store would then create its
 * table in it, or in any other database put in its place, and add its files beside it. Only what
 * is certain is said: an unreadable schema is left to the store to report when it opens the file.
 */
export function eventStoreFileProblem(dataDir: string, file: string): StoreFileProblem | undefined {
  const dir = statOrUndefined(dataDir);
  if (dir === undefined) return { ja: 'ディレクトリが存在しません', en: 'the directory does not exist' };
  if (!dir.isDirectory()) return { ja: 'ディレクトリではなくファイルです', en: 'it is a file, not a directory' };
  const path = join(dataDir, file);
  const stats = statOrUndefined(path);
  if (stats === undefined) return { ja: `${file} がありません`, en: `no ${file}` };
  if (!stats.isFile()) return { ja: `${file} がファイルではありません`, en: `${file} is not a file` };
  // A writer (a running API, or one that stopped before checkpointing) holds the newest pages,
  // the schema of a new store too, in the write-ahead log: the main file alone says nothing yet.
  if ((statOrUndefined(`${path}-wal`)?.size ?? 0) > 0) return undefined;
  if (stats.size === 0) return { ja: `${file} が空（0 バイト）です`, en: `${file} is empty (0 bytes)` };
  const head = readHead(path, Math.min(stats.size, 65_536 * SCHEMA_PAGES));
  if (head.length < 100 || !head.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) {
    return { ja: `${file} は SQLite データベースではありません`, en: `${file} is not an SQLite database` };
  }
  const tables = schemaTables(head);
  if (tables !== undefined && !tables.includes('events')) {
    return { ja: `${file} は SQLite データベースですが、events テーブルがありません`, en: `${file} is an SQLite database without the store's events table` };
  }
  return undefined;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(bytes);
    return head.subarray(0, readSync(fd, head, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The tables named in the schema on the first pages, read from a copy in memory: SQLite opening
 * the file itself, even read-only, leaves a `-shm` and a `-wal` beside a database in WAL mode.
 * The copy is marked as not in WAL mode (a database in memory cannot be), and the schema is read
 * as written (writable_schema, on a read-only copy), since the tables' pages past the copy make
 * SQLite call it malformed. Undefined when the schema cannot be read from these pages.
 */
function schemaTables(head: Buffer): string[] | undefined {
  const copy = Buffer.from(head);
  copy[18] = 1;
  copy[19] = 1;
  let db: Database.Database | undefined;
  try {
    db = new Database(copy, { readonly: true });
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    return db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => row.name);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
