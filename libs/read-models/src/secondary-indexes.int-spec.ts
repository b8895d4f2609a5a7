import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { dropSecondaryIndexes } from './secondary-indexes';

/** A read model with a primary key, a UNIQUE index and two plain ones; it notes which indexes exist while it applies. */
function indexedProjection() {
  const seenWhileApplying = new Set<string>();
  const projection: Projection = {
    name: 'indexed',
    tables: ['indexed'],
    schema: `
      CREATE TABLE IF NOT EXISTS indexed (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, type TEXT NOT NULL, code TEXT NOT NULL);
      CREATE UNIQUE INDEX IF NOT EXISTS indexed_code ON indexed (code);
      CREATE INDEX IF NOT EXISTS indexed_stream ON indexed (stream, position);
      CREATE INDEX IF NOT EXISTS indexed_type ON indexed (type) WHERE type <> 'Skip';
    `,
    apply(db: Database.Database, event: RecordedEvent): void {
      for (const row of db.prepare(`SELECT name FROM pragma_index_list('indexed')`).all() as Array<{ name: string }>) seenWhileApplying.add(row.name);
      db.prepare('INSERT INTO indexed (position, stream, type, code) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING').run(event.position, event.streamId, event.type, `c-${event.position}`);
    },
  };
  return { projection, seenWhileApplying };
}

const indexesOf = (db: Database.Database) =>
  (db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'indexed' ORDER BY name`).all() as Array<{ name: string; sql: string | null }>).map((r) => [r.name, r.sql]);

describe('rebuild replays without the plain secondary indexes and builds them once at the end (real SQLite files)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  async function given(events = 5) {
    const dir = mkdtempSync(join(tmpdir(), 'nws-indexes-'));
    dirs.push(dir);
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    for (let i = 0; i < events; i++) await store.append(`s-${i}`, [{ id: randomUUID(), type: i % 2 ? 'Odd' : 'Even', data: {}, metadata: {} }], 'no_stream');
    return { dir, store, readModels: join(dir, 'read-models.sqlite') };
  }

  it('given a read model with plain and UNIQUE indexes, when it is rebuilt, then only the UNIQUE one exists during the replay, all of them after, and the rows are the same', async () => {
    const { store, readModels } = await given();
    const { projection, seenWhileApplying } = indexedProjection();
    const runner = new ProjectionRunner(store, [projection], { filename: readModels });
    const before = indexesOf(runner.db);
    expect(before.map(([name]) => name)).toEqual(['indexed_code', 'indexed_stream', 'indexed_type']);
    await runner.rebuild();
    const rows = runner.db.prepare('SELECT * FROM indexed ORDER BY position').all();
    seenWhileApplying.clear();

    await runner.rebuild();

    // The UNIQUE index stays (ON CONFLICT (code) needs it); the plain ones are gone while applying.
    expect([...seenWhileApplying]).toEqual(['indexed_code']);
    expect(indexesOf(runner.db)).toEqual(before);
    expect(runner.db.prepare('SELECT * FROM indexed ORDER BY position').all()).toEqual(rows);
    expect(rows).toHaveLength(5);
    runner.close();
    await store.close();
  });

  it('given a store that fails half-way through the replay, when the rebuild fails, then the indexes exist again', async () => {
    const { store, readModels } = await given();
    const failing = new Proxy(store, {
      get(target, key) {
        if (key === 'readAll') {
          return async function* (...args: Parameters<EventStore['readAll']>) {
            let delivered = 0;
            for await (const event of target.readAll(...args)) {
              if (++delivered > 2) throw new Error('the disk went away');
              yield event;
            }
          };
        }
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const runner = new ProjectionRunner(failing, [indexedProjection().projection], { filename: readModels });
    const before = indexesOf(runner.db);

    await expect(runner.rebuild()).rejects.toThrow('the disk went away');

    expect(indexesOf(runner.db)).toEqual(before);
    runner.close();
    await store.close();
  });

  it('given a process that died during a rebuild (indexes dropped), when the runner opens the database again, then the schema recreates them', async () => {
    const { store, readModels } = await given(1);
    const first = new ProjectionRunner(store, [indexedProjection().projection], { filename: readModels });
    const before = indexesOf(first.db);
    expect(dropSecondaryIndexes(first.db, ['indexed']).map((i) => i.name).sort()).toEqual(['indexed_stream', 'indexed_type']);
    expect(indexesOf(first.db).map(([name]) => name)).toEqual(['indexed_code']);
    first.close();

    const reopened = new ProjectionRunner(store, [indexedProjection().projection], { filename: readModels });

    expect(indexesOf(reopened.db).map(([name]) => name)).toEqual(before.map(([name]) => name));
    reopened.close();
    await store.close();
  });
});
