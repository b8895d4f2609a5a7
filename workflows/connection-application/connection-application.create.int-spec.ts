import { ValidationFailedError, WorkflowEngine, WorkflowRegistry, type Actor, type CommandMetadata, type JsonObject } from '@nws/engine';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { recordConnectionEnd } from '@nws/personal-data';
import { connectionApplicationV1 } from './connection-application.workflow';
import { connectionApplicationForms } from './forms';
import { driveApplication, registeredHachioji } from './testing/engine-driver';
import { hachiojiApplicant, micReviewer } from './testing/fixtures';

const boardOfEducation: Actor = { sub: 'kyoiku-1', org: '132012', role: 'applicant', organ: '市町村教育委員会' };
let n = 0;
const meta = (actor: Actor, commandId = `cmd-${n++}`): CommandMetadata => ({ actor, now: '2026-12-07T00:00:00.000Z', commandId, correlationId: 'c' });

describe('connection application: 登録 registers first, 変更 changes what is registered (real SQLite)', () => {
  let store: SqliteEventStore;
  let engine: WorkflowEngine;
  beforeEach(() => {
    store = new SqliteEventStore({ filename: ':memory:' });
    engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]));
  });
  afterEach(() => store.close());

  it('given an organ without master data, when a 変更 is created, then it is refused naming category, and nothing is stored', async () => {
    const refused = engine.create('connection-application', { organizationCode: '132012', category: '変更' }, meta(hachiojiApplicant));
    await expect(refused).rejects.toThrow(ValidationFailedError);
    const violations = await refused.catch((error: ValidationFailedError) => error.violations);
    expect(violations).toEqual([
      {
        field: 'category',
        rule: 'registeredFirst',
        message: {
          ja: 'category: 申請区分「変更」は登録済みのマスタデータを変更します。八王子市（市町村長部局）のマスタデータは登録されていません。先に「登録」で申請してください。',
          en: 'category: 変更 changes registered master data, and 八王子市 (市町村長部局) has none; apply with 登録 first',
        },
      },
    ]);
    expect(await store.headPosition()).toBe(0);
    // 登録 and 接続 need nothing registered.
    for (const category of ['登録', '接続']) expect((await engine.create('connection-application', { organizationCode: '132012', category }, meta(hachiojiApplicant))).state).toBe('draft');
  });

  it('given the head department registered, then its 変更 is created, and the board of education (another organ of the code) still needs its own', async () => {
    await registeredHachioji(engine, (actor, commandId) => meta(actor, commandId));
    expect((await engine.create('connection-application', { organizationCode: '132012', category: '変更' }, meta(hachiojiApplicant))).state).toBe('draft');
    const board = engine.create('connection-application', { organizationCode: '132012', category: '変更', organizationKind: '市町村教育委員会' }, meta(boardOfEducation));
    await expect(board).rejects.toThrow(/八王子市 \(市町村教育委員会\) has none/);
    expect((await engine.create('connection-application', { organizationCode: '132012', category: '登録', organizationKind: '市町村教育委員会' }, meta(boardOfEducation))).state).toBe('draft');
  });

  it('given the head department registered, when it creates a second 登録, then it is refused naming category, and nothing is stored', async () => {
    await registeredHachioji(engine, (actor, commandId) => meta(actor, commandId));
    const head = await store.headPosition();
    const refused = engine.create('connection-application', { organizationCode: '132012', category: '登録' }, meta(hachiojiApplicant));
    const violations = await refused.then(
      () => [],
      (error: unknown) => (error instanceof ValidationFailedError ? error.violations : [error]),
    );
    expect(violations).toEqual([
      {
        field: 'category',
        rule: 'firstRegistration',
        message: {
          ja: 'category: 申請区分「登録」は初回の登録です。八王子市（市町村長部局）のマスタデータは登録済みです。「変更」で申請してください。',
          en: 'category: 登録 is the first registration, and 八王子市 (市町村長部局) already has master data; apply with 変更',
        },
      },
    ]);
    expect(await store.headPosition()).toBe(head);
    expect((await engine.create('connection-application', { organizationCode: '132012', category: '接続' }, meta(hachiojiApplicant))).state).toBe('draft');
  });

  it('given two 登録 drafts made before either registered, when the first is registered, then the other can neither be submitted nor approved as a first registration, and may be rejected', async () => {
    const m = (actor: Actor, commandId: string) => meta(actor, commandId);
    const draft = (await engine.create('connection-application', { organizationCode: '132012', category: '登録' }, meta(hachiojiApplicant, 'late-create'))).id;
    for (const code of ['02-01', '02-02', '02-06']) await engine.execute(draft, 'save-form', { formCode: code, form: connectionApplicationForms.get(code)!.example }, meta(hachiojiApplicant), { internal: true });
    const inReview = await driveApplication(engine, m, { tag: '-in-review' });
    const viewOf = async (id: string, actor: Actor) => engine.view((await engine.current(id)).folded, actor);
    expect(await viewOf(inReview, micReviewer)).toMatchObject({ allowedActions: ['approve', 'reject'], refusedActions: [] });
    expect(await viewOf(draft, hachiojiApplicant)).toMatchObject({ allowedActions: expect.arrayContaining(['submit']), refusedActions: [] });
    const beforeRegistration = await store.headPosition();
    await registeredHachioji(engine, m);
    // A view of the past sees the store as it was then.
    const { folded } = await engine.current(inReview);
    expect((await engine.view(folded, micReviewer, { position: beforeRegistration })).allowedActions).toEqual(['approve', 'reject']);
    expect((await engine.view(folded, micReviewer, { position: beforeRegistration + 1_000 })).allowedActions).toEqual(['reject']);
    expect((await engine.view(folded, micReviewer, { time: '2000-01-01T00:00:00Z' })).allowedActions).toEqual(['approve', 'reject']);
    // The views stop offering what the commands would refuse, and say why.
    const refusedApproval = await viewOf(inReview, micReviewer);
    expect(refusedApproval.allowedActions).toEqual(['reject']);
    expect(refusedApproval.refusedActions).toEqual([{ action: 'approve', violations: [expect.objectContaining({ field: 'category', rule: 'firstRegistration' })] }]);
    const refusedSubmission = await viewOf(draft, hachiojiApplicant);
    expect(refusedSubmission.allowedActions).not.toContain('submit');
    expect(refusedSubmission.refusedActions.map((r) => `${r.action}:${r.violations.map((v) => v.rule).join()}`)).toEqual(['submit:firstRegistration']);
    const refusalOf = (attempt: Promise<unknown>) => attempt.then(() => 'accepted', (error: unknown) => (error instanceof ValidationFailedError ? error.violations.map((v) => `${v.field}:${v.rule}`) : error));
    const head = await store.headPosition();
    expect(await refusalOf(engine.execute(draft, 'submit', {}, meta(hachiojiApplicant)))).toEqual(['category:firstRegistration']);
    expect(await refusalOf(engine.execute(inReview, 'approve', {}, meta(micReviewer)))).toEqual(['category:firstRegistration']);
    expect(await store.headPosition()).toBe(head);
    expect((await engine.execute(inReview, 'reject', { comment: '登録済みのため「変更」で申請してください。' }, meta(micReviewer))).state).toBe('rejected');
  });

  describe('a 接続 carries 様02-01, 02-02 and 02-06, or its organ has them registered', () => {
    const example = (code: string) => connectionApplicationForms.get(code)!.example;
    // 様03-06 attaching 02-01, 02-02, 02-06 and 03-07 only (no delegation, no 条例連携).
    // 様03-07 without 項9, a 都道府県知事 affair 八王子市 queries only by delegation (受任, 様03-08).
    const ownQueries: JsonObject = { ...example('03-07'), queryAffairs: (example('03-07')['queryAffairs'] as Array<{ itemNo: string }>).filter((r) => r.itemNo !== '9') };
    const coveringForm: JsonObject = { ...example('03-06'), independentUseLinkage: false, attachments: { ...(example('03-06')['attachments'] as JsonObject), form0308: false, form0309: false, other: false, otherAttachments: [] } };
    const connection = async (forms: Record<string, JsonObject>) => {
      const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '接続' }, meta(hachiojiApplicant));
      for (const [formCode, form] of Object.entries(forms)) await engine.execute(id, 'save-form', { formCode, form }, meta(hachiojiApplicant), { internal: true });
      return id;
    };
    const refusalOf = (attempt: Promise<unknown>) => attempt.then(() => 'accepted', (error: unknown) => (error instanceof ValidationFailedError ? error.violations.map((v) => `${v.field}:${v.rule}`) : error));

    it('given an organ without master data, when its 接続 leaves them out, then submission is refused naming each, nothing is stored, and the view says why', async () => {
      const id = await connection({ '03-06': coveringForm, '03-07': ownQueries, '02-02': example('02-02') });
      const head = await store.headPosition();
      expect(await refusalOf(engine.execute(id, 'submit', {}, meta(hachiojiApplicant)))).toEqual(['forms.02-01:attachedOrRegistered', 'forms.02-06:attachedOrRegistered']);
      expect(await store.headPosition()).toBe(head);
      const view = await engine.view((await engine.current(id)).folded, hachiojiApplicant);
      expect(view.refusedActions.map((r) => `${r.action}:${r.violations.map((v) => v.field).join()}`)).toEqual(['submit:forms.02-01,forms.02-06']);
      for (const code of ['02-01', '02-06']) await engine.execute(id, 'save-form', { formCode: code, form: example(code) }, meta(hachiojiApplicant), { internal: true });
      expect((await engine.execute(id, 'submit', {}, meta(hachiojiApplicant))).state).toBe('firstReview');
    });

    it('given an organ never connected (no master data), then a 様03-06 saying 再開 is refused naming it; registered, until its connection ended; then it restarts', async () => {
      const restart: JsonObject = { ...coveringForm, category: '再開' };
      const never = await connection({ '03-06': restart, '03-07': ownQueries, '02-01': example('02-01'), '02-02': example('02-02'), '02-06': example('02-06') });
      const head = await store.headPosition();
      expect(await refusalOf(engine.execute(never, 'submit', {}, meta(hachiojiApplicant)))).toEqual(['forms.03-06.category:restartOfConnected']);
      expect(await store.headPosition()).toBe(head);
      await registeredHachioji(engine, (actor, commandId) => meta(actor, commandId));
      const again = await connection({ '03-06': restart, '03-07': ownQueries });
      expect(await refusalOf(engine.execute(again, 'submit', {}, meta(hachiojiApplicant)))).toEqual(['forms.03-06.category:restartAfterEnd']);
      // What `record-connection-end` records, read as the rule reads it: beside the code's personal-data requests.
      const beforeEnd = await store.headPosition();
      await recordConnectionEnd(store, { organizationCode: '132012', organizationKind: '市町村長部局', endedAt: '2026-12-06' }, { sub: 'cli', org: 'MIC', role: 'system' }, '2026-12-06T10:00:00.000Z');
      // A view of the past reads the end as it was then: not yet recorded.
      const { folded } = await engine.current(again);
      expect((await engine.view(folded, hachiojiApplicant, { position: beforeEnd })).refusedActions.map((r) => `${r.action}:${r.violations.map((v) => v.rule).join()}`)).toEqual(['submit:restartAfterEnd']);
      expect((await engine.view(folded, hachiojiApplicant)).refusedActions).toEqual([]);
      expect((await engine.execute(again, 'submit', {}, meta(hachiojiApplicant))).state).toBe('firstReview');
    });

    it('given the organ registered, then a 接続 with the 様03 forms alone is submitted (the registered 責任体制 and 連絡窓口 stay)', async () => {
      await registeredHachioji(engine, (actor, commandId) => meta(actor, commandId));
      const id = await connection({ '03-06': coveringForm, '03-07': ownQueries });
      expect((await engine.execute(id, 'submit', {}, meta(hachiojiApplicant))).state).toBe('firstReview');
    });
  });

  it('the published definition says, per category, whether the organ must already have master data', () => {
    const categories = (connectionApplicationV1.guide as { categories: Record<string, { registeredMasterData: string }> }).categories;
    expect(Object.fromEntries(Object.entries(categories).map(([category, guide]) => [category, guide.registeredMasterData]))).toEqual({ 登録: 'absent', 変更: 'required', 接続: 'either' });
    expect((categories['接続'] as unknown as { requiredUnlessRegistered: string[] }).requiredUnlessRegistered).toEqual(['02-01', '02-02', '02-06']);
  });
});
