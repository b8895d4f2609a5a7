import { ChainedEventStore } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { driveApplication } from '@nws/workflows/connection-application/testing/engine-driver';
import { tokyoReviewer } from '@nws/workflows/connection-application/testing/fixtures';
import { ChangedMeanwhileError, ForbiddenError } from './engine.errors';
import type { Actor, CommandMetadata } from './engine.types';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowRegistry } from './workflow-registry';

let clock = 0;
const meta = (actor: Actor, commandId: string): CommandMetadata => ({ actor, commandId, correlationId: 'c', now: new Date(Date.UTC(2026, 10, 20) + ++clock * 1000).toISOString() });
const colleague: Actor = { ...tokyoReviewer, sub: 'tokyo-2', name: '東京 次郎' };

describe('a decision that lost a race to another request', () => {
  let store: ChainedEventStore;
  let engine: WorkflowEngine;
  let id: string;

  beforeEach(async () => {
    store = new ChainedEventStore(new SqliteEventStore({ filename: ':memory:' }));
    engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]));
    id = await driveApplication(engine, meta, { until: 'submitted' });
  });
  afterEach(() => store.close());

  it('given two first reviewers approving at once without If-Match, then one wins and the other is told the application changed meanwhile (409), not that they lack the right (403)', async () => {
    const outcomes = await Promise.allSettled([
      engine.execute(id, 'approve', {}, meta(tokyoReviewer, 'approve-1')),
      engine.execute(id, 'approve', {}, meta(colleague, 'approve-2')),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(ChangedMeanwhileError);
    expect(lost[0]).toMatchObject({ state: 'secondReview', revision: 5 });
    const types: string[] = [];
    for await (const event of store.readStream(`application-${id}`)) types.push(event.type);
    expect(types.filter((t) => t === 'FirstReviewApproved')).toHaveLength(1);
  });

  it('given no race, when a first reviewer decides the second review, then it is still a 403 (ForbiddenError)', async () => {
    await engine.execute(id, 'approve', {}, meta(tokyoReviewer, 'approve-1'));
    await expect(engine.execute(id, 'approve', {}, meta(colleague, 'approve-2'))).rejects.toBeInstanceOf(ForbiddenError);
  });
});
