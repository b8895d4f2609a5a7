import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_FORMATS } from '@nws/event-store/sqlite';
import { SqliteKeyStore } from './sqlite-key-store';

const userVersion = (file: string, set?: number): number => {
  const db = new Database(file);
  try {
    if (set !== undefined) db.pragma(`user_version = ${set}`);
    return Number(db.pragma('user_version', { simple: true }));
  } finally {
    db.close();
  }
};

/** The key store says which format it is in, as the event store does (format-version.ts). */
describe('the key store\u2019s format', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-key-format-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given one made before the marker, it is marked when opened; given one a newer release marked, it is refused naming the file and both formats', () => {
    const file = join(dir, 'keys.sqlite');
    new SqliteKeyStore(file).close();
    expect(userVersion(file)).toBe(SQLITE_FORMATS.keyStore);
    userVersion(file, 0);
    new SqliteKeyStore(file).close();
    expect(userVersion(file)).toBe(SQLITE_FORMATS.keyStore);
    userVersion(file, SQLITE_FORMATS.keyStore + 1);
    expect(() => new SqliteKeyStore(file)).toThrow(`${file} is in format ${SQLITE_FORMATS.keyStore + 1}, written by a newer release: upgrade this one (it supports format ${SQLITE_FORMATS.keyStore} at most)`);
    expect(userVersion(file)).toBe(SQLITE_FORMATS.keyStore + 1);
  });
});
