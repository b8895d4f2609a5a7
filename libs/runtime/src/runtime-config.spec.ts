import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, DEV_SECRET_FILE, loadRuntimeConfig } from './runtime-config';

describe('runtime configuration', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'nws-cfg-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('without JWT_SECRET runs in development mode with a secret kept (0600) in the data directory', () => {
    const first = loadRuntimeConfig({ DATA_DIR: dataDir });
    expect(first.jwt.mode).toBe('development');
    const file = join(dataDir, DEV_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadRuntimeConfig({ DATA_DIR: dataDir });
    expect(Buffer.from(again.jwt.secret).toString()).toBe(readFileSync(file, 'utf8').trim());
    expect(Buffer.from(again.jwt.secret)).toEqual(Buffer.from(first.jwt.secret));
  });

  it('replaces an empty or cut-off development secret (written when the machine stopped or the disk filled)', () => {
    writeFileSync(join(dataDir, DEV_SECRET_FILE), '');
    const config = loadRuntimeConfig({ DATA_DIR: dataDir });
    expect(Buffer.from(config.jwt.secret).toString()).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dataDir, DEV_SECRET_FILE), 'utf8').trim()).toBe(Buffer.from(config.jwt.secret).toString());
    expect(statSync(join(dataDir, DEV_SECRET_FILE)).mode & 0o777).toBe(0o600);
  });

  it('in production refuses to start without a real secret', () => {
    expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, NODE_ENV: 'production' })).toThrow(ConfigurationError);
    // As people write it too: these started in development mode with a generated secret.
    for (const NODE_ENV of ['PRODUCTION', 'Production', 'prod', ' production ']) expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, NODE_ENV })).toThrow(ConfigurationError);
    expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', JWT_SECRET: 'changeme' })).toThrow(/at least 32/);
    const config = loadRuntimeConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(16) + 'b'.repeat(16) });
    expect(config.jwt.mode).toBe('configured');
  });

  it('PORT, DATA_DIR and EVENT_STORE are read and checked', () => {
    expect(loadRuntimeConfig({ DATA_DIR: dataDir, PORT: '4123' }).port).toBe(4123);
    expect(loadRuntimeConfig({ DATA_DIR: dataDir }).port).toBe(3000);
    expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, EVENT_STORE: 'esdb' })).toThrow(/EVENTSTORE_CONNECTION_STRING/);
    expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, EVENT_STORE: 'mongo' })).toThrow(/EVENT_STORE/);
    // A connection string the client cannot parse is refused with the configuration, not at the first connection.
    for (const bad of ['notaurl', 'http://localhost:2113', 'esdb://']) {
      expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: bad })).toThrow(new ConfigurationError(`EVENTSTORE_CONNECTION_STRING must start with esdb:// or esdb+discover:// and name a host (e.g. esdb://localhost:2113?tls=false), got "${bad}"`));
    }
    for (const good of ['esdb://localhost:2113?tls=false', 'esdb+discover://node1:2113,node2:2113?tls=true']) {
      expect(loadRuntimeConfig({ DATA_DIR: dataDir, EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: good }).eventStoreConnectionString).toBe(good);
    }
    // A file where the directory should be: a configuration error naming it, not a stack trace from mkdir.
    const file = join(dataDir, 'a-file');
    writeFileSync(file, '');
    expect(() => loadRuntimeConfig({ DATA_DIR: file })).toThrow(new ConfigurationError(`DATA_DIR ${file} はディレクトリではありません（ファイルです） / DATA_DIR ${file} is not a directory`));
    expect(() => loadRuntimeConfig({ DATA_DIR: file, JWT_SECRET: 's'.repeat(40) })).toThrow(ConfigurationError);
  });

  it('PROJECTION_MAX_ATTEMPTS and PROJECTION_RETRY_DELAY_MS are read and checked', () => {
    expect(loadRuntimeConfig({ DATA_DIR: dataDir }).projections).toEqual({ maxAttempts: 3, retryDelayMs: 100 });
    expect(loadRuntimeConfig({ DATA_DIR: dataDir, PROJECTION_MAX_ATTEMPTS: '5', PROJECTION_RETRY_DELAY_MS: '250' }).projections).toEqual({ maxAttempts: 5, retryDelayMs: 250 });
    expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, PROJECTION_MAX_ATTEMPTS: '1' })).toThrow(/PROJECTION_MAX_ATTEMPTS must be an integer from 2/);
    expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, PROJECTION_RETRY_DELAY_MS: 'soon' })).toThrow(/PROJECTION_RETRY_DELAY_MS/);
  });

  it('LOG_FORMAT is text by default, or json; anything else is refused by name', () => {
    expect([loadRuntimeConfig({ DATA_DIR: dataDir }).logFormat, loadRuntimeConfig({ DATA_DIR: dataDir, LOG_FORMAT: 'json' }).logFormat]).toEqual(['text', 'json']);
    expect(() => loadRuntimeConfig({ DATA_DIR: dataDir, LOG_FORMAT: 'yaml' })).toThrow('LOG_FORMAT must be "text" (default) or "json", got "yaml"');
  });
});
