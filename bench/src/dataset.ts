import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SQLITE_EVENT_STORE_SCHEMA } from '@nws/event-store/sqlite/sqlite-event-store.schema';
import type { RecordedEvent } from '@nws/event-store';
import { SYSTEM_ACTOR } from '@nws/workflows/connection-application';
import { connectionApplicationForms } from '@nws/workflows/connection-application';
import { openEngine } from './engine.bench';

const applicant = { sub: 'bench', org: '132012', role: 'applicant' as const };
const reviewer = { sub: 'tokyo', org: '130001', role: 'first-reviewer' as const, name: '東京 太郎', department: 'デジタルサービス局' };
const mic = { sub: 'mic', org: 'MIC', role: 'second-reviewer' as const, name: '総務 花子', department: '住民制度課' };
const distributor = { sub: 'dist', org: 'MIC', role: 'distributor' as const };

/** One real application driven through the engine to `distributed`: the template of the data set. */
export async function templateApplication(dir: string): Promise<{ application: RecordedEvent[]; masterData: RecordedEvent[] }> {
  const { store, engine } = openEngine(dir);
  let n = 0;
  const meta = (actor: typeof applicant | typeof reviewer | typeof mic | typeof distributor) => ({ actor, now: new Date().toISOString(), commandId: `t-${n++}`, correlationId: 't' });
  const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '登録' }, meta(applicant));
  for (const code of ['02-01', '02-02', '02-06']) {
    await engine.execute(id, 'save-form', { formCode: code, form: connectionApplicationForms.get(code)!.example }, meta(applicant), { internal: true });
  }
  await engine.execute(id, 'submit', {}, meta(applicant));
  await engine.execute(id, 'approve', {}, meta(reviewer));
  await engine.execute(id, 'approve', {}, meta(mic));
  await engine.execute(id, 'confirm-distribution', {}, meta(distributor));
  const application: RecordedEvent[] = [];
  for await (const e of store.readStream(`application-${id}`)) application.push(e);
  const masterData: RecordedEvent[] = [];
  for await (const e of store.readStream('master-data-132012')) masterData.push(e);
  await store.close();
  void SYSTEM_ACTOR;
  return { application, masterData };
}

/**
 * Fills an events file with `total` events shaped like real applications (the template's events
 * under fresh stream and event ids), 1,000 per transaction: a large store in seconds.
 */
export async function generateStore(dir: string, total: number): Promise<{ file: string; applications: number }> {
  const template = await templateApplication(join(dir, 'template'));
  const file = join(dir, 'events.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SQLITE_EVENT_STORE_SCHEMA);
  const insert = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const perApplication = template.application.length;
  const applications = Math.ceil(total / perApplication);
  const templateId = template.application[0]!.streamId.slice('application-'.length);
  // Serialised once: only the application id changes from one copy to the next.
  const rows = template.application.map((e) => ({ revision: e.revision, type: e.type, data: JSON.stringify(e.data), metadata: JSON.stringify(e.metadata), recordedAt: e.recordedAt }));
  const batch = db.transaction((from: number, to: number) => {
    for (let a = from; a < to; a++) {
      const id = randomUUID();
      for (const row of rows) insert.run(randomUUID(), `application-${id}`, row.revision, row.type, row.data.replaceAll(templateId, id), row.metadata, row.recordedAt);
    }
  });
  for (let a = 0; a < applications; a += 1000 / perApplication) batch(a, Math.min(applications, a + Math.ceil(1000 / perApplication)));
  db.close();
  return { file, applications };
}
