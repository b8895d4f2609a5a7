import type { EventStore } from '@nws/event-store';
import type { SqliteEventStore } from '@nws/event-store/sqlite';

/** The SQLite adapter under the decorators (metrics, personal data, hash chain). */
export function sqliteAdapter(store: EventStore): SqliteEventStore {
  let current: unknown = store;
  for (let depth = 0; depth < 10 && current; depth++) {
    if (typeof (current as Partial<SqliteEventStore>).setPageLimit === 'function') return current as SqliteEventStore;
    current = (current as { inner?: unknown }).inner;
  }
  throw new Error('no SQLite adapter under the store');
}
