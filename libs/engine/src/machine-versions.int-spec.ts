import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { registeredHachioji } from '@nws/workflows/connection-application/testing/engine-driver';
import type { Actor, CommandMetadata } from './engine.types';
import { ActionNotAllowedInStateError } from './engine.errors';
import type { WorkflowDefinition } from './workflow-definition';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowRegistry } from './workflow-registry';

/** v2 of the machine: withdrawal is no longer offered once the first review has started. */
const connectionApplicationV2: WorkflowDefinition = {
  ...connectionApplicationV1,
  machineVersion: '2',
  eventFor: (action, app) => (action === 'withdraw' && app.state === 'firstReview' ? undefined : connectionApplicationV1.eventFor(action, app)),
};

const applicant: Actor = { sub: 'yamada', org: '132012', role: 'applicant' };
let n = 0;
const meta = (actor: Actor): CommandMetadata => ({ actor, now: '2026-11-21T00:00:00.000Z', commandId: `cmd-${n++}`, correlationId: 'c' });

/** A 変更 changes registered master data: Hachioji's is registered first. */
const seedMeta = (actor: Actor, commandId: string): CommandMetadata => ({ actor, now: '2026-11-20T00:00:00.000Z', commandId, correlationId: 'seed' });

async function submittedApplication(engine: WorkflowEngine): Promise<string> {
  const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '変更' }, meta(applicant));
  await engine.execute(id, 'save-form', { formCode: '02-01', form: connectionApplicationV1.forms.get('02-01')!.example }, meta(applicant), { internal: true });
  await engine.execute(id, 'submit', {}, meta(applicant));
  return id;
}

describe('each application is pinned to the machine version it started with', () => {
  it('after v2 is deployed, a v1 application still replays and proceeds on v1; new ones start on v2', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const before = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]));
    await registeredHachioji(before, seedMeta);
    const old = await submittedApplication(before);

    const after = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1, connectionApplicationV2]));
    const fresh = await submittedApplication(after);
    const oldView = await after.view((await after.load(old)).folded, applicant);
    expect(oldView).toMatchObject({ machineVersion: '1', state: 'firstReview' });
    expect(oldView.allowedActions).toContain('withdraw');
    expect(await after.view((await after.load(fresh)).folded, applicant)).toMatchObject({ machineVersion: '2' });

    const withdrawn = await after.execute(old, 'withdraw', {}, meta(applicant));
    expect(withdrawn).toMatchObject({ state: 'withdrawn', machineVersion: '1' });
    await expect(after.execute(fresh, 'withdraw', {}, meta(applicant))).rejects.toBeInstanceOf(ActionNotAllowedInStateError);
    const versions: string[] = [];
    for await (const event of store.readStream(`application-${old}`)) versions.push(String(event.metadata['machineVersion']));
    expect(new Set(versions)).toEqual(new Set(['1']));
    await store.close();
  });

  it('a stored application whose version this deployment lacks is refused loudly, not folded with another machine', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const newer = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1, connectionApplicationV2]));
    await registeredHachioji(newer, seedMeta);
    const id = await submittedApplication(newer);
    const older = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]));
    await expect(older.load(id)).rejects.toThrow(/v2, which this deployment does not have/);
    await store.close();
  });
});
