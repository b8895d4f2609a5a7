import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '../event-store.port';
import { ForwardingEventStore } from '../forwarding-event-store';

/** Held by the process that serves a data directory (or rebuilds its read models). */
export const DATA_DIRECTORY_LOCK_FILE = 'serving.lock';
/** Who holds the lock, for the message a refused process prints; never read to decide anything. */
export const DATA_DIRECTORY_HOLDER_FILE = 'serving.json';

export interface DataDirectoryHolder {
  readonly pid: number;
  /** What the holder does: `API (PROCESS_ROLE=all)`, `rebuild-projections`… */
  readonly role: string;
  readonly since: string;
  readonly host: string;
}

/**
 * Another process serves this data directory. Two serving processes would project into one
 * read-model file, each with its own checkpoint in memory, and a rebuild beside a running API
 * leaves the API's checkpoint wrong; the second one is refused before it opens anything.
 */
export class DataDirectoryInUseError extends Error {
  constructor(
    readonly directory: string,
    readonly wanted: string,
    /** As the holder recorded it; undefined when its note is missing or unreadable. */
    readonly holder: DataDirectoryHolder | undefined,
  ) {
    const by = holder ? `${holder.role} (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'another process';
    super(
      `データディレクトリ ${directory} は ${by} が使用中のため、${wanted} を開始できません。先にそれを停止してください（API を複数動かすには、それぞれに別の DATA_DIR を指定します）。` +
        ` / DATA_DIR ${directory} is in use by ${by}, so ${wanted} cannot start. Stop that process first;` +
        ' to run more than one API process, give each its own DATA_DIR (API replicas on EventStoreDB each keep their own read models).',
    );
    this.name = 'DataDirectoryInUseError';
  }
}

/**
 * An exclusive lock on a data directory for as long as this process holds it.
 *
 * The lock is SQLite's own EXCLUSIVE lock on an empty database file (`serving.lock`), taken with
 * no busy wait and held by a transaction that is never committed: a POSIX record lock, so the
 * kernel drops it when the process dies (SIGKILL included) and a crashed holder never leaves a
 * stale lock, unlike a pid or lock file; and SQLite applies it between connections of one process
 * too (tests run several apps in one process). Local file systems only, as for the other files.
 */
export class DataDirectoryLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly directory: string,
    readonly holder: DataDirectoryHolder,
  ) {}

  /** Takes the lock or throws DataDirectoryInUseError at once (no waiting). */
  static acquire(directory: string, role: string, clock: () => string = () => new Date().toISOString()): DataDirectoryLock {
    mkdirSync(directory, { recursive: true });
    const file = join(directory, DATA_DIRECTORY_LOCK_FILE);
    const db = new Database(file);
    try {
      chmodSync(file, 0o600);
      db.pragma('busy_timeout = 0');
      // Nothing is ever written: no journal file beside it (the pragma itself is refused while another holds the lock).
      db.pragma('journal_mode = MEMORY');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') throw new DataDirectoryInUseError(directory, role, readHolder(directory));
      throw error;
    }
    const holder: DataDirectoryHolder = { pid: process.pid, role, since: clock(), host: hostname() };
    writeHolder(directory, holder);
    return new DataDirectoryLock(db, directory, holder);
  }

  get held(): boolean {
    return this.db.open;
  }

  /** Lets the directory go (idempotent). The note goes first, while the lock still keeps anyone from writing theirs. */
  release(): void {
    if (!this.db.open) return;
    try {
      rmSync(join(this.directory, DATA_DIRECTORY_HOLDER_FILE), { force: true });
    } catch {
      // Only the note: the next holder writes its own.
    }
    this.db.close();
  }
}

/**
 * Opens the store while `lock` is held and hands it back so that closing it lets the directory go
 * (the store is what a process closes last); if it cannot be opened, the lock goes at once.
 */
export async function storeHoldingLock(lock: DataDirectoryLock, open: () => Promise<EventStore>): Promise<EventStore> {
  try {
    return new LockHoldingStore(await open(), lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

class LockHoldingStore extends ForwardingEventStore {
  constructor(
    inner: EventStore,
    private readonly lock: DataDirectoryLock,
  ) {
    super(inner);
  }

  override async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      this.lock.release();
    }
  }
}

function writeHolder(directory: string, holder: DataDirectoryHolder): void {
  const file = join(directory, DATA_DIRECTORY_HOLDER_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // A full disk keeps the note out, not the lock: a refused process then names no holder.
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing more to do without a writable directory
    }
  }
}

function readHolder(directory: string): DataDirectoryHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(directory, DATA_DIRECTORY_HOLDER_FILE), 'utf8')) as Partial<DataDirectoryHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.role === 'string' && typeof parsed.since === 'string' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, role: parsed.role, since: parsed.since, host: parsed.host };
    }
  } catch {
    // missing (the holder's disk was full) or being replaced
  }
  return undefined;
}
