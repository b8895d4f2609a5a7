import Database from 'better-sqlite3';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseName } from './key-store.port';
import { SqliteKeyStore } from './sqlite-key-store';

/**
 * A body is an organ of a code: 八王子市教育委員会 and 八王子市長部局 share 132012, and each
 * answers for its own staff. Two people of one name, one in each, are two subjects.
 */
describe('the key store keeps one organ’s people apart from another organ’s of the same code', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-key-organs-'));
    file = join(dir, 'personal-data-keys.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given one name in the head department and in the board of education, then they are two subjects, each listed under its organ only', async () => {
    const keys = new SqliteKeyStore(file);
    try {
      const head = await keys.subjectFor({ code: '132012' }, '田中 太郎');
      const board = await keys.subjectFor({ code: '132012', organ: '市町村教育委員会' }, '田中 太郎');
      expect(board.subjectId).not.toBe(head.subjectId);
      expect(board.key.equals(head.key)).toBe(false);
      // The default organ named or not is one organ.
      expect(await keys.findSubject({ code: '132012', organ: '市町村長部局' }, '田中太郎')).toBe(head.subjectId);
      expect(await keys.findSubject({ code: '132012', organ: '市町村教育委員会' }, '田中太郎')).toBe(board.subjectId);

      expect((await keys.subjects({ organizationCode: '132012', organizationKind: '市町村教育委員会' })).map((s) => s.subjectId)).toEqual([board.subjectId]);
      expect((await keys.subjects({ organizationCode: '132012', organizationKind: '市町村長部局' })).map((s) => s.subjectId)).toEqual([head.subjectId]);
      expect((await keys.subject(board.subjectId))?.organizationKind).toBe('市町村教育委員会');

      // Erasing the board's person leaves the head department's.
      await keys.destroy(board.subjectId, '2026-12-07T00:00:00.000Z');
      expect((await keys.keyOf(head.subjectId)).status).toBe('active');
      expect(await keys.subjects({ organizationCode: '132012', organizationKind: '市町村教育委員会', includeErased: true })).toEqual([
        expect.objectContaining({ subjectId: board.subjectId, organizationKind: '市町村教育委員会', erasedAt: '2026-12-07T00:00:00.000Z' }),
      ]);
    } finally {
      await keys.close();
    }
  });

  it('given a key file written before organs were named, then its subjects are the default organ’s and are found again under it', async () => {
    // The file as the key store wrote it before: no organ column, the lookup an HMAC of code and name.
    const legacy = new Database(file);
    const secret = randomBytes(32);
    legacy.exec(`
      CREATE TABLE settings (name TEXT PRIMARY KEY, value BLOB NOT NULL);
      CREATE TABLE subjects (subject_id TEXT PRIMARY KEY, organization_code TEXT NOT NULL, lookup BLOB NOT NULL UNIQUE, label TEXT NOT NULL, key BLOB NOT NULL, created_at TEXT NOT NULL, suspended_at TEXT);
      CREATE TABLE erased_subjects (subject_id TEXT PRIMARY KEY, organization_code TEXT NOT NULL, created_at TEXT NOT NULL, erased_at TEXT NOT NULL);
    `);
    legacy.prepare(`INSERT INTO settings VALUES ('lookup-secret', ?)`).run(secret);
    const lookup = createHmac('sha256', secret).update(`130001\u0000${normaliseName('佐藤 花子')}`).digest();
    legacy.prepare('INSERT INTO subjects VALUES (?, ?, ?, ?, ?, ?, NULL)').run('ps-legacy', '130001', lookup, '佐藤 花子', randomBytes(32), '2026-01-01T00:00:00.000Z');
    legacy.prepare('INSERT INTO erased_subjects VALUES (?, ?, ?, ?)').run('ps-gone', '130001', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
    legacy.close();

    const keys = new SqliteKeyStore(file);
    try {
      expect(await keys.findSubject({ code: '130001' }, '佐藤花子')).toBe('ps-legacy');
      expect((await keys.subjectFor({ code: '130001', organ: '都道府県知事部局' }, '佐藤 花子')).subjectId).toBe('ps-legacy');
      expect(await keys.findSubject({ code: '130001', organ: '都道府県教育委員会' }, '佐藤 花子')).toBeUndefined();
      expect((await keys.subjects({ organizationCode: '130001', organizationKind: '都道府県知事部局', includeErased: true })).map((s) => [s.subjectId, s.organizationKind])).toEqual([
        ['ps-legacy', '都道府県知事部局'],
        ['ps-gone', '都道府県知事部局'],
      ]);
      expect(await keys.subjects({ organizationCode: '130001', organizationKind: '都道府県教育委員会', includeErased: true })).toEqual([]);
    } finally {
      await keys.close();
    }
  });
});
