import { startEsdbStandIn, type EsdbStandIn } from '../../../../test/esdb-stand-in/start-stand-in';
import { Driver } from '../testing/drive';
import { publishedSchemas, type PublishedSchemas } from '../testing/openapi-schemas';
import { TestServer } from '../testing/test-server';

const STALE = 'x-read-model-stale';

/**
 * Lists, queues and master data are answered from this replica's own read models: an EventStoreDB
 * outage may make them stale, never unavailable. Only the store's own reads and commands get 503.
 */
describe('reads from the local read models while EventStoreDB is down (stand-in, real client over gRPC)', () => {
  let standIn: EsdbStandIn;
  let server: TestServer;
  let driver: Driver;
  let id: string;
  let published: PublishedSchemas;

  beforeAll(async () => {
    standIn = await startEsdbStandIn();
    server = await TestServer.start({ env: { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: standIn.connectionString } });
    driver = new Driver(server);
    published = await publishedSchemas(server);
    id = await driver.draftWithForms();
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
  }, 60_000);
  afterEach(async () => {
    await standIn?.clearFaults();
  });
  afterAll(async () => {
    await server?.stop();
    await standIn?.stop();
  });

  it('lists, the review queue, master data and projection status answer 200 marked stale; the store’s own reads and commands 503; fresh and unmarked after', async () => {
    await standIn.inject({ kind: 'unavailable', times: 1000, operations: ['read'] });

    const list = await driver.as('applicant', 'GET', '/applications');
    expect([list.status, list.headers.get(STALE), list.headers.get('x-total-count')]).toEqual([200, 'true', expect.stringMatching(/^\d+$/)]);
    expect((list.body as Array<{ id: string }>).map((row) => row.id)).toContain(id);

    const queue = await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first');
    expect([queue.status, queue.headers.get(STALE), queue.body.stale]).toEqual([200, 'true', true]);
    expect(queue.body.items.map((item: { id: string }) => item.id)).toContain(id);

    const versions = await driver.as('applicant', 'GET', '/master-data/organizations/132012/versions');
    expect([versions.status, versions.headers.get(STALE), versions.body]).toEqual([200, 'true', []]);

    const projections = await driver.as('operator', 'GET', '/projections');
    expect([projections.status, projections.headers.get(STALE)]).toEqual([200, 'true']);
    expect(projections.body).toMatchObject({ headPosition: null, lagEvents: null, position: expect.any(Number) });
    // The degraded answers are still what the published document says.
    expect([published.mismatch('/projections', 'get', '200', projections.body), published.mismatch('/review-queue', 'get', '200', queue.body)]).toEqual([undefined, undefined]);

    // What needs the store itself still says it is unavailable.
    const view = await driver.as('applicant', 'GET', `/applications/${id}`);
    expect([view.status, view.body.code]).toEqual([503, 'EVENT_STORE_UNAVAILABLE']);
    const approve = await driver.act('prefectureReviewer', id, 'approve');
    expect([approve.status, approve.body.code, approve.headers.get('retry-after')]).toEqual([503, 'EVENT_STORE_UNAVAILABLE', expect.stringMatching(/^\d+$/)]);

    await standIn.clearFaults();
    const after = await driver.as('applicant', 'GET', '/applications');
    expect([after.status, after.headers.get(STALE)]).toEqual([200, null]);
    const queueAfter = await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first');
    expect([queueAfter.status, queueAfter.headers.get(STALE), queueAfter.body.stale]).toEqual([200, null, false]);
    const versionsAfter = await driver.as('applicant', 'GET', '/master-data/organizations/132012/versions');
    expect([versionsAfter.status, versionsAfter.headers.get(STALE)]).toEqual([200, null]);
    const projectionsAfter = await driver.as('operator', 'GET', '/projections');
    expect([projectionsAfter.status, projectionsAfter.headers.get(STALE)]).toEqual([200, null]);
    expect(projectionsAfter.body).toMatchObject({ headPosition: expect.any(Number), lagEvents: expect.any(Number) });
  }, 60_000);

  it('a frozen node (reads taken, never answered) does not hold the list: stale within the head’s bound, not after the client’s retries', async () => {
    await standIn.inject({ kind: 'stall', times: 1000, operations: ['read'] });
    // The head is given 1 s; unbounded, the read waits out the client's 10 s try, tried again.
    const answers = await Promise.race([
      Promise.all([driver.as('applicant', 'GET', '/applications'), driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first'), driver.as('applicant', 'GET', '/metrics')]),
      new Promise<'no answer within 5 s'>((resolve) => setTimeout(() => resolve('no answer within 5 s'), 5_000).unref()),
    ]);
    expect(typeof answers === 'string' ? answers : answers.map((a) => [a.status, a.headers.get(STALE)])).toEqual([
      [200, 'true'],
      [200, 'true'],
      [200, null],
    ]);
    // The scrape too: the store said unreachable, not held for the client's tries.
    if (typeof answers !== 'string') expect(String(answers[2]!.body)).toMatch(/^nws_event_store_reachable 0$/m);
  }, 60_000);

  it('every operation answered from the read models documents X-Read-Model-Stale on its 200, for client generators', () => {
    const operations = ['/applications', '/review-queue', '/master-data/organizations/{code}', '/master-data/organizations/{code}/versions', '/master-data/organizations/{code}/versions/{version}', '/projections'];
    const undocumented = operations.filter((path) => (published.document.paths[path]?.['get']?.responses['200'] as { headers?: Record<string, unknown> } | undefined)?.headers?.['X-Read-Model-Stale'] === undefined);
    expect(undocumented).toEqual([]);
  });
});
