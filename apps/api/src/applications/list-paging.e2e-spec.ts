import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/** The lists page through the read model; a page size out of range is the caller's error. */
describe('GET /applications and GET /review-queue: paging', () => {
  let server: TestServer;
  let driver: Driver;
  const ids: string[] = [];

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    for (let i = 0; i < 3; i++) {
      const { create } = await driver.examples();
      const created = await driver.as('applicant', 'POST', '/applications', create);
      expect(created.status).toBe(201);
      ids.push(created.body.id as string);
    }
  });
  afterAll(() => server.stop());

  const listed = async (query: string): Promise<string[]> => {
    const response = await driver.as('applicant', 'GET', `/applications${query}`);
    expect(response.status).toBe(200);
    return (response.body as Array<{ id: string }>).map((row) => row.id);
  };

  it('limit and offset page through the applications, newest first, without gaps or repeats', async () => {
    const all = await listed('');
    expect([...all].sort()).toEqual([...ids].sort());
    const first = await listed('?limit=2');
    const second = await listed('?limit=2&offset=2');
    expect(first).toHaveLength(2);
    expect([...first, ...second]).toEqual(all);
    expect(await listed('?limit=2&offset=3')).toEqual([]);
  });

  it('the review queue pages longest-waiting first, and says how many wait in all', async () => {
    const submitted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await driver.draftWithForms();
      expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
      submitted.push(id);
    }
    const queue = async (query: string) => {
      const response = await driver.as('prefectureReviewer', 'GET', `/review-queue?stage=first${query}`);
      expect(response.status).toBe(200);
      return response.body as { total: number; limit: number; offset: number; items: Array<{ id: string }> };
    };
    const whole = await queue('');
    expect(whole).toMatchObject({ total: 3, limit: 100, offset: 0 });
    expect(whole.items.map((item) => item.id)).toEqual(submitted);
    const first = await queue('&limit=2');
    const rest = await queue('&limit=2&offset=2');
    expect(first).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(rest).toMatchObject({ total: 3, limit: 2, offset: 2 });
    expect([...first.items, ...rest.items].map((item) => item.id)).toEqual(submitted);
    const refused = await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first&limit=5000');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ violations: [expect.objectContaining({ field: 'limit', rule: 'max' })] });
  });

  it('filters by body, workflow, 申請区分 and state, never beyond what the caller may read; X-Total-Count counts every match', async () => {
    const submitted = await driver.draftWithForms();
    expect((await driver.act('applicant', submitted, 'submit')).status).toBe(200);
    const connection = await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '接続' });
    expect(connection.status).toBe(201);
    const otherCreated = await driver.as('otherApplicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132021', category: '登録' });
    expect(otherCreated.status).toBe(201);
    const other = otherCreated.body.id as string;
    const page = async (who: 'applicant' | 'otherApplicant' | 'auditor' | 'prefectureReviewer' | 'distributor', query: string) => {
      const response = await driver.as(who, 'GET', `/applications${query}`);
      expect([query, response.status]).toEqual([query, 200]);
      const rows = response.body as Array<{ id: string; organizationCode: string; state: string; category: string }>;
      return { rows, ids: rows.map((row) => row.id), total: Number(response.headers.get('x-total-count')) };
    };
    const all = await page('auditor', '');
    expect(all.total).toBe(all.rows.length);

    const inFirstReview = await page('auditor', '?state=firstReview');
    expect(inFirstReview.ids).toContain(submitted);
    expect(inFirstReview.rows.every((row) => row.state === 'firstReview')).toBe(true);
    expect(inFirstReview.total).toBe(all.rows.filter((row) => row.state === 'firstReview').length);
    // Comma-separated and repeated both mean "any of".
    const either = all.rows.filter((row) => row.state === 'firstReview' || row.state === 'draft').length;
    expect((await page('auditor', '?state=firstReview,draft')).total).toBe(either);
    expect((await page('auditor', '?state=firstReview&state=draft')).total).toBe(either);
    // Both at once, and a state named twice, mean the same.
    expect((await page('auditor', '?state=firstReview,draft&state=draft&state=firstReview')).total).toBe(either);

    expect((await page('auditor', '?category=接続')).ids).toEqual([connection.body.id]);
    expect((await page('auditor', '?organizationCode=132021')).ids).toEqual([other]);
    expect((await page('auditor', '?workflow=account-request')).ids).toEqual([]);
    const paged = await page('auditor', '?organizationCode=132012&limit=1');
    expect([paged.rows.length, paged.total]).toEqual([1, all.rows.filter((row) => row.organizationCode === '132012').length]);

    // By 申請番号, as quoted on the phone: in any case, and only within what the caller may read.
    const number = (await driver.as('applicant', 'GET', `/applications/${submitted}`)).body.applicationNumber as string;
    expect((await page('auditor', `?applicationNumber=${number}`)).ids).toEqual([submitted]);
    expect((await page('prefectureReviewer', `?applicationNumber=${number.toLowerCase()}`)).ids).toEqual([submitted]);
    expect((await page('otherApplicant', `?applicationNumber=${number}`)).total).toBe(0);

    // A filter narrows the caller's own scope, never widens it.
    expect(await page('applicant', '?organizationCode=132021')).toEqual({ rows: [], ids: [], total: 0 });
    expect((await page('prefectureReviewer', '?state=draft')).ids).toEqual([]);
    expect((await page('distributor', '?state=firstReview')).total).toBe(0);

    // The OpenAPI document says so, for client generators.
    const openapi = await driver.as('auditor', 'GET', '/docs-json');
    expect(openapi.body.paths['/applications'].get.responses['200'].headers['X-Total-Count'].schema).toEqual({ type: 'integer', minimum: 0 });

    // A misspelt filter is refused by name, not answered with an empty list.
    for (const [query, field] of [
      ['?state=firstreview', 'state'],
      ['?state=new', 'state'],
      ['?category=接続申請', 'category'],
      ['?workflow=connection', 'workflow'],
      ['?organizationCode=132013', 'organizationCode'],
      ['?applicationNumber=20261208-132012', 'applicationNumber'],
    ] as const) {
      const refused = await driver.as('auditor', 'GET', `/applications${query}`);
      expect([query, refused.status, refused.body.violations?.map((v: { field: string }) => v.field)]).toEqual([query, 400, [field]]);
    }
  });

  it.each([
    ['?limit=1001', 'limit', 'max'],
    ['?limit=0', 'limit', 'min'],
    ['?limit=many', 'limit', 'isInt'],
    ['?offset=-1', 'offset', 'min'],
    // Too many digits for an exact number: said as a bound, not as "not an integer".
    ['?offset=123456789012345678901', 'offset', 'max'],
    ['?limit=123456789012345678901', 'limit', 'max'],
  ])('%s is a 400 naming %s and the rule (%s) in Japanese and English', async (query, field, rule) => {
    const response = await driver.as('applicant', 'GET', `/applications${query}`);
    expect(response.status).toBe(400);
    expect(response.body.violations).toHaveLength(1);
    expect(response.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      messages: { ja: expect.stringMatching(new RegExp(`^${field}: `)), en: expect.stringMatching(new RegExp(`^${field}: `)) },
      violations: expect.arrayContaining([expect.objectContaining({ field, rule })]),
    });
  });

  it('an offset up to the largest exact whole number is a page (empty past the end); one past it is a 400 naming the bound', async () => {
    const last = await driver.as('applicant', 'GET', `/applications?offset=${Number.MAX_SAFE_INTEGER}`);
    expect([last.status, last.body]).toEqual([200, []]);
    const past = await driver.as('applicant', 'GET', '/applications?offset=9007199254740993');
    expect(past.status).toBe(400);
    expect(past.body.violations).toEqual([expect.objectContaining({ field: 'offset', rule: 'max' })]);
    expect(past.body.messages).toEqual({ ja: 'offset: 9007199254740991以下にしてください。', en: 'offset: must be at most 9007199254740991' });
  });
});
