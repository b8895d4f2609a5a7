import type { EventFilter, EventStore } from '@nws/event-store';
import { DistributionConfigError, persistentGroupOf, type ConsumerConfig } from './distribution.config';

/** What the EventStoreDB adapter offers for competing consumers (duck-typed: this lib loads no gRPC client). */
export interface PersistentGroups {
  ensurePersistentSubscriptionToAll(group: string, filter?: EventFilter, options?: { from?: 'start' | 'end'; messageTimeoutMs?: number; maxRetryCount?: number }): Promise<void>;
}

/**
 * Where the groups of `esdb-persistent` consumers are created, or undefined when there are none.
 * Such consumers read a group on EventStoreDB: on the embedded store the start is refused.
 */
export function persistentGroupsFor(consumers: readonly ConsumerConfig[], eventStore: 'sqlite' | 'esdb', store: EventStore): PersistentGroups | undefined {
  const persistent = consumers.filter((c) => c.transport === 'esdb-persistent').map((c) => c.name);
  if (persistent.length === 0) return undefined;
  const groups = eventStore === 'esdb' ? findPersistentGroups(store) : undefined;
  if (!groups) throw new DistributionConfigError(`consumers ${persistent.join(', ')}: transport "esdb-persistent" reads a persistent subscription group of EventStoreDB and needs EVENT_STORE=esdb`);
  return groups;
}

/** The adapter under the decorators (metrics, personal data, hash chain), which expose what they wrap as `inner`. */
export function findPersistentGroups(store: EventStore): PersistentGroups | undefined {
  let current: unknown = store;
  for (let depth = 0; depth < 10 && current; depth++) {
    if (typeof (current as Partial<PersistentGroups>).ensurePersistentSubscriptionToAll === 'function') return current as PersistentGroups;
    current = (current as { inner?: unknown }).inner;
  }
  return undefined;
}

/**
 * Creates the group of every `esdb-persistent` consumer on $all unless it exists: from the start
 * of $all (a consumer registered late still gets every version), filtered on its event types,
 * the consumer's ack timeout as message timeout, and EventStoreDB parking an event once it has
 * been delivered `maxDeliveries` times (maxRetryCount = maxDeliveries − 1) — the backstop for
 * instances that die or time out; a live instance parks explicitly with a nack at that delivery.
 * An existing group keeps its settings (EventStoreDB's own update changes them).
 */
export async function ensureConsumerGroups(groups: PersistentGroups, consumers: readonly ConsumerConfig[]): Promise<string[]> {
  const created: string[] = [];
  for (const consumer of consumers) {
    if (consumer.transport !== 'esdb-persistent') continue;
    const group = persistentGroupOf(consumer.name);
    await groups.ensurePersistentSubscriptionToAll(group, { eventTypes: consumer.eventTypes }, { from: 'start', messageTimeoutMs: consumer.ackTimeoutMs, maxRetryCount: consumer.maxDeliveries - 1 });
    created.push(group);
  }
  return created;
}
