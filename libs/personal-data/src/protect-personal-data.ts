import type { EventStore } from '@nws/event-store';
import type { ConfigWithoutTokens } from '@nws/runtime';
import { accountRequestPersonalData } from '@nws/workflows/account-request/account-request.personal-data';
import { connectionApplicationPersonalData } from '@nws/workflows/connection-application/connection-application.personal-data';
import { EncryptingEventStore } from './encrypting-event-store';
import type { PersonalDataDeclaration } from './personal-data.declaration';
import { SqliteKeyStore } from './sqlite-key-store';

/** Every workflow's declaration of its personal data. */
export const PERSONAL_DATA_DECLARATIONS: readonly PersonalDataDeclaration[] = [connectionApplicationPersonalData, accountRequestPersonalData];

/**
 * Puts the personal-data encryption in front of the (chained) store, with the embedded key store
 * of the configuration (its own file, DATA_DIR/personal-data-keys.sqlite unless
 * PERSONAL_DATA_KEY_FILE says otherwise).
 */
export function protectPersonalData(chained: EventStore, config: Pick<ConfigWithoutTokens, 'personalData'>): EncryptingEventStore {
  return new EncryptingEventStore(chained, new SqliteKeyStore(config.personalData.keyStoreFile), PERSONAL_DATA_DECLARATIONS);
}

/** The encrypting store under any decorators (metrics, …) that expose what they wrap as `inner`. */
export function findEncryptingStore(store: EventStore): EncryptingEventStore | undefined {
  let current: unknown = store;
  for (let depth = 0; depth < 10 && current; depth++) {
    if (current instanceof EncryptingEventStore) return current;
    current = (current as { inner?: unknown }).inner;
  }
  return undefined;
}

/**
 * The events as stored (ciphertext): what hash-chain verifiers must read, since the chain was
 * computed over the stored bytes. Returns the store itself when nothing encrypts.
 */
export function storedEventStoreOf(store: EventStore): EventStore {
  return findEncryptingStore(store)?.stored ?? store;
}
