import { requiredPiaEvaluation } from './pia-thresholds';

const required = (subjects: number, handlers: number, seriousIncident: boolean) => requiredPiaEvaluation({ subjects, handlers, seriousIncident }).required;

describe('特定個人情報保護評価: the evaluation a 事務 needs, by the threshold table (指針 第6の2)', () => {
  it('under 1,000 people: none required; 1,000 to under 10,000: 基礎項目評価, whatever the staff or incidents', () => {
    expect([required(0, 0, false), required(999, 900, true)]).toEqual(['義務付けなし(任意実施可)', '義務付けなし(任意実施可)']);
    expect([required(1_000, 0, false), required(9_999, 900, true)]).toEqual(['基礎項目評価', '基礎項目評価']);
  });

  it('10,000 to under 100,000: 重点項目評価 as well with 500 or more handlers or an incident in the past year', () => {
    expect(required(10_000, 499, false)).toBe('基礎項目評価');
    expect(required(50_000, 500, false)).toBe('基礎項目評価+重点項目評価');
    expect(required(50_000, 10, true)).toBe('基礎項目評価+重点項目評価');
    expect(required(99_999, 600, true)).toBe('基礎項目評価+重点項目評価');
  });

  it('100,000 to under 300,000: 重点項目評価, or 全項目評価 with 500 or more handlers or an incident; 300,000 and more: 全項目評価', () => {
    expect(required(100_000, 499, false)).toBe('基礎項目評価+重点項目評価');
    expect(required(200_000, 500, false)).toBe('基礎項目評価+全項目評価');
    expect(required(299_999, 1, true)).toBe('基礎項目評価+全項目評価');
    expect(required(300_000, 0, false)).toBe('基礎項目評価+全項目評価');
    expect(required(130_000_000, 0, false)).toBe('基礎項目評価+全項目評価');
  });

  it('says which row decided and how it was checked, with the provenance', () => {
    const answer = requiredPiaEvaluation({ subjects: 150_000, handlers: 100, seriousIncident: false });
    expect(answer).toMatchObject({ verified: 'yes(成田市)', rule: { subjectsFrom: 100_000, subjectsBelow: 300_000, handlers500OrMore: 'no', seriousIncident: 'no' } });
    expect(answer.provenance.join(' ')).toContain('特定個人情報保護評価指針');
  });
});
