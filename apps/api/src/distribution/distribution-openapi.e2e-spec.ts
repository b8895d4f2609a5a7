import { startEsdbStandIn, type EsdbStandIn } from '../../../../test/esdb-stand-in/start-stand-in';
import { Driver, type ActorName } from '../testing/drive';
import { publishedSchemas, type PublishedSchemas } from '../testing/openapi-schemas';
import { TestServer } from '../testing/test-server';
import { DistributionHarness } from './testing/distribution-harness';

const CONSUMER = 'reference-distributor';

/** Asks as `actor`, expects 200, and holds the answer to what the document publishes for the operation. */
function answering(driver: Driver, published: () => PublishedSchemas) {
  return async (actor: ActorName, method: 'GET' | 'POST', path: string, operation: string, body?: unknown) => {
    const response = await driver.as(actor, method, path, body);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    expect({ operation, mismatch: published().mismatch(operation, method.toLowerCase(), '200', response.body) }).toEqual({ operation, mismatch: undefined });
    return response.body;
  };
}

/** Every JSON answer of the distribution endpoints is what the published OpenAPI document says it is. */
describe('distribution answers match their published OpenAPI schemas (real port)', () => {
  let server: TestServer;
  let driver: Driver;
  let published: PublishedSchemas;
  let answer: ReturnType<typeof answering>;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    published = await publishedSchemas(server);
    answer = answering(driver, () => published);
    // One application through both reviews: an approval and a version owed to the consumer.
    await driver.registerOrgan('applicant');
  });
  afterAll(() => server.stop());

  it('consumers, event types, lag and one consumer, read by an auditor and by a distributor', async () => {
    for (const actor of ['auditor', 'distributor'] as const) {
      const consumers = await answer(actor, 'GET', '/distribution/consumers', '/distribution/consumers');
      expect(consumers.consumers).toMatchObject([{ name: CONSUMER, transport: 'http', group: null }]);
      const types = await answer(actor, 'GET', '/distribution/event-types', '/distribution/event-types');
      expect(types.eventTypes.map((t: { type: string }) => t.type)).toContain('MasterDataVersionRegistered');
      const lag = await answer(actor, 'GET', '/distribution/lag', '/distribution/lag');
      expect(lag.consumers[0].lag.events).toBeGreaterThan(0);
      expect(lag.headPosition).toBeGreaterThan(0);
      const status = await answer(actor, 'GET', `/distribution/${CONSUMER}`, '/distribution/{consumer}');
      expect(status.lag.oldestPosition).toEqual(expect.any(Number));
    }
  });

  it('acks, nacks, the parked list and a replay', async () => {
    const page = (await driver.as('distributor', 'GET', `/distribution/${CONSUMER}/events`)).body as { events: Array<{ eventId: string }> };
    expect(page.events.length).toBeGreaterThanOrEqual(2);
    const [first, second] = page.events.map((e) => e.eventId);
    const never = '00000000-0000-4000-8000-000000000000';

    const acked = await answer('distributor', 'POST', `/distribution/${CONSUMER}/acks`, '/distribution/{consumer}/acks', { eventIds: [first, never] });
    expect(acked).toMatchObject({ acknowledged: [first], unknown: [never] });
    const again = await answer('distributor', 'POST', `/distribution/${CONSUMER}/acks`, '/distribution/{consumer}/acks', { eventIds: [first] });
    expect(again).toMatchObject({ acknowledged: [], alreadyAcknowledged: [first] });

    const nacked = await answer('distributor', 'POST', `/distribution/${CONSUMER}/nacks`, '/distribution/{consumer}/nacks', { eventIds: [second, first], reason: 'CSV 出力先の容量が不足しています' });
    expect(nacked).toMatchObject({ parked: [second], alreadyAcknowledged: [first] });
    const parked = await answer('auditor', 'GET', `/distribution/${CONSUMER}/parked`, '/distribution/{consumer}/parked');
    expect(parked).toMatchObject({ total: 1, limit: 100, offset: 0, items: [{ eventId: second, attempts: 1, reason: 'CSV 出力先の容量が不足しています', event: { eventId: second } }] });

    const replayed = await answer('distributor', 'POST', `/distribution/${CONSUMER}/parked/${second}/replay`, '/distribution/{consumer}/parked/{eventId}/replay');
    expect(replayed).toMatchObject({ eventId: second, status: 'pending' });
    const none = await answer('auditor', 'GET', `/distribution/${CONSUMER}/parked?limit=10`, '/distribution/{consumer}/parked');
    expect(none).toMatchObject({ total: 0, limit: 10, items: [] });
    expect(await answer('auditor', 'GET', `/distribution/${CONSUMER}`, '/distribution/{consumer}')).toMatchObject({ replaying: 1, parked: 0 });

    // Nacked again before the pull that would redeliver it: its attempts go on counting (the replay gave it a fresh budget, not a fresh count).
    await answer('distributor', 'POST', `/distribution/${CONSUMER}/nacks`, '/distribution/{consumer}/nacks', { eventIds: [second], reason: 'still full' });
    const reparked = await answer('auditor', 'GET', `/distribution/${CONSUMER}/parked`, '/distribution/{consumer}/parked');
    expect(reparked.items).toMatchObject([{ eventId: second, attempts: 1, reason: 'still full', event: { attempt: 1 } }]);

    // The same page with a wrong type, or without a field that is required though nullable, fails; an event the store no longer has (null) does not.
    const items = reparked.items as Array<Record<string, unknown>>;
    expect(published.schemaOf('/distribution/{consumer}/parked', 'get', '200')({ ...reparked, items: items.map((item) => ({ ...item, parkedAt: 1 })) })).toBe(false);
    expect(published.schemaOf('/distribution/{consumer}/parked', 'get', '200')({ ...reparked, items: items.map(({ event: _event, ...item }) => item) })).toBe(false);
    expect(published.schemaOf('/distribution/{consumer}/parked', 'get', '200')({ ...reparked, items: items.map((item) => ({ ...item, event: null })) })).toBe(true);
  });

  it('is not a rubber stamp: a real answer with a required field dropped or of the wrong type fails', async () => {
    const status = (await driver.as('auditor', 'GET', `/distribution/${CONSUMER}`)).body as Record<string, unknown>;
    const { checkpoint: _dropped, ...withoutCheckpoint } = status;
    const fails = (operation: string, method: string, body: unknown) => expect({ operation, valid: published.schemaOf(operation, method, '200')(body) }).toEqual({ operation, valid: false });
    fails('/distribution/{consumer}', 'get', withoutCheckpoint);
    fails('/distribution/{consumer}', 'get', { ...status, lag: { ...(status['lag'] as object), oldestPosition: '12' } });
    fails('/distribution/{consumer}', 'get', { ...status, transport: 'smtp' });
    const lag = (await driver.as('auditor', 'GET', '/distribution/lag')).body as Record<string, unknown>;
    fails('/distribution/lag', 'get', { ...lag, consumers: [withoutCheckpoint] });
    const acked = (await driver.as('distributor', 'POST', `/distribution/${CONSUMER}/acks`, { eventIds: ['never-delivered'] })).body as Record<string, unknown>;
    expect(published.mismatch('/distribution/{consumer}/acks', 'post', '200', acked)).toBeUndefined();
    expect(published.mismatch('/distribution/{consumer}/acks', 'post', '200', { ...acked, acknowledged: 'never-delivered' })).toMatch(/acknowledged must be array/);
  });

  it('refuses a consumer of the other transport, so the answer at a position is held on EventStoreDB below', async () => {
    expect((await driver.as('distributor', 'GET', `/distribution/${CONSUMER}/events/1`)).status).toBe(409);
  });
});

/** `GET /distribution/{consumer}/events/{position}` answers only esdb-persistent consumers, which need EVENT_STORE=esdb. */
describe('distribution answers of an esdb-persistent consumer match their published OpenAPI schemas (stand-in)', () => {
  let standIn: EsdbStandIn;
  let h: DistributionHarness;
  let published: PublishedSchemas;
  let answer: ReturnType<typeof answering>;

  beforeAll(async () => {
    standIn = await startEsdbStandIn();
    h = await DistributionHarness.start({
      consumers: [{ name: 'if-system', eventTypes: ['MasterDataVersionRegistered'], transport: 'esdb-persistent' }],
      env: { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: standIn.connectionString },
    });
    published = await publishedSchemas(h.server);
    answer = answering(h.driver, () => published);
    await h.approved();
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await standIn?.stop();
  });

  it('the event at a position, delivered then already acknowledged, and the consumer with its group', async () => {
    const status = await answer('auditor', 'GET', '/distribution/if-system', '/distribution/{consumer}');
    expect(status).toMatchObject({ transport: 'esdb-persistent', group: 'distribution-if-system' });
    const position = status.lag.oldestPosition as number;
    expect(position).toEqual(expect.any(Number));

    const delivered = await answer('distributor', 'GET', `/distribution/if-system/events/${position}`, '/distribution/{consumer}/events/{position}');
    expect(delivered).toMatchObject({ consumer: 'if-system', status: 'delivered', event: { position, type: 'MasterDataVersionRegistered', attempt: 1 } });
    await answer('distributor', 'POST', '/distribution/if-system/acks', '/distribution/{consumer}/acks', { eventIds: [delivered.event.eventId] });
    const acked = await answer('distributor', 'GET', `/distribution/if-system/events/${position}?eventId=${delivered.event.eventId}`, '/distribution/{consumer}/events/{position}');
    expect(acked).toMatchObject({ status: 'acked', event: { eventId: delivered.event.eventId } });

    const lag = await answer('auditor', 'GET', '/distribution/lag', '/distribution/lag');
    expect(lag.consumers).toMatchObject([{ name: 'if-system', group: 'distribution-if-system', lag: { events: 0, oldestPosition: null } }]);
    // A required field dropped from the real answer fails.
    const { event: _event, ...withoutEvent } = acked;
    expect(published.schemaOf('/distribution/{consumer}/events/{position}', 'get', '200')(withoutEvent)).toBe(false);
  });
});
