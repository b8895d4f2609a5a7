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

  constructor(
    readonly path: string,
    onRing: () => void,
  ) {
    this.ringer = doorbellRinger(fs, path);
    try {
      fs.closeSync(fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
      this.watcher = fs.watch(path, { persistent: false }, (event) => {
        // 'rename': the file went or was replaced; this watch would hear nothing more. The poll stays.
        if (event === 'rename') this.stopWatching();
        else onRing();
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
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
    this.stopWatching();
    this.ringer.close();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

export interface DoorbellRinger {
  ring(): void;
  close(): void;
}

type DoorbellFileSystem = Pick<typeof fs, 'openSync' | 'futimesSync' | 'closeSync' | 'constants'>;

/**
 * Rings by setting the file's times. Built into the writer thread's source as text
 * (sqlite-writer.thread.ts), so it uses nothing but its parameters. Errors are swallowed: a
 * failing disk is reported by the commits themselves, and the other processes poll meanwhile.
 */
export function doorbellRinger(files: DoorbellFileSystem, path: string): DoorbellRinger {
  let fd: number | undefined;
  return {
    ring: () => {
      try {
        fd ??= files.openSync(path, files.constants.O_RDWR | files.constants.O_CREAT, 0o600);
        const now = Date.now() / 1000;
        files.futimesSync(fd, now, now);
      } catch {
        // best effort: see above
      }
    },
    close: () => {
      if (fd !== undefined) files.closeSync(fd);
      fd = undefined;
    },
  };
}
