import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sealer, WITNESS_FILE, WitnessFile } from '@nws/audit';
import { seedStore } from '@nws/audit/testing/seed-store';
import { twoRoundApplication } from '@nws/audit/testing/two-round-application';
import { ChainedEventStore } from '@nws/event-store';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { ACCESS_LOG_FILE, SqliteAccessLog } from '@nws/personal-data';
import { EXIT, runCli } from '../main';

describe('audit CLI: export, verify (store, application, file), exit codes (real SQLite files)', () => {
  let dataDir: string;
  let out: string[];
  let err: string[];
  let applicationId: string;
  const saved = { ...process.env };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-cli-audit-'));
    process.env['DATA_DIR'] = dataDir;
    process.exitCode = undefined;
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    // What the API does: commands append, the sealer seals into the store and the witness file.
    const store = new ChainedEventStore(new SqliteEventStore({ filename: join(dataDir, EVENTS_FILE) }));
    const sealer = new Sealer(store, { witness: new WitnessFile(join(dataDir, WITNESS_FILE)), debounceMs: 5, maxEvents: 100 });
    await sealer.start();
    applicationId = (await twoRoundApplication(store)).id;
    await seedStore(store, { events: 300, payloadChars: 50 });
    await sealer.stop({ flush: true });
    await store.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    process.exitCode = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    out.length = 0;
    err.length = 0;
    process.exitCode = undefined;
    return runCli(args);
  };

  it('export → verify --file offline (no configuration needed); one changed line is detected and named', async () => {
    const file = join(dataDir, 'store.jsonl');
    expect(await run('export', '--out', file, '--progress')).toBe(EXIT.ok);
    expect(err.join('')).toMatch(/export jsonl: 100%/);
    expect(err.join('')).toMatch(/exported \d+ events .* newest seal #\d+/);

    // Offline: a production configuration without a secret would refuse to start the API; verify --file does not care.
    process.env = { NODE_ENV: 'production', DATA_DIR: join(dataDir, 'nowhere') };
    expect(await run('verify', '--file', file, '--witness', join(dataDir, WITNESS_FILE))).toBe(EXIT.ok);
    expect(out.join('')).toMatch(/^VALID {2}.*store export, \d+ events in \d+ stream\(s\), \d+ seal\(s\) checked, \d+ against the witness/);

    const lines = readFileSync(file, 'utf8').split('\n');
    const index = lines.findIndex((l) => l.includes('"formCode":"02-02"'));
    const event = JSON.parse(lines[index]!);
    lines[index] = lines[index]!.replace('情報管理課', '情報管理部');
    writeFileSync(file, lines.join('\n'));
    expect(await run('verify', '--file', file)).toBe(EXIT.tampered);
    expect(out.join('')).toMatch(/^TAMPERED/);
    expect(out.join('')).toContain(`hash-mismatch at line ${index + 1}, stream ${event.streamId}, revision ${event.revision}, position ${event.position}`);
    expect(await run('verify', '--file', file, '--json')).toBe(EXIT.tampered);
    expect(JSON.parse(out.join('')).problems[0]).toMatchObject({ kind: 'hash-mismatch', line: index + 1, expected: expect.stringMatching(/^sha256:/), found: expect.stringMatching(/^sha256:/) });
  });

  it('verify the store: valid, then the newest events deleted from the database are reported (exit 4)', async () => {
    expect(await run('verify')).toBe(EXIT.ok);
    expect(out.join('')).toMatch(/^VALID {2}store: \d+ events in \d+ streams .* 0 event\(s\) after the last seal/);
    expect(await run('verify', '--application', applicationId)).toBe(EXIT.ok);
    expect(out.join('')).toMatch(new RegExp(`^VALID {2}application ${applicationId}: chain of \\d+ events intact, last hash sha256:[0-9a-f]{64}, its last event within seal #\\d+`));
    // It says what it did not check: a tail removed from one stream leaves its chain whole.
    expect(out.join('')).toContain('events removed from its end or reordered are found by `nws verify` of the whole store');

    const db = new Database(join(dataDir, EVENTS_FILE));
    const head = (db.prepare('SELECT max(position) AS p FROM events').get() as { p: number }).p;
    db.exec('DROP TRIGGER events_are_immutable_delete');
    db.prepare('DELETE FROM events WHERE position > ?').run(head - 5);
    db.close();
    expect(await run('verify', '--json')).toBe(EXIT.tampered);
    const report = JSON.parse(out.join(''));
    expect(report.valid).toBe(false);
    expect(report.problems.map((p: { kind: string }) => p.kind)).toEqual(expect.arrayContaining(['head-below-high-water-mark', 'seal-beyond-head', 'seal-missing-from-store']));
    expect(report.problems.find((p: { kind: string }) => p.kind === 'head-below-high-water-mark')).toMatchObject({ expected: `position ${head}`, found: `position ${head - 5}` });
  });

  it('verify --file of an application export says what it cannot see: its last events removed from the store before the export pass its chain (exit 5: never held to the seals), with the caveat naming the checks that find them', async () => {
    // given an application whose last two events were removed from the store, then exported
    const db = new Database(join(dataDir, EVENTS_FILE));
    db.exec('DROP TRIGGER events_are_immutable_delete');
    const last = (db.prepare('SELECT max(revision) AS r FROM events WHERE stream_id = ?').get(`application-${applicationId}`) as { r: number }).r;
    db.prepare('DELETE FROM events WHERE stream_id = ? AND revision > ?').run(`application-${applicationId}`, last - 2);
    db.close();
    const file = join(dataDir, 'cut-application.jsonl');
    expect(await run('export', '--application', applicationId, '--out', file)).toBe(EXIT.ok);
    // when the export is verified offline with the witness, then its chain holds, and the check against the witness is said to be impossible (exit 5), the report speaking only of the chain
    expect(await run('verify', '--file', file, '--witness', join(dataDir, WITNESS_FILE))).toBe(EXIT.unverified);
    expect(out.join('')).toMatch(/^NOT FULLY VERIFIED {2}.*application export, \d+ events in 1 stream\(s\)/);
    expect(out.join('')).toContain('判定: 問題は見つかりませんでしたが、検査できなかった項目があります');
    expect(out.join('')).toContain("(the application's chain only: events removed from its end, or reordered, before the export keep its chain and trailer whole, and a copy with an event changed and every hash recomputed holds together too; the seals, which cover the whole store, find them: `nws verify` of the whole store");
    // and the check it names finds them
    expect(await run('verify')).toBe(EXIT.tampered);
  });

  it('an application is named by its id or its 申請番号 (any case): history, replay, verify and export find the same; an unknown number is exit 3', async () => {
    expect(await run('history', applicationId, '--purpose', 'audit')).toBe(EXIT.ok);
    const byId = out.join('');
    const number = (byId.split('\n').map((line) => (line ? JSON.parse(line) : {})).find((e) => e.type === 'ApplicationSubmitted')?.data.applicationNumber ?? '') as string;
    expect(number).toMatch(/^\d{8}-132012-[0-9A-F]{6}$/);
    expect(await run('history', number.toLowerCase(), '--purpose', 'audit')).toBe(EXIT.ok);
    expect(out.join('')).toBe(byId);
    // An id quoted in upper case is the same id.
    expect(await run('history', applicationId.toUpperCase(), '--purpose', 'audit')).toBe(EXIT.ok);
    expect(out.join('')).toBe(byId);
    expect(await run('replay', number, '--as-of-revision', '0', '--purpose', 'audit')).toBe(EXIT.ok);
    expect(JSON.parse(out.join(''))).toMatchObject({ id: applicationId, state: 'draft' });
    expect(await run('verify', '--application', number)).toBe(EXIT.ok);
    expect(out.join('')).toMatch(new RegExp(`^VALID {2}application ${applicationId}: `));
    const file = join(dataDir, 'one.jsonl');
    expect(await run('export', '--application', number, '--out', file)).toBe(EXIT.ok);
    expect(readFileSync(file, 'utf8')).toContain(`"streamId":"application-${applicationId}"`);
    const unknown = `${number.slice(0, -6)}000000`;
    for (const args of [['history', unknown, '--purpose', 'audit'], ['verify', '--application', unknown]]) {
      expect(await run(...args)).toBe(EXIT.notFound);
      expect(err.join('')).toContain(unknown);
    }
  });

  it('a byte changed in the database: verify names the application event; without a witness, exit 5', async () => {
    const db = new Database(join(dataDir, EVENTS_FILE));
    db.exec('DROP TRIGGER events_are_immutable_update');
    const row = db.prepare("SELECT position, revision FROM events WHERE stream_id = ? AND type = 'FirstReviewRejected'").get(`application-${applicationId}`) as { position: number; revision: number };
    db.prepare("UPDATE events SET data = replace(data, '直通番号', '代表番号') WHERE position = ?").run(row.position);
    db.close();
    expect(await run('verify', '--application', applicationId)).toBe(EXIT.tampered);
    expect(out.join('')).toContain(`hash-mismatch at stream application-${applicationId}, revision ${row.revision}, position ${row.position}`);
    // The verdict and its summary agree: a tampered chain is not "intact".
    expect(out.join('')).toMatch(new RegExp(`TAMPERED  application ${applicationId}: chain of \\d+ events broken \\(below\\)`));
    expect(await run('verify', '--application', 'no-such-application')).toBe(EXIT.notFound);

    rmSync(join(dataDir, WITNESS_FILE));
    expect(await run('verify')).toBe(EXIT.tampered);
    const untouched = mkdtempSync(join(tmpdir(), 'nws-cli-audit-'));
    try {
      const store = new ChainedEventStore(new SqliteEventStore({ filename: join(untouched, EVENTS_FILE) }));
      const sealer = new Sealer(store, { debounceMs: 5 });
      await sealer.start();
      await seedStore(store, { events: 20 });
      await sealer.stop({ flush: true });
      await store.close();
      process.env['DATA_DIR'] = untouched;
      expect(await run('verify')).toBe(EXIT.unverified);
      expect(err.join('')).toMatch(/warning: no witness file/);
    } finally {
      rmSync(untouched, { recursive: true, force: true });
    }
  });

  it('CSV for Excel: UTF-8 with an optional BOM; usage errors exit 2; every command has --help', async () => {
    const csv = join(dataDir, 'app.csv');
    // CSV shows personal data in clear: no purpose, no file; with one, the log says what the file holds.
    expect(await run('export', '--application', applicationId, '--format', 'csv', '--out', csv)).toBe(EXIT.usage);
    expect(existsSync(csv)).toBe(false);
    expect(await run('export', '--application', applicationId, '--format', 'csv', '--bom', '--purpose', 'audit', '--out', csv)).toBe(EXIT.ok);
    const log = new SqliteAccessLog(join(dataDir, ACCESS_LOG_FILE));
    const entries = log.query();
    log.close();
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry).toMatchObject({ route: 'nws export --format csv', purpose: 'audit', applicationId, method: 'CLI' });
    expect(entries.flatMap((e) => e.fields)).toEqual(expect.arrayContaining(['data.form.normalContacts[0].phone']));
    const text = readFileSync(csv, 'utf8');
    expect(text.startsWith('\uFEFFposition,stream_id,revision,type,occurred_at')).toBe(true);
    expect(text).toContain('様02-02の通常連絡先を直通番号にしてください。');
    expect(await run('export', '--bom')).toBe(EXIT.usage);
    expect(await run('export', '--format', 'xml')).toBe(EXIT.usage);
    expect(await run('export', '--application', 'no-such-application', '--out', join(dataDir, 'x.jsonl'))).toBe(EXIT.notFound);
    expect(await run('verify', '--file', csv)).toBe(EXIT.usage);
    for (const command of ['export', 'verify', 'replay', 'history', 'rebuild-projections']) {
      expect(await run(command, '--help')).toBe(EXIT.ok);
      expect(out.join('')).toContain(`Usage: nws ${command}`);
    }
    expect(await run('rebuild-projections', '--progress')).toBe(EXIT.ok);
    expect(err.join('')).toMatch(/rebuild: 100%/);
  });

  it('a file argument that cannot be used is named with the reason and an exit code, never a stack trace; an export leaves no file behind, nor removes another run\'s', async () => {
    const missingDir = join(dataDir, 'no-such-dir', 'x.jsonl');
    const cases: Array<[string[], number, RegExp]> = [
      [['export', '--out', missingDir], EXIT.usage, /--out .*x\.jsonl: the directory .*no-such-dir does not exist/],
      [['export', '--out', dataDir], EXIT.usage, /--out .* is a directory: name the file to write/],
      [['verify', '--file', join(dataDir, 'missing.jsonl')], EXIT.notFound, /missing\.jsonl: no such file or directory/],
      [['verify', '--file', dataDir], EXIT.usage, /--file .* is a directory: name the file/],
      [['verify', '--witness', dataDir], EXIT.usage, /--witness .* is a directory: name the file/],
      // A witness named and missing: for a file and for the store alike.
      [['verify', '--file', join(dataDir, EVENTS_FILE), '--witness', join(dataDir, 'no-witness.jsonl')], EXIT.notFound, /no-witness\.jsonl: no such file or directory/],
      [['verify', '--witness', join(dataDir, 'no-witness.jsonl')], EXIT.notFound, /no-witness\.jsonl: no such file or directory/],
    ];
    for (const [args, code, message] of cases) {
      expect({ args, code: await run(...args) }).toEqual({ args, code });
      expect(err.join('')).toMatch(message);
      expect(err.join('')).not.toMatch(/^\s+at |ENOENT:|EISDIR:/m);
    }
    expect(existsSync(`${dataDir}.partial`)).toBe(false);
    // An interrupted (or concurrent) export's partial file is named, and kept.
    const target = join(dataDir, 'store.jsonl');
    writeFileSync(`${target}.partial`, 'another run');
    expect(await run('export', '--out', target)).toBe(EXIT.usage);
    expect(err.join('')).toMatch(/store\.jsonl\.partial already exists/);
    expect(readFileSync(`${target}.partial`, 'utf8')).toBe('another run');
    expect(existsSync(target)).toBe(false);
  });

  it('an export replaces an existing file only with --force, and never one of DATA_DIR\'s own files (the store, the witness)', async () => {
    const storeBytes = readFileSync(join(dataDir, EVENTS_FILE));
    const witnessBytes = readFileSync(join(dataDir, WITNESS_FILE));
    for (const own of [EVENTS_FILE, WITNESS_FILE]) {
      for (const force of [[], ['--force']]) {
        err = [];
        expect(await run('export', '--out', join(dataDir, own), ...force)).toBe(EXIT.usage);
        expect(err.join('')).toMatch(/is one of DATA_DIR's own files/);
      }
    }
    expect(readFileSync(join(dataDir, EVENTS_FILE)).equals(storeBytes)).toBe(true);
    expect(readFileSync(join(dataDir, WITNESS_FILE)).equals(witnessBytes)).toBe(true);
    expect(await run('verify')).toBe(EXIT.ok);
    // An earlier export: named, and replaced when asked to.
    const previous = join(dataDir, 'previous.jsonl');
    writeFileSync(previous, 'an earlier export');
    err = [];
    expect(await run('export', '--out', previous)).toBe(EXIT.usage);
    expect(err.join('')).toMatch(/previous\.jsonl exists: name a new file, or add --force to replace it/);
    expect(readFileSync(previous, 'utf8')).toBe('an earlier export');
    expect(await run('export', '--out', previous, '--force')).toBe(EXIT.ok);
    expect(await run('verify', '--file', previous)).toBe(EXIT.ok);
  });
});
