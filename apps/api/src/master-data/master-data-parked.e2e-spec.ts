import type { Actor } from '@nws/engine';
import type { ProjectionRunner } from '@nws/read-models';
import { PROJECTION_RUNNER } from '../infrastructure/tokens';
import { Driver } from '../testing/drive';
import { eventually } from '../testing/eventually';
import { TestServer } from '../testing/test-server';

const operator: Actor = { sub: 'ops-1', org: 'MIC', role: 'operator' };
const BODY = '/master-data/organizations/132012';

/**
 * A version the master data projection parked (it failed on it: a real fault, a trigger in the
 * read-model database refusing its row) leaves the read model caught up by its checkpoint but
 * without it. The organ's current version was then the one before, and the parked one a 404:
 * a distributor took both for good. Now the organ's answers that the parked version belongs in
 * are a 503 naming it, until an operator replays it.
 */
describe('master data of an organ whose version the projection parked (real app, real port)', () => {
  let server: TestServer;
  let driver: Driver;
  let operatorToken: string;

  beforeAll(async () => {
    server = await TestServer.start({ env: { PROJECTION_RETRY_DELAY_MS: '10', PROJECTION_MAX_ATTEMPTS: '2' } });
    driver = new Driver(server);
    operatorToken = await server.token(operator);
    await driver.registerOrgan('applicant');
  });
  afterAll(() => server.stop());

  it('is a 503 (ja/en, the parked position, Retry-After) for its current version, its list and the parked version; a version before it and other organs answer; replayed, all answer', async () => {
    const runner = server.app.get<ProjectionRunner>(PROJECTION_RUNNER);
    runner.db.exec(`CREATE TRIGGER injected_fault BEFORE INSERT ON master_data_versions WHEN NEW.organization_code = '132012' AND NEW.version = 2
                    BEGIN SELECT RAISE(ABORT, 'injected projection fault'); END`);
    await driver.registerOrgan('applicant');
    await eventually(
      () => server.request('GET', '/projections', { token: operatorToken }),
      (r) => r.body?.parked?.['master-data']?.failed === 1,
    );
    const parked = await server.request('GET', '/projections/parked?projection=master-data', { token: operatorToken });
    const position = (parked.body.items as Array<{ position: number; type: string }>)[0]!.position;
    expect(parked.body.items[0].type).toBe('MasterDataVersionRegistered');

    for (const path of [BODY, `${BODY}/versions`, `${BODY}/versions/2`]) {
      const answer = await driver.as('distributor', 'GET', path);
      expect([path, answer.status, answer.headers.get('retry-after')]).toEqual([path, 503, '60']);
      expect(answer.body.messages).toEqual({
        ja: expect.stringContaining(`イベント（位置 ${position}、MasterDataVersionRegistered）を反映できず保留している`),
        en: expect.stringContaining(`could not apply an event of it (position ${position}, MasterDataVersionRegistered) and holds it parked`),
      });
    }
    const first = await driver.as('distributor', 'GET', `${BODY}/versions/1`);
    expect([first.status, first.body.version]).toEqual([200, 1]);
    // Another organ of the code has nothing parked: its answer is what it was (none registered).
    expect((await driver.as('distributor', 'GET', `${BODY}?organ=${encodeURIComponent('市町村教育委員会')}`)).status).toBe(404);

    runner.db.exec('DROP TRIGGER injected_fault');
    const replayed = await server.request('POST', `/projections/parked/${position}/replay`, { token: operatorToken });
    expect(replayed.status).toBe(200);
    const current = await driver.as('distributor', 'GET', BODY);
    expect([current.status, current.body.version]).toEqual([200, 2]);
    expect((await driver.as('distributor', 'GET', `${BODY}/versions`)).body.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect((await driver.as('distributor', 'GET', `${BODY}/versions/3`)).status).toBe(404);
  });
});
