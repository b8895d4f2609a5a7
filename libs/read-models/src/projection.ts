import type Database from 'better-sqlite3';
import type { RecordedEvent } from '@nws/event-store';

/**
 * A read model built from the event stream. `apply` runs inside the runner's transaction, which
 * also moves the projection's checkpoint: a read model and its position never disagree.
 * `apply` must be deterministic (times come from the events) so a rebuild gives identical rows.
 */
export interface Projection {
  readonly name: string;
  /** Tables it owns, dropped on rebuild. */
  readonly tables: readonly string[];
  readonly schema: string;
  apply(db: Database.Database, event: RecordedEvent): void;
}
