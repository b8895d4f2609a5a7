import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { WorkflowEngine, WorkflowRegistry } from '@nws/engine';
import { ALL_PROJECTIONS, ProjectionRunner } from '@nws/read-models';
import { ALL_WORKFLOWS } from '@nws/workflows';
import { freshDir, rate, type BenchOptions } from './bench-context';
import { generateStore } from './dataset';

/** Folding one application from its events, next to the raw read of its stream. */
export async function foldVersusRawRead(options: BenchOptions, storedEvents = 9 * 2000) {
  const dir = freshDir(options, `fold-${storedEvents}`);
  const { file } = await generateStore(dir, storedEvents);
  const db = new Database(file, { readonly: true });
  const streams = (db.prepare("SELECT DISTINCT stream_id AS s FROM events WHERE stream_id LIKE 'application-%'").all() as Array<{ s: string }>).map((r) => r.s);
  const read = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision');
  let i = 0;
  const seconds = options.quick ? 1.5 : 5;
  const raw = await rate(seconds, () => {
    for (const row of read.all(streams[i++ % streams.length]) as Array<{ data: string; metadata: string }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
    }
    return 1;
  });
  db.close();
  const store = new SqliteEventStore({ filename: file });
  // No fold cache: every load folds the whole stream from its events.
  const engine = new WorkflowEngine(store, new WorkflowRegistry(ALL_WORKFLOWS), { foldCacheSize: 0 });
  const ids = streams.map((s) => s.slice('application-'.length));
  i = 0;
  const folded = await rate(seconds, async () => {
    await engine.load(ids[i++ % ids.length]!);
    return 1;
  });
  await store.close();
  return { raw, folded, eventsPerStream: 9, storedEvents, file };
}

/** Rebuilding every read model from position zero, next to the raw scan of the whole table. */
export async function rebuildVersusRawScan(options: BenchOptions, total: number) {
  const dir = freshDir(options, `rebuild-${total}`);
  const { file } = await generateStore(dir, total);
  const db = new Database(file, { readonly: true });
  const started = process.hrtime.bigint();
  let rows = 0;
  for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{ data: string; metadata: string }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    rows += 1;
  }
  const rawSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  const store = new SqliteEventStore({ filename: file });
  const runner = new ProjectionRunner(store, ALL_PROJECTIONS, { filename: join(dir, 'read-models.sqlite') });
  const result = await runner.rebuild();
  runner.close();
  await store.close();
  return { raw: rows / rawSeconds, rebuild: result.events / result.seconds, events: result.events };
}
