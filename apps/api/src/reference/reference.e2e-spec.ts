import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';

describe('selection screen (申請前情報選択画面) over HTTP', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  it('lists body types, one 別表第二 item and the delegation bases', async () => {
    const types = await driver.as('applicant', 'GET', '/reference/beppyo2/body-types');
    expect(types.body.bodyTypes.map((t: { type: string }) => t.type)).toContain('市町村長部局');
    const item = await driver.as('applicant', 'GET', '/reference/beppyo2/items/27');
    expect(item.status).toBe(200);
    expect((await driver.as('applicant', 'GET', '/reference/beppyo2/items/999')).status).toBe(404);
    const bases = await driver.as('applicant', 'GET', '/reference/delegation-bases');
    expect(bases.body).toHaveLength(5);
  });

  it('八王子市 gets its affairs, and the generated 様03-07 draft saves into an application', async () => {
    const selection = await driver.as('applicant', 'POST', '/reference/beppyo2/selection', { bodyType: '市町村長部局', localGovernmentCode: '132012' });
    expect(selection.status).toBe(200);
    expect(selection.body.queries.map((a: { itemNo: string }) => a.itemNo)).toContain('27');
    const generated = await driver.as('applicant', 'POST', '/reference/beppyo2/forms', {
      body: { bodyType: '市町村長部局', localGovernmentCode: '132012' },
      applicationDate: '2026/11/20',
      pia: { status: '実施済', documents: [{ number: '1', title: '住民基本台帳に関する事務 全項目評価書' }] },
    });
    expect(generated.status).toBe(200);
    const created = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '接続' });
    const saved = await driver.as('applicant', 'PUT', `/applications/${created.body.id}/forms/03-07`, generated.body.forms['03-07']);
    expect(saved.status).toBe(200);
  });

  it('GET answers the selection as the POST does; extra choices comma-separated; bad values name the field', async () => {
    const body = { bodyType: '市町村長部局', localGovernmentCode: '132012', extraChoices: ['保健所を設置する市'] };
    const posted = await driver.as('applicant', 'POST', '/reference/beppyo2/selection', body);
    const got = await driver.as('applicant', 'GET', `/reference/beppyo2/selection?bodyType=${encodeURIComponent(body.bodyType)}&localGovernmentCode=132012&extraChoices=${encodeURIComponent(body.extraChoices.join(','))}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(posted.body);
    const plain = await driver.as('applicant', 'GET', `/reference/beppyo2/selection?bodyType=${encodeURIComponent(body.bodyType)}&localGovernmentCode=132012`);
    expect(plain.body.queries.length).toBeLessThan(got.body.queries.length);
    for (const [query, field] of [['', 'bodyType'], [`bodyType=${encodeURIComponent('市役所')}`, 'bodyType'], [`bodyType=${encodeURIComponent(body.bodyType)}&localGovernmentCode=12`, 'localGovernmentCode']] as const) {
      const refused = await driver.as('applicant', 'GET', `/reference/beppyo2/selection?${query}`);
      expect([query, refused.status]).toEqual([query, 400]);
      expect(refused.body.violations.map((v: { field: string }) => v.field)).toContain(field);
    }
    // Missing is said as missing, not as the type a missing value also fails.
    expect((await driver.as('applicant', 'GET', '/reference/beppyo2/selection')).body.violations).toEqual([
      { field: 'bodyType', rule: 'isDefined', message: { ja: 'bodyType: 必須です。', en: 'bodyType: is required' } },
    ]);
  });

  it('POST /reference/beppyo2/forms refuses unknown fields by name, and says every problem of the choices at once', async () => {
    const post = (body: unknown) => driver.as('applicant', 'POST', '/reference/beppyo2/forms', body);
    const valid = { body: { bodyType: '市町村長部局', localGovernmentCode: '132012' }, applicationDate: '2026/12/07', pia: { status: '実施済', documents: [{ number: '1', title: 't' }] } };
    expect((await post(valid)).status).toBe(200);
    // A misspelt list would otherwise be ignored, and the forms generated as if nothing were excluded.
    const misspelt = await post({ ...valid, notQuering: ['1'] });
    expect({ status: misspelt.status, fields: misspelt.body.violations.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`) }).toEqual({ status: 400, fields: ['notQuering:whitelistValidation'] });
    expect(misspelt.body.violations[0].message.en).toContain('known: body, applicationDate');
    const nested = await post({ ...valid, body: { bodyTyp: '市町村長部局' } });
    expect(nested.body.violations.map((v: { field: string }) => v.field)).toEqual(['body.bodyTyp']);
    const everything = await post({ body: { bodyType: '市役所' }, applicationDate: 'today', pia: {} });
    expect(everything.body.violations.map((v: { field: string }) => v.field)).toEqual(['body.bodyType', 'applicationDate', 'pia.status']);
  });

  it('POST /applications/{id}/selection generates the forms into the draft; a bad choice changes nothing', async () => {
    const created = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '接続' });
    const id = created.body.id as string;
    const history = () => driver.eventCount(id);
    const before = await history();
    const pia = { status: '実施済', documents: [{ number: '1', title: 't' }] };
    for (const [body, field] of [
      [{ pia, notQuerying: ['9999'] }, 'notQuerying[0]'],
      [{ pia: { status: '実施済', documents: [] } }, 'pia.documents'],
      [{ pia, notQuerying: 5 }, 'notQuerying'],
      [{ pia, receivedQueries: [{ itemNo: '9' }] }, 'receivedQueries[0].delegation'],
      [{ pia, piaByQuery: { '27': { status: '実施済', documents: 5 } } }, 'piaByQuery.27.documents'],
      [{ body: { bodyType: '市町村長部局' } }, 'body'],
      [[1], '(body)'],
    ] as const) {
      const refused = await driver.as('applicant', 'POST', `/applications/${id}/selection`, body);
      expect([JSON.stringify(body), refused.status]).toEqual([JSON.stringify(body), 400]);
      expect(refused.body.violations.map((v: { field: string }) => v.field)).toContain(field);
    }
    expect((await driver.as('prefectureReviewer', 'POST', `/applications/${id}/selection`, { pia: { status: '実施済', documents: [{ number: '1', title: 't' }] } })).status).toBe(403);
    expect(await history()).toBe(before);
    const saved = await driver.as('applicant', 'POST', `/applications/${id}/selection`, { pia: { status: '実施済', documents: [{ number: '1', title: '住民基本台帳に関する事務 全項目評価書' }] } });
    expect(saved.status).toBe(200);
    expect(Object.keys(saved.body.forms)).toEqual(['03-07']);
    expect(saved.body.forms['03-07'].data.queryAffairs.map((a: { itemNo: string }) => a.itemNo)).toContain('27');
    expect(await history()).toBe(before + 1);
  });

  it('a choice that refers to nothing the forms list is refused naming it, on the draft and on the reference route, and nothing is saved', async () => {
    const example = (await driver.as('applicant', 'GET', '/workflows/connection-application')).body.selection.example as Record<string, unknown>;
    const created = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '接続' });
    const id = created.body.id as string;
    const before = await driver.eventCount(id);
    const pia = { status: '未実施', reason: 'その他', reasonText: '評価中' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ piaByQuery: { '9999': pia } }, 'piaByQuery.9999'],
      [{ piaByQuery: { abc: pia } }, 'piaByQuery.abc'],
      [{ piaByQuery: { '': pia } }, 'piaByQuery.'],
      [{ notQuerying: ['27'], piaByQuery: { '27': pia } }, 'piaByQuery.27'],
      [{ piaByProvision: { 'zz-1': pia } }, 'piaByProvision.zz-1'],
      [{ notQuerying: ['27', '27'] }, 'notQuerying[1]'],
      [{ extraChoices: ['中核市', '中核市'] }, 'extraChoices[1]'],
      [{ extraChoices: ['福祉事務所を設置する町村'] }, 'extraChoices[0]'],
    ];
    for (const [change, field] of cases) {
      const refused = await driver.as('applicant', 'POST', `/applications/${id}/selection`, { ...example, ...change });
      const violations = (refused.body.violations ?? []) as Array<{ field: string; rule: string; message: { ja: string; en: string } }>;
      expect([JSON.stringify(change), refused.status, violations.map((v) => `${v.field}:${v.rule}`)]).toEqual([JSON.stringify(change), 400, [`${field}:selection`]]);
      expect([violations[0]?.message.ja.startsWith(`${field}: `), violations[0]?.message.en.startsWith(`${field}: `)]).toEqual([true, true]);
      // The reference route takes the same choices, with the body in the input.
      const { extraChoices, ...choices } = change;
      const body = { bodyType: '市町村長部局', localGovernmentCode: '132012', ...(extraChoices ? { extraChoices } : {}) };
      const reference = await driver.as('applicant', 'POST', '/reference/beppyo2/forms', { ...example, ...choices, body, applicationDate: '2026/12/07' });
      expect([JSON.stringify(change), reference.status, reference.body.violations?.map((v: { field: string }) => v.field)]).toEqual([JSON.stringify(change), 400, [extraChoices ? `body.${field}` : field]]);
    }
    expect(await driver.eventCount(id)).toBe(before);
    expect((await driver.as('applicant', 'POST', `/applications/${id}/selection`, example)).status).toBe(200);
  });

  it('malformed requests get a 400 naming the field, never a 500', async () => {
    for (const body of [{}, { bodyType: 5 }, { bodyType: '市役所' }, [], 'x']) {
      const response = await driver.as('applicant', 'POST', '/reference/beppyo2/selection', body);
      expect(response.status).toBe(400);
    }
    for (const body of [{}, { body: null }, { body: { bodyType: '市町村長部局' } }, { body: { bodyType: '市町村長部局' }, applicationDate: 'x', pia: 3 }]) {
      const response = await driver.as('applicant', 'POST', '/reference/beppyo2/forms', body);
      expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), 400]);
      expect(response.body.violations.length).toBeGreaterThan(0);
    }
  });

  it('POST /reference/beppyo2/forms refuses choices of the wrong shape naming the field, and generates no draft from them', async () => {
    const valid = { body: { bodyType: '市町村長部局', localGovernmentCode: '132012' }, applicationDate: '2026/12/07', pia: { status: '実施済', documents: [{ number: '1', title: 't' }] } };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ notQuerying: 5 }, 'notQuerying'],
      [{ receivedQueries: 'x' }, 'receivedQueries'],
      [{ receivedQueries: [{ itemNo: '9' }] }, 'receivedQueries[0].delegation'],
      [{ receivedProvisions: [{ key: '9-1', delegation: { chain: 1, delegators: [], delegatorConfirmed: true } }] }, 'receivedProvisions[0].delegation.chain'],
      [{ delegatedProvisions: [{ key: '27-4', delegateeCode: '1' }] }, 'delegatedProvisions[0].delegateeCode'],
      [{ body: { bodyType: '市町村長部局', extraChoices: 5 } }, 'body.extraChoices'],
      // Once accepted and copied into the draft as they were.
      [{ pia: { status: '実施済', documents: 5 } }, 'pia.documents'],
      [{ piaByProvision: { '27-4': 3 } }, 'piaByProvision.27-4'],
      [{ independentUse: [{ affairName: 1 }] }, 'independentUse[0].affairName'],
    ];
    for (const [change, field] of cases) {
      const response = await driver.as('applicant', 'POST', '/reference/beppyo2/forms', { ...valid, ...change });
      const violations = (response.body.violations ?? []) as Array<{ field: string; message: { ja: string; en: string } }>;
      expect([JSON.stringify(change), response.status, violations.map((v) => v.field)]).toEqual([JSON.stringify(change), 400, expect.arrayContaining([field])]);
      // Each message names its field, in both languages, and not the JavaScript error it would have been.
      for (const v of violations) {
        expect([v.message.ja.startsWith(`${v.field}: `), v.message.en.startsWith(`${v.field}: `)]).toEqual([true, true]);
        expect(v.message.en).not.toMatch(/is not a function|Cannot read|undefined/);
      }
    }
  });
});
