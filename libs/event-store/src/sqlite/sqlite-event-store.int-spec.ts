import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nws-es-'));
  dirs.push(dir);
  return join(dir, 'events.sqlite');
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describeEventStoreContract('embedded SQLite', async () => {
  const store = new SqliteEventStore({ filename: tempFile() });
  return { store, dispose: () => store.close() };
});

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
    // synchronous is per connection: read it through the store's own connection.
    const internal = (store as unknown as { db: Database.Database }).db;
    expect(internal.pragma('synchronous', { simple: true })).toBe(2);
    await store.close();
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
});
