import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '../event-store.port';
import { EVENT_COLUMNS, type EventRow } from './sqlite-event-rows';
import { SqliteEventStore } from './sqlite-event-store';
import { SqliteLiveFeed } from './sqlite-live-feed';
import { sqliteSpecFiles } from './testing/sqlite-spec-files';

const files = sqliteSpecFiles('nws-feed-');
afterAll(files.cleanup);

const PAGE = 10;
const STORED = 1_000;

/** A store file with STORED events, and a feed over it reading PAGE rows at a time through its own connection. */
async function storeWithEvents() {
  const file = files.file();
  const store = new SqliteEventStore({ filename: file });
  for (let stream = 0; stream < STORED / 100; stream++) {
    await store.append(`s-${stream}`, Array.from({ length: 100 }, (_, i) => ({ id: randomUUID(), type: 'Happened', data: { stream, i }, metadata: {} })), 'no_stream');
  }
  await store.close();
  const db = new Database(file, { readonly: true });
  const read = db.prepare<[number, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true);
  let pageReads = 0;
  const feed = new SqliteLiveFeed({ readPage: (after) => ((pageReads += 1), read.all(after, PAGE)), pageSize: PAGE, pollIntervalMs: 600_000, head: () => STORED });
  return { feed, db, reads: () => pageReads };
}

/** Lets the event loop turn until `done` (a catch-up goes on one page per turn). */
async function turnsUntil(done: () => boolean, most = 10_000): Promise<void> {
  for (let turn = 0; !done() && turn < most; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('the embedded store’s live feed', () => {
  it('a catch-up lets the event loop turn between pages: timers, I/O and signals are not held off until it ends', async () => {
    // given a store of 1,000 events read 10 at a time
    const { feed, db } = await storeWithEvents();
    const positions: number[] = [];
    // when a subscriber catches up from 0, and something else waits for the next turn
    const subscription = feed.subscribe().subscribe((event: RecordedEvent) => positions.push(event.position));
    const atSubscribe = positions.length;
    const atNextTurn = await new Promise<number>((resolve) => setImmediate(() => resolve(positions.length)));
    // then the first page came at once, the waiting callback ran long before the catch-up ended
    expect(atSubscribe).toBe(PAGE);
    expect(atNextTurn).toBeLessThan(STORED / 2);
    // and the catch-up still ends with every event once, in order
    await turnsUntil(() => positions.length >= STORED);
    expect(positions).toEqual(Array.from({ length: STORED }, (_, i) => i + 1));
    subscription.unsubscribe();
    feed.stop();
    db.close();
  });

  it('a subscriber catching up from 0 gets every event in order, and the feed holds one page at most, not the pages read', async () => {
    // given a store of 1,000 events read 10 at a time
    const { feed, db, reads } = await storeWithEvents();
    const positions: number[] = [];
    let mostHeld = 0;
    // when two subscribers catch up from position 0
    const seen = [[], []] as [number[], number[]];
    const subscriptions = seen.map((mine) =>
      feed.subscribe().subscribe((event: RecordedEvent) => {
        mine.push(event.position);
        positions.push(event.position);
        mostHeld = Math.max(mostHeld, feed.heldRows);
      }),
    );
    await turnsUntil(() => positions.length >= 2 * STORED);
    // then each saw every event once, in order
    expect(positions).toHaveLength(2 * STORED);
    const first = seen[0];
    expect(first).toHaveLength(STORED);
    expect(first).toEqual([...first].sort((a, b) => a - b));
    expect(new Set(first).size).toBe(STORED);
    expect(seen[1]).toEqual(first);
    // and memory stayed at one page while they read, and after
    expect(mostHeld).toBe(PAGE);
    expect(feed.heldRows).toBeLessThanOrEqual(PAGE);
    // (and read it once between them: 100 full pages and the empty one that ends the catch-up,
    // each page shared, since both go on one page per turn of the event loop in step)
    await turnsUntil(() => reads() > STORED / PAGE, 10);
    expect(reads()).toBe(STORED / PAGE + 1);
    subscriptions.forEach((s) => s.unsubscribe());
    await new Promise((resolve) => setImmediate(resolve));
    expect(feed.heldRows).toBe(0);
    feed.stop();
    db.close();
  });

  it('subscribers at the same position after a commit share its page; after the turn the page is read again', async () => {
    const { feed, db, reads } = await storeWithEvents();
    const last = (db.prepare('SELECT max(position) AS p FROM events').get() as { p: number }).p;
    const seen = [0, 0, 0];
    const subscriptions = seen.map((_, i) => feed.subscribe({ after: last - 3 }).subscribe(() => (seen[i] = (seen[i] ?? 0) + 1)));
    expect(seen).toEqual([3, 3, 3]);
    expect(reads()).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    feed.subscribe({ after: last - 3 }).subscribe(() => undefined).unsubscribe();
    expect(reads()).toBe(2);
    subscriptions.forEach((s) => s.unsubscribe());
    feed.stop();
    db.close();
  });
});
