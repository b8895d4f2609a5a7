import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Sealer, WITNESS_FILE, WitnessFile, lastStoredSeal, makeSeal } from '@nws/audit';
import { twoRoundApplication } from '@nws/audit/testing/two-round-application';
import { ChainedEventStore } from '@nws/event-store';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { EXIT, runCli } from '../main';
import { capturedCliOutput } from '../testing/captured-output';

const ROOT = resolve(__dirname, '../../../..');

/** Every file under `dir` with a hash of its bytes: what a command must leave as it was. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, statSync(join(dir, name)).isDirectory() ? 'dir' : createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]));
}

/** The newest seal a store file holds (0: none), read as stored. */
async function newestSeal(file: string): Promise<number> {
  const store = new SqliteEventStore({ filename: file, readOnly: true, writerThread: false, commitDoorbell: false });
  try {
    return (await lastStoredSeal(store))?.seal.sequence ?? 0;
  } finally {
    await store.close();
  }
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((done) => setTimeout(done, 2));
  }
}

const children: ChildProcess[] = [];

/**
 * What the API does to DATA_DIR, in a process of its own so that its commits and seals really
 * race the copy: appends without pause, and a sealer sealing every few events (small debounce)
 * into the store, then the witness. `checkpoints: false` keeps every commit in the write-ahead
 * log, so a plain `cp` of the files gives a readable database (one copied mid-checkpoint may not be).
 */
async function writerProcess(dataDir: string, options: { checkpoints: boolean }): Promise<ChildProcess> {
  const sqlite = options.checkpoints ? '' : ', writerThread: false, walAutocheckpointPages: 1000000';
  const script = `
    const { join } = require('node:path');
    const { randomUUID } = require('node:crypto');
    const { ChainedEventStore } = require('@nws/event-store');
    const { SqliteEventStore } = require('@nws/event-store/sqlite');
    const { Sealer } = require(${JSON.stringify(join(ROOT, 'libs/audit/src/integrity/sealer.ts'))});
    const { WitnessFile } = require(${JSON.stringify(join(ROOT, 'libs/audit/src/integrity/witness-file.ts'))});
    const dir = ${JSON.stringify(dataDir)};
    let stopping = false;
    process.on('SIGTERM', () => { stopping = true; });
    (async () => {
      const store = new ChainedEventStore(new SqliteEventStore({ filename: join(dir, 'events.sqlite')${sqlite} }));
      let said = false;
      const sealer = new Sealer(store, {
        witness: new WitnessFile(join(dir, 'seals.jsonl')), debounceMs: 1, maxWaitMs: 5, maxEvents: 4,
        onSeal: (seal) => { if (seal.sequence >= 3 && !said) { said = true; process.stdout.write('sealing\\n'); } },
        onError: (error) => process.stderr.write('sealer: ' + error + '\\n'),
      });
      await sealer.start();
      const revisions = new Map();
      for (let n = 0; !stopping; n++) {
        const stream = 'application-' + (n % 5);
        const events = [{ id: randomUUID(), type: 'FormSaved', data: { n, text: '申請内容'.repeat(20) }, metadata: { occurredAt: new Date().toISOString(), actor: { sub: 'u', org: '132012', role: 'applicant' } } }];
        revisions.set(stream, (await store.append(stream, events, revisions.get(stream) ?? 'no_stream')).nextExpectedRevision);
      }
      await sealer.stop({ flush: true });
      await store.close();
      process.exit(0);
    })().catch((error) => { process.stderr.write(String(error && error.stack) + '\\n'); process.exit(1); });`;
  const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/register-ts.js'), '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((sealing, reject) => {
    child.stdout!.once('data', () => sealing());
    child.once('exit', (code) => reject(new Error(`the writer exited with ${code}`)));
  });
  return child;
}

async function stopWriter(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

describe('snapshot: a copy of the embedded store that verify holds together, taken while it is written (real SQLite files, a writer and sealer in another process)', () => {
  let root: string;
  const { out, err } = capturedCliOutput();

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nws-cli-snapshot-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await stopWriter(child);
    rmSync(root, { recursive: true, force: true });
  });

  const run = async (dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    out.length = 0;
    err.length = 0;
    process.exitCode = undefined;
    process.env['DATA_DIR'] = dataDir;
    delete process.env['EVENT_STORE'];
    Object.assign(process.env, env);
    return runCli(args);
  };

  const problemKinds = () => (JSON.parse(out.join('')) as { problems: Array<{ kind: string }> }).problems.map((p) => p.kind);

  it('taken 10 times while the writer appends and seals: every copy is the database and its witness alone, the witness ends at the copy’s newest seal or the one before, and verify says VALID (exit 0); DATA_DIR gets no file', async () => {
    const live = join(root, 'live');
    mkdirSync(live);
    const writer = await writerProcess(live, { checkpoints: true });
    const files = () => readdirSync(live).filter((name) => !name.startsWith('.')).sort();
    const before = files();
    const seals: number[] = [];
    for (let i = 0; i < 10; i++) {
      const copy = join(root, `snapshot-${i}`);
      expect(await run(live, ['snapshot', '--out', copy])).toBe(EXIT.ok);
      const newest = await newestSeal(join(copy, EVENTS_FILE));
      expect(out.join('')).toContain(`newest seal #${newest} (through position`);
      expect(readdirSync(copy).sort()).toEqual([EVENTS_FILE, WITNESS_FILE]);
      // The one thing a copy taken file by file gets wrong: the witness against the database.
      const witnessed = new WitnessFile(join(copy, WITNESS_FILE)).last()?.sequence;
      const ends = [newest - 1, newest].includes(witnessed ?? -1) ? 'at the copy’s newest seal or the one before' : witnessed;
      expect({ i, newest, ends }).toEqual({ i, newest, ends: 'at the copy’s newest seal or the one before' });
      expect(await run(copy, ['verify', '--json'])).toBe(EXIT.ok);
      expect(problemKinds()).toEqual([]);
      seals.push(newest);
      // The next copy is taken after more seals: each of them while the sealer runs.
      await until('the writer seals again', async () => (await newestSeal(join(live, EVENTS_FILE))) > newest);
    }
    expect(seals).toEqual([...new Set(seals)].sort((a, b) => a - b));
    expect(seals[0]).toBeGreaterThanOrEqual(3);
    await stopWriter(writer);
    expect(files().filter((name) => !before.includes(name) && !name.startsWith(`${EVENTS_FILE}-`))).toEqual([]);
  });

  it('a plain copy taken the same way is what verify calls TAMPERED: the database files then the witness (seal-missing-from-store), or the witness then the database (witness-behind-store); a snapshot at the same moment is VALID', async () => {
    const live = join(root, 'live');
    mkdirSync(live);
    await writerProcess(live, { checkpoints: false });
    const liveWitness = new WitnessFile(join(live, WITNESS_FILE));

    // The database first (`cp events.sqlite* …`), then the witness once the sealer sealed on, as it does while a large file copies.
    const databaseFirst = join(root, 'database-first');
    mkdirSync(databaseFirst);
    for (const suffix of ['', '-wal']) copyFileSync(join(live, EVENTS_FILE + suffix), join(databaseFirst, EVENTS_FILE + suffix));
    const copied = await newestSeal(join(databaseFirst, EVENTS_FILE));
    await until('the witness is two seals past the copy', () => (liveWitness.last()?.sequence ?? 0) >= copied + 2);
    copyFileSync(liveWitness.path, join(databaseFirst, WITNESS_FILE));
    expect(await run(databaseFirst, ['verify', '--json'])).toBe(EXIT.tampered);
    expect(problemKinds()).toContain('seal-missing-from-store');

    // The witness first, then the database once the store is two seals past it.
    const witnessFirst = join(root, 'witness-first');
    mkdirSync(witnessFirst);
    copyFileSync(liveWitness.path, join(witnessFirst, WITNESS_FILE));
    const witnessed = new WitnessFile(join(witnessFirst, WITNESS_FILE)).last()!.sequence;
    await until('the store is two seals past the witness', async () => (await newestSeal(join(live, EVENTS_FILE))) >= witnessed + 2);
    for (const suffix of ['', '-wal']) copyFileSync(join(live, EVENTS_FILE + suffix), join(witnessFirst, EVENTS_FILE + suffix));
    expect(await run(witnessFirst, ['verify', '--json'])).toBe(EXIT.tampered);
    expect(problemKinds()).toContain('witness-behind-store');

    const snapshot = join(root, 'snapshot');
    expect(await run(live, ['snapshot', '--out', snapshot])).toBe(EXIT.ok);
    expect(await run(snapshot, ['verify'])).toBe(EXIT.ok);
    expect(out.join('')).toMatch(/^VALID {2}store: /);
  });

  /** A store the API sealed and stopped, with the files a DATA_DIR also holds that a snapshot leaves out. */
  async function stoppedStore(): Promise<string> {
    const live = join(root, 'live');
    const store = new ChainedEventStore(new SqliteEventStore({ filename: join(live, EVENTS_FILE) }));
    const sealer = new Sealer(store, { witness: new WitnessFile(join(live, WITNESS_FILE)), debounceMs: 5 });
    await sealer.start();
    await twoRoundApplication(store);
    await sealer.stop({ flush: true });
    await store.close();
    writeFileSync(join(live, 'personal-data-keys.sqlite'), 'keys');
    writeFileSync(join(live, 'access-log.sqlite'), 'log');
    return live;
  }

  it('of a stopped store: DATA_DIR is left byte for byte, the copy holds the events and the whole witness and no key store, access log or read models, and says so; --help says why the keys are not copied', async () => {
    const live = await stoppedStore();
    const before = contents(live);
    const copy = join(root, 'copy');
    mkdirSync(copy);
    expect(await run(live, ['snapshot', '--out', copy])).toBe(EXIT.ok);
    expect(contents(live)).toEqual(before);
    expect(readdirSync(copy).sort()).toEqual([EVENTS_FILE, WITNESS_FILE]);
    expect(readFileSync(join(copy, WITNESS_FILE))).toEqual(readFileSync(join(live, WITNESS_FILE)));
    expect(out.join('')).toContain('not copied: the personal-data key store (a copy would escape every later erasure)');
    expect(await run(copy, ['verify'])).toBe(EXIT.ok);

    expect(await run(live, ['snapshot', '--help'])).toBe(EXIT.ok);
    const help = out.join('');
    expect(help).toContain('Not copied: the personal-data key store (PERSONAL_DATA_KEY_FILE');
    expect(help).toContain('would\nescape every later erasure');
    expect(help).toMatch(/Exit codes: 0 copied; 2 usage/);
  });

  it('refuses (exit 2, ja/en, naming --out) no --out, one not empty, a file, inside DATA_DIR (itself, below it, through a link) or under a missing directory; EVENT_STORE=esdb (exit 2); a DATA_DIR without a store (exit 3). Nothing is created or changed', async () => {
    const live = await stoppedStore();
    const before = contents(live);
    const full = join(root, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'older.txt'), 'x');
    writeFileSync(join(root, 'file'), 'x');
    symlinkSync(live, join(root, 'link'));
    const refusals: Array<[string[], RegExp, RegExp]> = [
      [[], /--out <dir> is required/, /--out <dir> を指定してください/],
      [['--out', full], /--out .*full is not empty \(older\.txt\): name a new or empty directory/, /は空ではありません/],
      [['--out', join(root, 'file')], /--out .*file is a file, not a directory/, /ディレクトリではなくファイルです/],
      [['--out', live], /--out .*live is inside DATA_DIR/, /は DATA_DIR .* の中です/],
      [['--out', join(live, 'copy')], /--out .*copy is inside DATA_DIR/, /の中です/],
      [['--out', join(root, 'link', 'copy')], /--out .*link\/copy is inside DATA_DIR/, /の中です/],
      [['--out', join(root, 'missing', 'copy')], /--out .*: the directory .*missing does not exist/, /がありません/],
    ];
    for (const [args, en, ja] of refusals) {
      expect({ args, code: await run(live, ['snapshot', ...args]) }).toEqual({ args, code: EXIT.usage });
      expect(err.join('')).toMatch(en);
      expect(err.join('')).toMatch(ja);
    }
    expect(await run(live, ['snapshot', '--out', join(root, 'esdb')], { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' })).toBe(EXIT.usage);
    expect(err.join('')).toContain('snapshot is for the embedded store (SQLite, DATA_DIR/events.sqlite): back up EventStoreDB (EVENT_STORE=esdb) with its own backup');
    expect(err.join('')).toContain('snapshot は組み込みストア');
    expect(await run(join(root, 'nowhere'), ['snapshot', '--out', join(root, 'copy')])).toBe(EXIT.notFound);
    expect(err.join('')).toContain('holds no event store');
    expect(contents(live)).toEqual(before);
    expect(contents(full)).toEqual({ 'older.txt': expect.any(String) });
    expect(readdirSync(root).sort()).toEqual(['file', 'full', 'link', 'live']);
  });

  it('a witness holding a seal the store does not (its newest seal and events removed): the whole witness is copied, the snapshot exits 4 saying so, and verify of the copy reports it', async () => {
    const live = await stoppedStore();
    const last = new WitnessFile(join(live, WITNESS_FILE)).last()!;
    const removed = makeSeal({ sequence: last.sequence + 1, fromPosition: last.toPosition + 1, toPosition: last.toPosition + 3, count: 3, rollingHash: last.rollingHash, previousSealHash: last.sealHash, sealedAt: new Date().toISOString() });
    appendFileSync(join(live, WITNESS_FILE), `${JSON.stringify(removed)}\n`);
    const copy = join(root, 'copy');
    expect(await run(live, ['snapshot', '--out', copy])).toBe(EXIT.tampered);
    expect(err.join('')).toContain(`holds seals through #${removed.sequence} but the store only through #${last.sequence}`);
    expect(err.join('')).toContain('ストアから削除されています');
    expect(readFileSync(join(copy, WITNESS_FILE))).toEqual(readFileSync(join(live, WITNESS_FILE)));
    expect(await run(copy, ['verify', '--json'])).toBe(EXIT.tampered);
    expect(problemKinds()).toContain('seal-missing-from-store');
  });
});
