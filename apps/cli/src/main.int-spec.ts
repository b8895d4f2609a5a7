import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCESS_LOG_FILE, SqliteAccessLog, eraseSubject, findEncryptingStore } from '@nws/personal-data';
import { connectionApplicationForms } from '@nws/workflows/connection-application';
import { TestServer } from '../../api/src/testing/test-server';
import { openCliContext } from './cli-context';
import { EXIT, runCli } from './main';

describe('operations CLI on a real SQLite store', () => {
  let dataDir: string;
  let out: string[];
  const saved = { ...process.env };
  const applicant = { sub: 'yamada', org: '132012', role: 'applicant' as const };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-cli-'));
    process.env['DATA_DIR'] = dataDir;
    process.exitCode = undefined;
    out = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a DATA_DIR without a store is refused (exit 3, naming it) and left as it was: a mistyped directory is not a new, empty, "VALID" store', async () => {
    const err: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    const mistyped = join(dataDir, 'dta');
    process.env['DATA_DIR'] = mistyped;
    for (const args of [['verify'], ['export', '--out', join(dataDir, 'x.jsonl')], ['history', 'x', '--purpose', 'audit'], ['parked-projections'], ['rebuild-projections']]) {
      err.length = 0;
      expect({ args, code: await runCli(args) }).toEqual({ args, code: EXIT.notFound });
      expect(err.join('')).toContain(`DATA_DIR ${mistyped} holds no event store`);
    }
    expect(existsSync(mistyped)).toBe(false);
    expect(readdirSync(dataDir)).toEqual([]);
    expect(out.join('')).not.toContain('VALID');
  });

  const accessLog = () => {
    const log = new SqliteAccessLog(join(dataDir, ACCESS_LOG_FILE));
    try {
      return log.query();
    } finally {
      log.close();
    }
  };

  async function seed(): Promise<string> {
    const ctx = await openCliContext(process.env, { create: true });
    const view = await ctx.engine.create('connection-application', { organizationCode: '132012', category: '登録' }, { actor: applicant, now: '2026-11-20T00:00:00.000Z', commandId: 'c1', correlationId: 'c1' });
    await ctx.engine.execute(view.id, 'withdraw', {}, { actor: applicant, now: '2026-11-21T00:00:00.000Z', commandId: 'c2', correlationId: 'c2' });
    await ctx.close();
    return view.id;
  }

  it('a PERSONAL_DATA_KEY_FILE a command cannot use is a configuration error naming it (exit 78), not SQLite\'s "unable to open database file" blamed on DATA_DIR; verify, which opens no key store, runs', async () => {
    const err: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    await seed();
    const keys = join(dataDir, 'keys');
    mkdirSync(keys);
    process.env['PERSONAL_DATA_KEY_FILE'] = keys;
    for (const args of [['parked-projections'], ['history', 'x', '--purpose', 'audit']]) {
      err.length = 0;
      expect({ args, code: await runCli(args) }).toEqual({ args, code: EXIT.configuration });
      expect(err.join('')).toBe(`Configuration error: PERSONAL_DATA_KEY_FILE ${keys} は使えません: ディレクトリです（ファイルを指定してください） / PERSONAL_DATA_KEY_FILE ${keys} cannot be used: it is a directory, not a file\n`);
    }
    expect(await runCli(['verify'])).toBe(EXIT.ok);
  });

  it('history prints every event as JSON Lines; replay folds up to a revision or a time', async () => {
    const id = await seed();
    expect(await runCli(['history', id, '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(out.map((l) => JSON.parse(l).type)).toEqual(['ApplicationCreated', 'ApplicationWithdrawn']);
    out.length = 0;
    expect(await runCli(['replay', id, '--as-of-revision', '0', '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(JSON.parse(out.join('')).state).toBe('draft');
    out.length = 0;
    expect(await runCli(['replay', id, '--as-of', '2026-11-20T12:00:00Z', '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(JSON.parse(out.join('')).state).toBe('draft');
    out.length = 0;
    expect(await runCli(['replay', id, '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(JSON.parse(out.join('')).state).toBe('withdrawn');
  });

  it('exit codes: not found 3, usage 2', async () => {
    expect(await runCli(['history', 'no-such-application', '--purpose', 'audit'])).toBe(EXIT.notFound);
    expect(await runCli(['history', 'x', '--purpose', 'curiosity'])).toBe(EXIT.usage);
    expect(await runCli(['replay', 'x', '--as-of-revision', 'minus'])).toBe(EXIT.usage);
    expect(await runCli(['no-such-command'])).toBe(EXIT.usage);
  });

  it('token takes the token command\'s own options (it answered "too many arguments")', async () => {
    expect(await runCli(['token', '--sub', 'audit-1', '--org', 'MIC', '--role', 'auditor'])).toBe(EXIT.ok);
    expect(out.join('').trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('replay takes what the API takes: a revision that exists (digits), a time with its offset, a reference without names', async () => {
    const id = await seed();
    const replay = (...args: string[]) => runCli(['replay', id, '--purpose', 'audit', ...args]);
    // Past the last revision (1) is not "now": exit 3, naming the last.
    expect(await replay('--as-of-revision', '2')).toBe(EXIT.notFound);
    expect(await replay('--as-of-revision', '1')).toBe(EXIT.ok);
    // Number() read '' as 0, '1e1' as 10, '0x1' as 1.
    for (const revision of ['', '1e1', '0x1', '-1']) expect([revision, await replay('--as-of-revision', revision)]).toEqual([revision, EXIT.usage]);
    // A time without its offset depends on the machine's zone; an impossible date rolled over.
    for (const time of ['2026-11-20T12:00:00', '2026-11-20', '2026-02-30T00:00:00Z', 'yesterday']) expect([time, await replay('--as-of', time)]).toEqual([time, EXIT.usage]);
    expect(await replay('--as-of', '2026-11-20T21:00:00+09:00')).toBe(EXIT.ok);
    // A day that does not exist, its offset given: said as such, not "add an offset".
    const err: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    expect(await replay('--as-of', '2026-02-30T00:00:00Z')).toBe(EXIT.usage);
    expect(err.join('')).toContain('2026-02-30T00:00:00Z: 実在する日付で指定してください（その日付はありません） / must be a date that exists (there is no such day)');
    expect(err.join('')).not.toContain('offset');
    // The access log is append-only: no names in a reference, as over HTTP.
    expect(await runCli(['history', id, '--purpose', 'audit', '--reference', '山田花子の開示請求'])).toBe(EXIT.usage);
    expect(await runCli(['history', id, '--purpose', 'audit', '--reference', 'x'.repeat(65)])).toBe(EXIT.usage);
  });

  it('history and replay print personal data in clear only with a purpose, and log what they show (subjects and fields, never values) before printing', async () => {
    const ctx = await openCliContext(process.env, { create: true });
    const id = (await ctx.engine.create('connection-application', { organizationCode: '132012', category: '登録' }, { actor: applicant, now: '2026-11-20T00:00:00.000Z', commandId: 'c1', correlationId: 'c1' })).id;
    const example = connectionApplicationForms.get('02-02')!.example;
    await ctx.engine.execute(id, 'save-form', { formCode: '02-02', form: example }, { actor: applicant, now: '2026-11-20T01:00:00.000Z', commandId: 'c2', correlationId: 'c2' }, { internal: true });
    await ctx.close();

    const err: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    for (const command of [['history', id], ['replay', id], ['replay', id, '--purpose', 'audit', '--as-of', 'yesterday']]) {
      out.length = 0;
      err.length = 0;
      expect(await runCli(command)).toBe(EXIT.usage);
      expect(out).toEqual([]);
      // Says why, not only exit 2.
      expect(err.join('')).toMatch(command.includes('--as-of') ? /--as-of <iso>' argument 'yesterday' is invalid. yesterday: .*must be an ISO 8601 time with an offset/ : /--purpose is required[\s\S]*--purpose（利用目的）を指定してください/);
    }
    expect(accessLog()).toEqual([]);

    expect(await runCli(['history', id, '--purpose', 'disclosure-request', '--reference', 'REQ-9'])).toBe(EXIT.ok);
    expect(out.join('')).toContain('田中 三郎');
    const [entry, ...more] = accessLog();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ purpose: 'disclosure-request', reference: 'REQ-9', method: 'CLI', route: 'nws history', organizationCode: '132012', applicationId: id, actor: { org: 'cli', role: 'operator' } });
    expect(entry!.actor.sub).toMatch(/^cli:/);
    expect(entry!.subjectIds.length).toBeGreaterThanOrEqual(3);
    for (const subjectId of entry!.subjectIds) expect(subjectId).toMatch(/^ps-/);
    expect(entry!.fields).toEqual(expect.arrayContaining(['data.form.normalContacts[0].phone', 'data.form.emergencyContacts[0].mobile', 'data.form.contactManager.name']));
    for (const value of ['田中', '0426207200', '09012345678']) expect(JSON.stringify(entry)).not.toContain(value);

    out.length = 0;
    expect(await runCli(['replay', id, '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(JSON.parse(out.join('')).forms['02-02'].data.normalContacts[0].phone).toBe('042-620-7200');
    expect(accessLog().map((e) => `${e.route}:${e.purpose}`)).toEqual(['nws history:disclosure-request', 'nws replay:audit']);
  });

  it('one organ is one access-log entry per application: a head department named by its code alone (a token without an organ) and named as its organ are not logged apart', async () => {
    // given a board of education's application, forwarded by a named person of the head department whose token names no organ
    const ctx = await openCliContext(process.env, { create: true });
    const board = { sub: 'kyoiku-1', org: '132012', role: 'applicant' as const, organ: '市町村教育委員会' };
    const head = { ...applicant, name: '山田 花子', department: '情報管理課' };
    let n = 0;
    const by = (actor: typeof board | typeof head) => ({ actor, now: `2026-11-20T01:0${n}:00.000Z`, commandId: `b${++n}`, correlationId: `b${n}` });
    const id = (await ctx.engine.create('connection-application', { organizationCode: '132012', category: '登録', organizationKind: '市町村教育委員会' }, by(board))).id;
    for (const code of ['02-01', '02-02', '02-06']) {
      const form = connectionApplicationForms.get(code)!.example;
      await ctx.engine.execute(id, 'save-form', { formCode: code, form: code === '02-01' ? { ...form, organization: { ...(form['organization'] as object), name: '八王子市教育委員会' } } : form }, by(board), { internal: true });
    }
    await ctx.engine.execute(id, 'submit', {}, by(board));
    await ctx.engine.execute(id, 'forward', {}, by(head));
    await ctx.close();
    // when its history is printed in clear, then each organ's people are one entry
    expect(await runCli(['history', id, '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(accessLog().map((e) => `${e.organizationKind}:${e.applicationId}`).sort()).toEqual([`市町村教育委員会:${id}`, `市町村長部局:${id}`]);
  });

  it('replay logs exactly the part it folds: before the contacts were saved it discloses nobody; a moment before the first event is not found', async () => {
    // given an application whose contacts arrive at revision 1
    const ctx = await openCliContext(process.env, { create: true });
    const id = (await ctx.engine.create('connection-application', { organizationCode: '132012', category: '登録' }, { actor: applicant, now: '2026-11-20T00:00:00.000Z', commandId: 'c1', correlationId: 'c1' })).id;
    await ctx.engine.execute(id, 'save-form', { formCode: '02-02', form: connectionApplicationForms.get('02-02')!.example }, { actor: applicant, now: '2026-11-20T01:00:00.000Z', commandId: 'c2', correlationId: 'c2' }, { internal: true });
    await ctx.close();

    // when it is replayed up to revision 0, then only the creation is folded and nothing is logged
    expect(await runCli(['replay', id, '--as-of-revision', '0', '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(JSON.parse(out.join(''))).toMatchObject({ state: 'draft', revision: 0 });
    expect(accessLog()).toEqual([]);
    // up to a moment between the two events: the same
    out.length = 0;
    expect(await runCli(['replay', id, '--as-of', '2026-11-20T00:30:00Z', '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(JSON.parse(out.join(''))).toMatchObject({ revision: 0 });
    expect(accessLog()).toEqual([]);
    // the whole history: the contacts are shown, and logged
    out.length = 0;
    expect(await runCli(['replay', id, '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(JSON.parse(out.join(''))).toMatchObject({ revision: 1 });
    expect(accessLog()).toEqual([expect.objectContaining({ route: 'nws replay', applicationId: id, fields: expect.arrayContaining(['data.form.contactManager.name']) })]);
    // before the first event there is nothing to fold
    out.length = 0;
    expect(await runCli(['replay', id, '--as-of', '2026-11-19T00:00:00Z', '--purpose', 'audit'])).toBe(EXIT.notFound);
    expect(accessLog()).toHaveLength(1);
  });

  it('a person erased shows nobody: history prints the placeholder and the access log leaves their subject out; with everyone erased it logs nothing', async () => {
    // given an application whose contacts were saved, one of whom is then erased
    const ctx = await openCliContext(process.env, { create: true });
    const at = (n: number) => ({ actor: applicant, now: `2026-11-20T0${n}:00:00.000Z`, commandId: `c${n}`, correlationId: `c${n}` });
    const id = (await ctx.engine.create('connection-application', { organizationCode: '132012', category: '登録' }, at(1))).id;
    await ctx.engine.execute(id, 'save-form', { formCode: '02-02', form: connectionApplicationForms.get('02-02')!.example }, at(2), { internal: true });
    const keys = findEncryptingStore(ctx.store)!.keys;
    const people = await keys.subjects({ organizationCode: '132012' });
    const tanaka = (await keys.findSubject({ code: '132012' }, '田中 三郎'))!;
    const erase = (subjectId: string) => eraseSubject(ctx.store, keys, { subjectId, requestedBy: { sub: 'dpo', org: '132012', role: 'applicant' }, legalBasis: 'purpose-achieved', reference: null, at: '2026-11-21T00:00:00.000Z' });
    await erase(tanaka);
    // when history prints it
    expect(await runCli(['history', id, '--purpose', 'audit'])).toBe(EXIT.ok);
    // then the erased person prints as the placeholder, the others in clear, and only they are logged
    expect(out.join('')).not.toContain('田中 三郎');
    expect(out.join('')).toContain('［消去済み］');
    expect(out.join('')).toContain('高橋 四郎');
    const [entry, ...more] = accessLog();
    expect(more).toEqual([]);
    expect(entry!.subjectIds).not.toContain(tanaka);
    expect(entry!.subjectIds).toEqual(people.map((p) => p.subjectId).filter((s) => s !== tanaka).sort());
    // (田中's emergency mobile is the only value of that field: nobody shows in it now)
    expect(entry!.fields).not.toContain('data.form.emergencyContacts[0].mobile');
    expect(entry!.fields).toContain('data.form.normalContacts[1].phone');
    // and once everyone is erased, printing shows nobody and nothing is logged
    for (const person of people) if (person.subjectId !== tanaka) await erase(person.subjectId);
    await ctx.close();
    out.length = 0;
    expect(await runCli(['history', id, '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(out.join('')).not.toContain('高橋 四郎');
    expect(accessLog()).toHaveLength(1);
  });

  it('what a user reads when something is not found or an --out is taken is said in Japanese and English, naming the CLI\'s options (not the API\'s asOf)', async () => {
    const id = await seed();
    const err: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    const said = async (args: string[], code: number) => {
      err.length = 0;
      expect({ args, code: await runCli(args) }).toEqual({ args, code });
      return err.join('');
    };
    expect(await said(['history', 'no-such-application', '--purpose', 'audit'], EXIT.notFound)).toBe('申請 no-such-application は存在しません / application no-such-application does not exist\n');
    const before = await said(['replay', id, '--as-of', '2026-11-19T00:00:00Z', '--purpose', 'audit'], EXIT.notFound);
    expect(before).toBe(
      `--as-of: 申請 ${id} は 2026-11-19T00:00:00Z にはまだ作成されていません（作成 2026-11-20T00:00:00.000Z） / --as-of: application ${id} did not exist yet at 2026-11-19T00:00:00Z (created 2026-11-20T00:00:00.000Z)\n`,
    );
    expect(await said(['replay', id, '--as-of-revision', '7', '--purpose', 'audit'], EXIT.notFound)).toBe(
      `--as-of-revision: 申請 ${id} に改訂番号 7 はありません（最新は 1） / --as-of-revision: application ${id} has no revision 7 (the last is 1)\n`,
    );
    expect(await said(['replay-parked', '5'], EXIT.notFound)).toBe('位置 5 に保留（parked）中のイベントはありません / no parked event at position 5\n');
    const taken = join(dataDir, 'taken.jsonl');
    writeFileSync(taken, 'an earlier export');
    expect(await said(['export', '--out', taken], EXIT.usage)).toContain(`--out ${taken} は既に存在します。新しいファイル名を指定するか、置き換えるなら --force を付けてください / --out ${taken} exists: name a new file, or add --force to replace it`);
  });

  it('rebuild-projections rebuilds from every stored event', async () => {
    await seed();
    expect(await runCli(['rebuild-projections'])).toBe(EXIT.ok);
    expect(out.join('')).toMatch(/rebuilt read models from 2 events/);
  });

  it('rebuild-projections is refused (exit 75, nothing rebuilt) while an API serves DATA_DIR, and runs once the API has stopped', async () => {
    // given an API serving the data directory
    const id = await seed();
    const server = await TestServer.start({ dataDir });
    const err: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      // when the read models are to be rebuilt beside it
      expect(await runCli(['rebuild-projections'])).toBe(EXIT.dataDirectoryInUse);
      // then the CLI says who serves the directory, rebuilds nothing, and the API goes on answering from its read models
      expect(err.join('')).toContain(`DATA_DIR ${dataDir} is in use by API (PROCESS_ROLE=all) (pid ${process.pid}`);
      expect(err.join('')).toContain('so rebuild-projections cannot start');
      expect(out.join('')).toBe('');
      const listed = await server.request('GET', '/applications', { token: await server.token(applicant) });
      expect(listed.status).toBe(200);
      expect(JSON.stringify(listed.body)).toContain(id);
    } finally {
      await server.stop(false);
    }
    // when the API has stopped, the same command rebuilds (the API's own events included, e.g. the store's seal)
    expect(await runCli(['rebuild-projections'])).toBe(EXIT.ok);
    expect(out.join('')).toMatch(/^rebuilt read models from \d+ events/);
  });
});

describe('the CLI as its own process', () => {
  it('a reader that closes the pipe early (nws … | head) ends it quietly, not with an EPIPE stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const root = join(__dirname, '../../..');
    const child = spawn(process.execPath, ['-r', join(root, 'test/support/register-ts.js'), join(root, 'apps/cli/src/main.ts'), '--help'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader is gone before the first line is written.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect({ code, stderr }).toEqual({ code: EXIT.ok, stderr: '' });
  }, 60_000);

  it('token, as npm run -s token runs it and as `nws token`, refuses a DATA_DIR that does not exist with exit 3 and creates nothing', async () => {
    const { spawnSync } = await import('node:child_process');
    const root = join(__dirname, '../../..');
    const parent = mkdtempSync(join(tmpdir(), 'nws-token-'));
    const missing = join(parent, 'nonexist');
    try {
      for (const entry of [['apps/cli/src/token.cli.ts'], ['apps/cli/src/main.ts', 'token']]) {
        const [file, ...command] = entry;
        const child = spawnSync(process.execPath, ['-r', join(root, 'test/support/register-ts.js'), join(root, file!), ...command, '--sub', 'a', '--org', 'MIC', '--role', 'auditor'], {
          cwd: root,
          env: { ...process.env, DATA_DIR: missing, JWT_SECRET: '', NODE_ENV: '' },
          encoding: 'utf8',
        });
        expect({ entry, status: child.status, stdout: child.stdout }).toEqual({ entry, status: EXIT.notFound, stdout: '' });
        expect(child.stderr).toContain(`DATA_DIR ${missing} does not exist`);
        expect(existsSync(missing)).toBe(false);
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 120_000);
});
