import { ValidationFailedError, type JsonObject } from '@nws/engine';
import { specify, type GivenEvent } from '@nws/engine/testing';
import { connectionApplicationV1 } from './connection-application.workflow';
import { OPTIONAL_FORMS, REQUIRED_FORMS, connectionApplicationForms } from './forms';
import { created, hachiojiApplicant } from './testing/fixtures';

const spec = specify(connectionApplicationV1);
const draftOf = (category: string): GivenEvent => ({ ...created, data: { ...created.data, category } });
const save = (code: string) => ({ formCode: code, form: connectionApplicationForms.get(code)!.example }) as JsonObject;

describe('connection application: a draft takes the forms of its 申請区分 only', () => {
  it.each([
    ['登録', '03-07'],
    ['登録', '03-06'],
    ['登録', '03-09'],
  ])('given a %s draft, when %s is saved, then it is refused naming formCode and the forms it takes, and nothing is decided', (category, code) => {
    const error = spec.given([draftOf(category)]).when('save-form', save(code), hachiojiApplicant).thenThrows(ValidationFailedError) as ValidationFailedError;
    const taken = [...REQUIRED_FORMS[category]!, ...OPTIONAL_FORMS[category]!].join(', ');
    expect(error.violations).toEqual([
      {
        field: 'formCode',
        rule: 'formOfCategory',
        message: {
          ja: `formCode: 申請区分「${category}」の申請には様${code}を提出しません（提出する様式: ${taken}）。`,
          en: `formCode: a ${category} application takes forms ${taken}, not ${code}`,
        },
      },
    ]);
  });

  it('given a draft of each category, then each form it takes is saved', () => {
    for (const category of ['登録', '変更', '接続']) {
      for (const code of [...REQUIRED_FORMS[category]!, ...OPTIONAL_FORMS[category]!]) {
        const events = connectionApplicationV1.decide('save-form', spec.given([draftOf(category)]).application, save(code), { actor: hachiojiApplicant, now: '2026-11-21T00:00:00.000Z', commandId: 'c', correlationId: 'c' });
        expect([category, code, events.map((e) => e.type)]).toEqual([category, code, ['FormSaved']]);
      }
    }
  });
});

describe("connection application: a form's own 申請区分 is the application's", () => {
  const meta = { actor: hachiojiApplicant, now: '2026-11-21T00:00:00.000Z', commandId: 'c', correlationId: 'c' };
  const stored = (category: string, code: string, form: JsonObject) =>
    (connectionApplicationV1.decide('save-form', spec.given([draftOf(category)]).application, { formCode: code, form }, meta)[0]!.data['form'] as JsonObject)['category'];
  const example = (code: string) => connectionApplicationForms.get(code)!.example as JsonObject;

  it('given a 登録 or 変更 draft, when a form is saved without one, then it is filled from the application', () => {
    for (const [category, code] of [['登録', '02-01'], ['変更', '02-01'], ['変更', '03-07'], ['変更', '03-08'], ['変更', '03-09']] as const) {
      expect([category, code, stored(category, code, example(code))]).toEqual([category, code, category]);
    }
    expect(stored('変更', '02-01', { ...example('02-01'), category: null })).toBe('変更');
  });

  it('given a 登録 draft, when a 様02-01 marked 変更 is saved, then it is refused naming category, and nothing is decided', () => {
    const error = spec.given([draftOf('登録')]).when('save-form', { formCode: '02-01', form: { ...example('02-01'), category: '変更' } }, hachiojiApplicant).thenThrows(ValidationFailedError) as ValidationFailedError;
    expect(error.violations).toEqual([
      {
        field: 'category',
        rule: 'sameAsApplication',
        message: { ja: 'category: 様02-01の申請区分は、申請の申請区分（登録）と同じにしてください。', en: "category: form 02-01 must have the application's 申請区分 (登録), not 変更" },
      },
    ]);
    expect(() => connectionApplicationV1.decide('save-form', spec.given([draftOf('変更')]).application, { formCode: '03-07', form: { ...example('03-07'), category: '登録' } }, meta)).toThrow(ValidationFailedError);
  });

  it('given a 接続 draft, then its package keeps what the applicant chose, or none, and 様03-06 keeps its own', () => {
    expect(stored('接続', '03-07', { ...example('03-07'), category: '変更' })).toBe('変更');
    expect(stored('接続', '03-07', example('03-07'))).toBeUndefined();
    expect(stored('接続', '03-06', example('03-06'))).toBe(example('03-06')['category']);
  });
});

describe('connection application: 様03-08 without rows', () => {
  const empty = { ...(connectionApplicationForms.get('03-08')!.example as JsonObject), receivedQueryAffairs: [], delegatedProvisions: [], receivedProvisions: [] };

  it('given a 変更 draft, when a 様03-08 without rows is saved, then it is saved: every delegation of the body has ended (without 様03-08 a 変更 carries them over)', () => {
    spec
      .given([draftOf('変更')])
      .when('save-form', { formCode: '03-08', form: empty }, hachiojiApplicant)
      .then([{ type: 'FormSaved', data: { formCode: '03-08', form: { ...empty, category: '変更' } } }]);
  });

  it('given a 接続 draft, when a 様03-08 without rows is saved, then it is refused naming the rule: a body without delegations files no 様03-08', () => {
    const error = spec.given([draftOf('接続')]).when('save-form', { formCode: '03-08', form: empty }, hachiojiApplicant).thenThrows(ValidationFailedError) as ValidationFailedError;
    expect(error.violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['receivedQueryAffairs:atLeastOneRow']);
    expect(error.violations[0]!.message.ja).toContain('変更申請で行のない様03-08');
  });
});

describe('connection application: a saved form taken out of the draft (remove-form)', () => {
  const saved = (code: string): GivenEvent => ({ type: 'FormSaved', data: { formCode: code, form: connectionApplicationForms.get(code)!.example as JsonObject }, actor: hachiojiApplicant });

  it('given a 変更 draft holding a 様03-06 (which a 変更 cannot submit), when it is removed, then FormRemoved is recorded and the draft no longer holds it', () => {
    spec.given([draftOf('変更'), saved('02-01'), saved('03-06')]).when('remove-form', { formCode: '03-06' }, hachiojiApplicant).then([{ type: 'FormRemoved', data: { formCode: '03-06' } }]);
    const after = spec.given([draftOf('変更'), saved('02-01'), saved('03-06'), { type: 'FormRemoved', data: { formCode: '03-06' }, actor: hachiojiApplicant }]).application;
    expect(Object.keys((after.snapshot.context as { forms: object }).forms)).toEqual(['02-01']);
  });

  it('given a form that is not saved, when it is removed, then it is refused naming the forms that are', () => {
    const error = spec.given([draftOf('変更'), saved('02-01')]).when('remove-form', { formCode: '03-08' }, hachiojiApplicant).thenThrows(ValidationFailedError) as ValidationFailedError;
    expect(error.violations).toEqual([expect.objectContaining({ field: 'formCode', rule: 'savedForm', message: expect.objectContaining({ en: 'formCode: form 03-08 is not saved in this application (saved: 02-01)' }) })]);
  });
});
