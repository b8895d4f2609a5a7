import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { SqliteAccessLog, type AccessLogEntry } from './access-log';

const entry = (n: number, subjectIds: string[], applicationId: string | null): AccessLogEntry => ({
  at: new Date(Date.UTC(2026, 11, 6, 0, 0, n)).toISOString(),
  actor: { sub: `reader-${n}`, org: 'MIC', role: 'auditor' },
  purpose: 'audit',
  reference: null,
  method: 'GET',
  route: '/applications/:id',
  organizationCode: '132012',
  applicationId,
  subjectIds,
  fields: ['forms.02-02.data.normalContacts[0].phone'],
  requestId: null,
});

/** 30 entries: subject ps-a in every third, ps-b in every fifth, application app-1 in even ones. */
const thirty = () => Array.from({ length: 30 }, (_, i) => entry(i, [...(i % 3 === 0 ? ['ps-a'] : []), ...(i % 5 === 0 ? ['ps-b'] : []), 'ps-c'], i % 2 === 0 ? 'app-1' : null));
const readers = (rows: ReadonlyArray<{ actor: { sub: string } }>) => rows.map((row) => Number(row.actor.sub.slice('reader-'.length)));
const expected = (keep: (i: number) => boolean) => Array.from({ length: 30 }, (_, i) => i).filter(keep);

describe('the access log: queries by subject and application through the indexer', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-access-index-'));
    file = join(dir, 'access-log.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given entries on both sides of the watermark, when queried by subject or application, then each entry comes once, in order, pages included', async () => {
    const log = new SqliteAccessLog(file, { indexDelayMs: false });
    const entries = thirty();
    await log.record(entries.slice(0, 12));
    expect(log.catchUpIndex()).toBe(12);
    await log.record(entries.slice(12));
    for (const [query, keep] of [
      [{ subjectId: 'ps-a' }, (i: number) => i % 3 === 0],
      [{ subjectId: 'ps-b' }, (i: number) => i % 5 === 0],
      [{ applicationId: 'app-1' }, (i: number) => i % 2 === 0],
      [{ subjectId: 'ps-a', applicationId: 'app-1' }, (i: number) => i % 6 === 0],
    ] as const) {
      expect(readers(log.query(query))).toEqual(expected(keep));
      expect(readers(log.query({ ...query, offset: 2, limit: 3 }))).toEqual(expected(keep).slice(2, 5));
    }
    expect(log.query({ subjectId: 'ps-unknown' })).toEqual([]);
    // The same answers once everything is indexed.
    expect(log.catchUpIndex()).toBe(30);
    expect(readers(log.query({ subjectId: 'ps-a' }))).toEqual(expected((i) => i % 3 === 0));
    expect(readers(log.query({ applicationId: 'app-1', limit: 4 }))).toEqual([0, 2, 4, 6]);
    log.close();
  });

  it('finds entries up to the watermark through the derived tables (a row missing there hides its entry), and checks each against the entry itself (a planted row finds nothing)', async () => {
    const log = new SqliteAccessLog(file, { indexDelayMs: false });
    await log.record(thirty().slice(0, 10));
    log.catchUpIndex();
    const raw = new Database(file);
    // Below the watermark the derived tables decide which entries are looked at: no scan.
    raw.prepare('DELETE FROM personal_data_access_by_subject WHERE subject_id = ? AND seq = ?').run('ps-b', 6);
    raw.prepare('DELETE FROM personal_data_access_by_application WHERE application_id = ? AND seq = ?').run('app-1', 3);
    // …but an entry they point at that is not the person's or the application's is not returned.
    raw.prepare('INSERT INTO personal_data_access_by_subject (subject_id, seq) VALUES (?, ?)').run('ps-b', 2);
    raw.prepare('INSERT INTO personal_data_access_by_application (application_id, seq) VALUES (?, ?)').run('app-1', 4);
    raw.close();
    expect(log.query({ subjectId: 'ps-b' }).map((row) => row.seq)).toEqual([1]);
    expect(log.query({ applicationId: 'app-1' }).map((row) => row.seq)).toEqual([1, 5, 7, 9]);
    log.close();
  });

  it('indexes by itself shortly after entries are written, in steps, and stops with close()', async () => {
    const log = new SqliteAccessLog(file, { indexDelayMs: 1, indexStep: 7 });
    await log.record(thirty());
    const raw = new Database(file, { readonly: true });
    const watermark = () => raw.prepare('SELECT up_to FROM personal_data_access_indexed').pluck().get() as number;
    for (let waited = 0; watermark() < 30 && waited < 10_000; waited += 10) await delay(10);
    expect(watermark()).toBe(30);
    expect(raw.prepare('SELECT count(*) FROM personal_data_access_by_subject').pluck().get()).toBe(30 + 10 + 6);
    expect(raw.prepare('SELECT count(*) FROM personal_data_access_by_application').pluck().get()).toBe(15);
    raw.close();
    log.close();
  });

  it('by default, reads logged a few at a time tens of ms apart (an approval every ~45 ms) are indexed together in one step, not one step each', async () => {
    const log = new SqliteAccessLog(file);
    const raw = new Database(file, { readonly: true });
    const watermark = () => raw.prepare('SELECT up_to FROM personal_data_access_indexed').pluck().get() as number;
    const seen = new Set<number>();
    const entries = thirty();
    for (let i = 0; i < 3; i++) {
      await log.record(entries.slice(i * 3, i * 3 + 3));
      await delay(45);
      seen.add(watermark());
    }
    for (let waited = 0; watermark() < 9 && waited < 5_000; waited += 10) await delay(10);
    seen.add(watermark());
    // One step took all nine: the watermark went from 0 to 9 with nothing in between.
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 9]);
    raw.close();
    log.close();
  });

  it('a step the disk refuses is tried again after a pause, without waiting for another logged read', async () => {
    const log = new SqliteAccessLog(file, { indexDelayMs: 1, retryMs: 50 });
    await log.record(thirty());
    // Before the first step runs (it waits for a timer): the file takes no writes now.
    const db = (log as unknown as { db: Database.Database }).db;
    db.pragma('query_only = ON');
    await delay(40);
    expect(log.unindexed).toBe(30);
    db.pragma('query_only = OFF');
    for (let waited = 0; log.unindexed > 0 && waited < 5_000; waited += 10) await delay(10);
    expect(log.unindexed).toBe(0);
    log.close();
  });

  it('a log written before the index existed is indexed on open, and answers the same meanwhile', async () => {
    const old = new SqliteAccessLog(file, { indexDelayMs: false });
    await old.record(thirty());
    old.close();
    // As a file from before this version: no derived tables (the log itself is untouched).
    const raw = new Database(file);
    raw.exec('DROP TABLE personal_data_access_by_subject; DROP TABLE personal_data_access_by_application; DROP TABLE personal_data_access_indexed;');
    raw.close();
    const log = new SqliteAccessLog(file, { indexDelayMs: false });
    expect(readers(log.query({ subjectId: 'ps-b' }))).toEqual(expected((i) => i % 5 === 0));
    expect(log.catchUpIndex()).toBe(30);
    expect(readers(log.query({ subjectId: 'ps-b' }))).toEqual(expected((i) => i % 5 === 0));
    log.close();
  });
});
