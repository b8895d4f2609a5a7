import { instantProblem, isExistingDate, japanWallClock } from './japan-time';

describe('japanWallClock: the wall clock in Japan at an instant', () => {
  it('is nine hours ahead of UTC, the day changing at 15:00 UTC, whatever offset the instant was written with', () => {
    expect(japanWallClock('2026-12-07T14:59:59.999Z')).toBe('2026-12-07T23:59:59.999');
    expect(japanWallClock('2026-12-07T15:00:00.000Z')).toBe('2026-12-08T00:00:00.000');
    expect(japanWallClock('2026-12-08T00:30:00+09:00')).toBe('2026-12-08T00:30:00.000');
    expect(japanWallClock(Date.UTC(2026, 11, 31, 15))).toBe('2027-01-01T00:00:00.000');
  });

  it('is undefined for what is not an instant', () => {
    expect([japanWallClock('not a time'), japanWallClock(Number.NaN)]).toEqual([undefined, undefined]);
  });
});

describe('instants and days as people give them', () => {
  it('a day that does not exist, offset given, is said as a day that does not exist; what lacks an offset or is no time at all is not an instant', () => {
    const cases: Array<[string, ReturnType<typeof instantProblem>]> = [
      ['2026-02-28T00:00:00Z', undefined],
      ['2028-02-29T09:00:00+09:00', undefined],
      ['2026-02-30T00:00:00Z', 'no-such-date'],
      ['2026-02-29T00:00:00+09:00', 'no-such-date'],
      ['2026-13-01T00:00:00Z', 'no-such-date'],
      ['2026-04-31T12:00:00.000Z', 'no-such-date'],
      ['2026-02-30T00:00:00', 'not-an-instant'],
      ['2026-02-30', 'not-an-instant'],
      ['2026-02-28T25:00:00Z', 'not-an-instant'],
      ['yesterday', 'not-an-instant'],
    ];
    for (const [value, problem] of cases) expect([value, instantProblem(value)]).toEqual([value, problem]);
    expect(instantProblem(42)).toBe('not-an-instant');
  });

  it('a day exists as written, not rolled over', () => {
    expect(['2026-02-28', '2028-02-29'].map(isExistingDate)).toEqual([true, true]);
    expect(['2026-02-29', '2026-02-31', '2026-00-10', '2026-2-1', ''].map(isExistingDate)).toEqual([false, false, false, false, false]);
  });
});
