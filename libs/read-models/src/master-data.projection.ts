import type Database from 'better-sqlite3';
import type { JsonObject, RecordedEvent } from '@nws/event-store';
import { statement, type Projection } from './projection';

/**
 * Every registered version of every body's master data; the current view is the highest version.
 * A body is an organ (機関): a 知事部局 and its 都道府県教育委員会 (or a 市町村長部局 and its
 * 市町村教育委員会) share a code but each has its own versions, so rows are keyed by
 * (code, organ, version). Beside each version, outside its content: the delegations held for their
 * other side (突合待ち, never published) and why the version was registered (an approval, or a
 * delegation matched by another body's approval).
 *
 * Version 2: keyed by organ (version 1 was keyed by code); the runner drops version 1's tables
 * and rebuilds them from position zero.
 */
export const masterDataProjection: Projection = {
  name: 'master-data',
  version: 2,
  tables: ['master_data_versions', 'master_data_version_notes'],
  personalData: true,
  schema: `
    CREATE TABLE IF NOT EXISTS master_data_versions (
      organization_code  TEXT NOT NULL,
      organization_kind  TEXT NOT NULL,
      version            INTEGER NOT NULL,
      application_id     TEXT NOT NULL,
      application_number TEXT,
      category           TEXT,
      content_hash       TEXT NOT NULL,
      content            TEXT NOT NULL,
      registered_at      TEXT NOT NULL,
      position           INTEGER NOT NULL,
      PRIMARY KEY (organization_code, organization_kind, version)
    );
    CREATE TABLE IF NOT EXISTS master_data_version_notes (
      organization_code   TEXT NOT NULL,
      organization_kind   TEXT NOT NULL,
      version             INTEGER NOT NULL,
      pending_delegations TEXT NOT NULL,
      cause               TEXT,
      PRIMARY KEY (organization_code, organization_kind, version)
    );
  `,
  apply(db: Database.Database, event: RecordedEvent): void {
    if (event.type !== 'MasterDataVersionRegistered') return;
    const d = event.data as {
      organizationCode: string;
      organizationKind?: string;
      version: number;
      applicationId: string;
      applicationNumber?: string | null;
      category?: string;
      contentHash: string;
      content: unknown;
      pendingDelegations?: unknown[];
      cause?: unknown;
    };
    const kind = organizationKindOf(event.data);
    statement(
      db,
      `INSERT INTO master_data_versions (organization_code, organization_kind, version, application_id, application_number, category, content_hash, content, registered_at, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(d.organizationCode, kind, d.version, d.applicationId, d.applicationNumber ?? null, d.category ?? null, d.contentHash, JSON.stringify(d.content), String(event.metadata['occurredAt'] ?? event.recordedAt), event.position);
    statement(db, 'INSERT INTO master_data_version_notes (organization_code, organization_kind, version, pending_delegations, cause) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
      d.organizationCode,
      kind,
      d.version,
      JSON.stringify(d.pendingDelegations ?? []),
      d.cause === undefined ? null : JSON.stringify(d.cause),
    );
  },
};

/** The organ of a version: recorded beside the code; versions registered before that carry it in their content only. */
function organizationKindOf(data: JsonObject): string {
  if (typeof data['organizationKind'] === 'string') return data['organizationKind'];
  const organization = (data['content'] as JsonObject | null | undefined)?.['organization'] as JsonObject | null | undefined;
  return typeof organization?.['kind'] === 'string' ? organization['kind'] : '';
}
