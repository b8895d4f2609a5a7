import type Database from 'better-sqlite3';
import { statement } from './projection';

export interface ApplicationRow {
  id: string;
  workflow: string;
  machineVersion: string;
  organizationCode: string;
  organizationName: string | null;
  /** The applying organ (機関種類); null for applications created before organs were recorded. */
  organizationKind: string | null;
  category: string | null;
  state: string;
  revision: number;
  round: number;
  applicationNumber: string | null;
  waitingStage: string | null;
  waitingOrg: string | null;
  firstReviewer: string | null;
  secondReviewer: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApplicationFilter {
  readonly organizationCode?: string;
  /** The applicant organ is one of these (機関種類); an application that names none counts as any. */
  readonly organizationKinds?: readonly string[];
  /** Organs of that code whose applications count once submitted only (those the caller forwards: not their drafts)... */
  readonly forwardedKinds?: readonly string[];
  /** ...in these workflows (those that forward at all). */
  readonly forwardedWorkflows?: readonly string[];
  /** Applications whose first (second) review is routed to this body. */
  readonly firstReviewer?: string;
  readonly secondReviewer?: string;
  readonly states?: readonly string[];
  readonly excludedStates?: readonly string[];
  /** Only applications that reached their reviewers (waited at a review stage at least once). */
  readonly reachedReviewers?: boolean;
  readonly workflow?: string;
  /** 申請区分 (登録, 変更, 接続, アカウント発行) */
  readonly category?: string;
  /** 申請番号 */
  readonly applicationNumber?: string;
  /** The applying organ (機関種類) exactly. */
  readonly organizationKind?: string;
  readonly limit?: number;
  readonly offset?: number;
  /** Keyset paging: the rows after this one in the list's order (newest first), whatever changed since. */
  readonly after?: ListKey;
}

/** Where a page of the list ends: the last row's creation time and id (the list's order, which never changes). */
export interface ListKey {
  readonly createdAt: string;
  readonly id: string;
}

/** Where a page of a queue ends: the last row's last change and id (the queue's order, longest waiting first). */
export interface QueueKey {
  readonly updatedAt: string;
  readonly id: string;
}

export interface MasterDataVersionRow {
  organizationCode: string;
  /** The organ (機関種類) whose master data it is: organs sharing a code have versions of their own. */
  organizationKind: string;
  version: number;
  applicationId: string;
  applicationNumber: string | null;
  category: string | null;
  contentHash: string;
  content: unknown;
  registeredAt: string;
  /** Delegations held for their other side (突合待ち): outside the content, never published or distributed. */
  pendingDelegations: unknown[];
  /** Why this version exists: `{ kind: 'approval', … }` or `{ kind: 'delegation-match', applicationId, matched, unmatched, … }`; null before it was recorded. */
  cause: unknown;
}

const APPLICATION_COLUMNS = `id, workflow, machine_version AS machineVersion, organization_code AS organizationCode,
  organization_name AS organizationName, organization_kind AS organizationKind, category, state, revision, round, application_number AS applicationNumber,
  waiting_stage AS waitingStage, waiting_org AS waitingOrg, first_reviewer AS firstReviewer,
  second_reviewer AS secondReviewer, created_at AS createdAt, updated_at AS updatedAt`;

/** Every field of the filter narrows (AND). */
function applicationWhere(filter: ApplicationFilter): { readonly where: string; readonly params: Array<string | number> } {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  // A 申請番号 names one application: its index goes straight to it, and `+column` keeps the
  // planner from walking a scope's index (which it prefers for the order) past every other row.
  const byNumber = filter.applicationNumber !== undefined;
  const equal = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    clauses.push(`${byNumber && column !== 'application_number' ? '+' : ''}${column} = ?`);
    params.push(value);
  };
  equal('organization_code', filter.organizationCode);
  if (filter.organizationKinds) {
    const forwarded = filter.forwardedKinds ?? [];
    const workflows = filter.forwardedWorkflows ?? [];
    const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
    const forwardedClause = forwarded.length > 0 && workflows.length > 0 ? ` OR (organization_kind IN (${marks(forwarded.length)}) AND workflow IN (${marks(workflows.length)}) AND state <> 'draft' AND application_number IS NOT NULL)` : '';
    clauses.push(`(organization_kind IS NULL OR organization_kind IN (${marks(filter.organizationKinds.length)})${forwardedClause})`);
    params.push(...filter.organizationKinds, ...(forwardedClause ? [...forwarded, ...workflows] : []));
  }
  equal('first_reviewer', filter.firstReviewer);
  equal('second_reviewer', filter.secondReviewer);
  if (filter.reachedReviewers) clauses.push('reached_reviewers = 1');
  if (filter.states && filter.states.length > 0) {
    clauses.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
    params.push(...filter.states);
  }
  if (filter.excludedStates && filter.excludedStates.length > 0) {
    clauses.push(`state NOT IN (${filter.excludedStates.map(() => '?').join(', ')})`);
    params.push(...filter.excludedStates);
  }
  equal('workflow', filter.workflow);
  equal('category', filter.category);
  equal('application_number', filter.applicationNumber);
  equal('organization_kind', filter.organizationKind);
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const MASTER_DATA_VERSION = `SELECT v.organization_code AS organizationCode, v.organization_kind AS organizationKind, v.version, v.application_id AS applicationId,
         v.application_number AS applicationNumber, v.category, v.content_hash AS contentHash, v.content, v.registered_at AS registeredAt,
         n.pending_delegations AS pendingDelegations, n.cause
  FROM master_data_versions v
  LEFT JOIN master_data_version_notes n ON n.organization_code = v.organization_code AND n.organization_kind = v.organization_kind AND n.version = v.version
  WHERE v.organization_code = ? AND v.organization_kind = ?`;

type StoredVersionRow = Omit<MasterDataVersionRow, 'content' | 'pendingDelegations' | 'cause'> & { content: string; pendingDelegations: string | null; cause: string | null };

function versionRow(row: StoredVersionRow): MasterDataVersionRow {
  return {
    ...row,
    content: JSON.parse(row.content) as unknown,
    pendingDelegations: row.pendingDelegations ? (JSON.parse(row.pendingDelegations) as unknown[]) : [],
    cause: row.cause ? (JSON.parse(row.cause) as unknown) : null,
  };
}

/** Read-side queries over the projections' tables. */
export class ReadModelQueries {
  constructor(private readonly db: Database.Database) {}

  /**
   * Prepared once per SQL text (the event store's `statement`): preparing cost more than running these queries
   * (8 % of the API's CPU under reads of master data). The texts are few: the list's filters
   * combine a handful of optional clauses.
   */
  private statement(sql: string): Database.Statement {
    return statement(this.db, sql);
  }

  /** One page of what waits at `stage` (for `org`, or everywhere), longest-waiting first, and how many wait in all. */
  reviewQueue(stage: string, org: string | undefined, page: { readonly limit: number; readonly offset: number; readonly after?: QueueKey }): { items: ApplicationRow[]; total: number } {
    const where = org === undefined ? 'waiting_stage = ?' : 'waiting_stage = ? AND waiting_org = ?';
    const params = org === undefined ? [stage] : [stage, org];
    // Keyset: an application decided on one page no longer moves the next page's start (with an
    // offset, each decision hid one waiting application from the next page).
    const after = page.after ? ' AND (updated_at > ? OR (updated_at = ? AND id > ?))' : '';
    const afterParams = page.after ? [page.after.updatedAt, page.after.updatedAt, page.after.id] : [];
    // One read transaction: the page and the count describe the same moment.
    return this.db.transaction(() => ({
      items: this.statement(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE ${where}${after} ORDER BY updated_at, id LIMIT ? OFFSET ?`).all(...params, ...afterParams, page.limit, page.offset) as ApplicationRow[],
      total: (this.statement(`SELECT count(*) AS n FROM applications WHERE ${where}`).get(...params) as { n: number }).n,
    }))();
  }

  applications(filter: ApplicationFilter): ApplicationRow[] {
    const { where, params } = applicationWhere(filter);
    // Keyset: creation times never change, so a walk page by page neither skips nor repeats a row
    // while applications are created or change state (an offset shifted with every creation).
    const after = filter.after ? `${where ? ' AND' : 'WHERE'} (created_at < ? OR (created_at = ? AND id > ?))` : '';
    const afterParams = filter.after ? [filter.after.createdAt, filter.after.createdAt, filter.after.id] : [];
    return this.statement(`SELECT ${APPLICATION_COLUMNS} FROM applications ${where}${after ? ` ${after}` : ''} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`).all(...params, ...afterParams, filter.limit ?? 100, filter.offset ?? 0) as ApplicationRow[];
  }

  /** How many rows `applications` pages through. */
  countApplications(filter: ApplicationFilter): number {
    const { where, params } = applicationWhere(filter);
    return (this.statement(`SELECT count(*) AS n FROM applications ${where}`).get(...params) as { n: number }).n;
  }

  /** Every version of one organ's master data, oldest first. */
  masterDataVersions(organizationCode: string, organizationKind: string): MasterDataVersionRow[] {
    return (this.statement(`${MASTER_DATA_VERSION} ORDER BY v.version`).all(organizationCode, organizationKind) as StoredVersionRow[]).map(versionRow);
  }

  /** One version of an organ's master data; the current one (the highest) without `version`. Reads and parses that one only. */
  masterDataVersion(organizationCode: string, organizationKind: string, version?: number): MasterDataVersionRow | undefined {
    const row = (
      version === undefined
        ? this.statement(`${MASTER_DATA_VERSION} ORDER BY v.version DESC LIMIT 1`).get(organizationCode, organizationKind)
        : this.statement(`${MASTER_DATA_VERSION} AND v.version = ?`).get(organizationCode, organizationKind, version)
    ) as StoredVersionRow | undefined;
    return row && versionRow(row);
  }

  currentMasterData(organizationCode: string, organizationKind: string): MasterDataVersionRow | undefined {
    return this.masterDataVersion(organizationCode, organizationKind);
  }

  /** The organs of a code that have master data, each with its current version number (by organ). */
  masterDataOrgans(organizationCode: string): Array<{ organizationKind: string; version: number }> {
    return this.statement('SELECT organization_kind AS organizationKind, max(version) AS version FROM master_data_versions WHERE organization_code = ? GROUP BY organization_kind ORDER BY organization_kind').all(
      organizationCode,
    ) as Array<{ organizationKind: string; version: number }>;
  }

  /** Every row of every read-model table, for comparing a rebuild with what was there before. */
  dump(tables: readonly string[]): Record<string, unknown[]> {
    return Object.fromEntries(tables.map((t) => [t, this.db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
  }
}
