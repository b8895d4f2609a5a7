import { findLocalGovernment, hasValidCheckDigit, localGovernmentCheckDigit, prefectureCodeOf, allLocalGovernments } from './local-government-codes';

describe('全国地方公共団体コード', () => {
  it('computes the check digit of real codes', () => {
    expect(localGovernmentCheckDigit('13201')).toBe(2); // 八王子市 132012
    expect(localGovernmentCheckDigit('13000')).toBe(1); // 東京都 130001
    expect(localGovernmentCheckDigit('01100')).toBe(2); // 札幌市 011002
  });

  it('refuses a code whose check digit is wrong', () => {
    expect(hasValidCheckDigit('132012')).toBe(true);
    expect(hasValidCheckDigit('132013')).toBe(false);
    expect(hasValidCheckDigit('13201')).toBe(false);
  });

  it('every imported code passes our check digit', () => {
    let checked = 0;
    for (const lg of allLocalGovernments()) {
      expect(hasValidCheckDigit(lg.code)).toBe(true);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(1900);
  });

  it('finds names and prefectures', () => {
    expect(findLocalGovernment('132012')).toMatchObject({ name: '八王子市', type: 'municipality', prefectureCode: '130001' });
    expect(findLocalGovernment('130001')).toMatchObject({ name: '東京都', type: 'prefecture' });
    expect(prefectureCodeOf('132012')).toBe('130001');
    expect(prefectureCodeOf('011002')).toBe('010006');
  });
});
