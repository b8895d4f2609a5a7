import type Database from 'better-sqlite3';
import type { RecordedEvent } from '@nws/event-store';
import { statement, type Projection } from './projection';

/** Every registered version of every body's master data; the current view is the highest version. */
export const masterDataProjection: Projection = {
  name: 'master-data',
  tables: ['master_data_versions'],
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
  `,
  apply(db: Database.Database, event: RecordedEvent): void {
    if (event.type !== 'MasterDataVersionRegistered') return;
    const d = event.data as { organizationCode: string; version: number; applicationId: string; applicationNumber?: string | null; category?: string; contentHash: string; content: unknown };
    statement(db, 
      `INSERT INTO master_data_versions (organization_code, version, application_id, application_number, category, content_hash, content, registered_at, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(d.organizationCode, d.version, d.applicationId, d.applicationNumber ?? null, d.category ?? null, d.contentHash, JSON.stringify(d.content), String(event.metadata['occurredAt'] ?? event.recordedAt), event.position);
  },
};
