import { form0309 } from './form-03-09.form';
import { expectValid, rulesOf, variant, violationsOf } from './testing/form-spec.helpers';

const example = form0309.example;

describe('様03-09 独自利用事務', () => {
  it.each(['affairName', 'ordinanceName', 'ordinanceArticle'])('each affair needs its %s', (field) => {
    expect(rulesOf(form0309, variant(example, (d) => (d.affairs[0][field] = '')))).toEqual([`affairs[0].${field}:isNotEmpty`]);
  });

  it('each affair names its notification to the Personal Information Protection Commission (届出番号・届出日)', () => {
    expect(rulesOf(form0309, variant(example, (d) => delete d.affairs[1].notification))).toEqual(['affairs[1].notification:isDefined']);
    expect(rulesOf(form0309, variant(example, (d) => (d.affairs[1].notification.number = '')))).toEqual(['affairs[1].notification.number:isNotEmpty']);
    expect(rulesOf(form0309, variant(example, (d) => (d.affairs[1].notification.date = '2026/02/30')))).toEqual(['affairs[1].notification.date:seirekiDate']);
  });

  it('the notification precedes the application: it must match what was notified', () => {
    const violations = violationsOf(form0309, variant(example, (d) => (d.affairs[1].notification.date = '2026/12/01')));
    expect(violations.map((v) => `${v.field}:${v.rule}`)).toEqual(['affairs:notifiedBeforeApplication']);
    expect(violations[0]?.message.ja).toContain('八王子市心身障害者福祉手当の支給に関する事務');
    expectValid(form0309, variant(example, (d) => (d.affairs[1].notification.date = '2026/11/20')));
  });

  it('at least one affair, each once', () => {
    expect(rulesOf(form0309, variant(example, (d) => (d.affairs = [])))).toEqual(['affairs:arrayMinSize']);
    expect(rulesOf(form0309, variant(example, (d) => d.affairs.push(d.affairs[0])))).toEqual(['affairs:uniqueBy']);
  });

  it('事例番号 is optional', () => {
    expectValid(form0309, variant(example, (d) => delete d.affairs[0].caseNo));
  });
});
