import { ChainedEventStore } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { driveApplication } from '@nws/workflows/connection-application/testing/engine-driver';
import { micReviewer } from '@nws/workflows/connection-application/testing/fixtures';
import type { Actor, CommandMetadata } from './engine.types';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowRegistry } from './workflow-registry';

let clock = 0;
const meta = (actor: Actor, commandId: string): CommandMetadata => ({ actor, commandId, correlationId: 'c', now: new Date(Date.UTC(2026, 10, 20) + ++clock * 1000).toISOString() });

describe('a repeated command answers what its first request answers', () => {
  it('a retried second approval whose master-data registration was cut off runs the registration and answers as the first request would have', async () => {
    const store = new ChainedEventStore(new SqliteEventStore({ filename: ':memory:' }));
    const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]));
    // The same engine without reactions: the process that died right after appending the approval.
    const cutOff = new WorkflowEngine(store, new WorkflowRegistry([{ ...connectionApplicationV1, reactions: [] }]));
    const id = await driveApplication(engine, meta);
    const approval = meta(micReviewer, 'second');
    expect((await cutOff.execute(id, 'approve', {}, approval)).state).toBe('approved');

    const retry = await engine.execute(id, 'approve', {}, approval);
    expect(retry.state).toBe('masterDataRegistered');
    expect(await engine.execute(id, 'approve', {}, approval)).toEqual(retry);
    const types: string[] = [];
    for await (const event of store.readStream(`application-${id}`)) types.push(event.type);
    expect(types.filter((t) => t === 'SecondReviewApproved')).toHaveLength(1);
    expect(types.filter((t) => t === 'MasterDataRegistered')).toHaveLength(1);
    await store.close();
  });
});
