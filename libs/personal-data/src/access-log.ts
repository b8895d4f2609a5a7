import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { MAIN_THREAD_BUSY_TIMEOUT_MS, StorageUnavailableError, asStorageError, guardedWrite } from '@nws/event-store';
import { addMissingColumns, commitProbe } from '@nws/event-store/sqlite';
import { organOrDefault } from '@nws/workflows/shared/organizations';
import { AccessLogIndex, BY_APPLICATION, BY_SUBJECT } from './access-log-index';

export const ACCESS_LOG_FILE = 'access-log.sqlite';

/** One read of personal data by someone other than the body itself. Values are never logged: places only. */
export interface AccessLogEntry {
  readonly at: string;
  /** Who read: `organ` where the token named one (a board of education reads as itself, not as its code). */
  readonly actor: { readonly sub: string; readonly org: string; readonly organ?: string | undefined; readonly role: string };
  /** A code of ACCESS_PURPOSES. */
  readonly purpose: string;
  readonly reference: string | null;
  readonly method: string;
  /** The route pattern (`/applications/:id/history`), never the raw URL with its query. */
  readonly route: string;
  /** The body whose staff's data was read. */
  readonly organizationCode: string;
  /** Its organ (機関種類); absent when written: the code's default organ. */
  readonly organizationKind?: string | undefined;
  readonly applicationId: string | null;
  readonly subjectIds: readonly string[];
  /** Field paths as shown to the reader, e.g. `forms.02-02.data.normalContacts[0].phone`. */
  readonly fields: readonly string[];
  readonly requestId: string | null;
}

export interface RecordedAccess extends AccessLogEntry {
  readonly seq: number;
  readonly organizationKind: string;
}

export interface AccessLogQuery {
  readonly subjectId?: string;
  readonly organizationCode?: string;
  /** With organizationCode: reads of that organ's staff only. */
  readonly organizationKind?: string;
  readonly applicationId?: string;
  readonly actorSub?: string;
  readonly actorOrg?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly offset?: number;
  /** `newest` first (who read my staff's data lately), or `oldest` first (the default: the log's own order). */
  readonly order?: 'oldest' | 'newest';
}

/**
 * `at` is stored as `toISOString()` text, so bounds compare as text only once they are in the same
 * form: `2026-12-05T09:00+09:00` as given would sort after every entry of that morning in UTC.
 */
function storedInstant(bound: string | undefined): string | undefined {
  if (bound === undefined) return undefined;
  const time = Date.parse(bound);
  if (Number.isNaN(time)) throw new RangeError(`access-log bound is not a time: ${bound}`);
  return new Date(time).toISOString();
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS personal_data_access (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    at                TEXT NOT NULL,
    actor_sub         TEXT NOT NULL,
    actor_org         TEXT NOT NULL,
    actor_role        TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    reference         TEXT,
    method            TEXT NOT NULL,
    route             TEXT NOT NULL,
    organization_code TEXT NOT NULL,
    application_id    TEXT,
    subject_ids       TEXT NOT NULL,
    fields            TEXT NOT NULL,
    request_id        TEXT
  );
  CREATE INDEX IF NOT EXISTS personal_data_access_org ON personal_data_access (organization_code, at);
  CREATE TRIGGER IF NOT EXISTS personal_data_access_no_update BEFORE UPDATE ON personal_data_access
    BEGIN SELECT RAISE(ABORT, 'the personal-data access log is append-only'); END;
  CREATE TRIGGER IF NOT EXISTS personal_data_access_no_delete BEFORE DELETE ON personal_data_access
    BEGIN SELECT RAISE(ABORT, 'the personal-data access log is append-only'); END;
`;

interface Row {
  seq: number;
  at: string;
  actor_sub: string;
  actor_org: string;
  actor_role: string;
  actor_organ: string | null;
  purpose: string;
  reference: string | null;
  method: string;
  route: string;
  organization_code: string;
  organization_kind: string | null;
  application_id: string | null;
  subject_ids: string;
  fields: string;
  request_id: string | null;
}

/**
 * The personal-data access log: its own SQLite file (DATA_DIR/access-log.sqlite), one append-only
 * table whose triggers refuse UPDATE and DELETE. It holds subject ids and field paths, never
 * values, so erasing a person leaves nothing of them here while the record of who read what stays.
 */
export class SqliteAccessLog {
  private readonly db: Database.Database;
  private readonly directory: string | undefined;
  /** Entries the disk refused (full, read-only), in order, written before any newer one. */
  private backlog: AccessLogEntry[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private problem: StorageUnavailableError | undefined;
  private queue: Array<{ readonly entries: readonly AccessLogEntry[]; readonly resolve: () => void; readonly reject: (error: unknown) => void }> = [];
  private flushScheduled = false;
  private insert: Database.Statement | undefined;
  /** After each commit: does the file system still take a change? (see commitProbe) */
  private readonly probe: (() => void) | undefined;
  private readonly index: AccessLogIndex;

  /**
   * `maxBacklog`: while the disk refuses writes, up to this many entries wait in memory (reads go
   * on and the entries are written, with their own times, once the disk takes writes again);
   * beyond it a read that must be logged is refused (StorageUnavailableError → 503).
   */
  constructor(
    filename: string,
    private readonly options: {
      readonly maxBacklog?: number;
      readonly retryMs?: number;
      /** Entries the indexer takes per step (each step one short transaction on the main thread). */
      readonly indexStep?: number;
      /** How long after a write the indexer's next step runs; `false`: only `catchUpIndex()` indexes. */
      readonly indexDelayMs?: number | false;
      /** The organ a code alone stands for: entries logged without one (or before organs were named) are its. */
      readonly defaultOrgan?: (code: string) => string;
    } = {},
  ) {
    this.directory = filename === ':memory:' ? undefined : dirname(filename);
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    if (filename !== ':memory:') chmodSync(filename, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${MAIN_THREAD_BUSY_TIMEOUT_MS}`);
    this.db.exec(SCHEMA);
    // Logs written before organs were named: their entries are the code's default organ's (NULL).
    addMissingColumns(this.db, 'personal_data_access', { organization_kind: 'TEXT', actor_organ: 'TEXT' });
    this.probe = this.directory === undefined ? undefined : commitProbe({ renameSync, mkdirSync }, this.directory, 'access-log-probe');
    this.index = new AccessLogIndex(this.db, { step: options.indexStep, delayMs: options.indexDelayMs, retryMs: options.retryMs });
    // A log written before the index existed, or entries written since the last step, by any process.
    this.index.schedule();
  }

  /**
   * Logs reads; resolves once the entries are durable, so a caller that awaits it discloses
   * nothing unlogged. Entries recorded in the same turn of the event loop share one transaction
   * and one fsync (group commit): one fsync per request capped the API at a few hundred
   * requests per second. When the disk refuses the write, the entries wait in a bounded in-memory
   * backlog (written first on the next write, or by a timer) and the reads go on; a caller whose
   * entries no longer fit in the backlog is refused (StorageUnavailableError → 503). Entries in
   * the backlog are lost if the process dies before the disk recovers — /health shows how many wait.
   */
  record(entries: readonly AccessLogEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const waiting = this.queue;
    this.queue = [];
    if (waiting.length === 0) return;
    if (!this.db.open) {
      for (const caller of waiting) caller.reject(new Error('the personal-data access log is closed'));
      return;
    }
    try {
      this.write([...this.backlog, ...waiting.flatMap((caller) => caller.entries)]);
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) {
        for (const caller of waiting) caller.reject(error);
        return;
      }
      this.problem = error;
      const maxBacklog = this.options.maxBacklog ?? 10_000;
      for (const caller of waiting) {
        if (this.backlog.length + caller.entries.length > maxBacklog) caller.reject(error);
        else {
          this.backlog = [...this.backlog, ...caller.entries];
          caller.resolve();
        }
      }
      this.scheduleRetry();
      return;
    }
    this.backlog = [];
    this.problem = undefined;
    for (const caller of waiting) caller.resolve();
    this.index.schedule();
  }

  /** Entries written (by any process) that the indexer has not reached yet: queries scan these. */
  get unindexed(): number {
    return this.index.unindexed();
  }

  /** Indexes every entry written so far; returns the watermark (the last seq indexed). */
  catchUpIndex(): number {
    return this.index.catchUp();
  }

  /** Entries waiting for the disk, and why. */
  get pending(): { readonly entries: number; readonly problem: StorageUnavailableError['problem'] | null } {
    return { entries: this.backlog.length, problem: this.problem?.problem ?? null };
  }

  private write(entries: readonly AccessLogEntry[]): void {
    guardedWrite(this.db, 'personal-data access log', this.directory, () => {
      const insert = (this.insert ??= this.db.prepare(
        `INSERT INTO personal_data_access (at, actor_sub, actor_org, actor_role, actor_organ, purpose, reference, method, route, organization_code, organization_kind, application_id, subject_ids, fields, request_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ));
      this.db.transaction(() => {
        for (const e of entries) {
          insert.run(e.at, e.actor.sub, e.actor.org, e.actor.role, e.actor.organ ?? null, e.purpose, e.reference, e.method, e.route, e.organizationCode, e.organizationKind ?? null, e.applicationId, JSON.stringify(e.subjectIds), JSON.stringify(e.fields), e.requestId);
        }
      })();
    });
    // The fsync said the entries are on disk; after a journal abort on ext4 it can say so for
    // entries that fsck then drops, and a disclosure would stand unlogged. The event store's
    // probe does not cover this file: a read appends no event after it. When the probe fails the
    // entries are treated as not written (backlog, written again once the disk is back), so the
    // log may hold an entry twice but never lose one.
    try {
      this.probe?.();
    } catch (error) {
      const known = asStorageError(error, 'personal-data access log', this.directory);
      throw known instanceof StorageUnavailableError ? known : new StorageUnavailableError('io-error', 'personal-data access log', { cause: error });
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.db.open || this.backlog.length === 0) return;
      const waiting = this.backlog;
      try {
        this.write(waiting);
        this.backlog = this.backlog.slice(waiting.length);
        this.problem = undefined;
      } catch {
        this.scheduleRetry();
      }
    }, this.options.retryMs ?? 5000);
    this.retryTimer.unref();
  }

  /** The WHERE clause of a query, shared by its page and its count. */
  private whereOf(query: AccessLogQuery): { readonly where: string; readonly params: Array<string | number> } {
    const clauses: string[] = [];
    const params: Array<string | number> = [];
    const where = (clause: string, value: string | undefined, times = 1) => {
      if (value === undefined) return;
      clauses.push(clause);
      for (let i = 0; i < times; i++) params.push(value);
    };
    // Through the indexer's tables (see access-log-index.ts).
    where(BY_SUBJECT, query.subjectId, 2);
    where('organization_code = ?', query.organizationCode);
    if (query.organizationKind !== undefined) {
      if (query.organizationCode === undefined) throw new RangeError('an organ is asked for with its code');
      // Entries without an organ are the code's default organ's.
      clauses.push('COALESCE(organization_kind, ?) = ?');
      params.push(this.defaultOrgan(query.organizationCode), query.organizationKind);
    }
    where(BY_APPLICATION, query.applicationId, 2);
    where('actor_sub = ?', query.actorSub);
    where('actor_org = ?', query.actorOrg);
    where('at >= ?', storedInstant(query.from));
    where('at <= ?', storedInstant(query.to));
    return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  /** How many entries the query matches in all (every page): a page alone did not say there were more. */
  count(query: AccessLogQuery = {}): number {
    const { where, params } = this.whereOf(query);
    return (this.db.prepare(`SELECT count(*) AS n FROM personal_data_access ${where}`).get(...params) as { n: number }).n;
  }

  query(query: AccessLogQuery = {}): RecordedAccess[] {
    const { where, params } = this.whereOf(query);
    params.push(query.limit ?? 100, query.offset ?? 0);
    const sql = `SELECT * FROM personal_data_access ${where} ORDER BY seq${query.order === 'newest' ? ' DESC' : ''} LIMIT ? OFFSET ?`;
    return (this.db.prepare(sql).all(...params) as Row[]).map((row) => ({
      seq: row.seq,
      at: row.at,
      actor: { sub: row.actor_sub, org: row.actor_org, ...(row.actor_organ ? { organ: row.actor_organ } : {}), role: row.actor_role },
      purpose: row.purpose,
      reference: row.reference,
      method: row.method,
      route: row.route,
      organizationCode: row.organization_code,
      organizationKind: row.organization_kind ?? this.defaultOrgan(row.organization_code),
      applicationId: row.application_id,
      subjectIds: JSON.parse(row.subject_ids) as string[],
      fields: JSON.parse(row.fields) as string[],
      requestId: row.request_id,
    }));
  }

  private defaultOrgan(code: string): string {
    return this.options.defaultOrgan ? this.options.defaultOrgan(code) : organOrDefault(code, undefined);
  }

  close(): void {
    this.flush();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.index.stop();
    if (this.backlog.length > 0 && this.db.open) {
      try {
        this.write(this.backlog);
        this.backlog = [];
      } catch {
        // the disk still refuses: these entries are lost with the process (reported at /health before)
      }
    }
    if (this.db.open) this.db.close();
  }
}
