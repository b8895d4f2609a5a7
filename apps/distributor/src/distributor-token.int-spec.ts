import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributorProcess } from '../../../test/support/distributor-process';
import { TestServer } from '../../api/src/testing/test-server';

/**
 * The token the reference distributor presents is the API's or none: it never makes a development
 * secret of its own (whose tokens the API refuses), and a token the API refuses ends it with the
 * setting to fix and exit 77, not an ApiError stack and exit 1.
 */
describe('the reference distributor signs with the API\'s secret or says which setting is wrong', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.stop());
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nws-dist-token-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Development mode (no NODE_ENV=production, which refuses a missing JWT_SECRET anyway) and no token setting inherited.
  const run = (env: NodeJS.ProcessEnv) =>
    DistributorProcess.start({ mode: 'source', env: { NODE_ENV: '', DISTRIBUTOR_TOKEN: '', JWT_SECRET: '', API_URL: server.url, OUTPUT_DIR: join(dir, 'out'), PULL_WAIT_MS: '100', ...env } });
  const stderrOf = (distributor: DistributorProcess) => distributor.lines.filter((line) => !/^\d{4}-\d\d-\d\dT/.test(line));

  it('with no DISTRIBUTOR_TOKEN, no JWT_SECRET and a DATA_DIR without the development secret: a configuration error naming them, exit 78, nothing created', async () => {
    const dataDir = join(dir, 'data');
    const distributor = run({ DATA_DIR: dataDir });
    expect(await distributor.exit()).toEqual({ code: 78, signal: null });
    expect(stderrOf(distributor)).toEqual([expect.stringMatching(/^Configuration error: .*DISTRIBUTOR_TOKEN.*JWT_SECRET.*DATA_DIR .*nothing was created$/)]);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it('the API\'s DATA_DIR: its development secret signs a token the API takes', async () => {
    const distributor = run({ DATA_DIR: server.config.dataDir });
    try {
      await distributor.printed(/consumer reference-distributor: resuming after position/);
    } finally {
      await distributor.kill('SIGTERM');
    }
  }, 60_000);

  it.each([
    [{ JWT_SECRET: 'another-secret-than-the-apis-'.padEnd(48, 'y') }, 'JWT_SECRET'],
    [{ DISTRIBUTOR_TOKEN: 'not.a.token' }, 'DISTRIBUTOR_TOKEN'],
  ])('a token the API refuses (%j): one line naming %s, exit 77, no stack trace', async (env, setting) => {
    const distributor = run(env);
    expect(await distributor.exit()).toEqual({ code: 77, signal: null });
    expect(stderrOf(distributor)).toEqual([expect.stringMatching(new RegExp(`^Token refused: API がトークンを受け付けませんでした（401）。${setting} を確認してください.* / the API did not accept the token \\(401\\): check ${setting} `))]);
  }, 60_000);
});
