import { form0201 } from './form-02-01.form';
import { expectValid, rulesOf, variant, violationsOf } from './testing/form-spec.helpers';

const example = form0201.example;

describe('様02-01 責任体制登録（変更）申請書: each rule, broken, is refused naming the field', () => {
  it('the example is a valid form', () => {
    expectValid(form0201, example);
  });

  it('the application date is 西暦 YYYY/MM/DD and a real date', () => {
    for (const date of ['令和8年11月20日', '2026-11-20', '2026/2/3', '2026/02/30', 20261120]) {
      const violations = violationsOf(form0201, variant(example, (d) => (d.applicationDate = date)));
      expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['applicationDate:seirekiDate']);
      expect(violations[0]?.message.ja).toContain('西暦 YYYY/MM/DD');
      expect(violations[0]?.message.en).toContain('YYYY/MM/DD');
    }
  });

  it('機関の分類 is 取りまとめ都道府県 or 情報照会者等; 申請区分 is 登録 or 変更; 機関区分① from its list', () => {
    expect(rulesOf(form0201, variant(example, (d) => (d.organization.classification = '情報提供者')))).toEqual(['organization.classification:isIn']);
    expect(rulesOf(form0201, variant(example, (d) => (d.category = '接続')))).toEqual(['category:isIn']);
    expect(rulesOf(form0201, variant(example, (d) => (d.organization.category1 = '国')))).toEqual(['organization.category1:isIn']);
  });

  it('the responsible structure down to job titles: ① 情報システム責任者, ② 情報システム管理者, ③ 担当 (課室 and 係)', () => {
    expect(rulesOf(form0201, variant(example, (d) => delete d.structure.systemResponsible))).toEqual(['structure.systemResponsible:isDefined']);
    expect(rulesOf(form0201, variant(example, (d) => (d.structure.systemResponsible.title = '')))).toEqual(['structure.systemResponsible.title:isNotEmpty']);
    expect(rulesOf(form0201, variant(example, (d) => (d.structure.systemManager.name = '')))).toEqual(['structure.systemManager.name:isNotEmpty']);
    expect(rulesOf(form0201, variant(example, (d) => (d.structure.staff.section = '')))).toEqual(['structure.staff.section:isNotEmpty']);
    // Spaces alone (full-width, tabs, line breaks) are as empty: "　" is no 係名, and reached the master data.
    for (const blank of ['  ', '\u3000', '\t\n']) expect(rulesOf(form0201, variant(example, (d) => (d.structure.staff.section = blank)))).toEqual(['structure.staff.section:isNotEmpty']);
    expectValid(form0201, variant(example, (d) => (d.structure.staff.section = ' 第一係 ')));
    expect(rulesOf(form0201, variant(example, (d) => delete d.structure.staff))).toEqual(['structure.staff:isDefined']);
  });

  it('the filler (記入担当者) is named, with a Japanese phone number and an e-mail if given', () => {
    expect(rulesOf(form0201, variant(example, (d) => (d.filler.name = '')))).toEqual(['filler.name:isNotEmpty']);
    expect(rulesOf(form0201, variant(example, (d) => (d.filler.phone = '03-1234-567')))).toEqual(['filler.phone:jpPhoneNumber']);
    expect(rulesOf(form0201, variant(example, (d) => (d.filler.email = 'joho@')))).toEqual(['filler.email:isEmail']);
    expectValid(form0201, variant(example, (d) => delete d.filler.phone));
  });

  it('an applicant never writes the reviewer fields or the application number: they are not fields of the form', () => {
    const violations = violationsOf(
      form0201,
      variant(example, (d) => {
        d.applicationNumber = '20261120-132012-ABCDEF';
        d.firstReview = { result: '承認', reviewer: '東京 太郎' };
      }),
    );
    expect(violations.map((v) => `${v.field}:${v.rule}`).sort()).toEqual(['applicationNumber:whitelistValidation', 'firstReview:whitelistValidation']);
    expect(violations[0]?.message.ja).toContain('定義されていない項目です');
  });
});
