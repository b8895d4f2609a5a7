import * as fs from 'node:fs';

/**
 * Tells every process that has the same event store open that one of them committed, so their
 * live subscriptions (read models, reactor, distribution long polls) read on at once instead of
 * at their next poll: the CLI's erasure beside a running API, a worker beside API processes.
 *
 * An empty file next to the database (`events.sqlite-doorbell`): a process rings it after each
 * commit that is durable and visible by setting its times (an attribute change: no data written,
 * nothing fsynced), and every process watches it (inotify on Linux). The writer thread rings, so
 * the event loop spends nothing on it. Watching the WAL itself does not work: SQLite writes the
 * frames, fsyncs, and only then publishes the commit in the shared-memory index, which no file
 * watch sees, so a reader woken by the frames finds nothing new yet.
 *
 * Best effort on top of the poll, never instead of it: a file system without change events, a
 * writer that is not this code (the sqlite3 shell), or a doorbell that cannot be opened leave
 * those commits to the poll, as before.
 */
export class CommitDoorbell {
  private watcher: fs.FSWatcher | undefined;
  private readonly ringer: DoorbellRinger;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly onRing: () => void,
  ) {
    this.ringer = doorbellRinger(fs, path);
    this.watch();
  }

  /**
   * Watches the file at `path`, made if missing. A watch follows one inode: when the file is
   * deleted or replaced (someone tidying "empty files" in DATA_DIR), the watch is made again on
   * whatever is at the path now, and the ringers, which ring the path, ring that one, so no
   * process goes deaf until its restart. A ring may be missed in between; the poll covers it.
   */
  private watch(): void {
    this.stopWatching();
    if (this.closed) return;
    try {
      fs.closeSync(fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
      const watcher = fs.watch(this.path, { persistent: false }, (event) => {
        if (watcher !== this.watcher) return;
        if (event === 'rename') {
          this.watch();
          // What was rung while no watch was on the new file: read on once.
          this.onRing();
        } else this.onRing();
      });
      watcher.on('error', () => {
        if (watcher === this.watcher) this.stopWatching();
      });
      this.watcher = watcher;
    } catch {
      // Cannot be opened (a directory in its place, no permission): the poll delivers.
      this.stopWatching();
    }
  }

  /** Whether commits of other processes wake this one (false: they are seen at the next poll). */
  get listening(): boolean {
    return this.watcher !== undefined;
  }

  /** For commits made on the caller's thread (a store without a writer thread). */
  ring(): void {
    this.ringer.ring();
  }

  close(): void {
    this.closed = true;
    this.stopWatching();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

export interface DoorbellRinger {
  ring(): void;
}

type DoorbellFileSystem = Pick<typeof fs, 'openSync' | 'utimesSync' | 'closeSync' | 'constants'>;

/**
 * Rings by setting the times of the file at the path (not of an open descriptor: a file deleted
 * and made again is a new inode, and the watchers are on that one), making it if it is missing.
 * Built into the writer thread's source as text (sqlite-writer.thread.ts), so it uses nothing but
 * its parameters. Errors are swallowed: a failing disk is reported by the commits themselves, and
 * the other processes poll meanwhile.
 */
export function doorbellRinger(files: DoorbellFileSystem, path: string): DoorbellRinger {
  const touch = () => {
    const now = Date.now() / 1000;
    files.utimesSync(path, now, now);
  };
  return {
    ring: () => {
      try {
        touch();
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code !== 'ENOENT') return;
        try {
          files.closeSync(files.openSync(path, files.constants.O_RDWR | files.constants.O_CREAT, 0o600));
          touch();
        } catch {
          // best effort: see above
        }
      }
    },
  };
}
