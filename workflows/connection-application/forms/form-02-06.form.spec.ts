import { form0206 } from './form-02-06.form';
import { expectValid, rulesOf, variant, violationsOf } from './testing/form-spec.helpers';

const example = form0206.example;

describe('様02-06 安全管理措置確認結果報告書: each rule, broken, is refused naming the field', () => {
  it('the example is a valid report', () => {
    expectValid(form0206, example);
  });

  it('all five areas, each with every item: 基本的枠組み, 外部委託, ライフサイクル, セキュリティ要件, 構成要素', () => {
    for (const area of ['basicFramework', 'outsourcing', 'lifecycle', 'securityRequirements', 'components']) {
      expect(rulesOf(form0206, variant(example, (d) => delete d.areas[area]))).toEqual([`areas.${area}:isDefined`]);
    }
    expect(rulesOf(form0206, variant(example, (d) => delete d.areas.components.freeMailProhibition))).toEqual(['areas.components.freeMailProhibition:isDefined']);
    expect(rulesOf(form0206, variant(example, (d) => delete d.areas.basicFramework.incidentResponse))).toEqual(['areas.basicFramework.incidentResponse:isDefined']);
  });

  it('each result is 適合, 不適合 or 該当なし', () => {
    expect(rulesOf(form0206, variant(example, (d) => (d.areas.components.timeSync = { result: 'OK' })))).toEqual(['areas.components.timeSync.result:isIn']);
  });

  it('a 不適合 needs its remediation written out', () => {
    const violations = violationsOf(form0206, variant(example, (d) => (d.areas.securityRequirements.authentication = { result: '不適合' })));
    expect(new Set(violations.map((v) => v.field))).toEqual(new Set(['areas.securityRequirements.authentication.note']));
    // Not written at all: said as missing, not as the empty text a missing note also is not.
    expect(violations.map((v) => v.rule)).toContain('isDefined');
    expectValid(form0206, variant(example, (d) => (d.areas.securityRequirements.authentication = { result: '不適合', note: '2027年3月までに多要素認証を導入する。' })));
  });

  it('the reporter is named with title; the report date is 西暦 YYYY/MM/DD', () => {
    expect(rulesOf(form0206, variant(example, (d) => delete d.reporter))).toEqual(['reporter:isDefined']);
    expect(rulesOf(form0206, variant(example, (d) => (d.reporter.title = '')))).toEqual(['reporter.title:isNotEmpty']);
    expect(rulesOf(form0206, variant(example, (d) => (d.reportDate = '2026年11月20日')))).toEqual(['reportDate:seirekiDate']);
  });
});
