import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageUnavailableError } from '@nws/event-store';
import { SqliteAccessLog, type AccessLogEntry } from './access-log';
import { SqliteKeyStore } from './sqlite-key-store';

/** The connection inside (the files' own SQLite connection refuses writes: PRAGMA query_only → SQLITE_READONLY). */
const connectionOf = (store: SqliteKeyStore | SqliteAccessLog) => (store as unknown as { db: Database.Database }).db;

const entry = (sub: string): AccessLogEntry => ({
  at: `2026-11-20T00:00:0${sub.length}.000Z`,
  actor: { sub, org: '130001', role: 'first-reviewer' },
  purpose: 'review',
  reference: null,
  method: 'GET',
  route: '/applications/:id',
  organizationCode: '132012',
  applicationId: 'app-1',
  subjectIds: ['ps-1'],
  fields: ['forms.02-02.data.normalContacts[0].name'],
  requestId: null,
});

describe('personal-data files on a disk that refuses writes', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nws-pd-disk-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the key store refuses a new subject with StorageUnavailableError, keeps answering known ones, and takes writes again', async () => {
    const keys = new SqliteKeyStore(join(dir, 'keys.sqlite'));
    const known = await keys.subjectFor('132012', '山田 花子');
    connectionOf(keys).pragma('query_only = ON');
    const refused = await keys.subjectFor('132012', '佐藤 一郎').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(StorageUnavailableError);
    expect((refused as StorageUnavailableError).problem).toBe('read-only');
    expect(connectionOf(keys).inTransaction).toBe(false);
    expect(await keys.subjectFor('132012', '山田 花子')).toBe(known);
    expect((await keys.keyOf(known)).status).toBe('active');
    connectionOf(keys).pragma('query_only = OFF');
    expect(await keys.subjectFor('132012', '佐藤 一郎')).toMatch(/^ps-/);
    await keys.close();
  });

  it('the access log keeps refused entries in order in a bounded backlog (reads go on), writes them once the disk takes writes, and refuses beyond the bound', () => {
    const log = new SqliteAccessLog(join(dir, 'access-log.sqlite'), { maxBacklog: 3, retryMs: 60_000 });
    log.record([entry('a')]);
    connectionOf(log).pragma('query_only = ON');
    log.record([entry('bb')]);
    log.record([entry('ccc')]);
    expect(log.pending).toEqual({ entries: 2, problem: 'read-only' });
    expect(() => log.record([entry('dddd'), entry('eeeee')])).toThrow(StorageUnavailableError);
    expect(log.pending.entries).toBe(2);
    expect(log.query().map((e) => e.actor.sub)).toEqual(['a']);

    connectionOf(log).pragma('query_only = OFF');
    log.record([entry('ffffff')]);
    expect(log.pending).toEqual({ entries: 0, problem: null });
    expect(log.query().map((e) => [e.actor.sub, e.at])).toEqual([
      ['a', '2026-11-20T00:00:01.000Z'],
      ['bb', '2026-11-20T00:00:02.000Z'],
      ['ccc', '2026-11-20T00:00:03.000Z'],
      ['ffffff', '2026-11-20T00:00:06.000Z'],
    ]);
    log.close();
  });

  it('the access log writes its backlog by itself once the disk is back', async () => {
    const log = new SqliteAccessLog(join(dir, 'access-log.sqlite'), { retryMs: 20 });
    connectionOf(log).pragma('query_only = ON');
    log.record([entry('a')]);
    expect(log.pending.entries).toBe(1);
    connectionOf(log).pragma('query_only = OFF');
    for (let i = 0; i < 100 && log.pending.entries > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log.pending.entries).toBe(0);
    expect(log.query()).toHaveLength(1);
    log.close();
  });
});
