import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, DEV_SECRET_FILE } from '@nws/runtime';
import { distributorOptionsFromEnv } from './distributor.options';

describe('the reference distributor reads its configuration and refuses what it cannot use, at once', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nws-dist-options-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const env = (extra: NodeJS.ProcessEnv) => ({ DISTRIBUTOR_TOKEN: 't', OUTPUT_DIR: join(dir, 'out'), ...extra });

  it('takes the defaults and good values', () => {
    expect(distributorOptionsFromEnv(env({}))).toMatchObject({ apiUrl: 'http://localhost:3000', consumer: 'reference-distributor', outputDir: join(dir, 'out'), pullWaitMs: 20_000 });
    expect(distributorOptionsFromEnv(env({ API_URL: 'https://api.example.jp/nws/' })).apiUrl).toBe('https://api.example.jp/nws/');
    expect([distributorOptionsFromEnv(env({})).refreshOnStart, distributorOptionsFromEnv(env({ REFRESH_ON_START: 'true' })).refreshOnStart]).toEqual([false, true]);
  });

  it.each([
    [{ API_URL: 'notaurl' }, 'API_URL must be the API\'s http(s) URL, e.g. http://localhost:3000, got "notaurl"'],
    [{ API_URL: 'ftp://host/' }, 'API_URL must be an http or https URL, got "ftp://host/"'],
    [{ PULL_WAIT_MS: '90000' }, 'PULL_WAIT_MS must be an integer from 0 to 60000, got "90000"'],
    [{ BATCH_SIZE: '0' }, 'BATCH_SIZE must be a positive integer, got "0"'],
    [{ SOURCE: 'kafka' }, 'SOURCE must be api or esdb-persistent, got "kafka"'],
    [{ REFRESH_ON_START: 'yes' }, 'REFRESH_ON_START must be true or false, got "yes"'],
  ])('%j is a configuration error naming it (the process exits 78 instead of retrying forever)', (extra, message) => {
    expect(() => distributorOptionsFromEnv(env(extra))).toThrow(ConfigurationError);
    expect(() => distributorOptionsFromEnv(env(extra))).toThrow(message);
  });

  it('an OUTPUT_DIR that is a file is a configuration error, not a stack trace from mkdir', () => {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect(() => distributorOptionsFromEnv(env({ OUTPUT_DIR: file }))).toThrow(new ConfigurationError(`OUTPUT_DIR ${file} is not a directory`));
  });

  it('without DISTRIBUTOR_TOKEN or JWT_SECRET, only a development secret the API already keeps in DATA_DIR signs: none is made', () => {
    const without = { DISTRIBUTOR_TOKEN: '', JWT_SECRET: '', NODE_ENV: '' };
    for (const dataDir of [join(dir, 'missing'), dir]) {
      expect(() => distributorOptionsFromEnv(env({ ...without, DATA_DIR: dataDir }))).toThrow(/^DISTRIBUTOR_TOKEN も JWT_SECRET もなく.* \/ no DISTRIBUTOR_TOKEN, no JWT_SECRET, and DATA_DIR .* holds no development secret of the API/);
      expect(existsSync(join(dataDir, DEV_SECRET_FILE))).toBe(false);
    }
    writeFileSync(join(dir, DEV_SECRET_FILE), `${'s'.repeat(64)}\n`);
    expect(distributorOptionsFromEnv(env({ ...without, DATA_DIR: dir })).tokenSetting).toBe(`DATA_DIR (${join(dir, DEV_SECRET_FILE)})`);
    expect(() => distributorOptionsFromEnv(env({ ...without, JWT_JWKS_URL: 'https://idp.example.jp/jwks' }))).toThrow(/set DISTRIBUTOR_TOKEN$/);
  });
});
