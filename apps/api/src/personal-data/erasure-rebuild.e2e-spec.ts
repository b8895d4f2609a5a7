import type { ProjectionRunner } from '@nws/read-models';
import { PROJECTION_RUNNER } from '../infrastructure/tokens';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { TANAKA, registeredApplication } from './testing/personal-data.fixture';

/**
 * After an erasure the read models that hold people in clear (the master data's) are rebuilt, and
 * only those: the application lists hold none and stay whole. While the master data's tables are
 * refilled, its endpoints answer 503 with Retry-After, never a 404 for a version not refilled
 * yet (the reference distributor parked the erasure's notice on that 404 and kept the person in
 * the files it had written).
 */
describe('the read models after an erasure (real app, real port)', () => {
  let server: TestServer;
  let driver: Driver;
  let runner: ProjectionRunner;

  beforeAll(async () => {
    server = await TestServer.start();
    driver = new Driver(server);
    runner = server.app.get<ProjectionRunner>(PROJECTION_RUNNER);
    await registeredApplication(driver);
  });
  afterAll(() => server.stop());

  it('an erasure rebuilds the master data read model alone; the application list is the same before and after', async () => {
    const listBefore = await driver.as('auditor', 'GET', '/applications?limit=1000', undefined, { 'x-access-purpose': 'audit' });
    expect(listBefore.status).toBe(200);
    const rebuilds: string[][] = [];
    const rebuild = runner.rebuild.bind(runner);
    const spy = jest.spyOn(runner, 'rebuild').mockImplementation((names) => {
      rebuilds.push([...(names ?? ['(all)'])]);
      return rebuild(names);
    });
    try {
      const subjects = await driver.as('applicant', 'GET', `/personal-data/subjects`);
      const subjectId = subjects.body.subjects.find((s: { label: string }) => s.label === TANAKA.name).subjectId as string;
      expect((await driver.as('applicant', 'POST', `/personal-data/subjects/${subjectId}/erasure`, { legalBasis: 'appi-98-erasure' })).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
    expect(rebuilds).toEqual([['master-data']]);
    const listAfter = await driver.as('auditor', 'GET', '/applications?limit=1000', undefined, { 'x-access-purpose': 'audit' });
    expect(listAfter.body).toEqual(listBefore.body);
    const version = await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions/1');
    expect(version.status).toBe(200);
    expect(JSON.stringify(version.body)).not.toContain(TANAKA.phone);
  });

  it('while the master data read model is refilled, its endpoints answer 503 with Retry-After (ja/en), not 404; the lists answer', async () => {
    // The refill of a store this small ends within a turn of the event loop: the state is held for the requests.
    const held = jest.spyOn(runner, 'isRebuilding').mockImplementation((name) => name === 'master-data');
    try {
      for (const path of ['/master-data/organizations/132012', '/master-data/organizations/132012/versions', '/master-data/organizations/132012/versions/1', '/master-data/organizations/132012/versions/99']) {
        const answer = await driver.as('distributor', 'GET', path);
        expect([path, answer.status, answer.headers.get('retry-after')]).toEqual([path, 503, '2']);
        expect(answer.body.messages).toEqual({
          ja: expect.stringContaining('マスタデータの読み取りモデルを再構築中です（個人情報の消去の後）'),
          en: expect.stringContaining('the master data read model is being rebuilt (after an erasure of personal data); retry in 2 s'),
        });
      }
      expect((await driver.as('auditor', 'GET', '/applications', undefined, { 'x-access-purpose': 'audit' })).status).toBe(200);
    } finally {
      held.mockRestore();
    }
    expect((await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions/1')).status).toBe(200);
  });

  it('a version the master data read model has not reached (it is behind the store) is a 503 with Retry-After, not a 404; caught up, it is served, and one never registered is a 404', async () => {
    // given the read models stopped, and a 変更 registered as version 2 in the store meanwhile
    runner.stop();
    let v2: string;
    try {
      v2 = await driver.registerOrgan('applicant');
      const behind = await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions/2');
      expect([behind.status, behind.headers.get('retry-after'), behind.headers.get('x-read-model-stale')]).toEqual([503, '2', 'true']);
      expect(behind.body.messages.en).toContain('has not caught up with the event store');
      expect((await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions/1')).status).toBe(200);
    } finally {
      runner.start();
    }
    expect(v2).toEqual(expect.any(String));
    const served = await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions/2');
    expect(served.status).toBe(200);
    expect((await driver.as('distributor', 'GET', '/master-data/organizations/132012/versions/99')).status).toBe(404);
  });
});
