import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';

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
    await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, form.example);
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
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, form.example)).status).toBe(200);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    expect((await driver.act('prefectureReviewer', id, 'reject', { comment: 'AR-01の利用目的を具体的に記入してください。' })).status).toBe(200);
    expect((await driver.act('applicant', id, 'revise')).status).toBe(200);
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, { ...form.example, purpose: '接続申請の提出と審査結果の確認のため' })).status).toBe(200);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    const diff = await driver.as('applicant', 'GET', `/applications/${id}/diff`);
    expect(diff.status).toBe(200);
    expect(JSON.stringify(diff.body)).not.toMatch(/"submittedAt":null/);
    expect(JSON.stringify(diff.body)).toContain('"savedBy":{');
    const withdrawn = await driver.act('applicant', id, 'withdraw', { comment: '担当者異動のため取り下げます' });
    expect(withdrawn.body).toMatchObject({ state: 'withdrawn', createdAt: expect.any(String), submittedAt: expect.any(String), withdrawal: { reason: '担当者異動のため取り下げます', at: expect.any(String), by: expect.any(String) } });
  });
});
