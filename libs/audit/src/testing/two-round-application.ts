import { WorkflowEngine, WorkflowRegistry, applicationStream, type Actor, type JsonObject } from '@nws/engine';
import { ChainedEventStore, type EventStore, type RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { ALL_WORKFLOWS } from '@nws/workflows';

export const applicant: Actor = { sub: 'yamada', org: '132012', role: 'applicant', name: '山田 花子', department: '情報管理課' };
export const firstReviewer: Actor = { sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' };

/** The change the applicant makes to 様02-02 after the rejection: one phone, one contact dropped. */
export function revise0202(form: JsonObject): JsonObject {
  const copy = JSON.parse(JSON.stringify(form)) as { normalContacts: Array<Record<string, unknown>> };
  copy.normalContacts = [{ ...copy.normalContacts[0], phone: '042-620-7300' }];
  return copy as unknown as JsonObject;
}

/**
 * One application through two rounds on the real engine and workflow: every example form saved,
 * submitted, rejected at the first review, revised (様02-02 changed, 様02-01 saved again
 * unchanged), resubmitted. Times advance a minute per command.
 */
export async function twoRoundApplication(store: EventStore = new ChainedEventStore(new SqliteEventStore({ filename: ':memory:' }))) {
  const engine = new WorkflowEngine(store, new WorkflowRegistry(ALL_WORKFLOWS));
  const definition = engine.workflows.latest('connection-application');
  let minute = 0;
  const meta = (actor: Actor) => {
    minute += 1;
    const now = new Date(Date.UTC(2026, 10, 20, 0, minute)).toISOString();
    return { actor, now, commandId: `c-${minute}`, correlationId: 'two-rounds' };
  };
  const created = await engine.create('connection-application', { organizationCode: '132012', category: '登録' }, meta(applicant));
  const id = created.id;
  // The 様02 forms are what a 登録 application submits (様03 belong to 接続 applications).
  for (const form of definition.forms.forms.filter((f) => f.code.startsWith('02-'))) {
    await engine.execute(id, 'save-form', { formCode: form.code, form: form.example }, meta(applicant), { internal: true });
  }
  await engine.execute(id, 'submit', {}, meta(applicant));
  await engine.execute(id, 'reject', { comment: '様02-02の通常連絡先を直通番号にしてください。' }, meta(firstReviewer));
  await engine.execute(id, 'revise', {}, meta(applicant));
  const example = (code: string) => definition.forms.get(code)!.example;
  await engine.execute(id, 'save-form', { formCode: '02-02', form: revise0202(example('02-02')) }, meta(applicant), { internal: true });
  await engine.execute(id, 'save-form', { formCode: '02-01', form: example('02-01') }, meta(applicant), { internal: true });
  await engine.execute(id, 'submit', {}, meta(applicant));
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(applicationStream(id))) events.push(event);
  return { id, events, engine, definition, store };
}
