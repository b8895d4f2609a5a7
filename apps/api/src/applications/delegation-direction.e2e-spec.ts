import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * 地方自治法第180条の2 hands the head's work to a 委員会, 第180条の7 a 委員会's work to the head's staff.
 * A 変更 by 八王子市長部局 receiving 項38 (学校保健安全法, whose 情報照会者 is the 教育委員会) from its own
 * code "under 第180条の2" passed both reviews and registered master data saying the mayor's
 * department queries under the article that hands the mayor's work to the board.
 */
describe('様03-08 over HTTP: the direction of 第180条の2 and 第180条の7 within one code', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    await driver.registerOrgan('applicant');
  });
  afterAll(() => server.stop());

  const received38 = (basis: string) => ({
    itemNo: '38',
    affairName: '学校保健安全法による医療に要する費用についての援助に関する事務であって主務省令で定めるもの',
    delegation: {
      chain: [{ delegatorCode: '132012', delegateeCode: '132012', basis, instrumentKind: '規則', instrumentName: '八王子市教育委員会の権限に属する事務の補助執行に関する規則', delegatorHoldsByLaw: true }],
      delegators: ['132012'],
      delegatorConfirmed: true,
    },
  });

  it('given 八王子市長部局 receiving 項38 under 第180条の2, when it submits, then 400 names the link’s basis and nothing is appended; under 第180条の7 it submits', async () => {
    const id = (await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '変更' })).body.id as string;
    const f0307 = await driver.formExample('03-07');
    const queryAffairs = [...(f0307['queryAffairs'] as unknown[]), { itemNo: '38', affairName: received38('').affairName, pia: { status: '未実施', reason: '保有する特定個人情報ファイル1000人未満' } }];
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/03-07`, { ...f0307, queryAffairs })).status).toBe(200);
    const f0308 = await driver.formExample('03-08');
    const with38 = (basis: string) => ({ ...f0308, receivedQueryAffairs: [received38(basis), ...(f0308['receivedQueryAffairs'] as unknown[])] });
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/03-08`, with38('地方自治法第180条の2'))).status).toBe(200);

    const before = await driver.eventCount(id);
    const refused = await driver.act('applicant', id, 'submit');
    expect(refused.status).toBe(400);
    expect(refused.body.violations.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`)).toEqual(['forms.03-08.receivedQueryAffairs[0].delegation.chain[0].basis:basisDirection']);
    expect(refused.body.violations[0].message.ja).toContain('地方自治法第180条の2による委任は、長（首長部局・知事部局）から委員会（教育委員会等）へのものです');
    expect(refused.body.violations[0].message.en).toContain('choose 地方自治法第180条の7');
    expect(await driver.eventCount(id)).toBe(before);
    expect((await driver.as('applicant', 'GET', `/applications/${id}`)).body.state).toBe('draft');

    // The board's work done by the head's staff is 第180条の7: the same filing under it goes on to review.
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/03-08`, with38('地方自治法第180条の7'))).status).toBe(200);
    const submitted = await driver.act('applicant', id, 'submit');
    expect([submitted.status, submitted.body.state]).toEqual([200, 'firstReview']);
  });
});
