import { PLACEHOLDER } from '@nws/personal-data';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * The path names who moved the application, redacted as /history is: by the organ of the person's
 * body, not by the code alone. A board of education's staff are another body's to its head
 * department, which forwards its applications.
 */
describe('GET /applications/{id}/path of a board of education’s application', () => {
  let server: TestServer;
  let driver: Driver;
  let id: string;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    id = await driver.draftWithForms('boardOfEducation');
    expect((await driver.act('boardOfEducation', id, 'submit')).status).toBe(200);
  });
  afterAll(() => server.stop());

  const submitter = (body: { steps: Array<{ event: string; by: { name: string | null; organ?: string } | null }> }) => body.steps.find((s) => s.event === 'ApplicationSubmitted')!.by!;

  it('shows the board its own staff, and withholds them from the head department (saying how many), as /history does', async () => {
    const own = await driver.as('boardOfEducation', 'GET', `/applications/${id}/path`);
    expect(own.status).toBe(200);
    expect(submitter(own.body)).toMatchObject({ name: '教育 一郎', organ: '市町村教育委員会' });

    const head = await driver.as('applicant', 'GET', `/applications/${id}/path`);
    expect(head.status).toBe(200);
    expect(submitter(head.body).name).toBe(PLACEHOLDER.withheld);
    expect(JSON.stringify(head.body)).not.toContain('教育 一郎');
    const history = await driver.as('applicant', 'GET', `/applications/${id}/history`);
    expect(history.body.events.find((e: { type: string }) => e.type === 'ApplicationSubmitted').actor.name).toBe(PLACEHOLDER.withheld);

    const text = await server.request('GET', `/applications/${id}/path`, { token: await driver.token('applicant'), headers: { accept: 'text/plain' } });
    expect(text.status).toBe(200);
    expect(String(text.body)).not.toContain('教育 一郎');
    expect(Number(head.headers.get('x-personal-data-withheld'))).toBeGreaterThan(0);
  });
});
