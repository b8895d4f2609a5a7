import { randomUUID } from 'node:crypto';
import { startEsdbStandIn } from '../../../../test/esdb-stand-in/start-stand-in';
import { EventStoreUnavailableError } from '../event-store.errors';
import { EsdbEventStore } from './esdb-event-store';

/**
 * A node that went away (its process gone, the port refusing connections) after the client had
 * connected: the client's first call fails while reconnecting, before any retryable error class
 * is made (the server-features probe fails with a raw gRPC status). Each operation must still end
 * in EventStoreUnavailableError (a 503 with Retry-After over HTTP), never a raw error (a 500).
 */
describe('EventStoreDB adapter: a node that is gone', () => {
  it('given a connected client, when the node stops, then appends and reads fail as the store being unavailable', async () => {
    const standIn = await startEsdbStandIn();
    const store = EsdbEventStore.fromConnectionString(standIn.connectionString, { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } });
    try {
      const stream = `gone-${randomUUID()}`;
      await store.append(stream, [{ id: randomUUID(), type: 'Noted', data: {}, metadata: {} }], 'no_stream');
      await standIn.stop();
      const outcomes = await Promise.all([
        store.append(stream, [{ id: randomUUID(), type: 'Noted', data: {}, metadata: {} }], 0).then(() => 'written', (e: unknown) => e),
        store.headPosition().then(() => 'read', (e: unknown) => e),
        store.streamRevision(stream).then(() => 'read', (e: unknown) => e),
      ]);
      for (const outcome of outcomes) expect(outcome).toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
    }
  }, 60_000);
});

/**
 * A node that takes the call and never answers (a frozen process, packets dropped): the batch
 * append's deadline is the server's to enforce, so the call waited for ever and every request
 * behind it hung. Each try is now bounded (attemptTimeoutMs), tried again with the same event ids
 * (idempotent), and the store said unavailable once the tries are spent.
 */
describe('EventStoreDB adapter: a node that does not answer', () => {
  it('given one append that is never answered, then the next try writes it, once; given none answered, then the store is unavailable within the tries', async () => {
    const standIn = await startEsdbStandIn();
    const store = EsdbEventStore.fromConnectionString(standIn.connectionString, { retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20, attemptTimeoutMs: 300 } });
    try {
      const stream = `stalled-${randomUUID()}`;
      await store.append(stream, [{ id: randomUUID(), type: 'Noted', data: {}, metadata: {} }], 'no_stream');
      await standIn.inject({ kind: 'stall', times: 1, operations: ['append'] });
      await store.append(stream, [{ id: randomUUID(), type: 'Noted', data: {}, metadata: {} }], 0);
      expect(await store.streamRevision(stream)).toBe(1);

      await standIn.inject({ kind: 'stall', times: 10, operations: ['append'] });
      await expect(store.append(stream, [{ id: randomUUID(), type: 'Noted', data: {}, metadata: {} }], 1)).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await standIn.clearFaults();
      expect(await store.streamRevision(stream)).toBe(1);

      // A read the node takes and never answers: the next try reads it.
      await standIn.inject({ kind: 'stall', times: 1, operations: ['read'] });
      const read: number[] = [];
      for await (const event of store.readStream(stream)) read.push(event.revision);
      expect(read).toEqual([0, 1]);
    } finally {
      await store.close();
      await standIn.stop();
    }
  }, 60_000);
});
