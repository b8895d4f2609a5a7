import type { Actor } from '@nws/engine';
import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';
import { asFiledBy } from '@nws/workflows/connection-application/forms/testing/form-spec.helpers';

/**
 * 委任・受任の突合 over HTTP (DOMAIN.md 様03-08): 東京都 (delegator) delegates the provision of
 * 別表第二 27-2 to 八王子市 (delegatee), which also received the query affair 9 from it.
 * 東京都 is approved first: its 委任 stays out of its master data and its second reviewer sees it
 * unmatched. Then 八王子市 is approved with the matching 受任: both bodies' master data hold it
 * (東京都 in a new version whose cause names 八王子市's application), and the query affair entered
 * 八王子市's master data with its own entry alone.
 */
describe('delegation 突合 over HTTP: a provision delegation enters the master data only once both sides are approved', () => {
  let server: TestServer;
  let driver: Driver;
  const tokyoApplicant: Actor = { sub: 'tokyo-app-1', org: '130001', role: 'applicant', name: '都庁 一郎', department: 'デジタルサービス局' };
  const jlisReviewer: Actor = { sub: 'jlis-1', org: 'J-LIS', role: 'first-reviewer', name: '機構 次郎', department: '審査課' };
  let tokens: Map<Actor, string>;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    tokens = new Map([
      [tokyoApplicant, await server.token(tokyoApplicant)],
      [jlisReviewer, await server.token(jlisReviewer)],
    ]);
  });
  afterAll(() => server.stop());

  const as = (actor: Actor, method: string, path: string, body?: unknown) => server.request(method, path, { token: tokens.get(actor), body });
  const ok = <T extends { status: number; body: unknown }>(response: T, status = 200): T => {
    if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
    return response;
  };

  async function examples(): Promise<Record<string, any>> {
    const definition = ok(await driver.as('applicant', 'GET', '/workflows/connection-application')).body;
    return Object.fromEntries(definition.forms.map((f: { code: string; example: unknown }) => [f.code, structuredClone(f.example)]));
  }

  it('東京都 first: its 委任 is held and shown unmatched; 八王子市 second: both master data hold it, the query row with the delegatee alone', async () => {
    const forms = await examples();
    const taxInfo: string = forms['03-08'].receivedProvisions[0].personalInfoName;

    // --- 東京都 (都道府県知事部局, first review J-LIS): a 接続 application delegating 27-2 to 八王子市.
    const tokyo = ok(await as(tokyoApplicant, 'POST', '/applications', { workflow: 'connection-application', organizationCode: '130001', category: '接続' }), 201).body.id as string;
    const tokyoForms: Record<string, unknown> = {
      // 責任体制 and 連絡窓口: 東京都 has no master data yet, so its 接続 carries them.
      '02-01': asFiledBy('02-01', forms['02-01'], '東京都'),
      '02-02': forms['02-02'],
      '02-06': forms['02-06'],
      '03-06': {
        ...forms['03-06'],
        bodyType: '都道府県知事部局',
        mainOffice: { postalCode: '163-8001', address: '東京都新宿区西新宿二丁目8番1号' },
        independentUseLinkage: false,
        attachments: { ...forms['03-06'].attachments, form0309: false },
      },
      // 東京都 no longer provides 27-2 itself: 八王子市 does (delegated rows are not in 03-07 (2)).
      '03-07': {
        ...forms['03-07'],
        // 東京都知事 queries 項9, a 都道府県知事 affair (the example's other rows are 市町村長 affairs).
        queryAffairs: forms['03-07'].queryAffairs.filter((r: { itemNo: string }) => r.itemNo === '9'),
        // It provides 項27's 生活保護関係情報 (都道府県知事等); the example's other rows are 市町村長's, or the one it delegates.
        providedInformation: forms['03-07'].providedInformation.filter((r: { itemNo: string; personalInfoName: string }) => r.itemNo === '27' && r.personalInfoName.startsWith('生活保護関係情報')),
      },
      '03-08': { ...forms['03-08'], receivedQueryAffairs: [], receivedProvisions: [], delegatedProvisions: [{ itemNo: '27', personalInfoName: taxInfo, delegateeCode: '132012' }] },
    };
    for (const [code, form] of Object.entries(tokyoForms)) ok(await as(tokyoApplicant, 'PUT', `/applications/${tokyo}/forms/${code}`, form));
    ok(await as(tokyoApplicant, 'POST', `/applications/${tokyo}/actions/submit`, {}));
    ok(await as(jlisReviewer, 'POST', `/applications/${tokyo}/actions/approve`, {}));

    // The second reviewer sees, before deciding, that the 委任 has no 受任 to match yet.
    const beforeDecision = ok(await driver.as('micReviewer', 'GET', `/applications/${tokyo}/master-data-diff`)).body;
    expect(beforeDecision.delegations.matched).toEqual([]);
    expect(beforeDecision.delegations.unmatched).toEqual([
      expect.objectContaining({
        kind: 'provision',
        side: 'delegator',
        itemNo: '27',
        personalInfoName: taxInfo,
        delegatorCode: '130001',
        delegateeCode: '132012',
        label: '情報提供事務の委任',
        statusLabel: '突合待ち',
        awaiting: { organizationCode: '132012', organizationName: '八王子市', side: 'delegatee', label: '情報提供事務の受任' },
        message: { ja: expect.stringContaining('八王子市（132012）の情報提供事務の受任情報が承認されるまで突合待ちです'), en: expect.stringContaining('is held until 八王子市 (132012)') },
      }),
    ]);
    // …and that it does not enter the master data: the proposed content has no delegation.
    expect(beforeDecision.againstVersion).toBeNull();
    expect(beforeDecision.changes).toEqual([{ path: '', kind: 'added', after: expect.objectContaining({ delegations: [] }) }]);

    const tokyoApproved = ok(await driver.act('micReviewer', tokyo, 'approve')).body;
    expect(tokyoApproved.state).toBe('masterDataRegistered');
    const tokyoV1 = ok(await driver.as('distributor', 'GET', '/master-data/organizations/130001')).body;
    expect(tokyoV1.version).toBe(1);
    expect(tokyoV1.content.delegations).toEqual([]);
    // Not in the content under any name (様03-08 is not copied as filed): the row exists only as held.
    expect(JSON.stringify(tokyoV1.content)).not.toContain('"delegateeCode":"132012"');
    // Held rows are the body's, its reviewers' and auditors': not published to distributors or other bodies.
    expect(tokyoV1).not.toHaveProperty('pendingDelegations');
    expect((await driver.as('otherApplicant', 'GET', '/master-data/organizations/130001')).body).not.toHaveProperty('pendingDelegations');
    const tokyoV1Reviewed = ok(await driver.as('micReviewer', 'GET', '/master-data/organizations/130001')).body;
    expect(tokyoV1Reviewed.pendingDelegations).toEqual([expect.objectContaining({ side: 'delegator', itemNo: '27', delegateeCode: '132012' })]);
    expect(ok(await driver.as('auditor', 'GET', '/master-data/organizations/130001/versions/1')).body.pendingDelegations).toHaveLength(1);
    // Its reviewers are those its applications go to (J-LIS, MIC): not another prefecture's, nor J-LIS for a municipality.
    expect(ok(await driver.as('otherPrefectureReviewer', 'GET', '/master-data/organizations/130001')).body).not.toHaveProperty('pendingDelegations');
    expect(ok(await driver.as('prefectureReviewer', 'GET', '/master-data/organizations/130001')).body).not.toHaveProperty('pendingDelegations');
    expect(tokyoV1.cause).toMatchObject({ kind: 'approval', applicationId: tokyo });
    // The registration on the application records the 突合 too.
    const registeredEvent = ok(await driver.as('micReviewer', 'GET', `/applications/${tokyo}/history`)).body.events.find((e: { type: string }) => e.type === 'MasterDataRegistered');
    expect(registeredEvent.data.delegations.registered).toEqual([]);
    expect(registeredEvent.data.delegations.pending).toEqual([expect.objectContaining({ delegateeCode: '132012', side: 'delegator' })]);

    // After the approval, the second reviewer of 東京都 still sees the row unmatched.
    const afterDecision = ok(await driver.as('micReviewer', 'GET', `/applications/${tokyo}/master-data-diff`)).body;
    expect(afterDecision.delegations.unmatched.map((e: { itemNo: string; delegateeCode: string }) => `${e.itemNo}>${e.delegateeCode}`)).toEqual(['27>132012']);

    // --- 八王子市 (市町村長部局): the examples, whose 様03-08 receives 9 (query) and 27-2 (provision) from 東京都.
    const hachioji = ok(await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '接続' }), 201).body.id as string;
    for (const code of ['02-01', '02-02', '02-06', '03-06', '03-07', '03-08', '03-09']) ok(await driver.as('applicant', 'PUT', `/applications/${hachioji}/forms/${code}`, forms[code]));
    ok(await driver.act('applicant', hachioji, 'submit'));
    ok(await driver.act('prefectureReviewer', hachioji, 'approve'));

    const hachiojiReview = ok(await driver.as('micReviewer', 'GET', `/applications/${hachioji}/master-data-diff`)).body;
    expect(hachiojiReview.delegations.unmatched).toEqual([]);
    expect(hachiojiReview.delegations.matched.map((e: any) => [e.kind, e.itemNo, e.statusLabel, e.matchedWith?.applicationId ?? null])).toEqual([
      ['provision', '27', '突合済み', tokyo],
      ['query', '9', '受任のみで登録（情報照会）', null],
    ]);

    ok(await driver.act('micReviewer', hachioji, 'approve'));

    // 八王子市's master data: the 受任 of 27-2 (matched) and the query affair 9 (its own entry alone).
    const hachiojiV1 = ok(await driver.as('distributor', 'GET', '/master-data/organizations/132012')).body;
    expect(hachiojiV1.content.delegations.map((e: any) => [e.kind, e.side, e.itemNo, e.delegatorCode, e.delegateeCode])).toEqual([
      ['provision', 'delegatee', '27', '130001', '132012'],
      ['query', 'delegatee', '9', '130001', '132012'],
    ]);
    expect(hachiojiV1.content.delegations[0].chain[0]).toMatchObject({ basis: '地方自治法第252条の17の2', instrumentKind: '条例' });
    expect(ok(await driver.as('applicant', 'GET', '/master-data/organizations/132012')).body.pendingDelegations).toEqual([]);

    // 東京都's master data: a new version holding its 委任, caused by 八王子市's application.
    const tokyoVersions = ok(await driver.as('distributor', 'GET', '/master-data/organizations/130001/versions')).body;
    expect(tokyoVersions.map((v: any) => [v.version, v.applicationId, v.cause.kind])).toEqual([
      [1, tokyo, 'approval'],
      [2, tokyo, 'delegation-match'],
    ]);
    const tokyoV2 = ok(await driver.as('distributor', 'GET', '/master-data/organizations/130001')).body;
    expect(tokyoV2.version).toBe(2);
    expect(tokyoV2.content.delegations).toEqual([
      { kind: 'provision', side: 'delegator', catalogVersion: forms['03-08'].catalogVersion, itemNo: '27', affairName: null, personalInfoName: taxInfo, procedure: null, delegatorCode: '130001', delegateeCode: '132012', chain: null },
    ]);
    expect(ok(await driver.as('micReviewer', 'GET', '/master-data/organizations/130001')).body.pendingDelegations).toEqual([]);
    expect(tokyoV2.cause).toMatchObject({
      kind: 'delegation-match',
      applicationId: hachioji,
      organizationCode: '132012',
      matched: [expect.objectContaining({ itemNo: '27', side: 'delegator', matchedWith: expect.objectContaining({ organizationCode: '132012', applicationId: hachioji, version: 1 }) })],
      unmatched: [],
    });
    // Everything else of 東京都's registration is unchanged.
    const { delegations: _v1, ...restV1 } = tokyoV1.content;
    const { delegations: _v2, ...restV2 } = tokyoV2.content;
    expect(restV2).toEqual(restV1);

    // And the second reviewer of 東京都 now sees the row matched.
    const tokyoNow = ok(await driver.as('micReviewer', 'GET', `/applications/${tokyo}/master-data-diff`)).body;
    expect(tokyoNow.delegations.unmatched).toEqual([]);
    expect(tokyoNow.delegations.matched).toEqual([expect.objectContaining({ itemNo: '27', statusLabel: '突合済み', matchedWith: expect.objectContaining({ applicationId: hachioji }) })]);
  });
});
