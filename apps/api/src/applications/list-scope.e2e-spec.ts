import { actors, Driver, type ActorName } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { registeredApplication } from '../personal-data/testing/personal-data.fixture';

/** GET /applications lists exactly what GET /applications/{id} lets the caller read, role by role. */
describe('GET /applications: the list follows the read policy', () => {
  let server: TestServer;
  let driver: Driver;
  const ids: Record<'draft' | 'submitted' | 'otherBody' | 'registered' | 'board' | 'boardDraft', string> = { draft: '', submitted: '', otherBody: '', registered: '', board: '', boardDraft: '' };

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    ids.registered = await registeredApplication(driver);
    ids.draft = await driver.draftWithForms();
    ids.submitted = await driver.draftWithForms();
    expect((await driver.act('applicant', ids.submitted, 'submit')).status).toBe(200);
    const { create } = await driver.examples();
    ids.otherBody = (await driver.as('otherApplicant', 'POST', '/applications', { ...create, organizationCode: '132021' })).body.id;
    // Another organ of the same code (八王子市教育委員会): a body of its own.
    // Submitted, it waits for its head department (首長部局を経由); a draft is the board's alone.
    ids.board = await driver.draftWithForms('boardOfEducation');
    expect((await driver.act('boardOfEducation', ids.board, 'submit')).status).toBe(200);
    ids.boardDraft = await driver.draftWithForms('boardOfEducation');
  });
  afterAll(() => server.stop());

  const expected: Record<ActorName, ReadonlyArray<keyof typeof ids>> = {
    // The head's department reads its board of education's applications too, once submitted: it forwards them (首長部局を経由).
    applicant: ['draft', 'submitted', 'registered', 'board'],
    // A body is an organ, not a code: the board does not read its city's head department's.
    boardOfEducation: ['board', 'boardDraft'],
    otherApplicant: ['otherBody'],
    // An association (a code of its own) reads none of the others'.
    association: [],
    // Drafts are routed to nobody yet; submission names both reviewers (the board's once forwarded).
    prefectureReviewer: ['submitted', 'registered'],
    otherPrefectureReviewer: [],
    micReviewer: ['submitted', 'registered'],
    auditor: ['draft', 'submitted', 'otherBody', 'registered', 'board', 'boardDraft'],
    distributor: ['registered'],
    prefectureDistributor: [],
    operator: [],
  };

  it.each(Object.keys(actors) as ActorName[])('%s lists what it may read, and may read all it lists', async (name) => {
    const listed = (await driver.listAll(name)).map((row) => row.id);
    expect([...listed].sort()).toEqual(expected[name].map((key) => ids[key]).sort());
    for (const id of Object.values(ids)) {
      const read = await driver.as(name, 'GET', `/applications/${id}`);
      expect([name, id, read.status]).toEqual([name, id, listed.includes(id) ? 200 : 403]);
    }
  });
});
