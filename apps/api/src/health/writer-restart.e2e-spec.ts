import { isSealEvent } from '@nws/audit';
import type { SqliteEventStore } from '@nws/event-store/sqlite';
import { EVENT_STORE } from '../infrastructure/tokens';
import { Driver } from '../testing/drive';
import { sqliteAdapter } from '../testing/sqlite-adapter';
import { TestServer } from '../testing/test-server';

/**
 * The embedded store's writer thread stopping under a running API (it never did in any run; a
 * native fault or a bug in the thread would): writes are refused with a 503 saying nothing was
 * recorded, /health says so at once, and a second later a new thread takes the writes — counted
 * in /metrics and logged, so the operator learns it happened.
 */
describe('the SQLite writer thread stops under the API (HTTP)', () => {
  let server: TestServer;
  let driver: Driver;
  let store: SqliteEventStore;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    store = sqliteAdapter(server.app.get(EVENT_STORE));
  });
  afterAll(() => server.stop());

  const create = async () => (await driver.examples()).create;
  const commits = () => (store as unknown as { commits: { thread: { worker: { terminate(): Promise<number> } }; writerRestartDelayMs: number } }).commits;
  const stopThread = () => commits().thread.worker.terminate();
  const restartDelay = (ms: number) => (commits().writerRestartDelayMs = ms);

  it('refuses writes as not recorded until a new thread is started, then writes again, with /health and /metrics telling', async () => {
    const body = await create();
    expect((await driver.as('applicant', 'POST', '/applications', body)).status).toBe(201);
    // No restart while the refusal is checked, however slow the machine; then the default second.
    restartDelay(600_000);
    const stoppedAt = Date.now();
    await stopThread();

    const health = await driver.as('auditor', 'GET', '/health');
    expect(health.body).toMatchObject({ status: 'degraded', storage: { writesAccepted: false } });
    const refused = await driver.as('applicant', 'POST', '/applications', body);
    expect({ status: refused.status, outcome: refused.body.outcome }).toEqual({ status: 503, outcome: 'not-recorded' });
    const head = (await driver.as('auditor', 'GET', '/health')).body.eventStore.headPosition as number;

    restartDelay(1000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - stoppedAt)) + 50));
    const created = await driver.as('applicant', 'POST', '/applications', body);
    expect(created.status).toBe(201);
    const after = await driver.as('auditor', 'GET', '/health');
    expect(after.body).toMatchObject({ status: 'ok', storage: { writesAccepted: true } });
    // What was stored since the refusal: the new application's first event, and nothing of the
    // refused one. The sealer may add a seal for the first create, retried after the restart.
    const since: string[] = [];
    for await (const event of store.readAll({ after: head })) if (!isSealEvent(event)) since.push(`${event.streamId} ${event.type}`);
    expect(since).toEqual([`application-${created.body.id as string} ApplicationCreated`]);
    const metrics = (await server.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/^nws_event_store_writer_restarts_total 1$/m);
  });
});
