import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteKeyStore } from './sqlite-key-store';

/**
 * The key store keeps the subjects it has read, and uses them only while the file's change
 * counter says nothing was committed since: an erasure or a suspension through another replica
 * sharing the file (PERSONAL_DATA_KEY_FILE) counts from the next lookup, as it did when every
 * lookup read the file.
 */
describe('the key store answers known people from memory only while its file is unchanged', () => {
  let dir: string;
  let file: string;
  let here: SqliteKeyStore;
  let there: SqliteKeyStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-key-cache-'));
    file = join(dir, 'personal-data-keys.sqlite');
    here = new SqliteKeyStore(file);
    there = new SqliteKeyStore(file);
  });
  afterEach(async () => {
    await here.close();
    await there.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a person this store has looked up, when another store on the file erases them, then the next lookup here gives a new subject and key, and the old key is erased', async () => {
    const before = await here.subjectFor({ code: '132012' }, '田中 太郎');
    expect(await here.findSubject({ code: '132012' }, '田中太郎')).toBe(before.subjectId);
    expect((await here.keyOf(before.subjectId)).status).toBe('active');

    expect(await there.destroy(before.subjectId, '2026-12-06T00:00:00.000Z')).toBe(true);

    expect(await here.findSubject({ code: '132012' }, '田中 太郎')).toBeUndefined();
    expect(await here.keyOf(before.subjectId)).toEqual({ status: 'erased', erasedAt: '2026-12-06T00:00:00.000Z' });
    const after = await here.subjectFor({ code: '132012' }, '田中 太郎');
    expect(after.subjectId).not.toBe(before.subjectId);
    expect(after.key.equals(before.key)).toBe(false);
    // Both stores agree on the new subject.
    expect(await there.findSubject({ code: '132012' }, '田中 太郎')).toBe(after.subjectId);
  });

  it('given a person this store has looked up, when another store suspends them and lifts it, then each lookup here says so', async () => {
    const { subjectId } = await here.subjectFor({ code: '132012' }, '佐藤 花子');
    expect(await here.findPerson({ code: '132012' }, '佐藤 花子')).toEqual({ subjectId, suspended: false });

    await there.setSuspended(subjectId, '2026-12-06T00:00:00.000Z');
    expect(await here.findPerson({ code: '132012' }, '佐藤 花子')).toEqual({ subjectId, suspended: true });
    expect(await here.keyOf(subjectId)).toMatchObject({ status: 'active', suspended: true });

    await there.setSuspended(subjectId, null);
    expect(await here.findPerson({ code: '132012' }, '佐藤 花子')).toEqual({ subjectId, suspended: false });
    expect(await here.keyOf(subjectId)).toMatchObject({ status: 'active', suspended: false });
  });

  it('a person looked up before is answered without the file while it is unchanged; one never looked up needs the file', async () => {
    const known = await here.subjectFor({ code: '132012' }, '鈴木 一郎');
    const other = await there.subjectFor({ code: '132012' }, '高橋 次郎');
    // Read once here after the last commit, so the cache holds them at the file's current version.
    expect((await here.subjectFor({ code: '132012' }, '鈴木 一郎')).subjectId).toBe(known.subjectId);
    // Another connection holds the file's exclusive lock (a write in progress elsewhere): a read
    // through SQLite waits for it and gives up after the busy timeout.
    const locker = new Database(file);
    try {
      locker.exec('BEGIN EXCLUSIVE');
      const answered = await here.subjectFor({ code: '132012' }, '鈴木 一郎');
      expect(answered.subjectId).toBe(known.subjectId);
      expect(answered.key.equals(known.key)).toBe(true);
      await expect(here.findSubject({ code: '132012' }, '高橋 次郎')).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
      locker.exec('ROLLBACK');
    } finally {
      locker.close();
    }
    expect(await here.findSubject({ code: '132012' }, '高橋 次郎')).toBe(other.subjectId);
  });

  it('a store closed leaves the other stores of the process on the file reading its change counter', async () => {
    const { subjectId } = await there.subjectFor({ code: '132012' }, '伊藤 三郎');
    expect(await there.findSubject({ code: '132012' }, '伊藤 三郎')).toBe(subjectId);
    await here.close();
    const third = new SqliteKeyStore(file);
    try {
      await third.destroy(subjectId, '2026-12-06T00:00:00.000Z');
      expect(await there.findSubject({ code: '132012' }, '伊藤 三郎')).toBeUndefined();
    } finally {
      await third.close();
    }
    expect((await there.keyOf(subjectId)).status).toBe('erased');
  });

  it('in memory, an erasure through the store itself is seen at the next lookup', async () => {
    const memory = new SqliteKeyStore(':memory:');
    try {
      const before = await memory.subjectFor({ code: '132012' }, '田中 太郎');
      expect((await memory.subjectFor({ code: '132012' }, '田中 太郎')).subjectId).toBe(before.subjectId);
      await memory.destroy(before.subjectId, '2026-12-06T00:00:00.000Z');
      expect((await memory.keyOf(before.subjectId)).status).toBe('erased');
      expect((await memory.subjectFor({ code: '132012' }, '田中 太郎')).subjectId).not.toBe(before.subjectId);
    } finally {
      await memory.close();
    }
  });
});
