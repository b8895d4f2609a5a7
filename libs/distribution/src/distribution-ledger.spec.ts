import { firstValueFrom } from 'rxjs';
import { ForwardingEventStore, type ReadAllOptions, type RecordedEvent } from '@nws/event-store';
import { parseConsumers } from './distribution.config';
import { DistributionLedger } from './distribution-ledger';
import { LedgerFixture } from './testing/ledger-fixture';

/** Stands for the decrypting store: counts the events read through it. */
class CountingStore extends ForwardingEventStore {
  read: number[] = [];
  override readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    const inner = this.inner.readAll(options);
    const read = this.read;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const event of inner) {
          read.push(event.position);
          yield event;
        }
      },
    };
  }
  override subscribeToAll(): never {
    throw new Error('the watch reads the events as stored');
  }
}

describe('DistributionLedger: delivery, acknowledgement, checkpoint', () => {
  let f: LedgerFixture;
  afterEach(() => f.close());

  it('delivers only the consumer’s event types, in global order, and a pull without `after` continues at its cursor', async () => {
    f = new LedgerFixture([{ name: 'a', eventTypes: ['MasterDataVersionRegistered'] }]);
    const v1 = await f.version();
    await f.approval();
    const v2 = await f.version('132021');
    const first = await f.ledger.fetch('a', { limit: 10 });
    expect(first.events.map((e) => [e.eventId, e.position, e.attempt])).toEqual([
      [v1.id, v1.position, 1],
      [v2.id, v2.position, 1],
    ]);
    // leased: not handed out again before the ack timeout
    expect((await f.ledger.fetch('a', { limit: 10 })).events).toEqual([]);
    const v3 = await f.version();
    expect((await f.ledger.fetch('a', { limit: 10 })).events.map((e) => e.eventId)).toEqual([v3.id]);
  });

  it('a pull that finds nothing owed writes nothing (no transaction), and the next one still continues at the cursor', async () => {
    f = new LedgerFixture();
    const v1 = await f.version();
    expect((await f.ledger.fetch('a', { limit: 10 })).events.map((e) => e.eventId)).toEqual([v1.id]);
    const transactions = jest.spyOn(f.store, 'transaction');
    const empty = await f.ledger.fetch('a', { limit: 10 });
    expect(empty.events).toEqual([]);
    expect(transactions).not.toHaveBeenCalled();
    const v2 = await f.version();
    expect((await f.ledger.fetch('a', { limit: 10 })).events.map((e) => e.eventId)).toEqual([v2.id]);
    expect(transactions).toHaveBeenCalledTimes(1);
  });

  it('respects the limit and hands out the rest on the next pull, without a gap', async () => {
    f = new LedgerFixture();
    const versions = [];
    for (let i = 0; i < 5; i++) versions.push(await f.version());
    const page1 = await f.ledger.fetch('a', { limit: 2 });
    const page2 = await f.ledger.fetch('a', { limit: 2 });
    const page3 = await f.ledger.fetch('a', { limit: 2 });
    expect([...page1.events, ...page2.events, ...page3.events].map((e) => e.eventId)).toEqual(versions.map((v) => v.id));
  });

  it('the checkpoint is the highest contiguous settled position; acks are idempotent; unknown ids are reported', async () => {
    f = new LedgerFixture();
    const [v1, v2, v3] = [await f.version(), await f.version(), await f.version()];
    await f.ledger.fetch('a', { limit: 10 });
    const outOfOrder = await f.ledger.ack('a', [v2.id]);
    expect(outOfOrder).toMatchObject({ changed: [v2.id], checkpoint: 0 });
    const inOrder = await f.ledger.ack('a', [v1.id]);
    expect(inOrder.checkpoint).toBe(v2.position);
    const again = await f.ledger.ack('a', [v1.id, v2.id, 'no-such-event']);
    expect(again).toEqual({ changed: [], alreadyAcknowledged: [v1.id, v2.id], unknown: ['no-such-event'], checkpoint: v2.position });
    expect((await f.ledger.ack('a', [v3.id])).checkpoint).toBe(v3.position);
    expect((await f.ledger.status('a')).lag).toEqual({ events: 0, seconds: 0, oldestPosition: null });
  });

  it('redelivers an un-acked event after the ack timeout, then parks it after maxDeliveries and lets later events flow', async () => {
    f = new LedgerFixture(undefined, { ackTimeoutMs: 1000, maxDeliveries: 2 });
    const poisoned = await f.version();
    await f.ledger.fetch('a', { limit: 1 });
    f.advance(999);
    expect((await f.ledger.fetch('a', { limit: 1 })).events).toEqual([]);
    f.advance(1);
    const second = await f.ledger.fetch('a', { limit: 1 });
    expect(second.events.map((e) => [e.eventId, e.attempt])).toEqual([[poisoned.id, 2]]);
    const next = await f.version();
    f.advance(1000);
    const third = await f.ledger.fetch('a', { limit: 10 });
    // the poisoned event is parked instead of a third delivery; the next one is delivered
    expect(third.events.map((e) => e.eventId)).toEqual([next.id]);
    expect(third.checkpoint).toBe(poisoned.position);
    const parked = await f.ledger.parked('a');
    expect(parked.total).toBe(1);
    expect(parked.items).toMatchObject([{ eventId: poisoned.id, attempts: 2, reason: 'not acknowledged after 2 deliveries', event: { eventId: poisoned.id } }]);
    expect((await f.ledger.ack('a', [next.id])).checkpoint).toBe(next.position);
  });

  it('commits a delivery that parks nothing as a lease; acks, nacks, parks and replays commit durably', async () => {
    f = new LedgerFixture([
      { name: 'a', eventTypes: ['MasterDataVersionRegistered'] },
      { name: 'group', eventTypes: ['MasterDataVersionRegistered'], transport: 'esdb-persistent' },
    ], { ackTimeoutMs: 1000, maxDeliveries: 1 });
    const commits: string[] = [];
    const transaction = f.store.transaction.bind(f.store);
    jest.spyOn(f.store, 'transaction').mockImplementation((fn, durability) => {
      commits.push(durability ?? 'durable');
      return transaction(fn, durability);
    });
    const [v1, v2] = [await f.version(), await f.version()];
    await f.ledger.fetch('a', { limit: 1 });
    await f.ledger.ack('a', [v1.id]);
    expect(commits.splice(0)).toEqual(['lease', 'durable']);
    await f.ledger.fetch('a', { limit: 1 });
    f.advance(1000);
    // v2 is parked (one delivery allowed) instead of handed out again
    expect((await f.ledger.fetch('a', { limit: 1 })).events).toEqual([]);
    await f.ledger.replay('a', v2.id);
    await f.ledger.fetch('a', { limit: 1 });
    await f.ledger.nack('a', [v2.id], 'cannot write');
    expect(commits.splice(0)).toEqual(['lease', 'durable', 'durable', 'lease', 'durable']);
    await f.ledger.deliverAt('group', v1.position, v1.id);
    await f.ledger.nack('group', [v1.id], 'cannot write');
    await f.ledger.deliverAt('group', v1.position, v1.id);
    expect(commits).toEqual(['lease', 'durable', 'durable']);
  });

  it('parked events come a page at a time, oldest position first, with how many are parked in all', async () => {
    f = new LedgerFixture();
    const versions = [await f.version(), await f.version(), await f.version()];
    await f.ledger.fetch('a', { limit: 10 });
    await f.ledger.nack('a', versions.map((v) => v.id), 'cannot write');
    const first = await f.ledger.parked('a', { limit: 2, offset: 0 });
    const rest = await f.ledger.parked('a', { limit: 2, offset: 2 });
    expect({ first: first.total, rest: rest.total }).toEqual({ first: 3, rest: 3 });
    expect([...first.items, ...rest.items].map((p) => p.eventId)).toEqual(versions.map((v) => v.id));
    expect(first.items).toHaveLength(2);
  });

  it('a nack parks at once with its reason; replay makes it due again and the checkpoint waits for it', async () => {
    f = new LedgerFixture();
    const [v1, v2] = [await f.version(), await f.version()];
    await f.ledger.fetch('a', { limit: 10 });
    const nacked = await f.ledger.nack('a', [v1.id], 'CSV 変換に失敗しました');
    expect(nacked).toMatchObject({ changed: [v1.id], checkpoint: v1.position });
    expect((await f.ledger.ack('a', [v2.id])).checkpoint).toBe(v2.position);
    expect((await f.ledger.parked('a')).items).toMatchObject([{ eventId: v1.id, reason: 'CSV 変換に失敗しました' }]);

    const replayed = await f.ledger.replay('a', v1.id);
    expect(replayed.checkpoint).toBe(v1.position - 1);
    expect(await f.ledger.parked('a')).toEqual({ items: [], total: 0 });
    const redelivered = await f.ledger.fetch('a', { limit: 10 });
    // A redelivery says so: its attempt goes on from the one before the replay.
    expect(redelivered.events.map((e) => [e.eventId, e.attempt])).toEqual([[v1.id, 2]]);
    // settling the replayed event brings the checkpoint back over everything already settled
    expect((await f.ledger.ack('a', [v1.id])).checkpoint).toBe(v2.position);
    await expect(f.ledger.replay('a', v1.id)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('with `after` (Last-Event-ID) it hands out everything unsettled after that position, leased or not, and never skips ahead of the cursor', async () => {
    f = new LedgerFixture();
    const [v1, v2, v3] = [await f.version(), await f.version(), await f.version()];
    await f.ledger.fetch('a', { limit: 10 });
    await f.ledger.ack('a', [v1.id]);
    const resumed = await f.ledger.fetch('a', { after: v1.position, limit: 10 });
    expect(resumed.events.map((e) => [e.eventId, e.attempt])).toEqual([
      [v2.id, 2],
      [v3.id, 2],
    ]);
    const v4 = await f.version();
    // a position beyond anything delivered is clamped to the cursor: v4 is not skipped
    const ahead = await f.ledger.fetch('a', { after: v4.position + 100, limit: 10 });
    expect(ahead.events.map((e) => e.eventId)).toEqual([v4.id]);
  });

  it('consumers are independent: one parking or lagging never holds back another', async () => {
    f = new LedgerFixture([
      { name: 'a', eventTypes: ['MasterDataVersionRegistered'] },
      { name: 'b', eventTypes: ['MasterDataVersionRegistered', 'SecondReviewApproved'] },
    ]);
    const v1 = await f.version();
    const approval = await f.approval();
    const v2 = await f.version();
    await f.ledger.fetch('a', { limit: 10 });
    await f.ledger.nack('a', [v1.id], 'broken');
    const b = await f.ledger.fetch('b', { limit: 10 });
    expect(b.events.map((e) => e.eventId)).toEqual([v1.id, approval.id, v2.id]);
    expect((await f.ledger.ack('b', [v1.id, approval.id, v2.id])).checkpoint).toBe(v2.position);
    const a = await f.ledger.status('a');
    expect(a).toMatchObject({ checkpoint: v1.position, parked: 1, inFlight: 1, lag: { events: 1, oldestPosition: v2.position } });
  });

  it('owes a confirmation only once every master-data consumer acknowledged the version, and only once', async () => {
    f = new LedgerFixture([
      { name: 'a', eventTypes: ['MasterDataVersionRegistered'] },
      { name: 'b', eventTypes: ['MasterDataVersionRegistered'] },
      { name: 'approvals', eventTypes: ['SecondReviewApproved'] },
    ]);
    const v1 = await f.version();
    await f.ledger.fetch('a', { limit: 10 });
    await f.ledger.fetch('b', { limit: 10 });
    await f.ledger.ack('a', [v1.id]);
    expect(f.store.countOwed()).toBe(0);
    await f.ledger.nack('b', [v1.id], 'disk full');
    expect(f.store.countOwed()).toBe(0);
    await f.ledger.replay('b', v1.id);
    await f.ledger.fetch('b', { limit: 10 });
    await f.ledger.ack('b', [v1.id]);
    await f.ledger.ack('b', [v1.id]);
    expect(f.owed).toBe(1);
    expect(f.store.owedBefore(f.now, 10)).toMatchObject([{ eventId: v1.id, applicationId: v1.applicationId, status: 'pending' }]);
  });

  it('lag counts unsettled events and the age of the oldest one', async () => {
    f = new LedgerFixture();
    await f.version();
    f.advance(5000);
    await f.version();
    const status = await f.ledger.status('a');
    expect(status.lag.events).toBe(2);
    expect(status.lag.seconds).toBeGreaterThanOrEqual(0);
    await expect(f.ledger.status('nobody')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('serialises concurrent fetches of one consumer: no event is leased twice', async () => {
    f = new LedgerFixture();
    for (let i = 0; i < 20; i++) await f.version();
    const pages = await Promise.all(Array.from({ length: 8 }, () => f.ledger.fetch('a', { limit: 3 })));
    const ids = pages.flatMap((p) => p.events.map((e) => e.eventId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
  });

  describe('esdb-persistent consumers (EventStoreDB delivers; the ledger records)', () => {
    const consumers = [
      { name: 'group', eventTypes: ['MasterDataVersionRegistered'], transport: 'esdb-persistent' },
      { name: 'files', eventTypes: ['MasterDataVersionRegistered'] },
    ];

    it('records deliveries at a position, in any order; acks move the checkpoint over contiguous events; the confirmation is owed once both consumers acked', async () => {
      f = new LedgerFixture(consumers);
      const [v1, v2] = [await f.version(), await f.version()];
      // Competing instances: the second version first.
      expect(await f.ledger.deliverAt('group', v2.position, v2.id)).toMatchObject({ status: 'delivered', event: { eventId: v2.id, attempt: 1 } });
      expect(await f.ledger.deliverAt('group', v1.position)).toMatchObject({ status: 'delivered', event: { eventId: v1.id, attempt: 1 } });
      expect((await f.ledger.ack('group', [v2.id])).checkpoint).toBe(0);
      expect((await f.ledger.ack('group', [v1.id])).checkpoint).toBe(v2.position);
      expect(f.store.countOwed()).toBe(0);
      await f.ledger.fetch('files', { limit: 10 });
      await f.ledger.ack('files', [v1.id, v2.id]);
      expect(f.store.countOwed()).toBe(2);
      expect((await f.ledger.status('group')).lag.events).toBe(0);
    });

    it('an event already acknowledged comes back as acked (the instance acks it to EventStoreDB without handling it again); a nacked one is parked and, delivered again from the group, owed again', async () => {
      f = new LedgerFixture(consumers);
      const [v1, v2] = [await f.version(), await f.version()];
      await f.ledger.deliverAt('group', v1.position, v1.id);
      await f.ledger.ack('group', [v1.id]);
      expect(await f.ledger.deliverAt('group', v1.position, v1.id)).toMatchObject({ status: 'acked', event: { eventId: v1.id } });
      await f.ledger.deliverAt('group', v2.position, v2.id);
      expect((await f.ledger.nack('group', [v2.id], 'cannot write')).checkpoint).toBe(v2.position);
      expect((await f.ledger.parked('group')).items.map((p) => [p.eventId, p.reason])).toEqual([[v2.id, 'cannot write']]);
      expect(await f.ledger.deliverAt('group', v2.position, v2.id)).toMatchObject({ status: 'delivered', event: { attempt: 2 }, checkpoint: v2.position - 1 });
      expect((await f.ledger.status('group')).lag.events).toBe(1);
    });

    it('refuses a position that does not hold the named event of its types, and the ledger’s own delivery (pull, replay) for such consumers', async () => {
      f = new LedgerFixture(consumers);
      const v1 = await f.version();
      const approval = await f.approval();
      await expect(f.ledger.deliverAt('group', v1.position, 'another-id')).rejects.toMatchObject({ kind: 'not-found' });
      await expect(f.ledger.deliverAt('group', approval.position)).rejects.toMatchObject({ kind: 'not-found' });
      await expect((async () => f.ledger.fetch('group', { limit: 1 }))()).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining('distribution-group') });
      await expect((async () => f.ledger.replay('group', v1.id))()).rejects.toMatchObject({ kind: 'conflict' });
      await expect(f.ledger.deliverAt('files', v1.position)).rejects.toMatchObject({ kind: 'conflict' });
    });
  });

  it('reads decrypted only the events it hands out: the page scan, the checkpoint, the lag count and the watch read them as stored', async () => {
    // given 5 versions, and a ledger whose consumer-facing (decrypting) store counts what is read through it
    f = new LedgerFixture();
    const versions = [];
    for (let i = 0; i < 5; i++) versions.push(await f.version());
    const decrypting = new CountingStore(f.events);
    const ledger = new DistributionLedger(decrypting, f.store, parseConsumers([{ name: 'b', eventTypes: ['MasterDataVersionRegistered'] }], { ackTimeoutMs: 1000, maxDeliveries: 3 }), {
      clock: () => f.now,
      stored: f.events,
    });
    await ledger.watch();

    // when it counts the lag, hands out a page of 2, and settles them
    expect((await ledger.status('b')).lag.events).toBe(5);
    const page = await ledger.fetch('b', { limit: 2 });
    const settled = await ledger.ack('b', page.events.map((e) => e.eventId));
    const announced = firstValueFrom(ledger.changes$);
    const next = await f.version();

    // then only the 2 handed out were read through the decrypting store, and the watch saw the next one without it
    expect(page.events.map((e) => e.eventId)).toEqual([versions[0]!.id, versions[1]!.id]);
    expect(decrypting.read).toEqual([versions[0]!.position, versions[1]!.position]);
    expect(settled.checkpoint).toBe(versions[1]!.position);
    expect(await announced).toBe('b');
    expect((await ledger.status('b')).lag.events).toBe(4);
    expect(decrypting.read).toHaveLength(2);
    expect(next.position).toBeGreaterThan(versions[4]!.position);
    ledger.stop();
  });
});
