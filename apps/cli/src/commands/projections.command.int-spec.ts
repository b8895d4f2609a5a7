import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_MODELS_FILE } from '@nws/event-store/create-event-store';
import { openCliContext } from '../cli-context';
import { EXIT, runCli } from '../main';
import { capturedCliOutput } from '../testing/captured-output';

describe('parked projection events from the command line (real SQLite files)', () => {
  let dataDir: string;
  const { out, err } = capturedCliOutput();
  const applicant = { sub: 'yamada', org: '132012', role: 'applicant' as const };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-cli-parked-'));
    process.env['DATA_DIR'] = dataDir;
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists what a projection parked, replays it (exit 1 while it still fails, 0 once fixed, 3 when nothing is parked there)', async () => {
    const ctx = await openCliContext(process.env, { create: true });
    const view = await ctx.engine.create('connection-application', { organizationCode: '132012', category: '登録' }, { actor: applicant, now: '2026-11-20T00:00:00.000Z', commandId: 'c1', correlationId: 'c1' });
    const runner = ctx.projections();
    // A real fault in the real projection: its UPDATE of this application's state is refused.
    runner.db.exec(`CREATE TRIGGER injected_fault BEFORE UPDATE OF state ON applications WHEN NEW.state <> OLD.state BEGIN SELECT RAISE(ABORT, 'injected projection fault'); END`);
    await ctx.engine.execute(view.id, 'withdraw', {}, { actor: applicant, now: '2026-11-21T00:00:00.000Z', commandId: 'c2', correlationId: 'c2' });
    runner.start();
    expect(await runner.waitFor(2, 5000)).toBe(true);
    await ctx.close();

    expect(await runCli(['parked-projections'])).toBe(EXIT.ok);
    const parked = out.map((line) => JSON.parse(line));
    expect(parked).toEqual([expect.objectContaining({ projection: 'applications', position: 2, type: 'ApplicationWithdrawn', reason: 'failed', attempts: 3 })]);
    // By projection: its own, none of another's; a name that is none is refused, not answered with nothing.
    out.length = 0;
    expect(await runCli(['parked-projections', '--projection', 'applications'])).toBe(EXIT.ok);
    expect(out).toHaveLength(1);
    out.length = 0;
    expect(await runCli(['parked-projections', '--projection', 'master-data'])).toBe(EXIT.ok);
    expect(out).toEqual([]);
    expect(await runCli(['parked-projections', '--projection', 'aplications'])).toBe(EXIT.usage);
    expect(await runCli(['replay-parked', '2', '--projection', 'aplications'])).toBe(EXIT.usage);

    out.length = 0;
    expect(await runCli(['replay-parked', '2'])).toBe(EXIT.failure);
    expect(JSON.parse(out[0]!)).toMatchObject({ projection: 'applications', applied: [], failed: { position: 2 } });

    const db = new Database(join(dataDir, READ_MODELS_FILE));
    db.exec('DROP TRIGGER injected_fault');
    db.close();
    out.length = 0;
    process.exitCode = undefined;
    expect(await runCli(['replay-parked', '2'])).toBe(EXIT.ok);
    expect(JSON.parse(out[0]!)).toMatchObject({ projection: 'applications', applied: [2], failed: null });
    const check = new Database(join(dataDir, READ_MODELS_FILE), { readonly: true });
    expect(check.prepare('SELECT state FROM applications WHERE id = ?').get(view.id)).toEqual({ state: 'withdrawn' });
    expect(check.prepare('SELECT count(*) AS n FROM projection_parked').get()).toEqual({ n: 0 });
    check.close();

    process.exitCode = undefined;
    expect(await runCli(['replay-parked', '2'])).toBe(EXIT.notFound);
    expect(err.join('')).toMatch(/no parked event at position 2/);
    expect(await runCli(['replay-parked', 'two'])).toBe(EXIT.usage);
  });
});
