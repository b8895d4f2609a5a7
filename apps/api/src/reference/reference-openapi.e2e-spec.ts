import { Driver } from '../testing/drive';
import { publishedSchemas, type PublishedSchemas } from '../testing/openapi-schemas';
import { TestServer } from '../testing/test-server';

const MAYOR = '市町村長部局';
const fromTokyo = {
  chain: [{ delegatorCode: '130001', delegateeCode: '132012', basis: '地方自治法第252条の17の2', instrumentKind: '条例', instrumentName: '市町村における東京都の事務処理の特例に関する条例', delegatorHoldsByLaw: true }],
  delegators: ['130001'],
  delegatorConfirmed: true,
};

/**
 * The workflow definitions and the selection screen's catalog answer what the published document
 * says: both workflows (one with a guide, one without), a 項 in force and a deleted one, selections
 * with and without a municipality, and form drafts with and without the optional forms.
 */
describe('workflows and reference answers match their published schemas (real port)', () => {
  let server: TestServer;
  let driver: Driver;
  let published: PublishedSchemas;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    published = await publishedSchemas(server);
  });
  afterAll(() => server.stop());

  const holds = (path: string, method: string, response: { status: number; body: unknown }) =>
    expect({ path, method, status: response.status, mismatch: published.mismatch(path, method, '200', response.body) }).toEqual({ path, method, status: 200, mismatch: undefined });

  it('documents a 200 body for each operation, the POSTs included (they answer 200, not 201)', () => {
    const operations = [
      ['/workflows', 'get'],
      ['/workflows/{workflow}', 'get'],
      ['/reference/beppyo2/body-types', 'get'],
      ['/reference/beppyo2/items/{itemNo}', 'get'],
      ['/reference/delegation-bases', 'get'],
      ['/reference/beppyo2/selection', 'get'],
      ['/reference/beppyo2/selection', 'post'],
      ['/reference/beppyo2/forms', 'post'],
      ['/reference/pia-threshold', 'get'],
    ] as const;
    for (const [path, method] of operations) {
      const responses = published.document.paths[path]?.[method]?.responses ?? {};
      expect({ path, method, documented: Object.keys(responses).filter((s) => s.startsWith('2')) }).toEqual({ path, method, documented: ['200'] });
    }
  });

  it('GET /workflows and each definition match, with and without a guide', async () => {
    const list = await driver.as('applicant', 'GET', '/workflows');
    const names = (list.body as Array<{ name: string }>).map((w) => w.name);
    expect(names).toEqual(expect.arrayContaining(['connection-application', 'account-request']));
    holds('/workflows', 'get', list);
    for (const name of names) {
      const definition = await driver.as('applicant', 'GET', `/workflows/${name}`);
      holds('/workflows/{workflow}', 'get', definition);
      // The guide's fields are what the optional properties describe: present where the workflow has one.
      expect({ name, guide: ['categories', 'selection'].filter((key) => key in definition.body) }).toEqual({ name, guide: name === 'connection-application' ? ['categories', 'selection'] : [] });
    }
  });

  it('the catalog lookups match: body types, a 項 in force and a deleted one, the delegation bases', async () => {
    const types = await driver.as('applicant', 'GET', '/reference/beppyo2/body-types');
    expect((types.body.bodyTypes as Array<{ extraChoices: Array<{ actsAs?: string }> }>).some((t) => t.extraChoices.some((c) => c.actsAs !== undefined))).toBe(true);
    holds('/reference/beppyo2/body-types', 'get', types);
    const item = await driver.as('applicant', 'GET', '/reference/beppyo2/items/27');
    expect(item.body.rows.length).toBeGreaterThan(0);
    holds('/reference/beppyo2/items/{itemNo}', 'get', item);
    const deleted = await driver.as('applicant', 'GET', '/reference/beppyo2/items/36');
    expect(deleted.body).toMatchObject({ deleted: true, rows: [] });
    holds('/reference/beppyo2/items/{itemNo}', 'get', deleted);
    const bases = await driver.as('applicant', 'GET', '/reference/delegation-bases');
    expect(bases.body).toHaveLength(5);
    holds('/reference/delegation-bases', 'get', bases);
  });

  it('selections match, by GET and POST, with a municipality, without one, and by delegation only', async () => {
    const withCity = await driver.as('applicant', 'GET', `/reference/beppyo2/selection?bodyType=${encodeURIComponent(MAYOR)}&localGovernmentCode=132012&extraChoices=${encodeURIComponent('保健所を設置する市')}`);
    expect(withCity.body).toMatchObject({ localGovernmentCode: '132012', municipalityKind: 'city' });
    holds('/reference/beppyo2/selection', 'get', withCity);
    const bare = await driver.as('applicant', 'POST', '/reference/beppyo2/selection', { bodyType: MAYOR });
    expect(bare.body).toMatchObject({ localGovernmentCode: null, municipalityKind: null });
    holds('/reference/beppyo2/selection', 'post', bare);
    const joint = await driver.as('applicant', 'POST', '/reference/beppyo2/selection', { bodyType: '一部事務組合・広域連合', extraChoices: ['市町村長の事務を共同処理'] });
    expect((joint.body.queries as Array<{ byDelegationOnly: boolean }>).some((q) => q.byDelegationOnly)).toBe(true);
    holds('/reference/beppyo2/selection', 'post', joint);
  });

  it('generated drafts match: 様03-07 alone, and with 様03-08 and 様03-09 from the published selection example', async () => {
    const header = { body: { bodyType: MAYOR, localGovernmentCode: '132012' }, applicationDate: '2026/11/20' };
    const pia = { status: '実施済', documents: [{ number: '1', title: '住民基本台帳に関する事務 全項目評価書' }] };
    const alone = await driver.as('applicant', 'POST', '/reference/beppyo2/forms', { ...header, pia });
    expect(Object.keys(alone.body.forms)).toEqual(['03-07']);
    holds('/reference/beppyo2/forms', 'post', alone);
    const example = (await driver.as('applicant', 'GET', '/workflows/connection-application')).body.selection.example as Record<string, unknown>;
    const all = await driver.as('applicant', 'POST', '/reference/beppyo2/forms', {
      ...header,
      ...example,
      receivedQueries: [{ itemNo: '9', procedure: '医療費支給認定の申請受付', delegation: fromTokyo }],
      delegatedProvisions: [{ key: '27-4', delegateeCode: '138002' }],
    });
    expect({ forms: Object.keys(all.body.forms), checklist: all.body.checklist }).toEqual({ forms: ['03-07', '03-08', '03-09'], checklist: { form0308: true, form0309: true } });
    holds('/reference/beppyo2/forms', 'post', all);
  });

  it('GET /reference/pia-threshold answers the evaluation a 事務 needs, as documented; a missing or malformed count or flag is a 400 naming it', async () => {
    const answer = await driver.as('applicant', 'GET', '/reference/pia-threshold?subjects=120000&handlers=600&seriousIncident=false');
    expect(answer.body).toMatchObject({ required: '基礎項目評価+全項目評価', rule: { subjectsFrom: 100000, subjectsBelow: 300000, handlers500OrMore: 'yes' } });
    holds('/reference/pia-threshold', 'get', answer);
    const unbounded = await driver.as('applicant', 'GET', '/reference/pia-threshold?subjects=500000&handlers=0&seriousIncident=true');
    expect(unbounded.body).toMatchObject({ required: '基礎項目評価+全項目評価', rule: { subjectsBelow: null } });
    holds('/reference/pia-threshold', 'get', unbounded);
    for (const [query, field, rule] of [
      ['handlers=1&seriousIncident=false', 'subjects', 'isDefined'],
      ['subjects=-1&handlers=1&seriousIncident=false', 'subjects', 'min'],
      ['subjects=1.5&handlers=1&seriousIncident=false', 'subjects', 'isInt'],
      ['subjects=10&handlers=1&seriousIncident=yes', 'seriousIncident', 'isBoolean'],
    ] as const) {
      const refused = await driver.as('applicant', 'GET', `/reference/pia-threshold?${query}`);
      expect([query, refused.status, refused.body.violations?.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`)]).toEqual([query, 400, expect.arrayContaining([`${field}:${rule}`])]);
    }
  });

  it('is not a rubber stamp: each answer with one value broken fails its schema, naming the value', async () => {
    const definition = (await driver.as('applicant', 'GET', '/workflows/connection-application')).body;
    const selection = (await driver.as('applicant', 'POST', '/reference/beppyo2/selection', { bodyType: MAYOR, localGovernmentCode: '132012' })).body;
    const forms = (await driver.as('applicant', 'POST', '/reference/beppyo2/forms', { body: { bodyType: MAYOR }, applicationDate: '2026/11/20', pia: { status: '未実施', reason: 'その他', reasonText: 't' } })).body;
    const { catalogVersion: _dropped, ...withoutVersion } = forms;
    const broken: Array<[string, string, unknown, RegExp]> = [
      ['/workflows/{workflow}', 'get', { ...definition, forms: [{ ...definition.forms[0], title: 'Form 02-01' }] }, /forms\/0\/title/],
      ['/workflows/{workflow}', 'get', { ...definition, categories: { 登録: { ...definition.categories['登録'], registeredMasterData: 'maybe' } } }, /registeredMasterData/],
      ['/reference/beppyo2/selection', 'post', { ...selection, municipalityKind: 'village' }, /municipalityKind/],
      ['/reference/beppyo2/forms', 'post', withoutVersion, /catalogVersion/],
      ['/reference/beppyo2/forms', 'post', { ...forms, forms: {} }, /03-07/],
    ];
    for (const [path, method, body, says] of broken) {
      expect({ path, mismatch: published.mismatch(path, method, '200', body) }).toEqual({ path, mismatch: expect.stringMatching(says) });
    }
  });
});
