import { generateKeyPairSync } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiProcess } from '../../../test/support/api-process';
import { TmpfsDisk, canMountTmpfs, run } from '../../../test/support/real-disk';

const ROOT = resolve(__dirname, '../../..');

/** An entry point from source, run to its end as `npm start -- …` would run it. */
function runEntry(entry: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['-r', join(ROOT, 'test/support/register-ts.js'), join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', NODE_ENV: 'production', JWT_SECRET: 'main-spec-'.padEnd(48, 'x'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/**
 * What `npm start` does when it cannot start: a line naming why and a sysexits code a supervisor
 * can act on (78 EX_CONFIG: fix the settings; 69 EX_UNAVAILABLE: try again later), not a stack
 * trace and exit 1. The API in its own process, from source.
 */
describe('the API process refuses to start with a reason and a sysexits code', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nws-start-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const start = (dataDir: string, env: NodeJS.ProcessEnv) => ApiProcess.start({ dataDir, mode: 'source', env, stderr: 'ignore', readyTimeoutMs: 60_000 });

  it('78 for settings it cannot use: a DATA_DIR that is a file, a connection string that is not one', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(start(file, {})).rejects.toThrow('API exited with 78');
    await expect(start(join(dir, 'data'), { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: 'localhost:2113' })).rejects.toThrow('API exited with 78');
  }, 60_000);

  it('78 for settings the modules read (RATE_LIMIT, DISTRIBUTION_*) and for a HOST that is not this machine; 75 for a PORT in use', async () => {
    for (const env of [{ RATE_LIMIT: 'fast' }, { DISTRIBUTION_ACK_TIMEOUT_MS: 'soon' }, { DISTRIBUTION_CONSUMERS_FILE: join(dir, 'missing.json') }, { HOST: '192.0.2.1' }]) {
      await expect(start(join(dir, 'data'), env)).rejects.toThrow('API exited with 78');
    }
    // A consumers file the store cannot serve, or one that is wrong: one line naming the setting, no stack trace.
    const consumers = join(dir, 'consumers.json');
    for (const [body, said] of [
      [[{ name: 'if-system', eventTypes: ['MasterDataVersionRegistered'], transport: 'esdb-persistent' }], 'Configuration error: DISTRIBUTION_CONSUMERS_FILE: consumers if-system: transport "esdb-persistent" reads a persistent subscription group of EventStoreDB and needs EVENT_STORE=esdb'],
      [[{ name: 'x', eventTypes: ['Nope'] }], `Configuration error: DISTRIBUTION_CONSUMERS_FILE ${consumers}: consumers[0].eventTypes`],
    ] as const) {
      writeFileSync(consumers, JSON.stringify(body));
      const { status, stderr } = runEntry('apps/api/src/main.ts', [], { DATA_DIR: join(dir, 'data'), DISTRIBUTION_CONSUMERS_FILE: consumers });
      expect([status, stderr.trim().split('\n').length, stderr.trim()]).toEqual([78, 1, expect.stringContaining(said)]);
    }
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
    try {
      const { port } = taken.address() as AddressInfo;
      await expect(ApiProcess.start({ dataDir: join(dir, 'data'), mode: 'source', port, stderr: 'ignore', readyTimeoutMs: 60_000 })).rejects.toThrow('API exited with 75');
      // What an operator's log shows: the line that says why, and Nest's own line without terminal colour codes.
      const portInUse = { DATA_DIR: join(dir, 'data'), PORT: String(port) };
      const { status, stderr } = runEntry('apps/api/src/main.ts', [], portInUse);
      expect([status, stderr.trim().split('\n').at(-1)]).toEqual([75, `Not started: PORT ${port} on 127.0.0.1 is in use by another process`]);
      expect(stderr).not.toContain('\u001b[');
      // LOG_FORMAT=json: Nest's line is one JSON object a collector can parse.
      const json = runEntry('apps/api/src/main.ts', [], { ...portInUse, LOG_FORMAT: 'json' });
      const [logged] = json.stderr.trim().split('\n');
      expect([json.status, JSON.parse(logged!)]).toEqual([75, expect.objectContaining({ level: 'error', context: 'NestApplication', message: expect.stringContaining('EADDRINUSE') })]);
    } finally {
      taken.close();
    }
  }, 120_000);

  it('78 for a DATA_DIR or PERSONAL_DATA_KEY_FILE it cannot use, API and worker: one line naming the setting, not ENOTDIR from mkdir or SQLite\'s "unable to open database file" and a stack', () => {
    writeFileSync(join(dir, 'a-file'), '');
    mkdirSync(join(dir, 'store', 'events.sqlite'), { recursive: true });
    for (const [env, said] of [
      [{ DATA_DIR: join(dir, 'a-file', 'data') }, `Configuration error: DATA_DIR ${join(dir, 'a-file', 'data')} は使えません: 経路の ${join(dir, 'a-file')} がファイルです`],
      [{ DATA_DIR: join(dir, 'data'), PERSONAL_DATA_KEY_FILE: dir }, `Configuration error: PERSONAL_DATA_KEY_FILE ${dir} は使えません: ディレクトリです（ファイルを指定してください） / PERSONAL_DATA_KEY_FILE ${dir} cannot be used: it is a directory, not a file`],
      // What only opening shows: the store's own file is a directory.
      [{ DATA_DIR: join(dir, 'store') }, `Configuration error: DATA_DIR ${join(dir, 'store')} または PERSONAL_DATA_KEY_FILE ${join(dir, 'store', 'personal-data-keys.sqlite')} を開けません`],
    ] as const) {
      for (const entry of ['apps/api/src/main.ts', 'apps/worker/src/main.ts']) {
        const { status, stderr } = runEntry(entry, [], env);
        expect({ entry, status, lines: stderr.trim().split('\n') }).toEqual({ entry, status: 78, lines: [expect.stringContaining(said)] });
      }
    }
  }, 120_000);

  (canMountTmpfs() ? it : it.skip)('78 for a DATA_DIR on read-only media (root passes permission bits, not a read-only mount)', () => {
    const disk = new TmpfsDisk('4m');
    try {
      disk.mount();
      mkdirSync(join(disk.mountPoint, 'data'));
      expect(run('mount', ['-o', 'remount,ro', disk.mountPoint]).ok).toBe(true);
      const { status, stderr } = runEntry('apps/api/src/main.ts', [], { DATA_DIR: join(disk.mountPoint, 'data') });
      expect([status, stderr.trim()]).toEqual([78, expect.stringMatching(/^Configuration error: DATA_DIR .* cannot be used: .* cannot be written \(read-only file system\)$/)]);
    } finally {
      disk.dispose();
    }
  }, 60_000);

  it('69 when EventStoreDB does not answer (nothing listens on the port)', async () => {
    await expect(start(join(dir, 'data'), { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false' })).rejects.toThrow('API exited with 69');
  }, 60_000);
});

describe('the servers take no arguments: --help says how they are configured, anything else is refused', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nws-argv-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (entry: string, args: string[]) => runEntry(entry, args, { DATA_DIR: join(dir, 'data'), OUTPUT_DIR: join(dir, 'out'), PORT: '0' });

  it.each([
    ['apps/api/src/main.ts', 'Usage: npm start'],
    ['apps/worker/src/main.ts', 'Usage: npm run worker'],
    ['apps/distributor/src/main.ts', 'Usage: npm run distributor'],
  ])('%s', (entry, usage) => {
    const help = run(entry, ['--help']);
    expect([help.status, help.stdout.split('\n')[0]]).toEqual([0, expect.stringContaining(usage)]);
    // `--port 4000` would otherwise start on the default port as if it had been heard.
    const refused = run(entry, ['--port', '4000']);
    expect([refused.status, refused.stderr.split('\n')[0]]).toEqual([64, 'Not started: --port 4000: this program takes no arguments; it is configured by environment variables.']);
    // Nothing was started, so nothing was created.
    expect([existsSync(join(dir, 'data')), existsSync(join(dir, 'out'))]).toEqual([false, false]);
  }, 120_000);
});

describe('a split role on the embedded store is said at start', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nws-role-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** What an entry point prints until its start line, then it is stopped. */
  const banner = (entry: string, env: NodeJS.ProcessEnv, until: RegExp) =>
    new Promise<string>((done, fail) => {
      const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/register-ts.js'), join(ROOT, entry)], {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: 'role-spec-'.padEnd(48, 'x'), NODE_ENV: 'production', ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      const timer = setTimeout(() => (child.kill('SIGKILL'), fail(new Error(`no start line: ${out}`))), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (!until.test(out)) return;
        clearTimeout(timer);
        child.once('exit', () => done(out));
        child.kill('SIGTERM');
      });
    });

  it('PROCESS_ROLE=api: no master data would ever be registered, and no worker can share the directory', async () => {
    const out = await banner('apps/api/src/main.ts', { PROCESS_ROLE: 'api' }, /Swagger UI[\s\S]*\n\n/);
    expect(out).toContain('WARNING: PROCESS_ROLE=api on the embedded store: this process registers no master data');
    expect(await banner('apps/api/src/main.ts', {}, /Swagger UI[\s\S]*\n\n/)).not.toContain('WARNING: PROCESS_ROLE');
  }, 120_000);

  it('the banner says how to get a token this API takes: with the DATA_DIR whose secret signs them in development, none to mint with an identity provider; PROCESS_ROLE=worker here says what it serves', async () => {
    const development = await banner('apps/api/src/main.ts', { JWT_SECRET: '', NODE_ENV: '' }, /Swagger UI[\s\S]*\n\n/);
    expect(development).toContain(`Mint a token:           DATA_DIR=${join(dir, 'data')} npm run -s token -- --sub yamada`);
    expect(development).toMatch(/Try it: .*\$\(DATA_DIR=\S+ npm run -s token -- --sub a --org MIC --role auditor\)/);
    const configured = await banner('apps/api/src/main.ts', {}, /Swagger UI[\s\S]*\n\n/);
    expect(configured).toContain('Mint a token:           npm run -s token -- --sub yamada');
    expect(configured).toContain('(in an environment with the same JWT_SECRET as this API)');
    expect(await banner('apps/api/src/main.ts', { JWT_ISSUER: 'myiss' }, /Swagger UI[\s\S]*\n\n/)).toContain('(in an environment with the same JWT_SECRET, JWT_ISSUER as this API)');
    expect(development).not.toContain('in an environment with the same');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const provider = await banner('apps/api/src/main.ts', { JWT_SECRET: '', JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString() }, /Swagger UI[\s\S]*\n\n/);
    expect(provider).toContain('Tokens:                 from your identity provider');
    expect(provider).not.toContain('Mint a token');
    const worker = await banner('apps/api/src/main.ts', { PROCESS_ROLE: 'worker' }, /Swagger UI[\s\S]*\n\n[\s\S]*README[^\n]*\n\n/);
    expect(worker).toContain("WARNING: PROCESS_ROLE=worker on the API's entry point: only /health, /metrics, /projections, /distribution and /master-data are served");
    expect(worker).toMatch(/Try it: .*\/health$/m);
  }, 180_000);

  it('the worker: no API can reach it', async () => {
    expect(await banner('apps/worker/src/main.ts', {}, /health on[^\n]*\n/)).toMatch(/worker: WARNING: on the embedded store no API can share this DATA_DIR/);
  }, 60_000);
});
