import { ASSOCIATION_BODY, Driver, actors } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * A 一部事務組合・広域連合 applies too (DOMAIN: 申請者（機関）), though its code is not in the local
 * government list: saying what it is and its name, it goes through its prefecture's first review
 * and MIC's second to master data of its own.
 */
describe('a 一部事務組合・広域連合 (東京都後期高齢者医療広域連合) applies over HTTP', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  it('given its token, when it registers, then 東京都 reviews it first, MIC second, and its master data is its own, under its name', async () => {
    const id = await driver.registerOrgan('association');
    const view = (await driver.as('association', 'GET', `/applications/${id}`)).body;
    expect(view).toMatchObject({ state: 'masterDataRegistered', organization: { code: actors.association.org, name: ASSOCIATION_BODY.organizationName, kind: '一部事務組合・広域連合' } });
    const master = await driver.as('distributor', 'GET', `/master-data/organizations/${actors.association.org}`);
    expect(master.status).toBe(200);
    expect(master.body).toMatchObject({ version: 1, organizationKind: '一部事務組合・広域連合', organs: [{ organ: '一部事務組合・広域連合', version: 1, default: true }] });
    // Without saying what it is, its code is refused naming the way in.
    const bare = await driver.as('association', 'POST', '/applications', { workflow: 'connection-application', organizationCode: actors.association.org, category: '変更' });
    expect([bare.status, bare.body.violations?.[0]?.rule]).toEqual([400, 'knownOrganization']);
    expect(bare.body.messages.ja).toContain('organizationName');
    // Once registered, under its registered name only: one code is not published under two names.
    const renamed = await driver.as('association', 'POST', '/applications', { workflow: 'connection-application', organizationCode: actors.association.org, category: '変更', ...ASSOCIATION_BODY, organizationName: '西多摩衛生組合' });
    expect([renamed.status, renamed.body.violations?.[0]?.rule]).toEqual([400, 'registeredName']);
  });

  it('its account request (情報共有サイト) names it as well', async () => {
    const created = await driver.as('association', 'POST', '/applications', { workflow: 'account-request', organizationCode: actors.association.org, organizationName: ASSOCIATION_BODY.organizationName });
    expect([created.status, created.body.organization]).toEqual([201, expect.objectContaining({ name: ASSOCIATION_BODY.organizationName, kind: '一部事務組合・広域連合' })]);
  });

  it('a 後期高齢者医療広域連合 (its name says so) gets its own affairs from the selection screen, 項80 and 81, in a 変更 too (no 様03-06)', async () => {
    const id = (await driver.as('association', 'POST', '/applications', { workflow: 'connection-application', organizationCode: actors.association.org, category: '変更', ...ASSOCIATION_BODY })).body.id as string;
    const pia = { status: '実施済', documents: [{ number: '1', title: '後期高齢者医療に関する事務 全項目評価書' }] };
    const generated = await driver.as('association', 'POST', `/applications/${id}/selection`, { pia });
    expect(generated.status).toBe(200);
    expect(generated.body.forms['03-07'].data.queryAffairs.map((r: { itemNo: string }) => r.itemNo)).toEqual(expect.arrayContaining(['80', '81']));
  });
});
