import type Database from 'better-sqlite3';
import type { RecordedEvent } from '@nws/event-store';
import { statement, type Projection } from './projection';

/**
 * Every registered version of every body's master data; the current view is the highest version.
 * Beside each version, outside its content: the delegations held for their other side (突合待ち,
 * never published) and why the version was registered (an approval, or a delegation matched by
 * another body's approval). A table of its own, so read models built before it need no migration.
 */
export const masterDataProjection: Projection = {
  name: 'master-data',
  tables: ['master_data_versions', 'master_data_version_notes'],
  schema: `
    CREATE TABLE IF NOT EXISTS master_data_versions (
      organization_code  TEXT NOT NULL,
      version            INTEGER NOT NULL,
      application_id     TEXT NOT NULL,
      application_number TEXT,
      category           TEXT,
      content_hash       TEXT NOT NULL,
      content            TEXT NOT NULL,
      registered_at      TEXT NOT NULL,
      position           INTEGER NOT NULL,
      PRIMARY KEY (organization_code, version)
    );
    CREATE TABLE IF NOT EXISTS master_data_version_notes (
      organization_code   TEXT NOT NULL,
      version             INTEGER NOT NULL,
      pending_delegations TEXT NOT NULL,
      cause               TEXT,
      PRIMARY KEY (organization_code, version)
    );
  `,
  apply(db: Database.Database, event: RecordedEvent): void {
    if (event.type !== 'MasterDataVersionRegistered') return;
    const d = event.data as { organizationCode: string; version: number; applicationId: string; applicationNumber?: string | null; category?: string; contentHash: string; content: unknown; pendingDelegations?: unknown[]; cause?: unknown };
    statement(db, 
      `INSERT INTO master_data_versions (organization_code, version, application_id, application_number, category, content_hash, content, registered_at, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(d.organizationCode, d.version, d.applicationId, d.applicationNumber ?? null, d.category ?? null, d.contentHash, JSON.stringify(d.content), String(event.metadata['occurredAt'] ?? event.recordedAt), event.position);
    statement(db, 'INSERT INTO master_data_version_notes (organization_code, version, pending_delegations, cause) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
      d.organizationCode,
      d.version,
      JSON.stringify(d.pendingDelegations ?? []),
      d.cause === undefined ? null : JSON.stringify(d.cause),
    );
  },
};
