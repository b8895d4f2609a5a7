import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowEngine, WorkflowRegistry } from '@nws/engine';
import { loadRuntimeConfig } from '@nws/runtime';
import { ALL_PROJECTIONS, ProjectionRunner, ReadModelQueries } from '@nws/read-models';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { READ_MODELS_FILE, createEventStore } from '@nws/event-store/create-event-store';
import { Driver, actors } from '../testing/drive';
import { TestServer } from '../testing/test-server';

describe('durability across restarts (real port, files on disk)', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'nws-restart-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('after a restart the application, its history and the queues are unchanged', async () => {
    const first = await TestServer.start({ dataDir });
    const driver = new Driver(first);
    const waiting = await driver.draftWithForms();
    await driver.act('applicant', waiting, 'submit');
    const inSecond = await driver.draftWithForms();
    await driver.act('applicant', inSecond, 'submit');
    await driver.act('prefectureReviewer', inSecond, 'approve');
    const snapshot = async (d: Driver) => ({
      application: (await d.as('auditor', 'GET', `/applications/${inSecond}`)).body,
      history: (await d.as('auditor', 'GET', `/applications/${inSecond}/history`)).body,
      firstQueue: (await d.as('prefectureReviewer', 'GET', '/review-queue?stage=first')).body,
      secondQueue: (await d.as('micReviewer', 'GET', '/review-queue?stage=second')).body,
      list: (await d.as('auditor', 'GET', '/applications')).body,
    });
    const before = await snapshot(driver);
    expect(before.firstQueue.items.map((i: { id: string }) => i.id)).toEqual([waiting]);
    expect(before.secondQueue.items.map((i: { id: string }) => i.id)).toEqual([inSecond]);
    await first.stop(false);

    const second = await TestServer.start({ dataDir });
    const after = await snapshot(new Driver(second));
    expect(after).toEqual(before);
    // and the restarted service keeps working on the same application
    const approved = await new Driver(second).act('micReviewer', inSecond, 'approve');
    expect(approved.body.state).toBe('masterDataRegistered');
    await second.stop(false);
  });

  it('a second approval whose master-data registration was cut off is completed by the reactor after restart', async () => {
    const first = await TestServer.start({ dataDir });
    const driver = new Driver(first);
    const id = await driver.draftWithForms();
    await driver.act('applicant', id, 'submit');
    await driver.act('prefectureReviewer', id, 'approve');
    await first.stop(false);

    // The process dies right after appending SecondReviewApproved: no reaction ran.
    const store = await createEventStore(loadRuntimeConfig({ DATA_DIR: dataDir }));
    const crashing = new WorkflowEngine(store, new WorkflowRegistry([{ ...connectionApplicationV1, reactions: [] }]));
    const cut = await crashing.execute(id, 'approve', {}, { actor: actors.micReviewer, now: new Date().toISOString(), commandId: 'c-approve', correlationId: 'c' });
    expect(cut.state).toBe('approved');
    await store.close();

    const second = await TestServer.start({ dataDir });
    const after = new Driver(second);
    let state = '';
    for (let i = 0; i < 100 && state !== 'masterDataRegistered'; i++) {
      state = (await after.as('auditor', 'GET', `/applications/${id}`)).body.state;
      if (state !== 'masterDataRegistered') await new Promise((r) => setTimeout(r, 20));
    }
    expect(state).toBe('masterDataRegistered');
    expect((await after.as('auditor', 'GET', '/master-data/organizations/132012')).body.version).toBe(1);
    await second.stop(false);
  });

  it('rebuilding the projections from position zero yields identical read models', async () => {
    const server = await TestServer.start({ dataDir });
    const driver = new Driver(server);
    for (let i = 0; i < 3; i++) {
      const id = await driver.draftWithForms();
      await driver.act('applicant', id, 'submit');
      if (i > 0) await driver.act('prefectureReviewer', id, 'approve');
      if (i > 1) await driver.act('micReviewer', id, 'approve');
    }
    await driver.as('auditor', 'GET', '/applications');
    await server.stop(false);

    // Opened exactly as the API opens it (hash chain, personal-data decryption).
    const store = await createEventStore(loadRuntimeConfig({ DATA_DIR: dataDir }));
    const runner = new ProjectionRunner(store, ALL_PROJECTIONS, { filename: join(dataDir, READ_MODELS_FILE) });
    const tables = ALL_PROJECTIONS.flatMap((p) => p.tables);
    const queries = new ReadModelQueries(runner.db);
    const before = queries.dump(tables);
    expect(before['applications']).toHaveLength(3);
    expect(before['master_data_versions']).toHaveLength(1);
    const result = await runner.rebuild();
    expect(result.events).toBe(await store.headPosition());
    expect(queries.dump(tables)).toEqual(before);
    runner.close();
    await store.close();
  });
});
