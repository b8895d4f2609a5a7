import { PLACEHOLDER } from '@nws/personal-data';
import { hashOf } from '../../../distributor/src/master-data-files.writer';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { TANAKA, registeredApplication } from './testing/personal-data.fixture';

/**
 * A 変更 that does not file 様02-02 carries the registered contacts over. Once one of them was
 * erased (消去), read back they are only ［消去済み］: nobody's name, phone or address, and never
 * to be registered and distributed as if they were.
 */
describe('a version after an erasure carries the other contacts, not the erased one’s placeholders', () => {
  let server: TestServer;
  let driver: Driver;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    await registeredApplication(driver);
  });
  afterAll(() => server.stop());

  it('given 田中 三郎 (contact 1 of version 1) erased, when a 変更 filing only 様02-01 is approved, then version 2 holds the other contacts with their priorities and no placeholder, and its hash matches its content', async () => {
    const v1 = (await driver.as('applicant', 'GET', '/master-data/organizations/132012')).body;
    const others = v1.content.contacts.filter((c: { name: string }) => c.name !== TANAKA.name);
    expect(others.length).toBeGreaterThan(0);
    const subjects = (await driver.as('applicant', 'GET', '/personal-data/subjects')).body.subjects as Array<{ subjectId: string; label: string }>;
    const tanaka = subjects.find((s) => s.label === TANAKA.name)!.subjectId;
    expect((await driver.as('applicant', 'POST', `/personal-data/subjects/${tanaka}/erasure`, { legalBasis: 'appi-98-erasure' })).status).toBe(200);

    const { forms } = await driver.examples();
    const id = (await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '変更' })).body.id as string;
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/02-01`, forms.find((f) => f.code === '02-01')!.example)).status).toBe(200);
    for (const [actor, action] of [['applicant', 'submit'], ['prefectureReviewer', 'approve'], ['micReviewer', 'approve']] as const) {
      const answer = await driver.act(actor, id, action);
      expect([action, answer.status]).toEqual([action, 200]);
    }

    const v2 = (await driver.as('distributor', 'GET', '/master-data/organizations/132012')).body;
    expect(v2.version).toBe(2);
    expect(v2.content.contacts).toEqual(others);
    expect(JSON.stringify(v2.content)).not.toContain(PLACEHOLDER.erased);
    expect(hashOf(v2.content)).toBe(v2.contentHash);
    expect(v2).not.toHaveProperty('publishedContentHash');
    // Version 1 still shows where the erased person was.
    const v1After = (await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions/1')).body;
    expect(v1After.content.contacts[0].name).toBe(PLACEHOLDER.erased);
  });
});
