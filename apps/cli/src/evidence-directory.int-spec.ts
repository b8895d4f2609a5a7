import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sealer, WITNESS_FILE, WitnessFile } from '@nws/audit';
import { twoRoundApplication } from '@nws/audit/testing/two-round-application';
import { ChainedEventStore } from '@nws/event-store';
import { EVENTS_FILE, createEventStore } from '@nws/event-store/create-event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { loadConfigWithoutTokens } from '@nws/runtime';
import { eventStoreFileProblem } from './event-store-file.check';
import { EXIT, runCli } from './main';
import { capturedCliOutput } from './testing/captured-output';
import { TmpfsDisk, canMountTmpfs, run as runCommand } from '../../../test/support/real-disk';

/** A file system of our own to make read-only (root and mount): without it the test is skipped, never passed. */
const maybeReadOnlyMount = canMountTmpfs() ? it : it.skip;

/** Every file and directory under `dir`, with a hash of each file's bytes: what a command must leave as it was. */
function snapshot(dir: string, prefix = ''): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(entries, { [`${prefix}${name}/`]: 'dir' }, snapshot(path, `${prefix}${name}/`));
    else entries[`${prefix}${name}`] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return entries;
}

describe('the CLI on an evidence directory (real SQLite files): a store is only read, and what is not a store is refused untouched', () => {
  let root: string;
  const { out, err } = capturedCliOutput();

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nws-cli-evidence-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const run = async (dataDir: string, args: string[]) => {
    out.length = 0;
    err.length = 0;
    process.exitCode = undefined;
    process.env['DATA_DIR'] = dataDir;
    return runCli(args);
  };

  const COMMANDS = [
    ['verify'],
    ['verify', '--application', 'x'],
    ['export', '--out', 'OUT'],
    ['history', 'x', '--purpose', 'audit'],
    ['replay', 'x', '--purpose', 'audit'],
    ['parked-projections'],
    ['replay-parked', '5'],
    ['rebuild-projections'],
  ];

  const notAStore: Array<[string, (file: string) => void, RegExp]> = [
    ['an empty file', (file) => writeFileSync(file, ''), /events\.sqlite is empty \(0 bytes\)/],
    ['a text file', (file) => writeFileSync(file, 'not a database\n'.repeat(20)), /events\.sqlite is not an SQLite database/],
    [
      'another SQLite database (in WAL mode, as the read models are)',
      (file) => {
        const db = new Database(file);
        db.pragma('journal_mode = WAL');
        db.exec('CREATE TABLE applications (id TEXT PRIMARY KEY); INSERT INTO applications VALUES (1)');
        db.close();
      },
      /events\.sqlite is an SQLite database without the store's events table/,
    ],
  ];

  it.each(notAStore)('%s in place of events.sqlite is refused by every command (exit 3, ja/en, naming DATA_DIR), and nothing in the directory is created or changed', async (_what, make, why) => {
    const dataDir = join(root, 'evidence');
    const exports = join(root, 'out.jsonl');
    mkdirSync(dataDir);
    make(join(dataDir, EVENTS_FILE));
    writeFileSync(join(dataDir, WITNESS_FILE), '');
    const before = snapshot(dataDir);
    for (const command of COMMANDS) {
      const args = command.map((arg) => (arg === 'OUT' ? exports : arg));
      expect({ args, code: await run(dataDir, args) }).toEqual({ args, code: EXIT.notFound });
      const said = err.join('');
      expect(said).toContain(`DATA_DIR ${dataDir} holds no event store`);
      expect(said).toMatch(why);
      expect(said).toContain(`DATA_DIR ${dataDir} にイベントストアがありません`);
      expect(out.join('')).not.toContain('VALID');
      expect(snapshot(dataDir)).toEqual(before);
    }
    expect(readdirSync(root)).toEqual(['evidence']);
  });

  it('a DATA_DIR that is a file is said as such (exit 3)', async () => {
    const file = join(root, 'data');
    writeFileSync(file, 'x');
    expect(await run(file, ['verify'])).toBe(EXIT.notFound);
    expect(err.join('')).toMatch(/DATA_DIR .*data holds no event store \(it is a file, not a directory\)/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('verify (store and application) and a JSON Lines export read a copied store and its witness and add nothing: no key file, no development secret, no doorbell, no probe directory', async () => {
    // given a store sealed as the API seals it, copied with its witness into an evidence directory
    const live = join(root, 'live');
    const store = new ChainedEventStore(new SqliteEventStore({ filename: join(live, EVENTS_FILE) }));
    const sealer = new Sealer(store, { witness: new WitnessFile(join(live, WITNESS_FILE)), debounceMs: 5 });
    await sealer.start();
    const { id } = await twoRoundApplication(store);
    await sealer.stop({ flush: true });
    await store.close();
    const evidence = join(root, 'evidence');
    mkdirSync(evidence);
    for (const file of [EVENTS_FILE, WITNESS_FILE]) copyFileSync(join(live, file), join(evidence, file));
    const before = snapshot(evidence);
    expect(Object.keys(before)).toEqual([EVENTS_FILE, WITNESS_FILE]);

    // when the read-only commands run on it, then they answer and the directory is as it was
    expect(await run(evidence, ['verify'])).toBe(EXIT.ok);
    expect(out.join('')).toMatch(/^VALID {2}store: \d+ events/);
    expect(snapshot(evidence)).toEqual(before);
    expect(await run(evidence, ['verify', '--application', id])).toBe(EXIT.ok);
    expect(snapshot(evidence)).toEqual(before);
    const exported = join(root, 'store.jsonl');
    expect(await run(evidence, ['export', '--out', exported])).toBe(EXIT.ok);
    expect(snapshot(evidence)).toEqual(before);
    expect(await run(evidence, ['verify', '--file', exported, '--witness', join(evidence, WITNESS_FILE)])).toBe(EXIT.ok);
    expect(snapshot(evidence)).toEqual(before);
  });

  it("a copy taken with its write-ahead log is read where it is: verify and a JSON Lines export see the log's commits and leave the database file and the log as they were", async () => {
    // given a live store whose commits are still in its write-ahead log, copied as `cp events.sqlite*` would
    const live = join(root, 'live');
    const store = new ChainedEventStore(new SqliteEventStore({ filename: join(live, EVENTS_FILE), writerThread: false, walAutocheckpointPages: 1_000_000 }));
    const { id } = await twoRoundApplication(store);
    const stored = await store.headPosition();
    const evidence = join(root, 'evidence');
    mkdirSync(evidence);
    for (const suffix of ['', '-wal', '-shm']) copyFileSync(join(live, EVENTS_FILE + suffix), join(evidence, EVENTS_FILE + suffix));
    await store.close();
    expect(statSync(join(evidence, `${EVENTS_FILE}-wal`)).size).toBeGreaterThan(0);
    // The log's index is SQLite's working memory, rebuilt from the log: what a reader may touch.
    const evidenceFiles = () => Object.fromEntries(Object.entries(snapshot(evidence)).filter(([name]) => !name.endsWith('-shm')));
    const before = evidenceFiles();

    // when verify and an export run on the copy, then they see every commit, and the database and its log are unchanged
    expect(await run(evidence, ['verify'])).toBe(EXIT.ok);
    expect(out.join('')).toContain(`store: ${stored} events`);
    expect(evidenceFiles()).toEqual(before);
    expect(await run(evidence, ['verify', '--application', id])).toBe(EXIT.ok);
    expect(evidenceFiles()).toEqual(before);
    const exported = join(root, 'store.jsonl');
    expect(await run(evidence, ['export', '--out', exported])).toBe(EXIT.ok);
    expect(readFileSync(exported, 'utf8').trim().split('\n').length).toBeGreaterThan(stored);
    expect(evidenceFiles()).toEqual(before);
  });

  it('a copy whose immutability triggers were dropped is reported, not repaired: verify warns (ja/en) and the file keeps the trace', async () => {
    // given a clean copy of a store, then its triggers dropped outside the engine
    const live = join(root, 'live');
    const store = new ChainedEventStore(new SqliteEventStore({ filename: join(live, EVENTS_FILE) }));
    await twoRoundApplication(store);
    await store.close();
    const evidence = join(root, 'evidence');
    mkdirSync(evidence);
    copyFileSync(join(live, EVENTS_FILE), join(evidence, EVENTS_FILE));
    const altered = new Database(join(evidence, EVENTS_FILE));
    altered.exec('DROP TRIGGER events_are_immutable_update; DROP TRIGGER events_are_immutable_delete');
    altered.close();
    const before = snapshot(evidence);

    // when verify runs, then the events are judged by their chains, the missing guard is said, and the file is as found
    expect(await run(evidence, ['verify', '--json'])).toBe(EXIT.ok);
    const said = err.join('');
    expect(said).toContain('has lost the triggers that refuse changing or deleting an event (events_are_immutable_update, events_are_immutable_delete)');
    expect(said).toContain('イベントの変更・削除を拒否するトリガー');
    expect(JSON.parse(out.join('')).warnings).toEqual(expect.arrayContaining([expect.stringContaining('has lost the triggers')]));
    expect(snapshot(evidence)).toEqual(before);
    const reopened = new Database(join(evidence, EVENTS_FILE), { readonly: true });
    expect(reopened.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'").get()).toEqual({ n: 0 });
    reopened.close();
  });

  it("history, replay and a CSV export read a copy's events as stored too: its write-ahead log is not folded into the file, and dropped triggers stay dropped", async () => {
    // given a live store whose commits, and triggers dropped behind its back, are in its write-ahead log, copied with it
    const live = join(root, 'live');
    const store = new ChainedEventStore(new SqliteEventStore({ filename: join(live, EVENTS_FILE), writerThread: false, walAutocheckpointPages: 1_000_000 }));
    const { id } = await twoRoundApplication(store);
    const altered = new Database(join(live, EVENTS_FILE));
    altered.pragma('wal_autocheckpoint = 0');
    altered.exec('DROP TRIGGER events_are_immutable_update; DROP TRIGGER events_are_immutable_delete');
    const evidence = join(root, 'evidence');
    mkdirSync(evidence);
    for (const suffix of ['', '-wal', '-shm']) copyFileSync(join(live, EVENTS_FILE + suffix), join(evidence, EVENTS_FILE + suffix));
    altered.close();
    await store.close();
    const events = () => Object.fromEntries(Object.entries(snapshot(evidence)).filter(([name]) => name === EVENTS_FILE || name === `${EVENTS_FILE}-wal`));
    const copied = events();
    expect(Object.keys(copied)).toEqual([EVENTS_FILE, `${EVENTS_FILE}-wal`]);

    // when an auditor reads it in clear, then neither the file nor its log changes, and verify still reports the triggers missing
    for (const args of [['history', id, '--purpose', 'audit'], ['replay', id, '--purpose', 'audit'], ['export', '--format', 'csv', '--purpose', 'audit', '--out', join(root, 'out.csv')]]) {
      expect({ args, code: await run(evidence, args) }).toEqual({ args, code: EXIT.ok });
      expect({ args, files: events() }).toEqual({ args, files: copied });
    }
    expect(await run(evidence, ['verify'])).toBe(EXIT.ok);
    expect(err.join('')).toContain('has lost the triggers that refuse changing or deleting an event');
  });

  it('history, replay and a CSV export of a copy holding only events.sqlite warn (ja/en, naming PERSONAL_DATA_KEY_FILE) and show people as not decryptable, creating no key store and no access log', async () => {
    // given the events of a store written as the API writes them (people encrypted), copied without the key store
    const live = join(root, 'live');
    const store = await createEventStore(loadConfigWithoutTokens({ DATA_DIR: live }));
    const { id } = await twoRoundApplication(store);
    await store.close();
    const evidence = join(root, 'evidence');
    mkdirSync(evidence);
    copyFileSync(join(live, EVENTS_FILE), join(evidence, EVENTS_FILE));
    const copied = snapshot(evidence);

    for (const args of [['history', id, '--purpose', 'audit'], ['replay', id, '--purpose', 'audit'], ['export', '--application', id, '--format', 'csv', '--purpose', 'audit', '--out', join(root, 'out.csv')]]) {
      expect({ args, code: await run(evidence, args) }).toEqual({ args, code: EXIT.ok });
      expect({ args, warning: err.join('') }).toEqual({ args, warning: expect.stringMatching(/^警告: 鍵ストア .*personal-data-keys\.sqlite がありません（PERSONAL_DATA_KEY_FILE.* \/ warning: no key store at .*personal-data-keys\.sqlite \(PERSONAL_DATA_KEY_FILE, .*shows as ［復号不可］/) });
      expect({ args, files: snapshot(evidence) }).toEqual({ args, files: copied });
    }
    expect(readFileSync(join(root, 'out.csv'), 'utf8')).toContain('［復号不可］');
    expect(await run(evidence, ['history', id, '--purpose', 'audit'])).toBe(EXIT.ok);
    expect(out.join('')).toContain('［復号不可］');

    // and with the key store beside them, they decrypt as before, without the warning
    copyFileSync(join(live, 'personal-data-keys.sqlite'), join(evidence, 'personal-data-keys.sqlite'));
    expect(await run(evidence, ['history', id, '--purpose', 'audit'])).toBe(EXIT.ok);
    expect([err.join(''), out.join('').includes('［復号不可］')]).toEqual(['', false]);
  });

  maybeReadOnlyMount('a copy on a read-only file system cannot be read in place (SQLite makes its -shm beside a WAL-mode store): verify says so in both languages and how to go on, not "attempt to write a readonly database"', async () => {
    // given a store closed cleanly, copied onto a file system then mounted read-only
    const live = join(root, 'live');
    const store = new ChainedEventStore(new SqliteEventStore({ filename: join(live, EVENTS_FILE) }));
    await twoRoundApplication(store);
    await store.close();
    const disk = new TmpfsDisk('16m');
    try {
      disk.mount();
      const evidence = join(disk.mountPoint, 'evidence');
      mkdirSync(evidence);
      copyFileSync(join(live, EVENTS_FILE), join(evidence, EVENTS_FILE));
      expect(runCommand('mount', ['-o', 'remount,ro', disk.mountPoint]).ok).toBe(true);
      // when verify runs on it, then it fails saying why and what to do
      expect(await run(evidence, ['verify'])).toBe(EXIT.failure);
      const said = err.join('');
      expect(said).toContain('copy the evidence to a writable directory first');
      expect(said).toContain('書き込み可能なディレクトリにコピーしてから実行してください');
      expect(said).not.toContain('attempt to write a readonly database');
    } finally {
      disk.dispose();
    }
  });

  maybeReadOnlyMount('history on a read-only file system says why it cannot run (it logs what it shows in clear beside the store), not a bare EROFS', async () => {
    // given a copy taken with its write-ahead log and index (readable in place), on a file system mounted read-only
    const live = join(root, 'live');
    const store = new ChainedEventStore(new SqliteEventStore({ filename: join(live, EVENTS_FILE), writerThread: false, walAutocheckpointPages: 1_000_000 }));
    const { id } = await twoRoundApplication(store);
    const disk = new TmpfsDisk('16m');
    try {
      disk.mount();
      const evidence = join(disk.mountPoint, 'evidence');
      mkdirSync(evidence);
      for (const suffix of ['', '-wal', '-shm']) copyFileSync(join(live, EVENTS_FILE + suffix), join(evidence, EVENTS_FILE + suffix));
      await store.close();
      expect(runCommand('mount', ['-o', 'remount,ro', disk.mountPoint]).ok).toBe(true);
      expect(await run(evidence, ['verify'])).toBe(EXIT.ok);
      expect(await run(evidence, ['history', id, '--purpose', 'audit'])).toBe(EXIT.failure);
      expect(err.join('')).toContain('cannot be written (');
      expect(err.join('')).toContain('history, replay and a CSV export log what they show in clear and open the key store beside the store, so run them on a writable copy');
      expect(err.join('')).toContain('書き込み可能な写しで実行してください');
      expect(err.join('')).not.toMatch(/^EROFS/m);
    } finally {
      disk.dispose();
    }
  });

  it('a store whose writer holds even its schema in the write-ahead log (an API started on a new directory) is a store: the CLI works beside it', async () => {
    const dataDir = join(root, 'serving');
    mkdirSync(dataDir);
    const writer = new Database(join(dataDir, EVENTS_FILE));
    try {
      writer.pragma('journal_mode = WAL');
      writer.pragma('wal_autocheckpoint = 0');
      writer.exec("CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream_id, revision)) STRICT");
      expect(statSync(`${join(dataDir, EVENTS_FILE)}-wal`).size).toBeGreaterThan(0);
      expect(eventStoreFileProblem(dataDir, EVENTS_FILE)).toBeUndefined();
      expect(await run(dataDir, ['verify', '--application', 'x'])).toBe(EXIT.notFound);
      expect(err.join('')).not.toContain('holds no event store');
    } finally {
      writer.close();
    }
  });
});
