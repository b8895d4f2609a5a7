import { ValidationFailedError, WorkflowEngine, WorkflowRegistry, type Actor, type CommandMetadata } from '@nws/engine';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationV1 } from './connection-application.workflow';
import { registeredHachioji } from './testing/engine-driver';
import { hachiojiApplicant } from './testing/fixtures';

const boardOfEducation: Actor = { sub: 'kyoiku-1', org: '132012', role: 'applicant', organ: '市町村教育委員会' };
let n = 0;
const meta = (actor: Actor, commandId = `cmd-${n++}`): CommandMetadata => ({ actor, now: '2026-12-07T00:00:00.000Z', commandId, correlationId: 'c' });

describe('connection application: 変更 changes registered master data (real SQLite)', () => {
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
  });

  it('the published definition says which category needs registered master data', () => {
    const categories = (connectionApplicationV1.guide as { categories: Record<string, { needsRegisteredMasterData: boolean }> }).categories;
    expect(Object.fromEntries(Object.entries(categories).map(([category, guide]) => [category, guide.needsRegisteredMasterData]))).toEqual({ 登録: false, 変更: true, 接続: false });
  });
});
