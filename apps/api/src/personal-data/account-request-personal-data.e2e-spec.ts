import { PLACEHOLDER } from '@nws/personal-data';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { checkpointEvents, filesHolding } from './testing/personal-data.fixture';

const HOLDER = { name: '口座 秘子', department: '教育総務課', title: '主事', email: 'kouza-himitsu@example.lg.jp', phone: '042-999-1234' };
const VALUES = [HOLDER.email, '0429991234'];

/**
 * An account request names people (the holders of the accounts asked for): their data is the
 * requesting organ's people's, encrypted, redacted, logged and erasable like a connection
 * application's. A board of education's request is the board's alone: it is not forwarded.
 */
describe('account request (情報共有サイト アカウント発行申請): its holders are personal data of the requesting organ', () => {
  let server: TestServer;
  let driver: Driver;
  let id: string;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    const created = await driver.as('boardOfEducation', 'POST', '/applications', { workflow: 'account-request', organizationCode: '132012' });
    expect(created.status).toBe(201);
    id = created.body.id;
    const saved = await driver.as('boardOfEducation', 'PUT', `/applications/${id}/forms/AR-01`, { purpose: '接続申請の提出のため', holders: [HOLDER] });
    expect(saved.status).toBe(200);
    expect((await driver.act('boardOfEducation', id, 'submit')).status).toBe(200);
  });
  afterAll(() => server.stop());

  it('the events hold the holder only as ciphertext; the board lists the holder among its own people', async () => {
    checkpointEvents(server.config.dataDir);
    expect(filesHolding(server.config.dataDir, VALUES).filter((h) => h.file.startsWith('events.sqlite'))).toEqual([]);
    const subjects = (await driver.as('boardOfEducation', 'GET', '/personal-data/subjects')).body;
    expect(subjects).toMatchObject({ organizationKind: '市町村教育委員会' });
    expect(subjects.subjects.map((s: { label: string }) => s.label)).toContain(HOLDER.name);
  });

  it('the head department neither reads nor lists it (it does not forward account requests); an auditor without a purpose sees no holder', async () => {
    expect((await driver.as('applicant', 'GET', `/applications/${id}`)).status).toBe(403);
    expect(((await driver.as('applicant', 'GET', '/applications?workflow=account-request')).body as Array<{ id: string }>).map((r) => r.id)).not.toContain(id);
    const audited = await driver.as('auditor', 'GET', `/applications/${id}`);
    expect(audited.body.forms['AR-01'].data.holders[0]).toMatchObject({ name: PLACEHOLDER.purposeRequired, email: PLACEHOLDER.purposeRequired });
  });

  it('its reviewer reads the holder, and that read is in the board’s access log', async () => {
    const reviewed = await driver.as('prefectureReviewer', 'GET', `/applications/${id}`);
    expect(reviewed.body.forms['AR-01'].data.holders[0]).toMatchObject({ name: HOLDER.name, email: HOLDER.email });
    const log = (await driver.as('boardOfEducation', 'GET', `/personal-data/access-log?applicationId=${id}`)).body.entries as Array<{ actor: { sub: string }; organizationKind: string; fields: string[] }>;
    expect(log.filter((e) => e.actor.sub === 'tokyo-1')).toEqual([expect.objectContaining({ organizationKind: '市町村教育委員会', fields: expect.arrayContaining(['forms.AR-01.data.holders[0].email']) })]);
  });

  it('the account issued names its holder as the form does: encrypted, redacted, disclosed as the holder\u2019s (before, its e-mail was copied into the event in clear)', async () => {
    expect((await driver.act('prefectureReviewer', id, 'approve')).status).toBe(200);
    expect((await driver.act('micReviewer', id, 'approve')).status).toBe(200);
    const issued = await driver.act('micReviewer', id, 'issue-account');
    expect([issued.status, issued.body.state]).toEqual([200, 'accountIssued']);
    expect((await driver.as('boardOfEducation', 'GET', `/applications/${id}`)).body.accounts).toEqual([{ loginId: expect.stringMatching(/^nws-/), name: HOLDER.name, email: HOLDER.email }]);
    checkpointEvents(server.config.dataDir);
    expect(filesHolding(server.config.dataDir, VALUES).filter((h) => h.file.startsWith('events.sqlite'))).toEqual([]);
    const audited = await driver.as('auditor', 'GET', `/applications/${id}`);
    expect(audited.body.accounts[0]).toMatchObject({ name: PLACEHOLDER.purposeRequired, email: PLACEHOLDER.purposeRequired });
    const history = (await driver.as('auditor', 'GET', `/applications/${id}/history`)).body;
    expect(JSON.stringify(history)).not.toContain(HOLDER.email);
    const subjects = (await driver.as('boardOfEducation', 'GET', '/personal-data/subjects')).body.subjects as Array<{ subjectId: string; label: string }>;
    const disclosure = (await driver.as('boardOfEducation', 'GET', `/personal-data/subjects/${subjects.find((s) => s.label === HOLDER.name)!.subjectId}`)).body;
    expect(JSON.stringify(disclosure)).toContain('AccountIssued');
  });

  it('erasing the holder leaves ［消去済み］ in every answer and nothing of them in any file', async () => {
    const subjects = (await driver.as('boardOfEducation', 'GET', '/personal-data/subjects')).body.subjects as Array<{ subjectId: string; label: string }>;
    const holder = subjects.find((s) => s.label === HOLDER.name)!.subjectId;
    expect((await driver.as('boardOfEducation', 'POST', `/personal-data/subjects/${holder}/erasure`, { legalBasis: 'appi-98-erasure' })).status).toBe(200);
    const view = await driver.as('boardOfEducation', 'GET', `/applications/${id}`);
    expect(view.body.forms['AR-01'].data.holders[0]).toMatchObject({ name: PLACEHOLDER.erased, email: PLACEHOLDER.erased });
    expect(view.body.accounts[0]).toMatchObject({ name: PLACEHOLDER.erased, email: PLACEHOLDER.erased });
    checkpointEvents(server.config.dataDir);
    expect(filesHolding(server.config.dataDir, [...VALUES, HOLDER.name])).toEqual([]);
  });
});
