import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { StorageUnavailableError } from '../storage.errors';
import { commitProbe } from './commit-probe';
import { SqliteEventStore } from './sqlite-event-store';
import { sqliteSpecFiles, storedEvents } from './testing/sqlite-spec-files';

const fs = { renameSync, mkdirSync };

async function readAll<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('commit probe (a metadata change after every commit, on the real file system)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const directory = () => {
    const dir = mkdtempSync(join(tmpdir(), 'nws-probe-'));
    dirs.push(dir);
    return dir;
  };
  const probes = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('.commit-probe-'));

  it('given a new directory, when probed again and again, then one probe directory moves between its two names', () => {
    const dir = directory();
    const probe = commitProbe(fs, dir);
    const seen: string[][] = [];
    for (let i = 0; i < 4; i++) {
      probe();
      seen.push(probes(dir));
    }
    expect(seen).toEqual([['.commit-probe-b'], ['.commit-probe-a'], ['.commit-probe-b'], ['.commit-probe-a']]);
  });

  it('given the probe left under either name by an earlier process, when a new process probes, then it moves it (no second directory)', () => {
    for (const left of ['.commit-probe-a', '.commit-probe-b']) {
      const dir = directory();
      mkdirSync(join(dir, left));
      const probe = commitProbe(fs, dir);
      probe();
      const after = probes(dir);
      probe();
      expect({ left, after, then: probes(dir) }).toEqual({
        left,
        after: [left === '.commit-probe-a' ? '.commit-probe-b' : '.commit-probe-a'],
        then: [left],
      });
    }
  });

  it('given another process probing the same directory, when it moves the probe between our mkdir and our rename back, then we probe again instead of reporting a refusal', () => {
    const dir = directory();
    const a = join(dir, '.commit-probe-a');
    const b = join(dir, '.commit-probe-b');
    const other = commitProbe(fs, dir);
    let cutIn = false;
    // The real file system; the other process's probe runs right before our rename back (b → a… here a → b).
    const racing = {
      mkdirSync,
      renameSync(from: string, to: string) {
        if (cutIn && from === a && to === b) {
          cutIn = false;
          other();
        }
        renameSync(from, to);
      },
    };
    const ours = commitProbe(racing, dir);
    ours(); // creates b; ours now at b
    other(); // at a, finds no a, cannot create b, renames b back to a; the other stays at a
    expect(probes(dir)).toEqual(['.commit-probe-a']);
    cutIn = true;
    // Ours: b → a fails (ENOENT), mkdir a → EEXIST, then, as ours renames a back to b, the other
    // moves a to b first: ours gets ENOENT there, probes again and moves b to a.
    expect(() => ours()).not.toThrow();
    expect(cutIn).toBe(false);
    expect(probes(dir)).toEqual(['.commit-probe-a']);
    expect(existsSync(b)).toBe(false);
  });

  it('given a data directory that is gone, when probed, then it throws (ENOENT every time)', () => {
    const dir = directory();
    const probe = commitProbe(fs, join(dir, 'removed'));
    expect(() => probe()).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('given a change the file system refuses, when probed, then it throws the file system error', () => {
    const dir = directory();
    const probe = commitProbe(fs, dir);
    probe(); // now at .commit-probe-b; the next move is to .commit-probe-a
    mkdirSync(join(dir, '.commit-probe-a'));
    writeFileSync(join(dir, '.commit-probe-a', 'in-the-way'), '');
    expect(() => probe()).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
  });
});

describe('SQLite event store: a commit the file system cannot confirm', () => {
  const files = sqliteSpecFiles('nws-es-probe-');
  afterAll(files.cleanup);
  const event = (type: string) => ({ id: randomUUID(), type, data: { type }, metadata: {} });

  describe.each([
    ['through the writer thread', true],
    ["on the caller's thread", false],
  ])('writing %s', (_mode, writerThread) => {
    it('given the probe after COMMIT fails, when appending, then the caller hears "outcome unknown" (503), never "stored", and reads stop at the last durable event; the same events sent again are answered as a replay, stored once, shown again', async () => {
      const file = files.file();
      const dir = dirname(file);
      const store = new SqliteEventStore({ filename: file, writerThread });
      try {
        await store.append('s-1', [event('A')], 'no_stream');
        // The probe sits at .commit-probe-b: put a non-empty directory where it moves next.
        expect(existsSync(join(dir, '.commit-probe-b'))).toBe(true);
        mkdirSync(join(dir, '.commit-probe-a'));
        writeFileSync(join(dir, '.commit-probe-a', 'in-the-way'), '');

        const unconfirmed = [event('B'), event('C')];
        const failure = await store.append('s-1', unconfirmed, 0).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(StorageUnavailableError);
        const error = failure as StorageUnavailableError;
        expect({ problem: error.problem, outcomeUnknown: (error.cause as { outcomeUnknown?: boolean }).outcomeUnknown, message: error.message }).toEqual({
          problem: 'io-error',
          outcomeUnknown: true,
          message: expect.stringMatching(/committed, but the file system failed right after .*ENOTEMPTY.*durability not confirmed/),
        });
        expect(store.storageStatus.problem).toBe('io-error');
        // SQLite committed it (another connection sees both events), but the store shows only what is durable.
        expect(storedEvents(file)).toBe(3);
        const shown = async () => ({
          stream: (await readAll(store.readStream('s-1'))).map((e) => e.type),
          all: (await readAll(store.readAll())).map((e) => e.type),
          revision: await store.streamRevision('s-1'),
          head: await store.headPosition(),
        });
        expect(await shown()).toEqual({ stream: ['A'], all: ['A'], revision: 0, head: 1 });

        rmSync(join(dir, '.commit-probe-a'), { recursive: true });
        const again = await store.append('s-1', unconfirmed, 0);
        expect(again).toMatchObject({ nextExpectedRevision: 2, replayed: true });
        expect(storedEvents(file)).toBe(3);
        expect(store.storageStatus.problem).toBeNull();
        expect(await shown()).toEqual({ stream: ['A', 'B', 'C'], all: ['A', 'B', 'C'], revision: 2, head: 3 });
      } finally {
        await store.close();
      }
    });
  });

  it('given a batch the writer thread has committed but not yet answered for (its probe\'s verdict still on the way), when this thread reads, then it does not see that batch; once answered, it does', async () => {
    const file = files.file();
    const store = new SqliteEventStore({ filename: file, writerThread: true });
    try {
      await store.append('s-1', [event('A')], 'no_stream');
      const appending = store.append('s-1', [event('B')], 0);
      // The batch leaves for the writer at the next check phase; this callback runs right after it.
      await new Promise((resolve) => setImmediate(resolve));
      // Wait without yielding (the writer's answer cannot be taken meanwhile) until SQLite has committed B.
      const deadline = Date.now() + 10_000;
      while (storedEvents(file) < 2) if (Date.now() > deadline) throw new Error('the writer did not commit B within 10 s');
      // Each read runs its query at the first next(), still before this thread can take the answer.
      const types = (events: AsyncIterable<{ type: string }>) => events[Symbol.asyncIterator]().next().then((r) => (r.done ? [] : [r.value.type]));
      const stream = store.readStream('s-1', { fromRevision: 1 });
      const all = store.readAll({ after: 1 });
      const before = await Promise.all([types(stream), types(all), store.streamRevision('s-1'), store.headPosition()]);
      expect(before).toEqual([[], [], 0, 1]);
      expect(await appending).toMatchObject({ nextExpectedRevision: 1 });
      expect(await Promise.all([types(store.readStream('s-1', { fromRevision: 1 })), types(store.readAll({ after: 1 })), store.streamRevision('s-1'), store.headPosition()])).toEqual([['B'], ['B'], 1, 2]);
    } finally {
      await store.close();
    }
  });
});
