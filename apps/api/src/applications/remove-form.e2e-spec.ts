import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * A form the submission refuses (a 様03-06 saved into a 変更: "form 03-06 belongs to a 接続
 * application") could not be taken out again: the only way on was to withdraw the application.
 */
describe('DELETE /applications/{id}/forms/{formCode} (real HTTP)', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    await driver.registerOrgan('applicant');
  });
  afterAll(() => server.stop());

  it('given a 変更 whose submission is refused for its 様03-06, when the form is deleted, then it submits; the form stays in the history', async () => {
    const { forms } = await driver.changeExamples();
    const id = (await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '変更' })).body.id as string;
    const example = (code: string) => forms.find((f) => f.code === code)!.example;
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-01`, example('02-01'))).status).toBe(200);
    const covering = await driver.formExample('03-06');
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/03-06`, covering)).status).toBe(200);
    const refused = await driver.act('applicant', id, 'submit');
    expect([refused.status, refused.body.violations?.map((v: { field: string }) => v.field)]).toEqual([400, ['forms.03-06']]);

    // Another organ's applicant may not; a form that is not saved is named; the body's applicant takes it out.
    expect((await driver.as('boardOfEducation', 'DELETE', `/applications/${id}/forms/03-06`)).status).toBe(403);
    const unsaved = await driver.as('applicant', 'DELETE', `/applications/${id}/forms/03-08`);
    expect([unsaved.status, unsaved.body.violations?.[0]?.rule]).toEqual([400, 'savedForm']);
    const removed = await driver.as('applicant', 'DELETE', `/applications/${id}/forms/03-06`);
    expect(removed.status).toBe(200);
    expect(Object.keys(removed.body.forms)).toEqual(['02-01']);
    expect(removed.headers.get('etag')).toBe(`"${removed.body.revision}"`);
    expect((await driver.act('applicant', id, 'submit')).body.state).toBe('firstReview');
    // Once submitted, nothing is removed: the state offers no form changes.
    expect((await driver.as('applicant', 'DELETE', `/applications/${id}/forms/02-01`)).status).toBe(409);
    const history = (await driver.as('auditor', 'GET', `/applications/${id}/history`)).body.events.map((e: { type: string }) => e.type);
    expect(history).toEqual(['ApplicationCreated', 'FormSaved', 'FormSaved', 'FormRemoved', 'ApplicationSubmitted']);
  });
});
