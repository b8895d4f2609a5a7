import { ForbiddenError, ValidationFailedError, type DecidedEvent, type JsonObject } from '@nws/engine';
import { specify, type GivenEvent } from '@nws/engine/testing';
import { connectionApplicationV1 } from './connection-application.workflow';
import { created, formSaved, hachiojiApplicant, tokyoReviewer } from './testing/fixtures';

const spec = specify(connectionApplicationV1);
const connection: GivenEvent = { ...created, data: { ...created.data, category: '接続' } };
const pia = { status: '実施済', documents: [{ number: '1', title: '住民基本台帳に関する事務 全項目評価書' }] };
const independentUse = [
  { affairName: '就学援助に準ずる学用品費等の支給に関する事務', ordinanceName: '八王子市個人番号の利用に関する条例', ordinanceArticle: '別表第1の3の項', notification: { number: '132012-2026-001', date: '2026/06/30' } },
];

/** The decision, through the definition as the engine calls it (state, policy and decide are checked by the refusals below). */
function decided(payload: JsonObject, given: GivenEvent[] = [connection, formSaved('03-06')]): DecidedEvent[] {
  const app = spec.given(given).application;
  return connectionApplicationV1.decide('generate-selection-forms', app, payload, { actor: hachiojiApplicant, now: '2026-12-04T16:30:00.000Z', commandId: 'c', correlationId: 'c' });
}

describe('connection application: the selection screen generates forms into the draft', () => {
  it('given a 接続 draft with 様03-06, when the applicant sends choices, then 03-07 for its own body, dated in JST, and 03-06 ticked to match are saved in one decision', () => {
    const events = decided({ pia });
    expect(events.map((e) => [e.type, e.data['formCode']])).toEqual([['FormSaved', '03-07'], ['FormSaved', '03-06']]);
    const f0307 = events[0]!.data['form'] as JsonObject;
    // 2026-12-04T16:30Z is 12/05 01:30 in Japan.
    expect(JSON.stringify(f0307)).toContain('2026/12/05');
    const cover = events[1]!.data['form'] as { attachments: { form0308: boolean; form0309: boolean }; independentUseLinkage: boolean };
    expect(cover).toMatchObject({ attachments: { form0308: false, form0309: false }, independentUseLinkage: false });
  });

  it('given 条例連携 among the choices, then 03-09 is generated and 03-06 says so', () => {
    const events = decided({ pia, independentUse });
    expect(events.map((e) => e.data['formCode'])).toEqual(['03-07', '03-09', '03-06']);
    expect(events[2]!.data['form']).toMatchObject({ attachments: { form0309: true }, independentUseLinkage: true });
  });

  it('given no 様03-06 yet, then only the generated forms are saved', () => {
    expect(decided({ pia }, [connection]).map((e) => e.data['formCode'])).toEqual(['03-07']);
  });

  it('refuses choices that name the body or date, an affair the body may not query, a 登録 application, and other bodies', () => {
    const refused = (payload: JsonObject, given: GivenEvent[] = [connection]) =>
      (spec.given(given).when('generate-selection-forms', payload, hachiojiApplicant).thenThrows(ValidationFailedError) as ValidationFailedError).violations.map((v) => v.field);
    expect(refused({ pia, body: { bodyType: '都道府県知事部局' }, applicationDate: '2020/01/01' })).toEqual(['body', 'applicationDate']);
    expect(refused({ pia, notQuerying: ['9999'] })).toEqual(['notQuerying[0]']);
    expect(refused({ pia: 3 })).not.toEqual([]);
    expect(refused({ pia }, [created])).toEqual(['category']);
    spec.given([connection]).when('generate-selection-forms', { pia }, tokyoReviewer).thenThrows(ForbiddenError);
  });

  it('refuses a received affair no local government holds (項1, 厚生労働大臣) or one received from a body that does not hold it (項80 from 東京都): refused now, not generated and refused at submission', () => {
    const received = (itemNo: string, delegatorCode: string) => ({
      pia,
      receivedQueries: [
        {
          itemNo,
          delegation: {
            chain: [{ delegatorCode, delegateeCode: '132012', basis: '地方自治法第252条の17の2', instrumentKind: '条例', instrumentName: '東京都における事務処理の特例に関する条例', delegatorHoldsByLaw: true }],
            delegators: [delegatorCode],
            delegatorConfirmed: true,
          },
        },
      ],
    });
    const refused = (payload: JsonObject) => (spec.given([connection]).when('generate-selection-forms', payload, hachiojiApplicant).thenThrows(ValidationFailedError) as ValidationFailedError).violations.map((v) => v.rule);
    expect(refused(received('1', '130001'))).toEqual(['querierOfAffair', 'holderByLaw']);
    expect(refused(received('80', '130001'))).toEqual(['holderByLaw']);
    // 項9 (都道府県知事's) from 東京都 is what the law allows.
    expect(decided(received('9', '130001'), [connection]).map((e) => e.data['formCode'])).toEqual(['03-07', '03-08']);
  });

  it('given 項38 (the 教育委員会’s) received by 八王子市長部局 from its own code under 第180条の2 (the head’s work to a 委員会), then it is refused now; under 第180条の7 it is generated', () => {
    const fromBoard = (basis: string) => ({
      pia,
      receivedQueries: [
        {
          itemNo: '38',
          delegation: {
            chain: [{ delegatorCode: '132012', delegateeCode: '132012', basis, instrumentKind: '規則', instrumentName: '教育委員会の権限に属する事務の補助執行に関する規則', delegatorHoldsByLaw: true }],
            delegators: ['132012'],
            delegatorConfirmed: true,
          },
        },
      ],
    });
    const refused = spec.given([connection]).when('generate-selection-forms', fromBoard('地方自治法第180条の2'), hachiojiApplicant).thenThrows(ValidationFailedError) as ValidationFailedError;
    expect(refused.violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['forms.03-08.receivedQueryAffairs[0].delegation.chain[0].basis:basisDirection']);
    expect(decided(fromBoard('地方自治法第180条の7'), [connection]).map((e) => e.data['formCode'])).toEqual(['03-07', '03-08']);
  });

  it('given 様03-08 and 03-09 saved by an earlier choice, when the choices have neither, then they are removed with the new forms, in one decision', () => {
    const events = decided({ pia }, [connection, formSaved('03-06'), formSaved('03-08'), formSaved('03-09')]);
    expect(events.map((e) => [e.type, e.data['formCode']])).toEqual([
      ['FormSaved', '03-07'],
      ['FormSaved', '03-06'],
      ['FormRemoved', '03-08'],
      ['FormRemoved', '03-09'],
    ]);
  });
});
