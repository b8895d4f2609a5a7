import { getShortestPaths } from 'xstate/graph';
import { foldApplication, type Actor, type FoldedApplication } from '@nws/engine';
import { connectionApplicationV1 } from './connection-application.workflow';
import { PERSONAL_DATA_REQUESTS, SYSTEM_ACTOR, authorizePersonalDataRequest, type PersonalDataRequest } from './connection-application.policy';

/**
 * The full matrix: every role × body relation × action × state (reached through the machine's own
 * graph), for a municipality (first review: its prefecture) and a prefectural governor department
 * (first review: J-LIS). The expected outcomes are written out below, not derived from the policy:
 * a change of the policy or of the machine fails here until this table says the new truth.
 */
const definition = connectionApplicationV1;
const ACTIONS = ['read', ...new Set([...definition.commands, 'forward'])];

type Kind = 'municipality' | 'governor' | 'board-of-education' | 'prefectural-board-of-education';
const BODY = {
  municipality: { code: '132012', name: '八王子市', kind: '市町村長部局', otherOrgan: '市町村教育委員会', firstReviewer: '130001', routedFirst: 'pref-1', forwardVia: null },
  governor: { code: '130001', name: '東京都', kind: '都道府県知事部局', otherOrgan: '都道府県教育委員会', firstReviewer: 'J-LIS', routedFirst: 'jlis-1', forwardVia: null },
  'board-of-education': { code: '132012', name: '八王子市', kind: '市町村教育委員会', otherOrgan: '市町村長部局', firstReviewer: '130001', routedFirst: 'pref-1', forwardVia: '市町村長部局' },
  // Another organ of the prefecture: reviewed by the prefecture (only governor departments go to J-LIS).
  'prefectural-board-of-education': { code: '130001', name: '東京都', kind: '都道府県教育委員会', otherOrgan: '都道府県知事部局', firstReviewer: '130001', routedFirst: 'pref-1', forwardVia: null },
} as const;

const actorsOf = (kind: Kind): Record<string, Actor> => ({
  'own-applicant': { sub: 'own-1', org: BODY[kind].code, role: 'applicant', organ: BODY[kind].kind },
  // Same local-government code, another organ: for a board of education, its head's department.
  'same-body-other-organ-applicant': { sub: 'organ-1', org: BODY[kind].code, role: 'applicant', organ: BODY[kind].otherOrgan },
  'other-applicant': { sub: 'other-1', org: kind === 'governor' ? '132012' : '132021', role: 'applicant' },
  'own-body-first-reviewer': { sub: 'self-1', org: BODY[kind].code, role: 'first-reviewer', organ: BODY[kind].kind },
  'prefecture-first-reviewer': { sub: 'pref-1', org: '130001', role: 'first-reviewer' },
  'jlis-first-reviewer': { sub: 'jlis-1', org: 'J-LIS', role: 'first-reviewer' },
  'other-prefecture-first-reviewer': { sub: 'kanagawa-1', org: '140007', role: 'first-reviewer' },
  'mic-second-reviewer': { sub: 'mic-2', org: 'MIC', role: 'second-reviewer' },
  'first-decider-as-second-reviewer': { sub: BODY[kind].routedFirst, org: 'MIC', role: 'second-reviewer' },
  'prefecture-second-reviewer': { sub: 'pref-2', org: '130001', role: 'second-reviewer' },
  'mic-applicant': { sub: 'mic-3', org: 'MIC', role: 'applicant' },
  'mic-auditor': { sub: 'audit-1', org: 'MIC', role: 'auditor' },
  'prefecture-auditor': { sub: 'audit-2', org: '130001', role: 'auditor' },
  'mic-distributor': { sub: 'dist-1', org: 'MIC', role: 'distributor' },
  'municipal-distributor': { sub: 'dist-2', org: '132012', role: 'distributor' },
  system: SYSTEM_ACTOR,
  // A token's subject is whatever the identity provider says: "system" is not the engine (it read everything).
  'operator-named-system': { sub: 'system', org: '271004', role: 'operator' as Actor['role'] },
});

/**
 * What each relation may do, situation by situation; any relation or action not listed: nothing.
 * `routed` is the relation the first review is routed to: the prefecture, or J-LIS for a
 * prefectural governor department. Written once for all kinds, the literal rows are the same.
 */
function table(routed: string, options: { otherOrganReads: boolean }): Record<string, Record<string, string>> {
  // A body is an organ: another organ of the code reads only the applications it forwards (a head's department its board's).
  const body = { ...(options.otherOrganReads ? { 'same-body-other-organ-applicant': 'read' } : {}), auditors: 'read', system: 'read' };
  const reviewers = { ...body, [routed]: 'read', 'mic-second-reviewer': 'read', 'first-decider-as-second-reviewer': 'read' };
  // ...once submitted: a draft is its own organ's alone.
  const { 'same-body-other-organ-applicant': _forwarder, ...drafting } = body as Record<string, string>;
  return {
    draft: { ...drafting, 'own-applicant': 'generate-selection-forms read remove-form save-form submit withdraw' },
    firstReview: { ...reviewers, 'own-applicant': 'read withdraw', [routed]: 'read approve reject' },
    secondReview: { ...reviewers, 'own-applicant': 'read withdraw', 'mic-second-reviewer': 'read approve reject' },
    'rejected (first review)': { ...reviewers, 'own-applicant': 'read revise withdraw' },
    'rejected (second review)': { ...reviewers, 'own-applicant': 'read revise withdraw' },
    'draft (round 2)': { ...reviewers, ...(options.otherOrganReads ? { 'same-body-other-organ-applicant': '' } : {}), 'own-applicant': 'generate-selection-forms read remove-form save-form submit withdraw' },
    approved: { ...reviewers, 'own-applicant': 'read', system: 'read register-master-data' },
    masterDataRegistered: { ...reviewers, 'own-applicant': 'read', 'mic-distributor': 'read confirm-distribution', system: 'read confirm-distribution' },
    distributed: { ...reviewers, 'own-applicant': 'read', 'mic-distributor': 'read' },
    // Withdrawn before it was ever submitted: still a draft's readers (its head's department never received it).
    withdrawn: { ...drafting, 'own-applicant': 'read' },
    'withdrawn (in first review)': { ...reviewers, 'own-applicant': 'read' },
  };
}

const EXPECTED: Record<Kind, Record<string, Record<string, string>>> = {
  municipality: table('prefecture-first-reviewer', { otherOrganReads: false }),
  // The prefecture's first reviewers (its governor's department, the 取りまとめ都道府県) decide; a
  // reviewer's token of its board of education shares the code but reviews nothing, nor reads.
  'prefectural-board-of-education': table('prefecture-first-reviewer', { otherOrganReads: false }),
  governor: table('jlis-first-reviewer', { otherOrganReads: false }),
  'board-of-education': {
    ...table('prefecture-first-reviewer', { otherOrganReads: true }),
    // 首長部局を経由: the head's department forwards; what waits for it has not reached the reviewers.
    awaitingForward: {
      'own-applicant': 'read withdraw',
      'same-body-other-organ-applicant': 'read forward',
      auditors: 'read',
      system: 'read',
    },
    // Withdrawn while it waited for forwarding: received by the head's department, never by the reviewers.
    'withdrawn (awaiting forward)': { 'own-applicant': 'read', 'same-body-other-organ-applicant': 'read', auditors: 'read', system: 'read' },
  },
};

interface SampleEvent {
  type: string;
  data: Record<string, unknown>;
  meta: Record<string, unknown>;
}

function sampleEvents(kind: Kind): SampleEvent[] {
  const body = BODY[kind];
  const actors = actorsOf(kind);
  const ev = (type: string, data: Record<string, unknown>, actor: Actor): SampleEvent => ({
    type,
    data,
    meta: { actor: { ...actor }, occurredAt: '2026-11-20T00:00:00.000Z', workflow: definition.name, machineVersion: definition.machineVersion },
  });
  const reviewer = (actor: Actor) => ({ sub: actor.sub, org: actor.org, orgName: actor.org, department: null, name: null });
  const routed = kind === 'governor' ? actors['jlis-first-reviewer']! : actors['prefecture-first-reviewer']!;
  const own = actors['own-applicant']!;
  const routing = { round: 1, applicationNumber: `20261120-${body.code}-ABCDEF`, firstReviewer: body.firstReviewer, secondReviewer: 'MIC' };
  return [
    ev('ApplicationCreated', { applicationId: 'app-1', organization: { code: body.code, name: body.name, kind: body.kind, prefectureCode: '130001' }, category: '登録' }, own),
    ev('FormSaved', { formCode: '02-02', form: {} }, own),
    ev('ApplicationSubmitted', { ...routing, forwardVia: body.forwardVia }, own),
    ev('ApplicationForwarded', { round: 1, comment: null, forwardedBy: { sub: 'organ-1', org: body.code, organ: body.otherOrgan, name: null, department: null } }, actors['same-body-other-organ-applicant']!),
    ev('FirstReviewApproved', { round: 1, comment: null, reviewer: reviewer(routed) }, routed),
    ev('FirstReviewRejected', { round: 1, comment: '様02-02の直通番号を記入してください。', reviewer: reviewer(routed) }, routed),
    ev('SecondReviewApproved', { round: 1, comment: null, reviewer: reviewer(actors['mic-second-reviewer']!) }, actors['mic-second-reviewer']!),
    ev('SecondReviewRejected', { round: 1, comment: '様02-06の報告者を責任者にしてください。', reviewer: reviewer(actors['mic-second-reviewer']!) }, actors['mic-second-reviewer']!),
    ev('ApplicationRevised', { round: 2 }, own),
    ev('ApplicationWithdrawn', { reason: null }, own),
    ev('MasterDataRegistered', { organizationCode: body.code, version: 1, contentHash: 'sha256:0' }, SYSTEM_ACTOR),
    ev('MasterDataDistributed', { organizationCode: body.code, version: 1, comment: null }, actors['mic-distributor']!),
  ];
}

/** Every state the machine can reach, by its shortest event path, plus the situations a second path makes different. */
function situations(kind: Kind): Map<string, SampleEvent[]> {
  const body = BODY[kind];
  const events = sampleEvents(kind);
  const paths = getShortestPaths(definition.machine, { events: events as never, serializeState: (s) => JSON.stringify((s as { value: unknown }).value) });
  const byState = new Map<string, SampleEvent[]>();
  for (const path of paths) {
    const steps = path.steps.map((step) => step.event as unknown as SampleEvent).filter((e) => !e.type.startsWith('xstate.'));
    if (steps.length > 0) byState.set(String((path.state as { value: unknown }).value), steps);
  }
  const pick = (type: string, pred: (e: SampleEvent) => boolean = () => true) => events.find((e) => e.type === type && pred(e))!;
  const inFirst = [pick('ApplicationCreated'), pick('ApplicationSubmitted'), ...(body.forwardVia ? [pick('ApplicationForwarded')] : [])];
  const out = new Map(byState);
  out.set('rejected (first review)', [...inFirst, pick('FirstReviewRejected')]);
  out.set('rejected (second review)', [...inFirst, pick('FirstReviewApproved'), pick('SecondReviewRejected')]);
  out.set('draft (round 2)', [...inFirst, pick('FirstReviewRejected'), pick('ApplicationRevised')]);
  out.set('withdrawn (in first review)', [...inFirst, pick('ApplicationWithdrawn')]);
  if (body.forwardVia) out.set('withdrawn (awaiting forward)', [pick('ApplicationCreated'), pick('ApplicationSubmitted'), pick('ApplicationWithdrawn')]);
  out.delete('rejected');
  return out;
}

function fold(events: SampleEvent[]): FoldedApplication {
  return foldApplication(
    definition,
    'app-1',
    events.map((e, revision) => ({ type: e.type, data: e.data as never, metadata: e.meta as never, revision })),
  );
}

/** The engine's two gates: the state offers the action, and the policy allows this actor. */
function outcome(app: FoldedApplication, actor: Actor, action: string): boolean {
  if (action === 'read') return definition.canRead(app, actor);
  const type = definition.eventFor(action, app);
  const offered = type !== undefined && app.snapshot.can({ type, data: {}, meta: { actor: { ...actor } } });
  return offered && definition.authorize(action, app, actor).allowed;
}

const expand = (kind: Kind, row: Record<string, string>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const relation of Object.keys(actorsOf(kind))) {
    const listed = row[relation] ?? (relation.endsWith('-auditor') ? row['auditors'] : undefined) ?? '';
    out[relation] = listed.split(' ').filter(Boolean).sort().join(' ');
  }
  return out;
};

describe('connection-application policy: the full role × body × action × state matrix', () => {
  const kinds = ['municipality', 'governor', 'board-of-education', 'prefectural-board-of-education'] as const;

  it('the situations reach every state of the machine, and the table has a row for each', () => {
    const states = Object.keys(definition.machine.states).filter((s) => s !== 'new');
    const covered = new Set(kinds.flatMap((kind) => [...situations(kind).keys()].map((s) => s.replace(/ \(.*\)$/, ''))));
    expect([...covered].sort()).toEqual([...states].sort());
    for (const kind of kinds) expect(Object.keys(EXPECTED[kind]).sort()).toEqual([...situations(kind).keys()].sort());
  });

  for (const kind of kinds) {
    for (const [situation, events] of situations(kind)) {
      it(`${kind} / ${situation}: exactly the expected actions succeed, for every relation`, () => {
        const app = fold(events);
        const actual: Record<string, string> = {};
        for (const [relation, actor] of Object.entries(actorsOf(kind))) {
          actual[relation] = ACTIONS.filter((action) => outcome(app, actor, action)).sort().join(' ');
        }
        expect(actual).toEqual(expand(kind, EXPECTED[kind][situation] ?? {}));
      });
    }
  }
});

describe('personal-data requests: who may handle the data of a body’s staff', () => {
  const SUBJECT_ORG = '132012';
  const SUBJECT = { code: SUBJECT_ORG, organ: '市町村長部局' };
  const actors: Record<string, Actor> = {
    'own-applicant': { sub: 'a', org: SUBJECT_ORG, role: 'applicant' },
    'own-organ-named-applicant': { sub: 'a2', org: SUBJECT_ORG, organ: '市町村長部局', role: 'applicant' },
    'same-code-board-applicant': { sub: 'a3', org: SUBJECT_ORG, organ: '市町村教育委員会', role: 'applicant' },
    'other-applicant': { sub: 'b', org: '132021', role: 'applicant' },
    'prefecture-first-reviewer': { sub: 'c', org: '130001', role: 'first-reviewer' },
    'jlis-first-reviewer': { sub: 'd', org: 'J-LIS', role: 'first-reviewer' },
    'mic-second-reviewer': { sub: 'e', org: 'MIC', role: 'second-reviewer' },
    'prefecture-second-reviewer': { sub: 'f', org: '130001', role: 'second-reviewer' },
    'mic-auditor': { sub: 'g', org: 'MIC', role: 'auditor' },
    'mic-distributor': { sub: 'h', org: 'MIC', role: 'distributor' },
    'own-body-distributor': { sub: 'i', org: SUBJECT_ORG, role: 'distributor' },
    system: SYSTEM_ACTOR,
  };
  const EXPECTED_REQUESTS: Record<string, string> = {
    'own-applicant': 'disclose erase list-subjects read-access-log resume suspend',
    'own-organ-named-applicant': 'disclose erase list-subjects read-access-log resume suspend',
    'mic-second-reviewer': 'disclose erase list-subjects resume suspend',
    'mic-auditor': 'read-access-log',
  };

  it('matches the table for every role × relation × request', () => {
    const actual: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const [relation, actor] of Object.entries(actors)) {
      actual[relation] = PERSONAL_DATA_REQUESTS.filter((r: PersonalDataRequest) => authorizePersonalDataRequest(r, SUBJECT, actor).allowed).sort().join(' ');
      expected[relation] = EXPECTED_REQUESTS[relation] ?? '';
    }
    expect(actual).toEqual(expected);
  });
});

describe('personal-data requests: a board of education answers for its own staff', () => {
  const BOARD = { code: '132012', organ: '市町村教育委員会' };

  it('given a subject of 八王子市教育委員会, its applicants handle it and the head department’s do not', () => {
    const board: Actor = { sub: 'b1', org: '132012', organ: '市町村教育委員会', role: 'applicant' };
    const head: Actor = { sub: 'h1', org: '132012', role: 'applicant' };
    const allowed = (actor: Actor) => PERSONAL_DATA_REQUESTS.filter((r) => authorizePersonalDataRequest(r, BOARD, actor).allowed).sort().join(' ');
    expect(allowed(board)).toBe('disclose erase list-subjects read-access-log resume suspend');
    expect(allowed(head)).toBe('');
    const refusal = authorizePersonalDataRequest('erase', BOARD, head);
    expect(refusal.allowed ? '' : refusal.reason.ja).toContain('132012（市町村教育委員会）');
  });
});
