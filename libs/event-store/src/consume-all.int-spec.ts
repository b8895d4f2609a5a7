import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { consumeAll } from './consume-all';
import type { RecordedEvent } from './event-store.port';

const ev = (type: string) => ({ id: randomUUID(), type, data: {}, metadata: {} });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('consumeAll', () => {
  let store: SqliteEventStore;
  let rowsRead: number;

  beforeEach(async () => {
    store = new SqliteEventStore({ filename: ':memory:', pageSize: 3 });
    for (let i = 0; i < 10; i++) await store.append(`s-${i % 2}`, [ev(i % 2 ? 'Odd' : 'Even')], 'any');
    // Count the rows the adapter hands out (its own readAll, unchanged).
    rowsRead = 0;
    const readAll = store.readAll.bind(store);
    store.readAll = (options) => {
      const inner = readAll(options);
      return { [Symbol.asyncIterator]: () => {
        const iterator = inner[Symbol.asyncIterator]();
        return { next: async () => { const result = await iterator.next(); if (!result.done) rowsRead += 1; return result; } };
      } };
    };
  });
  afterEach(() => store.close());

  it('given stored events and a slow handler, reads the next one only after the handler is done, in order, then takes live events', async () => {
    const handled: number[] = [];
    let readAhead = 0;
    const subscription = consumeAll(store, { after: 2 }, async (event: RecordedEvent) => {
      readAhead = Math.max(readAhead, rowsRead - handled.length);
      await tick();
      handled.push(event.position);
    }).subscribe();
    while (handled.length < 8) await tick();
    expect(readAhead).toBe(1);
    await store.append('s-live', [ev('Live')], 'no_stream');
    while (handled.length < 9) await tick();
    expect(handled).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    subscription.unsubscribe();
  });

  it('applies the filter, and no handler call starts after unsubscribe', async () => {
    const handled: string[] = [];
    let subscriptionRef: { unsubscribe(): void } | undefined;
    const subscription = consumeAll(store, { filter: { eventTypes: ['Odd'] } }, async (event) => {
      handled.push(`${event.position}:${event.type}`);
      if (handled.length === 2) subscriptionRef?.unsubscribe();
      await tick();
    }).subscribe();
    subscriptionRef = subscription;
    for (let i = 0; i < 20; i++) await tick();
    expect(handled).toEqual(['2:Odd', '4:Odd']);
  });

  it('errors when the handler fails, without calling it for later events', async () => {
    const handled: number[] = [];
    const failed = new Promise<unknown>((resolve) => {
      consumeAll(store, {}, async (event) => {
        handled.push(event.position);
        if (event.position === 4) throw new Error('reaction refused');
      }).subscribe({ error: resolve });
    });
    expect(String(await failed)).toContain('reaction refused');
    for (let i = 0; i < 5; i++) await tick();
    expect(handled).toEqual([1, 2, 3, 4]);
  });
});
