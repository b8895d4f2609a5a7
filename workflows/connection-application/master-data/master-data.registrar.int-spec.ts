import { findBeppyo2Item } from '@nws/reference-catalog';
import { ValidationFailedError, WorkflowEngine, WorkflowRegistry, type Actor, type CommandMetadata, type JsonObject, type ReactionContext } from '@nws/engine';
import type { EventStore, RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationV1 } from '../connection-application.workflow';
import { connectionApplicationForms } from '../forms';
import { delegationEntriesOf, filingOfVersion, pendingNotice, type DelegationFiling } from './delegation-matching';
import { MASTER_DATA_STREAM_PREFIX, masterDataStream } from './master-data.content';
import { readLatestVersion } from './master-data.reader';
import { registerMasterDataReaction } from './master-data.registrar';
import { asFiledBy } from '../forms/testing/form-spec.helpers';

/**
 * The registrar's 突合 against a real store: two approvals registered at the same moment (each
 * computing before the other appended) still end matched; a later filing that drops one side
 * takes the other side back out; an application without 様03-08 keeps its body's delegations.
 */

const NOW = '2026-11-21T09:00:00.000Z';
let n = 0;
const meta = (actor: Actor): CommandMetadata => ({ actor, now: NOW, commandId: `cmd-${n++}`, correlationId: 'corr' });

const tokyoApplicant: Actor = { sub: 'tokyo-app', org: '130001', role: 'applicant' };
const hachiojiApplicant: Actor = { sub: 'hachioji-app', org: '132012', role: 'applicant' };
const jlis: Actor = { sub: 'jlis-1', org: 'J-LIS', role: 'first-reviewer', name: '機構 次郎', department: '審査課' };
const tokyoReviewer: Actor = { sub: 'tokyo-rev', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' };
const mic: Actor = { sub: 'mic-1', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' };

const example = (code: string): any => structuredClone(connectionApplicationForms.get(code)!.example);
const TAX_INFO: string = example('03-08').receivedProvisions[0].personalInfoName;

/** What every 接続 of an organ without master data carries: 責任体制 and 連絡窓口. */
const STRUCTURE_FORMS = (body = '八王子市'): Record<string, JsonObject> => Object.fromEntries(['02-01', '02-02', '02-06'].map((code) => [code, asFiledBy(code, example(code), body)]));
const TOKYO_FORMS = (): Record<string, JsonObject> => ({
  ...STRUCTURE_FORMS('東京都'),
  '03-06': { ...example('03-06'), bodyType: '都道府県知事部局', independentUseLinkage: false, attachments: { ...example('03-06').attachments, form0309: false } },
  // 東京都知事 queries 項9, a 都道府県知事 affair (the example's other rows are 市町村長 affairs).
  '03-07': {
    ...example('03-07'),
    queryAffairs: example('03-07').queryAffairs.filter((r: { itemNo: string }) => r.itemNo === '9'),
    // It provides 項27's 生活保護関係情報 (都道府県知事等); the example's other rows are 市町村長's, or the one it delegates.
    providedInformation: example('03-07').providedInformation.filter((r: { itemNo: string; personalInfoName: string }) => r.itemNo === '27' && r.personalInfoName.startsWith('生活保護関係情報')),
  },
  '03-08': { ...example('03-08'), receivedQueryAffairs: [], receivedProvisions: [], delegatedProvisions: [{ itemNo: '27', personalInfoName: TAX_INFO, delegateeCode: '132012' }] },
});
const HACHIOJI_FORMS = (): Record<string, JsonObject> => ({ ...STRUCTURE_FORMS(), ...Object.fromEntries(['03-06', '03-07', '03-08', '03-09'].map((code) => [code, example(code)])) });

async function approve(engine: WorkflowEngine, applicant: Actor, first: Actor, category: string, forms: Record<string, JsonObject>, second = true): Promise<string> {
  const { id } = await engine.create('connection-application', { organizationCode: applicant.org, category }, meta(applicant));
  for (const [formCode, form] of Object.entries(forms)) await engine.execute(id, 'save-form', { formCode, form }, meta(applicant), { internal: true });
  await engine.execute(id, 'submit', {}, meta(applicant));
  await engine.execute(id, 'approve', {}, meta(first));
  if (second) await engine.execute(id, 'approve', {}, meta(mic));
  return id;
}

async function current(store: EventStore, code: string, kind: string): Promise<{ filing: DelegationFiling; data: JsonObject }> {
  const event = (await readLatestVersion(store, code, kind)).latest;
  if (!event) throw new Error(`no master data for ${code} ${kind}`);
  return { filing: filingOfVersion(event.data), data: event.data };
}
const statuses = (filing: DelegationFiling) => filing.entries.map((e) => `${e.kind}:${e.side}:${e.itemNo}:${e.status}`);

async function versionsOf(store: EventStore, code: string, kind = code === '130001' ? '都道府県知事部局' : '市町村長部局'): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const e of store.readStream(masterDataStream(code, kind))) out.push(e.data);
  return out;
}

describe('master-data registrar: the 突合 against the store', () => {
  it('two approvals registered at the same moment, each computed before the other appended, both end matched', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    // Approvals recorded without their reaction, which the test then runs for both at once.
    const engine = new WorkflowEngine(store, new WorkflowRegistry([{ ...connectionApplicationV1, reactions: [] }]));
    const tokyo = await approve(engine, tokyoApplicant, jlis, '接続', TOKYO_FORMS());
    const hachioji = await approve(engine, hachiojiApplicant, tokyoReviewer, '接続', HACHIOJI_FORMS());
    const approvalOf = async (id: string) => {
      for await (const e of store.readStream(`application-${id}`)) if (e.type === 'SecondReviewApproved') return e;
      throw new Error('no approval');
    };

    // Every first master-data append waits until both registrars are ready to append.
    let waiting: Array<() => void> = [];
    let released = false;
    const barrier: EventStore = new Proxy(store, {
      get(target, prop) {
        if (prop === 'append') {
          return async (...args: Parameters<EventStore['append']>) => {
            if (!released && args[0].startsWith(MASTER_DATA_STREAM_PREFIX)) {
              await new Promise<void>((resolve) => {
                waiting.push(resolve);
                if (waiting.length === 2) {
                  released = true;
                  waiting.forEach((r) => r());
                  waiting = [];
                }
              });
            }
            return target.append(...args);
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const context: ReactionContext = {
      store: barrier,
      execute: (id, action, payload, m) => engine.execute(id, action, payload, m, { internal: true }),
      load: async (id, toRevision) => (await engine.load(id, toRevision === undefined ? {} : { toRevision })).folded,
      now: () => NOW,
    };
    const approvals: RecordedEvent[] = [await approvalOf(tokyo), await approvalOf(hachioji)];
    await Promise.all(approvals.map((a) => registerMasterDataReaction.handle(a, context)));

    // Each registered its own version without seeing the other (held), and the reconciliation matched both.
    const tokyoVersions = await versionsOf(store, '130001');
    const hachiojiVersions = await versionsOf(store, '132012');
    expect(tokyoVersions[0]?.['pendingDelegations']).toHaveLength(1);
    expect(hachiojiVersions[0]?.['pendingDelegations']).toHaveLength(1);
    expect(statuses((await current(store, '130001', '都道府県知事部局')).filing)).toEqual(['provision:delegator:27:registered']);
    expect(statuses((await current(store, '132012', '市町村長部局')).filing)).toEqual(['provision:delegatee:27:registered', 'query:delegatee:9:registered']);

    // Both applications are registered; running the reaction again changes nothing.
    for (const id of [tokyo, hachioji]) expect((await engine.load(id)).folded.state).toBe('masterDataRegistered');
    const head = await store.headPosition();
    await Promise.all(approvals.map((a) => registerMasterDataReaction.handle(a, context)));
    expect(await store.headPosition()).toBe(head);
    await store.close();
  });

  it('a 変更 without 様03-08 keeps the delegations; one dropping the 受任 takes the delegator’s 委任 back out', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]), { clock: () => NOW });
    await approve(engine, tokyoApplicant, jlis, '接続', TOKYO_FORMS());
    await approve(engine, hachiojiApplicant, tokyoReviewer, '接続', HACHIOJI_FORMS());
    expect((await versionsOf(store, '130001')).map((v) => v['version'])).toEqual([1, 2]);

    // 八王子市 changes its contacts only: its delegations are carried over, 東京都 is untouched.
    await approve(engine, hachiojiApplicant, tokyoReviewer, '変更', { '02-02': example('02-02') });
    const carried = await current(store, '132012', '市町村長部局');
    expect(carried.data['version']).toBe(2);
    expect(statuses(carried.filing)).toEqual(['provision:delegatee:27:registered', 'query:delegatee:9:registered']);
    expect((carried.data['content'] as JsonObject)['form0307']).toEqual(example('03-07'));
    expect((await versionsOf(store, '130001')).map((v) => v['version'])).toEqual([1, 2]);

    // 八王子市 no longer receives 27-2: 東京都's 委任 loses its other side and leaves its master data.
    const withoutProvision = { '03-07': example('03-07'), '03-08': { ...example('03-08'), receivedProvisions: [] } };
    const change = await approve(engine, hachiojiApplicant, tokyoReviewer, '変更', withoutProvision);
    expect(statuses((await current(store, '132012', '市町村長部局')).filing)).toEqual(['query:delegatee:9:registered']);
    const tokyoNow = await current(store, '130001', '都道府県知事部局');
    expect(tokyoNow.data['version']).toBe(3);
    expect(statuses(tokyoNow.filing)).toEqual(['provision:delegator:27:pending']);
    expect((tokyoNow.data['content'] as JsonObject)['delegations']).toEqual([]);
    expect(tokyoNow.data['cause']).toMatchObject({ kind: 'delegation-match', applicationId: change, matched: [], unmatched: [expect.objectContaining({ itemNo: '27', side: 'delegator' })] });
    await store.close();
  });

  it('a row 八王子市 provides only by a delegation still waiting for 東京都’s 委任 is withheld from its published 03-07, and comes back once 東京都 is approved (it was published ahead of the 突合)', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]), { clock: () => NOW });
    const provided = (data: JsonObject) => ((data['content'] as { form0307: { providedInformation: Array<{ personalInfoName: string }> } }).form0307.providedInformation).map((r) => r.personalInfoName);

    // 八王子市 first: its 受任 of 27-2 waits for 東京都, and so does the row it would provide.
    await approve(engine, hachiojiApplicant, tokyoReviewer, '接続', HACHIOJI_FORMS());
    const waiting = await current(store, '132012', '市町村長部局');
    expect(statuses(waiting.filing)).toContain('provision:delegatee:27:pending');
    expect(provided(waiting.data)).not.toContain(TAX_INFO);
    expect((waiting.data['providedInformationFiled'] as Array<{ personalInfoName: string }>).map((r) => r.personalInfoName)).toContain(TAX_INFO);
    // Its other rows are its own by law: published.
    expect(provided(waiting.data)).toEqual(example('03-07').providedInformation.filter((r: { personalInfoName: string }) => r.personalInfoName !== TAX_INFO).map((r: { personalInfoName: string }) => r.personalInfoName));

    // 東京都's 委任 approved: the 突合 matches, and 八王子市's new version provides the row.
    await approve(engine, tokyoApplicant, jlis, '接続', TOKYO_FORMS());
    const matched = await current(store, '132012', '市町村長部局');
    expect(matched.data['version']).toBe(2);
    expect(statuses(matched.filing)).toContain('provision:delegatee:27:registered');
    expect(provided(matched.data)).toEqual(example('03-07').providedInformation.map((r: { personalInfoName: string }) => r.personalInfoName));

    // A 変更 of its contacts alone carries the rows as filed.
    await approve(engine, hachiojiApplicant, tokyoReviewer, '変更', { '02-02': example('02-02') });
    expect(provided((await current(store, '132012', '市町村長部局')).data)).toContain(TAX_INFO);
    await store.close();
  });
});

describe('a 変更 held to what it carries over: 様03-07 (1) and 様03-08 across the application and the registered master data', () => {
  // 項37, the 都道府県教育委員会's: no 市町村長部局 queries it but by delegation (a 市 may list 都道府県知事
  // affairs such as 項9 on its word: 大都市特例). The example's 項9 rows, as 項37.
  const as37 = (row: { itemNo: string }) => (row.itemNo === '9' ? { ...row, itemNo: '37', affairName: findBeppyo2Item('37')!.affair } : row);
  const with37 = (forms: Record<string, any>): Record<string, JsonObject> => ({
    ...forms,
    '03-07': { ...forms['03-07'], queryAffairs: forms['03-07'].queryAffairs.map(as37) },
    '03-08': { ...forms['03-08'], receivedQueryAffairs: forms['03-08'].receivedQueryAffairs.map(as37) },
  });
  const example0307 = () => with37({ '03-07': example('03-07'), '03-08': example('03-08') })['03-07'] as any;
  const refusalOf = (attempt: Promise<unknown>) => attempt.then(() => 'accepted', (error: unknown) => (error instanceof ValidationFailedError ? error.violations.map((v) => `${v.field}:${v.rule}`) : error));
  const draft = async (engine: WorkflowEngine, forms: Record<string, JsonObject>) => {
    const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '変更' }, meta(hachiojiApplicant));
    for (const [formCode, form] of Object.entries(forms)) await engine.execute(id, 'save-form', { formCode, form }, meta(hachiojiApplicant), { internal: true });
    return id;
  };

  it('given 八王子市 registered receiving 項37 (the 都道府県教育委員会’s) by delegation: 03-07 alone may list it; a row-less 03-08 alone is refused while the registered 03-07 keeps it; both together without it pass', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]), { clock: () => NOW });
    await approve(engine, tokyoApplicant, jlis, '接続', TOKYO_FORMS());
    await approve(engine, hachiojiApplicant, tokyoReviewer, '接続', with37(HACHIOJI_FORMS()));

    // 03-07 alone, 項37 still listed: its registered delegation backs it.
    const alone = await draft(engine, { '03-07': example0307() });
    expect(await refusalOf(engine.execute(alone, 'submit', {}, meta(hachiojiApplicant)))).toBe('accepted');

    // A row-less 03-08 alone ends the delegation, and the registered 03-07 would keep 項37: refused, naming it.
    const rowless = { ...example('03-08'), receivedQueryAffairs: [], receivedProvisions: [], delegatedProvisions: [] };
    const ending = await draft(engine, { '03-08': rowless });
    const head = await store.headPosition();
    expect(await refusalOf(engine.execute(ending, 'submit', {}, meta(hachiojiApplicant)))).toEqual(['forms.03-07:querierOfAffair']);
    expect(await store.headPosition()).toBe(head);
    const view = await engine.view((await engine.current(ending)).folded, hachiojiApplicant);
    expect(view.refusedActions.map((r) => r.action)).toEqual(['submit']);
    expect(view.refusedActions[0]!.violations[0]!.message.ja).toContain('別表第二 第37項');

    // With 03-07 filed without 項37 (and without 27-2, provided by delegation no more), it goes.
    const without9 = {
      ...example('03-07'),
      queryAffairs: example('03-07').queryAffairs.filter((r: { itemNo: string }) => r.itemNo !== '9'),
      // It provides 項27's 生活保護関係情報 (都道府県知事等); the example's other rows are 市町村長's, or the one it delegates.
    providedInformation: example('03-07').providedInformation.filter((r: { itemNo: string; personalInfoName: string }) => r.itemNo === '27' && r.personalInfoName.startsWith('生活保護関係情報')),
    };
    const both = await draft(engine, { '03-07': without9, '03-08': rowless });
    expect(await refusalOf(engine.execute(both, 'submit', {}, meta(hachiojiApplicant)))).toBe('accepted');
    await store.close();
  });

  it('given an organ registered with no delegation, when a 変更 files 03-07 alone listing 項37, then it is refused: nothing registered backs it', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]), { clock: () => NOW });
    await approve(engine, hachiojiApplicant, tokyoReviewer, '登録', STRUCTURE_FORMS());
    const id = await draft(engine, { '03-07': example0307() });
    expect(await refusalOf(engine.execute(id, 'submit', {}, meta(hachiojiApplicant)))).toEqual(['forms.03-07.queryAffairs[0].itemNo:querierOfAffair']);
    await store.close();
  });

  it('given an organ registered, when a 変更 files 様02-06 alone, then its reporter holds the registered 情報システム責任者\u2019s post (however spaced); another post needs 様02-01 filed with it', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]), { clock: () => NOW });
    await approve(engine, hachiojiApplicant, tokyoReviewer, '登録', STRUCTURE_FORMS());
    const registeredTitle = example('02-01').structure.systemResponsible.title as string;
    const report = (title: string) => ({ ...example('02-06'), reporter: { ...example('02-06').reporter, title } });

    const same = await draft(engine, { '02-06': report(` ${registeredTitle.replace('部長', '　部長')}`) });
    expect(await refusalOf(engine.execute(same, 'submit', {}, meta(hachiojiApplicant)))).toBe('accepted');

    const other = await draft(engine, { '02-06': report('総務部長') });
    const head = await store.headPosition();
    expect(await refusalOf(engine.execute(other, 'submit', {}, meta(hachiojiApplicant)))).toEqual(['forms.02-06.reporter.title:reporterIsSystemResponsible']);
    expect(await store.headPosition()).toBe(head);

    // A 接続 of the registered organ that takes its 責任体制 from master data (no 02-01) reports under it too.
    const connection = await (async () => {
      const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '接続' }, meta(hachiojiApplicant));
      const forms = { '03-06': { ...example('03-06'), attachments: { ...example('03-06').attachments, form0308: false, form0309: false }, independentUseLinkage: false }, '03-07': { ...example('03-07'), queryAffairs: example('03-07').queryAffairs.filter((r: { itemNo: string }) => r.itemNo !== '9'), providedInformation: example('03-07').providedInformation.filter((r: { personalInfoName: string }) => r.personalInfoName !== TAX_INFO) }, '02-06': report('総務部長') };
      for (const [formCode, form] of Object.entries(forms)) await engine.execute(id, 'save-form', { formCode, form }, meta(hachiojiApplicant), { internal: true });
      return id;
    })();
    expect(await refusalOf(engine.execute(connection, 'submit', {}, meta(hachiojiApplicant)))).toEqual(['forms.02-06.reporter.title:reporterIsSystemResponsible']);

    const withStructure = await draft(engine, {
      '02-01': { ...example('02-01'), structure: { ...example('02-01').structure, systemResponsible: { ...example('02-01').structure.systemResponsible, title: '総務部長' } } },
      '02-06': report('総務部長'),
    });
    expect(await refusalOf(engine.execute(withStructure, 'submit', {}, meta(hachiojiApplicant)))).toBe('accepted');
    await store.close();
  });
});

describe('master-data registrar: organs of one code are bodies of their own', () => {
  const hachiojiBoard: Actor = { sub: 'hachioji-board', org: '132012', role: 'applicant', organ: '市町村教育委員会' };
  const REGISTRATION_FORMS = (department: string): Record<string, JsonObject> => {
    const contacts = example('02-02');
    contacts.normalContacts = contacts.normalContacts.map((c: JsonObject) => ({ ...c, department }));
    return { '02-01': example('02-01'), '02-02': contacts, '02-06': example('02-06') };
  };

  /** A 市町村教育委員会's application: forwarded by its head's department, then both reviews. */
  async function approveBoard(engine: WorkflowEngine, forms: Record<string, JsonObject>, category = '登録'): Promise<string> {
    const { id } = await engine.create('connection-application', { organizationCode: '132012', organizationKind: '市町村教育委員会', category }, meta(hachiojiBoard));
    for (const [formCode, form] of Object.entries(forms)) await engine.execute(id, 'save-form', { formCode, form }, meta(hachiojiBoard), { internal: true });
    await engine.execute(id, 'submit', {}, meta(hachiojiBoard));
    await engine.execute(id, 'forward', {}, meta(hachiojiApplicant));
    await engine.execute(id, 'approve', {}, meta(tokyoReviewer));
    await engine.execute(id, 'approve', {}, meta(mic));
    return id;
  }

  it('a 市町村長部局 and its 教育委員会 register in streams of their own, each numbering its versions from 1', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]), { clock: () => NOW });
    await approve(engine, hachiojiApplicant, tokyoReviewer, '登録', REGISTRATION_FORMS('情報管理課'));
    await approveBoard(engine, REGISTRATION_FORMS('教育総務課'));
    const second = await approveBoard(engine, { '02-02': REGISTRATION_FORMS('学務課')['02-02']! }, '変更');

    expect(masterDataStream('132012', '市町村教育委員会')).toBe('master-data-132012.municipal-board-of-education');
    const head = await versionsOf(store, '132012', '市町村長部局');
    const board = await versionsOf(store, '132012', '市町村教育委員会');
    expect(head.map((v) => [v['version'], v['organizationKind']])).toEqual([[1, '市町村長部局']]);
    expect(board.map((v) => [v['version'], v['organizationKind'], v['basedOnVersion']])).toEqual([
      [1, '市町村教育委員会', null],
      [2, '市町村教育委員会', 1],
    ]);
    const departments = (data: JsonObject) => ((data['content'] as JsonObject)['contacts'] as JsonObject[]).map((c) => c['department']);
    expect(departments(head[0]!)).toEqual(['情報管理課', '情報管理課']);
    expect(departments(board[1]!)).toEqual(['学務課', '学務課']);
    // The 変更 carried the board's own structure over, never the head department's.
    expect((await engine.load(second)).folded.snapshot.context).toMatchObject({ masterData: { version: 2 } });
    await store.close();
  });

  it('a counterpart in another organ’s stream is matched, and that organ gets the derived version in its own stream', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]), { clock: () => NOW });
    // 東京都教育委員会's approved master data delegating 27-2 to 八王子市 (held: 八王子市 had not filed yet).
    const [delegated] = delegationEntriesOf(TOKYO_FORMS()['03-08']!, '130001');
    const boardStream = masterDataStream('130001', '都道府県教育委員会');
    await store.append(
      boardStream,
      [
        {
          id: '00000000-0000-4000-8000-000000000001',
          type: 'MasterDataVersionRegistered',
          data: {
            organizationCode: '130001',
            organizationKind: '都道府県教育委員会',
            version: 1,
            applicationId: 'board-app',
            applicationNumber: '20261120-130001-BOARD1',
            category: '接続',
            sourceEventId: null,
            basedOnVersion: null,
            contentHash: 'sha256:board',
            content: { organization: { code: '130001', name: '東京都', kind: '都道府県教育委員会' }, delegations: [] },
            pendingDelegations: [pendingNotice(delegated!)] as unknown as JsonObject[],
          },
          metadata: { occurredAt: NOW },
        },
      ],
      'no_stream',
    );
    const hachioji = await approve(engine, hachiojiApplicant, tokyoReviewer, '接続', HACHIOJI_FORMS());

    expect(statuses((await current(store, '132012', '市町村長部局')).filing)).toEqual(['provision:delegatee:27:registered', 'query:delegatee:9:registered']);
    expect((await versionsOf(store, '132012'))[0]?.['matchedAgainst']).toEqual({ codes: ['130001'], versions: [{ organizationCode: '130001', organizationKind: '都道府県教育委員会', version: 1 }] });
    const board = await current(store, '130001', '都道府県教育委員会');
    expect(board.data).toMatchObject({ version: 2, organizationKind: '都道府県教育委員会', cause: { kind: 'delegation-match', applicationId: hachioji } });
    expect(statuses(board.filing)).toEqual(['provision:delegator:27:registered']);
    expect(await store.streamRevision(masterDataStream('130001', '都道府県知事部局'))).toBeUndefined();

    // A replay decides the same from the versions it names (the board's v1, read from the board's stream).
    const before = await store.headPosition();
    let approval: RecordedEvent | undefined;
    for await (const e of store.readStream(`application-${hachioji}`)) if (e.type === 'SecondReviewApproved') approval = e;
    const context: ReactionContext = {
      store,
      execute: (id, action, payload, m) => engine.execute(id, action, payload, m, { internal: true }),
      load: async (id, toRevision) => (await engine.load(id, toRevision === undefined ? {} : { toRevision })).folded,
      now: () => NOW,
    };
    await registerMasterDataReaction.handle(approval!, context);
    expect(await store.headPosition()).toBe(before);
    await store.close();
  });
});
