import { ChainedEventStore, type RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { driveApplication } from '@nws/workflows/connection-application/testing/engine-driver';
import { micReviewer } from '@nws/workflows/connection-application/testing/fixtures';
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
function instrumented(options: { failFirst?: number; gate?: Promise<void> } = {}) {
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
  const store = new ChainedEventStore(new SqliteEventStore({ filename: ':memory:' }));
  const engine = new WorkflowEngine(store, new WorkflowRegistry([definition]));
  return { runs, definition, store, engine };
}

function firstApproved(engine: WorkflowEngine): Promise<string> {
  return driveApplication(engine, meta, { tag: `-${++clock}` });
}

async function storedEvent(store: ChainedEventStore, id: string, type: string): Promise<RecordedEvent> {
  for await (const event of store.readStream(`application-${id}`)) if (event.type === type) return event;
  throw new Error(`no ${type} in application-${id}`);
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

async function typesOf(store: ChainedEventStore, id: string): Promise<string[]> {
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
    const reactor = engine.reactOnce(definition, await storedEvent(store, id, 'SecondReviewApproved'));
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
    const reactor = engine.reactOnce(definition, await storedEvent(store, id, 'SecondReviewApproved'));
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
