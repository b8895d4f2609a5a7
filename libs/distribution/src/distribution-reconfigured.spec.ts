import { parseConsumers } from './distribution.config';
import { DistributionLedger } from './distribution-ledger';
import { LedgerFixture } from './testing/ledger-fixture';

const VERSIONS = ['MasterDataVersionRegistered'];
const DEFAULTS = { ackTimeoutMs: 1000, maxDeliveries: 3 };

/**
 * A version is confirmed distributed once every consumer of versions acknowledged it, decided at
 * the ack that completes the set. A consumer taken out of the configuration completes the set
 * without an ack: the start of the ledger decides then.
 */
describe('DistributionLedger after its consumers changed', () => {
  let f: LedgerFixture;
  beforeEach(() => {
    f = new LedgerFixture([
      { name: 'files', eventTypes: VERSIONS },
      { name: 'sse', eventTypes: VERSIONS },
    ]);
  });
  afterEach(() => f.close());

  const restartedWith = (names: string[]) =>
    new DistributionLedger(f.events, f.store, parseConsumers(names.map((name) => ({ name, eventTypes: VERSIONS })), DEFAULTS), { clock: () => f.now, onConfirmationOwed: () => (f.owed += 1) });

  it('given a version acknowledged by one of two consumers, when the other is taken out of the configuration, then the start owes its confirmation, once', async () => {
    const v1 = await f.version();
    const v2 = await f.version();
    await f.ledger.fetch('files', { limit: 10 });
    await f.ledger.fetch('sse', { limit: 10 });
    await f.ledger.ack('files', [v1.id, v2.id]);
    await f.ledger.ack('sse', [v2.id]);
    // v2: acknowledged by both, owed at the ack; v1 waits for sse.
    expect(f.store.countOwed()).toBe(1);
    expect(await f.ledger.oweDueConfirmations()).toBe(0);

    const reconfigured = restartedWith(['files']);
    expect(await reconfigured.oweDueConfirmations()).toBe(1);
    expect(f.store.owedBefore(f.now, 10).map((o) => o.applicationId).sort()).toEqual([v1.applicationId, v2.applicationId].sort());
    expect(f.owed).toBe(2);
    expect(await reconfigured.oweDueConfirmations()).toBe(0);
  });

  it('a consumer added to the configuration holds nothing back that was owed, and a version nobody acknowledged is not owed', async () => {
    const v1 = await f.version();
    await f.ledger.fetch('files', { limit: 10 });
    expect(await restartedWith(['files']).oweDueConfirmations()).toBe(0);
    await f.ledger.ack('files', [v1.id]);
    expect(await restartedWith(['files', 'sse', 'audit']).oweDueConfirmations()).toBe(0);
    expect(f.store.countOwed()).toBe(0);
    // Without any consumer of versions nothing is distributed, so nothing is confirmed.
    expect(await new DistributionLedger(f.events, f.store, parseConsumers([{ name: 'approvals', eventTypes: ['SecondReviewApproved'] }], DEFAULTS), { clock: () => f.now }).oweDueConfirmations()).toBe(0);
  });
});
