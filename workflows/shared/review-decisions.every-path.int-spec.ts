import { getSimplePaths } from 'xstate/graph';
import { ForbiddenError, WorkflowEngine, WorkflowRegistry, type Actor, type CommandMetadata, type JsonObject, type WorkflowDefinition } from '@nws/engine';
import type { EventStore } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { accountRequestV1 } from '../account-request';
import { connectionApplicationV1, masterDataStream } from '../connection-application';
import { firstReviewerFor, forwardingOrganFor, secondReviewerFor, type OrganizationRef } from './organizations';
import { asFiledBy } from '../connection-application/forms/testing/form-spec.helpers';

/**
 * "Nobody decides an application of their own body; the person who decided the first review does
 * not decide the second" (DOMAIN.md), proven over **every path** of each machine that has reviews,
 * not per state: the paths are all simple paths of the machine's graph (xstate/graph
 * getSimplePaths), with the round in the vertex so that revise-after-rejection loops are walked
 * (up to MAX_ROUND rounds, which keeps the set finite). Each path is driven through the real
 * engine on a real (in-memory) SQLite store; before every review decision on it, the forbidden
 * deciders try to approve and to reject — an applicant body's own reviewer, and, for the second
 * review, the person who decided this round's first review — and must be refused with nothing
 * appended; then the path's decider decides and the engine lands in the path's next state.
 * Post-approval steps (master data, distribution, account issue) decide nothing and are left to
 * the policy matrix.
 */

const MAX_ROUND = 3;
const NOW = '2026-11-21T09:00:00.000Z';
const DECISIONS: Record<string, { action: 'approve' | 'reject'; stage: 'first' | 'second' }> = {
  FirstReviewApproved: { action: 'approve', stage: 'first' },
  FirstReviewRejected: { action: 'reject', stage: 'first' },
  SecondReviewApproved: { action: 'approve', stage: 'second' },
  SecondReviewRejected: { action: 'reject', stage: 'second' },
};
const REASON = { comment: '様02-02の通常連絡先を直通番号にして再提出してください。' };

interface Body {
  readonly label: string;
  readonly definition: WorkflowDefinition;
  readonly organization: OrganizationRef;
  readonly applicant: Actor;
  /** The head's department forwarding a municipal board of education (首長部局を経由). */
  readonly forwarder?: Actor;
  readonly firstDecider: Actor;
  readonly create: JsonObject;
  readonly forms: ReadonlyArray<{ formCode: string; form: JsonObject }>;
}

const mic: Actor = { sub: 'mic-2', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' };
const prefecture: Actor = { sub: 'pref-1', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' };
const jlis: Actor = { sub: 'jlis-1', org: 'J-LIS', role: 'first-reviewer', name: '機構 次郎', department: '審査課' };
const formOf = (definition: WorkflowDefinition, code: string) => ({ formCode: code, form: definition.forms.get(code)!.example });

function connectionBody(label: string, code: string, name: string, kind: string, firstDecider: Actor, organ?: string): Body {
  const definition = connectionApplicationV1;
  const organization = { code, name, kind, prefectureCode: '130001' };
  const applicant: Actor = { sub: `applicant-${label}`, org: code, role: 'applicant', ...(organ ? { organ } : {}) };
  const via = forwardingOrganFor(organization);
  return {
    label,
    definition,
    organization,
    applicant,
    ...(via ? { forwarder: { sub: `head-${label}`, org: code, role: 'applicant', organ: via } } : {}),
    firstDecider,
    create: { organizationCode: code, category: '変更', ...(organ ? { organizationKind: organ } : {}) },
    forms: [{ formCode: '02-01', form: asFiledBy('02-01', definition.forms.get('02-01')!.example, name) }],
  };
}

function accountBody(label: string, code: string, name: string, kind: string, firstDecider: Actor): Body {
  const definition = accountRequestV1;
  return {
    label,
    definition,
    organization: { code, name, kind, prefectureCode: '130001' },
    applicant: { sub: `applicant-${label}`, org: code, role: 'applicant' },
    firstDecider,
    create: { organizationCode: code },
    forms: [formOf(definition, 'AR-01')],
  };
}

const BODIES: Body[] = [
  connectionBody('municipality (八王子市長, first review by 東京都)', '132012', '八王子市', '市町村長部局', prefecture),
  connectionBody('prefectural governor department (東京都知事, first review by J-LIS)', '130001', '東京都', '都道府県知事部局', jlis),
  connectionBody('municipal board of education (forwarded by its head, first review by 東京都)', '132012', '八王子市', '市町村教育委員会', prefecture, '市町村教育委員会'),
  connectionBody('prefectural board of education (first review by its prefecture, another organ)', '130001', '東京都', '都道府県教育委員会', prefecture, '都道府県教育委員会'),
  accountBody('account request of a municipality', '132012', '八王子市', '市町村長部局', prefecture),
  accountBody('account request of a prefectural governor department', '130001', '東京都', '都道府県知事部局', jlis),
];

interface MachineEventSample {
  type: string;
  data: Record<string, unknown>;
  meta: { actor: Actor; occurredAt: string };
}

/** The events the machine may be sent, given where it is (the round moves on with each revision, up to MAX_ROUND). */
function alphabet(body: Body) {
  return (snapshot: { context: { round?: number } }): MachineEventSample[] => {
    const round = snapshot.context.round ?? 1;
    const ev = (type: string, data: Record<string, unknown>, actor: Actor): MachineEventSample => ({ type, data, meta: { actor, occurredAt: NOW } });
    const reviewer = (a: Actor) => ({ sub: a.sub, org: a.org, orgName: a.org, department: null, name: null });
    const category = body.definition === accountRequestV1 ? 'アカウント発行' : '変更';
    const events = [
      ev('ApplicationCreated', { applicationId: 'app', organization: body.organization, category }, body.applicant),
      ev(
        'ApplicationSubmitted',
        { round, applicationNumber: 'N', firstReviewer: firstReviewerFor(body.organization), secondReviewer: secondReviewerFor(), forwardVia: forwardingOrganFor(body.organization) },
        body.applicant,
      ),
      ev('FirstReviewApproved', { round, comment: null, reviewer: reviewer(body.firstDecider) }, body.firstDecider),
      ev('FirstReviewRejected', { round, ...REASON, reviewer: reviewer(body.firstDecider) }, body.firstDecider),
      ev('SecondReviewApproved', { round, comment: null, reviewer: reviewer(mic) }, mic),
      ev('SecondReviewRejected', { round, ...REASON, reviewer: reviewer(mic) }, mic),
      ev('ApplicationWithdrawn', { reason: null }, body.applicant),
    ];
    if (body.forwarder) events.push(ev('ApplicationForwarded', { round, comment: null, forwardedBy: { ...body.forwarder, name: null, department: null } }, body.forwarder));
    if (round < MAX_ROUND) events.push(ev('ApplicationRevised', { round: round + 1 }, body.applicant));
    return events;
  };
}

interface Step {
  event: MachineEventSample;
  state: string;
}

/** Every simple path from the start, and the maximal ones (every other path is a prefix of one of them). */
function pathsOf(body: Body): { all: number; maximal: Step[][] } {
  const paths = getSimplePaths(body.definition.machine, {
    events: alphabet(body) as never,
    serializeState: (s) => JSON.stringify({ value: (s as { value: unknown }).value, round: (s as { context: { round?: number } }).context?.round ?? 0 }),
  });
  const steps = paths
    .map((p) =>
      p.steps
        .map((s) => ({ event: s.event as unknown as MachineEventSample, state: String((s.state as { value: unknown }).value) }))
        .filter((s) => !s.event.type.startsWith('xstate.')),
    )
    .filter((p) => p.length > 0);
  const key = (path: Step[]) => path.map((s) => `${s.event.type}@${s.state}`).join('>');
  const keys = steps.map(key);
  const maximal = steps.filter((_, i) => !keys.some((other, j) => j !== i && other.startsWith(`${keys[i]}>`)));
  return { all: paths.length, maximal };
}

/** Who would decide this review wrongly: the applicant body's own reviewer, and for the second review this round's first decider. */
function forbiddenDeciders(body: Body, stage: 'first' | 'second', firstDecider: Actor | undefined): Array<{ who: string; actor: Actor; reason: RegExp }> {
  const ownRole = stage === 'first' ? 'first-reviewer' : 'second-reviewer';
  const out = [
    {
      who: 'a reviewer of the applicant body itself',
      actor: { sub: `own-${ownRole}`, org: body.organization.code, role: ownRole, organ: body.organization.kind } as Actor,
      reason: /own body|routed to/,
    },
  ];
  if (stage === 'second' && firstDecider) {
    out.push({ who: 'the first decider, as a second reviewer of MIC', actor: { ...firstDecider, org: 'MIC', role: 'second-reviewer' }, reason: /decided the first review/ });
    out.push({ who: 'the first decider, in their own role', actor: firstDecider, reason: /only a second-reviewer/ });
  }
  return out;
}

let commands = 0;
const meta = (actor: Actor): CommandMetadata => ({ actor, now: NOW, commandId: `cmd-${commands++}`, correlationId: 'paths' });

function commandOf(body: Body, event: MachineEventSample): { action: string; actor: Actor; payload: JsonObject } {
  const decision = DECISIONS[event.type];
  if (decision) return { action: decision.action, actor: event.meta.actor, payload: decision.action === 'reject' ? REASON : {} };
  const byType: Record<string, { action: string; actor: Actor }> = {
    ApplicationSubmitted: { action: 'submit', actor: body.applicant },
    ApplicationForwarded: { action: 'forward', actor: body.forwarder! },
    ApplicationRevised: { action: 'revise', actor: body.applicant },
    ApplicationWithdrawn: { action: 'withdraw', actor: body.applicant },
  };
  const command = byType[event.type];
  if (!command) throw new Error(`no command for ${event.type}`);
  return { ...command, payload: {} };
}

/** Holder addresses of this application's own: an account request's second approval claims its addresses for the organ. */
function ownAddresses(saved: { formCode: string; form: JsonObject }, id: string): JsonObject {
  const holders = saved.form['holders'];
  if (!Array.isArray(holders)) return saved as unknown as JsonObject;
  return { ...saved, form: { ...saved.form, holders: holders.map((h, i) => ({ ...(h as JsonObject), email: `holder-${i}-${id.slice(0, 8)}@city.hachioji.tokyo.jp` })) } } as unknown as JsonObject;
}

/** Drives one path through the engine, trying the forbidden deciders before each decision. Returns the number of refusals checked. */
async function walk(engine: WorkflowEngine, store: EventStore, body: Body, path: Step[]): Promise<number> {
  const [created, ...rest] = path;
  expect(created?.event.type).toBe('ApplicationCreated');
  const { id } = await engine.create(body.definition.name, body.create, meta(body.applicant));
  for (const form of body.forms) await engine.execute(id, 'save-form', ownAddresses(form, id), meta(body.applicant), { internal: true });
  const stream = `application-${id}`;
  let refusals = 0;
  let firstDecider: Actor | undefined;
  for (const step of rest) {
    const decision = DECISIONS[step.event.type];
    if (step.event.type === 'ApplicationSubmitted') firstDecider = undefined;
    if (decision) {
      const { folded } = await engine.current(id);
      for (const { who, actor, reason: ruleBroken } of forbiddenDeciders(body, decision.stage, firstDecider)) {
        // Whoever may not read the application is refused as a GET would refuse them, before
        // anything (its state, the rule they break) is said about it.
        const reason = body.definition.canRead(folded, actor) ? ruleBroken : /may not read application/;
        for (const action of ['approve', 'reject'] as const) {
          const revision = await store.streamRevision(stream);
          const head = await store.headPosition();
          const attempt = engine.execute(id, action, action === 'reject' ? REASON : {}, meta(actor));
          await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
          const error = (await attempt.catch((e: unknown) => e)) as ForbiddenError;
          if (!reason.test(error.message)) throw new Error(`${who} (${action}) was refused for another reason: ${error.message}`);
          expect(await store.streamRevision(stream)).toBe(revision);
          expect(await store.headPosition()).toBe(head);
          refusals += 1;
        }
      }
    }
    const { action, actor, payload } = commandOf(body, step.event);
    const before = await store.streamRevision(stream);
    const view = await engine.execute(id, action, payload, meta(actor));
    expect({ step: step.event.type, state: view.state, revision: view.revision }).toEqual({ step: step.event.type, state: step.state, revision: (before ?? -1) + 1 });
    if (decision?.stage === 'first') firstDecider = actor;
  }
  return refusals;
}

describe('review decisions over every path of the machines: own body and first decider ≠ second are refused, nothing appended', () => {
  for (const body of BODIES) {
    const { all, maximal } = pathsOf(body);
    const decisions = maximal.reduce((sum, p) => sum + p.filter((s) => DECISIONS[s.event.type]).length, 0);
    it(`${body.definition.name} — ${body.label}: ${all} simple paths (${maximal.length} maximal, ${decisions} review decisions, up to ${MAX_ROUND} rounds)`, async () => {
      const store = new SqliteEventStore({ filename: ':memory:' });
      // Reactions (master-data registration) decide nothing about reviews: left out to keep the walk to the reviews.
      const engine = new WorkflowEngine(store, new WorkflowRegistry([{ ...body.definition, reactions: [] }]));
      // A 変更 changes registered master data: the organ's is there (its content is not read here).
      const { code, kind } = body.organization;
      await store.append(masterDataStream(code, kind), [{ id: `registered-${code}-${kind}`, type: 'MasterDataVersionRegistered', data: { organizationCode: code, organizationKind: kind, version: 1 }, metadata: {} }], 'any');
      let refusals = 0;
      for (const path of maximal) refusals += await walk(engine, store, body, path);
      // Every path reaches a second review with a revise loop: the walk really covered decisions of later rounds.
      expect(maximal.some((p) => p.filter((s) => s.event.type === 'ApplicationRevised').length === MAX_ROUND - 1 && p.some((s) => s.event.type === 'SecondReviewApproved'))).toBe(true);
      expect(refusals).toBeGreaterThan(decisions);
      await store.close();
    });
  }
});
