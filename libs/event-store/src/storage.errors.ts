import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EventStoreUnavailableError } from './event-store.errors';

/**
 * What is wrong with the local disk under an embedded database or file:
 * - `full`: no space left (SQLITE_FULL, ENOSPC, EDQUOT — or a database's own page limit);
 * - `read-only`: the file system or the file refuses writes (SQLITE_READONLY*, EROFS, EACCES, EPERM);
 * - `io-error`: the disk failed a read or write (SQLITE_IOERR*, EIO) — an emergency read-only
 *   remount after disk errors shows up like this for files already open;
 * - `cannot-open`: a file (a journal, the WAL index) could not be created or opened (SQLITE_CANTOPEN);
 * - `busy`: another connection (another process: the sqlite3 shell, a backup) held a lock on the
 *   file for longer than the busy timeout (SQLITE_BUSY*, SQLITE_LOCKED*); SQLite refused before
 *   writing anything.
 */
export const STORAGE_PROBLEMS = ['full', 'read-only', 'io-error', 'cannot-open', 'busy'] as const;
export type StorageProblem = (typeof STORAGE_PROBLEMS)[number];

/** How long a client should wait before retrying, by problem: a full disk is not freed in a second. */
const RETRY_AFTER_SECONDS: Record<StorageProblem, number> = { full: 30, 'read-only': 30, 'io-error': 10, 'cannot-open': 10, busy: 1 };

/**
 * How long a connection the event loop uses (read models, access log, key store, distribution
 * ledger) waits for a lock another process holds: longer than another process's commit on a slow
 * disk (the CLI's), short enough that the API never stops for seconds. SQLite waits by sleeping
 * the thread, so better-sqlite3's default of 5 s stopped every request for 5 s behind an open
 * `sqlite3` shell; past this wait the write is refused as `busy` (retried, or 503).
 */
export const MAIN_THREAD_BUSY_TIMEOUT_MS = 250;

/**
 * A write could not be made durable because of the disk (or a lock another process held past the
 * busy timeout), and nothing of it was stored. Retryable:
 * the same request succeeds once the disk has room or is writable again, without a restart.
 * Extends EventStoreUnavailableError so every caller that already treats an unavailable store as
 * "refuse with 503 + Retry-After, nothing recorded" does the same here.
 */
export class StorageUnavailableError extends EventStoreUnavailableError {
  override readonly name = 'StorageUnavailableError';
  constructor(
    readonly problem: StorageProblem,
    /** Which store or file failed (for logs and /health; never sent to clients). */
    readonly storage: string,
    options?: { cause?: unknown },
  ) {
    super(`${storage}: ${describeProblem(problem)}${causeText(options?.cause)}`, RETRY_AFTER_SECONDS[problem], options);
  }
}

const SQLITE_CODES: Array<[RegExp, StorageProblem]> = [
  [/^SQLITE_FULL$/, 'full'],
  [/^SQLITE_READONLY(_.*)?$/, 'read-only'],
  [/^SQLITE_IOERR(_.*)?$/, 'io-error'],
  [/^SQLITE_CANTOPEN(_.*)?$/, 'cannot-open'],
];

/**
 * Not among SQLITE_CODES: those are the codes that fail a whole batch in the event store's writer,
 * which answers a lock it could not get itself (sqlite-group-commit.ts, `lockNotFree`).
 */
const BUSY_CODE = /^SQLITE_(BUSY|LOCKED)(_.*)?$/;

const ERRNO_CODES: Record<string, StorageProblem> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'read-only',
  EACCES: 'read-only',
  EPERM: 'read-only',
  EIO: 'io-error',
};

/**
 * The `code`s `storageProblemOf` recognises, as pattern sources: for the event store's writer
 * thread, which cannot import this module and must tell a storage problem (the whole batch fails)
 * from an error of one append.
 */
export function storageCodePatterns(): string[] {
  return [...SQLITE_CODES.map(([pattern]) => pattern.source), ...Object.keys(ERRNO_CODES).map((code) => `^${code}$`)];
}

/**
 * The storage problem an error stands for, or undefined when it is something else (a constraint,
 * a bug, a revision conflict). Reads SQLite's extended result codes (better-sqlite3's `code`) and
 * Node's errno codes, and follows `cause`.
 */
export function storageProblemOf(error: unknown): StorageProblem | undefined {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if (current instanceof StorageUnavailableError) return current.problem;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      const sqlite = SQLITE_CODES.find(([pattern]) => pattern.test(code))?.[1];
      if (sqlite) return sqlite;
      if (BUSY_CODE.test(code)) return 'busy';
      const errno = ERRNO_CODES[code];
      if (errno) return errno;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Whether a refused write may have been recorded after all (answered `outcome: unknown`, never
 * "nothing"): the disk failed while a transaction already written was being made durable (fsync:
 * its frames may be in the write-ahead log and come back when the log is next recovered); or the
 * SQLite store's writer thread stopped with the write in hand; or SQLite committed it and the file
 * system failed right after (the commit probe). Follows `cause`.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_IOERR_(FSYNC|DIR_FSYNC)$/.test(code)) return true;
    if ((current as { outcomeUnknown?: unknown }).outcomeUnknown === true) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The error as a StorageUnavailableError when it is a storage problem; otherwise the error itself. */
export function asStorageError(error: unknown, storage: string, directory?: string): unknown {
  if (error instanceof StorageUnavailableError) return error;
  const problem = storageProblemOf(error);
  if (!problem) return error;
  return new StorageUnavailableError(refineProblem(problem, directory), storage, { cause: error });
}

/**
 * SQLite reports a write on a file system that went read-only under open files (emergency
 * remount) as an I/O error, and a journal it cannot create as CANTOPEN; a look at the directory
 * tells the operator what actually happened.
 */
function refineProblem(problem: StorageProblem, directory: string | undefined): StorageProblem {
  if (directory === undefined || problem === 'full' || problem === 'read-only' || problem === 'busy') return problem;
  const probed = probeDirectory(directory);
  return probed === 'ok' ? problem : probed;
}

export type DirectoryProbe = 'ok' | StorageProblem;

/**
 * Whether a file can be created and written in `directory` now: creates, writes 4 KiB to and
 * removes a probe file (no fsync: a full or read-only file system refuses the write itself).
 */
export function probeDirectory(directory: string): DirectoryProbe {
  const file = join(directory, `.storage-probe-${process.pid}`);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'w');
    writeSync(fd, Buffer.alloc(4096));
    return 'ok';
  } catch (error) {
    return storageProblemOf(error) ?? 'io-error';
  } finally {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(file);
    } catch {
      // not created (read-only) or already gone
    }
  }
}

export function describeProblem(problem: StorageProblem): string {
  switch (problem) {
    case 'full':
      return 'the disk is full';
    case 'read-only':
      return 'the data directory is read-only';
    case 'io-error':
      return 'the disk reported an I/O error';
    case 'cannot-open':
      return 'a file in the data directory cannot be created or opened';
    case 'busy':
      return 'another process holds a lock on a file in the data directory';
  }
}

function causeText(cause: unknown): string {
  if (!cause || typeof cause !== 'object') return '';
  const code = (cause as { code?: unknown }).code;
  const message = (cause as { message?: unknown }).message;
  return ` (${[code, message].filter((part) => typeof part === 'string').join(': ')})`;
}

/** What guardedWrite needs of a better-sqlite3 connection (structural: this file loads no SQLite). */
export interface SqliteConnectionLike {
  readonly open: boolean;
  readonly inTransaction: boolean;
  exec(sql: string): unknown;
}

/**
 * Runs a write on a SQLite connection. A storage failure comes out as StorageUnavailableError,
 * and a transaction SQLite left open after it (it may, after an I/O error) is rolled back, so the
 * connection takes the next write normally once the disk is back. Other errors pass unchanged.
 */
export function guardedWrite<T>(db: SqliteConnectionLike, storage: string, directory: string | undefined, write: () => T): T {
  const nested = db.inTransaction;
  try {
    return write();
  } catch (error) {
    if (!nested && db.open && db.inTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // still stuck: the next write tries again
      }
    }
    throw asStorageError(error, storage, directory);
  }
}
