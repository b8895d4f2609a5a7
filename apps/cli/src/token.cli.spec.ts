import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyToken } from '@nws/auth';
import { loadRuntimeConfig } from '@nws/runtime';
import { runTokenCli } from './token.cli';

describe('npm run -s token', () => {
  let dataDir: string;
  let out: string[];
  let err: string[];
  const saved = { ...process.env };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-token-'));
    process.env['DATA_DIR'] = dataDir;
    delete process.env['JWT_SECRET'];
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints only a token, signed with the development secret of DATA_DIR that the API uses', async () => {
    expect(await runTokenCli(['--sub', 'yamada', '--org', '132012', '--role', 'applicant', '--name', '山田 花子', '--department', '情報管理課'])).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const actor = await verifyToken(out[0]!.trim(), loadRuntimeConfig({ DATA_DIR: dataDir }).jwt);
    expect(actor).toEqual({ sub: 'yamada', org: '132012', role: 'applicant', name: '山田 花子', department: '情報管理課' });
  });

  it('signs with JWT_SECRET when set', async () => {
    process.env['JWT_SECRET'] = 's'.repeat(40);
    await runTokenCli(['--sub', 'a', '--org', 'MIC', '--role', 'second-reviewer']);
    const config = loadRuntimeConfig({ DATA_DIR: dataDir, JWT_SECRET: 's'.repeat(40) });
    await expect(verifyToken(out[0]!.trim(), config.jwt)).resolves.toMatchObject({ org: 'MIC', role: 'second-reviewer' });
  });

  it('refuses a wrong check digit or role with exit code 2 and prints no token', async () => {
    expect(await runTokenCli(['--sub', 'a', '--org', '132013', '--role', 'applicant'])).toBe(2);
    expect(await runTokenCli(['--sub', 'a', '--org', '132012', '--role', 'admin'])).toBe(2);
    expect(await runTokenCli(['--org', '132012', '--role', 'applicant'])).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(/check digit/);
  });

  it('refuses an organ that is not one, and a lifetime it cannot read, as usage errors (exit 2) naming what is accepted', async () => {
    expect(await runTokenCli(['--sub', 'a', '--org', '132012', '--role', 'applicant', '--organ', '教育'])).toBe(2);
    expect(err.join('')).toContain('must be one of 都道府県知事部局, 都道府県教育委員会, 市町村長部局, 市町村教育委員会');
    expect(await runTokenCli(['--sub', 'a', '--org', '132012', '--role', 'applicant', '--expires-in', 'forever'])).toBe(2);
    expect(err.join('')).toContain('must look like 30m, 8h or 2d');
    expect(out).toEqual([]);
    expect(await runTokenCli(['--sub', 'a', '--org', '132012', '--role', 'applicant', '--organ', '市町村教育委員会', '--expires-in', '30m'])).toBe(0);
    expect(out).toHaveLength(1);
  });

  it('refuses a DATA_DIR that does not exist (exit 3, ja/en, naming it and the way out) and creates nothing: a secret made there signs tokens the API refuses', async () => {
    const mistyped = join(dataDir, 'no-such-dir');
    process.env['DATA_DIR'] = mistyped;
    expect(await runTokenCli(['--sub', 'a', '--org', 'MIC', '--role', 'auditor'])).toBe(3);
    expect(out).toEqual([]);
    expect(err.join('')).toContain(`DATA_DIR ${mistyped} does not exist`);
    expect(err.join('')).toContain(`DATA_DIR ${mistyped} が存在しません`);
    expect(err.join('')).toMatch(/set DATA_DIR to the API's, or set JWT_SECRET/);
    expect(existsSync(mistyped)).toBe(false);
  });

  it('with JWT_SECRET no DATA_DIR is needed: one that does not exist is neither read nor created', async () => {
    const nowhere = join(dataDir, 'no-such-dir');
    process.env['DATA_DIR'] = nowhere;
    process.env['JWT_SECRET'] = 's'.repeat(40);
    expect(await runTokenCli(['--sub', 'a', '--org', 'MIC', '--role', 'auditor'])).toBe(0);
    await expect(verifyToken(out[0]!.trim(), loadRuntimeConfig({ DATA_DIR: nowhere, JWT_SECRET: 's'.repeat(40) }).jwt)).resolves.toMatchObject({ role: 'auditor' });
    expect(existsSync(nowhere)).toBe(false);
  });

  it('a DATA_DIR that is a file is said in Japanese and English', async () => {
    const file = join(dataDir, 'file');
    writeFileSync(file, 'x');
    process.env['DATA_DIR'] = file;
    await expect(runTokenCli(['--sub', 'a', '--org', 'MIC', '--role', 'auditor'])).rejects.toThrow(`DATA_DIR ${file} はディレクトリではありません（ファイルです） / DATA_DIR ${file} is not a directory`);
    expect(out).toEqual([]);
  });
});
