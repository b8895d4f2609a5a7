import type { EventStore, EventToAppend } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { GatedEventStore, TriggerGate, TriggerNotStoredError } from './trigger-gate';

const event = (id: string): EventToAppend => ({ id, type: 'Happened', data: { id }, metadata: {} });

async function ids(store: EventStore, stream: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of store.readStream(stream)) found.push(e.id);
  return found;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GatedEventStore: what a reaction started early may do before its trigger is stored', () => {
  let store: SqliteEventStore;
  beforeEach(() => (store = new SqliteEventStore({ filename: ':memory:' })));
  afterEach(() => store.close());

  it('given a closed gate, when the reaction appends, then nothing is written until the gate opens', async () => {
    const gate = new TriggerGate();
    const gated = new GatedEventStore(store, gate, 'application-1');
    let done = false;
    const appending = gated.append('master-data-1', [event('11111111-1111-4111-8111-111111111111')], 'no_stream').then(() => (done = true));
    for (let i = 0; i < 10; i++) await turn();
    expect(done).toBe(false);
    expect(await store.streamRevision('master-data-1')).toBeUndefined();
    gate.open();
    await appending;
    expect(await ids(store, 'master-data-1')).toEqual(['11111111-1111-4111-8111-111111111111']);
  });

  it('given a refused gate, when the reaction appends or reads its trigger’s stream, then it fails with TriggerNotStoredError and writes nothing', async () => {
    const gate = new TriggerGate();
    const gated = new GatedEventStore(store, gate, 'application-1');
    const appending = gated.append('master-data-1', [event('22222222-2222-4222-8222-222222222222')], 'no_stream');
    gate.refuse(new Error('disk I/O error'));
    await expect(appending).rejects.toBeInstanceOf(TriggerNotStoredError);
    await expect(ids(gated, 'application-1')).rejects.toBeInstanceOf(TriggerNotStoredError);
    await expect(gated.streamRevision('application-1')).rejects.toBeInstanceOf(TriggerNotStoredError);
    expect(await store.headPosition()).toBe(0);
    // Opening a refused gate changes nothing: the decision stands.
    gate.open();
    await expect(gated.append('master-data-1', [event('33333333-3333-4333-8333-333333333333')], 'no_stream')).rejects.toBeInstanceOf(TriggerNotStoredError);
  });

  it('reads of other streams go through at once (what the reaction computes from); reads of the trigger’s stream wait for the gate', async () => {
    await store.append('master-data-1', [event('44444444-4444-4444-8444-444444444444')], 'no_stream');
    const gate = new TriggerGate();
    const gated = new GatedEventStore(store, gate, 'application-1');
    expect(await ids(gated, 'master-data-1')).toEqual(['44444444-4444-4444-8444-444444444444']);
    let read: string[] | undefined;
    const reading = ids(gated, 'application-1').then((found) => (read = found));
    for (let i = 0; i < 10; i++) await turn();
    expect(read).toBeUndefined();
    await store.append('application-1', [event('55555555-5555-4555-8555-555555555555')], 'no_stream');
    gate.open();
    await reading;
    expect(read).toEqual(['55555555-5555-4555-8555-555555555555']);
  });

  it('after a write, the reaction resumes only in a later turn of the event loop: work woken by that write in this turn goes first', async () => {
    const gate = new TriggerGate();
    gate.open();
    const gated = new GatedEventStore(store, gate, 'application-1');
    const order: string[] = [];
    const woken = store.subscribeToAll({ after: 0 }).subscribe(() => {
      // A consumer of the commit that queues its own work for this turn (as the access log does).
      setImmediate(() => order.push('consumer served'));
    });
    await gated.append('master-data-1', [event('66666666-6666-4666-8666-666666666666')], 'no_stream');
    order.push('reaction resumed');
    woken.unsubscribe();
    expect(order).toEqual(['consumer served', 'reaction resumed']);
  });

  it('closing the gated view leaves the engine’s store open', async () => {
    const gated = new GatedEventStore(store, new TriggerGate(), 'application-1');
    await gated.close();
    await store.append('master-data-1', [event('77777777-7777-4777-8777-777777777777')], 'no_stream');
    expect(await store.headPosition()).toBe(1);
  });
});
