import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';
import { eventually } from '../testing/eventually';

/** The published example with a holder address of its own: an organ issues one account per address, across its requests. */
const withOwnHolder = (example: { holders: Array<Record<string, unknown>> }, address: string) => ({ ...example, holders: example.holders.map((h) => ({ ...h, email: address })) });

describe('the second workflow over HTTP: 情報共有サイト アカウント発行申請', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  it('is listed, and runs through both reviews to accountIssued from its published example', async () => {
    expect((await driver.as('applicant', 'GET', '/workflows')).body.map((w: { name: string }) => w.name)).toEqual(['connection-application', 'account-request']);
    const definition = (await driver.as('applicant', 'GET', '/workflows/account-request')).body;
    const created = await driver.as('applicant', 'POST', '/applications', definition.create.example);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const form = definition.forms[0];
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, form.example)).status).toBe(200);
    expect((await driver.act('applicant', id, 'submit')).body.state).toBe('firstReview');
    expect((await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first')).body.items.map((i: { id: string }) => i.id)).toContain(id);
    expect((await driver.act('prefectureReviewer', id, 'approve')).body.state).toBe('secondReview');
    expect((await driver.act('micReviewer', id, 'approve')).body.state).toBe('approved');
    const issued = await driver.act('micReviewer', id, 'issue-account');
    expect(issued.body).toMatchObject({ state: 'accountIssued', workflow: 'account-request', machineVersion: '1' });
    expect(issued.body.accounts).toHaveLength(1);
  });

  it('has no selection screen: a 404 that says so, not the name of an internal command', async () => {
    const definition = (await driver.as('applicant', 'GET', '/workflows/account-request')).body;
    const id = (await driver.as('applicant', 'POST', '/applications', definition.create.example)).body.id;
    const selection = await driver.as('applicant', 'POST', `/applications/${id}/selection`, { pia: { status: '実施済' } });
    expect(selection.status).toBe(404);
    expect(selection.body.messages.en).toContain('has no selection screen');
    expect(JSON.stringify(selection.body)).not.toContain('generate-selection-forms');
    // Nor is its form removed: saved again, it is replaced.
    const removed = await driver.as('applicant', 'DELETE', `/applications/${id}/forms/AR-01`);
    expect(removed.status).toBe(404);
    expect(removed.body.messages.en).toContain('are not removed');
    expect(JSON.stringify(removed.body)).not.toContain('remove-form');
  });

  it('is read by its body, the reviewers it is routed to and auditors; not by other roles of those bodies, nor before it is routed', async () => {
    const definition = (await driver.as('applicant', 'GET', '/workflows/account-request')).body;
    const id = (await driver.as('applicant', 'POST', '/applications', definition.create.example)).body.id;
    const form = definition.forms[0];
    await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, withOwnHolder(form.example, 'reading@city.hachioji.tokyo.jp'));
    // Applicants of the prefecture that reviews it: the same org as its first reviewer, another role.
    const prefectureApplicant = await server.token({ sub: 'tokyo-applicant', org: '130001', role: 'applicant' });
    const statuses = async () => ({
      applicant: (await driver.as('applicant', 'GET', `/applications/${id}`)).status,
      prefectureReviewer: (await driver.as('prefectureReviewer', 'GET', `/applications/${id}`)).status,
      micReviewer: (await driver.as('micReviewer', 'GET', `/applications/${id}`)).status,
      auditor: (await driver.as('auditor', 'GET', `/applications/${id}`)).status,
      otherApplicant: (await driver.as('otherApplicant', 'GET', `/applications/${id}`)).status,
      prefectureApplicant: (await server.request('GET', `/applications/${id}`, { token: prefectureApplicant })).status,
      prefectureDistributor: (await driver.as('prefectureDistributor', 'GET', `/applications/${id}`)).status,
      micDistributor: (await driver.as('distributor', 'GET', `/applications/${id}`)).status,
      micOperator: (await driver.as('operator', 'GET', `/applications/${id}`)).status,
    });
    const nobodyElse = { otherApplicant: 403, prefectureApplicant: 403, prefectureDistributor: 403, micDistributor: 403, micOperator: 403 };
    expect(await statuses()).toEqual({ applicant: 200, prefectureReviewer: 403, micReviewer: 403, auditor: 200, ...nobodyElse });
    await driver.act('applicant', id, 'submit');
    expect(await statuses()).toEqual({ applicant: 200, prefectureReviewer: 200, micReviewer: 200, auditor: 200, ...nobodyElse });
    // Nor does a command tell them more than the read: MIC's operator, whose org decides the second review.
    const operatorApproves = await driver.act('operator', id, 'approve');
    expect({ status: operatorApproves.status, code: operatorApproves.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(operatorApproves.body.messages.en).toContain('may not read');
  });

  it('its view and round diff say when it was opened and submitted, who saved the form, and a withdrawal\u2019s reason, time and person (they showed null, or nothing)', async () => {
    const definition = (await driver.as('applicant', 'GET', '/workflows/account-request')).body;
    const form = definition.forms[0];
    const id = (await driver.as('applicant', 'POST', '/applications', definition.create.example)).body.id as string;
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, withOwnHolder(form.example, 'rounds@city.hachioji.tokyo.jp'))).status).toBe(200);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    expect((await driver.act('prefectureReviewer', id, 'reject', { comment: 'AR-01の利用目的を具体的に記入してください。' })).status).toBe(200);
    expect((await driver.act('applicant', id, 'revise')).status).toBe(200);
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, { ...withOwnHolder(form.example, 'rounds@city.hachioji.tokyo.jp'), purpose: '接続申請の提出と審査結果の確認のため' })).status).toBe(200);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    const diff = await driver.as('applicant', 'GET', `/applications/${id}/diff`);
    expect(diff.status).toBe(200);
    expect(JSON.stringify(diff.body)).not.toMatch(/"submittedAt":null/);
    expect(JSON.stringify(diff.body)).toContain('"savedBy":{');
    const withdrawn = await driver.act('applicant', id, 'withdraw', { comment: '担当者異動のため取り下げます' });
    expect(withdrawn.body).toMatchObject({ state: 'withdrawn', createdAt: expect.any(String), submittedAt: expect.any(String), withdrawal: { reason: '担当者異動のため取り下げます', at: expect.any(String), by: expect.any(String) } });
  });

  it('one account per address across the organ\u2019s requests: a holder issued an account is refused in the next request, when it is submitted, naming the holder\u2019s field (a second account was issued)', async () => {
    const definition = (await driver.as('applicant', 'GET', '/workflows/account-request')).body;
    const form = definition.forms[0];
    const holder = { name: '重複 太郎', department: '情報管理課', title: '主任', email: 'choufuku@city.hachioji.tokyo.jp', phone: '042-620-7201' };
    const issue = async (holders: unknown[]) => {
      const id = (await driver.as('applicant', 'POST', '/applications', definition.create.example)).body.id as string;
      expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, { ...form.example, holders })).status).toBe(200);
      return id;
    };
    const first = await issue([holder]);
    expect((await driver.act('applicant', first, 'submit')).status).toBe(200);
    expect((await driver.act('prefectureReviewer', first, 'approve')).status).toBe(200);
    expect((await driver.act('micReviewer', first, 'approve')).status).toBe(200);
    expect((await driver.act('micReviewer', first, 'issue-account')).body.state).toBe('accountIssued');

    // The same address in another case, beside a new one: the holder already issued is named.
    const second = await issue([{ ...holder, email: 'atarashii@city.hachioji.tokyo.jp', name: '新規 花子' }, { ...holder, email: 'CHOUFUKU@city.hachioji.tokyo.jp' }]);
    // The list is recorded by a reaction to the issue: its view says so before anything is tried.
    await eventually(() => driver.as('applicant', 'GET', `/applications/${second}`), (v) => (v.body.refusedActions ?? []).some((r: { action: string }) => r.action === 'submit'));
    const refused = await driver.act('applicant', second, 'submit');
    expect(refused.status).toBe(400);
    expect(refused.body.violations.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`)).toEqual(['forms.AR-01.holders[1].email:oneAccountPerAddress']);
    expect(refused.body.messages.en).toContain('one account per address');
    // Another address of the same organ is a new account.
    const third = await issue([{ ...holder, email: 'betsu@city.hachioji.tokyo.jp' }]);
    expect((await driver.act('applicant', third, 'submit')).status).toBe(200);
  });

  /** A request with the published form and the given holder address, through both reviews' first stage. */
  async function inSecondReview(address: string): Promise<string> {
    const definition = (await driver.as('applicant', 'GET', '/workflows/account-request')).body;
    const id = (await driver.as('applicant', 'POST', '/applications', definition.create.example)).body.id as string;
    const form = definition.forms[0];
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, withOwnHolder(form.example, address))).status).toBe(200);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    expect((await driver.act('prefectureReviewer', id, 'approve')).status).toBe(200);
    return id;
  }

  it('an address issued to another request while this one was in review: its second approval is refused (listed under refusedActions), so it is rejected, not approved into a state with no way out', async () => {
    const [first, second] = [await inSecondReview('twice@city.hachioji.tokyo.jp'), await inSecondReview('twice@city.hachioji.tokyo.jp')];
    expect((await driver.act('micReviewer', first, 'approve')).body.state).toBe('approved');
    expect((await driver.act('micReviewer', first, 'issue-account')).body.state).toBe('accountIssued');
    const view = await driver.as('micReviewer', 'GET', `/applications/${second}`);
    expect(view.body.allowedActions).not.toContain('approve');
    expect(view.body.refusedActions).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'approve' })]));
    const refused = await driver.act('micReviewer', second, 'approve');
    expect([refused.status, refused.body.violations?.map((v: { rule: string }) => v.rule)]).toEqual([400, ['oneAccountPerAddress']]);
    expect((await driver.act('micReviewer', second, 'reject', { comment: '利用者のメールアドレスは既に別の申請でアカウントが発行されています。別のアドレスで再申請してください。' })).body.state).toBe('rejected');
  });

  it('requests naming one address approved at the same moment: one approved, the others refused (400 oneAccountPerAddress, still in review, so they can be rejected); the check and the record of the holders could interleave, each was approved and each got an account', async () => {
    for (let round = 0; round < 3; round++) {
      const address = `douji-${round}@city.hachioji.tokyo.jp`;
      const ids = [await inSecondReview(address), await inSecondReview(address), await inSecondReview(address)];
      const answers = await Promise.all(ids.map((id) => driver.act('micReviewer', id, 'approve')));
      expect(answers.map((a) => [a.status, a.body.violations?.map((v: { rule: string }) => v.rule) ?? a.body.state]).sort()).toEqual([[200, 'approved'], [400, ['oneAccountPerAddress']], [400, ['oneAccountPerAddress']]]);
      const approved = ids[answers.findIndex((a) => a.status === 200)]!;
      expect((await driver.act('micReviewer', approved, 'issue-account')).body.state).toBe('accountIssued');
      for (const id of ids.filter((i) => i !== approved)) {
        expect((await driver.act('micReviewer', id, 'reject', { comment: '同じアドレスのアカウントは別の申請で発行されています。' })).body.state).toBe('rejected');
      }
    }
  });

  it('a request withdrawn while its approval was being decided holds no address: its holders, claimed for an approval never stored, refuse nobody', async () => {
    const address = 'torisage@city.hachioji.tokyo.jp';
    const [first, second] = [await inSecondReview(address), await inSecondReview(address)];
    // The approval and the withdrawal at once: whichever is stored, the other request meets the outcome.
    const [approval, withdrawal] = await Promise.all([driver.act('micReviewer', first, 'approve'), driver.act('applicant', first, 'withdraw', { comment: '担当者異動のため取り下げます' })]);
    const state = (await driver.as('micReviewer', 'GET', `/applications/${first}`)).body.state as string;
    expect([[200, 409, 'approved'], [409, 200, 'withdrawn']]).toContainEqual([approval.status, withdrawal.status, state]);
    const other = await driver.act('micReviewer', second, 'approve');
    expect([other.status, other.body.violations?.map((v: { rule: string }) => v.rule) ?? other.body.state]).toEqual(state === 'withdrawn' ? [200, 'approved'] : [400, ['oneAccountPerAddress']]);
  });

  it('a request whose holders\' data were erased after the approval gets no account issued to ［消去済み］: issuing is refused (400 holdersErased), nothing recorded', async () => {
    const id = await inSecondReview('erased-holder@city.hachioji.tokyo.jp');
    expect((await driver.act('micReviewer', id, 'approve')).body.state).toBe('approved');
    const form = (await driver.as('applicant', 'GET', `/applications/${id}`)).body.forms['AR-01'];
    const name = (form.data?.holders ?? form.holders)[0].name as string;
    const subjects = (await driver.as('applicant', 'GET', '/personal-data/subjects')).body.subjects as Array<{ subjectId: string; label: string; erasedAt?: string | null }>;
    const holder = subjects.find((s) => s.label === name && !s.erasedAt)!;
    expect((await driver.as('applicant', 'POST', `/personal-data/subjects/${holder.subjectId}/erasure`, { legalBasis: 'appi-98-erasure' })).status).toBe(200);
    const before = (await driver.as('auditor', 'GET', `/applications/${id}/history`, undefined, { 'x-access-purpose': 'audit' })).body.events.length as number;
    const refused = await driver.act('micReviewer', id, 'issue-account');
    expect([refused.status, refused.body.violations?.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`)]).toEqual([400, ['forms.AR-01.holders:holdersErased']]);
    expect((await driver.as('auditor', 'GET', `/applications/${id}/history`, undefined, { 'x-access-purpose': 'audit' })).body.events.length).toBe(before);
  });
});
