import { ChainedEventStore } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { registeredHachioji } from '@nws/workflows/connection-application/testing/engine-driver';
import { ActionNotAllowedInStateError, ForbiddenError, RevisionMismatchError } from './engine.errors';
import type { Actor, CommandMetadata } from './engine.types';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowRegistry } from './workflow-registry';

const applicant: Actor = { sub: 'yamada', org: '132012', role: 'applicant' };
const prefecture: Actor = { sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' };
const mic: Actor = { sub: 'mic-1', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' };
let n = 0;
const meta = (actor: Actor): CommandMetadata => ({ actor, now: `2026-11-21T00:00:${String(n % 60).padStart(2, '0')}.000Z`, commandId: `cmd-${n++}`, correlationId: 'c' });
const form0201 = connectionApplicationV1.forms.get('02-01')!.example;
/** A 変更 changes registered master data: Hachioji's is registered first. */
const seedMeta = (actor: Actor, commandId: string): CommandMetadata => ({ actor, now: '2026-11-20T00:00:00.000Z', commandId, correlationId: 'seed' });

function open() {
  const store = new ChainedEventStore(new SqliteEventStore({ filename: ':memory:' }));
  const registry = new WorkflowRegistry([connectionApplicationV1]);
  return { store, registry, engine: new WorkflowEngine(store, registry) };
}

/** What a process that never saw the commands folds from the store. */
async function foldedFromStore(store: ChainedEventStore, registry: WorkflowRegistry, id: string) {
  const { folded } = await new WorkflowEngine(store, registry, { foldCacheSize: 0 }).load(id);
  return { state: folded.state, revision: folded.revision, context: JSON.parse(JSON.stringify(folded.snapshot.context)) as unknown };
}

describe('the fold cache holds what the store holds', () => {
  it('when the same command races itself with different clocks, every engine answers and caches the stored event', async () => {
    const store = new ChainedEventStore(new SqliteEventStore({ filename: ':memory:' }));
    const registry = new WorkflowRegistry([connectionApplicationV1]);
    const [a, b] = [new WorkflowEngine(store, registry), new WorkflowEngine(store, registry)];
    await registeredHachioji(a, seedMeta);
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

  it('the fold a command caches without reading back equals the fold of the stored events, at every step to distribution', async () => {
    const { store, registry, engine } = open();
    await registeredHachioji(engine, seedMeta);
    const { id } = await engine.create('connection-application', { organizationCode: '132012', category: '変更' }, meta(applicant));
    const steps: Array<[Actor, string, Record<string, unknown>]> = [
      [applicant, 'save-form', { formCode: '02-01', form: form0201 }],
      [applicant, 'submit', {}],
      [prefecture, 'reject', { comment: '連絡先を確認してください。' }],
      [applicant, 'revise', {}],
      [applicant, 'submit', {}],
      [prefecture, 'approve', {}],
      [mic, 'approve', {}],
    ];
    const seen: string[] = [];
    for (const [actor, action, payload] of steps) {
      await engine.execute(id, action, payload as never, meta(actor), { internal: action === 'save-form' });
      const cached = (await engine.current(id)).folded;
      seen.push(cached.state);
      expect({ state: cached.state, revision: cached.revision, context: JSON.parse(JSON.stringify(cached.snapshot.context)) }).toEqual(
        await foldedFromStore(store, registry, id),
      );
    }
    expect(seen.at(-1)).toBe('masterDataRegistered');
    await store.close();
  });

  it('a stale cached fold never decides: another writer moved the stream, and the command is decided again on what is stored', async () => {
    const { store, registry, engine: a } = open();
    const b = new WorkflowEngine(store, registry);
    await registeredHachioji(a, seedMeta);
    const { id } = await a.create('connection-application', { organizationCode: '132012', category: '変更' }, meta(applicant));
    await a.execute(id, 'save-form', { formCode: '02-01', form: form0201 }, meta(applicant), { internal: true });
    await a.execute(id, 'submit', {}, meta(applicant));
    expect((await a.current(id)).folded.state).toBe('firstReview');
    // b approves the first review; a's cache still says firstReview at revision 2.
    await b.execute(id, 'approve', {}, meta(prefecture));
    // On a's cache the prefecture could still approve; on what is stored it decides nothing more.
    const refused = await a.execute(id, 'approve', {}, meta(prefecture)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect((await a.current(id)).folded.state).toBe('secondReview');
    // An action no longer offered is refused with the stored state.
    const c = new WorkflowEngine(store, registry);
    await c.current(id);
    await a.execute(id, 'approve', {}, meta(mic));
    const late = await c.execute(id, 'withdraw', { reason: '取下げ' }, meta(applicant)).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(ActionNotAllowedInStateError);
    expect((late as ActionNotAllowedInStateError).state).not.toBe('secondReview');
    expect(await foldedFromStore(store, registry, id)).toMatchObject({ state: (await c.current(id)).folded.state });
    await store.close();
  });

  it('If-Match is checked against the stored revision, not a stale cached one', async () => {
    const { store, registry, engine: a } = open();
    const b = new WorkflowEngine(store, registry);
    await registeredHachioji(a, seedMeta);
    const { id } = await a.create('connection-application', { organizationCode: '132012', category: '変更' }, meta(applicant));
    await b.execute(id, 'save-form', { formCode: '02-01', form: form0201 }, meta(applicant), { internal: true });
    // a's cache is at revision 0; the client saw revision 1 from b.
    const submitted = await a.execute(id, 'submit', {}, meta(applicant), { expectedRevision: 1 });
    expect(submitted).toMatchObject({ state: 'firstReview', revision: 2 });
    await expect(a.execute(id, 'withdraw', { reason: '取下げ' }, meta(applicant), { expectedRevision: 1 })).rejects.toBeInstanceOf(RevisionMismatchError);
    await store.close();
  });
});
