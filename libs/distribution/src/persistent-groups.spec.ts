import { ForwardingEventStore, type EventFilter } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { parseConsumers } from './distribution.config';
import { ensureConsumerGroups, persistentGroupsFor, type PersistentGroups } from './persistent-groups';

const defaults = { ackTimeoutMs: 30_000, maxDeliveries: 5 };
const consumers = parseConsumers(
  [
    { name: 'files', eventTypes: ['MasterDataVersionRegistered'] },
    { name: 'if-system', eventTypes: ['MasterDataVersionRegistered', 'SecondReviewApproved'], transport: 'esdb-persistent', maxDeliveries: 3, ackTimeoutMs: 60_000 },
  ],
  defaults,
);

/** A decorator like the metrics, personal-data and hash-chain ones: exposes what it wraps as `inner`. */
class Decorator extends ForwardingEventStore {}

/** Records what the EventStoreDB adapter would be asked (its own behaviour is tested against the stand-in). */
class RecordingAdapter extends ForwardingEventStore implements PersistentGroups {
  readonly created: Array<{ group: string; filter?: EventFilter; options?: unknown }> = [];
  async ensurePersistentSubscriptionToAll(group: string, filter?: EventFilter, options?: unknown): Promise<void> {
    this.created.push({ group, ...(filter ? { filter } : {}), ...(options ? { options } : {}) });
  }
}

describe('persistent subscription groups of esdb-persistent consumers', () => {
  const sqlite = new SqliteEventStore({ filename: ':memory:' });
  afterAll(() => sqlite.close());

  it('are refused on the embedded store, and not needed without such consumers', () => {
    expect(() => persistentGroupsFor(consumers, 'sqlite', sqlite)).toThrow(/if-system: transport "esdb-persistent" .* needs EVENT_STORE=esdb/);
    expect(persistentGroupsFor(consumers.filter((c) => c.transport === 'http'), 'sqlite', sqlite)).toBeUndefined();
  });

  it('are found under the decorators and created per consumer: its event types, message timeout, parking at maxDeliveries', async () => {
    const adapter = new RecordingAdapter(sqlite);
    const decorated = new Decorator(new Decorator(adapter));
    const groups = persistentGroupsFor(consumers, 'esdb', decorated);
    expect(groups).toBe(adapter);
    expect(await ensureConsumerGroups(groups!, consumers)).toEqual(['distribution-if-system']);
    expect(adapter.created).toEqual([
      { group: 'distribution-if-system', filter: { eventTypes: ['MasterDataVersionRegistered', 'SecondReviewApproved'] }, options: { from: 'start', messageTimeoutMs: 60_000, maxRetryCount: 2 } },
    ]);
    expect(() => persistentGroupsFor(consumers, 'esdb', sqlite)).toThrow(/needs EVENT_STORE=esdb/);
  });
});
