import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/** GET /applications pages through the read model; a page size out of range is the caller's error. */
describe('GET /applications: paging', () => {
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
