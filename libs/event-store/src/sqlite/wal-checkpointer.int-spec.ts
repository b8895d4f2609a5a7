import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { walCheckpointer } from './wal-checkpointer';
import { sqliteSpecFiles } from './testing/sqlite-spec-files';

/**
 * The checkpointer on real SQLite files, with the writer on the same thread so the order of
 * events is exact: the probe callback is the moment between a checkpoint's fsync and the pin's
 * release, and the test writes there as the writer thread might.
 */
describe('WAL checkpointer (checkpoints beside the writer, the WAL kept until the copy is confirmed)', () => {
  const files = sqliteSpecFiles('nws-wal-checkpointer-');
  const open: Database.Database[] = [];
  afterEach(() => open.splice(0).forEach((db) => db.close()));
  afterAll(files.cleanup);

  const setup = (restartAbovePages = 1_000) => {
    const file = files.file();
    const connect = () => {
      const db = new Database(file);
      open.push(db);
      return db;
    };
    const writer = connect();
    writer.pragma('journal_mode = WAL');
    const other = connect();
    other.pragma('busy_timeout = 0');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE t (x BLOB)');
    const insert = writer.prepare('INSERT INTO t (x) VALUES (randomblob(?))');
    const write = (bytes = 2_000) => insert.run(bytes);
    const pin = connect();
    const guard = connect();
    guard.pragma('busy_timeout = 1000');
    const checkpointer = connect();
    checkpointer.pragma('synchronous = FULL');
    let probe: () => void = () => undefined;
    let probes = 0;
    const checkpoints = walCheckpointer(
      pin,
      guard,
      checkpointer,
      () => {
        probes += 1;
        probe();
      },
      restartAbovePages,
    );
    return {
      file,
      connect,
      write,
      checkpoints,
      checkpointer,
      // Whether another connection could take the write lock right now (the writer thread's view).
      tryToWrite: () => {
        try {
          other.exec('BEGIN IMMEDIATE');
          other.exec('ROLLBACK');
          return 'written';
        } catch (error) {
          return (error as { code?: string }).code;
        }
      },
      rows: () => (writer.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n,
      probes: () => probes,
      onProbe: (next: () => void) => {
        probe = next;
      },
      // Salt-1 and salt-2 of the WAL header: SQLite changes them whenever it starts the WAL again.
      walSalt: () => readFileSync(`${file}-wal`).subarray(16, 24).toString('hex'),
    };
  };

  it('given committed frames, when a pass runs, then they are copied into the database file and probed, and the next commit starts the WAL again', () => {
    const s = setup();
    for (let i = 0; i < 20; i++) s.write();
    const salt = s.walSalt();

    const pass = s.checkpoints.pass();

    expect(pass).toMatchObject({ skipped: false, whole: false, held: false });
    expect(pass.log).toBeGreaterThan(0);
    expect(pass.checkpointed).toBe(pass.log);
    expect(s.probes()).toBe(1);
    s.write();
    expect(s.walSalt()).not.toBe(salt);
  });

  it('given a commit between the checkpoint and its probe (the writer does not wait), then that commit is appended to the WAL, not written over the frames just copied', () => {
    const s = setup();
    for (let i = 0; i < 20; i++) s.write();
    const salt = s.walSalt();
    const seen: string[] = [];
    s.onProbe(() => {
      // The checkpoint copied everything and no other reader is open: without the pin, SQLite
      // would start the WAL again here, and a lying fsync would have lost those frames' only copy.
      s.write();
      seen.push(s.walSalt());
    });

    const pass = s.checkpoints.pass();

    expect(pass).toMatchObject({ held: false });
    expect(pass.checkpointed).toBeGreaterThan(0);
    expect(seen).toEqual([salt]);
  });

  it('given the probe after a checkpoint fails, then the WAL is pinned: not started again by later commits, and later passes only probe, until one passes', () => {
    const s = setup();
    for (let i = 0; i < 20; i++) s.write();
    const salt = s.walSalt();
    s.onProbe(() => {
      throw Object.assign(new Error('read-only file system'), { code: 'EROFS' });
    });

    const failed = s.checkpoints.pass();
    expect(failed).toMatchObject({ held: true, error: { code: 'EROFS', message: 'read-only file system' } });
    expect(failed.checkpointed).toBe(failed.log);
    s.write();
    expect(s.walSalt()).toBe(salt);
    const still = s.checkpoints.pass();
    expect(still).toMatchObject({ held: true, checkpointed: 0, error: { code: 'EROFS' } });
    s.write();
    expect(s.walSalt()).toBe(salt);
    expect(s.probes()).toBe(2);

    s.onProbe(() => undefined);
    const recovered = s.checkpoints.pass();
    expect(recovered).toMatchObject({ held: false, skipped: false });
    expect(recovered.error).toBeUndefined();
    // The pin is gone and the pass copied the two later commits too: the WAL may start again.
    expect(recovered.checkpointed).toBe(recovered.log);
    s.write();
    expect(s.walSalt()).not.toBe(salt);
    expect(s.rows()).toBe(23);
  });

  it('given a WAL past the bound, when the next pass runs, then it holds the write lock until its probe, copies all of it, and the WAL starts again; the pass after is an ordinary one', () => {
    const s = setup(10);
    for (let i = 0; i < 20; i++) s.write();
    const ordinary = s.checkpoints.pass();
    expect(ordinary.whole).toBe(false);
    expect(ordinary.log).toBeGreaterThan(10);
    s.write();
    const salt = s.walSalt();
    const during: Array<string | undefined> = [];
    s.onProbe(() => during.push(s.tryToWrite()));

    const whole = s.checkpoints.pass();

    expect(whole).toMatchObject({ whole: true, held: false });
    expect(whole.checkpointed).toBe(whole.log);
    expect(during).toEqual(['SQLITE_BUSY']);
    s.write();
    expect(s.walSalt()).not.toBe(salt);
    const next = s.checkpoints.pass();
    expect(next.whole).toBe(false);
    expect(during).toEqual(['SQLITE_BUSY', 'written']);
  });

  it("given a WAL past the bound and a probe that fails, then the write lock is let go (the writer goes on after the WAL's end) and only the pin is held", () => {
    const s = setup(10);
    for (let i = 0; i < 20; i++) s.write();
    expect(s.checkpoints.pass().log).toBeGreaterThan(10);
    // Frames the next pass has to copy (with none, it would copy nothing and need no pin).
    s.write();
    const salt = s.walSalt();
    s.onProbe(() => {
      throw Object.assign(new Error('read-only file system'), { code: 'EROFS' });
    });

    const failed = s.checkpoints.pass();

    expect(failed).toMatchObject({ whole: true, held: true, error: { code: 'EROFS' } });
    expect(failed.checkpointed).toBe(failed.log);
    expect(s.tryToWrite()).toBe('written');
    s.write();
    expect(s.walSalt()).toBe(salt);
  });

  it('given a checkpoint that fails (not its probe), then the pass reports it, probes all the same, lets the WAL go, and the next pass checkpoints again', () => {
    const s = setup();
    for (let i = 0; i < 5; i++) s.write();
    // The database file cannot take the copy: a checkpoint whose own work fails.
    const realPragma = s.checkpointer.pragma.bind(s.checkpointer);
    let refuse = true;
    s.checkpointer.pragma = ((source: string, options?: Database.PragmaOptions) => {
      if (refuse && source.startsWith('wal_checkpoint')) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return realPragma(source, options);
    }) as typeof s.checkpointer.pragma;

    const failed = s.checkpoints.pass();
    expect(failed).toMatchObject({ held: false, skipped: false, checkpointed: 0, error: { code: 'SQLITE_FULL' } });
    expect(s.probes()).toBe(1);
    expect(s.tryToWrite()).toBe('written');

    refuse = false;
    const next = s.checkpoints.pass();
    expect(next).toMatchObject({ held: false, skipped: false });
    expect(next.error).toBeUndefined();
    expect(next.checkpointed).toBe(next.log);
  });

  it('given nothing committed since a pass copied everything, when passes run, then they skip the checkpoint and the probe (an idle store causes no disk writes)', () => {
    const s = setup();
    s.write();
    expect(s.checkpoints.pass()).toMatchObject({ skipped: false });
    expect(s.probes()).toBe(1);

    expect(s.checkpoints.pass()).toMatchObject({ skipped: true });
    expect(s.checkpoints.pass()).toMatchObject({ skipped: true });
    expect(s.probes()).toBe(1);

    s.write();
    expect(s.checkpoints.pass()).toMatchObject({ skipped: false });
    expect(s.probes()).toBe(2);
  });
});
