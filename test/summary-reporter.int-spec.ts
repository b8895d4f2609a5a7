import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPORTER = join(__dirname, 'summary.reporter.js');
const JEST = require.resolve('jest/bin/jest');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs Jest, as `npm test` does (in band, with this reporter), on one test file of its own. */
function jestOn(test: string, graceMs: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'nws-reporter-'));
  writeFileSync(join(dir, 'fixture.test.js'), test);
  const config = { rootDir: dir, testEnvironment: 'node', testRegex: 'fixture\\.test\\.js$', transform: {}, reporters: [REPORTER] };
  const startedAt = Date.now();
  const child = spawn(process.execPath, [JEST, '--runInBand', '--ci', '--config', JSON.stringify(config)], {
    cwd: dir,
    env: { ...process.env, JEST_EXIT_GRACE_MS: String(graceMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Should the reporter not end it, the test's own timeout would fail; this only tidies up.
  const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(kill);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr, ms: Date.now() - startedAt });
    }),
  );
}

const LEAKS_A_SERVER = `
const { createServer } = require('node:net');
test('fails and leaves a server listening', async () => {
  await new Promise((resolve) => createServer().listen(0, '127.0.0.1', resolve));
  expect(1).toBe(2);
});
`;

describe('the summary reporter (a real Jest run on a fixture)', () => {
  it('ends a run that a suite left a server open in: exit 1, naming what is still open, after the grace period', async () => {
    const run = await jestOn(LEAKS_A_SERVER, 500);
    expect(run.stdout).toContain('tests: 0 passed, 1 failed, 0 skipped');
    expect(run.stderr).toContain('still held open (');
    expect(run.stderr).toContain('TCPServerWrap');
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(25_000);
  }, 30_000);

  it('lets a clean run end by itself, with its own exit code', async () => {
    const run = await jestOn(`test('passes', () => expect(1 + 1).toBe(2));`, 20_000);
    expect(run.stdout).toContain('tests: 1 passed, 0 failed, 0 skipped');
    expect(run.stderr).not.toContain('still held open');
    expect(run.code).toBe(0);
    // Well before the 20 s grace: the reporter's timer does not itself hold the process.
    expect(run.ms).toBeLessThan(15_000);
  }, 30_000);
});
