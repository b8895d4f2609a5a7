import type { JsonObject } from '@nws/engine';
import { PLACEHOLDER } from '../../../libs/personal-data/src/personal-data.declaration';
import { displayPhones, formatJapanesePhone, japanesePhoneType, phoneDigits } from './jp-validators';

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

describe('formatJapanesePhone and displayPhones: stored digits as people read them', () => {
  it('hyphenates by the real length of the area code, and leaves anything that is not stored digits as it is', () => {
    // given stored digits of several area-code lengths, a mobile, and values that are not numbers
    const cases: Array<[string, string]> = [
      ['0426207200', '042-620-7200'],
      ['0312345678', '03-1234-5678'],
      ['0422515131', '0422-51-5131'], // 武蔵野市役所: a four-digit area code
      ['09012345678', '090-1234-5678'],
      ['0120123456', '0120-123-456'],
      ['042-620-7200', '042-620-7200'],
      [PLACEHOLDER.erased, PLACEHOLDER.erased],
      ['', ''],
    ];
    // when each is formatted twice (the second time from memory), then the answers agree
    for (const round of [1, 2]) {
      for (const [stored, shown] of cases) expect([round, stored, formatJapanesePhone(stored)]).toEqual([round, stored, shown]);
    }
  });

  it('formats the declared fields in a copy, leaves the stored form untouched, and answers the form itself when nothing changes', () => {
    // given a stored form with numbers at two declared fields and one elsewhere
    const stored: JsonObject = { contacts: [{ phone: '0426207200', fax: '0426207209' }, { phone: PLACEHOLDER.erased }], mobile: '09012345678' };
    const before = structuredClone(stored);
    // when it is displayed
    const shown = displayPhones(stored, ['contacts[].phone', 'mobile']);
    // then only the declared numbers are formatted, and only in the copy
    expect(shown).toEqual({ contacts: [{ phone: '042-620-7200', fax: '0426207209' }, { phone: PLACEHOLDER.erased }], mobile: '090-1234-5678' });
    expect(stored).toEqual(before);
    // copied along the changed paths only: what is not changed is shared, as in every view
    expect((shown['contacts'] as JsonObject[])[1]).toBe((stored['contacts'] as JsonObject[])[1]);
    const nothingToFormat: JsonObject = { contacts: [{ phone: PLACEHOLDER.withheld }] };
    expect(displayPhones(nothingToFormat, ['contacts[].phone', 'mobile'])).toBe(nothingToFormat);
  });
});

describe('phoneDigits: a number as people type it, stored as digits', () => {
  it('takes every dash, bracket, space and full-width form a Japanese keyboard, IME or spreadsheet produces, and +81 for the domestic 0', () => {
    const written = [
      '042-620-7200',
      '042−620−7200', // U+2212 minus sign: what IMEs and Excel often make of a hyphen
      '042–620–7200',
      '042—620—7200',
      '042―620―7200',
      '042ｰ620ｰ7200',
      '042ー620ー7200',
      '０４２－６２０－７２００',
      '(042) 620-7200',
      '（042）620-7200',
      '042.620.7200',
      '042 620 7200',
      '+81-42-620-7200',
      '+81 (0)42 620 7200',
      '＋８１　４２　６２０　７２００',
    ];
    for (const value of written) {
      expect([value, phoneDigits(value)]).toEqual([value, '0426207200']);
      expect([value, japanesePhoneType(value)]).toEqual([value, 'FIXED_LINE']);
    }
    expect(phoneDigits('+81 90-1234-5678')).toBe('09012345678');
    // Other countries stay as written: not a Japanese number, refused by the check.
    expect(japanesePhoneType('+1-202-555-0143')).toBeUndefined();
  });
});
