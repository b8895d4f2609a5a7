import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataDirectoryInUseError, DataDirectoryLock } from '@nws/event-store/sqlite';
import { Driver } from './testing/drive';
import { TestServer } from './testing/test-server';

const ROOT = resolve(__dirname, '../../..');

/** Runs an entry point (`apps/api/src/main.ts`, `apps/worker/src/main.ts`) from source until it exits, as `npm start` would. */
function runEntry(entry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/register-ts.js'), join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: 'data-directory-spec-'.padEnd(48, 'x'), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((done) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      done({ code, stderr });
    }),
  );
}

describe('one process serves a data directory (real port, files on disk)', () => {
  let dataDir: string;
  let first: TestServer | undefined;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-data-dir-'));
    first = await TestServer.start({ dataDir });
  });
  afterEach(async () => {
    await first?.stop(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a second app on the same DATA_DIR is refused, naming the first, which goes on serving, and the directory is free once it stops', async () => {
    const driver = new Driver(first!);
    const id = await driver.draftWithForms();
    // when a second app starts on the same directory
    const second = TestServer.start({ dataDir });
    // then it is refused, naming the process that serves it
    await expect(second).rejects.toThrow(DataDirectoryInUseError);
    await expect(second).rejects.toMatchObject({ directory: dataDir, holder: { pid: process.pid, role: 'API (PROCESS_ROLE=all)' } });
    // and the first one still reads and writes
    expect((await driver.act('applicant', id, 'submit')).status).toBe(200);
    expect((await first!.request('GET', '/health')).body).toMatchObject({ status: 'ok' });
    // when the first stops, another starts on the directory and finds what was written
    await first!.stop(false);
    first = await TestServer.start({ dataDir });
    expect((await new Driver(first).as('applicant', 'GET', `/applications/${id}`)).body).toMatchObject({ state: 'firstReview' });
  });

  it('the refused app opens nothing in the directory: no store, read models, key file or logs are created', async () => {
    // given a fresh directory a CLI rebuild holds
    const fresh = mkdtempSync(join(tmpdir(), 'nws-data-dir-'));
    const rebuild = DataDirectoryLock.acquire(fresh, 'rebuild-projections');
    try {
      // when an app starts on it, it is refused naming the rebuild
      await expect(TestServer.start({ dataDir: fresh })).rejects.toMatchObject({ holder: { role: 'rebuild-projections' } });
      // then the directory holds nothing but the lock and its note (and the development JWT secret
      // the configuration made before the app was built, as it does without JWT_SECRET)
      expect(readdirSync(fresh).sort()).toEqual(['.dev-jwt-secret', 'serving.json', 'serving.lock']);
    } finally {
      rebuild.release();
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it.each([
    ['apps/api/src/main.ts', {}, 'API (PROCESS_ROLE=all)'],
    ['apps/api/src/main.ts', { PROCESS_ROLE: 'api' }, 'API (PROCESS_ROLE=api)'],
    ['apps/worker/src/main.ts', {}, 'API (PROCESS_ROLE=worker)'],
  ])('%s %j on a DATA_DIR another process serves exits 75 with a message naming it, in Japanese and English', async (entry, env, role) => {
    const { code, stderr } = await runEntry(entry, { DATA_DIR: dataDir, ...env });
    expect(code).toBe(75);
    expect(stderr).toContain(`データディレクトリ ${dataDir} は API (PROCESS_ROLE=all) (pid ${process.pid}`);
    expect(stderr).toContain(`DATA_DIR ${dataDir} is in use by API (PROCESS_ROLE=all) (pid ${process.pid}`);
    expect(stderr).toContain(`so ${role} cannot start`);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  }, 90_000);
});
