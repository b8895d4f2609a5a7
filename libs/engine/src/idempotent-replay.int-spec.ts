import { ChainedEventStore } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationForms, connectionApplicationV1 } from '@nws/workflows/connection-application';
import { driveApplication } from '@nws/workflows/connection-application/testing/engine-driver';
import { hachiojiApplicant, micReviewer } from '@nws/workflows/connection-application/testing/fixtures';
import { IdempotencyKeyReusedError } from './engine.errors';
import type { JsonObject } from '@nws/event-store';
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

  describe('the request hash that guards a command id', () => {
    const form = connectionApplicationForms.get('02-01')!.example as JsonObject;
    const otherForm = { ...form, applicationDate: '2026/11/21' };
    const setUp = async () => {
      const store = new ChainedEventStore(new SqliteEventStore({ filename: ':memory:' }));
      const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]));
      const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '登録' }, meta(hachiojiApplicant, 'create'));
      const stored = async () => {
        const out: Array<{ type: string; metadata: Record<string, unknown> }> = [];
        for await (const event of store.readStream(`application-${id}`)) out.push(event);
        return out.filter((e) => e.type === 'FormSaved');
      };
      return { store, engine, id, stored };
    };

    it('an id that may come again (an Idempotency-Key) stores the hash of its first request and refuses another request under it', async () => {
      const { store, engine, id, stored } = await setUp();
      const keyed = meta(hachiojiApplicant, 'key-1');
      const first = await engine.execute(id, 'save-form', { formCode: '02-01', form }, keyed, { internal: true });
      expect(await engine.execute(id, 'save-form', { formCode: '02-01', form }, keyed, { internal: true })).toEqual(first);
      await expect(engine.execute(id, 'save-form', { formCode: '02-01', form: otherForm }, keyed, { internal: true })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      const saved = await stored();
      expect(saved).toHaveLength(1);
      expect(saved[0]!.metadata['requestHash']).toMatch(/^[0-9a-f]{64}$/);
      await store.close();
    });

    it('an id made for one request alone stores no hash, and the same command again (an ambiguous append retried) answers as the first did', async () => {
      const { store, engine, id, stored } = await setUp();
      const fresh = { ...meta(hachiojiApplicant, 'fresh-1'), freshCommandId: true };
      const first = await engine.execute(id, 'save-form', { formCode: '02-01', form }, fresh, { internal: true });
      expect(await engine.execute(id, 'save-form', { formCode: '02-01', form }, fresh, { internal: true })).toEqual(first);
      const saved = await stored();
      expect(saved).toHaveLength(1);
      expect(saved[0]!.metadata).not.toHaveProperty('requestHash');
      expect(saved[0]!.metadata['commandId']).toBe('fresh-1');
      await store.close();
    });
  });
});
