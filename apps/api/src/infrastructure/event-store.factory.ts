import { join } from 'node:path';
import type { EventStore } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import type { RuntimeConfig } from '@nws/runtime';

export const EVENTS_FILE = 'events.sqlite';
export const READ_MODELS_FILE = 'read-models.sqlite';

/** The configured event store: embedded SQLite by default, EventStoreDB with EVENT_STORE=esdb. */
export async function createEventStore(config: RuntimeConfig): Promise<EventStore> {
  if (config.eventStore === 'esdb') {
    // Loaded only when chosen, so the embedded default never loads the gRPC client.
    const { createEsdbEventStore } = (await import('@nws/event-store/esdb')) as { createEsdbEventStore: (connection: string) => EventStore };
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
