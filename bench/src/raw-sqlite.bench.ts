import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SQLITE_EVENT_STORE_SCHEMA } from '@nws/event-store/sqlite/sqlite-event-store.schema';
import { rate, type BenchOptions } from './bench-context';

/** A realistic event body (a saved form's size) for every raw and engine measurement. */
export const SAMPLE_DATA = JSON.stringify({ formCode: '02-01', form: { organization: { name: '八王子市' }, structure: { manager: '情報政策担当課長', staff: '情報管理課 情報連携係' }, note: 'x'.repeat(300) } });

export function openRaw(dir: string): Database.Database {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SQLITE_EVENT_STORE_SCHEMA);
  return db;
}

/**
 * The baseline: one event per transaction, one fsync each, on a database of its own. Measured
 * again next to the engine and HTTP lines (alternating with them), because this VM's disk and
 * CPU drift by tens of percent within minutes: a baseline measured a minute earlier would move
 * the ratio more than any change to the engine.
 */
export class RawOnePerTx {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private stream = 0;

  constructor(dir: string) {
    this.db = openRaw(dir);
    this.insert = this.db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** Durable single-event transactions per second, for `seconds`. */
  measure(seconds: number): Promise<number> {
    return rate(seconds, () => {
      this.db.transaction(() => this.insertOne())();
      return 1;
    });
  }

  /**
   * How long each durable single-event commit takes, in ms, for `seconds`: the latency lines are
   * absolute (the approval → file path waits on five fsyncs in two processes), so a run says how
   * fast its disk was while they ran, and runs on different disks can be compared.
   */
  async commitLatencies(seconds: number): Promise<number[]> {
    const latencies: number[] = [];
    await rate(seconds, () => {
      const started = process.hrtime.bigint();
      this.db.transaction(() => this.insertOne())();
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      return 1;
    });
    return latencies;
  }

  /** 100 events per transaction: the upper bound of batching on this disk. */
  measureBatched(seconds: number): Promise<number> {
    return rate(seconds, () => {
      this.db.transaction(() => {
        for (let i = 0; i < 100; i++) this.insertOne();
      })();
      return 100;
    });
  }

  close(): void {
    this.db.close();
  }

  private insertOne(): void {
    this.insert.run(randomUUID(), `raw-${this.stream++}`, 0, 'FormSaved', SAMPLE_DATA, '{}', new Date().toISOString());
  }
}

/** Raw limits on this disk: the baselines every engine figure is divided by. */
export async function rawSqliteBaselines(options: BenchOptions, raw: RawOnePerTx) {
  const seconds = options.quick ? 1 : 5;
  return { onePerTx: await raw.measure(seconds), hundredPerTx: await raw.measureBatched(seconds) };
}
