import type Database from 'better-sqlite3';
import type { RecordedEvent } from '@nws/event-store';

/**
 * A read model built from the event stream. `apply` runs inside the runner's transaction, which
 * also moves the projection's checkpoint: a read model and its position never disagree.
 * `apply` must be deterministic (times come from the events) so a rebuild gives identical rows.
 */
export interface Projection {
  readonly name: string;
  /**
   * Version of its tables' schema (default 1). Bump it when the schema changes: the runner drops
   * the tables a different version built and rebuilds them from position zero.
   */
  readonly version?: number;
  /** Tables it owns, emptied on rebuild and dropped when the version changes. */
  readonly tables: readonly string[];
  /**
   * Its rows hold personal data in clear, as decrypted when the events were read (published
   * contacts): rebuilt after an erasure so they no longer hold the person. The others are not
   * rebuilt then: a rebuild answers from half-filled tables meanwhile.
   */
  readonly personalData?: boolean;
  readonly schema: string;
  apply(db: Database.Database, event: RecordedEvent): void;
}

/** Prepared once per database and SQL text (the event store's helper, shared with the key store). */
export { statement } from '@nws/event-store/sqlite';
