import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from './sqlite-event-store';
import { sqliteSpecFiles, storedEvents } from './testing/sqlite-spec-files';

/** Waits for a condition the checkpoint thread brings about (it runs on its own timer); generous, never a timing assertion. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SQLite event store: the checkpoint thread beside the writer', () => {
  const files = sqliteSpecFiles('nws-es-checkpoint-');
  afterAll(files.cleanup);
  const event = (i: number) => ({ id: randomUUID(), type: 'Noted', data: { i, text: 'x'.repeat(2_000) }, metadata: {} });

  it('given appends far past the WAL bound, then the thread copies the WAL into the database file and has it started again, and every event is there after a reopen', async () => {
    const file = files.file();
    // A bound of 4 × 25 frames, passes every 20 ms.
    const store = new SqliteEventStore({ filename: file, walAutocheckpointPages: 25, checkpointIntervalMs: 20 });
    const before = statSync(file).size;
    let appended = 0;
    try {
      // Appends without a pause, so the WAL is never all copied by the ordinary passes (between
      // two of them the writer commits more than the bound).
      const deadline = Date.now() + 20_000;
      while ((store.checkpointStats?.wholePasses ?? 0) < 2 && Date.now() < deadline) {
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(`s-${appended + i}`, [event(i)], 'no_stream')));
        appended += 20;
      }
      expect(store.checkpointStats?.wholePasses).toBeGreaterThanOrEqual(2);
      expect(store.checkpointStats).toMatchObject({ held: false });
      // The writer itself never checkpoints: what is in the database file, the thread put there.
      expect(statSync(file).size).toBeGreaterThan(before + 100 * 4_096);
      // With the load over, a pass copies what is left and the next commit starts the WAL again,
      // cutting its file back to the bound (100 frames of 4,096 + 24 bytes, and its header).
      const limit = 100 * 4_120 + 32;
      const bounded = Date.now() + 20_000;
      while (statSync(`${file}-wal`).size > limit && Date.now() < bounded) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await store.append(`after-${appended}`, [event(appended)], 'no_stream');
        appended += 1;
      }
      expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(limit);
    } finally {
      await store.close();
    }
    expect(storedEvents(file)).toBe(appended);
  });

  it("given the checkpoint thread stops other than by close, then it is reported and the writer's commits checkpoint again (also in a writer thread started after)", async () => {
    const file = files.file();
    const store = new SqliteEventStore({ filename: file, walAutocheckpointPages: 500, writerRestartDelayMs: 0 });
    const internals = (store as unknown as { commits: { thread: { pragma(source: string): number; stoppedFor(): number | undefined; worker: { terminate(): Promise<number> } }; checkpoints: { worker: { terminate(): Promise<number> } } } }).commits;
    const reasons: string[] = [];
    store.onCheckpointTrouble((reason) => reasons.push(reason));
    try {
      await store.append('s-1', [event(1)], 'no_stream');
      expect(internals.thread.pragma('wal_autocheckpoint')).toBe(0);

      await internals.checkpoints.worker.terminate();
      await eventually(() => reasons.length > 0, 'the stop reported');

      expect(reasons).toEqual([expect.stringMatching(/checkpoint thread stopped.*the writer's commits checkpoint the WAL from now on/)]);
      expect(internals.thread.pragma('wal_autocheckpoint')).toBe(500);
      await store.append('s-1', [event(2)], 0);
      // A writer thread that replaces a stopped one opens its connection the same way.
      const stopped = internals.thread;
      await stopped.worker.terminate();
      await eventually(() => stopped.stoppedFor() !== undefined, 'the writer thread seen stopped');
      await store.append('s-1', [event(3)], 1);
      expect(internals.thread).not.toBe(stopped);
      expect(internals.thread.pragma('wal_autocheckpoint')).toBe(500);
    } finally {
      await store.close();
    }
    expect(storedEvents(file)).toBe(3);
  });

  it('when the store closes, then a last whole pass copies the WAL and its probe confirms it, before SQLite checkpoints on its own at the last close', async () => {
    const file = files.file();
    // No ordinary pass in this test's lifetime: only the one at close can count.
    const store = new SqliteEventStore({ filename: file, checkpointIntervalMs: 3_600_000 });
    for (let i = 0; i < 30; i++) await store.append(`s-${i}`, [event(i)], 'no_stream');
    expect(store.checkpointStats).toMatchObject({ passes: 0, wholePasses: 0 });

    await store.close();

    // The thread's counters outlive it (shared memory): one pass, a whole one, over the 30 commits' frames.
    expect(store.checkpointStats).toMatchObject({ passes: 1, wholePasses: 1, held: false });
    expect(store.checkpointStats!.walFrames).toBeGreaterThanOrEqual(30);
    // Its probe moved the probe file into place.
    const probes = ['.checkpoint-probe-a', '.checkpoint-probe-b'].filter((name) => existsSync(join(dirname(file), name)));
    expect(probes).toHaveLength(1);
    expect(storedEvents(file)).toBe(30);
  });

  it('given a probe after a checkpoint that the file system refuses, then the store reports the problem and the WAL stays pinned until a probe passes', async () => {
    const file = files.file();
    const dir = dirname(file);
    // Both names of the checkpoint thread's probe taken by non-empty directories: it cannot move.
    for (const name of ['.checkpoint-probe-a', '.checkpoint-probe-b']) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'in-the-way'), '');
    }
    const store = new SqliteEventStore({ filename: file, checkpointIntervalMs: 2 });
    try {
      await store.append('s-1', [event(1)], 'no_stream');
      await eventually(() => store.checkpointStats?.held === true, 'the WAL held after the failed probe');
      await eventually(() => store.storageStatus.problem !== null, 'the problem reported');
      expect(store.storageStatus).toMatchObject({ problem: 'io-error', error: expect.stringMatching(/checkpoint.*ENOTEMPTY/) });
      // Commits go on (their own probe passes), and the held WAL stays on /health while it lasts.
      await store.append('s-1', [event(2)], 0);
      expect(store.storageStatus).toMatchObject({ problem: 'io-error', error: expect.stringMatching(/checkpoint/) });

      // The thread may move its probe into the emptied directory while it is removed (ENOTEMPTY): removed again then.
      rmSync(join(dir, '.checkpoint-probe-b'), { recursive: true, maxRetries: 20, retryDelay: 5 });
      await eventually(() => store.checkpointStats?.held === false, 'the WAL released after a probe passed');
      await eventually(() => store.storageStatus.problem === null, 'the problem cleared');
    } finally {
      await store.close();
    }
    expect(storedEvents(file)).toBe(2);
  });
});
