import { randomUUID } from 'node:crypto';
import { ForbiddenError, WorkflowEngine, WorkflowRegistry, type Actor, type CommandMetadata } from '@nws/engine';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { ALL_WORKFLOWS } from '@nws/workflows';
import { SYSTEM_ACTOR, connectionApplicationForms } from '@nws/workflows/connection-application';
import { ConfirmationWorker, confirmationCommandId, engineConfirm, type ConfirmOutcome } from './distribution-confirmations';
import { SqliteDistributionStore } from './distribution-store.sqlite';

const meta = (actor: Actor): CommandMetadata => ({ actor, now: new Date().toISOString(), commandId: randomUUID(), correlationId: 'c' });
const applicant: Actor = { sub: 'yamada', org: '132012', role: 'applicant' };

async function untilSettled(store: SqliteDistributionStore, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (store.countOwed() > 0) {
    if (Date.now() > deadline) throw new Error('confirmations still owed');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('confirming distribution of an acknowledged version', () => {
  let events: SqliteEventStore;
  let engine: WorkflowEngine;
  beforeEach(() => {
    events = new SqliteEventStore({ filename: ':memory:' });
    engine = new WorkflowEngine(events, new WorkflowRegistry(ALL_WORKFLOWS));
  });
  afterEach(() => events.close());

  async function applicationIn(state: 'firstReview' | 'masterDataRegistered'): Promise<string> {
    const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '登録' }, meta(applicant));
    for (const form of connectionApplicationForms.forms.filter((f) => ['02-01', '02-02', '02-06'].includes(f.code))) {
      await engine.execute(id, 'save-form', { formCode: form.code, form: form.example as never }, meta(applicant), { internal: true });
    }
    await engine.execute(id, 'submit', {}, meta(applicant));
    if (state === 'firstReview') return id;
    await engine.execute(id, 'approve', {}, meta({ sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' }));
    const approved = await engine.execute(id, 'approve', {}, meta({ sub: 'mic-1', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' }));
    expect(approved.state).toBe('masterDataRegistered');
    return id;
  }

  it('confirms as the system actor with a command id derived from the version event: repeating it appends nothing', async () => {
    const id = await applicationIn('masterDataRegistered');
    // the policy lets the system actor and distributors confirm, nobody else
    await expect(engine.execute(id, 'confirm-distribution', {}, meta({ sub: 'audit-1', org: 'MIC', role: 'auditor' }))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(engine.execute(id, 'confirm-distribution', {}, meta({ sub: 'system', org: 'MIC', role: 'auditor' }))).rejects.toBeInstanceOf(ForbiddenError);
    const confirm = engineConfirm(engine, SYSTEM_ACTOR);
    expect(await confirm(id, 'version-event-1')).toEqual({ kind: 'confirmed', state: 'distributed' });
    const head = await events.headPosition();
    expect(await confirm(id, 'version-event-1')).toEqual({ kind: 'confirmed', state: 'distributed' });
    expect(await events.headPosition()).toBe(head);
    const { events: history } = await engine.load(id);
    const distributed = history.at(-1)!;
    expect(distributed).toMatchObject({ type: 'MasterDataDistributed', metadata: { commandId: confirmationCommandId('version-event-1'), causationId: 'version-event-1', actor: { sub: 'system', role: 'system' } } });
    // a person confirmed it before (another command): nothing more to do
    expect(await confirm(id, 'version-event-2')).toEqual({ kind: 'already', state: 'distributed' });
  });

  it('refuses nothing silently: an application that is not at master data yet is reported, an unknown one fails', async () => {
    const id = await applicationIn('firstReview');
    const confirm = engineConfirm(engine, SYSTEM_ACTOR);
    expect(await confirm(id, 'v')).toMatchObject({ kind: 'failed' });
    expect(await confirm(randomUUID(), 'v')).toMatchObject({ kind: 'failed' });
  });

  it('the worker retries with backoff until the confirmation lands, then settles it once; it resumes what is owed after a restart', async () => {
    const store = new SqliteDistributionStore(':memory:');
    const calls: string[] = [];
    let failures = 2;
    const confirm = async (applicationId: string): Promise<ConfirmOutcome> => {
      calls.push(applicationId);
      return failures-- > 0 ? { kind: 'retry', reason: 'not yet' } : { kind: 'confirmed', state: 'distributed' };
    };
    store.owe('v-1', 'app-1', Date.now());
    const first = new ConfirmationWorker(store, confirm, { maxBackoffMs: 20 });
    await first.stop(); // "crashed" before doing anything: the owed row survives
    const worker = new ConfirmationWorker(store, confirm, { maxBackoffMs: 20 });
    worker.start();
    await untilSettled(store);
    await worker.stop();
    expect(calls).toEqual(['app-1', 'app-1', 'app-1']);
    expect(store.owe('v-1', 'app-1', Date.now())).toBe(false);
    store.close();
  });
});
