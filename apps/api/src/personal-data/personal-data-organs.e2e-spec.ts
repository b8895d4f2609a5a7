import { PLACEHOLDER } from '@nws/personal-data';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { TANAKA, registeredApplication } from './testing/personal-data.fixture';

const BOARD = encodeURIComponent('市町村教育委員会');
const HEAD = encodeURIComponent('市町村長部局');

interface Subject {
  subjectId: string;
  organizationKind: string;
  label: string | null;
  suspendedAt: string | null;
  erasedAt: string | null;
}

/**
 * A body is an organ: 八王子市長部局 and 八王子市教育委員会 share 132012, and each answers for its
 * own staff (開示・消去・利用停止, the access log). A 田中 三郎 in each is two people.
 */
describe('personal-data requests per organ over HTTP', () => {
  let server: TestServer;
  let driver: Driver;
  let headApp: string;
  let boardApp: string;
  let headTanaka: Subject;
  let boardTanaka: Subject;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    // given the head department registered (the published examples: 田中 三郎 its contact) and the
    // board of education's draft with the same examples
    headApp = await registeredApplication(driver);
    boardApp = await driver.draftWithForms('boardOfEducation');
    // and a reviewer's read of the head department's application, logged
    expect((await driver.as('prefectureReviewer', 'GET', `/applications/${headApp}`)).status).toBe(200);
  });
  afterAll(() => server.stop());

  const subjectsOf = async (actor: 'applicant' | 'boardOfEducation', query = '') => {
    const answer = await driver.as(actor, 'GET', `/personal-data/subjects${query}`);
    expect(answer.status).toBe(200);
    return answer.body as { organizationCode: string; organizationKind: string; subjects: Subject[] };
  };

  it('each organ lists its own people only, and one name in both is two subjects', async () => {
    const head = await subjectsOf('applicant');
    const board = await subjectsOf('boardOfEducation');
    expect(head).toMatchObject({ organizationCode: '132012', organizationKind: '市町村長部局' });
    expect(board).toMatchObject({ organizationCode: '132012', organizationKind: '市町村教育委員会' });
    headTanaka = head.subjects.find((s) => s.label === TANAKA.name)!;
    boardTanaka = board.subjects.find((s) => s.label === TANAKA.name)!;
    expect(headTanaka.organizationKind).toBe('市町村長部局');
    expect(boardTanaka.organizationKind).toBe('市町村教育委員会');
    expect(boardTanaka.subjectId).not.toBe(headTanaka.subjectId);
    // Each organ's filer is in its own list only, and no subject is in both.
    expect(head.subjects.map((s) => s.label)).not.toContain('教育 一郎');
    expect(board.subjects.map((s) => s.label)).toContain('教育 一郎');
    const headIds = new Set(head.subjects.map((s) => s.subjectId));
    expect(board.subjects.filter((s) => headIds.has(s.subjectId))).toEqual([]);
    expect(new Set(board.subjects.map((s) => s.organizationKind))).toEqual(new Set(['市町村教育委員会']));
    // Naming its own organ is the same list.
    expect((await subjectsOf('boardOfEducation', `?organ=${BOARD}`)).subjects).toEqual(board.subjects);
    // MIC's own reviewers are MIC's people, not a 一部事務組合・広域連合's.
    const mic = (await driver.as('micReviewer', 'GET', '/personal-data/subjects?organizationCode=MIC')).body;
    expect(mic).toMatchObject({ organizationCode: 'MIC', organizationKind: 'MIC' });
    expect(mic.subjects).toEqual(expect.arrayContaining([expect.objectContaining({ label: '総務 花子', organizationKind: 'MIC' })]));
  });

  it('the board of education may neither list, disclose, suspend nor erase the head department’s people, and that changes nothing', async () => {
    const refusals = [
      await driver.as('boardOfEducation', 'GET', `/personal-data/subjects?organ=${HEAD}`),
      await driver.as('boardOfEducation', 'GET', `/personal-data/subjects/${headTanaka.subjectId}`),
      await driver.as('boardOfEducation', 'POST', `/personal-data/subjects/${headTanaka.subjectId}/suspension`, { legalBasis: 'appi-98-suspension' }),
      await driver.as('boardOfEducation', 'POST', `/personal-data/subjects/${headTanaka.subjectId}/erasure`, { legalBasis: 'appi-98-erasure' }),
      await driver.as('applicant', 'POST', `/personal-data/subjects/${boardTanaka.subjectId}/erasure`, { legalBasis: 'appi-98-erasure' }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(refusals[3]!.body.messages.ja).toContain('132012（市町村長部局）');
    const head = await subjectsOf('applicant');
    expect(head.subjects.find((s) => s.subjectId === headTanaka.subjectId)).toMatchObject({ label: TANAKA.name, suspendedAt: null, erasedAt: null });
  });

  it('the board of education erases its own 田中 三郎; the head department’s stays readable', async () => {
    const erased = await driver.as('boardOfEducation', 'POST', `/personal-data/subjects/${boardTanaka.subjectId}/erasure`, { legalBasis: 'appi-98-erasure' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ subjectId: boardTanaka.subjectId, organizationCode: '132012', organizationKind: '市町村教育委員会', alreadyErased: false });

    const boardView = await driver.as('boardOfEducation', 'GET', `/applications/${boardApp}`);
    expect(boardView.body.forms['02-02'].data.normalContacts[0].name).toBe(PLACEHOLDER.erased);
    const headView = await driver.as('applicant', 'GET', `/applications/${headApp}`);
    expect(headView.body.forms['02-02'].data.normalContacts[0].name).toBe(TANAKA.name);
    expect((await subjectsOf('applicant')).subjects.find((s) => s.subjectId === headTanaka.subjectId)?.erasedAt).toBeNull();
  });

  it('each organ’s access log holds the reads of its own people: the reviewer’s read of the head department’s application is not the board’s', async () => {
    const head = await driver.as('applicant', 'GET', '/personal-data/access-log');
    const board = await driver.as('boardOfEducation', 'GET', '/personal-data/access-log');
    expect(head.status).toBe(200);
    expect(board.status).toBe(200);
    const headReads = head.body.entries.filter((e: { applicationId: string }) => e.applicationId === headApp);
    expect(headReads.length).toBeGreaterThan(0);
    expect(headReads.every((e: { organizationKind: string; actor: { org: string } }) => e.organizationKind === '市町村長部局')).toBe(true);
    expect(board.body.entries.filter((e: { applicationId: string }) => e.applicationId === headApp)).toEqual([]);
    expect((await driver.as('boardOfEducation', 'GET', `/personal-data/access-log?organ=${HEAD}`)).status).toBe(403);
    // An auditor may ask for one organ's, with its code.
    const audited = await driver.as('auditor', 'GET', `/personal-data/access-log?organizationCode=132012&organ=${HEAD}`);
    expect(audited.body.entries.length).toBe(head.body.entries.length);
    const withoutCode = await driver.as('auditor', 'GET', `/personal-data/access-log?organ=${HEAD}`);
    expect(withoutCode.status).toBe(400);
    expect(withoutCode.body.messages.en).toContain('organ');
    // An organ the code does not have is named as the mistake it is, not answered with nobody.
    const prefectural = encodeURIComponent('都道府県教育委員会');
    for (const [actor, path] of [['micReviewer', `/personal-data/subjects?organizationCode=132012&organ=${prefectural}`], ['auditor', `/personal-data/access-log?organizationCode=132012&organ=${prefectural}`]] as const) {
      const refused = await driver.as(actor, 'GET', path);
      expect([path, refused.status, refused.body.violations?.[0]?.rule]).toEqual([path, 400, 'organOfCode']);
    }
    // An application id quoted in upper case finds its entries.
    const upper = await driver.as('applicant', 'GET', `/personal-data/access-log?applicationId=${headApp.toUpperCase()}`);
    expect(upper.body.entries).toEqual(head.body.entries.filter((e: { applicationId: string }) => e.applicationId === headApp));
    // Who read, as the body they read as: the board reading the head department's published master
    // data is another body's read, logged with the board's organ (not as "an applicant of 132012").
    expect((await driver.as('boardOfEducation', 'GET', '/master-data/organizations/132012')).status).toBe(200);
    const byBoard = (await driver.as('applicant', 'GET', '/personal-data/access-log?actorSub=kyoiku-1')).body.entries as Array<{ actor: Record<string, string>; organizationKind: string }>;
    expect(byBoard.length).toBeGreaterThan(0);
    expect(byBoard.every((e) => e.actor['organ'] === '市町村教育委員会' && e.organizationKind === '市町村長部局')).toBe(true);
  });
});
