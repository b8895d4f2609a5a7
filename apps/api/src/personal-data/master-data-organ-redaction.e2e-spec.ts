import { PLACEHOLDER } from '@nws/personal-data';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { TANAKA, registeredApplication } from './testing/personal-data.fixture';

const BOARD = encodeURIComponent('市町村教育委員会');

/**
 * A board of education's master data holds the board's people: its views redact and log them as
 * the board's, whatever the head department's people of the same name are doing.
 */
describe('master data of a board of education, redacted by its own organ', () => {
  let server: TestServer;
  let driver: Driver;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    // given both organs of 132012 registered with the published examples (a 田中 三郎 in each)
    await registeredApplication(driver);
    const board = await driver.draftWithForms('boardOfEducation');
    for (const [actor, action] of [['boardOfEducation', 'submit'], ['applicant', 'forward'], ['prefectureReviewer', 'approve'], ['micReviewer', 'approve']] as const) {
      expect([action, (await driver.act(actor, board, action)).status]).toEqual([action, 200]);
    }
  });
  afterAll(() => server.stop());

  const subjectOf = async (actor: 'applicant' | 'boardOfEducation') =>
    ((await driver.as(actor, 'GET', '/personal-data/subjects')).body.subjects as Array<{ subjectId: string; label: string }>).find((s) => s.label === TANAKA.name)!.subjectId;
  const boardContact = async () => (await driver.as('otherApplicant', 'GET', `/master-data/organizations/132012?organ=${BOARD}`)).body.content.contacts[0];

  it('the head department’s suspension of its 田中 三郎 leaves the board’s shown; the board’s suspension of its own hides him', async () => {
    const head = await subjectOf('applicant');
    expect((await driver.as('applicant', 'POST', `/personal-data/subjects/${head}/suspension`, { legalBasis: 'appi-98-suspension' })).status).toBe(200);
    expect(await boardContact()).toMatchObject({ name: TANAKA.name, phone: TANAKA.phone });
    expect((await driver.as('otherApplicant', 'GET', '/master-data/organizations/132012')).body.content.contacts[0].name).toBe(PLACEHOLDER.suspended);

    const board = await subjectOf('boardOfEducation');
    expect((await driver.as('boardOfEducation', 'POST', `/personal-data/subjects/${board}/suspension`, { legalBasis: 'appi-98-suspension' })).status).toBe(200);
    expect(await boardContact()).toMatchObject({ name: PLACEHOLDER.suspended, phone: PLACEHOLDER.suspended });
    // The board reads its own in clear, and that is no disclosure.
    const own = await driver.as('boardOfEducation', 'GET', `/master-data/organizations/132012?organ=${BOARD}`);
    expect(own.body.content.contacts[0].name).toBe(TANAKA.name);
  });

  it('another body’s reads of the board’s master data are logged under the board’s organ and people', async () => {
    await driver.as('otherApplicant', 'GET', `/master-data/organizations/132012?organ=${BOARD}`);
    const boardLog = (await driver.as('boardOfEducation', 'GET', '/personal-data/access-log?actorSub=tachikawa&limit=1000')).body.entries as Array<{ route: string; organizationKind: string; subjectIds: string[] }>;
    const reads = boardLog.filter((e) => e.route === '/master-data/organizations/:code');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((e) => e.organizationKind === '市町村教育委員会')).toBe(true);
    const headSubjects = new Set(((await driver.as('applicant', 'GET', '/personal-data/subjects')).body.subjects as Array<{ subjectId: string }>).map((s) => s.subjectId));
    expect(reads.flatMap((e) => e.subjectIds).filter((id) => headSubjects.has(id))).toEqual([]);
  });
});
