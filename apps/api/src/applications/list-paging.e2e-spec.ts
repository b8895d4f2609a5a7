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

  it.each([
    ['?limit=1001', 'limit', 'max'],
    ['?limit=0', 'limit', 'min'],
    ['?limit=many', 'limit', 'isInt'],
    ['?offset=-1', 'offset', 'min'],
  ])('%s is a 400 naming %s and the rule (%s) in Japanese and English', async (query, field, rule) => {
    const response = await driver.as('applicant', 'GET', `/applications${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      messages: { ja: expect.stringMatching(new RegExp(`^${field}: `)), en: expect.stringMatching(new RegExp(`^${field}: `)) },
      violations: expect.arrayContaining([expect.objectContaining({ field, rule })]),
    });
  });
});
