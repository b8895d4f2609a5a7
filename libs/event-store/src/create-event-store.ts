import { join } from 'node:path';
import type { EventStore } from './event-store.port';
import { ChainedEventStore } from './integrity';
import { SqliteEventStore } from './sqlite';
import type { RuntimeConfig } from '@nws/runtime';
import { protectPersonalData } from '@nws/personal-data/protect-personal-data';

export const EVENTS_FILE = 'events.sqlite';
export const READ_MODELS_FILE = 'read-models.sqlite';

/**
 * The configured event store — embedded SQLite by default, EventStoreDB with EVENT_STORE=esdb —
 * behind the decorator that hash-chains every appended event to its stream predecessor, behind
 * the one that encrypts declared personal data under per-person keys: the chain hashes
 * ciphertext, so destroying a key (erasure) leaves every chain valid.
 */
export async function createEventStore(config: RuntimeConfig): Promise<EventStore> {
  return protectPersonalData(new ChainedEventStore(await createAdapter(config)), config);
}

async function createAdapter(config: RuntimeConfig): Promise<EventStore> {
  if (config.eventStore === 'esdb') {
    // Loaded only when chosen, so the embedded default never loads the gRPC client.
    const { createEsdbEventStore } = (await import('./esdb')) as { createEsdbEventStore: (connection: string) => EventStore };
    return createEsdbEventStore(config.eventStoreConnectionString!);
  }
  return new SqliteEventStore({ filename: join(config.dataDir, EVENTS_FILE) });
}

export function describeEventStore(config: RuntimeConfig): string {
  return config.eventStore === 'esdb'
    ? `EventStoreDB at ${redact(config.eventStoreConnectionString ?? '')}`
    : `embedded SQLite at ${join(config.dataDir, EVENTS_FILE)} (WAL, synchronous=FULL)`;
}

function redact(connection: string): string {
  return connection.replace(/\/\/[^@/]*@/, '//***@');
}
