import { eventually } from '../testing/eventually';
import type { Actor } from '@nws/engine';
import { failStateChangesOf } from './testing/injected-fault';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

const operator: Actor = { sub: 'ops-1', org: 'MIC', role: 'operator' };

/**
 * A real fault in the real `applications` projection: a trigger in the read-model database makes
 * its UPDATE fail on one event (the submission), exactly as a bug in the handler would. The
 * event is retried, parked, reported at /projections, /health and /metrics, and replayed by an
 * operator once the fault is gone.
 */
describe('a projection that keeps failing on one event (HTTP)', () => {
  let server: TestServer;
  let driver: Driver;
  let operatorToken: string;

  beforeAll(async () => {
    server = await TestServer.start({ env: { PROJECTION_RETRY_DELAY_MS: '10', PROJECTION_MAX_ATTEMPTS: '3' } });
    driver = new Driver(server);
    operatorToken = await server.token(operator);
  });
  afterAll(() => server.stop());

  it('is parked and visible over HTTP, other applications go on, and an operator replays it after the fix', async () => {
    const id = await driver.draftWithForms();
    const fix = failStateChangesOf(server, id);

    const submitted = await driver.act('applicant', id, 'submit');
    expect(submitted.status).toBe(200);
    const history = await driver.as('applicant', 'GET', `/applications/${id}/history`);
    const submitEvent = (history.body.events as Array<{ position: number; type: string }>).at(-1)!;

    const status = await eventually(
      () => server.request('GET', '/projections', { token: operatorToken }),
      (r) => r.body?.parked?.applications?.failed === 1,
    );
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ state: 'running', parked: { applications: { failed: 1, held: 0 }, 'master-data': { failed: 0, held: 0 } } });
    // The checkpoint moved past the parked event (with its parked row), so nothing waits behind it.
    expect(status.body.checkpoints.applications).toBeGreaterThanOrEqual(submitEvent.position);

    const parked = await server.request('GET', '/projections/parked', { token: operatorToken });
    expect(parked.status).toBe(200);
    expect(parked.body.items).toEqual([
      expect.objectContaining({
        projection: 'applications',
        position: submitEvent.position,
        streamId: `application-${id}`,
        type: submitEvent.type,
        reason: 'failed',
        attempts: 3,
        error: expect.stringContaining('injected projection fault'),
      }),
    ]);
    expect((await server.request('GET', '/projections/parked?projection=applications', { token: operatorToken })).body.items).toHaveLength(1);
    // A projection that does not exist is a typo, refused naming those that do: not an empty page, not a 404 for the replay.
    for (const [method, path] of [['GET', '/projections/parked?projection=application'], ['POST', `/projections/parked/${submitEvent.position}/replay?projection=application`]] as const) {
      const typo = await server.request(method, path, { token: operatorToken, ...(method === 'POST' ? { body: {} } : {}) });
      expect({ path, status: typo.status, violations: typo.body.violations }).toEqual({
        path,
        status: 400,
        violations: [{ field: 'projection', rule: 'isIn', message: { ja: 'projection: 投影は 「applications」, 「master-data」 のいずれかです。', en: 'projection: must be one of "applications", "master-data"' } }],
      });
    }
    // Auditors read it too; nobody else.
    expect((await driver.as('auditor', 'GET', '/projections/parked')).status).toBe(200);
    expect((await driver.as('applicant', 'GET', '/projections/parked')).status).toBe(403);
    expect((await driver.as('applicant', 'GET', '/projections')).status).toBe(403);

    const health = await server.request('GET', '/health');
    expect(health.body).toMatchObject({ status: 'degraded', projections: { parked: { applications: { failed: 1, held: 0 } } }, storage: { state: 'ok' } });
    const metrics = (await server.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/^nws_projection_parked_events\{projection="applications",reason="failed"\} 1$/m);
    expect(metrics).toMatch(/^nws_projection_faults_total\{projection="applications",outcome="retry"\} 2$/m);
    expect(metrics).toMatch(/^nws_projection_faults_total\{projection="applications",outcome="parked"\} 1$/m);

    // The list is stale for this application (the submission is parked, not skipped silently)…
    const stale = await driver.as('applicant', 'GET', '/applications');
    expect((stale.body as Array<{ id: string; state: string }>).find((a) => a.id === id)?.state).toBe('draft');
    // …while other applications go on.
    const other = await driver.draftWithForms();
    const list = await eventually(
      () => driver.as('applicant', 'GET', '/applications'),
      (r) => (r.body as Array<{ id: string }>).some((a) => a.id === other),
    );
    expect(list.status).toBe(200);

    // Only an operator replays; while the fault is still there it fails again and stays parked.
    expect((await driver.as('auditor', 'POST', `/projections/parked/${submitEvent.position}/replay`)).status).toBe(403);
    const failedAgain = await server.request('POST', `/projections/parked/${submitEvent.position}/replay`, { token: operatorToken });
    expect(failedAgain.status).toBe(409);
    expect(failedAgain.body.messages.en).toMatch(/failed again.*injected projection fault/);
    expect((await server.request('GET', '/projections/parked', { token: operatorToken })).body.items[0].attempts).toBe(4);

    // Fixed: the replay applies it and it leaves the parked list.
    fix();
    const replayed = await server.request('POST', `/projections/parked/${submitEvent.position}/replay`, { token: operatorToken });
    expect(replayed.status).toBe(200);
    expect(replayed.body.results).toEqual([{ projection: 'applications', streamId: `application-${id}`, applied: [submitEvent.position], failed: null, stillParked: [] }]);
    expect((await server.request('GET', '/projections/parked', { token: operatorToken })).body.items).toEqual([]);
    const fresh = await driver.as('applicant', 'GET', '/applications');
    expect((fresh.body as Array<{ id: string; state: string }>).find((a) => a.id === id)?.state).toBe('firstReview');
    expect((await server.request('GET', '/health')).body.status).toBe('ok');
    expect((await server.request('POST', `/projections/parked/${submitEvent.position}/replay`, { token: operatorToken })).status).toBe(404);
    const zero = await server.request('POST', '/projections/parked/zero/replay', { token: operatorToken });
    expect([zero.status, zero.body.code, zero.body.violations?.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`)]).toEqual([400, 'VALIDATION_FAILED', ['position:globalPosition']]);
  });
});
