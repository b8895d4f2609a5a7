import { DistributionHarness } from '../distribution/testing/distribution-harness';
import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';

describe('GET /metrics (Prometheus)', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.stop());

  it('exports transitions, append latency, group-commit batch sizes and projection lag', async () => {
    const driver = new Driver(server);
    await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '登録' });
    const response = await server.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = response.body as string;
    expect(text).toMatch(/^nws_transitions_total\{type="ApplicationCreated"\} 1$/m);
    expect(text).toMatch(/^nws_append_duration_seconds_count 1$/m);
    expect(text).toMatch(/^nws_group_commit_batch_size_count [1-9]/m);
    expect(text).toMatch(/^nws_projection_lag_events \d+$/m);
    expect(text).toMatch(/^nws_access_log_unindexed_entries \d+$/m);
  });

  it('exports every failure series at 0 from the start (an alert on increase() missed the first), and how sealing goes', async () => {
    const text = (await server.request('GET', '/metrics')).body as string;
    for (const series of [
      'nws_reaction_failures_total{event_type="SecondReviewApproved",outcome="gave-up"}',
      'nws_reaction_failures_total{event_type="SecondReviewApproved",outcome="failed-attempt"}',
      'nws_storage_refused_writes_total{problem="full"}',
      'nws_storage_refused_writes_total{problem="read-only"}',
      'nws_projection_faults_total{projection="master-data",outcome="parked"}',
    ]) {
      expect([series, new RegExp(`^${series.replace(/[{}]/g, '\\$&')} \\d+$`, 'm').test(text)]).toEqual([series, true]);
    }
    expect(text).toMatch(/^nws_sealer_halted 0$/m);
    expect(text).toMatch(/^nws_unsealed_events \d+$/m);
  });

  it("exports the embedded store's WAL checkpoints: how many, the WAL's frames, whether it is held", async () => {
    const driver = new Driver(server);
    await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '登録' });
    // The checkpoint thread runs on its own timer (every 100 ms): scrape until it has copied the commit.
    const deadline = Date.now() + 20_000;
    let text = '';
    do {
      text = (await server.request('GET', '/metrics')).body as string;
      if (/^nws_event_store_checkpoints_total [1-9]/m.test(text)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (Date.now() < deadline);
    expect(text).toMatch(/^nws_event_store_checkpoints_total [1-9]\d*$/m);
    expect(text).toMatch(/^nws_event_store_wal_frames \d+$/m);
    expect(text).toMatch(/^nws_event_store_wal_held 0$/m);
  });
});

describe('GET /metrics: distribution consumers', () => {
  let h: DistributionHarness;
  beforeAll(async () => {
    h = await DistributionHarness.start({
      consumers: [
        { name: 'reference-distributor', eventTypes: ['MasterDataVersionRegistered', 'SecondReviewApproved'] },
        { name: 'archive', eventTypes: ['MasterDataVersionRegistered'] },
      ],
    });
  });
  afterAll(() => h.stop());

  /** One consumer's sample of a gauge in the exposition text; undefined when it is not there. */
  const gauge = async (name: string, consumer: string): Promise<number | undefined> => {
    const text = (await h.server.request('GET', '/metrics')).body as string;
    const sample = new RegExp(`^${name}\\{consumer="${consumer}"\\} (\\S+)$`, 'm').exec(text);
    return sample ? Number(sample[1]) : undefined;
  };

  it('exports each consumer’s unsettled events (as GET /distribution/lag counts them), the age of the oldest, and its parked events', async () => {
    // given a second approval: the approval and the version for one consumer, the version for the other
    await h.approved();
    const lag = await h.driver.as('auditor', 'GET', '/distribution/lag');
    const byName = Object.fromEntries((lag.body.consumers as Array<{ name: string; lag: { events: number } }>).map((c) => [c.name, c.lag.events]));
    expect(await gauge('nws_consumer_lag_events', 'reference-distributor')).toBe(byName['reference-distributor']);
    expect(byName['reference-distributor']).toBe(2);
    expect(await gauge('nws_consumer_lag_events', 'archive')).toBe(1);
    expect(await gauge('nws_consumer_lag_seconds', 'archive')).toBeGreaterThanOrEqual(0);
    expect(await gauge('nws_consumer_parked_events', 'archive')).toBe(0);

    // when one consumer acknowledges everything and the other refuses its version (parked)
    const delivered = await h.pull('reference-distributor');
    expect((await h.ack('reference-distributor', delivered.body.events.map((e: { eventId: string }) => e.eventId))).status).toBe(200);
    const version = (await h.pull('archive')).body.events[0] as { eventId: string };
    expect((await h.driver.as('distributor', 'POST', '/distribution/archive/nacks', { eventIds: [version.eventId], reason: '出力先に書き込めません' })).status).toBe(200);

    // then neither owes anything, and the refused version shows as parked
    expect(await gauge('nws_consumer_lag_events', 'reference-distributor')).toBe(0);
    expect(await gauge('nws_consumer_lag_seconds', 'reference-distributor')).toBe(0);
    expect(await gauge('nws_consumer_lag_events', 'archive')).toBe(0);
    expect(await gauge('nws_consumer_parked_events', 'archive')).toBe(1);
  });
});
