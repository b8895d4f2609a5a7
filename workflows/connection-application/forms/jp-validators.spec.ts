import { japanesePhoneType } from './jp-validators';

describe('japanesePhoneType', () => {
  it('answers the same the second time, from its memory of looked-up numbers, whatever the answer was', () => {
    // given fixed-line, mobile, and invalid numbers, some written with hyphens or full-width digits
    const cases: Array<[string, string | undefined]> = [
      ['042-626-3111', 'FIXED_LINE'],
      ['０４２６２６３１１１', 'FIXED_LINE'],
      ['090-1234-5678', 'MOBILE'],
      ['0120-123-456', 'TOLL_FREE'],
      ['042-626-311', undefined], // 9 digits
      ['010-1234-5678', undefined], // no such prefix: looked up, not a type
      ['not a number', undefined],
    ];
    // when each is looked up twice, then both answers are the library's
    for (const round of [1, 2]) {
      for (const [value, type] of cases) expect([round, value, japanesePhoneType(value)]).toEqual([round, value, type]);
    }
  });
});
