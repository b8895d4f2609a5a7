import { eventually } from '../testing/eventually';
import { failStateChangesOf } from './testing/injected-fault';
import { Driver } from '../testing/drive';
import { publishedSchemas, type PublishedSchemas } from '../testing/openapi-schemas';
import { TestServer } from '../testing/test-server';

interface ParkedItem {
  position: number;
  reason: string;
  error: string | null;
}

/**
 * GET /projections, GET /projections/parked, POST /projections/parked/{position}/replay and
 * GET /health answer what the published document says, healthy and with a parked event: a
 * trigger in the read-model database makes the real `applications` projection fail on one
 * application's submission (as projections.e2e-spec.ts does), so the answers carry failed and held
 * rows, a degraded health and a replay of both.
 */
describe('projections and health answers match their published schemas (real port)', () => {
  let server: TestServer;
  let driver: Driver;
  let published: PublishedSchemas;

  beforeAll(async () => {
    server = await TestServer.start({ env: { PROJECTION_RETRY_DELAY_MS: '10', PROJECTION_MAX_ATTEMPTS: '3' } });
    driver = new Driver(server);
    published = await publishedSchemas(server);
  });
  afterAll(() => server.stop());

  const holds = (path: string, method: string, response: { status: number; body: unknown }) =>
    expect({ path, method, status: response.status, mismatch: published.mismatch(path, method, '200', response.body) }).toEqual({ path, method, status: 200, mismatch: undefined });

  it('documents a 200 body for each operation (the replay answers 200, not 201) and health as always 200', () => {
    for (const [path, method] of [['/projections', 'get'], ['/projections/parked', 'get'], ['/projections/parked/{position}/replay', 'post'], ['/health', 'get']] as const) {
      const responses = published.document.paths[path]?.[method]?.responses ?? {};
      expect({ path, documented: Object.keys(responses).filter((s) => s.startsWith('2')) }).toEqual({ path, documented: ['200'] });
    }
    // The handler answers 200 even when degraded, and the probe is public: no 503 or 401 to list;
    // a query parameter it does not take is a 400, as on every operation.
    expect(Object.keys(published.document.paths['/health']?.['get']?.responses ?? {}).sort()).toEqual(['200', '400']);
  });

  it('healthy: status, an empty parked list and health match', async () => {
    holds('/projections', 'get', await driver.as('operator', 'GET', '/projections'));
    holds('/projections', 'get', await driver.as('auditor', 'GET', '/projections'));
    const parked = await driver.as('operator', 'GET', '/projections/parked');
    expect(parked.body).toEqual({ items: [] });
    holds('/projections/parked', 'get', parked);
    const health = await server.request('GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok', eventStore: { kind: 'sqlite', reachable: true }, storage: { state: 'ok', eventStore: null, readModels: null } });
    holds('/health', 'get', health);
  });

  it('with a failed and a held event: status, the parked rows, degraded health and the replay match', async () => {
    const id = await driver.draftWithForms();
    const fix = failStateChangesOf(server, id);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    await eventually(() => driver.as('operator', 'GET', '/projections'), (r) => r.body?.parked?.applications?.failed === 1);
    // A later event of the same stream is held behind the failed one (reason held, error null).
    const withdrawn = await driver.act('applicant', id, 'withdraw', { comment: '申請内容を見直すため取り下げます。' });
    expect(withdrawn.status).toBe(200);
    const status = await eventually(() => driver.as('operator', 'GET', '/projections'), (r) => r.body?.parked?.applications?.held === 1);
    expect(status.body.lastError).toEqual(expect.stringContaining('injected projection fault'));
    holds('/projections', 'get', status);

    const parked = await driver.as('auditor', 'GET', '/projections/parked?projection=applications');
    const items = parked.body.items as ParkedItem[];
    expect(items.map((i) => [i.reason, i.error === null])).toEqual([
      ['failed', false],
      ['held', true],
    ]);
    holds('/projections/parked', 'get', parked);

    const health = await server.request('GET', '/health');
    expect(health.body).toMatchObject({ status: 'degraded', projections: { parked: { applications: { failed: 1, held: 1 } } } });
    holds('/health', 'get', health);

    fix();
    const replayed = await driver.as('operator', 'POST', `/projections/parked/${items[0]!.position}/replay`);
    expect(replayed.body).toEqual({
      position: items[0]!.position,
      results: [{ projection: 'applications', streamId: `application-${id}`, applied: items.map((i) => i.position), failed: null, stillParked: [] }],
    });
    holds('/projections/parked/{position}/replay', 'post', replayed);
    holds('/health', 'get', await server.request('GET', '/health'));

    // Not a rubber stamp: each body with one value broken fails its schema, naming the value.
    const { storage: _dropped, ...withoutStorage } = health.body as Record<string, unknown>;
    const broken: Array<[string, string, unknown, RegExp]> = [
      ['/health', 'get', withoutStorage, /storage/],
      ['/health', 'get', { ...health.body, status: 'fine' }, /allowed values/],
      ['/projections', 'get', { ...status.body, lagEvents: '0' }, /lagEvents/],
      ['/projections/parked', 'get', { items: [{ ...items[0], parkedAt: undefined }] }, /parkedAt/],
      ['/projections/parked/{position}/replay', 'post', { ...replayed.body, results: [{ ...replayed.body.results[0], applied: ['1'] }] }, /applied/],
    ];
    for (const [path, method, body, says] of broken) {
      expect({ path, mismatch: published.mismatch(path, method, '200', JSON.parse(JSON.stringify(body))) }).toEqual({ path, mismatch: expect.stringMatching(says) });
    }
  });
});
