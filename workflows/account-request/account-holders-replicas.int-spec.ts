import { ValidationFailedError, WorkflowEngine, WorkflowRegistry, type Actor, type CommandMetadata, type JsonObject } from '@nws/engine';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { accountRequestForm } from './forms/account-request.form';
import { accountRequestV1 } from './account-request.workflow';

const applicant: Actor = { sub: 'yamada', org: '132012', role: 'applicant' };
const tokyo: Actor = { sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' };
const mic: Actor = { sub: 'mic-1', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' };
let n = 0;
const meta = (actor: Actor): CommandMetadata => ({ actor, now: '2026-12-07T00:00:00.000Z', commandId: `cmd-${n++}`, correlationId: 'c' });

async function inSecondReview(engine: WorkflowEngine): Promise<string> {
  const { id } = await engine.create('account-request', { organizationCode: '132012' }, meta(applicant));
  await engine.execute(id, 'save-form', { formCode: 'AR-01', form: accountRequestForm.example as JsonObject }, meta(applicant), { internal: true });
  await engine.execute(id, 'submit', {}, meta(applicant));
  await engine.execute(id, 'approve', {}, meta(tokyo));
  return id;
}

describe('one account per address across two replicas on one store (real SQLite)', () => {
  it('given a replica deciding on a stale fold, when its approval claims at a revision since taken and claims again, then the claim is recorded and the address is held', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    try {
      const [here, there] = [new WorkflowEngine(store, new WorkflowRegistry([accountRequestV1])), new WorkflowEngine(store, new WorkflowRegistry([accountRequestV1]))];
      const a = await inSecondReview(here);
      // Rejected, revised and back in second review through the other replica: this one's fold is stale.
      await there.execute(a, 'reject', { comment: '利用者の所属部署の記載が不足しています' }, meta(mic));
      for (const [action, actor] of [['revise', applicant], ['submit', applicant], ['approve', tokyo]] as const) await there.execute(a, action, {}, meta(actor));
      expect((await here.execute(a, 'approve', {}, meta(mic))).state).toBe('approved');
      const refused = await inSecondReview(there).then(
        () => 'passed',
        (e: unknown) => (e instanceof ValidationFailedError ? e.violations.map((v) => v.rule).join() : String(e)),
      );
      expect(refused).toBe('oneAccountPerAddress');
    } finally {
      await store.close();
    }
  });
});
