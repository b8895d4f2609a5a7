import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * Walking a list page by page while it changes: with `?offset=`, a decision on one page of a queue
 * hid one waiting application from the next, and every creation repeated a row of the list. The
 * `?cursor=` an answer hands out starts the next page where the last one ended, whatever changed.
 */
describe('GET /applications and GET /review-queue: keyset paging (?cursor=) and the applying organ', () => {
  let server: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
  });
  afterAll(() => server.stop());

  const create = async (actor: 'applicant' | 'boardOfEducation' = 'applicant') => {
    const created = await driver.as(actor, 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '登録', ...(actor === 'boardOfEducation' ? { organizationKind: '市町村教育委員会' } : {}) });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };

  it('given applications created while an auditor walks the list two by two, then every page follows the last one: none skipped, none repeated', async () => {
    for (let i = 0; i < 5; i++) await create();
    const before = ((await driver.as('auditor', 'GET', '/applications?limit=1000')).body as Array<{ id: string }>).map((row) => row.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response = await driver.as('auditor', 'GET', `/applications?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      seen.push(...(response.body as Array<{ id: string }>).map((row) => row.id));
      cursor = response.headers.get('x-next-cursor');
      if (!cursor) break;
      // A new application between pages: newest first, it goes before the walk, not into it.
      await create();
    }
    expect(seen).toEqual(before);
  });

  it('given a reviewer deciding the first application of each page, then the next page starts after the last one shown: no waiting application is passed over', async () => {
    const submitted: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await driver.draftWithForms();
      expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
      submitted.push(id);
    }
    const waiting = async () => ((await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first&limit=1000')).body.items as Array<{ id: string }>).map((item) => item.id);
    const before = await waiting();
    const shown: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response = await driver.as('prefectureReviewer', 'GET', `/review-queue?stage=first&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      const items = (response.body.items as Array<{ id: string }>).map((item) => item.id);
      shown.push(...items);
      cursor = response.body.nextCursor as string | null;
      expect((await driver.act('prefectureReviewer', items[0]!, 'approve')).status).toBe(200);
      if (!cursor) break;
    }
    expect(shown).toEqual(before);
  });

  it('a cursor with an offset, or one no answer gave, is a 400 naming cursor in Japanese and English', async () => {
    for (const [query, rule] of [
      ['?cursor=WyIyMDI2LTEyLTA3VDAwOjAwOjAwWiIsIngiXQ&offset=2', 'cursorOrOffset'],
      ['?cursor=bm90LWEtY3Vyc29y', 'pageCursor'],
      // ["1","x"]: a time Date.parse takes, but no row's.
      [`?cursor=${Buffer.from(JSON.stringify(['1', 'x'])).toString('base64url')}`, 'pageCursor'],
      ['?cursor=a%2Bb', 'matches'],
    ] as const) {
      for (const path of ['/applications', '/review-queue']) {
        const refused = await driver.as('auditor', 'GET', `${path}${query}`);
        expect([path, query, refused.status, refused.body.violations?.[0]?.field, refused.body.violations?.[0]?.rule]).toEqual([path, query, 400, 'cursor', rule]);
        expect(refused.body.messages.ja).toMatch(/^cursor: /);
      }
    }
  });

  it('rows say which organ applied (a code’s head department and board of education share it), and ?organizationKind= narrows to one', async () => {
    const board = await create('boardOfEducation');
    const head = await create();
    const rows = (await driver.as('auditor', 'GET', '/applications?organizationCode=132012&limit=1000')).body as Array<{ id: string; organizationKind: string }>;
    expect(rows.find((row) => row.id === board)?.organizationKind).toBe('市町村教育委員会');
    expect(rows.find((row) => row.id === head)?.organizationKind).toBe('市町村長部局');
    const boards = (await driver.as('auditor', 'GET', '/applications?organizationCode=132012&organizationKind=市町村教育委員会&limit=1000')).body as Array<{ id: string; organizationKind: string }>;
    expect(boards.map((row) => row.id)).toContain(board);
    expect(boards.every((row) => row.organizationKind === '市町村教育委員会')).toBe(true);
    const refused = await driver.as('auditor', 'GET', '/applications?organizationKind=教育委員会');
    expect([refused.status, refused.body.violations?.[0]?.field]).toEqual([400, 'organizationKind']);
  });
});
