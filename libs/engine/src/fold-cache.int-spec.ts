import { ChainedEventStore } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import type { Actor } from './engine.types';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowRegistry } from './workflow-registry';

const applicant: Actor = { sub: 'yamada', org: '132012', role: 'applicant' };

describe('the fold cache holds what the store holds', () => {
  it('when the same command races itself with different clocks, every engine answers and caches the stored event', async () => {
    const store = new ChainedEventStore(new SqliteEventStore({ filename: ':memory:' }));
    const registry = new WorkflowRegistry([connectionApplicationV1]);
    const [a, b] = [new WorkflowEngine(store, registry), new WorkflowEngine(store, registry)];
    const { id } = await a.create('connection-application', { organizationCode: '132012', category: '変更' }, { actor: applicant, now: '2026-11-20T00:00:00.000Z', commandId: 'create', correlationId: 'c' });
    await b.current(id);
    const same = { actor: applicant, commandId: 'withdraw-once', correlationId: 'c' };
    const [fromA, fromB] = await Promise.all([
      a.execute(id, 'withdraw', {}, { ...same, now: '2026-11-21T00:00:00.001Z' }),
      b.execute(id, 'withdraw', {}, { ...same, now: '2026-11-21T00:00:00.002Z' }),
    ]);
    const stored: string[] = [];
    for await (const event of store.readStream(`application-${id}`)) stored.push(String(event.metadata['occurredAt']));
    expect(stored).toHaveLength(2);
    const storedTime = stored[1];
    expect((fromA['withdrawal'] as { at: string }).at).toBe(storedTime);
    expect((fromB['withdrawal'] as { at: string }).at).toBe(storedTime);
    for (const engine of [a, b]) {
      expect(((await engine.current(id)).folded.snapshot.context as { withdrawal: { at: string } }).withdrawal.at).toBe(storedTime);
    }
    await store.close();
  });
});
