import { WorkflowEngine, WorkflowRegistry, type Actor, type CommandMetadata, type JsonObject, type ReactionContext } from '@nws/engine';
import type { EventStore, RecordedEvent } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { connectionApplicationV1 } from '../connection-application.workflow';
import { connectionApplicationForms } from '../forms';
import { filingOfVersion, type DelegationFiling } from './delegation-matching';
import { readLatestVersions } from './master-data.reader';
import { registerMasterDataReaction } from './master-data.registrar';

/**
 * The registrar's 突合 against a real store: two approvals registered at the same moment (each
 * computing before the other appended) still end matched; a later filing that drops one side
 * takes the other side back out; an application without 様03-08 keeps its body's delegations.
 */

const NOW = '2026-11-21T09:00:00.000Z';
let n = 0;
const meta = (actor: Actor): CommandMetadata => ({ actor, now: NOW, commandId: `cmd-${n++}`, correlationId: 'corr' });

const tokyoApplicant: Actor = { sub: 'tokyo-app', org: '130001', role: 'applicant' };
const hachiojiApplicant: Actor = { sub: 'hachioji-app', org: '132012', role: 'applicant' };
const jlis: Actor = { sub: 'jlis-1', org: 'J-LIS', role: 'first-reviewer' };
const tokyoReviewer: Actor = { sub: 'tokyo-rev', org: '130001', role: 'first-reviewer' };
const mic: Actor = { sub: 'mic-1', org: 'MIC', role: 'second-reviewer' };

const example = (code: string): any => structuredClone(connectionApplicationForms.get(code)!.example);
const TAX_INFO: string = example('03-08').receivedProvisions[0].personalInfoName;

const TOKYO_FORMS = (): Record<string, JsonObject> => ({
  '03-06': { ...example('03-06'), bodyType: '都道府県知事部局', independentUseLinkage: false, attachments: { ...example('03-06').attachments, form0309: false } },
  '03-07': { ...example('03-07'), providedInformation: example('03-07').providedInformation.filter((r: { personalInfoName: string }) => r.personalInfoName !== TAX_INFO) },
  '03-08': { ...example('03-08'), receivedQueryAffairs: [], receivedProvisions: [], delegatedProvisions: [{ itemNo: '27', personalInfoName: TAX_INFO, delegateeCode: '132012' }] },
});
const HACHIOJI_FORMS = (): Record<string, JsonObject> => Object.fromEntries(['03-06', '03-07', '03-08', '03-09'].map((code) => [code, example(code)]));

async function approve(engine: WorkflowEngine, applicant: Actor, first: Actor, category: string, forms: Record<string, JsonObject>, second = true): Promise<string> {
  const { id } = await engine.create('connection-application', { organizationCode: applicant.org, category }, meta(applicant));
  for (const [formCode, form] of Object.entries(forms)) await engine.execute(id, 'save-form', { formCode, form }, meta(applicant), { internal: true });
  await engine.execute(id, 'submit', {}, meta(applicant));
  await engine.execute(id, 'approve', {}, meta(first));
  if (second) await engine.execute(id, 'approve', {}, meta(mic));
  return id;
}

async function current(store: EventStore, code: string, kind: string): Promise<{ filing: DelegationFiling; data: JsonObject }> {
  const event = (await readLatestVersions(store, code)).latest.get(kind);
  if (!event) throw new Error(`no master data for ${code} ${kind}`);
  return { filing: filingOfVersion(event.data), data: event.data };
}
const statuses = (filing: DelegationFiling) => filing.entries.map((e) => `${e.kind}:${e.side}:${e.itemNo}:${e.status}`);

async function versionsOf(store: EventStore, code: string): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const e of store.readStream(`master-data-${code}`)) out.push(e.data);
  return out;
}

describe('master-data registrar: the 突合 against the store', () => {
  it('two approvals registered at the same moment, each computed before the other appended, both end matched', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    // Approvals recorded without their reaction, which the test then runs for both at once.
    const engine = new WorkflowEngine(store, new WorkflowRegistry([{ ...connectionApplicationV1, reactions: [] }]));
    const tokyo = await approve(engine, tokyoApplicant, jlis, '接続', TOKYO_FORMS());
    const hachioji = await approve(engine, hachiojiApplicant, tokyoReviewer, '接続', HACHIOJI_FORMS());
    const approvalOf = async (id: string) => {
      for await (const e of store.readStream(`application-${id}`)) if (e.type === 'SecondReviewApproved') return e;
      throw new Error('no approval');
    };

    // Every first master-data append waits until both registrars are ready to append.
    let waiting: Array<() => void> = [];
    let released = false;
    const barrier: EventStore = new Proxy(store, {
      get(target, prop) {
        if (prop === 'append') {
          return async (...args: Parameters<EventStore['append']>) => {
            if (!released && args[0].startsWith('master-data-')) {
              await new Promise<void>((resolve) => {
                waiting.push(resolve);
                if (waiting.length === 2) {
                  released = true;
                  waiting.forEach((r) => r());
                  waiting = [];
                }
              });
            }
            return target.append(...args);
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const context: ReactionContext = {
      store: barrier,
      execute: (id, action, payload, m) => engine.execute(id, action, payload, m, { internal: true }),
      load: async (id, toRevision) => (await engine.load(id, toRevision === undefined ? {} : { toRevision })).folded,
      now: () => NOW,
    };
    const approvals: RecordedEvent[] = [await approvalOf(tokyo), await approvalOf(hachioji)];
    await Promise.all(approvals.map((a) => registerMasterDataReaction.handle(a, context)));

    // Each registered its own version without seeing the other (held), and the reconciliation matched both.
    const tokyoVersions = await versionsOf(store, '130001');
    const hachiojiVersions = await versionsOf(store, '132012');
    expect(tokyoVersions[0]?.['pendingDelegations']).toHaveLength(1);
    expect(hachiojiVersions[0]?.['pendingDelegations']).toHaveLength(1);
    expect(statuses((await current(store, '130001', '都道府県知事部局')).filing)).toEqual(['provision:delegator:27:registered']);
    expect(statuses((await current(store, '132012', '市町村長部局')).filing)).toEqual(['provision:delegatee:27:registered', 'query:delegatee:9:registered']);

    // Both applications are registered; running the reaction again changes nothing.
    for (const id of [tokyo, hachioji]) expect((await engine.load(id)).folded.state).toBe('masterDataRegistered');
    const head = await store.headPosition();
    await Promise.all(approvals.map((a) => registerMasterDataReaction.handle(a, context)));
    expect(await store.headPosition()).toBe(head);
    await store.close();
  });

  it('a 変更 without 様03-08 keeps the delegations; one dropping the 受任 takes the delegator’s 委任 back out', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const engine = new WorkflowEngine(store, new WorkflowRegistry([connectionApplicationV1]), { clock: () => NOW });
    await approve(engine, tokyoApplicant, jlis, '接続', TOKYO_FORMS());
    await approve(engine, hachiojiApplicant, tokyoReviewer, '接続', HACHIOJI_FORMS());
    expect((await versionsOf(store, '130001')).map((v) => v['version'])).toEqual([1, 2]);

    // 八王子市 changes its contacts only: its delegations are carried over, 東京都 is untouched.
    await approve(engine, hachiojiApplicant, tokyoReviewer, '変更', { '02-02': example('02-02') });
    const carried = await current(store, '132012', '市町村長部局');
    expect(carried.data['version']).toBe(2);
    expect(statuses(carried.filing)).toEqual(['provision:delegatee:27:registered', 'query:delegatee:9:registered']);
    expect((carried.data['content'] as JsonObject)['form0307']).toEqual(example('03-07'));
    expect((await versionsOf(store, '130001')).map((v) => v['version'])).toEqual([1, 2]);

    // 八王子市 no longer receives 27-2: 東京都's 委任 loses its other side and leaves its master data.
    const withoutProvision = { '03-07': example('03-07'), '03-08': { ...example('03-08'), receivedProvisions: [] } };
    const change = await approve(engine, hachiojiApplicant, tokyoReviewer, '変更', withoutProvision);
    expect(statuses((await current(store, '132012', '市町村長部局')).filing)).toEqual(['query:delegatee:9:registered']);
    const tokyoNow = await current(store, '130001', '都道府県知事部局');
    expect(tokyoNow.data['version']).toBe(3);
    expect(statuses(tokyoNow.filing)).toEqual(['provision:delegator:27:pending']);
    expect((tokyoNow.data['content'] as JsonObject)['delegations']).toEqual([]);
    expect(tokyoNow.data['cause']).toMatchObject({ kind: 'delegation-match', applicationId: change, matched: [], unmatched: [expect.objectContaining({ itemNo: '27', side: 'delegator' })] });
    await store.close();
  });
});
