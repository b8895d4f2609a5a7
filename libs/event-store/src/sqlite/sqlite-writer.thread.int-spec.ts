import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { StorageUnavailableError } from '../storage.errors';
import { SqliteEventStore } from './sqlite-event-store';
import { sqliteSpecFiles, storedEvents as stored } from './testing/sqlite-spec-files';

const ROOT = resolve(__dirname, '../../../..');
const files = sqliteSpecFiles('nws-es-writer-');
const tempFile = files.file;
afterAll(files.cleanup);

const ev = (type: string) => ({ id: randomUUID(), type, data: { type }, metadata: {} });

describe('SQLite event store: the writer thread', () => {
  it('writes many appends that arrive together in batches of at most maxBatchAppends, and answers each after its commit', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file, maxBatchAppends: 10 });
    const batches: number[] = [];
    store.onCommit((size) => batches.push(size));
    const results = await Promise.all(Array.from({ length: 95 }, (_, i) => store.append(`s-${i}`, [ev('A')], 'no_stream')));
    expect(results.every((r) => r.nextExpectedRevision === 0 && r.replayed === false)).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(95);
    expect(Math.max(...batches)).toBeLessThanOrEqual(10);
    // Each answered append is committed: another connection sees all of them.
    expect(stored(file)).toBe(95);
    // Positions follow the order the appends were made in, across batches.
    const positions = results.map((r) => r.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    await store.close();
  });

  it('keeps the order of appends to one stream across batches in flight', async () => {
    const store = new SqliteEventStore({ filename: tempFile(), maxBatchAppends: 1 });
    const appends = Array.from({ length: 20 }, (_, i) => store.append('one', [ev(`E${i}`)], 'any'));
    const results = await Promise.all(appends);
    expect(results.map((r) => r.nextExpectedRevision)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const types: string[] = [];
    for await (const event of store.readStream('one')) types.push(event.type);
    expect(types).toEqual(Array.from({ length: 20 }, (_, i) => `E${i}`));
    await store.close();
  });

  it('close() writes what was appended before it and waits for every answer', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file, maxBatchAppends: 7 });
    const appends = Array.from({ length: 50 }, (_, i) => store.append(`c-${i}`, [ev('A')], 'no_stream'));
    await store.close();
    await expect(Promise.all(appends)).resolves.toHaveLength(50);
    await expect(store.append('late', [ev('A')], 'no_stream')).rejects.toThrow(/closed/);
    expect(stored(file)).toBe(50);
    // The thread ended because it was asked to: no storage problem.
    expect(store.storageStatus.problem).toBeNull();
  });

  const stopThread = (store: SqliteEventStore): Promise<number> => (store as unknown as { commits: { thread: { worker: { terminate(): Promise<number> } } } }).commits.thread.worker.terminate();

  it('when the thread is gone, appends are refused as a storage problem (503, retry later), never left unanswered', async () => {
    const file = tempFile();
    // Not restarted within this test: the refusal is what is checked here.
    const store = new SqliteEventStore({ filename: file, writerRestartDelayMs: 600_000 });
    await store.append('s', [ev('A')], 'no_stream');
    await stopThread(store);
    // /health knows at once, before any write is refused.
    expect(store.storageStatus).toMatchObject({ problem: 'io-error', error: expect.stringMatching(/writer thread stopped/) });
    const refused = await store.append('s', [ev('B')], 0).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StorageUnavailableError);
    expect((refused as StorageUnavailableError).message).toMatch(/writer thread stopped/);
    expect(store.storageStatus.problem).toBe('io-error');
    // Reads go on.
    const types: string[] = [];
    for await (const event of store.readStream('s')) types.push(event.type);
    expect(types).toEqual(['A']);
    expect(stored(file)).toBe(1);
    await store.close();
  });

  it('a thread that stopped is replaced by a new one once writerRestartDelayMs have passed: writes go on, /health is ok again after a commit, the page limit carries over', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file, writerRestartDelayMs: 0 });
    await store.append('s', [ev('A')], 'no_stream');
    await stopThread(store);
    expect(store.storageStatus.problem).toBe('io-error');
    await expect(store.append('s', [ev('B')], 0)).resolves.toMatchObject({ nextExpectedRevision: 1, replayed: false });
    expect(store.storageStatus.problem).toBeNull();
    expect(stored(file)).toBe(2);
    // The limit set on the first thread's connection holds on the next one's.
    store.setPageLimit(store.pageCount());
    await stopThread(store);
    const refused = await store.append('s', [{ ...ev('C'), data: { blob: 'x'.repeat(200_000) } }], 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StorageUnavailableError);
    expect((refused as StorageUnavailableError).problem).toBe('full');
    store.setPageLimit(undefined);
    await expect(store.append('s', [ev('D')], 1)).resolves.toMatchObject({ nextExpectedRevision: 2 });
    expect(stored(file)).toBe(3);
    await store.close();
    expect(store.storageStatus.problem).toBeNull();
  });

  it('when the thread stops with batches in hand, their callers learn the outcome is unknown; every answered append is stored', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file, maxBatchAppends: 8, writerRestartDelayMs: 600_000 });
    await store.append('warm', [ev('A')], 'no_stream');
    // 10 batches of 8: at most 4 reach the thread (the rest wait here for answers); it is stopped
    // as soon as the first is sent.
    const appends = Array.from({ length: 80 }, (_, i) => store.append(`u-${i}`, [{ ...ev('A'), data: { blob: 'x'.repeat(20_000) } }], 'no_stream'));
    await new Promise((resolve) => setImmediate(resolve));
    await stopThread(store);
    const outcomes = await Promise.allSettled(appends);
    const unknownOutcome = (o: PromiseSettledResult<unknown>) => o.status === 'rejected' && ((o.reason as StorageUnavailableError).cause as { outcomeUnknown?: boolean }).outcomeUnknown === true;
    const unknown = outcomes.filter(unknownOutcome);
    const notRecorded = outcomes.filter((o) => o.status === 'rejected' && !unknownOutcome(o));
    const answered = outcomes.filter((o) => o.status === 'fulfilled');
    expect(outcomes.every((o) => o.status === 'fulfilled' || o.reason instanceof StorageUnavailableError)).toBe(true);
    // The batches the thread had: unknown; the appends that never reached it: not recorded.
    expect(unknown.length).toBeGreaterThan(0);
    expect(notRecorded.length).toBeGreaterThan(0);
    expect(answered.length + unknown.length + notRecorded.length).toBe(80);
    // Answered appends are stored; what reached the thread may or may not be; the rest is not.
    const count = stored(file) - 1;
    expect(count).toBeGreaterThanOrEqual(answered.length);
    expect(count).toBeLessThanOrEqual(answered.length + unknown.length);
    await store.close();
  });

  it('keeps a process alive while an append waits for its commit, and not once the store is idle', async () => {
    const file = tempFile();
    // No timer, no server: only the store's own work may hold the process. The second append is
    // made once the thread is up and idle, the first store is left open and idle at the end (the
    // process must exit anyway), a third store is opened and never written (read only), and the
    // second store's close() must be waited for.
    const script = `
      const { SqliteEventStore } = require(${JSON.stringify(join(ROOT, 'libs/event-store/src/sqlite/sqlite-event-store.ts'))});
      const event = (type) => ({ id: require('node:crypto').randomUUID(), type, data: {}, metadata: {} });
      const store = new SqliteEventStore({ filename: ${JSON.stringify(file)} });
      const unwritten = new SqliteEventStore({ filename: ${JSON.stringify(`${file}-3`)} });
      store.append('s', [event('A')], 'no_stream')
        .then(() => store.append('s', [event('B')], 0))
        .then((r) => console.log('stored at', r.position))
        .then(() => { const other = new SqliteEventStore({ filename: ${JSON.stringify(`${file}-2`)} }); return other.append('t', [event('C')], 'no_stream').then(() => other.close()); })
        .then(() => console.log('closed'));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', join(ROOT, 'test/support/register-ts.js'), '-e', script], { cwd: ROOT, timeout: 20_000 });
    expect(stdout.trim().split('\n')).toEqual(['stored at 2', 'closed']);
    expect(stored(file)).toBe(2);
    expect(stored(`${file}-2`)).toBe(1);
  });
});
