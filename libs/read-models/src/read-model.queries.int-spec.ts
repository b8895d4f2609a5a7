import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { listScope } from '@nws/workflows';
import { ALL_PROJECTIONS } from './index';
import { ProjectionRunner } from './projection-runner';
import { ReadModelQueries, type ApplicationFilter } from './read-model.queries';

/**
 * The lists and queues people open all day are read through an index in their own order, at any
 * number of applications: no query of them scans the table or sorts it (MIC's list scanned and
 * sorted every application in the country, 41 ms at 50,000). Checked on SQLite's own plan of the
 * SQL the queries send, so it holds however many rows a test has.
 */
describe('read-model queries use an index in their order', () => {
  let dir: string;
  let store: SqliteEventStore;
  let runner: ProjectionRunner;
  let sent: string[];
  let queries: ReadModelQueries;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nws-queries-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    runner = new ProjectionRunner(store, ALL_PROJECTIONS, { filename: join(dir, 'read-models.sqlite') });
    // The SQL each query prepares, to ask SQLite how it would run it.
    const db = runner.db;
    const prepare = db.prepare.bind(db);
    sent = [];
    queries = new ReadModelQueries(Object.assign(Object.create(db) as Database.Database, { prepare: (sql: string) => (sent.push(sql), prepare(sql)) }));
  });
  afterAll(async () => {
    runner.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = (sql: string, params: readonly unknown[]) =>
    (runner.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((row) => row.detail).join('; ');

  it.each([
    ['an applicant', { sub: 'a', org: '132012', role: 'applicant' }, 'applications_by_org'],
    ['a prefecture’s reviewer', { sub: 'p', org: '130001', role: 'first-reviewer' }, 'applications_by_first_reviewer'],
    ['MIC’s reviewer', { sub: 'm', org: 'MIC', role: 'second-reviewer' }, 'applications_by_second_reviewer'],
    ['an auditor', { sub: 'x', org: 'MIC', role: 'auditor' }, 'applications_by_created'],
    ['the distributor', { sub: 'd', org: 'MIC', role: 'distributor' }, 'applications_by_created'],
  ] as const)('the list of %s', (_who, actor, index) => {
    const scope = listScope(actor) as ApplicationFilter;
    sent.length = 0;
    queries.applications({ ...scope, limit: 100, offset: 0 });
    const sql = sent.at(-1)!;
    const params = [...Object.values(scope).flat().filter((v) => typeof v !== 'boolean'), 100, 0];
    const how = plan(sql, params);
    expect(how).toContain(`USING INDEX ${index}`);
    expect(how).not.toContain('TEMP B-TREE');
  });

  it('a 申請番号 looked up within any scope', () => {
    for (const actor of [{ sub: 'x', org: 'MIC', role: 'auditor' }, { sub: 'p', org: '130001', role: 'first-reviewer' }] as const) {
      const filter = { ...(listScope(actor) as ApplicationFilter), applicationNumber: '20261208-132012-AFEA8A' };
      sent.length = 0;
      queries.applications({ ...filter, limit: 100, offset: 0 });
      expect(plan(sent.at(-1)!, [...Object.values(filter).flat().filter((v) => typeof v !== 'boolean'), 100, 0])).toContain('USING INDEX applications_by_number');
    }
  });

  it.each([
    ['a reviewer’s queue', '130001', 'applications_waiting_at'],
    ['an auditor’s queue (every body)', undefined, 'applications_waiting'],
  ] as const)('%s', (_what, org, index) => {
    sent.length = 0;
    queries.reviewQueue('first', org, { limit: 50, offset: 0 });
    const [page, count] = sent.slice(-2);
    const params = org === undefined ? ['first'] : ['first', org];
    const how = plan(page!, [...params, 50, 0]);
    expect(how).toContain(`USING INDEX ${index}`);
    expect(how).not.toContain('TEMP B-TREE');
    expect(plan(count!, params)).toContain(`USING COVERING INDEX ${index}`);
  });

  it('a database from before these indexes gets them when opened, and loses the ones they replace', () => {
    // given a read-model file with the old index and none of the new ones
    const old = join(dir, 'old-read-models.sqlite');
    const before = new ProjectionRunner(store, ALL_PROJECTIONS, { filename: old });
    before.db.exec(
      'DROP INDEX applications_by_org; DROP INDEX applications_by_created; DROP INDEX applications_waiting_at; CREATE INDEX applications_org ON applications (organization_code, updated_at); CREATE INDEX applications_queue ON applications (waiting_org, waiting_stage, updated_at)',
    );
    before.close();
    // when the runner opens it again
    const after = new ProjectionRunner(store, ALL_PROJECTIONS, { filename: old });
    const indexes = (after.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'applications' AND sql IS NOT NULL ORDER BY name`).all() as Array<{ name: string }>).map((row) => row.name);
    after.close();
    // then it has the new ones and not the old
    expect(indexes).toEqual(['applications_by_created', 'applications_by_first_reviewer', 'applications_by_number', 'applications_by_org', 'applications_by_second_reviewer', 'applications_waiting', 'applications_waiting_at']);
  });
});
