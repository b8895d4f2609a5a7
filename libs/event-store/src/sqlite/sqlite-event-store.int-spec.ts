import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { DuplicateEventIdError, EventStoreUnavailableError } from '../event-store.errors';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';
import { sqliteSpecFiles } from './testing/sqlite-spec-files';

const files = sqliteSpecFiles('nws-es-');
const tempFile = files.file;
afterAll(files.cleanup);

describeEventStoreContract('embedded SQLite', async () => {
  const store = new SqliteEventStore({ filename: tempFile() });
  return { store, dispose: () => store.close() };
});

// The same writer on the caller's thread (what in-memory stores do), held to the same contract.
describeEventStoreContract('embedded SQLite, writing on the caller\'s thread', async () => {
  const store = new SqliteEventStore({ filename: tempFile(), writerThread: false });
  return { store, dispose: () => store.close() };
});

/** A pragma of the connection that writes: the writer thread's, or the store's own without one. */
function writingPragma(store: SqliteEventStore, name: string): number {
  const internals = store as unknown as { commits: { thread?: { pragma(source: string): number } }; db: Database.Database };
  return internals.commits.thread ? internals.commits.thread.pragma(name) : Number(internals.db.pragma(name, { simple: true }));
}

describe('SQLite event store: durability and immutability', () => {
  const ev = (type: string) => ({ id: randomUUID(), type, data: { type }, metadata: {} });

  it('keeps acknowledged events across a reopen of the file', async () => {
    const file = tempFile();
    const first = new SqliteEventStore({ filename: file });
    await first.append('s-1', [ev('A'), ev('B')], 'no_stream');
    await first.close();
    const second = new SqliteEventStore({ filename: file });
    const types: string[] = [];
    for await (const e of second.readStream('s-1')) types.push(e.type);
    expect(types).toEqual(['A', 'B']);
    await second.close();
  });

  it('runs in WAL mode with synchronous=FULL by default', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file });
    await store.append('s-1', [ev('A')], 'no_stream');
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous is per connection: read it through the connection that writes (2 = FULL).
    expect(writingPragma(store, 'synchronous')).toBe(2);
    // The writer thread never checkpoints (the checkpoint thread does); the WAL file is cut back to
    // four times the checkpoint size (40,000 frames of 4,096 + 24 bytes) when it starts again.
    expect(writingPragma(store, 'wal_autocheckpoint')).toBe(0);
    expect(writingPragma(store, 'journal_size_limit')).toBe(40_000 * 4_120);
    await store.close();
    const tuned = new SqliteEventStore({ filename: tempFile(), walAutocheckpointPages: 500 });
    expect(writingPragma(tuned, 'synchronous')).toBe(2);
    expect(writingPragma(tuned, 'journal_size_limit')).toBe(2_000 * 4_120);
    await tuned.close();
    // Writing on the caller's thread, the commit that crosses the size checkpoints: a tenth as
    // often as SQLite's default (see the option), or as the caller chooses.
    for (const walAutocheckpointPages of [undefined, 500]) {
      const own = new SqliteEventStore({ filename: tempFile(), writerThread: false, ...(walAutocheckpointPages === undefined ? {} : { walAutocheckpointPages }) });
      expect(writingPragma(own, 'synchronous')).toBe(2);
      expect(writingPragma(own, 'wal_autocheckpoint')).toBe(walAutocheckpointPages ?? 10_000);
      expect(own.checkpointStats).toBeUndefined();
      await own.close();
    }
  });

  it("waits for another process's write instead of failing the batch", async () => {
    // given another connection (another process: the CLI, a second API on the same file) that holds the write lock and has written
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file });
    await store.append('s-1', [ev('A')], 'no_stream');
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    other.prepare("INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, 'other', 0, 'X', '{}', '{}', '2026-12-05T00:00:00Z')").run(randomUUID());
    // when the store appends meanwhile, and the other connection commits a moment later
    const appending = store.append('s-1', [ev('B')], 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    other.exec('COMMIT');
    other.close();
    // then the append waited for the lock and is stored after the other write (a transaction that
    // read before taking the lock would have been refused: SQLITE_BUSY, its snapshot stale)
    await expect(appending).resolves.toMatchObject({ nextExpectedRevision: 1 });
    const types: string[] = [];
    for await (const e of store.readAll()) types.push(e.type);
    expect(types).toEqual(['A', 'X', 'B']);
    await store.close();
  });

  it.each([
    ['through the writer thread', true],
    ["on the caller's thread", false],
  ])('writing %s, given another connection that keeps the write lock past the busy timeout, then the append is refused as unavailable (503, retry), nothing recorded, the storage status untouched', async (_mode, writerThread) => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file, writerThread, busyTimeoutMs: 50 });
    try {
      await store.append('s-1', [ev('A')], 'no_stream');
      const other = new Database(file);
      other.exec('BEGIN IMMEDIATE');
      const refused = await store.append('s-1', [ev('B')], 0).then(
        () => undefined,
        (error: unknown) => error,
      );
      other.exec('ROLLBACK');
      other.close();
      expect(refused).toBeInstanceOf(EventStoreUnavailableError);
      expect((refused as EventStoreUnavailableError).message).toMatch(/another connection held the write lock for more than 50 ms.*nothing was recorded/);
      expect(store.storageStatus.problem).toBeNull();
      // The lock free again, the same append goes through: nothing of the refused one was written.
      await expect(store.append('s-1', [ev('B')], 0)).resolves.toMatchObject({ nextExpectedRevision: 1 });
    } finally {
      await store.close();
    }
  });

  it('the database itself refuses UPDATE and DELETE of events', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file });
    await store.append('s-1', [ev('A')], 'no_stream');
    await store.close();
    const db = new Database(file);
    expect(() => db.prepare("UPDATE events SET data = '{}'").run()).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/immutable/);
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 1 });
    db.close();
  });

  it('group-commits appends that arrive together: one transaction, every caller answered after it', async () => {
    const store = new SqliteEventStore({ filename: tempFile() });
    const batches: number[] = [];
    store.onCommit((size) => batches.push(size));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(`s-${i}`, [ev('A')], 'no_stream')));
    expect(results).toHaveLength(50);
    expect(batches).toEqual([50]);
    expect(store.groupCommitStats).toEqual({ commits: 1, appends: 50, events: 50 });
    await store.close();
  });

  it('reads streams and the whole store across page boundaries, honouring ranges, filters and limits', async () => {
    const store = new SqliteEventStore({ filename: tempFile(), pageSize: 2 });
    await store.append('a', ['A0', 'A1', 'A2', 'A3', 'A4'].map(ev), 'no_stream');
    await store.append('b', ['B0', 'B1', 'B2'].map(ev), 'no_stream');
    const types = async (iterable: AsyncIterable<{ type: string }>) => {
      const out: string[] = [];
      for await (const event of iterable) out.push(event.type);
      return out;
    };
    expect(await types(store.readStream('a'))).toEqual(['A0', 'A1', 'A2', 'A3', 'A4']);
    expect(await types(store.readStream('a', { fromRevision: 1, toRevision: 3 }))).toEqual(['A1', 'A2', 'A3']);
    expect(await types(store.readAll())).toEqual(['A0', 'A1', 'A2', 'A3', 'A4', 'B0', 'B1', 'B2']);
    expect(await types(store.readAll({ after: 3, limit: 3 }))).toEqual(['A3', 'A4', 'B0']);
    expect(await types(store.readAll({ filter: { eventTypes: ['A1', 'B2'] } }))).toEqual(['A1', 'B2']);
    expect(await types(store.readAll({ filter: { streamPrefixes: ['b'] }, limit: 2 }))).toEqual(['B0', 'B1']);
    expect(await types(store.readAll({ limit: 0 }))).toEqual([]);
    await store.close();
  });

  it('live subscribers at the same position share one read per commit, each with its own events, and see every later commit', async () => {
    // given three live subscribers, one filtered, and a count of the store's page reads (no polls during the test)
    const store = new SqliteEventStore({ filename: tempFile(), pollIntervalMs: 600_000 });
    const statement = (store as unknown as { statements: { readAll: { all: (...args: unknown[]) => unknown } } }).statements.readAll;
    const all = statement.all.bind(statement);
    let reads = 0;
    statement.all = (...args: unknown[]) => ((reads += 1), all(...args));
    const seen: Array<Array<{ type: string; data: Record<string, unknown> }>> = [[], [], []];
    const subscriptions = [
      store.subscribeToAll().subscribe((e) => seen[0]!.push(e)),
      store.subscribeToAll().subscribe((e) => seen[1]!.push(e)),
      store.subscribeToAll({ filter: { eventTypes: ['B'] } }).subscribe((e) => seen[2]!.push(e)),
    ];
    const until = async (check: () => boolean) => {
      while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    // when two commits follow each other
    reads = 0;
    await store.append('s-1', [ev('A'), ev('B')], 'no_stream');
    await until(() => seen[0]!.length === 2 && seen[1]!.length === 2);
    const readsForFirstCommit = reads;
    await store.append('s-1', [ev('B')], 1);
    await until(() => seen[0]!.length === 3 && seen[1]!.length === 3 && seen[2]!.length === 2);
    subscriptions.forEach((s) => s.unsubscribe());
    // then one page read answered all three after each commit, and no subscriber shares another's objects
    expect(readsForFirstCommit).toBe(1);
    expect(reads).toBe(2);
    expect(seen.map((events) => events.map((e) => e.type))).toEqual([['A', 'B', 'B'], ['A', 'B', 'B'], ['B', 'B']]);
    expect(seen[0]![0]!.data).toEqual(seen[1]![0]!.data);
    expect(seen[0]![0]!.data).not.toBe(seen[1]![0]!.data);
    await store.close();
  });

  it('an append of several events that fails half-way leaves none of them, and its batch-mates are stored', async () => {
    const store = new SqliteEventStore({ filename: tempFile() });
    const taken = ev('Taken');
    await store.append('other', [taken], 'no_stream');
    const fresh = ev('Fresh');
    const batches: number[] = [];
    store.onCommit((size) => batches.push(size));
    // given one batch: a single event, two events whose second id is already used elsewhere, a single event
    const outcomes = await Promise.allSettled([
      store.append('before', [ev('A')], 'no_stream'),
      store.append('broken', [fresh, taken], 'no_stream'),
      store.append('after', [ev('B')], 'no_stream'),
    ]);
    // then only the broken append fails, and its first event was rolled back with it
    expect(batches).toEqual([3]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored: string[] = [];
    for await (const event of store.readAll()) stored.push(`${event.streamId}:${event.type}`);
    expect(stored).toEqual(['other:Taken', 'before:A', 'after:B']);
    expect(await store.streamRevision('broken')).toBeUndefined();
    await store.close();
  });

  it('an append repeated under any expectation is answered as the first was and stores nothing; a first id taken by another stream is refused', async () => {
    const store = new SqliteEventStore({ filename: tempFile() });
    // given a stream of two appends
    const first = [ev('A'), ev('B')];
    const second = [ev('C')];
    const answers = [await store.append('s', first, 'no_stream'), await store.append('s', second, 1)];
    // when each is appended again, with an expectation that still holds, with one that no longer does, with any
    const repeats = [
      await store.append('s', first, 'any'),
      await store.append('s', first, 'stream_exists'),
      await store.append('s', first, 'no_stream'),
      await store.append('s', second, 2),
      await store.append('s', second, 1),
      await store.append('s', second, 'any'),
    ];
    // then every repeat answers as its first append did, and the stream is unchanged
    const like = (a: { nextExpectedRevision: number; position: number }) => ({ nextExpectedRevision: a.nextExpectedRevision, position: a.position, replayed: true });
    expect(repeats).toEqual([...Array<typeof answers[0]>(3).fill(answers[0]!), ...Array<typeof answers[0]>(3).fill(answers[1]!)].map(like));
    const types: string[] = [];
    for await (const event of store.readStream('s')) types.push(event.type);
    expect(types).toEqual(['A', 'B', 'C']);
    // and an id stored in another stream, or a repeat that is not the same events in order, is refused whatever the expectation
    await expect(store.append('t', [first[0]!], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
    await expect(store.append('s', [first[0]!, second[0]!], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
    expect(await store.streamRevision('t')).toBeUndefined();
    expect(await store.headPosition()).toBe(3);
    await store.close();
  });
});
