import type Database from 'better-sqlite3';

/**
 * Queries by data subject and by application find their entries through two tables derived from
 * the access log (subject → seq, application → seq), not by reading every entry: at 1,000,000
 * entries a page took 258 ms and 130 ms that way. The tables are filled here, after the entries'
 * own commit and off the path of the read being logged: indexes maintained in the logging
 * transaction cost every logged read +0.15 ms, measured, on the path from an approval to the
 * distributor's file. A step takes up to `step` entries past the watermark in one transaction
 * with the watermark; it is not fsynced (`synchronous = NORMAL`): the tables are derived, a power
 * cut loses a step and its watermark together, and the next durable commit of the log carries
 * it. Queries read the tables up to the watermark and scan only the entries past it, in one
 * statement (one snapshot); each entry found is checked against its own columns, so a derived
 * row can make a query faster but never attribute a read to the wrong person or application.
 */
export const INDEX_SCHEMA = `
  CREATE TABLE IF NOT EXISTS personal_data_access_by_subject (
    subject_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (subject_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS personal_data_access_by_application (
    application_id TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    PRIMARY KEY (application_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS personal_data_access_indexed (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    up_to INTEGER NOT NULL
  );
  INSERT INTO personal_data_access_indexed (id, up_to) VALUES (1, 0) ON CONFLICT DO NOTHING;
`;

/** The indexer's watermark: the last seq its derived tables cover (a scalar subquery). */
const WATERMARK = '(SELECT up_to FROM personal_data_access_indexed WHERE id = 1)';

/** WHERE clause of a query by subject; binds the subject id twice. */
export const BY_SUBJECT = `seq IN (SELECT seq FROM personal_data_access_by_subject WHERE subject_id = ?
               UNION ALL SELECT seq FROM personal_data_access WHERE seq > ${WATERMARK})
       AND EXISTS (SELECT 1 FROM json_each(subject_ids) WHERE value = ?)`;

/** WHERE clause of a query by application; binds the application id twice. */
export const BY_APPLICATION = `seq IN (SELECT seq FROM personal_data_access_by_application WHERE application_id = ?
               UNION ALL SELECT seq FROM personal_data_access WHERE seq > ${WATERMARK})
       AND application_id = ?`;

export interface AccessLogIndexOptions {
  /** Entries per step (each step one short transaction on the main thread). Default 100. */
  readonly step?: number | undefined;
  /** How long after a write the next step runs; `false`: only `catchUp()` indexes. Default 500 ms (DEFAULT_INDEX_DELAY_MS). */
  readonly delayMs?: number | false | undefined;
  /** The pause before a step the disk refused is tried again. Default 5 s. */
  readonly retryMs?: number | undefined;
}

/**
 * Why 500 ms and not less: each step is a transaction of its own on the main thread (two pragmas,
 * BEGIN IMMEDIATE, a read, the inserts, the watermark, a commit into the WAL). At 25 ms a trickle of
 * logged reads (one approval every ~45 ms on the approval → file line, three entries each) paid one
 * step per approval, ~0.25 ms of the main thread; at 500 ms one step takes a dozen approvals'
 * entries. Queries are as correct either way: they scan the entries past the watermark.
 */
export const DEFAULT_INDEX_DELAY_MS = 500;
/** The pause between the steps of a catch-up (a step that left entries behind): as before, so a backlog goes as fast. */
const CATCH_UP_DELAY_MS = 25;

/** The access log's indexer, on the log's own connection (the log's schema must exist). */
export class AccessLogIndex {
  private timer: NodeJS.Timeout | undefined;
  private statements: { readonly watermark: Database.Statement; readonly unindexed: Database.Statement; readonly step: Database.Transaction<(size: number) => boolean> } | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly options: AccessLogIndexOptions = {},
  ) {
    db.exec(INDEX_SCHEMA);
  }

  /** Runs a step shortly (after `after` ms, else the configured delay), and more while entries remain. */
  schedule(after?: number): void {
    const delay = this.options.delayMs ?? DEFAULT_INDEX_DELAY_MS;
    if (delay === false || this.timer || !this.db.open) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        if (this.once()) this.schedule(Math.min(delay, CATCH_UP_DELAY_MS));
      } catch {
        // A disk that refuses writes refuses these too: queries scan past the watermark meanwhile
        // (/health counts those entries), and the step is tried again after a pause.
        this.schedule(this.options.retryMs ?? 5000);
      }
    }, after ?? delay);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Entries written (by any process) that the indexer has not reached yet. */
  unindexed(): number {
    return this.db.open ? (this.prepared().unindexed.get() as number) : 0;
  }

  /** Indexes every entry written so far; returns the watermark (the last seq indexed). */
  catchUp(): number {
    while (this.once());
    return this.prepared().watermark.get() as number;
  }

  /** One step; true when entries past the watermark remain. */
  private once(): boolean {
    if (!this.db.open) return false;
    const { step } = this.prepared();
    this.db.pragma('synchronous = NORMAL');
    try {
      return step.immediate(this.options.step ?? 100);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  private prepared(): NonNullable<AccessLogIndex['statements']> {
    if (this.statements) return this.statements;
    const db = this.db;
    const watermark = db.prepare(`SELECT ${WATERMARK}`).pluck();
    const next = db.prepare('SELECT seq, subject_ids, application_id FROM personal_data_access WHERE seq > ? ORDER BY seq LIMIT ?');
    const subject = db.prepare('INSERT OR IGNORE INTO personal_data_access_by_subject (subject_id, seq) VALUES (?, ?)');
    const application = db.prepare('INSERT OR IGNORE INTO personal_data_access_by_application (application_id, seq) VALUES (?, ?)');
    const advance = db.prepare('UPDATE personal_data_access_indexed SET up_to = ? WHERE id = 1 AND up_to < ?');
    const step = db.transaction((size: number) => {
      // Read inside the write transaction: another process's indexer may have moved it.
      const rows = next.all(watermark.get(), size) as Array<{ seq: number; subject_ids: string; application_id: string | null }>;
      for (const row of rows) {
        for (const subjectId of JSON.parse(row.subject_ids) as string[]) subject.run(subjectId, row.seq);
        if (row.application_id !== null) application.run(row.application_id, row.seq);
      }
      const last = rows[rows.length - 1];
      if (last) advance.run(last.seq, last.seq);
      return rows.length === size;
    });
    const unindexed = db.prepare(`SELECT coalesce((SELECT max(seq) FROM personal_data_access), 0) - ${WATERMARK}`).pluck();
    return (this.statements = { watermark, unindexed, step });
  }
}
