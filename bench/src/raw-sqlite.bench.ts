import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SQLITE_EVENT_STORE_SCHEMA } from '@nws/event-store/sqlite/sqlite-event-store.schema';
import { freshDir, rate, type BenchOptions } from './bench-context';

/** A realistic event body (a saved form's size) for every raw and engine measurement. */
export const SAMPLE_DATA = JSON.stringify({ formCode: '02-01', form: { organization: { name: '八王子市' }, structure: { manager: '情報政策担当課長', staff: '情報管理課 情報連携係' }, note: 'x'.repeat(300) } });

export function openRaw(dir: string): Database.Database {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SQLITE_EVENT_STORE_SCHEMA);
  return db;
}

/** Raw limits on this disk: the baselines every engine figure is divided by. */
export async function rawSqliteBaselines(options: BenchOptions) {
  const db = openRaw(freshDir(options, 'raw'));
  const insert = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let stream = 0;
  const seconds = options.quick ? 2 : 5;
  const onePerTx = await rate(seconds, () => {
    const s = `raw-${stream++}`;
    db.transaction(() => insert.run(randomUUID(), s, 0, 'FormSaved', SAMPLE_DATA, '{}', new Date().toISOString()))();
    return 1;
  });
  const hundredPerTx = await rate(seconds, () => {
    db.transaction(() => {
      for (let i = 0; i < 100; i++) insert.run(randomUUID(), `raw-${stream++}`, 0, 'FormSaved', SAMPLE_DATA, '{}', new Date().toISOString());
    })();
    return 100;
  });
  db.close();
  return { onePerTx, hundredPerTx };
}
