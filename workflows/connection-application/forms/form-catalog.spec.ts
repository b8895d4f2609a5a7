import { REQUIRED_FORMS, connectionApplicationForms } from './index';
import { expectValid, rulesOf, variant, violationsOf } from './testing/form-spec.helpers';

const forms = connectionApplicationForms.forms;

describe('the form catalog of a connection application', () => {
  it('holds 様02-01, 02-02, 02-06, 03-06, 03-07, 03-08 and 03-09', () => {
    expect(forms.map((f) => f.code)).toEqual(['02-01', '02-02', '02-06', '03-06', '03-07', '03-08', '03-09']);
  });

  it.each(forms.map((f) => [f.code, f] as const))('the example of %s is complete and valid, and its schema builds', (_code, form) => {
    expectValid(form, form.example);
    expect(form.schema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('接続 needs the covering 様03-06 and 様03-07; 登録 keeps its three forms', () => {
    expect(REQUIRED_FORMS['接続']).toEqual(['03-06', '03-07']);
    expect(REQUIRED_FORMS['登録']).toEqual(['02-01', '02-02', '02-06']);
  });
});

describe('申請者は審査者記入欄に、なにも入力しないこと: reviewer fields exist in no form', () => {
  const reviewerFields = ['applicationNumber', 'reviewer', 'reviewResult', 'reviewComment', 'firstReviewResult', 'secondReviewResult'];

  it.each(forms.map((f) => [f.code, f] as const))('%s refuses 申請番号 and review results typed by the applicant', (_code, form) => {
    for (const field of reviewerFields) {
      const input = variant(form.example, (d) => {
        d[field] = field === 'reviewer' ? { name: '東京 太郎' } : '承認';
      });
      expect(rulesOf(form, input)).toEqual([`${field}:whitelistValidation`]);
    }
  });

  it('also inside a row: a review result on a 様03-07 row is refused', () => {
    const form = connectionApplicationForms.get('03-07')!;
    const input = variant(form.example, (d) => {
      d.queryAffairs[0].reviewResult = '否認';
    });
    const [v] = violationsOf(form, input);
    expect(v).toMatchObject({ field: 'queryAffairs[0].reviewResult', rule: 'whitelistValidation' });
    expect(v?.message.ja).toContain('定義されていない項目');
  });
});

describe('nested objects are required, not silently skipped', () => {
  it('02-01 without organization, 02-02 without contacts and 02-06 without areas are refused naming the field', () => {
    const { connectionApplicationForms: forms } = jest.requireActual('./index') as typeof import('./index');
    const without = (code: string, field: string) => {
      const example = { ...(forms.get(code)!.example as Record<string, unknown>) };
      delete example[field];
      const result = forms.get(code)!.validate(example);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.violations.map((v) => `${v.field}:${v.rule}`)).toContain(`${field}:isDefined`);
    };
    without('02-01', 'organization');
    without('02-01', 'structure');
    without('02-02', 'normalContacts');
    without('02-06', 'areas');
  });
});
