import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';

describe('a 変更 (change) application over HTTP: reviewers see its diff, approval yields the next version', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  async function approveBoth(id: string) {
    await driver.act('applicant', id, 'submit');
    await driver.act('prefectureReviewer', id, 'approve');
    return driver.act('micReviewer', id, 'approve');
  }

  it('is refused for a body without registered master data, naming category in both languages, and nothing is stored', async () => {
    const listed = async () => Number((await driver.as('otherApplicant', 'GET', '/applications')).headers.get('x-total-count'));
    const before = await listed();
    const refused = await driver.as('otherApplicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132021', category: '変更' });
    expect([refused.status, refused.body.violations?.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`)]).toEqual([400, ['category:registeredFirst']]);
    expect(refused.body.messages.ja).toContain('先に「登録」で申請してください');
    expect(refused.body.messages.en).toBe('category: 変更 changes registered master data, and 立川市 (市町村長部局) has none; apply with 登録 first');
    expect(await listed()).toBe(before);
  });

  it('shows exactly the changed contact field against version 1 and registers version 2', async () => {
    const first = await driver.draftWithForms();
    expect((await approveBoth(first)).body.masterData.version).toBe(1);

    const definition = (await driver.as('applicant', 'GET', '/workflows/connection-application')).body;
    const contacts = definition.forms.find((f: { code: string }) => f.code === '02-02').example;
    const changed = JSON.parse(JSON.stringify(contacts));
    changed.normalContacts[1].phone = '042-620-7299';
    const created = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '変更' });
    const id = created.body.id;
    for (const form of definition.forms.filter((f: { code: string }) => ['02-01', '02-06'].includes(f.code))) {
      await driver.as('applicant', 'PUT', `/applications/${id}/forms/${form.code}`, form.example);
    }
    await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-02`, changed);
    await driver.act('applicant', id, 'submit');

    const diff = await driver.as('prefectureReviewer', 'GET', `/applications/${id}/master-data-diff`);
    expect(diff.status).toBe(200);
    expect(diff.body).toEqual({
      organizationCode: '132012',
      organizationKind: '市町村長部局',
      againstVersion: 1,
      registeredVersion: null,
      changes: [{ path: 'contacts[1].phone', kind: 'changed', before: '0426207201', after: '0426207299' }],
      delegations: { label: '委任・受任の突合', matched: [], unmatched: [] },
    });
    expect((await driver.as('otherApplicant', 'GET', `/applications/${id}/master-data-diff`)).status).toBe(403);

    await driver.act('prefectureReviewer', id, 'approve');
    const approved = await driver.act('micReviewer', id, 'approve');
    expect(approved.body.masterData.version).toBe(2);
    const versions = await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions');
    expect(versions.body.map((v: { version: number; applicationId: string }) => [v.version, v.applicationId])).toEqual([
      [1, first],
      [2, id],
    ]);
    expect((await driver.as('distributor', 'GET', '/master-data/organizations/132012')).body.content.contacts[1].phone).toBe('0426207299');

    // Once registered, and after a later 変更: what its own version changed from the one before,
    // not a comparison with the later version.
    const later = await driver.registerOrgan('applicant');
    expect((await driver.as('auditor', 'GET', `/applications/${later}`)).body.masterData.version).toBe(3);
    const afterwards = await driver.as('micReviewer', 'GET', `/applications/${id}/master-data-diff`);
    expect(afterwards.body).toMatchObject({
      againstVersion: 1,
      registeredVersion: 2,
      changes: [{ path: 'contacts[1].phone', kind: 'changed', before: '0426207201', after: '0426207299' }],
    });
    const firstDiff = await driver.as('micReviewer', 'GET', `/applications/${first}/master-data-diff`);
    expect(firstDiff.body).toMatchObject({ againstVersion: null, registeredVersion: 1, changes: [{ path: '', kind: 'added' }] });
  });
});
