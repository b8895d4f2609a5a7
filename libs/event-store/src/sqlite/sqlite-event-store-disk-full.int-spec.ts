import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { EventStoreUnavailableError } from '../event-store.errors';
import { StorageUnavailableError } from '../storage.errors';
import { SqliteEventStore } from './sqlite-event-store';
import { sqliteSpecFiles, storedEvents as count } from './testing/sqlite-spec-files';

/**
 * A real SQLITE_FULL, portable: the store's own connection is capped with PRAGMA max_page_count
 * (setPageLimit), so SQLite refuses to grow the file exactly as on a full disk. The real-disk
 * version (tmpfs filled to the last byte) is apps/api/src/health/disk-trouble.e2e-spec.ts.
 */
describe('SQLite event store on a full disk', () => {
  const files = sqliteSpecFiles('nws-es-full-');
  const tempFile = files.file;
  afterAll(files.cleanup);
  /** ~20 KB of data: several pages, so it never fits in the free space of pages already there. */
  const big = (type: string) => ({ id: randomUUID(), type, data: { type, blob: 'x'.repeat(20_000) }, metadata: {} });
  const small = (type: string) => ({ id: randomUUID(), type, data: { type }, metadata: {} });
  const internal = (store: SqliteEventStore) => (store as unknown as { db: Database.Database }).db;

  describe.each([
    ['through the writer thread', true],
    ["on the caller's thread", false],
  ])('writing %s', (_mode, writerThread) => {
  it('refuses every append of the batch with StorageUnavailableError("full"), stores nothing, keeps reading, and recovers when there is room', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file, writerThread });
    await store.append('s-1', [small('A')], 'no_stream');
    store.setPageLimit(store.pageCount());

    const results = await Promise.allSettled([store.append('s-1', [big('B')], 0), store.append('s-2', [big('C')], 'no_stream'), store.append('s-3', [small('D'), big('E')], 'no_stream')]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as StorageUnavailableError;
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect(error.problem).toBe('full');
      expect(error.retryAfterSeconds).toBeGreaterThan(0);
      expect(error.message).toMatch(/disk is full.*SQLITE_FULL/);
    }
    expect(store.storageStatus.problem).toBe('full');
    // Nothing left open on the writing connection: another connection could take the write lock.
    const other = new Database(file);
    expect(() => other.exec('BEGIN IMMEDIATE; ROLLBACK')).not.toThrow();
    other.close();
    expect(count(file)).toBe(1);
    expect(await store.headPosition()).toBe(1);
    expect(await store.streamRevision('s-2')).toBeUndefined();
    // Reads go on.
    const read: string[] = [];
    for await (const event of store.readStream('s-1')) read.push(event.type);
    expect(read).toEqual(['A']);

    // The disk has room again: the same appends go through, on the same connection.
    store.setPageLimit(undefined);
    await expect(store.append('s-1', [big('B')], 0)).resolves.toMatchObject({ nextExpectedRevision: 1 });
    await expect(store.append('s-2', [big('C')], 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0 });
    expect(store.storageStatus).toEqual({ problem: null, since: null, error: null });
    // Durable, not held in a transaction left open: another connection sees them.
    expect(count(file)).toBe(3);
    // Positions are not consumed by the refused batch.
    const positions: number[] = [];
    for await (const event of store.readAll()) positions.push(event.position);
    expect(positions).toEqual([1, 2, 3]);
    await store.close();
  });

  it('never half-writes a batch: appends that fitted are rolled back with the one that did not', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file, writerThread });
    await store.append('seed', [small('A')], 'no_stream');
    // Room for a few pages more: the first appends of the batch fit, the last does not.
    store.setPageLimit(store.pageCount() + 3);
    const batch = [store.append('fits-1', [small('B')], 'no_stream'), store.append('fits-2', [small('C')], 'no_stream'), store.append('too-big', [big('D'), big('E')], 'no_stream')];
    const results = await Promise.allSettled(batch);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const result of results) expect(((result as PromiseRejectedResult).reason as StorageUnavailableError).problem).toBe('full');
    expect(count(file)).toBe(1);
    expect(await store.streamRevision('fits-1')).toBeUndefined();
    store.setPageLimit(undefined);
    await store.append('fits-1', [small('B')], 'no_stream');
    expect(count(file)).toBe(2);
    await store.close();
  });
  });

  it('a revision conflict in a batch still fails alone when the disk is fine', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file });
    await store.append('s', [small('A')], 'no_stream');
    const results = await Promise.allSettled([store.append('s', [small('B')], 5), store.append('t', [small('C')], 'no_stream')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(count(file)).toBe(2);
    await store.close();
  });

  it('finishes a transaction left open on its connection before writing, so an acknowledged append is committed', async () => {
    const file = tempFile();
    // On the caller's thread, where a test can reach the writing connection; the writer thread
    // runs the same writer (sqlite-batch-writer.ts).
    const store = new SqliteEventStore({ filename: file, writerThread: false });
    await store.append('s', [small('A')], 'no_stream');
    // What a failed ROLLBACK after an I/O error leaves behind.
    internal(store).exec('BEGIN');
    await store.append('s', [small('B')], 0);
    expect(internal(store).inTransaction).toBe(false);
    expect(count(file)).toBe(2);
    await store.close();
  });
});
