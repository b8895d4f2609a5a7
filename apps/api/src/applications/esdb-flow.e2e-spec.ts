import { startEsdbStandIn, type EsdbStandIn } from '../../../../test/esdb-stand-in/start-stand-in';
import type { ProjectionRunner } from '@nws/read-models';
import { PROJECTION_RUNNER } from '../infrastructure/tokens';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * The foundation's end-to-end flow with EVENT_STORE=esdb: a real Nest app on a real port, the real
 * @eventstore/db-client over gRPC, against the wire-compatible stand-in in its own process.
 */
describe('applications over HTTP on EventStoreDB (stand-in, real client over gRPC)', () => {
  let standIn: EsdbStandIn;
  let server: TestServer;
  let driver: Driver;

  beforeAll(async () => {
    standIn = await startEsdbStandIn();
    server = await TestServer.start({ env: { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: standIn.connectionString } });
    driver = new Driver(server);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await standIn?.stop();
  });

  it('drives an application through both reviews to distributed; queues and master data come from projections over $all', async () => {
    const health = await server.request('GET', '/health');
    expect(health.body.eventStore.kind).toBe('esdb');
    const id = await driver.draftWithForms();
    expect((await driver.act('applicant', id, 'submit')).body.state).toBe('firstReview');
    expect((await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first')).body.items.map((i: { id: string }) => i.id)).toContain(id);
    expect((await driver.act('prefectureReviewer', id, 'approve')).body.state).toBe('secondReview');
    const second = await driver.act('micReviewer', id, 'approve');
    expect(second.body).toMatchObject({ state: 'masterDataRegistered', masterData: { version: 1 } });
    expect((await driver.as('distributor', 'GET', '/master-data/organizations/132012')).body.version).toBe(1);
    expect((await driver.act('distributor', id, 'confirm-distribution')).body.state).toBe('distributed');
    const history = await driver.as('auditor', 'GET', `/applications/${id}/history`);
    expect(history.body.events.map((e: { type: string }) => e.type).slice(-4)).toEqual(['FirstReviewApproved', 'SecondReviewApproved', 'MasterDataRegistered', 'MasterDataDistributed']);
  });

  it('two concurrent approvals with the same If-Match: one success, one 412', async () => {
    const id = await driver.draftWithForms();
    const submitted = await driver.act('applicant', id, 'submit');
    const etag = submitted.headers.get('etag')!;
    const results = await Promise.all([
      driver.act('prefectureReviewer', id, 'approve', {}, { 'if-match': etag }),
      driver.act('prefectureReviewer', id, 'approve', {}, { 'if-match': etag }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it('one Idempotency-Key on two different creates sent at once: one 201, one 422, never the other request’s application reported as the caller’s', async () => {
    for (let round = 0; round < 3; round++) {
      const key = { 'idempotency-key': `esdb-race-create-${round}-${Date.now()}` };
      const bodies = ['登録', '接続'].map((category) => ({ workflow: 'connection-application', organizationCode: '132021', category }));
      const creates = await Promise.all(bodies.map((body) => driver.as('otherApplicant', 'POST', '/applications', body, key)));
      expect([round, creates.map((c) => c.status).sort()]).toEqual([round, [201, 422]]);
      const taken = creates.find((c) => c.status === 201)!;
      expect(taken.body.category).toBe(bodies[creates.indexOf(taken)]!.category);
    }
  });

  it('account requests naming one address approved at once: one approved (the claim in the organ\u2019s list is appended at the revision checked, which EventStoreDB enforces too)', async () => {
    const definition = (await driver.as('applicant', 'GET', '/workflows/account-request')).body;
    const form = definition.forms[0];
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = (await driver.as('applicant', 'POST', '/applications', definition.create.example)).body.id as string;
      const holders = form.example.holders.map((h: object) => ({ ...h, email: 'douji-esdb@city.hachioji.tokyo.jp' }));
      expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, { ...form.example, holders })).status).toBe(200);
      for (const [who, action] of [['applicant', 'submit'], ['prefectureReviewer', 'approve']] as const) expect((await driver.act(who, id, action)).status).toBe(200);
      ids.push(id);
    }
    const answers = await Promise.all(ids.map((id) => driver.act('micReviewer', id, 'approve')));
    expect(answers.map((a) => [a.status, a.body.violations?.map((v: { rule: string }) => v.rule) ?? a.body.state]).sort()).toEqual([[200, 'approved'], [400, ['oneAccountPerAddress']], [400, ['oneAccountPerAddress']]]);
    expect((await driver.act('micReviewer', ids[answers.findIndex((a) => a.status === 200)]!, 'issue-account')).body.state).toBe('accountIssued');
  }, 60_000);

  it('transient faults during approvals lose no acknowledged transition and duplicate nothing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await driver.draftWithForms();
      await driver.act('applicant', id, 'submit');
      ids.push(id);
    }
    await standIn.inject({ kind: 'unavailable', times: 2 });
    await standIn.inject({ kind: 'deadline-exceeded', times: 1, afterCommit: true });
    await standIn.inject({ kind: 'not-leader', times: 1 });
    const results = await Promise.all(ids.map((id) => driver.act('prefectureReviewer', id, 'approve')));
    for (const [index, result] of results.entries()) {
      const history = await driver.as('auditor', 'GET', `/applications/${ids[index]}/history`);
      const approvals = history.body.events.filter((e: { type: string }) => e.type === 'FirstReviewApproved').length;
      if (result.status === 200) expect(approvals).toBe(1);
      else {
        // Not acknowledged: a 503 with a retry hint, never a 500; a retry then succeeds once.
        expect(result.status).toBe(503);
        expect(result.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(approvals).toBeLessThanOrEqual(1);
      }
    }
  });

  it('/health answers 200 degraded while the store is unreachable, and ok again after', async () => {
    await standIn.inject({ kind: 'unavailable', times: 1000, operations: ['read'] });
    const during = await server.request('GET', '/health');
    await standIn.clearFaults();
    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({ status: 'degraded', eventStore: { kind: 'esdb', reachable: false, headPosition: null }, projections: { lagEvents: null } });
    expect(during.body.eventStore.problem).toEqual(expect.any(String));
    const after = await server.request('GET', '/health');
    expect(after.body).toMatchObject({ status: 'ok', eventStore: { reachable: true, headPosition: expect.any(Number) } });
  }, 30_000);

  it('a persistent outage answers 503 with Retry-After and records nothing', async () => {
    const id = await driver.draftWithForms();
    const before = (await driver.as('auditor', 'GET', `/applications/${id}/history`)).body.events.length;
    await standIn.inject({ kind: 'unavailable', times: 1000, operations: ['append'] });
    const response = await driver.act('applicant', id, 'submit');
    await standIn.clearFaults();
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('EVENT_STORE_UNAVAILABLE');
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await driver.as('auditor', 'GET', `/applications/${id}/history`)).body.events.length).toBe(before);
    expect((await driver.act('applicant', id, 'submit')).body.state).toBe('firstReview');
  }, 60_000);

  it('read-your-writes counts events, not log bytes: a list read while the read models are 20 creates behind waits for them', async () => {
    const body = { workflow: 'connection-application', organizationCode: '132021', category: '接続' };
    const create = async () => (await driver.as('otherApplicant', 'POST', '/applications', body)).body.id as string;
    for (let i = 0; i < 3; i++) await create();
    const runner = server.app.get<ProjectionRunner>(PROJECTION_RUNNER);
    // The read models held back while 20 applications are created: some 20 events, tens of kilobytes of EventStoreDB's log.
    runner.stop();
    const ids: string[] = [];
    try {
      for (let i = 0; i < 20; i++) ids.push(await create());
    } finally {
      const listing = driver.as('otherApplicant', 'GET', '/applications?limit=1000');
      await new Promise((r) => setTimeout(r, 50));
      runner.start();
      const listed = new Set(((await listing).body as Array<{ id: string }>).map((row) => row.id));
      expect(ids.filter((id) => !listed.has(id))).toEqual([]);
    }
    // Positions on EventStoreDB are byte offsets: the lag is said in events, and once applied it is none.
    const health = (await server.request('GET', '/health')).body as { eventStore: { headPosition: number }; projections: { lagEvents: number } };
    expect(health.eventStore.headPosition).toBeGreaterThan(10_000);
    expect(health.projections.lagEvents).toBe(0);
  }, 60_000);

  it('GET /metrics answers while the store is unreachable: the store said unreachable, the lag unknown (NaN), every other figure there', async () => {
    await standIn.inject({ kind: 'unavailable', times: 1000, operations: ['read'] });
    const during = await server.request('GET', '/metrics');
    await standIn.clearFaults();
    expect(during.status).toBe(200);
    expect(during.body).toMatch(/^nws_event_store_reachable 0$/m);
    // prom-client writes NaN as "Nan"; Prometheus reads either (Go's ParseFloat).
    expect(during.body).toMatch(/^nws_projection_lag_events NaN$/im);
    expect(during.body).toMatch(/^# TYPE nws_transitions_total counter$/m);
    const after = await server.request('GET', '/metrics');
    expect(after.body).toMatch(/^nws_event_store_reachable 1$/m);
    expect(after.body).toMatch(/^nws_projection_lag_events \d+$/m);
  }, 60_000);
});
