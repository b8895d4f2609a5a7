import Database from 'better-sqlite3';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { WITNESS_FILE, WitnessFile, describeProblem, verifyStore, type VerificationReport } from '@nws/audit';
import { EVENTS_FILE, READ_MODELS_FILE, createEventStore } from '@nws/event-store/create-event-store';
import { ALL_PROJECTIONS, ProjectionRunner, ReadModelQueries } from '@nws/read-models';
import { loadRuntimeConfig } from '@nws/runtime';
import { PROCESS_SECRET } from '../../support/api-process';

/**
 * Looks at an API's data directory from the outside, the way an operator would after a crash:
 * always on a copy, so the API's own crash recovery (WAL replay on the next start) is what the
 * restarted process runs, untouched by the test.
 */

const KEY_STORE_FILE = 'personal-data-keys.sqlite';

/** A byte-for-byte copy of the data directory of a dead process (database, WAL, shared memory): exactly the crash state. */
export function copyDeadDataDir(dataDir: string, into: string): void {
  rmSync(into, { recursive: true, force: true });
  cpSync(dataDir, into, { recursive: true });
}

/**
 * A consistent copy of a live data directory (SQLite's online backup per database). Read models
 * first, then the key store and the witness, the events last: whatever the API commits meanwhile
 * can only make the event store the newest of them, never leave a read model or a seal ahead of it.
 */
export async function backupLiveDataDir(dataDir: string, into: string): Promise<void> {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  // The entries' own types: a stat per name raced the live API's commit probe, a directory renamed after each commit (ENOENT).
  const names = readdirSync(dataDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !/-(wal|shm|journal)$/.test(entry.name))
    .map((entry) => entry.name);
  const rank = (n: string) => (n === READ_MODELS_FILE ? 0 : n === KEY_STORE_FILE ? 1 : n === EVENTS_FILE ? 3 : 2);
  for (const name of names.sort((a, b) => rank(a) - rank(b))) {
    if (name.endsWith('.sqlite')) {
      const db = new Database(join(dataDir, name), { readonly: true, fileMustExist: true });
      try {
        await db.backup(join(into, name));
      } finally {
        db.close();
      }
    } else copyFileSync(join(dataDir, name), join(into, name));
  }
}

export interface StoredEventRow {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly commandId: string | null;
  readonly causationId: string | null;
  /** MasterDataVersionRegistered: the approval it registers. */
  readonly sourceEventId: string | null;
}

/** Every event of a (copied) store, in global order, with the metadata the checks need. */
export function readEventRows(dir: string): StoredEventRow[] {
  const db = new Database(join(dir, EVENTS_FILE), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `SELECT position, event_id AS eventId, stream_id AS streamId, revision, type,
                json_extract(metadata, '$.commandId') AS commandId,
                json_extract(metadata, '$.causationId') AS causationId,
                json_extract(data, '$.sourceEventId') AS sourceEventId
           FROM events ORDER BY position`,
      )
      .all() as StoredEventRow[];
  } finally {
    db.close();
  }
}

/**
 * The store's order, checked from the rows alone: global positions 1..head without a gap (the
 * SQLite adapter never skips one), every stream's revisions 0..n without a gap, and a stream's
 * positions rising with its revisions (the global order agrees with every stream's order).
 */
export function orderProblems(rows: readonly StoredEventRow[]): string[] {
  const problems: string[] = [];
  rows.forEach((row, index) => {
    if (row.position !== index + 1) problems.push(`global position ${index + 1} expected, found ${row.position} (event ${row.eventId})`);
  });
  const last = new Map<string, StoredEventRow>();
  for (const row of rows) {
    const previous = last.get(row.streamId);
    const expected = previous ? previous.revision + 1 : 0;
    if (row.revision !== expected) problems.push(`${row.streamId}: revision ${expected} expected at position ${row.position}, found ${row.revision}`);
    last.set(row.streamId, row);
  }
  return problems.slice(0, 20);
}

/**
 * What `npm run cli -- verify` would say is wrong with the copied data directory (every hash
 * chain, seal and the witness): empty when it verifies. One line per problem, so a failing
 * scenario's diff names them.
 */
export async function chainProblems(dir: string): Promise<string[]> {
  const report = await verifyChains(dir);
  const problems = describeReport(report);
  return [...(report.valid ? [] : ['the store does not verify']), ...(problems ? problems.split('\n') : [])];
}

/** Hash chains of every stream, seals and the witness file, with the project's own verifier (as `cli verify` runs it). */
async function verifyChains(dir: string): Promise<VerificationReport> {
  const store = await createEventStore(loadRuntimeConfig({ DATA_DIR: dir, JWT_SECRET: PROCESS_SECRET }));
  try {
    return await verifyStore(store, { witness: new WitnessFile(join(dir, WITNESS_FILE)) });
  } finally {
    await store.close();
  }
}

function describeReport(report: VerificationReport): string {
  return [...report.problems.map(describeProblem), ...(report.moreProblems ? [`… and ${report.moreProblems} more`] : [])].join('\n');
}

function canonicalRows(rows: readonly unknown[] | undefined): string[] {
  return (rows ?? []).map((row) => JSON.stringify(row)).sort();
}

export interface ProjectionComparison {
  readonly equal: boolean;
  readonly head: number;
  /** Checkpoint of every projection in the copied read-model database. */
  readonly checkpoints: Record<string, number>;
  readonly rows: number;
  readonly rebuiltEvents: number;
  /** The first differing table, when not equal. */
  readonly difference?: string;
}

/** Projection rows and checkpoints of a read-model database (without the runner: nothing is written). */
export function readProjectionCheckpoints(dir: string): Record<string, number> {
  const file = join(dir, READ_MODELS_FILE);
  if (!existsSync(file)) return {};
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT name, position FROM projection_checkpoints').all() as Array<{ name: string; position: number }>;
    return Object.fromEntries(rows.map((r) => [r.name, r.position]));
  } finally {
    db.close();
  }
}

/**
 * The read models of a (copied) data directory against a rebuild from position zero into a
 * fresh database, over the same events, opened as the API opens them (chain, personal data):
 * the same rows in every table, whatever order they were written in.
 */
export async function compareProjectionsWithRebuild(dir: string): Promise<ProjectionComparison> {
  const tables = ALL_PROJECTIONS.flatMap((p) => p.tables);
  const liveDb = new Database(join(dir, READ_MODELS_FILE), { readonly: true, fileMustExist: true });
  let live: Record<string, unknown[]>;
  try {
    live = new ReadModelQueries(liveDb).dump(tables);
  } finally {
    liveDb.close();
  }
  const checkpoints = readProjectionCheckpoints(dir);
  const rebuiltDir = join(dir, 'rebuilt');
  mkdirSync(rebuiltDir, { recursive: true });
  const store = await createEventStore(loadRuntimeConfig({ DATA_DIR: dir, JWT_SECRET: PROCESS_SECRET }));
  const runner = new ProjectionRunner(store, ALL_PROJECTIONS, { filename: join(rebuiltDir, READ_MODELS_FILE) });
  try {
    const head = await store.headPosition();
    const { events } = await runner.rebuild();
    const rebuilt = new ReadModelQueries(runner.db).dump(tables);
    // Row for row, in no particular order: the physical order (rowid) is the order rows were
    // written, which a replayed parked event changes; every query orders by content.
    const difference = tables.find((t) => !isDeepStrictEqual(canonicalRows(live[t]), canonicalRows(rebuilt[t])));
    return {
      equal: difference === undefined,
      head,
      checkpoints,
      rows: tables.reduce((sum, t) => sum + (live[t]?.length ?? 0), 0),
      rebuiltEvents: events,
      ...(difference !== undefined ? { difference: `${difference}: ${live[difference]?.length ?? 0} live rows, ${rebuilt[difference]?.length ?? 0} rebuilt` } : {}),
    };
  } finally {
    runner.close();
    await store.close();
  }
}
