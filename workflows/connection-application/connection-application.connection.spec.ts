import type { FieldViolation, FoldedApplication, JsonObject, StreamRequirement } from '@nws/engine';
import { specify, type GivenEvent } from '@nws/engine/testing';
import type { RecordedEvent } from '@nws/event-store';
import { connectionApplicationV1 } from './connection-application.workflow';
import { connectionApplicationCommandRequires } from './connection-application.create';
import { connectionApplicationForms } from './forms';
import { masterDataStream } from './master-data/master-data.content';
import { created, firstApproved, hachiojiApplicant, submitted } from './testing/fixtures';

const spec = specify(connectionApplicationV1);
const HEAD = masterDataStream('132012', '市町村長部局');
const PEOPLE = 'personal-data-132012';

/** The stores these rules read, stream by stream: what the engine would find there. */
type Streams = Record<string, RecordedEvent[]>;

/**
 * The refusals of a 申請区分 (`category`, of the application or a form) the requirements find on these
 * streams, as the engine checks them (exists, last event, last event each selection picks).
 */
function refusals(requirements: readonly StreamRequirement[], streams: Streams): string[] {
  const events = (id: string) => streams[id] ?? [];
  const violations: FieldViolation[] = requirements.flatMap((r) => {
    if ('streams' in r) return r.check(r.streams.map((s) => events(s.streamId).filter((e) => !s.select || s.select(e)).at(-1)));
    if ('latest' in r) return r.latest(events(r.streamId).at(-1), () => 'pending');
    return (events(r.streamId).length > 0) === r.exists ? [] : [r.refusal];
  });
  return violations.filter((v) => v.field.endsWith('category')).map((v) => `${v.field}:${v.rule}`);
}

let position = 0;
const recorded = (type: string, data: JsonObject, occurredAt: string): RecordedEvent => ({ id: `e${++position}`, streamId: '', revision: 0, position, type, data, metadata: { occurredAt }, recordedAt: occurredAt }) as RecordedEvent;
/** A version of 八王子市's head department: of an approved application of `category`, or derived by a later 突合 (no approval). */
const version = (n: number, category: string, occurredAt: string, derived = false) =>
  recorded('MasterDataVersionRegistered', { organizationCode: '132012', organizationKind: '市町村長部局', version: n, applicationNumber: `APP-${n}`, category, sourceEventId: derived ? null : `approval-${n}` }, occurredAt);
const ended = (endedAt: string, organizationKind?: string) =>
  recorded('ConnectionEnded', { organizationCode: '132012', ...(organizationKind ? { organizationKind } : {}), endedAt }, `${endedAt}T09:00:00.000Z`);
const erased = (at: string) => recorded('PersonalDataErased', { subjectId: 's1', organizationCode: '132012', organizationKind: '市町村長部局' }, at);

const connection: GivenEvent = { ...created, data: { ...created.data, category: '接続' } };
/** A form saved from its example with `changes` (a change to `undefined` leaves the field out). */
function saved(code: string, changes: Record<string, unknown> = {}): GivenEvent {
  const form = connectionApplicationForms.get(code)!;
  const result = form.validate(form.example);
  if (!result.ok) throw new Error(`example of ${code} is invalid`);
  const filed = JSON.parse(JSON.stringify({ ...result.value, ...changes })) as JsonObject;
  return { type: 'FormSaved', data: { formCode: code, form: filed }, actor: hachiojiApplicant };
}
/** A 接続 draft whose 様03-06 says `category` (接続 or 再開), with 様03-07 (its 申請区分 as given). */
const draft = (category: string, form0307: Record<string, unknown> = {}): FoldedApplication => spec.given([connection, saved('03-06', { category }), saved('03-07', form0307)]).application;
const inSecondReview = (category: string): FoldedApplication => spec.given([connection, saved('03-06', { category }), saved('03-07'), submitted, firstApproved]).application;
const atSubmission = (application: FoldedApplication, streams: Streams) => refusals(connectionApplicationCommandRequires('submit', application), streams);

describe('connection application: 様03-06 「接続」 is for an organ not connected', () => {
  it('given 八王子市 connected by an approved 接続 (master data v1, no end), when a 接続 is submitted or approved at the second review, then it is refused naming forms.03-06.category', () => {
    const streams = { [HEAD]: [version(1, '接続', '2026-04-01T01:00:00.000Z')] };
    expect(atSubmission(draft('接続'), streams)).toEqual(['forms.03-06.category:connectionOfUnconnected']);
    expect(refusals(connectionApplicationCommandRequires('approve', inSecondReview('接続')), streams)).toEqual(['forms.03-06.category:connectionOfUnconnected']);
    const [refusal] = connectionApplicationCommandRequires('submit', draft('接続')).flatMap((r) => ('streams' in r ? r.check([undefined, streams[HEAD]![0], undefined]) : []));
    expect(refusal!.message).toEqual({
      ja: 'forms.03-06.category: 八王子市（市町村長部局）は接続済みです（申請 APP-1 によるマスタデータ第1版）。登録内容の変更は申請区分「変更」で、接続の終了後に接続し直すときは様03-06の申請区分「再開」で申請してください。',
      en: 'forms.03-06.category: 八王子市 (市町村長部局) is connected already (master data version 1, application APP-1): apply with 変更 to change what is registered, or with 再開 after its connection ended',
    });
  });

  it('given the connection and changes after it (変更 and 突合 versions), then it is still connected', () => {
    const streams = { [HEAD]: [version(1, '接続', '2026-04-01T01:00:00.000Z'), version(2, '変更', '2026-06-01T01:00:00.000Z'), version(3, '接続', '2026-07-01T01:00:00.000Z', true)] };
    expect(atSubmission(draft('接続'), streams)).toEqual(['forms.03-06.category:connectionOfUnconnected']);
  });

  it('given no master data, or master data of a 登録 alone, then the 接続 starts the connection', () => {
    expect(atSubmission(draft('接続'), {})).toEqual([]);
    expect(atSubmission(draft('接続'), { [HEAD]: [version(1, '登録', '2026-04-01T01:00:00.000Z')] })).toEqual([]);
  });

  it('given the connection ended (on the day of the version or later), then a 接続 is not refused; an end of the board of education (another organ) ends nothing', () => {
    const head = { [HEAD]: [version(1, '接続', '2026-04-01T01:00:00.000Z')] };
    expect(atSubmission(draft('接続'), { ...head, [PEOPLE]: [ended('2026-04-01'), erased('2026-05-01T00:00:00.000Z')] })).toEqual([]);
    // Recorded before organs were named: the code's default organ, the head department.
    expect(atSubmission(draft('接続'), { ...head, [PEOPLE]: [ended('2026-05-01')] })).toEqual([]);
    expect(atSubmission(draft('接続'), { ...head, [PEOPLE]: [ended('2026-05-01', '市町村教育委員会')] })).toEqual(['forms.03-06.category:connectionOfUnconnected']);
  });

  it('given an end and a version of the same day, then the one recorded last tells: the end ended the connection, a 再開 approved after it restarted it', () => {
    const connected = version(1, '接続', '2026-04-01T01:00:00.000Z');
    const endedThatDay = ended('2026-04-01');
    expect(atSubmission(draft('接続'), { [HEAD]: [connected], [PEOPLE]: [endedThatDay] })).toEqual([]);
    const restarted = version(2, '接続', '2026-04-01T06:00:00.000Z');
    expect(atSubmission(draft('接続'), { [HEAD]: [connected, restarted], [PEOPLE]: [endedThatDay] })).toEqual(['forms.03-06.category:connectionOfUnconnected']);
  });

  it('given the connection ended and a 接続 approved on a later day, then it is connected again', () => {
    const streams = { [HEAD]: [version(1, '接続', '2026-04-01T01:00:00.000Z'), version(2, '接続', '2026-06-02T01:00:00.000Z')], [PEOPLE]: [ended('2026-06-01')] };
    expect(atSubmission(draft('接続'), streams)).toEqual(['forms.03-06.category:connectionOfUnconnected']);
  });
});

describe('connection application: 様03-06 「再開」 restarts a connection that ended', () => {
  it('given no master data, then 再開 is refused: the organ was never connected', () => {
    expect(atSubmission(draft('再開'), {})).toEqual(['forms.03-06.category:restartOfConnected']);
  });

  it('given 八王子市 connected, no end recorded, then 再開 is refused at submission and at the second approval', () => {
    const streams = { [HEAD]: [version(1, '接続', '2026-04-01T01:00:00.000Z')], [PEOPLE]: [erased('2026-05-01T00:00:00.000Z')] };
    expect(atSubmission(draft('再開'), streams)).toEqual(['forms.03-06.category:restartAfterEnd']);
    expect(refusals(connectionApplicationCommandRequires('approve', inSecondReview('再開')), streams)).toEqual(['forms.03-06.category:restartAfterEnd']);
    // Not at the first review: the second approval is where it would register.
    expect(refusals(connectionApplicationCommandRequires('approve', spec.given([connection, saved('03-06', { category: '再開' }), saved('03-07'), submitted]).application), streams)).toEqual([]);
  });

  it('given master data of a 登録 alone and no end, then 再開 is refused (it starts with 接続); given an end, it restarts', () => {
    const registered = { [HEAD]: [version(1, '登録', '2026-04-01T01:00:00.000Z')] };
    expect(atSubmission(draft('再開'), registered)).toEqual(['forms.03-06.category:restartAfterEnd']);
    expect(atSubmission(draft('再開'), { ...registered, [PEOPLE]: [ended('2026-05-01')] })).toEqual([]);
  });

  it('given the connection ended, then 再開 is taken; once a 接続 was approved after the end, it is refused again', () => {
    const endedConnection: Streams = { [HEAD]: [version(1, '接続', '2026-04-01T01:00:00.000Z')], [PEOPLE]: [ended('2026-05-01')] };
    expect(atSubmission(draft('再開'), endedConnection)).toEqual([]);
    // A 突合 after the end registers a version, and connects nothing.
    expect(atSubmission(draft('再開'), { ...endedConnection, [HEAD]: [...endedConnection[HEAD]!, version(2, '接続', '2026-06-01T01:00:00.000Z', true)] })).toEqual([]);
    expect(atSubmission(draft('再開'), { ...endedConnection, [HEAD]: [...endedConnection[HEAD]!, version(2, '接続', '2026-06-01T01:00:00.000Z')] })).toEqual(['forms.03-06.category:restartAfterEnd']);
  });
});

describe("connection application: a 接続's forms are filed as 登録 where nothing is registered", () => {
  it('given 八王子市 with no master data, when its 接続 carries a 様03-07 marked 変更, then submission and the second approval are refused naming forms.03-07.category', () => {
    expect(atSubmission(draft('接続', { category: '変更' }), {})).toEqual(['forms.03-07.category:registeredFirst']);
    const approval = spec.given([connection, saved('03-06', { category: '接続' }), saved('03-07', { category: '変更' }), saved('03-08', { category: '変更' }), submitted, firstApproved]).application;
    expect(refusals(connectionApplicationCommandRequires('approve', approval), {})).toEqual(['forms.03-07.category:registeredFirst', 'forms.03-08.category:registeredFirst']);
    const [requirement] = connectionApplicationCommandRequires('submit', draft('接続', { category: '変更' })).filter((r) => 'exists' in r && r.refusal.field === 'forms.03-07.category');
    expect(requirement).toMatchObject({
      refusal: {
        message: {
          ja: 'forms.03-07.category: 接続の申請では様03-07の申請区分は「登録」を選択します。八王子市（市町村長部局）のマスタデータは登録されていないため、「変更」する登録内容がありません。',
          en: 'forms.03-07.category: a 接続 files form 03-07 as 登録, and 八王子市 (市町村長部局) has no registered master data to change: choose 登録',
        },
      },
    });
  });

  it('given the same marked 登録, or left out, then it is taken; given master data registered (a 登録 before), the documents do not say, and 変更 is taken', () => {
    expect(atSubmission(draft('接続', { category: '登録' }), {})).toEqual([]);
    expect(atSubmission(draft('接続', { category: undefined }), {})).toEqual([]);
    expect(atSubmission(draft('接続', { category: '変更' }), { [HEAD]: [version(1, '登録', '2026-04-01T01:00:00.000Z')] })).toEqual([]);
  });
});
