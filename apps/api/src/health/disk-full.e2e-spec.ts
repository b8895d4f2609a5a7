import { Logger } from '@nestjs/common';
import { eventually } from '../testing/eventually';
import type { EventStore } from '@nws/event-store';
import type { SqliteEventStore } from '@nws/event-store/sqlite';
import type { ProjectionRunner } from '@nws/read-models';
import { EVENT_STORE, PROJECTION_RUNNER } from '../infrastructure/tokens';
import { Driver } from '../testing/drive';
import { sqliteAdapter } from '../testing/sqlite-adapter';
import { TestServer } from '../testing/test-server';

/** The disk's problems are seen by timers and retries: probed less often, waited for longer. */
const eventuallySlow = <T>(probe: () => Promise<T>, done: (value: T) => boolean) => eventually(probe, done, { timeoutMs: 15_000, everyMs: 50 });

/**
 * Portable (any OS, no root): a real SQLITE_FULL from the store's own connection, capped with
 * PRAGMA max_page_count, behind the real HTTP stack. The same on a real full disk (tmpfs) is
 * disk-trouble.e2e-spec.ts.
 */
describe('a full event store or read-model database (HTTP)', () => {
  let server: TestServer;
  let driver: Driver;
  let store: SqliteEventStore;
  let runner: ProjectionRunner;

  beforeAll(async () => {
    server = await TestServer.start({ env: { PROJECTION_RETRY_DELAY_MS: '10' } });
    driver = new Driver(server);
    store = sqliteAdapter(server.app.get<EventStore>(EVENT_STORE));
    runner = server.app.get<ProjectionRunner>(PROJECTION_RUNNER);
  });
  afterAll(() => server.stop());

  it('refuses writes with 503 STORAGE_UNAVAILABLE + Retry-After and records nothing, keeps answering reads, and takes writes again once there is room', async () => {
    const id = await driver.draftWithForms();
    const { create, forms } = await driver.examples();
    const head = await store.headPosition();
    const before = await driver.as('applicant', 'GET', `/applications/${id}/history`);

    const warnings = jest.spyOn(Logger.prototype, 'warn');
    store.setPageLimit(store.pageCount());
    const refused = await driver.as('applicant', 'POST', '/applications', create);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.body).toMatchObject({ statusCode: 503, code: 'STORAGE_UNAVAILABLE', storage: 'full' });
    expect(refused.body.messages.ja).toMatch(/ディスクの空き容量が不足.*操作は記録されていません/);
    expect(refused.body.messages.en).toMatch(/disk is full.*nothing was recorded/);
    const submit = await driver.act('applicant', id, 'submit', {}, { 'Idempotency-Key': 'submit-during-full-disk' });
    expect(submit.status).toBe(503);
    const form = await driver.as('applicant', 'PUT', `/applications/${id}/forms/${forms[0]!.code}`, forms[0]!.example);
    expect(form.status).toBe(503);
    expect(await store.headPosition()).toBe(head);

    // Reads go on.
    expect((await driver.as('applicant', 'GET', `/applications/${id}`)).body.state).toBe('draft');
    expect((await driver.as('applicant', 'GET', `/applications/${id}/history`)).body).toEqual(before.body);
    expect((await driver.as('applicant', 'GET', '/applications')).status).toBe(200);
    expect((await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first')).status).toBe(200);
    expect((await driver.as('applicant', 'GET', '/workflows/connection-application')).status).toBe(200);
    const health = await server.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', storage: { state: 'full', writesAccepted: false, dataDir: 'ok', eventStore: { problem: 'full' } } });
    const metrics = (await server.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/^nws_storage_writable 0$/m);
    expect(metrics).toMatch(/^nws_storage_refused_writes_total\{problem="full"\} 3$/m);
    // Said once for the three (every 10 s at most, with how many since): a full disk under load logged a line per write.
    expect(warnings.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('→ 503'))).toHaveLength(1);
    warnings.mockRestore();

    // Room again: the same requests succeed, without a restart.
    store.setPageLimit(undefined);
    const submitted = await driver.act('applicant', id, 'submit', {}, { 'Idempotency-Key': 'submit-during-full-disk' });
    expect(submitted.status).toBe(200);
    expect(submitted.body.state).toBe('firstReview');
    expect((await driver.as('applicant', 'POST', '/applications', create)).status).toBe(201);
    const healthy = await server.request('GET', '/health');
    expect(healthy.body).toMatchObject({ status: 'ok', storage: { state: 'ok', writesAccepted: true, eventStore: null } });
    expect((await server.request('GET', '/metrics')).body).toMatch(/^nws_storage_writable 1$/m);
  });

  it('a full read-model database stalls the projections (reads answer, stale), drops nothing, and catches up when it has room', async () => {
    const { create } = await driver.examples();
    runner.db.pragma(`max_page_count = ${Number(runner.db.pragma('page_count', { simple: true }))}`);
    // Writes to the events still succeed: only the read models are behind.
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const created = await driver.as('applicant', 'POST', '/applications', create);
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const stalled = await eventuallySlow(
      () => server.request('GET', '/health'),
      (r) => r.body.projections.state === 'stalled',
    );
    expect(stalled.body).toMatchObject({ status: 'degraded', storage: { state: 'full', readModels: { problem: 'full' } } });
    const list = await driver.as('applicant', 'GET', '/applications');
    expect(list.status).toBe(200);
    expect((list.body as Array<{ id: string }>).filter((a) => ids.includes(a.id)).length).toBeLessThan(ids.length);

    runner.db.pragma('max_page_count = 4294967294');
    const caughtUp = await eventuallySlow(
      () => driver.as('applicant', 'GET', '/applications'),
      (r) => ids.every((id) => (r.body as Array<{ id: string }>).some((a) => a.id === id)),
    );
    expect(caughtUp.status).toBe(200);
    expect((await server.request('GET', '/health')).body).toMatchObject({ status: 'ok', projections: { state: 'running', lagEvents: 0 } });
  });
});
