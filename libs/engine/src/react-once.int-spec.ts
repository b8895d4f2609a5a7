import { ChainedEventStore, ForwardingEventStore, type AppendResult, type EventStore, type EventToAppend, type ExpectedRevision, type ReadStreamOptions, type RecordedEvent } from '@nws/event-store';
import { EsdbEventStore } from '@nws/event-store/esdb';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { startEsdbStandIn, type EsdbStandIn } from '../../../test/esdb-stand-in/start-stand-in';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { driveApplication } from '@nws/workflows/connection-application/testing/engine-driver';
import { hachiojiApplicant, micReviewer } from '@nws/workflows/connection-application/testing/fixtures';
import { ActionNotAllowedInStateError } from './engine.errors';
import type { Actor, CommandMetadata } from './engine.types';
import type { WorkflowDefinition, WorkflowReaction } from './workflow-definition';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowRegistry } from './workflow-registry';

let clock = 0;
const meta = (actor: Actor, commandId: string): CommandMetadata => ({ actor, commandId, correlationId: 'c', now: new Date(Date.UTC(2026, 10, 20) + ++clock * 1000).toISOString() });

/**
 * The master-data registration wrapped: counts its runs, can be held at a gate (to keep the
 * inline run in flight while the reactor arrives) and can fail its first runs.
 */
function instrumented(options: { failFirst?: number; gate?: Promise<void>; wrap?: (store: EventStore) => EventStore; onReactionError?: (error: unknown) => void; adapter?: EventStore } = {}) {
  const real = connectionApplicationV1.reactions![0]!;
  const runs = { started: 0, failed: 0 };
  const reaction: WorkflowReaction = {
    ...real,
    async handle(event, context) {
      runs.started += 1;
      await options.gate;
      if (runs.failed < (options.failFirst ?? 0)) {
        runs.failed += 1;
        throw new Error('could not register master data: too much contention');
      }
      await real.handle(event, context);
    },
  };
  const definition: WorkflowDefinition = { ...connectionApplicationV1, reactions: [reaction] };
  const store = (options.wrap ?? ((inner) => inner))(new ChainedEventStore(options.adapter ?? new SqliteEventStore({ filename: ':memory:' })));
  const engine = new WorkflowEngine(store, new WorkflowRegistry([definition]), options.onReactionError ? { onReactionError: options.onReactionError } : {});
  return { runs, definition, store, engine };
}

function firstApproved(engine: WorkflowEngine): Promise<string> {
  return driveApplication(engine, meta, { tag: `-${++clock}` });
}

async function storedEvent(store: EventStore, id: string, type: string): Promise<RecordedEvent> {
  for await (const event of store.readStream(`application-${id}`)) if (event.type === type) return event;
  throw new Error(`no ${type} in application-${id}`);
}

/** The reaction starts while its trigger is committed: the reactor gets the event once it is stored. */
async function whenStored(store: EventStore, id: string, type: string): Promise<RecordedEvent> {
  for (;;) {
    try {
      return await storedEvent(store, id, type);
    } catch {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

async function typesOf(store: EventStore, id: string): Promise<string[]> {
  const types: string[] = [];
  for await (const event of store.readStream(`application-${id}`)) types.push(event.type);
  return types;
}

describe('reactOnce: the reactor and the command that runs the same reaction inline', () => {
  it('given the approval is still registering its master data inline, when the reactor gets the approval, then it waits and does not run the registration a second time', async () => {
    let open!: () => void;
    const { runs, definition, store, engine } = instrumented({ gate: new Promise<void>((resolve) => (open = resolve)) });
    const id = await firstApproved(engine);
    const approving = engine.execute(id, 'approve', {}, meta(micReviewer, 'second'));
    await until(() => runs.started === 1);
    expect(engine.reactingInline).toBe(true);
    const reactor = engine.reactOnce(definition, await whenStored(store, id, 'SecondReviewApproved'));
    open();
    expect((await approving).state).toBe('masterDataRegistered');
    expect(await reactor).toEqual([]);
    expect(runs.started).toBe(1);
    expect(engine.reactingInline).toBe(false);
    await store.close();
  });

  it('given the inline registration fails, when the reactor gets the approval, then it runs the registration itself (the second chance)', async () => {
    let open!: () => void;
    const { runs, definition, store, engine } = instrumented({ failFirst: 1, gate: new Promise<void>((resolve) => (open = resolve)) });
    const id = await firstApproved(engine);
    const approving = engine.execute(id, 'approve', {}, meta(micReviewer, 'second'));
    await until(() => runs.started === 1);
    const reactor = engine.reactOnce(definition, await whenStored(store, id, 'SecondReviewApproved'));
    open();
    // The command answers with the approval it recorded; the registration is the reactor's now.
    expect((await approving).state).toBe('approved');
    expect(await reactor).toEqual([]);
    expect(runs.started).toBe(2);
    expect((await typesOf(store, id)).filter((t) => t === 'MasterDataRegistered')).toHaveLength(1);
    await store.close();
  });

  it('given a registration that fails inline and twice more, when the reactor allows three attempts, then the third registers the master data; allowed two, it reports the failure', async () => {
    const giveUp = instrumented({ failFirst: 3 });
    const id1 = await firstApproved(giveUp.engine);
    expect((await giveUp.engine.execute(id1, 'approve', {}, meta(micReviewer, 'second-a'))).state).toBe('approved');
    const failures = await giveUp.engine.reactOnce(giveUp.definition, await storedEvent(giveUp.store, id1, 'SecondReviewApproved'), { attempts: 2, backoffMs: 1 });
    expect(failures).toHaveLength(1);
    expect(String(failures[0]!.error)).toContain('too much contention');
    expect(giveUp.runs.started).toBe(3);
    await giveUp.store.close();

    const recover = instrumented({ failFirst: 3 });
    const id2 = await firstApproved(recover.engine);
    await recover.engine.execute(id2, 'approve', {}, meta(micReviewer, 'second-b'));
    expect(await recover.engine.reactOnce(recover.definition, await storedEvent(recover.store, id2, 'SecondReviewApproved'), { attempts: 3, backoffMs: 1 })).toEqual([]);
    expect(recover.runs.started).toBe(4);
    expect((await typesOf(recover.store, id2)).filter((t) => t === 'MasterDataRegistered')).toHaveLength(1);
    await recover.store.close();
  });
});

/** Holds the append of one event type until the test lets it go through, or fails it. */
class HeldAppends extends ForwardingEventStore {
  held: { readonly release: () => void; readonly fail: (error: unknown) => void } | undefined;
  readonly order: string[] = [];

  constructor(
    inner: EventStore,
    private readonly type: string,
  ) {
    super(inner);
  }

  override async append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (events.some((e) => e.type === this.type) && !this.held) {
      await new Promise<void>((release, fail) => (this.held = { release, fail }));
    }
    const result = await this.inner.append(streamId, events, expectedRevision);
    this.order.push(...events.map((e) => e.type));
    return result;
  }
}

async function masterDataVersions(store: EventStore): Promise<number> {
  let count = 0;
  for await (const event of store.readAll()) if (event.type === 'MasterDataVersionRegistered') count += 1;
  return count;
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A first-approved application whose second approval is sent and held at its append, with the registration started. */
async function approvalHeldAtAppend(options: { onReactionError?: (error: unknown) => void } = {}) {
  let held!: HeldAppends;
  const { runs, store, engine } = instrumented({ ...options, wrap: (inner) => (held = new HeldAppends(inner, 'SecondReviewApproved')) });
  const id = await firstApproved(engine);
  const approving = engine.execute(id, 'approve', {}, meta(micReviewer, 'second'));
  await until(() => runs.started === 1 && held.held !== undefined);
  return { held, runs, store, engine, id, approving };
}

describe('a command’s reactions start while its events are committed', () => {
  it('given the approval’s commit is still in flight, when its registration has computed the version, then it appends nothing until the approval is stored, and the version comes after it', async () => {
    const { held, store, id, approving } = await approvalHeldAtAppend();
    // The registration is running and has had time to read and compute; it has written nothing.
    await turns(50);
    expect(await masterDataVersions(store)).toBe(0);
    expect(held.order).not.toContain('MasterDataVersionRegistered');
    held.held!.release();
    expect((await approving).state).toBe('masterDataRegistered');
    expect(held.order.slice(-3)).toEqual(['SecondReviewApproved', 'MasterDataVersionRegistered', 'MasterDataRegistered']);
    const approval = await storedEvent(store, id, 'SecondReviewApproved');
    let version: RecordedEvent | undefined;
    for await (const event of store.readAll()) if (event.type === 'MasterDataVersionRegistered') version = event;
    expect(version!.position).toBeGreaterThan(approval.position);
    expect(version!.data).toMatchObject({ sourceEventId: approval.id, applicationId: id, version: 1 });
    expect(version!.metadata).toMatchObject({ causationId: approval.id, correlationId: 'c' });
    await store.close();
  });

  it('given the approval’s append fails (the disk), then the registration started early writes nothing, reports nothing, and the reactor is not left waiting', async () => {
    const reported: unknown[] = [];
    const { held, store, engine, id, approving } = await approvalHeldAtAppend({ onReactionError: (error) => reported.push(error) });
    held.held!.fail(new Error('disk I/O error'));
    await expect(approving).rejects.toThrow('disk I/O error');
    await turns(20);
    expect(await masterDataVersions(store)).toBe(0);
    expect(await typesOf(store, id)).not.toContain('SecondReviewApproved');
    expect(reported).toEqual([]);
    expect(engine.reactingInline).toBe(false);
    // The same approval again, once the disk is back: registered once.
    expect((await engine.execute(id, 'approve', {}, meta(micReviewer, 'second-again'))).state).toBe('masterDataRegistered');
    expect(await masterDataVersions(store)).toBe(1);
    await store.close();
  });

  it('given the applicant withdraws while the approval’s commit is in flight, then the approval loses the race and is decided again on the withdrawn application (refused), and its early registration writes nothing', async () => {
    const { held, runs, store, engine, id, approving } = await approvalHeldAtAppend();
    expect((await engine.execute(id, 'withdraw', { reason: '取り下げ' }, meta(hachiojiApplicant, 'withdraw'))).state).toBe('withdrawn');
    held.held!.release();
    await expect(approving).rejects.toBeInstanceOf(ActionNotAllowedInStateError);
    await turns(20);
    expect(await masterDataVersions(store)).toBe(0);
    expect(await typesOf(store, id)).not.toContain('SecondReviewApproved');
    expect(runs.started).toBe(1);
    expect(engine.reactingInline).toBe(false);
    await store.close();
  });

  it('given a store that cannot tell whether it wrote the events (as EventStoreDB), when it holds exactly the approval appended, then the early registration is kept and runs once', async () => {
    const { runs, store, engine } = instrumented({ wrap: (inner) => new CannotTell(inner) });
    const id = await firstApproved(engine);
    expect((await engine.execute(id, 'approve', {}, meta(micReviewer, 'second'))).state).toBe('masterDataRegistered');
    expect(runs.started).toBe(1);
    expect(await masterDataVersions(store)).toBe(1);
    await store.close();
  });

  it('given a store that cannot tell whether it wrote the events, then the approval reads its own events back once (the read-back for the gate is also what the command folds)', async () => {
    let cannotTell!: CannotTell;
    const { store, engine } = instrumented({ wrap: (inner) => (cannotTell = new CannotTell(inner)) });
    const id = await firstApproved(engine);
    const revision = (await typesOf(store, id)).length - 1;
    cannotTell.reads = [];
    expect((await engine.execute(id, 'approve', {}, meta(micReviewer, 'second'))).state).toBe('masterDataRegistered');
    // Reads of the application from the approval's own revision: the read-back, then (after the
    // registration's command) the fold the answer is made from.
    expect(cannotTell.reads.filter((read) => read.streamId === `application-${id}` && read.fromRevision === revision + 1)).toHaveLength(1);
    await store.close();
  });

  it('given the store holds the approval with other bytes than appended (a retry of the same command stored first), then the early registration is dropped and the registration runs on what is stored', async () => {
    const { runs, store, engine } = instrumented({ wrap: (inner) => new CannotTell(inner, 'SecondReviewApproved') });
    const id = await firstApproved(engine);
    expect((await engine.execute(id, 'approve', {}, meta(micReviewer, 'second'))).state).toBe('masterDataRegistered');
    // The early run (refused at its first write) and the run on the stored approval.
    expect(runs.started).toBe(2);
    expect(await masterDataVersions(store)).toBe(1);
    const approval = await storedEvent(store, id, 'SecondReviewApproved');
    expect(approval.metadata['occurredAt']).toBe('2026-01-01T00:00:00.000Z');
    await store.close();
  });
});

/**
 * A store whose appends do not say whether they wrote the caller's events (`replayed` absent, as
 * the EventStoreDB adapter answers); given a type, it stores events of that type with another
 * occurredAt, as if an earlier attempt of the same command had been stored first.
 */
class CannotTell extends ForwardingEventStore {
  reads: Array<{ readonly streamId: string; readonly fromRevision: number }> = [];

  constructor(
    inner: EventStore,
    private readonly alter?: string,
  ) {
    super(inner);
  }

  override async append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const stored = events.map((e) => (e.type === this.alter ? { ...e, metadata: { ...e.metadata, occurredAt: '2026-01-01T00:00:00.000Z' } } : e));
    const { replayed: _unknown, ...result } = await this.inner.append(streamId, stored, expectedRevision);
    return result;
  }

  override readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    this.reads.push({ streamId, fromRevision: options?.fromRevision ?? 0 });
    return this.inner.readStream(streamId, options);
  }
}

describe('early reactions on EventStoreDB (the real client over gRPC, against the stand-in)', () => {
  let standIn: EsdbStandIn;
  beforeAll(async () => {
    standIn = await startEsdbStandIn();
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  it('given the adapter cannot tell whether it wrote the events, when the approval round-trips through EventStoreDB, then the events read back are the ones appended and the early registration is kept (it runs once)', async () => {
    const { runs, store, engine } = instrumented({ adapter: EsdbEventStore.fromConnectionString(standIn.connectionString, { retry: { attempts: 6, baseDelayMs: 20, maxDelayMs: 200 } }) });
    const id = await firstApproved(engine);
    expect((await engine.execute(id, 'approve', {}, meta(micReviewer, 'second'))).state).toBe('masterDataRegistered');
    expect(runs.started).toBe(1);
    expect((await typesOf(store, id)).slice(-2)).toEqual(['SecondReviewApproved', 'MasterDataRegistered']);
    await store.close();
  });
});
