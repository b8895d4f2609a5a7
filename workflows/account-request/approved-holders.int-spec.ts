import { ValidationFailedError, WorkflowEngine, WorkflowRegistry, reactionCatchUps, runReactionCatchUp, type Actor, type CommandMetadata, type JsonObject, type WorkflowDefinition } from '@nws/engine';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { accountRequestForm } from './forms/account-request.form';
import { accountRequestV1 } from './account-request.workflow';

const applicant: Actor = { sub: 'yamada', org: '132012', role: 'applicant' };
const tokyo: Actor = { sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' };
const mic: Actor = { sub: 'mic-1', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' };
let n = 0;
const meta = (actor: Actor): CommandMetadata => ({ actor, now: '2026-12-07T00:00:00.000Z', commandId: `cmd-${n++}`, correlationId: 'c' });
/** A release from before approvals claimed their holders: no requirement, no reaction. */
const olderRelease: WorkflowDefinition = { ...accountRequestV1, commandRequires: () => [], reactions: [] };

async function approved(engine: WorkflowEngine): Promise<string> {
  const { id } = await engine.create('account-request', { organizationCode: '132012' }, meta(applicant));
  await engine.execute(id, 'save-form', { formCode: 'AR-01', form: accountRequestForm.example as JsonObject }, meta(applicant), { internal: true });
  for (const [action, actor] of [['submit', applicant], ['approve', tokyo], ['approve', mic]] as const) await engine.execute(id, action, {}, meta(actor));
  return id;
}
const outcome = (attempt: Promise<{ state: unknown }>) => attempt.then((v) => String(v.state), (e: unknown) => (e instanceof ValidationFailedError ? e.violations.map((v) => v.rule).join() : String(e)));

describe('a request approved, not issued, before approvals claimed its holders (real SQLite)', () => {
  it('given it, when the reactor catches up after the upgrade, then it holds its address: a new request for it is refused, and the old one is issued', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    try {
      const old = await approved(new WorkflowEngine(store, new WorkflowRegistry([olderRelease])));
      const engine = new WorkflowEngine(store, new WorkflowRegistry([accountRequestV1]));
      for (const catchUp of reactionCatchUps(engine)) await runReactionCatchUp(engine, store, catchUp, { after: 0, upTo: await store.headPosition() });
      const { id } = await engine.create('account-request', { organizationCode: '132012' }, meta(applicant));
      await engine.execute(id, 'save-form', { formCode: 'AR-01', form: accountRequestForm.example as JsonObject }, meta(applicant), { internal: true });
      expect(await outcome(engine.execute(id, 'submit', {}, meta(applicant)))).toBe('oneAccountPerAddress');
      expect(await outcome(engine.execute(old, 'issue-account', {}, meta(mic)))).toBe('accountIssued');
    } finally {
      await store.close();
    }
  });
});
