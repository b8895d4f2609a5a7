import { ValidationFailedError, WorkflowEngine, WorkflowRegistry, reactionCatchUps, runReactionCatchUp, type Actor, type CommandMetadata, type JsonObject, type WorkflowDefinition } from '@nws/engine';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import type { RecordedEvent } from '@nws/event-store';
import { accountRequestForm } from './forms/account-request.form';
import { accountRequestV1 } from './account-request.workflow';
import { accountHoldersStream } from './account-holders';

const applicant: Actor = { sub: 'yamada', org: '132012', role: 'applicant' };
const tokyo: Actor = { sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' };
const mic: Actor = { sub: 'mic-1', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' };
let n = 0;
const meta = (actor: Actor): CommandMetadata => ({ actor, now: '2026-12-07T00:00:00.000Z', commandId: `cmd-${n++}`, correlationId: 'c' });
const form = accountRequestForm.example as JsonObject;
const address = 'renkei@city.hachioji.tokyo.jp';

/**
 * What a release before holders were named stored: no claims at the approvals, no holders' list,
 * and an AccountIssued with neither `organization` nor names (`{ accounts: [{ loginId, email }], comment }`).
 */
const olderRelease: WorkflowDefinition = {
  ...accountRequestV1,
  commandRequires: () => [],
  reactions: [],
  decide: (action, app, payload, m) => {
    const decided = accountRequestV1.decide(action, app, payload, m);
    if (action !== 'issue-account') return decided;
    const accounts = (decided[0]!.data['accounts'] as Array<{ loginId: string; email: string }>).map(({ loginId, email }) => ({ loginId, email }));
    return [{ type: 'AccountIssued', data: { accounts, comment: null } }];
  },
};

async function issued(engine: WorkflowEngine): Promise<string> {
  const { id } = await engine.create('account-request', { organizationCode: '132012' }, meta(applicant));
  await engine.execute(id, 'save-form', { formCode: 'AR-01', form }, meta(applicant), { internal: true });
  await engine.execute(id, 'submit', {}, meta(applicant));
  await engine.execute(id, 'approve', {}, meta(tokyo));
  await engine.execute(id, 'approve', {}, meta(mic));
  await engine.execute(id, 'issue-account', {}, meta(mic));
  return id;
}

async function submitted(engine: WorkflowEngine): Promise<string[]> {
  const { id } = await engine.create('account-request', { organizationCode: '132012' }, meta(applicant));
  await engine.execute(id, 'save-form', { formCode: 'AR-01', form }, meta(applicant), { internal: true });
  return engine.execute(id, 'submit', {}, meta(applicant)).then(
    () => [],
    (error: unknown) => (error instanceof ValidationFailedError ? error.violations.map((v) => `${v.field}:${v.rule}`) : [String(error)]),
  );
}

describe('accounts issued before holders were named count for one account per address (real SQLite)', () => {
  let store: SqliteEventStore;
  let engine: WorkflowEngine;
  let legacy: RecordedEvent;
  beforeEach(async () => {
    store = new SqliteEventStore({ filename: ':memory:' });
    const id = await issued(new WorkflowEngine(store, new WorkflowRegistry([olderRelease])));
    for await (const event of store.readStream(`application-${id}`)) legacy = event;
    expect([legacy.type, legacy.data['organization'], await store.streamRevision(accountHoldersStream({ code: '132012', kind: '市町村長部局' }))]).toEqual(['AccountIssued', undefined, undefined]);
    engine = new WorkflowEngine(store, new WorkflowRegistry([accountRequestV1]));
  });
  afterEach(() => store.close());

  it('given the reaction meets an old-shape AccountIssued, then its holder joins the organ\u2019s list (organ from the application, name from its form) and a new request for that address is refused at submit', async () => {
    expect(await engine.react(accountRequestV1, [legacy])).toEqual([]);
    let listed: RecordedEvent | undefined;
    for await (const event of store.readStream(accountHoldersStream({ code: '132012', kind: '市町村長部局' }))) listed = event;
    expect(listed?.data['holders']).toEqual([{ loginId: (legacy.data['accounts'] as Array<{ loginId: string }>)[0]!.loginId, name: '田中 三郎', email: address, applicationId: legacy.streamId.slice('application-'.length), status: 'issued' }]);
    expect(await submitted(engine)).toEqual(['forms.AR-01.holders[0].email:oneAccountPerAddress']);
  });

  it('given the reactor had passed it at the older release, then the catch-up at start lists it, once: a second run appends nothing', async () => {
    const [catchUp] = reactionCatchUps(engine);
    expect(catchUp).toMatchObject({ workflow: 'account-request', reaction: 'record-account-holders', eventTypes: ['AccountIssued'] });
    const upTo = await store.headPosition();
    expect(await runReactionCatchUp(engine, store, catchUp!, { after: 0, upTo })).toEqual({ triggers: 1 });
    const head = await store.headPosition();
    await runReactionCatchUp(engine, store, catchUp!, { after: 0, upTo });
    expect(await store.headPosition()).toBe(head);
    expect(await submitted(engine)).toEqual(['forms.AR-01.holders[0].email:oneAccountPerAddress']);
  });
});
