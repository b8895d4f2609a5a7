import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../event-store.port';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { ChainedEventStore } from './chained-event-store';
import { GENESIS_HASH, integrityOf, verifyStreamChain } from './event-hash';

const dirs: string[] = [];
const file = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nws-chain-'));
  dirs.push(dir);
  return join(dir, 'events.sqlite');
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const ev = (type: string, data: Record<string, string> = {}) => ({ id: randomUUID(), type, data, metadata: { actor: 'x' } });
async function read(store: { readStream(id: string): AsyncIterable<RecordedEvent> }, id: string) {
  const out: RecordedEvent[] = [];
  for await (const e of store.readStream(id)) out.push(e);
  return out;
}

describeEventStoreContract('SQLite behind the hash-chaining decorator', async () => {
  const store = new ChainedEventStore(new SqliteEventStore({ filename: file() }));
  return { store, dispose: () => store.close() };
});

describe('hash chain per stream', () => {
  it('chains every event to its predecessor, across appends and writers', async () => {
    const store = new ChainedEventStore(new SqliteEventStore({ filename: file() }));
    await store.append('s', [ev('A'), ev('B')], 'no_stream');
    await store.append('s', [ev('C')], 1);
    await store.append('s', [ev('D')], 'any');
    const events = await read(store, 's');
    expect(integrityOf(events[0]!)?.prevHash).toBe(GENESIS_HASH);
    expect(verifyStreamChain(events)).toEqual({ checked: 4, lastHash: integrityOf(events[3]!)?.hash });
    await store.close();
  });

  it('a byte changed in the database file is reported at the exact event with expected and found hashes', async () => {
    const filename = file();
    const store = new ChainedEventStore(new SqliteEventStore({ filename }));
    await store.append('s', [ev('A', { name: '山田' }), ev('B', { name: '佐藤' }), ev('C')], 'no_stream');
    await store.close();
    const db = new Database(filename);
    db.exec('DROP TRIGGER events_are_immutable_update');
    db.prepare("UPDATE events SET data = replace(data, '佐藤', '加藤') WHERE revision = 1").run();
    db.close();
    const reopened = new SqliteEventStore({ filename });
    const result = verifyStreamChain(await read(reopened, 's'));
    expect(result.checked).toBe(1);
    expect(result.broken).toMatchObject({ streamId: 's', revision: 1, problem: 'hash-mismatch' });
    expect(result.broken?.expected).not.toBe(result.broken?.found);
    await reopened.close();
  });

  it('a retried append with the same ids and expected revision stays idempotent', async () => {
    const store = new ChainedEventStore(new SqliteEventStore({ filename: file() }));
    await store.append('s', [ev('A')], 'no_stream');
    const retry = [ev('B')];
    const first = await store.append('s', retry, 0);
    const again = await store.append('s', retry, 0);
    expect(again).toEqual({ ...first, replayed: true });
    expect(first.replayed).toBe(false);
    expect((await read(store, 's')).map((e) => e.type)).toEqual(['A', 'B']);
    await store.close();
  });
});
