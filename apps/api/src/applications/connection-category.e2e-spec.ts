import type { EventStore } from '@nws/event-store';
import { recordConnectionEnd } from '@nws/personal-data';
import { japanWallClock } from '@nws/reference-catalog';
import { EVENT_STORE } from '../infrastructure/tokens';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * 申請区分 of a 接続 over HTTP (DOMAIN.md 申請区分, 様03-06): 八王子市's head department files its
 * 接続's forms as 登録 (nothing registered to change), is connected once it is approved, may then
 * neither 接続 again nor 再開 until `record-connection-end` recorded its end, and restarts after it.
 */
describe('接続 and 再開 over HTTP: what the store says of the organ decides its 様03-06 and its forms’ 申請区分', () => {
  let server: TestServer;
  let driver: Driver;
  let forms: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    const definition = (await driver.as('applicant', 'GET', '/workflows/connection-application')).body;
    forms = Object.fromEntries(definition.forms.map((f: { code: string; example: Record<string, unknown> }) => [f.code, structuredClone(f.example)]));
  });
  afterAll(() => server.stop());

  /** 様03-06 listing 02-01, 02-02, 02-06 and 03-07 only (no delegation, no 条例連携), saying `category`. */
  const covering = (category: string) => ({ ...forms['03-06'], category, independentUseLinkage: false, attachments: { ...(forms['03-06']!['attachments'] as object), form0308: false, form0309: false, other: false, otherAttachments: [] } });
  /** 様03-07 without 項9, a 都道府県知事 affair 八王子市 queries only by delegation (様03-08). */
  const queries = (category = '登録') => ({ ...forms['03-07'], category, queryAffairs: (forms['03-07']!['queryAffairs'] as Array<{ itemNo: string }>).filter((r) => r.itemNo !== '9') });
  async function connection(saved: Record<string, unknown>): Promise<string> {
    const created = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '接続' });
    expect(created.status).toBe(201);
    for (const [code, form] of Object.entries(saved)) expect([code, (await driver.as('applicant', 'PUT', `/applications/${created.body.id}/forms/${code}`, form)).status]).toEqual([code, 200]);
    return created.body.id as string;
  }
  const named = (body: { violations?: Array<{ field: string; rule: string }> }) => body.violations?.map((v) => `${v.field}:${v.rule}`);
  /** Submitted and refused: the 400 names the field and rule, nothing is appended, and the view lists submit under refusedActions with the same refusal. */
  async function refusedSubmission(id: string, expected: string) {
    const before = await driver.eventCount(id);
    const refused = await driver.act('applicant', id, 'submit');
    expect([refused.status, named(refused.body)]).toEqual([400, [expected]]);
    expect(await driver.eventCount(id)).toBe(before);
    const view = (await driver.as('applicant', 'GET', `/applications/${id}`)).body;
    expect(view.allowedActions).not.toContain('submit');
    expect(view.refusedActions).toEqual([{ action: 'submit', violations: refused.body.violations }]);
    return refused.body;
  }
  async function approvedBoth(id: string) {
    for (const [name, action] of [['applicant', 'submit'], ['prefectureReviewer', 'approve'], ['micReviewer', 'approve']] as const) expect([action, (await driver.act(name, id, action)).status]).toEqual([action, 200]);
  }

  it('a first 接続 files its forms as 登録; once connected, 接続 and 再開 are refused until the connection ended; then 再開 restarts it', async () => {
    // 八王子市 has no master data: a 様03-07 marked 変更 is saved, and its submission is refused.
    const first = await connection({ '02-01': forms['02-01'], '02-02': forms['02-02'], '02-06': forms['02-06'], '03-06': covering('接続'), '03-07': queries('変更') });
    const refused = await refusedSubmission(first, 'forms.03-07.category:registeredFirst');
    expect(refused.messages.en).toBe('forms.03-07.category: a 接続 files form 03-07 as 登録, and 八王子市 (市町村長部局) has no registered master data to change: choose 登録');
    expect(refused.messages.ja).toContain('申請区分は「登録」を選択します');
    expect((await driver.as('applicant', 'PUT', `/applications/${first}/forms/03-07`, queries('登録'))).status).toBe(200);
    await approvedBoth(first);
    const registered = (await driver.as('distributor', 'GET', '/master-data/organizations/132012')).body;
    expect(registered.version).toBe(1);

    // Connected: another 接続 (様03-06 「接続」) and a 再開 are refused at submission, naming 様03-06's 申請区分.
    const again = await connection({ '03-06': covering('接続'), '03-07': queries() });
    const connected = await refusedSubmission(again, 'forms.03-06.category:connectionOfUnconnected');
    expect(connected.messages.en).toMatch(/^forms\.03-06\.category: 八王子市 \(市町村長部局\) is connected already \(master data version 1, application \d{8}-132012-\w+\): apply with 変更 to change what is registered, or with 再開 after its connection ended$/);
    const restart = await connection({ '03-06': covering('再開'), '03-07': queries() });
    const notEnded = await refusedSubmission(restart, 'forms.03-06.category:restartAfterEnd');
    expect(notEnded.messages.en).toContain('再開 restarts a connection that ended, and 八王子市 (市町村長部局) is connected (master data version 1');

    // The operator records the end of the connection (`nws record-connection-end 132012`), today in Japan.
    const today = japanWallClock(Date.now())!.slice(0, 10);
    await recordConnectionEnd(server.app.get<EventStore>(EVENT_STORE), { organizationCode: '132012', organizationKind: '市町村長部局', endedAt: today }, { sub: 'cli', org: 'MIC', role: 'system' }, new Date().toISOString());
    const ended = (await driver.as('applicant', 'GET', `/applications/${restart}`)).body;
    expect([ended.allowedActions, ended.refusedActions]).toEqual([expect.arrayContaining(['submit']), []]);
    await approvedBoth(restart);
    expect((await driver.as('distributor', 'GET', '/master-data/organizations/132012')).body.version).toBe(2);

    // Restarted (approved after the end was recorded): connected again.
    await refusedSubmission(again, 'forms.03-06.category:connectionOfUnconnected');
  });

  it('three 接続 of one organ approved at the same moment: one connects it, the others are a 400 naming it (the second approval claims the connection; both were registered)', async () => {
    const local = await TestServer.start();
    const d = new Driver(local);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = (await d.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '接続' })).body.id as string;
        for (const [code, form] of Object.entries({ '02-01': forms['02-01'], '02-02': forms['02-02'], '02-06': forms['02-06'], '03-06': covering('接続'), '03-07': queries() })) expect((await d.as('applicant', 'PUT', `/applications/${id}/forms/${code}`, form)).status).toBe(200);
        for (const [name, action] of [['applicant', 'submit'], ['prefectureReviewer', 'approve']] as const) expect((await d.act(name, id, action)).status).toBe(200);
        ids.push(id);
      }
      const answers = await Promise.all(ids.map((id) => d.act('micReviewer', id, 'approve')));
      expect(answers.map((a) => [a.status, named(a.body) ?? a.body.state]).sort()).toEqual([
        [200, 'masterDataRegistered'],
        [400, ['forms.03-06.category:connectionOfUnconnected']],
        [400, ['forms.03-06.category:connectionOfUnconnected']],
      ]);
      const versions = (await d.as('distributor', 'GET', '/master-data/organizations/132012/versions')).body;
      expect((versions.items ?? versions).map((v: { version: number }) => v.version)).toEqual([1]);
    } finally {
      await local.stop();
    }
  });
});
