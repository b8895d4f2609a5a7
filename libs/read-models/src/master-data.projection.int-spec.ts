import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject, RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { masterDataStream } from '@nws/workflows/connection-application/master-data/master-data.content';
import { applicationsProjection } from './applications.projection';
import { masterDataProjection } from './master-data.projection';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { ReadModelQueries } from './read-model.queries';

/**
 * Master data is an organ's (機関), not a code's: 東京都知事部局 and 東京都教育委員会 share 130001
 * but each has its own versions. The read model is keyed by (code, organ, version); a read-model
 * database built by the version keyed by code is dropped and rebuilt from position zero.
 */

const version = (code: string, kind: string, n: number, department: string, recordKind = true) => ({
  id: randomUUID(),
  type: 'MasterDataVersionRegistered',
  data: {
    organizationCode: code,
    ...(recordKind ? { organizationKind: kind } : {}),
    version: n,
    applicationId: `app-${kind}-${n}`,
    applicationNumber: null,
    category: '登録',
    contentHash: `sha256:${kind}-${n}`,
    content: { organization: { code, name: '東京都', kind }, contacts: [{ department }] },
    pendingDelegations: [],
    cause: { kind: 'approval' },
  } as JsonObject,
  metadata: { occurredAt: '2026-11-21T09:00:00.000Z' },
});

/** The projection as it was (version 1): keyed by code, so two organs' versions shared one numbering. */
const keyedByCode: Projection = {
  name: 'master-data',
  tables: ['master_data_versions', 'master_data_version_notes'],
  schema: `
    CREATE TABLE IF NOT EXISTS master_data_versions (organization_code TEXT NOT NULL, version INTEGER NOT NULL, application_id TEXT NOT NULL, application_number TEXT, category TEXT,
      content_hash TEXT NOT NULL, content TEXT NOT NULL, registered_at TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (organization_code, version));
    CREATE TABLE IF NOT EXISTS master_data_version_notes (organization_code TEXT NOT NULL, version INTEGER NOT NULL, pending_delegations TEXT NOT NULL, cause TEXT, PRIMARY KEY (organization_code, version));
  `,
  apply(db: Database.Database, event: RecordedEvent): void {
    const d = event.data as { organizationCode: string; version: number; applicationId: string; contentHash: string; content: unknown };
    db.prepare('INSERT INTO master_data_versions VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(d.organizationCode, d.version, d.applicationId, d.contentHash, JSON.stringify(d.content), event.recordedAt, event.position);
  },
};

describe('master-data read model: one set of versions per organ', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  function files() {
    const dir = mkdtempSync(join(tmpdir(), 'nws-master-data-rm-'));
    dirs.push(dir);
    return { events: join(dir, 'events.sqlite'), readModels: join(dir, 'read-models.sqlite') };
  }
  const departments = (rows: Array<{ content: unknown }>) => rows.map((r) => ((r.content as JsonObject)['contacts'] as JsonObject[])[0]!['department']);

  it('two organs of one code keep their own versions: the current of one is never the other’s', async () => {
    const paths = files();
    const store = new SqliteEventStore({ filename: paths.events });
    await store.append(masterDataStream('130001', '都道府県知事部局'), [version('130001', '都道府県知事部局', 1, '総務局')], 'no_stream');
    await store.append(masterDataStream('130001', '都道府県教育委員会'), [version('130001', '都道府県教育委員会', 1, '教育庁総務部')], 'no_stream');
    await store.append(masterDataStream('130001', '都道府県教育委員会'), [version('130001', '都道府県教育委員会', 2, '教育庁指導部')], 0);
    const runner = new ProjectionRunner(store, [applicationsProjection, masterDataProjection], { filename: paths.readModels });
    runner.start();
    expect(await runner.waitFor(await store.headPosition())).toBe(true);
    const queries = new ReadModelQueries(runner.db);

    expect(departments(queries.masterDataVersions('130001', '都道府県知事部局'))).toEqual(['総務局']);
    expect(departments(queries.masterDataVersions('130001', '都道府県教育委員会'))).toEqual(['教育庁総務部', '教育庁指導部']);
    expect(queries.currentMasterData('130001', '都道府県知事部局')).toMatchObject({ organizationKind: '都道府県知事部局', version: 1 });
    expect(queries.currentMasterData('130001', '都道府県教育委員会')).toMatchObject({ organizationKind: '都道府県教育委員会', version: 2, cause: { kind: 'approval' } });
    expect(queries.masterDataOrgans('130001')).toEqual([
      { organizationKind: '都道府県教育委員会', version: 2 },
      { organizationKind: '都道府県知事部局', version: 1 },
    ]);
    runner.close();
    await store.close();
  });

  it('a read model built keyed by code is dropped and rebuilt from position zero on start (projection version 2); versions without a recorded organ take it from their content', async () => {
    const paths = files();
    const store = new SqliteEventStore({ filename: paths.events });
    await store.append(masterDataStream('130001', '都道府県知事部局'), [version('130001', '都道府県知事部局', 1, '総務局', false)], 'no_stream');
    await store.append(masterDataStream('130001', '都道府県教育委員会'), [version('130001', '都道府県教育委員会', 1, '教育庁総務部')], 'no_stream');

    const old = new ProjectionRunner(store, [applicationsProjection, keyedByCode], { filename: paths.readModels });
    old.start();
    expect(await old.waitFor(await store.headPosition())).toBe(true);
    // Keyed by code, the board's version 1 was lost behind the governor department's.
    expect(old.db.prepare('SELECT count(*) AS n FROM master_data_versions').get()).toEqual({ n: 1 });
    const applicationsCheckpoint = old.checkpoint('applications');
    old.close();

    const runner = new ProjectionRunner(store, [applicationsProjection, masterDataProjection], { filename: paths.readModels });
    expect(runner.checkpoint('master-data')).toBe(0);
    expect(runner.checkpoint('applications')).toBe(applicationsCheckpoint);
    const columns = (runner.db.prepare("SELECT name FROM pragma_table_info('master_data_versions')").all() as Array<{ name: string }>).map((c) => c.name);
    expect(columns).toContain('organization_kind');
    runner.start();
    expect(await runner.waitFor(await store.headPosition())).toBe(true);
    const queries = new ReadModelQueries(runner.db);
    expect(departments(queries.masterDataVersions('130001', '都道府県知事部局'))).toEqual(['総務局']);
    expect(departments(queries.masterDataVersions('130001', '都道府県教育委員会'))).toEqual(['教育庁総務部']);
    runner.close();

    // Started again at the same version: nothing is dropped, it resumes from its checkpoint.
    const again = new ProjectionRunner(store, [applicationsProjection, masterDataProjection], { filename: paths.readModels });
    expect(again.checkpoint('master-data')).toBe(await store.headPosition());
    expect(new ReadModelQueries(again.db).masterDataOrgans('130001')).toHaveLength(2);
    again.close();
    await store.close();
  });
});
