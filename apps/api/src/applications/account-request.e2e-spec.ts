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
});
