import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DATA_DIRECTORY_HOLDER_FILE, DATA_DIRECTORY_LOCK_FILE, DataDirectoryInUseError, DataDirectoryLock } from './data-directory-lock';

const ROOT = resolve(__dirname, '../../../..');
const dirs: string[] = [];
const locks: DataDirectoryLock[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const lock of locks.splice(0)) lock.release();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nws-dirlock-'));
  dirs.push(dir);
  return dir;
}

function acquire(dir: string, role: string): DataDirectoryLock {
  const lock = DataDirectoryLock.acquire(dir, role, () => '2026-12-06T08:00:00.000Z');
  locks.push(lock);
  return lock;
}

function refusal(dir: string, role: string): DataDirectoryInUseError {
  try {
    acquire(dir, role);
  } catch (error) {
    if (error instanceof DataDirectoryInUseError) return error;
    throw error;
  }
  throw new Error(`${role} got the lock`);
}

/** Another Node process that takes the lock (the module's TypeScript source), says so, and holds it until killed. */
async function holderProcess(dir: string, role: string): Promise<ChildProcess> {
  const script = `
    const { DataDirectoryLock } = require(${JSON.stringify(join(ROOT, 'libs/event-store/src/sqlite/data-directory-lock.ts'))});
    DataDirectoryLock.acquire(${JSON.stringify(dir)}, ${JSON.stringify(role)});
    process.stdout.write('held\\n');
    setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/register-ts.js'), '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolveHeld, reject) => {
    child.stdout!.once('data', () => resolveHeld());
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return child;
}

describe('DataDirectoryLock: one process serves a data directory', () => {
  it('refuses a second holder in the same process at once, naming the first, and the refusal leaves the first one’s lock in place', () => {
    // given an API holding the directory
    const dir = dataDir();
    const api = acquire(dir, 'API (PROCESS_ROLE=all)');
    // when a rebuild asks for it, twice
    const first = refusal(dir, 'rebuild-projections');
    const second = refusal(dir, 'rebuild-projections');
    // then both are refused with who holds it, in Japanese and English
    for (const error of [first, second]) {
      expect(error.holder).toEqual({ pid: process.pid, role: 'API (PROCESS_ROLE=all)', since: '2026-12-06T08:00:00.000Z', host: api.holder.host });
      expect(error.message).toContain(`データディレクトリ ${dir} は API (PROCESS_ROLE=all) (pid ${process.pid}`);
      expect(error.message).toContain(`DATA_DIR ${dir} is in use by API (PROCESS_ROLE=all) (pid ${process.pid}`);
      expect(error.message).toContain('so rebuild-projections cannot start. Stop that process first');
      expect(error.message).toContain('先にそれを停止してください');
    }
    expect(api.held).toBe(true);
    // and the lock file stays an empty database with no journal beside it: nothing is ever written
    expect(readdirSync(dir).sort()).toEqual([DATA_DIRECTORY_HOLDER_FILE, DATA_DIRECTORY_LOCK_FILE]);
    expect(statSync(join(dir, DATA_DIRECTORY_LOCK_FILE)).size).toBe(0);
    expect(statSync(join(dir, DATA_DIRECTORY_LOCK_FILE)).mode & 0o777).toBe(0o600);
  });

  it('is taken by the next process once released, and its note names the new holder', () => {
    const dir = dataDir();
    const api = acquire(dir, 'API (PROCESS_ROLE=all)');
    api.release();
    expect(api.held).toBe(false);
    expect(existsSync(join(dir, DATA_DIRECTORY_HOLDER_FILE))).toBe(false);
    const rebuild = acquire(dir, 'rebuild-projections');
    expect(JSON.parse(readFileSync(join(dir, DATA_DIRECTORY_HOLDER_FILE), 'utf8'))).toMatchObject({ role: 'rebuild-projections', pid: process.pid });
    expect(refusal(dir, 'API (PROCESS_ROLE=all)').holder?.role).toBe('rebuild-projections');
    rebuild.release();
    rebuild.release();
  });

  it('holds across processes, and a holder killed with SIGKILL leaves no stale lock', async () => {
    // given another process holding the directory
    const dir = dataDir();
    const holder = await holderProcess(dir, 'API (PROCESS_ROLE=worker)');
    // then this process is refused, told the other one's pid
    expect(refusal(dir, 'API (PROCESS_ROLE=all)').holder).toMatchObject({ pid: holder.pid, role: 'API (PROCESS_ROLE=worker)' });
    // when the holder dies without any shutdown hook
    const gone = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await gone;
    // then the directory is free at once (the kernel dropped the lock), though its note was left behind
    expect(existsSync(join(dir, DATA_DIRECTORY_HOLDER_FILE))).toBe(true);
    const next = acquire(dir, 'API (PROCESS_ROLE=all)');
    expect(next.holder.pid).toBe(process.pid);
    expect(JSON.parse(readFileSync(join(dir, DATA_DIRECTORY_HOLDER_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('without the holder’s note still refuses, naming no one', () => {
    const dir = dataDir();
    acquire(dir, 'API (PROCESS_ROLE=all)');
    rmSync(join(dir, DATA_DIRECTORY_HOLDER_FILE));
    const error = refusal(dir, 'rebuild-projections');
    expect(error.holder).toBeUndefined();
    expect(error.message).toContain(`DATA_DIR ${dir} is in use by another process`);
  });

  it('creates the data directory it is given', () => {
    const dir = join(dataDir(), 'not', 'there', 'yet');
    acquire(dir, 'API (PROCESS_ROLE=all)');
    expect(existsSync(join(dir, DATA_DIRECTORY_LOCK_FILE))).toBe(true);
  });
});
