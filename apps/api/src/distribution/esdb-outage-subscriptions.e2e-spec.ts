import { found } from '../testing/eventually';
import { startEsdbStandIn, type EsdbStandIn } from '../../../../test/esdb-stand-in/start-stand-in';
import { DistributionHarness } from './testing/distribution-harness';

/**
 * EventStoreDB unreachable for longer than the client's own retries (six tries in about three
 * seconds): every live subscription of the API ends. Those that watch for the process — the store's
 * sealer, distribution's long-poll wake-ups (and the erasure watcher, on the same helper) — must
 * subscribe again once it is back; before, they stopped for good: nothing new was sealed while
 * the sealer said "running", and every long poll waited out its whole waitMs.
 */
describe('subscriptions outlive an EventStoreDB outage (stand-in, real client over gRPC)', () => {
  let standIn: EsdbStandIn;
  let h: DistributionHarness;

  beforeAll(async () => {
    standIn = await startEsdbStandIn();
    h = await DistributionHarness.start({
      consumers: [{ name: 'files', eventTypes: ['MasterDataVersionRegistered'] }],
      env: { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: standIn.connectionString },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await standIn?.stop();
  });

  it('given every subscription ended by an outage that outlasted the client’s retries, when the store is back, then a long poll is woken by the next version and the new events are sealed', async () => {
    const first = await h.approved();
    const pulled = await found('version 1 pulled', async () => {
      const events = (await h.pull('files')).body.events as Array<{ eventId: string }>;
      return events.length > 0 ? events : undefined;
    });
    expect((await h.ack('files', pulled.map((e) => e.eventId))).status).toBe(200);
    const next = await h.awaitingSecondApproval();

    // The outage: live subscriptions dropped, and every new one refused long enough for the
    // client's own retries to give up (each subscriber tries seven times; several subscribe).
    await standIn.inject({ kind: 'unavailable', times: 80, operations: ['subscribe'] });
    await standIn.dropSubscriptions();
    await found('the outage to be over', async () => ((await standIn.stats()).armedFaults === 0 ? true : undefined), 60_000);

    // A long poll held open while the next version is registered is answered with it.
    const polling = h.pull('files', '?waitMs=20000');
    await new Promise((r) => setTimeout(r, 300));
    await h.approveSecond(next);
    const page = await polling;
    expect(page.status).toBe(200);
    expect(page.body.events.map((e: { type: string; data: { version: number } }) => `${e.type} v${e.data.version}`)).toEqual(['MasterDataVersionRegistered v2']);

    // And the events after the outage are sealed: the verification of the application says the last seal covers its last event.
    const sealed = await found('the last event sealed', async () => {
      const verified = (await h.driver.as('auditor', 'GET', `/applications/${next}/verify`)).body as { seal?: { coversLastEvent?: boolean } };
      return verified.seal?.coversLastEvent === true ? verified : undefined;
    });
    expect(sealed.seal?.coversLastEvent).toBe(true);
    // The version acknowledged before the outage is confirmed on its application.
    await found('the first application distributed', async () => ((await h.state(first)) === 'distributed' ? true : undefined));
  }, 120_000);
});
