import type { EventStore } from '@nws/event-store';
import type { ProjectionRunner } from '@nws/read-models';
import { EVENT_STORE, PROJECTION_RUNNER } from '../infrastructure/tokens';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { TANAKA, registeredApplication } from './testing/personal-data.fixture';

/**
 * An erasure's notice goes out before the master data's read model is rebuilt without the person
 * (in another process: before that process's watcher gets to it), and the key store no longer knows
 * an erased person's name to withhold it. A distributor fetching the version on the notice in that
 * window was served the person in clear and kept them in its files. Now the master data is a 503
 * until the rebuild is done.
 */
describe('the master data between an erasure and the rebuild of its read model (real app, real port)', () => {
  let server: TestServer;
  let driver: Driver;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    await registeredApplication(driver);
  });
  afterAll(() => server.stop());

  it('is a 503 with Retry-After (ja/en) while the rebuild has not run, never the erased person; the rebuilt version without them', async () => {
    const runner = server.app.get<ProjectionRunner>(PROJECTION_RUNNER);
    const store = server.app.get<EventStore>(EVENT_STORE);
    const version = `/master-data/organizations/132012/versions/1`;
    expect(JSON.stringify((await driver.as('distributor', 'GET', version)).body)).toContain(TANAKA.name);
    // given the rebuild held back, as a slow one (or another process's watcher not there yet) is
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const rebuild = runner.rebuild.bind(runner);
    const spy = jest.spyOn(runner, 'rebuild').mockImplementation(async (names) => {
      await held;
      return rebuild(names);
    });
    try {
      const subjects = await driver.as('applicant', 'GET', '/personal-data/subjects');
      const subjectId = subjects.body.subjects.find((s: { label: string }) => s.label === TANAKA.name).subjectId as string;
      const erasing = driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/erasure`, { legalBasis: 'appi-98-erasure' });
      // when the erasure and its notice are stored and the read models have passed them
      for (;;) {
        const types: string[] = [];
        for await (const event of store.readStream('personal-data-132012')) types.push(event.type);
        if (types.includes('PublishedPersonalDataChanged')) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await runner.waitFor(await store.headPosition());
      // then the version is not answered from rows that still hold the person
      const during = await driver.as('distributor', 'GET', version);
      expect([during.status, during.headers.get('retry-after'), JSON.stringify(during.body).includes(TANAKA.name)]).toEqual([503, '2', false]);
      expect(during.body.messages).toEqual({
        ja: expect.stringContaining('個人情報の消去をマスタデータの読み取りモデルに反映しています'),
        en: expect.stringContaining('an erasure of personal data is being applied to the master data read model'),
      });
      release();
      expect((await erasing).status).toBe(200);
    } finally {
      release();
      spy.mockRestore();
    }
    const after = await driver.as('distributor', 'GET', version);
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.body)).not.toContain(TANAKA.name);
  });
});
