import { TestServer } from '../testing/test-server';
import { Driver, type ActorName } from '../testing/drive';

/**
 * One 登録 per organ when its approvals race: the organ's master data, which a 登録 must not find,
 * is written by a reaction after the approval, so two 登録s approved at once both passed the check
 * and the second was registered as version 2 of the first.
 */
describe('two 登録 of one organ approved at the same moment', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  async function inSecondReview(actor: ActorName): Promise<string> {
    const id = await driver.draftWithForms(actor, '登録');
    for (const [name, action] of [[actor, 'submit'], ['prefectureReviewer', 'approve']] as const) expect((await driver.act(name, id, action)).status).toBe(200);
    return id;
  }

  it('one is approved and registers version 1; the other is a 400 firstRegistration naming it, stays in review with approve under refusedActions, and is rejected', async () => {
    const ids = [await inSecondReview('applicant'), await inSecondReview('applicant'), await inSecondReview('applicant')];
    const answers = await Promise.all(ids.map((id) => driver.act('micReviewer', id, 'approve')));
    expect(answers.map((a) => [a.status, a.body.violations?.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`) ?? a.body.state]).sort()).toEqual([
      [200, 'masterDataRegistered'],
      [400, ['category:firstRegistration']],
      [400, ['category:firstRegistration']],
    ]);
    const winner = answers.find((a) => a.status === 200)!.body;
    const versions = (await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions')).body;
    expect((versions.items ?? versions).map((v: { version: number; applicationId: string }) => [v.version, v.applicationId])).toEqual([[1, winner.id]]);
    for (const id of ids.filter((i) => i !== winner.id)) {
      const view = (await driver.as('micReviewer', 'GET', `/applications/${id}`)).body;
      expect([view.state, view.allowedActions, view.refusedActions.map((r: { action: string }) => r.action)]).toEqual(['secondReview', ['reject'], ['approve']]);
      expect((await driver.act('micReviewer', id, 'reject', { comment: '同じ機関の「登録」が既に承認されています。「変更」で申請してください。' })).body.state).toBe('rejected');
    }
  });

  it('a 登録 withdrawn while its approval was being decided claims nothing: the organ\u2019s other 登録 is approved', async () => {
    const [first, second] = [await inSecondReview('otherApplicant'), await inSecondReview('otherApplicant')];
    const [approval, withdrawal] = await Promise.all([driver.act('micReviewer', first, 'approve'), driver.act('otherApplicant', first, 'withdraw', { comment: '申請内容を見直すため取り下げます' })]);
    const state = (await driver.as('micReviewer', 'GET', `/applications/${first}`)).body.state as string;
    expect([[200, 409, 'masterDataRegistered'], [409, 200, 'withdrawn']]).toContainEqual([approval.status, withdrawal.status, state]);
    const other = await driver.act('micReviewer', second, 'approve');
    expect([other.status, other.body.violations?.map((v: { rule: string }) => v.rule) ?? other.body.state]).toEqual(state === 'withdrawn' ? [200, 'masterDataRegistered'] : [400, ['firstRegistration']]);
  });
});
