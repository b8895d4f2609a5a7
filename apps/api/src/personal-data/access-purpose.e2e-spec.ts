import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/** The access log records who read why: a purpose that is another role's work is refused, not logged as stated. */
describe("X-Access-Purpose and the caller's role (real app, real port)", () => {
  let server: TestServer;
  let driver: Driver;
  let id: string;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    id = await driver.draftWithForms('applicant');
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
  });
  afterAll(() => server.stop());

  it("a prefecture's reviewer stating audit, or an auditor stating review, is a 400 naming X-Access-Purpose (purposeOfRole, ja/en); each its own work, or anyone's (incident-response), is read", async () => {
    const asReviewer = await driver.as('prefectureReviewer', 'GET', `/applications/${id}`, undefined, { 'x-access-purpose': 'audit' });
    expect([asReviewer.status, asReviewer.body.violations?.[0]?.field, asReviewer.body.violations?.[0]?.rule]).toEqual([400, 'X-Access-Purpose', 'purposeOfRole']);
    expect(asReviewer.body.messages.en).toContain('audit (audit) is the purpose of auditor (you are first-reviewer)');
    expect(asReviewer.body.messages.ja).toContain('の利用目的です');
    expect((await driver.as('auditor', 'GET', `/applications/${id}`, undefined, { 'x-access-purpose': 'review' })).status).toBe(400);
    expect((await driver.as('prefectureReviewer', 'GET', `/applications/${id}`, undefined, { 'x-access-purpose': 'review' })).status).toBe(200);
    expect((await driver.as('auditor', 'GET', `/applications/${id}`, undefined, { 'x-access-purpose': 'audit' })).status).toBe(200);
    expect((await driver.as('prefectureReviewer', 'GET', `/applications/${id}`, undefined, { 'x-access-purpose': 'incident-response' })).status).toBe(200);
  });
});
