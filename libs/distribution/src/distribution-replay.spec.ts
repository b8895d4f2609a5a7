import { LedgerFixture } from './testing/ledger-fixture';

/**
 * A replayed parked event gets a fresh budget of deliveries (maxDeliveries more before it parks
 * again), while its attempts go on counting: the consumer can tell a redelivery from a first one.
 */
describe('DistributionLedger: a replayed event', () => {
  let f: LedgerFixture;
  afterEach(() => f.close());

  it('given an event parked after maxDeliveries, when it is replayed, then it is delivered maxDeliveries times more, counted on from before, and parked again', async () => {
    f = new LedgerFixture(undefined, { ackTimeoutMs: 1000, maxDeliveries: 2 });
    const poisoned = await f.version();
    const attempts: number[] = [];
    const pull = async () => {
      const page = await f.ledger.fetch('a', { limit: 10 });
      attempts.push(...page.events.map((e) => e.attempt));
      f.advance(1000);
    };
    for (let i = 0; i < 3; i++) await pull();
    expect(attempts).toEqual([1, 2]);
    expect((await f.ledger.parked('a')).items).toMatchObject([{ eventId: poisoned.id, attempts: 2, reason: 'not acknowledged after 2 deliveries' }]);

    await f.ledger.replay('a', poisoned.id);
    for (let i = 0; i < 3; i++) await pull();
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect((await f.ledger.parked('a')).items).toMatchObject([{ eventId: poisoned.id, attempts: 4, reason: 'not acknowledged after 4 deliveries' }]);
  });
});
