import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigurationError } from '@nws/runtime';
import { FormatTooNewError, SQLITE_FORMATS } from './format-version';
import { SqliteEventStore } from './sqlite-event-store';
import { SQLITE_EVENT_STORE_SCHEMA } from './sqlite-event-store.schema';

const userVersion = (file: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return Number(db.pragma('user_version', { simple: true }));
  } finally {
    db.close();
  }
};
const setUserVersion = (file: string, version: number): void => {
  const db = new Database(file);
  db.pragma(`user_version = ${version}`);
  db.close();
};

/**
 * The embedded store says which format they are in (PRAGMA user_version): a binary
 * refuses a file a newer release wrote instead of writing it silently, and marks the files of
 * earlier releases, which have no marker, in place.
 */
describe('SQLite file formats', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-format-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given a store written before the marker (no user_version), when opened, then its events are there and it is marked with this release\u2019s format', async () => {
    const file = join(dir, 'events.sqlite');
    const old = new Database(file);
    old.exec(SQLITE_EVENT_STORE_SCHEMA);
    old.prepare(`INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES ('e1', 's-1', 0, 'A', '{}', '{}', '2026-01-01T00:00:00.000Z')`).run();
    old.close();
    expect(userVersion(file)).toBe(0);
    const store = new SqliteEventStore({ filename: file });
    expect(await store.headPosition()).toBe(1);
    await store.close();
    expect(userVersion(file)).toBe(SQLITE_FORMATS.eventStore);
    // A new store is marked from its creation.
    const fresh = new SqliteEventStore({ filename: join(dir, 'fresh.sqlite') });
    await fresh.close();
    expect(userVersion(join(dir, 'fresh.sqlite'))).toBe(SQLITE_FORMATS.eventStore);
  });

  it('given a store a newer release marked, when opened (to write, or to read as stored), then it is refused naming the file and both formats, a configuration error, and the file is left as found', async () => {
    const file = join(dir, 'events.sqlite');
    await new SqliteEventStore({ filename: file }).close();
    const newer = SQLITE_FORMATS.eventStore + 1;
    setUserVersion(file, newer);
    for (const options of [{ filename: file }, { filename: file, readOnly: true }]) {
      let refused: unknown;
      try {
        new SqliteEventStore(options);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(FormatTooNewError);
      expect(refused).toBeInstanceOf(ConfigurationError);
      expect((refused as Error).message).toContain(`${file} is in format ${newer}, written by a newer release: upgrade this one (it supports format ${SQLITE_FORMATS.eventStore} at most)`);
    }
    expect(userVersion(file)).toBe(newer);
  });
});
