import { ForbiddenError, type Actor, type JsonObject } from '@nws/engine';
import { specify, type GivenEvent } from '@nws/engine/testing';
import { BEPPYO2_CATALOG_VERSION, findBeppyo2Item, findBeppyo2Row } from '@nws/reference-catalog';
import { connectionApplicationV1 } from '../connection-application.workflow';
import { SYSTEM_ACTOR } from '../connection-application.policy';
import { form0308 } from '../forms/form-03-08.form';
import { reviewerData } from '../testing/fixtures';
import {
  delegationOutcome,
  delegationEntriesOf,
  pendingNotice,
  settleDelegations,
  statusChanges,
  type DelegationEntry,
  type DelegationFiling,
  type FiledDelegation,
} from './delegation-matching';

/**
 * 委任・受任の突合, decided when the system registers an approved application's master data
 * (`register-master-data`): given the approved application, when the registrar passes the
 * counterparts' current filings, then MasterDataRegistered says which delegations entered the
 * master data and which are held for their other side.
 */

const TOKYO = '130001';
const HACHIOJI = '132012';
const HINO = '132128';
const ASSOCIATION = '138002';
const TAX_INFO = findBeppyo2Row('27', '2')!.personalInfo;
const OTHER_INFO = findBeppyo2Row('27', '3')!.personalInfo;

const spec = specify(connectionApplicationV1);
const mic: Actor = { sub: 'mic-1', org: 'MIC', role: 'second-reviewer' };
const jlis: Actor = { sub: 'jlis-1', org: 'J-LIS', role: 'first-reviewer' };
const tokyoReviewer: Actor = { sub: 'tokyo-1', org: TOKYO, role: 'first-reviewer' };

const body = (code: string, name: string, kind: string) => ({ code, name, kind, prefectureCode: TOKYO });
const BODIES = {
  [TOKYO]: body(TOKYO, '東京都', '都道府県知事部局'),
  [HACHIOJI]: body(HACHIOJI, '八王子市', '市町村長部局'),
  [ASSOCIATION]: body(ASSOCIATION, '多摩地域滞納整理事務組合', '一部事務組合・広域連合'),
};

/** 東京都 to a city by its 条例 (事務処理の特例); a member to the association it set up, by the association's 規約. */
const link = (delegatorCode: string, delegateeCode: string) => ({
  delegatorCode,
  delegateeCode,
  ...(delegateeCode === ASSOCIATION
    ? { basis: '地方自治法第284条', instrumentKind: '規約', instrumentName: '多摩地域滞納整理事務組合規約' }
    : { basis: '地方自治法第252条の17の2', instrumentKind: '条例', instrumentName: '市町村における東京都の事務処理の特例に関する条例' }),
  delegatorHoldsByLaw: true,
});
const delegation = (delegators: string[], delegateeCode: string) => ({ chain: delegators.map((d) => link(d, delegateeCode)), delegators, delegatorConfirmed: true });

/** A 様03-08 as saved (validated by the form itself, so the rows are rows the applicant can file). */
function saved0308(form: Record<string, unknown>): Record<string, unknown> {
  const input = { applicationDate: '2026/11/20', category: '登録', catalogVersion: BEPPYO2_CATALOG_VERSION, receivedQueryAffairs: [], delegatedProvisions: [], receivedProvisions: [], ...form };
  const result = form0308.validate(input);
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  return result.value;
}

/** 八王子市 receives from 東京都: the query affair 9 (受任, alone enough) and the provision of 27-2 (受任, to be matched). */
const HACHIOJI_0308 = saved0308({
  receivedQueryAffairs: [{ itemNo: '9', affairName: findBeppyo2Item('9')!.affair, delegation: delegation([TOKYO], HACHIOJI) }],
  receivedProvisions: [{ itemNo: '27', personalInfoName: TAX_INFO, delegation: delegation([TOKYO], HACHIOJI) }],
});
/** 東京都 delegates the provision of 27-2 to 八王子市 (委任). */
const TOKYO_0308 = saved0308({ delegatedProvisions: [{ itemNo: '27', personalInfoName: TAX_INFO, delegateeCode: HACHIOJI }] });

/** An application of `code` with this 様03-08, through both reviews. */
function approved(code: keyof typeof BODIES, form: Record<string, unknown> | undefined): GivenEvent[] {
  const org = BODIES[code]!;
  const applicant: Actor = { sub: `applicant-${code}`, org: code, role: 'applicant' };
  const first = code === TOKYO ? jlis : tokyoReviewer;
  const events = [
    { type: 'ApplicationCreated', data: { applicationId: 'app-1', organization: org, category: '接続' }, actor: applicant },
    ...(form ? [{ type: 'FormSaved', data: { formCode: '03-08', form }, actor: applicant }] : []),
    { type: 'ApplicationSubmitted', data: { round: 1, applicationNumber: `20261121-${code}-APP1`, firstReviewer: first.org, secondReviewer: 'MIC', forwardVia: null }, actor: applicant },
    { type: 'FirstReviewApproved', data: { round: 1, comment: null, reviewer: reviewerData(first, first.org) }, actor: first },
    { type: 'SecondReviewApproved', data: { round: 1, comment: null, reviewer: reviewerData(mic, '総務省') }, actor: mic },
  ];
  return events as unknown as GivenEvent[];
}

const filed = (entries: DelegationEntry[], status: FiledDelegation['status']): FiledDelegation[] => entries.map((e) => ({ ...e, status }));
const filing = (code: string, kind: string, entries: FiledDelegation[], version = 1): DelegationFiling => ({
  organizationCode: code,
  organizationKind: kind,
  version,
  applicationId: `app-of-${code}`,
  applicationNumber: `20261120-${code}-OTHER1`,
  entries,
});

const hachiojiEntries = delegationEntriesOf(HACHIOJI_0308, HACHIOJI);
const queryReceived = hachiojiEntries.find((e) => e.kind === 'query')!;
const provisionReceived = hachiojiEntries.find((e) => e.kind === 'provision')!;
const [provisionDelegated] = delegationEntriesOf(TOKYO_0308, TOKYO) as [DelegationEntry];
/** 東京都's current master data: its 委任 of 27-2, held (八王子市 had not filed yet when it was registered). */
const tokyoFiling = filing(TOKYO, '都道府県知事部局', filed([provisionDelegated], 'pending'));

function registration(counterparts: { codes: string[]; filings: DelegationFiling[] }, previous: DelegationFiling | null = null): JsonObject {
  return { version: 1, contentHash: 'sha256:0', previous: previous as unknown as JsonObject, counterparts: counterparts as unknown as JsonObject };
}
const registered = (code: keyof typeof BODIES, delegations: { registered: DelegationEntry[]; pending: DelegationEntry[] }) => ({
  type: 'MasterDataRegistered',
  data: { organizationCode: code, organizationKind: BODIES[code]!.kind, version: 1, contentHash: 'sha256:0', delegations: { registered: delegations.registered, pending: delegations.pending.map(pendingNotice) } } as unknown as JsonObject,
});

describe('様03-08 as 突合 entries: one per delegation pair and 別表第二 row', () => {
  it('the delegatee files the query and provision it received, each with its basis; the delegator its 委任 without one', () => {
    expect(queryReceived).toEqual({
      kind: 'query',
      side: 'delegatee',
      catalogVersion: BEPPYO2_CATALOG_VERSION,
      itemNo: '9',
      affairName: findBeppyo2Item('9')!.affair,
      personalInfoName: null,
      procedure: null,
      delegatorCode: TOKYO,
      delegateeCode: HACHIOJI,
      chain: [link(TOKYO, HACHIOJI)],
    });
    expect(provisionReceived).toMatchObject({ kind: 'provision', side: 'delegatee', itemNo: '27', personalInfoName: TAX_INFO, delegatorCode: TOKYO, delegateeCode: HACHIOJI });
    expect(provisionDelegated).toEqual({
      kind: 'provision',
      side: 'delegator',
      catalogVersion: BEPPYO2_CATALOG_VERSION,
      itemNo: '27',
      affairName: null,
      personalInfoName: TAX_INFO,
      procedure: null,
      delegatorCode: TOKYO,
      delegateeCode: HACHIOJI,
      chain: null,
    });
  });

  it('a row received from several delegators (an association working for its members) is one entry per delegator', () => {
    const association = saved0308({ receivedProvisions: [{ itemNo: '27', personalInfoName: TAX_INFO, delegation: delegation([HACHIOJI, HINO], ASSOCIATION) }] });
    expect(delegationEntriesOf(association, ASSOCIATION).map((e) => `${e.delegatorCode}>${e.delegateeCode}`)).toEqual([`${HACHIOJI}>${ASSOCIATION}`, `${HINO}>${ASSOCIATION}`]);
  });
});

describe('突合 at registration (register-master-data): provision needs both sides, a query the delegatee alone', () => {
  it('delegatee first: its 受任 of a provision is held until the delegator files; its query affair enters alone', () => {
    spec
      .given(approved(HACHIOJI, HACHIOJI_0308))
      .when('register-master-data', registration({ codes: [TOKYO], filings: [] }), SYSTEM_ACTOR)
      .then([registered(HACHIOJI, { registered: [queryReceived], pending: [provisionReceived] })]);
  });

  it('the held entry says whose entry it waits for, in Japanese and English', () => {
    const notice = pendingNotice(provisionReceived);
    expect(notice.awaiting).toEqual({ organizationCode: TOKYO, organizationName: '東京都', side: 'delegator', label: '情報提供事務の委任' });
    expect(notice.message.ja).toBe(`別表第二 第27項「${TAX_INFO}」（委任元 130001 → 委任先 132012）は、東京都（130001）の情報提供事務の委任情報が承認されるまで突合待ちです。マスタデータには登録されません。`);
    expect(notice.message.en).toContain('is held until 東京都 (130001) has its delegation (委任) approved');
  });

  it('held between two organs of one code, it waits for the code\u2019s other organ, not the body itself', () => {
    const toBoard = pendingNotice({ ...provisionReceived, delegatorCode: HACHIOJI, delegateeCode: HACHIOJI, side: 'delegator', chain: null });
    expect(toBoard.awaiting.organizationName).toBe('八王子市の他の機関');
    expect(toBoard.message.en).toContain('is held until another organ of 八王子市 (132012)');
  });

  it('delegatee second: the delegator’s approved 委任 (itself still held) matches it, so both enter', () => {
    spec
      .given(approved(HACHIOJI, HACHIOJI_0308))
      .when('register-master-data', registration({ codes: [TOKYO], filings: [tokyoFiling] }), SYSTEM_ACTOR)
      .then([registered(HACHIOJI, { registered: [provisionReceived, queryReceived], pending: [] })]);
  });

  it('delegator first: its 委任 is held until the delegatee files its 受任', () => {
    spec
      .given(approved(TOKYO, TOKYO_0308))
      .when('register-master-data', registration({ codes: [HACHIOJI], filings: [filing(HACHIOJI, '市町村長部局', [])] }), SYSTEM_ACTOR)
      .then([registered(TOKYO, { registered: [], pending: [provisionDelegated] })]);
  });

  it('delegator second: the delegatee’s held 受任 matches its 委任', () => {
    const hachioji = filing(HACHIOJI, '市町村長部局', [...filed([queryReceived], 'registered'), ...filed([provisionReceived], 'pending')]);
    spec
      .given(approved(TOKYO, TOKYO_0308))
      .when('register-master-data', registration({ codes: [HACHIOJI], filings: [hachioji] }), SYSTEM_ACTOR)
      .then([registered(TOKYO, { registered: [provisionDelegated], pending: [] })]);
  });

  it('a query affair received enters even when the delegator has no master data at all', () => {
    const queryOnly = saved0308({ receivedQueryAffairs: [{ itemNo: '9', affairName: findBeppyo2Item('9')!.affair, delegation: delegation([TOKYO], HACHIOJI) }] });
    spec
      .given(approved(HACHIOJI, queryOnly))
      .when('register-master-data', registration({ codes: [TOKYO], filings: [] }), SYSTEM_ACTOR)
      .then([registered(HACHIOJI, { registered: [queryReceived], pending: [] })]);
  });

  describe('an opposite entry that is not the same pair and row does not match', () => {
    const counterpartWith = (edit: Partial<DelegationEntry>) => ({ codes: [TOKYO], filings: [filing(TOKYO, '都道府県知事部局', filed([{ ...provisionDelegated, ...edit }], 'registered'))] });
    const cases: Array<[string, Partial<DelegationEntry>]> = [
      ['another 特定個人情報 of the same 項', { personalInfoName: OTHER_INFO }],
      ['another 項', { itemNo: '26' }],
      ['another delegatee named', { delegateeCode: HINO }],
      ['another 別表第二 version', { catalogVersion: 'beppyo2-2024' }],
      ['the same side (a 受任 filed by the delegator)', { side: 'delegatee' }],
    ];
    it.each(cases)('%s: the 受任 stays held', (_name, edit) => {
      spec
        .given(approved(HACHIOJI, HACHIOJI_0308))
        .when('register-master-data', registration(counterpartWith(edit)), SYSTEM_ACTOR)
        .then([registered(HACHIOJI, { registered: [queryReceived], pending: [provisionReceived] })]);
    });

    it('an opposite entry filed by another body than the one named stays unmatched', () => {
      const elsewhere = { codes: [TOKYO, HINO], filings: [filing(HINO, '市町村長部局', filed([provisionDelegated], 'registered'))] };
      spec
        .given(approved(HACHIOJI, HACHIOJI_0308))
        .when('register-master-data', registration(elsewhere), SYSTEM_ACTOR)
        .then([registered(HACHIOJI, { registered: [queryReceived], pending: [provisionReceived] })]);
    });
  });

  it('an association receiving from two members: each pair is matched on its own', () => {
    const association = saved0308({ receivedProvisions: [{ itemNo: '27', personalInfoName: TAX_INFO, delegation: delegation([HACHIOJI, HINO], ASSOCIATION) }] });
    const [fromHachioji, fromHino] = delegationEntriesOf(association, ASSOCIATION) as [DelegationEntry, DelegationEntry];
    const hachiojiDelegates = { ...provisionDelegated, delegatorCode: HACHIOJI, delegateeCode: ASSOCIATION };
    spec
      .given(approved(ASSOCIATION, association))
      .when('register-master-data', registration({ codes: [HACHIOJI, HINO], filings: [filing(HACHIOJI, '市町村長部局', filed([hachiojiDelegates], 'pending'))] }), SYSTEM_ACTOR)
      .then([registered(ASSOCIATION, { registered: [fromHachioji], pending: [fromHino] })]);
  });

  it('an application without 様03-08 carries its body’s delegations over, settled again', () => {
    const previous = filing(HACHIOJI, '市町村長部局', [...filed([queryReceived], 'registered'), ...filed([provisionReceived], 'pending')]);
    spec
      .given(approved(HACHIOJI, undefined))
      .when('register-master-data', registration({ codes: [TOKYO], filings: [tokyoFiling] }, previous), SYSTEM_ACTOR)
      .then([registered(HACHIOJI, { registered: [provisionReceived, queryReceived], pending: [] })]);
  });

  it('only the system registers master data, whatever the payload says', () => {
    spec.given(approved(HACHIOJI, HACHIOJI_0308)).when('register-master-data', registration({ codes: [TOKYO], filings: [tokyoFiling] }), mic).thenThrows(ForbiddenError, /system/);
  });
});

describe('settling a body again when a counterpart’s filing changes (the registrar’s reconciliation)', () => {
  const self = { code: TOKYO, kind: '都道府県知事部局' };
  const held = filed([provisionDelegated], 'pending');

  it('the delegatee’s approval moves the delegator’s held 委任 into its master data', () => {
    const hachioji = filing(HACHIOJI, '市町村長部局', filed([provisionReceived], 'registered'));
    const settled = settleDelegations(held, self, { codes: [HACHIOJI], filings: [hachioji] });
    expect(settled).toEqual(filed([provisionDelegated], 'registered'));
    expect(statusChanges(held, settled)).toEqual({ matched: [provisionDelegated], unmatched: [] });
  });

  it('a delegatee whose new filing drops the 受任 takes the delegator’s entry back out', () => {
    const matched = filed([provisionDelegated], 'registered');
    const settled = settleDelegations(matched, self, { codes: [HACHIOJI], filings: [filing(HACHIOJI, '市町村長部局', filed([queryReceived], 'registered'), 2)] });
    expect(statusChanges(matched, settled)).toEqual({ matched: [], unmatched: [provisionDelegated] });
  });

  it('entries whose counterpart was not read keep their status', () => {
    expect(settleDelegations(held, self, { codes: [HINO], filings: [] })).toEqual(held);
  });

  it('a body’s own filing is never its counterpart; another organ of the same code is', () => {
    // 八王子市長 delegating the provision to 八王子市教育委員会 (地方自治法第180条の2): one code, two organs.
    const toBoard = { ...provisionDelegated, delegatorCode: HACHIOJI, delegateeCode: HACHIOJI };
    const boardReceives = { ...toBoard, side: 'delegatee' as const, chain: [link(HACHIOJI, HACHIOJI)] };
    const head = { code: HACHIOJI, kind: '市町村長部局' };
    const ownOnly = { codes: [HACHIOJI], filings: [filing(HACHIOJI, '市町村長部局', filed([toBoard, boardReceives], 'registered'))] };
    expect(settleDelegations([toBoard], head, ownOnly)[0]?.status).toBe('pending');
    const board = { codes: [HACHIOJI], filings: [filing(HACHIOJI, '市町村教育委員会', filed([boardReceives], 'pending'))] };
    expect(settleDelegations([toBoard], head, board)[0]?.status).toBe('registered');
  });
});

describe('a 変更 whose 様03-08 has no rows ends the body’s delegations', () => {
  it('given registered entries, when the change files 様03-08 without rows, then nothing is registered or held; without 様03-08 the registered ones are carried over', () => {
    const previous = filing(HACHIOJI, '市町村長部局', filed(hachiojiEntries, 'registered'));
    const counterparts = { codes: [TOKYO], filings: [tokyoFiling] };
    const self = { code: HACHIOJI, kind: '市町村長部局' };
    const none = { ...HACHIOJI_0308, receivedQueryAffairs: [], delegatedProvisions: [], receivedProvisions: [] };
    expect(delegationOutcome(self, none, previous, counterparts)).toEqual({ registered: [], pending: [], filed: [] });
    expect(delegationOutcome(self, undefined, previous, counterparts).filed.map((e) => e.kind).sort()).toEqual(hachiojiEntries.map((e) => e.kind).sort());
  });
});
