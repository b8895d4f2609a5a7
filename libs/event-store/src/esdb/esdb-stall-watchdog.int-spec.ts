import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import type { Subscription } from 'rxjs';
import { startEsdbStandIn, type EsdbStandIn } from '../../../../test/esdb-stand-in/start-stand-in';
import { EventStoreUnavailableError } from '../event-store.errors';
import type { EventToAppend, RecordedEvent } from '../event-store.port';
import { resubscribing } from '../resubscribing';
import { EsdbEventStore } from './esdb-event-store';

/** Short periods so the test is quick; the bounds waited for are generous, never sleeps. */
const CHECK_MS = 100;
const RETRY = { attempts: 6, baseDelayMs: 20, maxDelayMs: 200, attemptTimeoutMs: 2_000 };

const ev = (type: string): EventToAppend => ({ id: randomUUID(), type, data: { type }, metadata: { test: 'esdb-stall' } });

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let standIn: EsdbStandIn;
let store: EsdbEventStore;
let subscription: Subscription | undefined;
beforeAll(async () => {
  standIn = await startEsdbStandIn();
});
beforeEach(() => {
  store = EsdbEventStore.fromConnectionString(standIn.connectionString, { retry: RETRY, subscriptionStallCheckMs: CHECK_MS });
});
afterEach(async () => {
  subscription?.unsubscribe();
  subscription = undefined;
  await store.close();
  await standIn.clearFaults();
});
afterAll(async () => {
  await standIn?.stop();
});

/** Subscribes to the events of streams under `prefix`, from the store's head. */
async function follow(prefix: string): Promise<{ received: RecordedEvent[]; errors: unknown[] }> {
  const received: RecordedEvent[] = [];
  const errors: unknown[] = [];
  const after = await store.headPosition();
  subscription = store.subscribeToAll({ after, filter: { streamPrefixes: [prefix] } }).subscribe({
    next: (event) => received.push(event),
    error: (error: unknown) => errors.push(error),
  });
  return { received, errors };
}

const requestsFor = async (prefix: string) => (await standIn.subscriptionRequests()).filter((request) => request.filter?.prefixes?.includes(prefix));
const readsServed = async () => (await standIn.stats()).calls.A.read ?? 0;
const subscribesServed = async () => (await standIn.stats()).calls.A.subscribe ?? 0;

/**
 * A node that stops sending to a live subscription and leaves the call open (frozen behind an
 * HTTP/2 layer that still answers keepalive pings) gave the subscriber no error and no events:
 * what followed the store through it (projections, the reactor, the sealer, the erasure watcher,
 * distribution's wake-ups) fell behind for good, until the process restarted.
 */
describe('EventStoreDB adapter: a live subscription the node stops sending to', () => {
  it('given the call left open and the next subscription not even confirmed, then the events after the stall arrive, once and in order, from where it got to', async () => {
    const stream = `stalled-subscription-${randomUUID()}`;
    const subscribesBefore = await subscribesServed();
    const { received, errors } = await follow(stream);
    const first = await store.append(stream, [ev('S1'), ev('S2')], 'no_stream');
    await eventually(() => received.length === 2, 'the events before the stall');

    expect(await standIn.stallSubscriptions()).toBe(1);
    // The node stays frozen for the first re-subscription: it is never confirmed.
    await standIn.inject({ kind: 'stall', operations: ['subscribe'], times: 1 });
    await store.append(stream, [ev('S3'), ev('S4')], 1);
    await eventually(() => received.length >= 4, 'the events after the stall');
    await store.append(stream, [ev('S5')], 3);
    await eventually(() => received.length >= 5, 'the event after the re-subscription');

    expect(received.map((event) => event.type)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
    expect(errors).toEqual([]);
    // The stalled one, the one never confirmed (the stand-in records no request it left unanswered), the one that delivered.
    expect((await subscribesServed()) - subscribesBefore).toBe(3);
    const requests = await requestsFor(stream);
    expect(requests).toHaveLength(2);
    // The re-subscription starts after S2 (what was received) and before S3: no duplicate, no gap.
    const from = requests[1]?.from;
    const s3 = received[2]?.position ?? 0;
    expect(typeof from === 'object' && from.commit >= first.position && from.commit < s3).toBe(true);
  });

  it('given a node that leaves every new subscription unanswered too, then the subscription ends as the store unavailable, and resubscribing picks up from where its consumer got to', async () => {
    const stream = `frozen-subscriptions-${randomUUID()}`;
    const received: RecordedEvent[] = [];
    const outages: unknown[] = [];
    subscription = resubscribing(() => store.subscribeToAll({ after: received.at(-1)?.position ?? 0, filter: { streamPrefixes: [stream] } }), {
      retryMs: 50,
      onError: (error) => outages.push(error),
    }).subscribe((event) => received.push(event));
    await store.append(stream, [ev('F1')], 'no_stream');
    await eventually(() => received.length === 1, 'the event before the stall');

    expect(await standIn.stallSubscriptions()).toBe(1);
    await standIn.inject({ kind: 'stall', operations: ['subscribe'], times: 1_000 });
    await store.append(stream, [ev('F2'), ev('F3')], 0);
    await eventually(() => outages.length > 0, 'the subscription to give up');
    expect(outages[0]).toBeInstanceOf(EventStoreUnavailableError);
    expect(String(outages[0])).toMatch(/nothing received/);
    expect(received).toHaveLength(1);

    await standIn.clearFaults();
    await eventually(() => received.length >= 3, 'the events after the node recovers');
    await store.append(stream, [ev('F4')], 2);
    await eventually(() => received.length >= 4, 'the event after that');
    expect(received.map((event) => event.type)).toEqual(['F1', 'F2', 'F3', 'F4']);
  });

  it('given a quiet subscription while the store takes only events its filter leaves out, then its probes find nothing owed and it is never subscribed again', async () => {
    const stream = `quiet-subscription-${randomUUID()}`;
    const { received, errors } = await follow(stream);
    await store.append(stream, [ev('Q1')], 'no_stream');
    await eventually(() => received.length === 1, 'the first event');

    // The head moves past what the subscription was sent, by events it must never be sent.
    for (let look = 0; look < 8; look += 1) {
      await store.append(`noise-${randomUUID()}`, [ev('Noise')], 'no_stream');
      const reads = await readsServed();
      await eventually(async () => (await readsServed()) > reads, 'a probe after the noise');
    }
    await store.append(stream, [ev('Q2')], 0);
    await eventually(() => received.length === 2, 'the next event');

    expect(received.map((event) => event.type)).toEqual(['Q1', 'Q2']);
    expect(errors).toEqual([]);
    expect(await requestsFor(stream)).toHaveLength(1);
  });
});

/**
 * What the client's own gRPC keepalive covers (connection string `keepAliveInterval` and
 * `keepAliveTimeout`, 10 s each by default): a node whose process is frozen answers no HTTP/2 ping,
 * so the client drops the connection and the subscription fails with UNAVAILABLE, which the adapter
 * subscribes again after. It does not cover the stalls above: there the node's HTTP/2 layer still
 * answers pings (as a proxy terminating HTTP/2 would, or a node whose subscription alone is stuck).
 */
describe('EventStoreDB client keepalive: a node whose process is frozen', () => {
  it('given keepalive at 1 s and the watchdog off, when the process freezes, then the connection is dropped, and once it thaws the events arrive once and in order', async () => {
    // The client recommends keepalive of 10 s or more: the shorter one only makes this test quick.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const frozen = await startEsdbStandIn();
    const client = EventStoreDBClient.connectionString(`${frozen.connectionString}&keepAliveInterval=1000&keepAliveTimeout=1000`);
    const subscribeToAll = client.subscribeToAll.bind(client);
    let subscribed = 0;
    jest.spyOn(client, 'subscribeToAll').mockImplementation((...args) => {
      subscribed += 1;
      return subscribeToAll(...args);
    });
    // Tries enough to outlast the freeze: only the drop and the resumption are under test.
    const keepAlive = new EsdbEventStore(client, { retry: { ...RETRY, attempts: 1_000 }, subscriptionStallCheckMs: 0 });
    const stream = `frozen-node-${randomUUID()}`;
    const received: RecordedEvent[] = [];
    const frozenSubscription = keepAlive.subscribeToAll({ after: await keepAlive.headPosition(), filter: { streamPrefixes: [stream] } }).subscribe((event) => received.push(event));
    try {
      await keepAlive.append(stream, [ev('K1')], 'no_stream');
      await eventually(() => received.length === 1, 'the event before the freeze');
      frozen.freeze();
      await eventually(() => subscribed >= 2, 'the dropped subscription to be opened again');
      frozen.thaw();
      await keepAlive.append(stream, [ev('K2'), ev('K3')], 0);
      await eventually(() => received.length >= 3, 'the events after the thaw');
      expect(received.map((event) => event.type)).toEqual(['K1', 'K2', 'K3']);
    } finally {
      frozenSubscription.unsubscribe();
      frozen.thaw();
      await keepAlive.close();
      await frozen.stop();
      warn.mockRestore();
    }
  });
});
