import { ActionNotAllowedInStateError, ForbiddenError, ValidationFailedError, type JsonObject } from '@nws/engine';
import { specify } from '@nws/engine/testing';
import { connectionApplicationV1 } from './connection-application.workflow';
import { allFormsSaved, created, firstApproved, formSaved, hachiojiApplicant, micReviewer, reviewerData, submitted, tokyoReviewer } from './testing/fixtures';
import { asFiledBy } from './forms/testing/form-spec.helpers';

const spec = specify(connectionApplicationV1);

describe('connection application: submit', () => {
  it.each([
    ['at 18:00 in Japan', '2026-11-21T09:00:00.000Z', '20261121-132012-APP1'],
    ['at 08:30 in Japan (23:30 UTC the day before)', '2026-11-21T23:30:00.000Z', '20261122-132012-APP1'],
  ])('given every required form, when the applicant submits %s, then it is routed to its prefecture and MIC with a number of the day in Japan', (_when, now, applicationNumber) => {
    spec
      .given([created, ...allFormsSaved])
      .when('submit', {}, hachiojiApplicant, now)
      .then([{ type: 'ApplicationSubmitted', data: { round: 1, applicationNumber, firstReviewer: '130001', secondReviewer: 'MIC', forwardVia: null } }]);
  });

  it('given a saved 様02-02, when the application is viewed, then its numbers read with hyphens while the event holds digits', () => {
    const given = spec.given([created, formSaved('02-02')]);
    const event = formSaved('02-02').data['form'] as { normalContacts: Array<{ phone: string }> };
    expect(event.normalContacts[0]!.phone).toBe('0426207200');
    const view = connectionApplicationV1.view(given.application) as { forms: { '02-02': { data: { normalContacts: Array<{ phone: string }>; emergencyContacts: Array<{ mobile: string }> } } } };
    expect(view.forms['02-02'].data.normalContacts[0]!.phone).toBe('042-620-7200');
    expect(view.forms['02-02'].data.emergencyContacts[0]!.mobile).toBe('090-1234-5678');
    // The folded state itself keeps what was stored: decisions compare stored values.
    expect((given.application.snapshot.context as { forms: { '02-02': { data: typeof event } } }).forms['02-02'].data.normalContacts[0]!.phone).toBe('0426207200');
  });

  it('given a 申請年月日 after the day it is submitted, or before 番号法, when submitting, then each is named; the day itself (in Japan) is accepted', () => {
    const dated = (code: string, key: string, date: string) => {
      const saved = formSaved(code);
      return { ...saved, data: { ...saved.data, form: { ...(saved.data['form'] as JsonObject), [key]: date } } };
    };
    const error = spec.given([created, dated('02-01', 'applicationDate', '2099/01/01'), formSaved('02-02'), dated('02-06', 'reportDate', '1900/01/01')]).when('submit', {}, hachiojiApplicant).thenThrows(ValidationFailedError) as ValidationFailedError;
    expect(error.violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.02-01.applicationDate:notAfterSubmission', 'forms.02-06.reportDate:notBeforeMyNumberAct']);
    expect(error.violations[0]!.message.en).toContain('the application date (2099/01/01) is after the day it is submitted (2026/11/21)');
    // 2026-11-21T15:30Z is 11/22 00:30 in Japan: a form dated 11/22 is sent that day.
    spec.given([created, dated('02-01', 'applicationDate', '2026/11/22'), formSaved('02-02'), formSaved('02-06')]).when('submit', {}, hachiojiApplicant, '2026-11-21T15:30:00.000Z').then([
      { type: 'ApplicationSubmitted', data: { round: 1, applicationNumber: '20261122-132012-APP1', firstReviewer: '130001', secondReviewer: 'MIC', forwardVia: null } },
    ]);
  });

  it("given a board of education's forms dated the day its head department will forward them, then its submission takes them and the forward is held to its own day", () => {
    const board = { ...hachiojiApplicant, sub: 'kyoiku-1', organ: '市町村教育委員会' };
    const head = { ...hachiojiApplicant, sub: 'soumu-1' };
    const boardCreated = { ...created, data: { ...created.data, organization: { code: '132012', name: '八王子市', kind: '市町村教育委員会', prefectureCode: '130001' } }, actor: board };
    const dated = (code: string) => {
      const saved = formSaved(code);
      const form = { ...(saved.data['form'] as JsonObject) };
      if (code === '02-01') Object.assign(form, { applicationDate: '2026/11/25', organization: { ...(form['organization'] as JsonObject), name: '八王子市教育委員会' } });
      return { ...saved, data: { ...saved.data, form }, actor: board };
    };
    const forms = ['02-01', '02-02', '02-06'].map(dated);
    spec.given([boardCreated, ...forms]).when('submit', {}, board).then([
      { type: 'ApplicationSubmitted', data: { round: 1, applicationNumber: '20261121-132012-APP1', firstReviewer: '130001', secondReviewer: 'MIC', forwardVia: '市町村長部局' } },
    ]);
    const boardSubmitted = { type: 'ApplicationSubmitted', data: { round: 1, applicationNumber: '20261121-132012-APP1', firstReviewer: '130001', secondReviewer: 'MIC', forwardVia: '市町村長部局' }, actor: board };
    const early = spec.given([boardCreated, ...forms, boardSubmitted]).when('forward', {}, head, '2026-11-22T00:00:00.000Z').thenThrows(ValidationFailedError) as ValidationFailedError;
    expect(early.violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.02-01.applicationDate:notAfterSubmission']);
    expect(early.violations[0]!.message.en).toContain('is after the day it is forwarded to the first reviewer (2026/11/22)');
    spec.given([boardCreated, ...forms, boardSubmitted]).when('forward', {}, head, '2026-11-25T01:00:00.000Z').then([
      { type: 'ApplicationForwarded', data: { round: 1, comment: null, forwardedBy: { sub: 'soumu-1', org: '132012', organ: '市町村長部局', name: '山田 花子', department: '情報管理課' } } },
    ]);
  });

  it('given a missing form, when submitting, then it names the missing form', () => {
    const error = spec.given([created, formSaved('02-01')]).when('submit', {}, hachiojiApplicant).thenThrows(ValidationFailedError) as ValidationFailedError;
    expect(error.violations.map((v) => v.field)).toEqual(['forms.02-02', 'forms.02-06']);
    expect(error.violations[0]?.message.ja).toContain('様02-02');
  });

  it('given a 02-06 reporter other than the 情報システム責任者 of 02-01, when submitting, then it is refused', () => {
    const other = formSaved('02-06');
    const data = JSON.parse(JSON.stringify(other.data)) as { form: { reporter: { name: string } } };
    data.form.reporter.name = '別人 五郎';
    const error = spec
      .given([created, formSaved('02-01'), formSaved('02-02'), { ...other, data }])
      .when('submit', {}, hachiojiApplicant)
      .thenThrows(ValidationFailedError) as ValidationFailedError;
    expect(error.violations).toEqual([expect.objectContaining({ field: 'forms.02-06.reporter', rule: 'reporterIsSystemResponsible' })]);
  });

  it('given a 02-06 reporter with the 情報システム責任者’s name but another title, when submitting, then it is refused too', () => {
    const other = formSaved('02-06');
    const data = JSON.parse(JSON.stringify(other.data)) as { form: { reporter: { title: string } } };
    data.form.reporter.title = '情報政策担当課長';
    const error = spec
      .given([created, formSaved('02-01'), formSaved('02-02'), { ...other, data }])
      .when('submit', {}, hachiojiApplicant)
      .thenThrows(ValidationFailedError) as ValidationFailedError;
    expect(error.violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.02-06.reporter:reporterIsSystemResponsible']);
    expect(error.violations[0]?.message.ja).toContain('情報政策担当部長 佐藤 一郎');
  });

  it('given the 02-06 reporter written with another spacing or width (佐藤　一郎, 佐藤一郎, a trailing space on the title), when submitting, then it is the same person', () => {
    for (const [name, title] of [['佐藤　一郎', '情報政策担当部長'], ['佐藤一郎', '情報政策担当部長 '], ['佐藤 一郎', '情報政策担当部長']]) {
      const other = formSaved('02-06');
      const data = JSON.parse(JSON.stringify(other.data)) as { form: { reporter: { name: string; title: string } } };
      Object.assign(data.form.reporter, { name, title });
      spec
        .given([created, formSaved('02-01'), formSaved('02-02'), { ...other, data }])
        .when('submit', {}, hachiojiApplicant)
        .then([expect.objectContaining({ type: 'ApplicationSubmitted' }) as never]);
    }
  });

  it('an applicant of another body may not submit', () => {
    spec.given([created, ...allFormsSaved]).when('submit', {}, { ...hachiojiApplicant, org: '132021' }).thenThrows(ForbiddenError, /132012/);
  });
});

describe('connection application: reviews', () => {
  it('given a submitted application, when its prefecture approves, then the review records the reviewer', () => {
    spec
      .given([created, ...allFormsSaved, submitted])
      .when('approve', { comment: '確認しました' }, tokyoReviewer)
      .then([{ type: 'FirstReviewApproved', data: { round: 1, comment: '確認しました', reviewer: reviewerData(tokyoReviewer, '東京都') } }]);
  });

  it('another prefecture may not decide the first review', () => {
    spec.given([created, ...allFormsSaved, submitted]).when('approve', {}, { ...tokyoReviewer, org: '140007' }).thenThrows(ForbiddenError, /130001/);
  });

  it('a rejection needs a concrete reason', () => {
    const given = spec.given([created, ...allFormsSaved, submitted]);
    given.when('reject', {}, tokyoReviewer).thenThrows(ValidationFailedError, /concrete reason/);
    given.when('reject', { comment: '不備あり' }, tokyoReviewer).thenThrows(ValidationFailedError, /concrete/);
    given.when('reject', { comment: '   ' }, tokyoReviewer).thenThrows(ValidationFailedError, /concrete/);
    given
      .when('reject', { comment: '様02-02の通常連絡先の電話番号が代表番号です。直通番号にしてください。' }, tokyoReviewer)
      .then([
        {
          type: 'FirstReviewRejected',
          data: { round: 1, comment: '様02-02の通常連絡先の電話番号が代表番号です。直通番号にしてください。', reviewer: reviewerData(tokyoReviewer, '東京都') },
        },
      ]);
  });

  it('the second review is decided by MIC, stage following from the state', () => {
    spec
      .given([created, ...allFormsSaved, submitted, firstApproved])
      .when('approve', {}, micReviewer)
      .then([{ type: 'SecondReviewApproved', data: { round: 1, comment: null, reviewer: reviewerData(micReviewer, '総務省') } }]);
  });

  it('the person who decided the first review cannot decide the second', () => {
    const sameSub = { ...micReviewer, sub: tokyoReviewer.sub };
    spec.given([created, ...allFormsSaved, submitted, firstApproved]).when('approve', {}, sameSub).thenThrows(ForbiddenError, /first review/);
  });

  it('nothing to approve in draft', () => {
    spec.given([created]).when('approve', {}, tokyoReviewer).thenThrows(ActionNotAllowedInStateError);
  });
});

describe('connection application: revise and withdraw', () => {
  const rejected = {
    type: 'FirstReviewRejected',
    data: { round: 1, comment: '様02-02の電話番号を直通番号にしてください。', reviewer: reviewerData(tokyoReviewer, '東京都') },
    actor: tokyoReviewer,
  };

  it('given a rejection, when the applicant revises, then a new round starts in draft', () => {
    const given = spec.given([created, ...allFormsSaved, submitted, rejected]);
    expect(given.application.state).toBe('rejected');
    given.when('revise', {}, hachiojiApplicant).then([{ type: 'ApplicationRevised', data: { round: 2 } }]);
  });

  it('the application number does not change across rounds', () => {
    const revised = { type: 'ApplicationRevised', data: { round: 2 }, actor: hachiojiApplicant };
    spec
      .given([created, ...allFormsSaved, submitted, rejected, revised])
      .when('submit', {}, hachiojiApplicant, '2026-12-24T09:00:00.000Z')
      .then([{ type: 'ApplicationSubmitted', data: { round: 2, applicationNumber: '20261121-132012-APP1', firstReviewer: '130001', secondReviewer: 'MIC', forwardVia: null } }]);
  });

  it('withdrawal is possible until a final decision, not after approval', () => {
    spec.given([created, ...allFormsSaved, submitted]).when('withdraw', { comment: '取下げます' }, hachiojiApplicant).then([{ type: 'ApplicationWithdrawn', data: { reason: '取下げます' } }]);
    const approved = { type: 'SecondReviewApproved', data: { round: 1, comment: null, reviewer: reviewerData(micReviewer, '総務省') }, actor: micReviewer };
    spec.given([created, ...allFormsSaved, submitted, firstApproved, approved]).when('withdraw', {}, hachiojiApplicant).thenThrows(ActionNotAllowedInStateError);
  });
});

describe('routing', () => {
  it('a prefectural governor department goes to J-LIS for its first review', () => {
    const tokyo = { ...hachiojiApplicant, org: '130001' };
    const tokyoCreated = { ...created, data: { applicationId: 'app-1', organization: { code: '130001', name: '東京都', kind: '都道府県知事部局', prefectureCode: '130001' }, category: '登録' }, actor: tokyo };
    const forms = allFormsSaved.map((f) => ({ ...f, data: { ...f.data, form: asFiledBy(String(f.data['formCode']), f.data['form'] as JsonObject, '東京都') }, actor: tokyo }));
    spec
      .given([tokyoCreated, ...forms])
      .when('submit', {}, tokyo)
      .then([{ type: 'ApplicationSubmitted', data: { round: 1, applicationNumber: '20261121-130001-APP1', firstReviewer: 'J-LIS', secondReviewer: 'MIC', forwardVia: null } }]);
  });
});
