import { ActionNotAllowedInStateError, ForbiddenError, ValidationFailedError, type JsonObject } from '@nws/engine';
import { specify } from '@nws/engine/testing';
import { accountRequestForm } from './forms/account-request.form';
import { accountRequestV1 } from './account-request.workflow';

const applicant = { sub: 'yamada', org: '132012', role: 'applicant' as const };
const tokyo = { sub: 'tokyo-1', org: '130001', role: 'first-reviewer' as const, name: '東京 太郎', department: 'デジタルサービス局' };
const mic = { sub: 'mic-1', org: 'MIC', role: 'second-reviewer' as const, name: '総務 花子', department: '住民制度課' };
const created = { type: 'ApplicationCreated', data: { applicationId: 'app-1', organization: { code: '132012', name: '八王子市', kind: '市町村長部局', prefectureCode: '130001' }, category: 'アカウント発行' }, actor: applicant };
const formValue = (accountRequestForm.validate(accountRequestForm.example) as { ok: true; value: JsonObject }).value;
const saved = { type: 'FormSaved', data: { formCode: 'AR-01', form: formValue }, actor: applicant };
const submitted = { type: 'ApplicationSubmitted', data: { round: 1, applicationNumber: 'AR-20261121-132012-APP1', firstReviewer: '130001', secondReviewer: 'MIC' }, actor: applicant };
const reviewer = (a: typeof tokyo | typeof mic, orgName: string) => ({ sub: a.sub, org: a.org, orgName, department: a.department, name: a.name });
const spec = specify(accountRequestV1);

describe('account request (情報共有サイト アカウント発行申請): a second workflow on the same engine', () => {
  it('given a saved request, its view shows the holders\' numbers with hyphens, while the event holds digits', () => {
    expect((formValue['holders'] as Array<{ phone: string }>)[0]!.phone).toBe('0426207200');
    const view = accountRequestV1.view(spec.given([created, saved]).application) as { forms: { 'AR-01': { data: { holders: Array<{ phone: string }> } } } };
    expect(view.forms['AR-01'].data.holders[0]!.phone).toBe('042-620-7200');
  });

  it('one account per address: the same holder twice (the address in any case or width) is refused, naming the field', () => {
    const holder = accountRequestForm.example['holders'] as Array<Record<string, string>>;
    const twice = { ...accountRequestForm.example, holders: [holder[0]!, { ...holder[0]!, email: holder[0]!.email!.toUpperCase() }] };
    const result = accountRequestForm.validate(twice);
    expect(result.ok ? [] : result.violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['holders:uniqueBy']);
    const another = { ...accountRequestForm.example, holders: [holder[0]!, { ...holder[0]!, name: '鈴木 次郎', email: 'suzuki@city.hachioji.tokyo.jp' }] };
    expect(accountRequestForm.validate(another).ok).toBe(true);
  });

  it('submit needs the request form and routes to the prefecture, then MIC', () => {
    spec.given([created]).when('submit', {}, applicant).thenThrows(ValidationFailedError, /AR-01/);
    spec.given([created, saved]).when('submit', {}, applicant).then([submitted].map(({ type, data }) => ({ type, data })));
  });

  it('goes through both reviews and ends with the account issued by MIC', () => {
    const first = { type: 'FirstReviewApproved', data: { round: 1, comment: null, reviewer: reviewer(tokyo, '東京都') }, actor: tokyo };
    const second = { type: 'SecondReviewApproved', data: { round: 1, comment: null, reviewer: reviewer(mic, '総務省') }, actor: mic };
    spec.given([created, saved, submitted]).when('approve', {}, tokyo).then([{ type: 'FirstReviewApproved', data: first.data }]);
    spec.given([created, saved, submitted, first]).when('approve', {}, mic).then([{ type: 'SecondReviewApproved', data: second.data }]);
    const approved = spec.given([created, saved, submitted, first, second]);
    expect(approved.application.state).toBe('approved');
    approved.when('issue-account', {}, tokyo).thenThrows(ForbiddenError, /MIC/);
    approved.when('withdraw', {}, applicant).thenThrows(ActionNotAllowedInStateError);
    approved.when('issue-account', {}, mic).then([
      { type: 'AccountIssued', data: { accounts: [{ loginId: expect.stringMatching(/^nws-[0-9a-f]{8}$/), name: '田中 三郎', email: 'renkei@city.hachioji.tokyo.jp' }], organization: expect.objectContaining({ code: '132012' }), comment: null } },
    ]);
  });

  it('a rejection needs a concrete reason, and the same person cannot decide both reviews', () => {
    spec.given([created, saved, submitted]).when('reject', { comment: 'NG' }, tokyo).thenThrows(ValidationFailedError, /concrete/);
    const first = { type: 'FirstReviewApproved', data: { round: 1, comment: null, reviewer: reviewer(tokyo, '東京都') }, actor: tokyo };
    spec.given([created, saved, submitted, first]).when('approve', {}, { ...mic, sub: 'tokyo-1' }).thenThrows(ForbiddenError);
  });
});

describe('account request of a board of education', () => {
  const board = { sub: 'kyoiku-1', org: '132012', organ: '市町村教育委員会', role: 'applicant' as const };
  const meta = (actor: typeof applicant | typeof board) => ({ actor, now: '2026-12-07T00:00:00.000Z', commandId: 'c-1', correlationId: 'c-1' });

  it('given a board of education’s token, then its request is the board’s, and the head department may not act on it', () => {
    const [event] = accountRequestV1.create('app-2', { organizationCode: '132012' }, meta(board));
    expect(event!.data).toMatchObject({ organization: { code: '132012', kind: '市町村教育委員会' } });
    expect(accountRequestV1.create('app-3', { organizationCode: '132012' }, meta(applicant))[0]!.data).toMatchObject({ organization: { kind: '市町村長部局' } });

    const boardCreated = { ...created, data: { ...created.data, organization: { ...created.data.organization, kind: '市町村教育委員会' } }, actor: board };
    const spec = specify(accountRequestV1);
    spec.given([boardCreated]).when('save-form', { formCode: accountRequestForm.code, form: accountRequestForm.example as JsonObject }, applicant).thenThrows(ForbiddenError, /市町村教育委員会/);
    spec.given([boardCreated]).when('save-form', { formCode: accountRequestForm.code, form: accountRequestForm.example as JsonObject }, board).then([
      expect.objectContaining({ type: 'FormSaved' }),
    ] as never);
  });
});
