import { randomUUID } from 'node:crypto';
import { firstValueFrom, take, toArray, timeout } from 'rxjs';
import { WrongExpectedRevisionError, DuplicateEventIdError } from '../event-store.errors';
import type { EventStore, EventToAppend, RecordedEvent } from '../event-store.port';

export interface ContractSubject {
  readonly store: EventStore;
  /** Closes the store and removes what the test created. */
  readonly dispose: () => Promise<void>;
}

export interface ContractOptions {
  /** The stand-in or a real server shares one store across tests; stream names are unique anyway. */
  readonly sharedStore?: boolean;
}

const event = (type: string, data: Record<string, string | number> = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: { machineVersion: '1', correlationId: 'c-1' },
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/**
 * The event-store contract: every adapter (embedded SQLite, EventStoreDB through the real client
 * against the stand-in or a real server) must pass exactly these cases.
 */
export function describeEventStoreContract(
  adapterName: string,
  open: () => Promise<ContractSubject>,
  options: ContractOptions = {},
): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    const stream = () => `contract-${randomUUID()}`;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    describe('append with expected revision', () => {
      it('creates a stream with no_stream and returns its revision and global position', async () => {
        const id = stream();
        const result = await store.append(id, [event('A'), event('B')], 'no_stream');
        expect(result.nextExpectedRevision).toBe(1);
        expect(result.position).toBeGreaterThan(0);
        expect(await store.streamRevision(id)).toBe(1);
      });

      it('refuses no_stream when the stream exists, and appends nothing', async () => {
        const id = stream();
        await store.append(id, [event('A')], 'no_stream');
        await expect(store.append(id, [event('B')], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect((await collect(store.readStream(id))).map((e) => e.type)).toEqual(['A']);
      });

      it('appends at an exact revision and refuses a stale one with the actual revision', async () => {
        const id = stream();
        await store.append(id, [event('A')], 'no_stream');
        await store.append(id, [event('B')], 0);
        const error = await store.append(id, [event('C')], 0).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).toBe(1);
        expect((await collect(store.readStream(id))).map((e) => e.type)).toEqual(['A', 'B']);
      });

      it('stream_exists refuses a missing stream; any appends anywhere', async () => {
        const id = stream();
        await expect(store.append(id, [event('A')], 'stream_exists')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await store.append(id, [event('A')], 'any');
        await store.append(id, [event('B')], 'stream_exists');
        await store.append(id, [event('C')], 'any');
        expect(await store.streamRevision(id)).toBe(2);
      });

      it('of two concurrent appends at the same revision, exactly one wins', async () => {
        const id = stream();
        await store.append(id, [event('A')], 'no_stream');
        const outcomes = await Promise.allSettled([store.append(id, [event('B1')], 0), store.append(id, [event('B2')], 0)]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(rejected?.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.streamRevision(id)).toBe(1);
      });

      it('a failing append does not take down others committed with it', async () => {
        const ok = stream();
        const bad = stream();
        await store.append(bad, [event('A')], 'no_stream');
        const outcomes = await Promise.allSettled([
          store.append(ok, [event('X')], 'no_stream'),
          store.append(bad, [event('B')], 5),
          store.append(ok, [event('Y')], 0),
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect((await collect(store.readStream(ok))).map((e) => e.type)).toEqual(['X', 'Y']);
        expect((await collect(store.readStream(bad))).map((e) => e.type)).toEqual(['A']);
      });
    });

    describe('event ids make a retried append idempotent', () => {
      it('appending the same events again appends nothing and answers like the first time', async () => {
        const id = stream();
        const events = [event('A'), event('B')];
        const first = await store.append(id, events, 'no_stream');
        const again = await store.append(id, events, 'no_stream');
        expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect((await collect(store.readStream(id))).map((e) => e.id)).toEqual(events.map((e) => e.id));
      });

      it('says whether it wrote the caller\'s events or answered a repeat (when the adapter can tell)', async () => {
        const id = stream();
        const events = [event('A')];
        const first = await store.append(id, events, 'no_stream');
        const again = await store.append(id, events, 'no_stream');
        // Callers skip reading back only on `false`; `true` or absent sends them to the stored events.
        if (first.replayed !== undefined) expect(first.replayed).toBe(false);
        expect(again.replayed === false).toBe(false);
      });

      it('a repeat sent after the stream moved on (with `any`, `stream_exists` or its revision now) appends nothing and answers the first append', async () => {
        // What the hash chain makes of `any` is the stream's revision at the time: EventStoreDB
        // writes such a repeat again, under the same ids, unless the adapter looks for it.
        const id = stream();
        const events = [event('A'), event('B')];
        const first = await store.append(id, events, 'no_stream');
        const later = await store.append(id, [event('C')], first.nextExpectedRevision);
        for (const expected of ['any', 'stream_exists', later.nextExpectedRevision] as const) {
          const again = await store.append(id, events, expected);
          expect([expected, again.nextExpectedRevision, again.position, again.replayed === false]).toEqual([expected, first.nextExpectedRevision, first.position, false]);
        }
        expect((await collect(store.readStream(id))).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('stored ids sent again with a new one, or in another order, are refused, and nothing is appended', async () => {
        const id = stream();
        const [a, b] = [event('A'), event('B')];
        const first = await store.append(id, [a, b], 'no_stream');
        await expect(store.append(id, [a, event('D')], first.nextExpectedRevision)).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expect(store.append(id, [b, a], first.nextExpectedRevision)).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect((await collect(store.readStream(id))).map((e) => e.type)).toEqual(['A', 'B']);
      });

      it('reusing an event id for another stream is refused', async () => {
        const reused = event('A');
        await store.append(stream(), [reused], 'no_stream');
        await expect(store.append(stream(), [reused], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
      });
    });

    describe('reading', () => {
      it('reads a stream in revision order with data, metadata, ids and positions', async () => {
        const id = stream();
        const events = [event('A', { n: 1, text: '八王子市' }), event('B', { n: 2 }), event('C', { n: 3 })];
        await store.append(id, events, 'no_stream');
        const read = await collect(store.readStream(id));
        expect(read.map((e) => [e.id, e.type, e.revision, e.streamId])).toEqual(events.map((e, i) => [e.id, e.type, i, id]));
        expect(read[0]?.data).toEqual({ n: 1, text: '八王子市' });
        expect(read[0]?.metadata).toMatchObject({ machineVersion: '1', correlationId: 'c-1' });
        expect(Number.isNaN(Date.parse(read[0]?.recordedAt ?? ''))).toBe(false);
        const positions = read.map((e) => e.position);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      });

      it('reads a range of revisions', async () => {
        const id = stream();
        await store.append(id, [event('A'), event('B'), event('C'), event('D')], 'no_stream');
        const read = await collect(store.readStream(id, { fromRevision: 1, toRevision: 2 }));
        expect(read.map((e) => e.type)).toEqual(['B', 'C']);
      });

      it('asStored reads what is stored: an adapter returns the same events with or without it', async () => {
        const id = stream();
        await store.append(id, [event('A', { n: 1 }), event('B', { n: 2 })], 'no_stream');
        const plain = await collect(store.readStream(id, { fromRevision: 1 }));
        expect(await collect(store.readStream(id, { fromRevision: 1, asStored: true }))).toEqual(plain);
        expect(plain.map((e) => [e.type, e.data['n']])).toEqual([['B', 2]]);
      });

      it('a missing stream reads as empty and has no revision', async () => {
        const id = stream();
        expect(await collect(store.readStream(id))).toEqual([]);
        expect(await store.streamRevision(id)).toBeUndefined();
      });

      it('reads everything in global order, strictly after a position, with filters', async () => {
        const a = stream();
        const b = stream();
        const start = await store.headPosition();
        await store.append(a, [event('A1')], 'no_stream');
        await store.append(b, [event('B1')], 'no_stream');
        await store.append(a, [event('A2')], 0);
        const mine = (await collect(store.readAll({ after: start }))).filter((e) => e.streamId === a || e.streamId === b);
        expect(mine.map((e) => e.type)).toEqual(['A1', 'B1', 'A2']);
        const afterFirst = mine[0]?.position ?? 0;
        const rest = (await collect(store.readAll({ after: afterFirst }))).filter((e) => e.streamId === a || e.streamId === b);
        expect(rest.map((e) => e.type)).toEqual(['B1', 'A2']);
        const onlyA2 = await collect(store.readAll({ after: start, filter: { eventTypes: ['A2'] } }));
        expect(onlyA2.map((e) => e.streamId)).toEqual([a]);
        const onlyB = await collect(store.readAll({ after: start, filter: { streamPrefixes: [b] } }));
        expect(onlyB.map((e) => e.type)).toEqual(['B1']);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(mine[2]?.position ?? Infinity);
      });

      it('honours a limit when reading everything', async () => {
        const id = stream();
        const start = await store.headPosition();
        await store.append(id, [event('A'), event('B'), event('C')], 'no_stream');
        const limited = await collect(store.readAll({ after: start, limit: 2, filter: { streamPrefixes: [id] } }));
        expect(limited.map((e) => e.type)).toEqual(['A', 'B']);
      });
    });

    describe('subscription to all', () => {
      it('delivers catch-up then live events in order, without gaps or duplicates', async () => {
        const id = stream();
        const start = await store.headPosition();
        await store.append(id, [event('E1'), event('E2')], 'no_stream');
        const received = firstValueFrom(
          store.subscribeToAll({ after: start, filter: { streamPrefixes: [id] } }).pipe(take(5), toArray(), timeout(10_000)),
        );
        await store.append(id, [event('E3')], 1);
        await store.append(id, [event('E4'), event('E5')], 2);
        const events: RecordedEvent[] = await received;
        expect(events.map((e) => e.type)).toEqual(['E1', 'E2', 'E3', 'E4', 'E5']);
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      });

      it('starts strictly after the given position', async () => {
        const id = stream();
        await store.append(id, [event('E1')], 'no_stream');
        const second = await store.append(id, [event('E2')], 0);
        const received = firstValueFrom(
          store.subscribeToAll({ after: second.position, filter: { streamPrefixes: [id] } }).pipe(take(1), timeout(10_000)),
        );
        await store.append(id, [event('E3')], 1);
        expect((await received).type).toBe('E3');
      });

      it('filters by event type on the server side of the port', async () => {
        const id = stream();
        const start = await store.headPosition();
        const received = firstValueFrom(
          store
            .subscribeToAll({ after: start, filter: { eventTypes: [`Wanted-${id}`] } })
            .pipe(take(2), toArray(), timeout(10_000)),
        );
        await store.append(id, [event('Unwanted'), event(`Wanted-${id}`), event('Unwanted'), event(`Wanted-${id}`)], 'no_stream');
        const events = await received;
        expect(events.map((e) => e.revision)).toEqual([1, 3]);
      });
    });

    if (!options.sharedStore) {
      it('an empty store has head position 0 and reads nothing', async () => {
        expect(await store.headPosition()).toBe(0);
        expect(await collect(store.readAll())).toEqual([]);
      });
    }
  });
}
