import { SqliteEventStore } from '@nws/event-store/sqlite';
import type { EventStore, EventToAppend } from '@nws/event-store';
import { unmetStreamRequirements } from './stream-requirements';
import type { StreamsContent } from './workflow-definition';

const event = (id: string, type: string): EventToAppend => ({ id, type, data: {}, metadata: { occurredAt: '2026-12-08T00:00:00.000Z' } });

/** Several streams read together (StreamsContent): what each selection picks, and each stream read once however many select from it. */
describe('streams read together', () => {
  it('given two selections of one stream and one of another, then each picks its last event, and each stream is read once', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const reads: string[] = [];
    // The real store, its reads counted.
    const counted = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'readStream') return (streamId: string, options?: object) => (reads.push(streamId), target.readStream(streamId, options));
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as EventStore;
    try {
      await store.append('versions', [event('v1', 'Registered'), event('v2', 'Connected'), event('v3', 'Registered')], 'no_stream');
      await store.append('ends', [event('e1', 'Ended'), event('e2', 'Other')], 'no_stream');
      let seen: unknown[] = [];
      const requirement: StreamsContent = {
        streams: [
          { streamId: 'versions', select: (e) => e.type === 'Registered' },
          { streamId: 'versions', select: (e) => e.type === 'Connected' },
          { streamId: 'ends', select: (e) => e.type === 'Ended' },
          { streamId: 'none' },
        ],
        check: (events) => ((seen = events.map((e) => e?.id)), []),
      };
      expect(await unmetStreamRequirements(counted, [requirement])).toEqual([]);
      expect(seen).toEqual(['v3', 'v2', 'e1', undefined]);
      expect(reads.sort()).toEqual(['ends', 'none', 'versions']);
    } finally {
      await store.close();
    }
  });
});
