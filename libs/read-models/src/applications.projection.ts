import type Database from 'better-sqlite3';
import type { RecordedEvent } from '@nws/event-store';
import { statement, type Projection } from './projection';

const PREFIX = 'application-';

/**
 * One row per application (lists, review queues). Workflow-agnostic: it relies on the engine's
 * metadata (`state`, `waitingAt`) and on the convention that every workflow starts with
 * `ApplicationCreated { organization: { code, name }, category }` and that the event routing an
 * application names its reviewers (`firstReviewer`, `secondReviewer`): a reviewer may read it from
 * then on, before it waits at their stage, and the list must show it to them.
 */
export const applicationsProjection: Projection = {
  name: 'applications',
  // 2: reviewers are taken from the routing event, not only from where the application waits.
  // 3: the applicant organ (organization_kind): a body is an organ, and lists are scoped by it.
  // 4: whether it ever reached its reviewers (reached_reviewers): a board's application withdrawn
  //    while it waited for its head's forwarding was listed to reviewers who never received it.
  version: 4,
  tables: ['applications'],
  schema: `
    CREATE TABLE IF NOT EXISTS applications (
      id                TEXT PRIMARY KEY,
      workflow          TEXT NOT NULL,
      machine_version   TEXT NOT NULL,
      organization_code TEXT NOT NULL,
      organization_name TEXT,
      organization_kind TEXT,
      category          TEXT,
      state             TEXT NOT NULL,
      revision          INTEGER NOT NULL,
      round             INTEGER NOT NULL DEFAULT 1,
      application_number TEXT,
      waiting_stage     TEXT,
      waiting_org       TEXT,
      first_reviewer    TEXT,
      second_reviewer   TEXT,
      reached_reviewers INTEGER NOT NULL DEFAULT 0,
      created_at        TEXT NOT NULL,
      updated_at        TEXT NOT NULL,
      last_position     INTEGER NOT NULL
    );
    -- Each list and queue in its own order (ReadModelQueries; the lists' scopes come from
    -- workflows/shared/list-scope.policy.ts), so none scans or sorts the table: MIC's, a
    -- prefecture's and an auditor's lists scanned and sorted every application in the country
    -- (41 ms at 50,000 applications against 0.35 ms), an auditor's queue every waiting one, and the
    -- queues sorted ties by id. Made in place on an existing database (the schema runs at every
    -- start). Only the two queue indexes follow every update (updated_at); the others' columns
    -- change only when an application is created or routed.
    DROP INDEX IF EXISTS applications_org;
    DROP INDEX IF EXISTS applications_queue;
    CREATE INDEX IF NOT EXISTS applications_waiting_at ON applications (waiting_org, waiting_stage, updated_at, id);
    CREATE INDEX IF NOT EXISTS applications_by_org ON applications (organization_code, created_at DESC, id);
    CREATE INDEX IF NOT EXISTS applications_by_first_reviewer ON applications (first_reviewer, created_at DESC, id);
    CREATE INDEX IF NOT EXISTS applications_by_second_reviewer ON applications (second_reviewer, created_at DESC, id);
    CREATE INDEX IF NOT EXISTS applications_by_created ON applications (created_at DESC, id);
    CREATE INDEX IF NOT EXISTS applications_by_number ON applications (application_number);
    CREATE INDEX IF NOT EXISTS applications_waiting ON applications (waiting_stage, updated_at, id);
  `,
  apply(db: Database.Database, event: RecordedEvent): void {
    if (!event.streamId.startsWith(PREFIX)) return;
    const id = event.streamId.slice(PREFIX.length);
    const meta = event.metadata as { workflow?: string; machineVersion?: string; state?: string; occurredAt?: string; waitingAt?: { stage: string; org: string } | null };
    const at = meta.occurredAt ?? event.recordedAt;
    if (event.type === 'ApplicationCreated') {
      const data = event.data as { organization?: { code?: string; name?: string; kind?: string }; category?: string };
      statement(db, 
        `INSERT INTO applications (id, workflow, machine_version, organization_code, organization_name, organization_kind, category, state, revision, created_at, updated_at, last_position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      ).run(id, meta.workflow ?? '', meta.machineVersion ?? '', data.organization?.code ?? '', data.organization?.name ?? null, data.organization?.kind ?? null, data.category ?? null, meta.state ?? '', event.revision, at, at, event.position);
      return;
    }
    const waiting = meta.waitingAt ?? null;
    const data = event.data as { applicationNumber?: string; round?: number; firstReviewer?: unknown; secondReviewer?: unknown };
    const routed = (org: unknown) => (typeof org === 'string' ? org : null);
    statement(db, 
      `UPDATE applications SET
         state = ?, revision = ?, updated_at = ?, last_position = ?,
         waiting_stage = ?, waiting_org = ?,
         application_number = COALESCE(?, application_number),
         round = COALESCE(?, round),
         first_reviewer = COALESCE(?, CASE WHEN ? = 'first' THEN ? ELSE first_reviewer END),
         second_reviewer = COALESCE(?, CASE WHEN ? = 'second' THEN ? ELSE second_reviewer END),
         reached_reviewers = MAX(reached_reviewers, ?)
       WHERE id = ? AND revision < ?`,
    ).run(
      meta.state ?? '',
      event.revision,
      at,
      event.position,
      waiting?.stage ?? null,
      waiting?.org ?? null,
      typeof data.applicationNumber === 'string' ? data.applicationNumber : null,
      typeof data.round === 'number' ? data.round : null,
      routed(data.firstReviewer),
      waiting?.stage ?? null,
      waiting?.org ?? null,
      routed(data.secondReviewer),
      waiting?.stage ?? null,
      waiting?.org ?? null,
      // Reviewers have it once it waited at a review stage, never while it waits to be forwarded.
      waiting?.stage === 'first' || waiting?.stage === 'second' ? 1 : 0,
      id,
      event.revision,
    );
  },
};
