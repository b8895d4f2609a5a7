import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * A round diff shows values by path, not by person. Its reads were logged under the people shown
 * beside them (the form's saver), so the saver's 開示 said reviewers read "her" emergency mobile,
 * and the contact whose mobile it was found no read at all.
 */
describe('the access log of a round diff, and the 開示 of the people in it (real app, real port)', () => {
  let server: TestServer;
  let driver: Driver;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  it("a reviewer's read of a changed emergency mobile in the diff is in the contact's 開示, not logged as a read of the saver's data", async () => {
    // given an application whose emergency contact is 小林 七子, rejected, her mobile changed, and resubmitted
    const id = await driver.draftWithForms('applicant');
    const form = (await driver.formExample('02-02')) as { emergencyContacts: Array<Record<string, unknown>> };
    form.emergencyContacts = [{ priority: 1, name: '小林 七子', mobile: '090-7777-1111', email: 'kobayashi@city.hachioji.tokyo.jp' }];
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, form)).status).toBe(200);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    expect((await driver.act('prefectureReviewer', id, 'reject', { comment: '様02-02の緊急連絡先1の携帯電話番号を確認してください。' })).status).toBe(200);
    expect((await driver.act('applicant', id, 'revise')).status).toBe(200);
    form.emergencyContacts[0]!['mobile'] = '090-7777-2222';
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, form)).status).toBe(200);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);

    // when the prefecture's reviewer reads the round diff
    const diff = await driver.as('prefectureReviewer', 'GET', `/applications/${id}/diff`);
    expect(diff.status).toBe(200);
    expect(JSON.stringify(diff.body)).toContain('090-7777-2222');

    // then 小林's 開示 lists that read, and 山田's (the saver's) does not say her mobile was read there
    const subjects = (await driver.as('applicant', 'GET', '/personal-data/subjects')).body.subjects as Array<{ label: string; subjectId: string }>;
    const subjectOf = (label: string) => subjects.find((s) => s.label === label)!.subjectId;
    const readsOf = async (label: string) =>
      ((await driver.as('applicant', 'GET', `/personal-data/subjects/${subjectOf(label)}`)).body.accessLog as Array<{ route: string; actor: { sub: string }; fields: string[] }>).filter(
        (entry) => entry.route === '/applications/:id/diff',
      );
    const kobayashi = await readsOf('小林 七子');
    expect(kobayashi).toEqual([expect.objectContaining({ actor: expect.objectContaining({ sub: 'tokyo-1' }), fields: expect.arrayContaining(['forms.02-02.emergencyContacts[0].mobile']) })]);
    const yamada = await readsOf('山田 花子');
    expect(yamada.flatMap((entry) => entry.fields).filter((field) => field.includes('emergencyContacts'))).toEqual([]);
  });
});
