import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  async function seed(): Promise<string> {
    const ctx = await openCliContext();
    const view = await ctx.engine.create('connection-application', { organizationCode: '132012', category: '登録' }, { actor: applicant, now: '2026-11-20T00:00:00.000Z', commandId: 'c1', correlationId: 'c1' });
    await ctx.engine.execute(view.id, 'withdraw', {}, { actor: applicant, now: '2026-11-21T00:00:00.000Z', commandId: 'c2', correlationId: 'c2' });
    await ctx.close();
    return view.id;
  }

  it('history prints every event as JSON Lines; replay folds up to a revision or a time', async () => {
    const id = await seed();
    expect(await runCli(['history', id])).toBe(EXIT.ok);
    expect(out.map((l) => JSON.parse(l).type)).toEqual(['ApplicationCreated', 'ApplicationWithdrawn']);
    out.length = 0;
    expect(await runCli(['replay', id, '--as-of-revision', '0'])).toBe(EXIT.ok);
    expect(JSON.parse(out.join('')).state).toBe('draft');
    out.length = 0;
    expect(await runCli(['replay', id, '--as-of', '2026-11-20T12:00:00Z'])).toBe(EXIT.ok);
    expect(JSON.parse(out.join('')).state).toBe('draft');
    out.length = 0;
    expect(await runCli(['replay', id])).toBe(EXIT.ok);
    expect(JSON.parse(out.join('')).state).toBe('withdrawn');
  });

  it('exit codes: not found 3, usage 2', async () => {
    expect(await runCli(['history', 'no-such-application'])).toBe(EXIT.notFound);
    expect(await runCli(['replay', 'x', '--as-of-revision', 'minus'])).toBe(EXIT.usage);
    expect(await runCli(['no-such-command'])).toBe(EXIT.usage);
  });

  it('rebuild-projections rebuilds from every stored event', async () => {
    await seed();
    expect(await runCli(['rebuild-projections'])).toBe(EXIT.ok);
    expect(out.join('')).toMatch(/rebuilt read models from 2 events/);
  });
});
