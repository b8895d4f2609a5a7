import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { WorkflowEngine, WorkflowRegistry } from '@nws/engine';
import { ALL_PROJECTIONS, ProjectionRunner } from '@nws/read-models';
import { ALL_WORKFLOWS } from '@nws/workflows';
import { freshDir, median, rate, type BenchOptions } from './bench-context';
import { generateStore } from './dataset';

export interface FoldFigures {
  readonly storedEvents: number;
  /** Raw reads of one stream per second (median of the rounds). */
  readonly raw: number;
  /** Applications folded per second, no fold cache (median of the rounds). */
  readonly folded: number;
  readonly file: string;
}

/**
 * Folding one application from its events next to the raw read of its stream, on stores of the
 * given sizes. The measurements alternate (raw, fold; small store, large store) over several
 * short rounds and each figure is the median of its rounds, so a noisy moment of the machine
 * does not land on one side of a comparison only.
 */
export async function foldVersusRawRead(options: BenchOptions, sizes: readonly number[]): Promise<FoldFigures[]> {
  const subjects = [];
  for (const storedEvents of sizes) {
    const dir = freshDir(options, `fold-${storedEvents}`);
    const { file } = await generateStore(dir, storedEvents);
    const db = new Database(file, { readonly: true });
    const streams = (db.prepare("SELECT DISTINCT stream_id AS s FROM events WHERE stream_id LIKE 'application-%'").all() as Array<{ s: string }>).map((r) => r.s);
    const read = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision');
    const store = new SqliteEventStore({ filename: file });
    // No fold cache: every load folds the whole stream from its events.
    const engine = new WorkflowEngine(store, new WorkflowRegistry(ALL_WORKFLOWS), { foldCacheSize: 0 });
    const ids = streams.map((s) => s.slice('application-'.length));
    let i = 0;
    subjects.push({
      storedEvents,
      file,
      db,
      store,
      raws: [] as number[],
      folds: [] as number[],
      raw: () => {
        for (const row of read.all(streams[i++ % streams.length]) as Array<{ data: string; metadata: string }>) {
          JSON.parse(row.data);
          JSON.parse(row.metadata);
        }
        return 1;
      },
      fold: async () => {
        await engine.load(ids[i++ % ids.length]!);
        return 1;
      },
    });
  }
  const rounds = options.quick ? 3 : 5;
  const seconds = options.quick ? 0.5 : 1;
  for (let round = 0; round < rounds; round++) {
    for (const subject of subjects) {
      subject.raws.push(await rate(seconds, subject.raw));
      subject.folds.push(await rate(seconds, subject.fold));
    }
  }
  const figures: FoldFigures[] = [];
  for (const subject of subjects) {
    subject.db.close();
    await subject.store.close();
    figures.push({ storedEvents: subject.storedEvents, file: subject.file, raw: median(subject.raws), folded: median(subject.folds) });
  }
  return figures;
}

/**
 * Rebuilding every read model from position zero, next to the raw scan of the whole table, in
 * alternating rounds (3 on stores up to 100,000 events, 1 on larger ones); each figure is the
 * median of its rounds.
 */
export async function rebuildVersusRawScan(options: BenchOptions, total: number) {
  const dir = freshDir(options, `rebuild-${total}`);
  const { file } = await generateStore(dir, total);
  const db = new Database(file, { readonly: true });
  const scan = db.prepare('SELECT * FROM events ORDER BY position');
  const store = new SqliteEventStore({ filename: file });
  const runner = new ProjectionRunner(store, ALL_PROJECTIONS, { filename: join(dir, 'read-models.sqlite') });
  const rounds = { raw: [] as number[], rebuild: [] as number[] };
  let events = 0;
  try {
    for (let round = 0; round < (total <= 100_000 ? 3 : 1); round++) {
      const started = process.hrtime.bigint();
      let rows = 0;
      for (const row of scan.iterate() as Iterable<{ data: string; metadata: string }>) {
        JSON.parse(row.data);
        JSON.parse(row.metadata);
        rows += 1;
      }
      rounds.raw.push(rows / (Number(process.hrtime.bigint() - started) / 1e9));
      const result = await runner.rebuild();
      rounds.rebuild.push(result.events / result.seconds);
      events = result.events;
    }
  } finally {
    runner.close();
    await store.close();
    db.close();
  }
  return { raw: median(rounds.raw), rebuild: median(rounds.rebuild), events, rounds: rounds.raw.length };
}
