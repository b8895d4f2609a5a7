import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import type { Projection } from './projection';
import { ParkedEventNotFoundError, ProjectionRunner, type ProjectionFault } from './projection-runner';

/** Records every event it applies, in the order applied; throws on `Poison` while `broken`. */
function recordingProjection(name: string, behaviour: { broken?: () => boolean; failTimes?: number } = {}) {
  const calls = new Map<number, number>();
  let failuresLeft = behaviour.failTimes ?? 0;
  const table = name.replace(/-/g, '_');
  const projection: Projection = {
    name,
    tables: [table],
    schema: `CREATE TABLE IF NOT EXISTS ${table} (seq INTEGER PRIMARY KEY AUTOINCREMENT, position INTEGER NOT NULL UNIQUE, stream TEXT NOT NULL, type TEXT NOT NULL, blob TEXT)`,
    apply(db: Database.Database, event: RecordedEvent): void {
      calls.set(event.position, (calls.get(event.position) ?? 0) + 1);
      if (event.type === 'Poison' && behaviour.broken?.()) throw new Error(`cannot handle Poison at ${event.position}`);
      if (event.type === 'Flaky' && failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('flaky');
      }
      db.prepare(`INSERT INTO ${table} (position, stream, type, blob) VALUES (?, ?, ?, ?)`).run(event.position, event.streamId, event.type, typeof event.data['blob'] === 'string' ? event.data['blob'] : null);
    },
  };
  return { projection, calls, table };
}

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ProjectionRunner: catching up on a store larger than a page (real SQLite files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nws-runner-catch-up-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A store of 5,000 events (50 streams of 100), read 1,000 at a time. */
  async function storeOf5000(file: string): Promise<SqliteEventStore> {
    const store = new SqliteEventStore({ filename: join(dir, file), pageSize: 1000 });
    for (let stream = 0; stream < 50; stream++) {
      await store.append(`s-${stream}`, Array.from({ length: 100 }, (_, i) => ({ id: randomUUID(), type: 'Happened', data: { blob: String(i) }, metadata: {} })), 'no_stream');
    }
    return store;
  }

  it('start() catches up a page per turn of the event loop: the process answers timers, I/O and signals meanwhile, and every event is applied once, in order', async () => {
    // given 5,000 stored events, read 1,000 at a time
    const store = await storeOf5000('events.sqlite');
    const { projection, table } = recordingProjection('recorded');
    const runner = new ProjectionRunner(store, [projection], { filename: join(dir, 'read-models.sqlite') });
    // when it starts, and something else waits for the next turn of the event loop
    runner.start();
    const atNextTurn = await new Promise<number>((resolve) => setImmediate(() => resolve(runner.position)));
    // then that came long before the catch-up ended (it used to run to the end in one turn)
    expect(atNextTurn).toBeLessThan(5000);
    // and the catch-up still ends with every event applied once, in position order
    await eventually(() => runner.position === 5000);
    const positions = (runner.db.prepare(`SELECT position FROM ${table} ORDER BY seq`).all() as Array<{ position: number }>).map((r) => r.position);
    expect(positions).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    runner.close();
    await store.close();
  });

  it('a rebuild says which projections it is refilling until their tables hold every event again, and refills only those named; personal-data projections are the ones an erasure names', async () => {
    // given two projections caught up on 5,000 events, one holding personal data
    const store = await storeOf5000('events-refill.sqlite');
    const people = recordingProjection('people');
    const counts = recordingProjection('counts');
    const runner = new ProjectionRunner(store, [{ ...people.projection, personalData: true }, counts.projection], { filename: join(dir, 'read-models-refill.sqlite') });
    runner.start();
    await eventually(() => runner.position === 5000);
    expect(runner.personalDataProjections).toEqual(['people']);
    // when the personal-data projections are rebuilt
    const rebuilt = runner.rebuild(runner.personalDataProjections);
    // then, while it reads the store page by page, that one is refilling (part of its rows) and the other is not
    const duringRebuild = await new Promise<{ people: boolean; counts: boolean; rows: number }>((resolve) =>
      setImmediate(() => resolve({ people: runner.isRebuilding('people'), counts: runner.isRebuilding('counts'), rows: (runner.db.prepare(`SELECT count(*) AS n FROM ${people.table}`).get() as { n: number }).n })),
    );
    expect(duringRebuild).toMatchObject({ people: true, counts: false });
    expect(duringRebuild.rows).toBeLessThan(5000);
    await rebuilt;
    expect(runner.isRebuilding('people')).toBe(false);
    expect((runner.db.prepare(`SELECT count(*) AS n FROM ${people.table}`).get() as { n: number }).n).toBe(5000);
    // and the other's rows were never emptied: applied once each
    expect([...counts.calls.values()].every((n) => n === 1)).toBe(true);
    expect(counts.calls.size).toBe(5000);
    runner.close();
    await store.close();
  });

  it('waitFor answers at once when the read models are catching up (far behind), and waits for a write just behind them', async () => {
    // given read models 5,000 events behind the store (not started), with a catch-up lag of 1,000
    const store = await storeOf5000('events-lag.sqlite');
    const { projection } = recordingProjection('recorded-lag');
    const runner = new ProjectionRunner(store, [projection], { filename: join(dir, 'read-models-lag.sqlite'), readYourWritesLag: 1000 });
    // when a read waits for the head with a timeout no test would outlive, it is answered at once: stale
    await expect(runner.waitFor(await store.headPosition(), 600_000)).resolves.toBe(false);
    // and once caught up, a read waiting for a write just behind the read models waits for it
    runner.start();
    await eventually(() => runner.position === 5000);
    const waiting = runner.waitFor(5001, 600_000);
    await store.append('s-late', [{ id: randomUUID(), type: 'Happened', data: {}, metadata: {} }], 'no_stream');
    await expect(waiting).resolves.toBe(true);
    runner.close();
    await store.close();
  });
});

describe('ProjectionRunner: a projection that throws on one event (real SQLite files)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  function files() {
    const dir = mkdtempSync(join(tmpdir(), 'nws-runner-'));
    dirs.push(dir);
    return { events: join(dir, 'events.sqlite'), readModels: join(dir, 'read-models.sqlite') };
  }
  const ev = (type: string, data: Record<string, string> = {}) => ({ id: randomUUID(), type, data: { ...data }, metadata: {} });
  const positionsIn = (runner: ProjectionRunner, table: string) => (runner.db.prepare(`SELECT position FROM ${table} ORDER BY seq`).all() as Array<{ position: number }>).map((r) => r.position);

  /** a:A1(1) b:B1(2) a:Poison(3) c:C1(4) a:A2(5) b:B2(6) */
  async function seed(store: SqliteEventStore): Promise<void> {
    await store.append('a', [ev('A1')], 'no_stream');
    await store.append('b', [ev('B1')], 'no_stream');
    await store.append('a', [ev('Poison')], 0);
    await store.append('c', [ev('C1')], 'no_stream');
    await store.append('a', [ev('A2')], 1);
    await store.append('b', [ev('B2')], 0);
  }

  it('retries it, then parks it for that projection only, applies everything else and keeps the checkpoint with the parked row; replay after the fix applies the stream in order', async () => {
    const f = files();
    const store = new SqliteEventStore({ filename: f.events });
    await seed(store);
    let broken = true;
    const flaky = recordingProjection('flaky', { broken: () => broken });
    const healthy = recordingProjection('healthy');
    const faults: ProjectionFault[] = [];
    const runner = new ProjectionRunner(store, [flaky.projection, healthy.projection], { filename: f.readModels, maxAttempts: 3, retryDelayMs: 5, onFault: (fault) => faults.push(fault) });
    runner.start();
    expect(await runner.waitFor(6, 5000)).toBe(true);

    // Retried, then parked: the handler ran exactly maxAttempts times on the poisoned event.
    expect(flaky.calls.get(3)).toBe(3);
    expect(faults.map((f) => [f.projection, f.position, f.attempt, f.outcome])).toEqual([
      ['flaky', 3, 1, 'retry'],
      ['flaky', 3, 2, 'retry'],
      ['flaky', 3, 3, 'parked'],
    ]);
    // The other projection applied every event, the poisoned one included.
    expect(positionsIn(runner, healthy.table)).toEqual([1, 2, 3, 4, 5, 6]);
    // The failing projection applied the rest, except the later event of the same stream (held, for order).
    expect(positionsIn(runner, flaky.table)).toEqual([1, 2, 4, 6]);
    expect(runner.checkpoint('flaky')).toBe(6);
    expect(runner.checkpoint('healthy')).toBe(6);
    expect(runner.parked()).toEqual([
      expect.objectContaining({ projection: 'flaky', position: 3, streamId: 'a', type: 'Poison', reason: 'failed', attempts: 3, error: 'Error: cannot handle Poison at 3' }),
      expect.objectContaining({ projection: 'flaky', position: 5, streamId: 'a', type: 'A2', reason: 'held', attempts: 0, error: null }),
    ]);
    expect(runner.parkedCounts()).toEqual({ flaky: { failed: 1, held: 1 }, healthy: { failed: 0, held: 0 } });
    expect(runner.status.state).toBe('running');

    // A new event of the poisoned stream is held too; other streams go on.
    await store.append('a', [ev('A3')], 2);
    await store.append('c', [ev('C2')], 0);
    expect(await runner.waitFor(8, 5000)).toBe(true);
    expect(positionsIn(runner, flaky.table)).toEqual([1, 2, 4, 6, 8]);
    expect(runner.parked({ projection: 'flaky' }).map((p) => [p.position, p.reason])).toEqual([[3, 'failed'], [5, 'held'], [7, 'held']]);

    // Replaying while still broken: one more attempt recorded, nothing applied, all stays parked.
    const again = await runner.replayParked(3);
    expect(again).toEqual([{ projection: 'flaky', streamId: 'a', applied: [], failed: { position: 3, error: 'Error: cannot handle Poison at 3' }, stillParked: [3, 5, 7] }]);
    expect(runner.parked({ projection: 'flaky' })[0]).toMatchObject({ position: 3, attempts: 4 });

    // Fixed: replay applies the failed event and what was held behind it, in order, and unparks them.
    broken = false;
    const replayed = await runner.replayParked(3);
    expect(replayed).toEqual([{ projection: 'flaky', streamId: 'a', applied: [3, 5, 7], failed: null, stillParked: [] }]);
    expect(positionsIn(runner, flaky.table)).toEqual([1, 2, 4, 6, 8, 3, 5, 7]);
    expect(runner.parked()).toEqual([]);
    await expect(runner.replayParked(3)).rejects.toBeInstanceOf(ParkedEventNotFoundError);
    // Nothing is held any more: the next event of the stream is applied at once.
    await store.append('a', [ev('A4')], 3);
    expect(await runner.waitFor(9, 5000)).toBe(true);
    expect(positionsIn(runner, flaky.table).at(-1)).toBe(9);
    runner.close();
    await store.close();
  });

  it('an event that fails only transiently is retried and applied, never parked', async () => {
    const f = files();
    const store = new SqliteEventStore({ filename: f.events });
    await store.append('s', [ev('A'), ev('Flaky'), ev('B')], 'no_stream');
    const flaky = recordingProjection('flaky', { failTimes: 2 });
    const runner = new ProjectionRunner(store, [flaky.projection], { filename: f.readModels, maxAttempts: 3, retryDelayMs: 5 });
    runner.start();
    expect(await runner.waitFor(3, 5000)).toBe(true);
    expect(flaky.calls.get(2)).toBe(3);
    expect(positionsIn(runner, flaky.table)).toEqual([1, 2, 3]);
    expect(runner.parked()).toEqual([]);
    runner.close();
    await store.close();
  });

  it('parked events survive a restart, and the stream stays held behind them', async () => {
    const f = files();
    const store = new SqliteEventStore({ filename: f.events });
    await seed(store);
    const first = recordingProjection('flaky', { broken: () => true });
    const runner = new ProjectionRunner(store, [first.projection], { filename: f.readModels, maxAttempts: 2, retryDelayMs: 5 });
    runner.start();
    expect(await runner.waitFor(6, 5000)).toBe(true);
    runner.close();

    await store.append('a', [ev('A3')], 2);
    const second = recordingProjection('flaky', { broken: () => true });
    const reopened = new ProjectionRunner(store, [second.projection], { filename: f.readModels, maxAttempts: 2, retryDelayMs: 5 });
    reopened.start();
    expect(await reopened.waitFor(7, 5000)).toBe(true);
    expect(second.calls.has(7)).toBe(false);
    expect(reopened.parked().map((p) => [p.position, p.reason, p.attempts])).toEqual([[3, 'failed', 2], [5, 'held', 0], [7, 'held', 0]]);
    reopened.close();
    await store.close();
  });

  it('rebuild runs every event again: what still fails is parked again (first parked time kept), what was fixed is applied; both lists are returned', async () => {
    const f = files();
    const store = new SqliteEventStore({ filename: f.events });
    await seed(store);
    let broken = true;
    const flaky = recordingProjection('flaky', { broken: () => broken });
    const runner = new ProjectionRunner(store, [flaky.projection], { filename: f.readModels, maxAttempts: 2, retryDelayMs: 5 });
    runner.start();
    expect(await runner.waitFor(6, 5000)).toBe(true);
    const firstParkedAt = runner.parked()[0]!.parkedAt;

    const stillBroken = await runner.rebuild();
    expect(stillBroken.parkedBefore.map((p) => p.position)).toEqual([3, 5]);
    expect(stillBroken.parkedAfter.map((p) => [p.position, p.reason])).toEqual([[3, 'failed'], [5, 'held']]);
    expect(stillBroken.parkedAfter[0]).toMatchObject({ parkedAt: firstParkedAt, attempts: 4 });
    expect(positionsIn(runner, flaky.table)).toEqual([1, 2, 4, 6]);

    broken = false;
    const fixed = await runner.rebuild();
    expect(fixed.parkedBefore.map((p) => p.position)).toEqual([3, 5]);
    expect(fixed.parkedAfter).toEqual([]);
    expect(positionsIn(runner, flaky.table)).toEqual([1, 2, 3, 4, 5, 6]);
    runner.close();
    await store.close();
  });

  it('a full read-model database stalls the runner without losing or skipping anything, and parks only together with the checkpoint; it catches up once there is room', async () => {
    const f = files();
    const store = new SqliteEventStore({ filename: f.events });
    await store.append('a', [ev('A1')], 'no_stream');
    const healthy = recordingProjection('healthy');
    const flaky = recordingProjection('flaky', { broken: () => true });
    const stalls: string[] = [];
    let recovered = 0;
    const runner = new ProjectionRunner(store, [healthy.projection, flaky.projection], {
      filename: f.readModels,
      maxAttempts: 2,
      retryDelayMs: 5,
      maxRetryDelayMs: 20,
      onStall: (error) => stalls.push(error.problem),
      onRecovered: () => (recovered += 1),
    });
    runner.start();
    expect(await runner.waitFor(1, 5000)).toBe(true);

    // The read-model file may not grow any more: rows of ~20 KB need new pages.
    runner.db.pragma(`max_page_count = ${Number(runner.db.pragma('page_count', { simple: true }))}`);
    await store.append('b', [ev('B1', { blob: 'x'.repeat(20_000) })], 'no_stream');
    await store.append('a', [ev('Poison')], 0);
    await eventually(() => runner.status.state === 'stalled' && stalls.length >= 2);
    expect(runner.status.storage).toMatchObject({ problem: 'full' });
    expect(runner.checkpoint('healthy')).toBe(1);
    expect(runner.checkpoint('flaky')).toBe(1);
    expect(runner.parked()).toEqual([]);
    expect(positionsIn(runner, healthy.table)).toEqual([1]);

    // Stalled, waitFor does not make readers wait: it answers at once.
    expect(await runner.waitFor(3, 5000)).toBe(false);
    runner.db.pragma('max_page_count = 4294967294');
    await eventually(() => runner.position >= 3);
    expect(runner.status.state).toBe('running');
    expect(runner.status.storage).toBeNull();
    expect(recovered).toBe(1);
    expect(positionsIn(runner, healthy.table)).toEqual([1, 2, 3]);
    expect(positionsIn(runner, flaky.table)).toEqual([1, 2]);
    expect(runner.parked().map((p) => [p.projection, p.position])).toEqual([['flaky', 3]]);
    runner.close();
    await store.close();
  });

  it('a parked row and its checkpoint move together: when the parking transaction cannot be written, neither is', async () => {
    const f = files();
    const store = new SqliteEventStore({ filename: f.events });
    await store.append('a', [ev('A1')], 'no_stream');
    const flaky = recordingProjection('flaky', { broken: () => true });
    const faults: ProjectionFault[] = [];
    const runner = new ProjectionRunner(store, [flaky.projection], { filename: f.readModels, maxAttempts: 2, retryDelayMs: 30, maxRetryDelayMs: 30, onFault: (fault) => faults.push(fault) });
    runner.start();
    expect(await runner.waitFor(1, 5000)).toBe(true);
    // The database takes no more writes (SQLITE_READONLY): the handler fails, and parking cannot be stored.
    runner.db.pragma('query_only = ON');
    await store.append('a', [ev('Poison')], 0);
    await eventually(() => faults.length >= 1 && runner.status.state === 'stalled');
    expect(runner.status.storage).toMatchObject({ problem: 'read-only' });
    expect(runner.checkpoint('flaky')).toBe(1);
    expect(runner.parked()).toEqual([]);
    runner.db.pragma('query_only = OFF');
    await eventually(() => runner.position >= 2);
    expect(runner.parked().map((p) => p.position)).toEqual([2]);
    expect(runner.checkpoint('flaky')).toBe(2);
    runner.close();
    await store.close();
  });
});
