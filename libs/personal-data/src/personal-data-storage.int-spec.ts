import type Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
    const known = await keys.subjectFor({ code: '132012' }, '山田 花子');
    connectionOf(keys).pragma('query_only = ON');
    const refused = await keys.subjectFor({ code: '132012' }, '佐藤 一郎').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(StorageUnavailableError);
    expect((refused as StorageUnavailableError).problem).toBe('read-only');
    expect(connectionOf(keys).inTransaction).toBe(false);
    expect(await keys.subjectFor({ code: '132012' }, '山田 花子')).toEqual(known);
    expect(await keys.keyOf(known.subjectId)).toEqual({ status: 'active', key: known.key, suspended: false });
    connectionOf(keys).pragma('query_only = OFF');
    expect((await keys.subjectFor({ code: '132012' }, '佐藤 一郎')).subjectId).toMatch(/^ps-/);
    await keys.close();
  });

  it('the access log keeps refused entries in order in a bounded backlog (reads go on), writes them once the disk takes writes, and refuses beyond the bound', async () => {
    const log = new SqliteAccessLog(join(dir, 'access-log.sqlite'), { maxBacklog: 3, retryMs: 60_000 });
    await log.record([entry('a')]);
    connectionOf(log).pragma('query_only = ON');
    await log.record([entry('bb')]);
    await log.record([entry('ccc')]);
    expect(log.pending).toEqual({ entries: 2, problem: 'read-only' });
    await expect(log.record([entry('dddd'), entry('eeeee')])).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(log.pending.entries).toBe(2);
    expect(log.query().map((e) => e.actor.sub)).toEqual(['a']);

    connectionOf(log).pragma('query_only = OFF');
    await log.record([entry('ffffff')]);
    expect(log.pending).toEqual({ entries: 0, problem: null });
    expect(log.query().map((e) => [e.actor.sub, e.at])).toEqual([
      ['a', '2026-11-20T00:00:01.000Z'],
      ['bb', '2026-11-20T00:00:02.000Z'],
      ['ccc', '2026-11-20T00:00:03.000Z'],
      ['ffffff', '2026-11-20T00:00:06.000Z'],
    ]);
    log.close();
  });

  it('the access log group-commits entries recorded together: one transaction, each caller answered after it, in order', async () => {
    const log = new SqliteAccessLog(join(dir, 'access-log.sqlite'), { retryMs: 60_000 });
    // Counts transactions (the real write runs; the spy only counts calls).
    const writes = jest.spyOn(log as unknown as { write(entries: unknown[]): void }, 'write');
    const answered: string[] = [];
    const recording = ['a', 'bb', 'ccc'].map((sub) => log.record([entry(sub)]).then(() => answered.push(sub)));
    // Not yet written when record() returns: the caller must await it before disclosing.
    expect(log.query()).toHaveLength(0);
    await Promise.all(recording);
    expect(answered).toEqual(['a', 'bb', 'ccc']);
    expect(log.query().map((e) => e.actor.sub)).toEqual(['a', 'bb', 'ccc']);
    expect(writes).toHaveBeenCalledTimes(1);
    log.close();
  });

  it('a caller whose entries overflow the backlog is refused alone; the others of its batch are kept', async () => {
    const log = new SqliteAccessLog(join(dir, 'access-log.sqlite'), { maxBacklog: 2, retryMs: 60_000 });
    connectionOf(log).pragma('query_only = ON');
    const outcomes = await Promise.allSettled([log.record([entry('a')]), log.record([entry('bb'), entry('ccc')]), log.record([entry('dddd')])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log.pending.entries).toBe(2);
    connectionOf(log).pragma('query_only = OFF');
    log.close();
    const reopened = new SqliteAccessLog(join(dir, 'access-log.sqlite'));
    expect(reopened.query().map((e) => e.actor.sub)).toEqual(['a', 'dddd']);
    reopened.close();
  });

  it('after each commit the access log probes the file system (a change it must still take); when the probe fails, the entries count as not written: backlog, written again once it passes, logged twice rather than lost', async () => {
    const log = new SqliteAccessLog(join(dir, 'access-log.sqlite'), { retryMs: 20 });
    const probes = () => readdirSync(dir).filter((name) => name.startsWith('.access-log-probe-'));
    await log.record([entry('a')]);
    expect(probes()).toEqual(['.access-log-probe-b']);
    await log.record([entry('bb')]);
    expect(probes()).toEqual(['.access-log-probe-a']);
    // The probe's next rename is refused by the file system (its target is a non-empty directory).
    mkdirSync(join(dir, '.access-log-probe-b', 'in-the-way'), { recursive: true });
    await log.record([entry('ccc')]);
    expect(log.pending).toEqual({ entries: 1, problem: 'io-error' });
    rmSync(join(dir, '.access-log-probe-b'), { recursive: true });
    for (let i = 0; i < 100 && log.pending.entries > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log.pending).toEqual({ entries: 0, problem: null });
    expect(log.query().map((e) => e.actor.sub)).toEqual(['a', 'bb', 'ccc', 'ccc']);
    expect(existsSync(join(dir, '.access-log-probe-b'))).toBe(true);
    log.close();
  });

  it('the access log writes its backlog by itself once the disk is back', async () => {
    const log = new SqliteAccessLog(join(dir, 'access-log.sqlite'), { retryMs: 20 });
    connectionOf(log).pragma('query_only = ON');
    await log.record([entry('a')]);
    expect(log.pending.entries).toBe(1);
    connectionOf(log).pragma('query_only = OFF');
    for (let i = 0; i < 100 && log.pending.entries > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log.pending.entries).toBe(0);
    expect(log.query()).toHaveLength(1);
    log.close();
  });
});
