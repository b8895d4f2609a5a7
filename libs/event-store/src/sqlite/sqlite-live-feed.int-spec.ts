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

describe('the embedded store’s live feed', () => {
  it('a subscriber catching up from 0 gets every event in order, and the feed holds one page at most, not the pages read', async () => {
    // given a store of 1,000 events read 10 at a time
    const { feed, db, reads } = await storeWithEvents();
    const positions: number[] = [];
    let mostHeld = 0;
    // when two subscribers catch up from position 0 in the same turn of the event loop
    const subscriptions = [0, 1].map(() =>
      feed.subscribe().subscribe((event: RecordedEvent) => {
        positions.push(event.position);
        mostHeld = Math.max(mostHeld, feed.heldRows);
      }),
    );
    // then each saw every event once, in order
    expect(positions).toHaveLength(2 * STORED);
    const first = positions.slice(0, STORED);
    expect(first).toEqual([...first].sort((a, b) => a - b));
    expect(new Set(first).size).toBe(STORED);
    expect(positions.slice(STORED)).toEqual(first);
    // and memory stayed at one page while they read, and after
    expect(mostHeld).toBe(PAGE);
    expect(feed.heldRows).toBeLessThanOrEqual(PAGE);
    // (each read the store itself: 100 full pages and the empty one that ends the catch-up)
    expect(reads()).toBe(2 * (STORED / PAGE + 1));
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
