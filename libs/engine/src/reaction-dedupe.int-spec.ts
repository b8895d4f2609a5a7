import { ChainedEventStore, type RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationForms } from '@nws/workflows/connection-application/forms';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { hachiojiApplicant, micReviewer, tokyoReviewer } from '@nws/workflows/connection-application/testing/fixtures';
import type { Actor, CommandMetadata } from './engine.types';
import type { WorkflowReaction } from './workflow-definition';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowRegistry } from './workflow-registry';

let clock = 0;
const meta = (actor: Actor, commandId: string): CommandMetadata => ({ actor, commandId, correlationId: 'c', now: new Date(Date.UTC(2026, 10, 20) + ++clock * 1000).toISOString() });

describe('one run of a reaction per event at a time in a process', () => {
  it('given the command reacting inline, when the reactor hands the same event over meanwhile, then the handler runs once and both callers see its outcome', async () => {
    const store = new ChainedEventStore(new SqliteEventStore({ filename: ':memory:' }));
    const registration = connectionApplicationV1.reactions![0]!;
    const runs: string[] = [];
    let reactorCall: Promise<unknown> | undefined;
    let engine: WorkflowEngine;
    // The real registration, counted; while it runs, the "reactor" asks for the same event.
    const counted: WorkflowReaction = {
      ...registration,
      async handle(event: RecordedEvent, context) {
        runs.push(event.id);
        reactorCall ??= engine.react(definition, [event]);
        await registration.handle(event, context);
      },
    };
    const definition = { ...connectionApplicationV1, reactions: [counted] };
    engine = new WorkflowEngine(store, new WorkflowRegistry([definition]));
    const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '登録' }, meta(hachiojiApplicant, 'create'));
    for (const code of ['02-01', '02-02', '02-06']) {
      const form = connectionApplicationForms.forms.find((f) => f.code === code)!;
      await engine.execute(id, 'save-form', { formCode: code, form: form.example as never }, meta(hachiojiApplicant, `save-${code}`), { internal: true });
    }
    await engine.execute(id, 'submit', {}, meta(hachiojiApplicant, 'submit'));
    await engine.execute(id, 'approve', {}, meta(tokyoReviewer, 'first'));

    const answer = await engine.execute(id, 'approve', {}, meta(micReviewer, 'second'));
    expect(answer.state).toBe('masterDataRegistered');
    expect(await reactorCall).toEqual([]);
    expect(runs).toHaveLength(1);
    // Once the first run is over, the event may be handed over again (a restart's catch-up): it runs again, idempotently.
    const approved: RecordedEvent[] = [];
    for await (const event of store.readStream(`application-${id}`)) if (event.type === 'SecondReviewApproved') approved.push(event);
    expect(await engine.react(definition, approved)).toEqual([]);
    expect(runs).toHaveLength(2);
    const types: string[] = [];
    for await (const event of store.readStream('master-data-132012')) types.push(event.type);
    expect(types).toEqual(['MasterDataVersionRegistered']);
    await store.close();
  });
});
