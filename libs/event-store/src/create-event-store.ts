import { join } from 'node:path';
import type { EventStore } from './event-store.port';
import { ChainedEventStore } from './integrity';
import { SqliteEventStore } from './sqlite';
import type { ConfigWithoutTokens } from '@nws/runtime';
import { protectPersonalData } from '@nws/personal-data/protect-personal-data';

export const EVENTS_FILE = 'events.sqlite';
export const READ_MODELS_FILE = 'read-models.sqlite';

/** The embedded store's file opened as stored, for a reader that appends nothing: no writer thread, no doorbell (stored-database.ts). */
const AS_STORED = { commitDoorbell: false, writerThread: false, readOnly: true } as const;

/**
 * The configured event store — embedded SQLite by default, EventStoreDB with EVENT_STORE=esdb —
 * behind the decorator that hash-chains every appended event to its stream predecessor, behind
 * the one that encrypts declared personal data under per-person keys: the chain hashes
 * ciphertext, so destroying a key (erasure) leaves every chain valid.
 */
export async function createEventStore(config: ConfigWithoutTokens): Promise<EventStore> {
  return protectPersonalData(new ChainedEventStore(await createAdapter(config)), config);
}

/**
 * The configured store for a reader of the events in clear (`history`, `replay`, a CSV export),
 * which never appends: decrypted as the API's, but on SQLite the file is opened as stored
 * (stored-database.ts) with no writer thread and no doorbell, so an auditor's read of a copy does
 * not fold its write-ahead log into the file, put back triggers `verify` reports missing, or add
 * a doorbell and probe directories. (The key store and the access log are opened as the API's:
 * what is read in clear is logged.)
 */
export async function createReadingEventStore(config: ConfigWithoutTokens): Promise<EventStore> {
  return protectPersonalData(new ChainedEventStore(await createAdapter(config, AS_STORED)), config);
}

/**
 * The configured store for a reader of the events as stored (what the hash chain covers), which
 * never appends nor decrypts: `verify`, a JSON Lines export. Nothing in front of the chain, so no
 * key store is opened (it would create `personal-data-keys.sqlite`); on SQLite no writer thread
 * (its checkpoint thread makes a probe directory beside the store) and no doorbell file: run on
 * a copy of an evidence directory, it adds no file to it. The file is opened as stored
 * (stored-database.ts): a copied write-ahead log is read where it is, never folded into the file,
 * and a copy's schema is left as found.
 */
export async function createStoredEventStore(config: ConfigWithoutTokens): Promise<EventStore> {
  return new ChainedEventStore(await createAdapter(config, AS_STORED));
}

async function createAdapter(config: ConfigWithoutTokens, sqlite: { readonly commitDoorbell?: boolean; readonly writerThread?: boolean; readonly readOnly?: boolean } = {}): Promise<EventStore> {
  if (config.eventStore === 'esdb') {
    // Loaded only when chosen, so the embedded default never loads the gRPC client.
    const { createEsdbEventStore } = (await import('./esdb')) as { createEsdbEventStore: (connection: string) => EventStore };
    return createEsdbEventStore(config.eventStoreConnectionString!);
  }
  return new SqliteEventStore({ filename: join(config.dataDir, EVENTS_FILE), ...sqlite });
}

export function describeEventStore(config: ConfigWithoutTokens): string {
  return config.eventStore === 'esdb'
    ? `EventStoreDB at ${redact(config.eventStoreConnectionString ?? '')}`
    : `embedded SQLite at ${join(config.dataDir, EVENTS_FILE)} (WAL, synchronous=FULL)`;
}

function redact(connection: string): string {
  return connection.replace(/\/\/[^@/]*@/, '//***@');
}
