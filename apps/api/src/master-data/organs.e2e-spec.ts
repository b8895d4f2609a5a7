import type { Actor } from '@nws/engine';
import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';
import { asFiledBy } from '@nws/workflows/connection-application/forms/testing/form-spec.helpers';

/**
 * Master data belongs to an organ (機関), not to a code: 東京都知事部局 and 東京都教育委員会 share
 * 130001, 八王子市長部局 and 八王子市教育委員会 share 132012, yet each is a body with its own master
 * data and its own versions. Without `organ` the endpoints serve the code's default organ (its
 * 首長部局); `?organ=` serves another, and `organs` lists which organs of the code have master data.
 */
describe('master data per organ over HTTP: organs sharing a code never overwrite each other', () => {
  let server: TestServer;
  let driver: Driver;
  const governor: Actor = { sub: 'tokyo-app-1', org: '130001', role: 'applicant', name: '都庁 一郎', department: 'デジタルサービス局' };
  const board: Actor = { sub: 'tokyo-kyoiku-1', org: '130001', role: 'applicant', organ: '都道府県教育委員会', name: '教育庁 花子', department: '教育庁総務部' };
  const jlis: Actor = { sub: 'jlis-1', org: 'J-LIS', role: 'first-reviewer', name: '機構 次郎', department: '審査課' };
  const tokens = new Map<Actor, string>();
  const BOARD = encodeURIComponent('都道府県教育委員会');

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    for (const actor of [governor, board, jlis]) tokens.set(actor, await server.token(actor));
  });
  afterAll(() => server.stop());

  const as = (actor: Actor, method: string, path: string, body?: unknown) => server.request(method, path, { token: tokens.get(actor), body });
  const ok = <T extends { status: number; body: unknown }>(response: T, status = 200): T => {
    if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
    return response;
  };
  const get = async (path: string) => (await driver.as('distributor', 'GET', path)) as { status: number; body: any };

  async function forms(): Promise<Record<string, any>> {
    const definition = ok(await driver.as('applicant', 'GET', '/workflows/connection-application')).body;
    return Object.fromEntries(definition.forms.map((f: { code: string; example: unknown }) => [f.code, structuredClone(f.example)]));
  }
  /** 様02-02 with every normal contact in `department`. */
  const contacts = (all: Record<string, any>, department: string) => ({ ...all['02-02'], normalContacts: all['02-02'].normalContacts.map((c: object) => ({ ...c, department })) });

  /** Creates, fills and submits an application of `actor`'s organ; returns its id. */
  async function submitted(actor: Actor, category: string, filled: Record<string, unknown>, organizationKind?: string): Promise<string> {
    const id = ok(await as(actor, 'POST', '/applications', { workflow: 'connection-application', organizationCode: actor.org, category, ...(organizationKind ? { organizationKind } : {}) }), 201).body.id as string;
    for (const [code, form] of Object.entries(filled)) ok(await as(actor, 'PUT', `/applications/${id}/forms/${code}`, form));
    ok(await as(actor, 'POST', `/applications/${id}/actions/submit`, {}));
    return id;
  }

  it('東京都知事部局 and 東京都教育委員会 (both 130001): each its own version 1; a second approval of the board is its version 2 and leaves the governor department at 1', async () => {
    const all = await forms();

    // 東京都知事部局 (first review: J-LIS).
    const governorApp = await submitted(governor, '登録', { '02-01': asFiledBy('02-01', all['02-01'], '東京都'), '02-02': contacts(all, 'デジタルサービス局 情報企画課'), '02-06': all['02-06'] });
    ok(await as(jlis, 'POST', `/applications/${governorApp}/actions/approve`, {}));
    expect(ok(await driver.act('micReviewer', governorApp, 'approve')).body.masterData.version).toBe(1);

    // 東京都教育委員会 (first review: its prefecture).
    const boardApp = await submitted(board, '登録', { '02-01': asFiledBy('02-01', all['02-01'], '東京都教育委員会'), '02-02': contacts(all, '教育庁総務部 教育情報課'), '02-06': all['02-06'] }, '都道府県教育委員会');
    ok(await driver.act('prefectureReviewer', boardApp, 'approve'));
    expect(ok(await driver.act('micReviewer', boardApp, 'approve')).body.masterData.version).toBe(1);

    // Without organ: the governor department's, and nothing of the board's.
    const governorV1 = ok(await get('/master-data/organizations/130001')).body;
    expect(governorV1).toMatchObject({ organizationCode: '130001', organizationKind: '都道府県知事部局', version: 1, applicationId: governorApp, content: { organization: { code: '130001', kind: '都道府県知事部局' } } });
    expect(JSON.stringify(governorV1.content)).not.toContain('教育庁');
    expect(governorV1.content.contacts[0].department).toBe('デジタルサービス局 情報企画課');
    expect([...governorV1.organs].sort((a: { organ: string }, b: { organ: string }) => (a.organ < b.organ ? -1 : 1))).toEqual([
      { organ: '都道府県教育委員会', version: 1, default: false },
      { organ: '都道府県知事部局', version: 1, default: true },
    ]);

    // With organ: the board's own version 1, and nothing of the governor department's.
    const boardV1 = ok(await get(`/master-data/organizations/130001?organ=${BOARD}`)).body;
    expect(boardV1).toMatchObject({ organizationCode: '130001', organizationKind: '都道府県教育委員会', version: 1, applicationId: boardApp, content: { organization: { kind: '都道府県教育委員会' } } });
    expect(JSON.stringify(boardV1.content)).not.toContain('デジタルサービス局');
    expect(boardV1.contentHash).not.toBe(governorV1.contentHash);

    // The board's 変更: reviewers compare it with the board's version 1, not the governor department's.
    const change = await submitted(board, '変更', { '02-02': contacts(all, '教育庁指導部') }, '都道府県教育委員会');
    const diff = ok(await driver.as('prefectureReviewer', 'GET', `/applications/${change}/master-data-diff`)).body;
    expect(diff).toMatchObject({ organizationCode: '130001', organizationKind: '都道府県教育委員会', againstVersion: 1 });
    expect(diff.changes.map((c: { path: string; before: unknown; after: unknown }) => [c.path, c.before, c.after])).toEqual([
      ['contacts[0].department', '教育庁総務部 教育情報課', '教育庁指導部'],
      ['contacts[1].department', '教育庁総務部 教育情報課', '教育庁指導部'],
    ]);
    ok(await driver.act('prefectureReviewer', change, 'approve'));
    expect(ok(await driver.act('micReviewer', change, 'approve')).body.masterData.version).toBe(2);

    expect(ok(await get(`/master-data/organizations/130001?organ=${BOARD}`)).body).toMatchObject({ version: 2, applicationId: change, content: { contacts: [{ department: '教育庁指導部' }, { department: '教育庁指導部' }] } });
    const governorNow = ok(await get('/master-data/organizations/130001')).body;
    expect(governorNow).toMatchObject({ version: 1, applicationId: governorApp, contentHash: governorV1.contentHash });
    expect(ok(await get(`/master-data/organizations/130001?organ=${encodeURIComponent('都道府県知事部局')}`)).body.contentHash).toBe(governorV1.contentHash);

    const versions = (path: string) => get(path).then((r) => ok(r).body.map((v: { version: number; organizationKind: string; applicationId: string }) => [v.version, v.organizationKind, v.applicationId]));
    expect(await versions('/master-data/organizations/130001/versions')).toEqual([[1, '都道府県知事部局', governorApp]]);
    expect(await versions(`/master-data/organizations/130001/versions?organ=${BOARD}`)).toEqual([
      [1, '都道府県教育委員会', boardApp],
      [2, '都道府県教育委員会', change],
    ]);
    expect(ok(await get(`/master-data/organizations/130001/versions/2?organ=${BOARD}`)).body).toMatchObject({ organizationKind: '都道府県教育委員会', version: 2 });
    expect((await get('/master-data/organizations/130001/versions/2')).status).toBe(404);
  });

  it('八王子市長部局 and 八王子市教育委員会 (both 132012): identical forms still make two bodies, two hashes, two version 1s', async () => {
    // Both file the published examples: their content differs only in the organ.
    const head = await driver.draftWithForms('applicant');
    await driver.act('applicant', head, 'submit');
    ok(await driver.act('prefectureReviewer', head, 'approve'));
    expect(ok(await driver.act('micReviewer', head, 'approve')).body.masterData.version).toBe(1);
    const boardApp = await driver.draftWithForms('boardOfEducation');
    await driver.act('boardOfEducation', boardApp, 'submit');
    ok(await driver.act('applicant', boardApp, 'forward'));
    ok(await driver.act('prefectureReviewer', boardApp, 'approve'));
    expect(ok(await driver.act('micReviewer', boardApp, 'approve')).body.masterData.version).toBe(1);

    const headV1 = ok(await get('/master-data/organizations/132012')).body;
    const boardV1 = ok(await get(`/master-data/organizations/132012?organ=${encodeURIComponent('市町村教育委員会')}`)).body;
    expect(headV1).toMatchObject({ organizationKind: '市町村長部局', version: 1, applicationId: head, content: { organization: { kind: '市町村長部局' } } });
    expect(boardV1).toMatchObject({ organizationKind: '市町村教育委員会', version: 1, applicationId: boardApp, content: { organization: { kind: '市町村教育委員会' } } });
    expect(boardV1.contentHash).not.toBe(headV1.contentHash);
    expect(headV1.organs.map((o: { organ: string }) => o.organ).sort()).toEqual(['市町村教育委員会', '市町村長部局']);
  });

  it('an organ that is not one is refused naming the field; an organ of the code without master data is a 404 naming those that have', async () => {
    for (const path of ['/master-data/organizations/130001?organ=教育委員会', '/master-data/organizations/130001/versions?organ=x', '/master-data/organizations/130001/versions/1?organ=']) {
      const refused = await get(path.replace('教育委員会', encodeURIComponent('教育委員会')));
      expect(refused.status).toBe(400);
      expect(refused.body.violations).toEqual([expect.objectContaining({ field: 'organ', rule: 'isIn' })]);
      expect(refused.body.violations[0].message.ja).toContain('organ');
      expect(refused.body.violations[0].message.en).toContain('organ');
    }
    // A version that is not a number: named, in both languages, not Nest's "numeric string is expected".
    const notANumber = await get('/master-data/organizations/130001/versions/latest');
    expect({ status: notANumber.status, violations: notANumber.body.violations }).toEqual({
      status: 400,
      violations: [{ field: 'version', rule: 'isInt', message: { ja: 'version: 版番号は 1 以上の整数で指定してください。', en: 'version: must be a version number, an integer from 1' } }],
    });
    // Nor one written otherwise than in digits from 1: not read as version 1, nor looked for as version 0.
    for (const written of ['1.0', '0', '-1', '1e0', '0x1', '%201', '01', '99999999999999999999']) {
      const refused = await get(`/master-data/organizations/130001/versions/${written}`);
      expect([written, refused.status, refused.body.violations?.[0]?.field]).toEqual([written, 400, 'version']);
    }
    expect((await get('/master-data/organizations/130001/versions/1')).status).toBe(200);
    for (const path of [`/master-data/organizations/130001?organ=${encodeURIComponent('市町村教育委員会')}`, `/master-data/organizations/130001/versions?organ=${encodeURIComponent('市町村教育委員会')}`]) {
      const missing = await get(path);
      expect(missing.status).toBe(404);
      expect(missing.body.messages.en).toContain('130001 (市町村教育委員会)');
      expect(missing.body.messages.en).toContain('都道府県知事部局');
      expect(missing.body.messages.ja).toContain('都道府県教育委員会');
    }
    // A code without any master data: 404 as before, and its versions an empty list.
    expect((await get('/master-data/organizations/140007')).status).toBe(404);
    expect(ok(await get('/master-data/organizations/140007/versions')).body).toEqual([]);
    // A mistyped code (its check digit wrong) is refused naming it, not answered as a body without master data.
    for (const path of ['/master-data/organizations/130002', '/master-data/organizations/13000/versions', '/master-data/organizations/MIC/versions/1']) {
      const refused = await get(path);
      expect([path, refused.status, refused.body.violations?.map((v: { field: string; rule: string }) => `${v.field}:${v.rule}`)]).toEqual([path, 400, ['code:localGovernmentCode']]);
      expect(refused.body.messages.ja).toMatch(/^code: 「.+」は検査数字の正しい6桁の全国地方公共団体コードではありません。$/);
    }
  });
});
