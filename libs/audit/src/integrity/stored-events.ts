import { ChainedEventStore, type EventStore } from '@nws/event-store';

/**
 * The events exactly as stored — what the hash chain was computed over (ciphertext where personal
 * data is encrypted by a decorator in front of the chain). Audit reads, seals and exports at
 * this level: a decrypting read would not hash to the stored values, and an export of stored
 * bytes carries no personal data in clear. Decorators expose what they wrap as `inner`.
 */
export function storedEventsOf(store: EventStore): EventStore {
  let current: unknown = store;
  for (let depth = 0; depth < 10 && current; depth++) {
    if (current instanceof ChainedEventStore) return current;
    current = (current as { inner?: unknown }).inner;
  }
  return store;
}
