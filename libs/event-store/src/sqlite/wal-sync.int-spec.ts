import Database from 'better-sqlite3';
import fs, { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageUnavailableError, isOutcomeUnknown } from '../storage.errors';
import { WalSync } from './wal-sync';

describe('WalSync: a WAL-mode file made durable off the event loop', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;
  let sync: WalSync;
  let syncs: jest.SpyInstance;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-wal-sync-'));
    file = join(dir, 'log.sqlite');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (v INTEGER)');
    sync = new WalSync(file, 'test log', dir);
    syncs = jest.spyOn(fs, 'fdatasync');
  });
  afterEach(() => {
    syncs.mockRestore();
    if (db.open) db.close();
    sync.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const commit = (v: number) => db.prepare('INSERT INTO t VALUES (?)').run(v);
  /** Resolution order of the given promises, by label. */
  const order = (promises: Record<string, Promise<void>>) => {
    const seen: string[] = [];
    return { seen, all: Promise.all(Object.entries(promises).map(([label, p]) => p.then(() => seen.push(label)))) };
  };

  it('syncs the write-ahead log itself, once per flush when flushes do not overlap', async () => {
    commit(1);
    await sync.flushed();
    commit(2);
    await sync.flushed();
    expect(syncs).toHaveBeenCalledTimes(2);
    expect(readlinkSync(`/proc/self/fd/${syncs.mock.calls[0]![0] as number}`)).toBe(`${file}-wal`);
  });

  it('answers a caller that came while a sync ran only after a sync that started after it; the callers of one wait share one sync', async () => {
    commit(1);
    const first = sync.flushed();
    commit(2);
    const second = sync.flushed();
    commit(3);
    const third = sync.flushed();
    expect(syncs).toHaveBeenCalledTimes(1);
    const resolved = order({ first, second, third });
    await resolved.all;
    expect(syncs).toHaveBeenCalledTimes(2);
    expect(resolved.seen[0]).toBe('first');
    expect(second).toBe(third);
  });

  it('rejects the callers of a failed sync with StorageUnavailableError, outcome unknown, and syncs again for the next caller', async () => {
    commit(1);
    syncs.mockImplementationOnce((_fd: number, callback: (error: NodeJS.ErrnoException | null) => void) =>
      process.nextTick(() => callback(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', errno: -5, syscall: 'fdatasync' }))),
    );
    const failed = sync.flushed();
    await expect(failed).rejects.toBeInstanceOf(StorageUnavailableError);
    const error = await failed.catch((e: unknown) => e);
    expect((error as StorageUnavailableError).problem).toBe('io-error');
    expect(isOutcomeUnknown(error)).toBe(true);
    await expect(sync.flushed()).resolves.toBeUndefined();
    expect(syncs).toHaveBeenCalledTimes(2);
  });

  it('close() syncs on the calling thread; a sync running then still answers its callers, and later callers are refused', async () => {
    commit(1);
    const running = sync.flushed();
    const datasyncs = jest.spyOn(fs, 'fdatasyncSync');
    try {
      db.close();
      sync.close();
      expect(datasyncs).toHaveBeenCalledTimes(1);
    } finally {
      datasyncs.mockRestore();
    }
    await expect(running).resolves.toBeUndefined();
    await expect(sync.flushed()).rejects.toThrow('test log is closed');
  });
});
