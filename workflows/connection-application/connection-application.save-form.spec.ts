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
